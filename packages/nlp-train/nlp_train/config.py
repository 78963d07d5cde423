"""The options of a training run (:class:`TrainConfig`) and what it did (:class:`TrainResult`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class TrainConfig:
    """Options of :func:`train`.  ``None`` means: environment variable, else recipe.

    - ``n_epochs``: epochs in all (a resumed run counts the ones done).
    - ``patience``: stop after this many epochs without a better score.
    - ``max_minutes``: stop (after finishing the epoch's evaluation and saves)
      once training has run this long.
    - ``seed``: seeds python, numpy and the shuffling; same seed and data give
      the same weights.
    - ``limit``: train on the first ``limit`` examples only (0: all).
    - ``batch_by``: ``"examples"`` (the seed's heuristic) or ``"words"``.
    - ``batch_from`` / ``batch_to`` / ``batch_compound``: the compounding
      batch-size schedule (``NLP_BATCH_*``, or v2's ``batch_from``, ...);
      ``batch_to`` defaults to the per-component maximum of
      :func:`~nlp_train.get_batches`.
    - ``batch_tolerance``: overflow allowed when batching by words.
    - ``dropout_from`` / ``dropout_to`` / ``dropout_decay``: the linear
      dropout schedule (``NLP_DROPOUT_*``, or v2's ``dropout_from``, ...;
      recipe 0.6 -> 0.2 by 1e-4).
    - ``score_weights``: ``{metric: weight}`` for choosing ``model-best``.
    - ``save_every_epoch``: write ``model{i}`` after each epoch.
    - ``progress``: force the progress bar on/off (default: on a terminal).
    - ``shuffle_buffer``: 0 reads the whole training corpus into memory and shuffles it each
      epoch; N > 0 reads it afresh each epoch as a stream (see :mod:`nlp_train.streaming`)
      through a seeded shuffle buffer of N examples, so memory does not grow with the corpus.
    - ``checkpoint_every``: also write the resume checkpoint every N batches within an epoch
      (0: after each epoch only); ``resume`` then continues in the middle of the epoch.
    """

    n_epochs: int = 30
    patience: int | None = None
    max_minutes: float | None = None
    seed: int = 0
    limit: int = 0
    batch_by: str = "examples"
    batch_from: float | None = None
    batch_to: float | None = None
    batch_compound: float | None = None
    batch_tolerance: float = 0.2
    dropout_from: float | None = None
    dropout_to: float | None = None
    dropout_decay: float | None = None
    score_weights: dict[str, float] | None = None
    save_every_epoch: bool = True
    progress: bool | None = None
    shuffle_buffer: int = 0
    checkpoint_every: int = 0

    def validate(self) -> None:
        if not isinstance(self.n_epochs, int) or self.n_epochs < 0:
            raise ValueError(f"n_epochs must be an int >= 0, got {self.n_epochs!r}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be >= 1 (or None), got {self.patience!r}")
        if self.max_minutes is not None and not self.max_minutes > 0:
            raise ValueError(f"max_minutes must be > 0 (or None), got {self.max_minutes!r}")
        if self.limit < 0:
            raise ValueError(f"limit must be >= 0, got {self.limit!r}")
        if self.batch_by not in ("examples", "words"):
            raise ValueError(f"batch_by must be 'examples' or 'words', got {self.batch_by!r}")
        for name in ("shuffle_buffer", "checkpoint_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")


@dataclass
class TrainResult:
    """What :func:`train` did."""

    output_dir: Path
    epochs: int
    best_epoch: int | None
    best_score: float | None
    stopped_by: str  # "epochs", "patience" or "time"
    history: list[dict[str, Any]] = field(default_factory=list)


def make_config(config: TrainConfig | None, options: Mapping[str, Any]) -> TrainConfig:
    """A copy of ``config`` (or the defaults) with ``options`` (field names) set; a TypeError
    naming the fields for an unknown option."""
    cfg = TrainConfig(**{f.name: getattr(config, f.name) for f in fields(TrainConfig)}) \
        if config is not None else TrainConfig()
    names = {f.name for f in fields(TrainConfig)}
    for key, value in options.items():
        if key not in names:
            raise TypeError(f"train() got an unknown option {key!r} (options: {sorted(names)})")
        setattr(cfg, key, value)
    return cfg
