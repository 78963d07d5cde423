"""What the Language asks of its components, said in one place.

A pipeline component is any callable ``component(doc) -> doc``: a function, a lambda, an
object. That is all `nlp(text)` needs. A component may offer more, and the Language uses it
exactly when the component's type says so (``isinstance`` against these protocols, never a
probe for one attribute at a time):

- `BatchComponent`: ``pipe(docs, batch_size=)`` annotates a stream in batches (`nlp.pipe`).
- `SavedComponent`: ``to_disk``/``from_disk``/``to_bytes``/``from_bytes``: saved in the
  model folder under its pipeline name, and loaded back into.
- `TrainableComponent`: a model that learns from nlp_gold Examples; `nlp.update`,
  `rehearse`, `begin_training`, `resume_training`, `use_params`, `evaluate`, the random
  states of a checkpoint and `component_info` drive only these. `nlp_models.TrainablePipe`
  implements it: built-in and user components subclass it and register with
  `nlp_models.register_component`.
- `Listener` and `Upstream`: the two sides of a shared tok2vec (`nlp_models.listeners`
  links them by name).
- `NormalizedLoss`: a component whose update's loss is a mean over the batch can be told the
  count of a larger batch to divide by (data-parallel training: `Language.loss_normalizers`).
- `LearnsLabels`: a component whose update adds the labels it meets says which, without
  adding them (data-parallel training: `Language.labels_to_learn`, `Language.learn_labels`).
- `Calibrated`: a component whose scores are calibrated on held-out examples after training
  (`Language.calibrate`, which the training loop calls on the dev examples before it saves).

Ask with `implements(component, Protocol)`: the same answer as ``isinstance``, fast enough
for `nlp()` to ask about every component on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import FunctionType
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class BatchComponent(Protocol):
    """A component that annotates a stream of docs in batches."""

    def __call__(self, doc: Any) -> Any: ...

    def pipe(self, docs: Iterable[Any], batch_size: int = 256) -> Iterator[Any]: ...


@runtime_checkable
class SavedComponent(Protocol):
    """A component that the model folder saves, and that loading restores in place."""

    def to_disk(self, path: str | Path) -> None: ...

    def from_disk(self, path: str | Path) -> Any: ...

    def to_bytes(self) -> bytes: ...

    def from_bytes(self, data: bytes) -> Any: ...


@runtime_checkable
class Listener(Protocol):
    """A component that may read its token vectors from an upstream tok2vec component.

    ``listens_to`` is the upstream's pipeline name (None: it has its own tok2vec); the
    pipeline sets ``upstream`` through ``set_upstream`` (None: unlinked).
    """

    name: str

    @property
    def listens_to(self) -> str | None: ...

    @property
    def upstream(self) -> Any: ...

    def set_upstream(self, upstream: Any) -> None: ...

    def listen_to(self, name: str) -> None: ...


@runtime_checkable
class Upstream(Protocol):
    """A tok2vec component whose vectors its linked listeners read."""

    name: str

    @property
    def listeners(self) -> tuple[Any, ...]: ...

    def add_listener(self, component: Any) -> None: ...

    def remove_listener(self, component: Any) -> None: ...

    def clear_listeners(self) -> None: ...


@runtime_checkable
class TrainableComponent(BatchComponent, SavedComponent, Listener, Protocol):
    """A component with a model that learns (what `nlp_models.TrainablePipe` implements).

    - ``factory``: its registered factory name; ``cfg``/``default_cfg``: its hyperparameters.
    - ``model``: the thinc model (None until `begin_training` or loading builds it).
    - ``check_examples``: a ValueError for gold it cannot learn, before any update.
    - ``update``/``flush_update``: a gradient step; a step held back for others (a shared
      tok2vec waits for its listeners) is applied by ``flush_update``.
    - ``snapshot_for_rehearsal``/``has_rehearsal_snapshot``/``rehearse``: pseudo-rehearsal.
    - ``score_options``: keyword options for `nlp_gold.Scorer` this component's scores need.
    - ``get_random_state``/``set_random_state``: its own random generator's state (None:
      it keeps none), saved by training checkpoints.
    """

    factory: str
    cfg: dict[str, Any]
    default_cfg: dict[str, Any]
    model: Any

    @property
    def labels(self) -> tuple[str, ...]: ...

    @property
    def has_rehearsal_snapshot(self) -> bool: ...

    def begin_training(
        self, get_examples: Callable[[], Iterable[Any]] | None = None, sgd: Any = None, pipeline: Any = None
    ) -> None: ...

    def check_examples(self, examples: Sequence[Any]) -> None: ...

    def update(
        self, examples: Sequence[Any], drop: float = 0.0, sgd: Any = None, losses: dict[str, float] | None = None
    ) -> dict[str, float]: ...

    def flush_update(self) -> bool: ...

    def rehearse(
        self, examples: Sequence[Any], drop: float = 0.0, sgd: Any = None, losses: dict[str, float] | None = None
    ) -> dict[str, float]: ...

    def snapshot_for_rehearsal(self) -> None: ...

    def use_params(self, params: dict) -> AbstractContextManager[Any]: ...

    def score_options(self) -> dict[str, Any]: ...

    def get_random_state(self) -> Any: ...

    def set_random_state(self, state: Any) -> None: ...


@runtime_checkable
class NormalizedLoss(Protocol):
    """A component that says what its update divides the loss by on a batch
    (``loss_normalizer``: a count summed over the examples, adding no label; or None for a
    sum) and divides by a given count instead within ``normalized_by(count)``: each worker of
    data-parallel training updates on its shard of a batch divided by the whole batch's count
    (the sum of the shards' counts), so the workers' gradients add up to the whole batch's.
    `nlp_models.TrainablePipe` implements it."""

    def loss_normalizer(self, examples: Sequence[Any]) -> float | None: ...

    def normalized_by(self, count: float | None) -> AbstractContextManager[Any]: ...


@runtime_checkable
class LearnsLabels(Protocol):
    """A component whose update adds the labels it meets: ``new_labels(examples)`` says which
    (in order) without adding them, ``add_label`` adds one. Data-parallel training has every
    replica add those of the whole batch, in batch order, before the workers update.
    `nlp_models.TrainablePipe` implements it (its ``new_labels`` names none: a component whose
    update adds labels overrides it, as the parsers and the entity recognizer do)."""

    def new_labels(self, examples: Sequence[Any]) -> list[str]: ...

    def add_label(self, label: str) -> int: ...


@runtime_checkable
class Calibrated(Protocol):
    """A component that fits how confident its scores are on held-out examples once its
    weights are trained: ``calibrate(docs, examples)`` gets the examples' tokens as the
    components before it annotated them, stores what it fits in its cfg (saved with the model,
    so loading needs nothing) and returns it, e.g. ``{"temperature": 1.6}``; it changes no
    prediction, only the scores. `nlp_models.CrfEntityRecognizer` implements it."""

    def calibrate(self, docs: Iterable[Any], examples: Sequence[Any]) -> dict[str, float]: ...


_IMPLEMENTS: dict[tuple[type, type], bool] = {}


def implements(component: Any, protocol: type) -> bool:
    """``isinstance(component, protocol)``, remembered per class: a runtime protocol check
    reads every member (tens of microseconds), the components of one class all have the
    same members. A function given attributes of its own (one class for all functions) is
    checked each time."""
    kind = type(component)
    if kind is FunctionType and component.__dict__:
        return isinstance(component, protocol)
    key = (kind, protocol)
    known = _IMPLEMENTS.get(key)
    if known is None:
        known = _IMPLEMENTS[key] = isinstance(component, protocol)
    return known
