"""What the training loop needs from a pipeline and a corpus.

nlp-train imports no pipeline code: any object with these methods can be
trained.  nlp-models' ``Language`` implements the protocol; the tests use a
small stand-in built on a thinc model.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import (
    Any,
    Protocol,
    runtime_checkable,
)

from thinc.api import Optimizer

#: ``{(model_id, param_name): array}``, as in ``optimizer.averages``.
Params = Mapping[tuple[int, str], Any]


@runtime_checkable
class TrainablePipeline(Protocol):
    """A pipeline the loop can train.

    - ``update(examples, drop=, sgd=, losses=)``: one gradient step on a batch;
      adds each component's loss into ``losses`` under the component's name
      (its ``ComponentInfo.name``).  The loop calls ``sgd.step_schedules()``
      after each update itself.
    - ``evaluate(examples)``: a dict of scores, percentages 0-100 (spaCy v2's
      table convention): the keys the components' infos name in their columns,
      score weights and curves, ``token_acc`` when a component annotates tokens,
      and ``wps`` (words per second, not a percentage).  It may add per-label
      tables ``{label: {"p", "r", "f"}}`` and confusion lists ``[[gold,
      predicted, count], ...]`` (the keys of the infos' ``tables``): the log
      keeps them for ``report.html``.
    - ``use_params(params)``: a context manager that swaps the given weights
      in (e.g. ``optimizer.averages``) and restores the current ones on exit.
    - ``to_disk(path)`` / ``from_disk(path)``: save, and load into this object
      (in place), round-trip exact: resume relies on it.
    - ``pipe_names``: the components.

    Optional, looked up with ``getattr``:

    - ``component_info()``: a :class:`~nlp_train.ComponentInfo` per trained
      component, in pipeline order: the table's columns, the score weights of
      ``model-best``, the batch-size maximum and the report's charts and tables
      come from them.  Without it each name of ``pipe_names`` stands for the
      info registered under it (:func:`~nlp_train.components.register_info`),
      else for a loss column only (see :func:`~nlp_train.pipeline_infos`).

    - ``rehearse(examples_or_texts, sgd=, losses=)``: needed for rehearsal
      with raw texts.
    - ``param_keys()``: the optimizer keys ``(model_id, param_name)`` of every
      parameter in a stable order; or ``pipeline``, a list of
      ``(name, component)`` whose ``component.model`` is a thinc Model.
      Either lets ``resume`` map saved optimizer state onto a pipeline whose
      models got other ids (e.g. rebuilt in the same process).
    - ``loss_normalizers(examples)``: ``{component name: count}``, what each component whose
      loss is a mean over the batch divides it by on ``examples``; then ``update`` also takes
      ``loss_normalizers=`` (divide by these counts instead). Data-parallel training
      (``train(workers=N)``) updates each worker on its shard with the whole batch's counts,
      so the shards' gradients add up to the batch's; without the method, every loss must be
      a sum over the examples. With ``labels_to_learn(examples)`` (``{name: [label, ...]}``,
      the labels an update would add, not added) and ``learn_labels(labels)`` as well, every
      replica learns the batch's new labels (in batch order) before counting, and counting
      must add no label; without them ``loss_normalizers`` itself may add them. Either way
      every worker counts the whole batch, so every replica learns the same labels.
    - ``calibrate(examples)``: fit the confidence of the pipeline's scores on held-out
      examples without changing its predictions (e.g. a CRF's temperature); the loop calls it
      on the dev examples with the weights it is about to evaluate and save, each epoch.
    - ``random_states()`` / ``set_random_states(states)``: the msgpack-ready
      states of the random generators the components keep for themselves
      (``{name: state}``), saved in the checkpoint so ``resume`` is exact;
      ``set_random_states`` raises ValueError on states that do not fit.
    """

    pipe_names: Sequence[str]

    def update(
        self, examples: Sequence[Any], *, drop: float, sgd: Optimizer, losses: dict[str, float]
    ) -> Any: ...

    def evaluate(self, examples: Sequence[Any]) -> Mapping[str, Any]: ...

    def use_params(self, params: Params) -> AbstractContextManager[Any]: ...

    def to_disk(self, path: str | Path) -> Any: ...

    def from_disk(self, path: str | Path) -> Any: ...


#: A corpus: a list of examples, a re-iterable object, or a callable taking the
#: pipeline (or nothing) and returning an iterable of examples.
Corpus = Sequence[Any] | Iterable[Any] | Callable[..., Iterable[Any]]


def corpus_items(corpus: Corpus, nlp: Any, what: str) -> Iterable[Any]:
    """One pass over ``corpus``: the list or iterable itself, or what calling it (with
    ``nlp`` if it takes an argument) returns."""
    if isinstance(corpus, (list, tuple)):
        return corpus
    if callable(corpus) and not isinstance(corpus, Iterable):
        return corpus(nlp) if _takes_argument(corpus) else corpus()
    if isinstance(corpus, Iterable):
        return corpus
    raise TypeError(
        f"{what}: expected a list of examples, an iterable or a callable, "
        f"got {type(corpus).__name__}"
    )


def read_corpus(corpus: Corpus, nlp: Any, what: str) -> list[Any]:
    """Materialize ``corpus`` as a list, calling it with ``nlp`` if callable."""
    return list(corpus_items(corpus, nlp, what))


def _takes_argument(func: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: try with nlp
        return True
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
             inspect.Parameter.VAR_POSITIONAL)
    return any(p.kind in kinds for p in params)
