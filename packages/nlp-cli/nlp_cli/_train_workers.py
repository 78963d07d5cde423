"""What `nlp train --workers N` gives each Ray worker (see nlp_train.ray_workers): the pipeline
as training starts, as bytes it rebuilds its replica from, and readers of the corpora that each
worker runs with its own replica's vocab and tokenizer. All pickle; the corpora (and a --code
file) must be at the same path on every machine of a cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._corpus import load_examples, training_examples
from ._errors import fail
from ._models import blank_model, import_code


def check_workers(workers: int, ray_address: str | None, raw_text: str | None, use_gpu: int) -> None:
    """A UserError for --workers/--ray-address options that cannot run, or when Ray is missing."""
    if workers < 1:
        fail(f"--workers must be at least 1, got {workers}")
    if ray_address is not None and workers < 2:
        fail("--ray-address trains on the workers of a Ray cluster: give --workers 2 or more")
    if workers < 2:
        return
    if raw_text is not None:
        fail("-rt/--raw-text (rehearsal) does not run with --workers")
    if use_gpu >= 0:
        fail("--workers trains on CPUs: leave out -g/--use-gpu")
    from nlp_train.ray_workers import require_ray

    try:
        require_ray()
    except ImportError as err:
        fail(f"--workers {workers}: {err}")


@dataclass
class Replica:
    """Builds a worker's pipeline: the one training starts from (`data`: its bytes), training
    the components `names`, after importing the --code file its components need."""

    lang: str
    data: bytes
    names: list[str]
    code: str | None = None

    @classmethod
    def of(cls, trainee: Any, code: str | None) -> Replica:
        return cls(trainee.nlp.lang, trainee.nlp.to_bytes(), list(trainee.pipe_names), code)

    def __call__(self) -> Any:
        from .train import Trainee

        import_code(self.code)
        return Trainee(blank_model(self.lang).from_bytes(self.data), self.names)


@dataclass
class CorpusReader:
    """A worker's training data (read once, or a stream read afresh each epoch with
    `shuffle_buffer`) or, with `dev`, its development data, read with the worker's pipeline."""

    path: str
    dev: bool = False
    limit: int = 0
    shuffle_buffer: int = 0
    gold_words: bool = False

    def __post_init__(self) -> None:
        self._read: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_read"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._read = None

    def __call__(self, trainee: Any) -> Any:
        if self._read is None:
            nlp = trainee.nlp
            if self.dev:
                self._read = load_examples(self.path, nlp.vocab, nlp.make_doc, "development data",
                                           raw_text=not self.gold_words)
            else:
                self._read = training_examples(self.path, nlp.vocab, nlp.make_doc, self.limit,
                                               self.shuffle_buffer)
        return self._read
