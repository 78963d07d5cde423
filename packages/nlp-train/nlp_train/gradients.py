"""A data-parallel step's gradients: what one worker's update on its shard of a batch computed,
as one flat float32 array, and the optimizer step every worker applies to the workers' sum.

A worker runs ``nlp.update(shard, sgd=capture)`` with a :class:`GradientCapture` in the
optimizer's place: thinc's ``finish_update`` hands it each parameter's gradient, which it adds
into a flat array at the parameter's place in the pipeline's :class:`ParamLayout` (the same
place in every replica: the order of the pipeline's models, not thinc's per-process model ids)
and zeroes, as the optimizer would, leaving the weights alone. The workers' arrays are summed in
worker order (:func:`sum_gradients`; in the sharded step each worker sums only the block of
parameters it owns, :mod:`nlp_train.sharded_optimizer`), so the bits do not depend on who sums,
and :func:`apply_step` calls the real optimizer once for each parameter any worker stepped. The
sum is the gradient of the whole batch when each component's loss is a sum over its examples,
or is divided by the whole batch's count (``loss_normalizers``, see :func:`shard_update`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from thinc.api import Model, Optimizer

from .checkpoint import Key, pipeline_nodes


@dataclass(frozen=True)
class Slot:
    """One parameter: its node and name, its optimizer key in this process, and its place in
    the flat array."""

    key: Key
    node: Model
    name: str
    start: int
    shape: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.start + int(numpy.prod(self.shape, dtype=numpy.int64))


class ParamLayout:
    """Every parameter of the pipeline's thinc models (``nlp.pipeline``'s ``component.model``),
    in pipeline order, each at its place in one flat array of ``size`` floats."""

    def __init__(self, nlp: Any) -> None:
        self.slots: list[Slot] = []
        self.index: dict[Key, int] = {}
        start = 0
        for node in pipeline_nodes(nlp):
            for name in node.param_names:
                key = (node.id, name)
                if key in self.index:
                    continue
                shape = tuple(node.get_param(name).shape) if node.has_param(name) else (0,)
                self.index[key] = len(self.slots)
                self.slots.append(Slot(key, node, name, start, shape))
                start = self.slots[-1].end
        if not self.slots:
            raise ValueError("data-parallel training needs the pipeline's thinc models: "
                             "nlp.pipeline as (name, component) pairs whose component.model is one")
        self.size = start

    def digest(self) -> str:
        """A hash of every weight and shape, in layout order: equal for equal replicas."""
        sha = hashlib.sha256()
        for slot in self.slots:
            sha.update(repr(slot.shape).encode())
            if slot.node.has_param(slot.name):
                sha.update(numpy.ascontiguousarray(slot.node.get_param(slot.name)).tobytes())
        return sha.hexdigest()


class GradientCapture:
    """Stands in for the optimizer in a worker's ``nlp.update``: gathers the gradients into
    ``flat`` (``stepped``: the slots stepped, with their ``lr_scale``) and changes no weight.
    Any other attribute is the real optimizer's (a component may read ``learn_rate``).
    A reused buffer is not cleared up front: a slot's first gradient is copied over the last
    step's values, and reading ``flat`` zeroes the slots no component stepped."""

    def __init__(self, layout: ParamLayout, optimizer: Optimizer,
                 reuse: numpy.ndarray | None = None) -> None:
        self.layout = layout
        self._stale = reuse is not None and reuse.shape == (layout.size,)
        # a reused buffer is the last step's array: its memory is mapped already
        self._flat = reuse if self._stale else numpy.zeros(layout.size, dtype="float32")
        self.stepped: dict[int, float] = {}
        self._optimizer = optimizer

    @property
    def flat(self) -> numpy.ndarray:
        """The flat gradient of this update (zero where nothing was stepped)."""
        if self._stale:
            for i, slot in enumerate(self.layout.slots):
                if i not in self.stepped:
                    self._flat[slot.start:slot.end] = 0.0
            self._stale = False
        return self._flat

    def __getattr__(self, name: str) -> Any:
        return getattr(self._optimizer, name)

    def __call__(self, key: Key, weights: Any, gradient: Any, *,
                 lr_scale: float = 1.0) -> tuple[Any, Any]:
        i = self.layout.index.get(key)
        if i is None:
            raise ValueError(f"parameter {key[1]!r} of thinc model #{key[0]} was updated but is not "
                             "in the pipeline's models (nlp.pipeline): its gradient cannot be shared")
        slot = self.layout.slots[i]
        if tuple(gradient.shape) != slot.shape:
            raise ValueError(f"parameter {key[1]!r} changed shape during the update ({slot.shape} -> "
                             f"{tuple(gradient.shape)}; a label added?): give every label before "
                             "data-parallel training")
        values = numpy.asarray(gradient, dtype="float32").ravel()
        if i in self.stepped or not self._stale:
            self._flat[slot.start:slot.end] += values
        else:
            self._flat[slot.start:slot.end] = values
        gradient.fill(0)  # as thinc's optimizer leaves it
        self.stepped[i] = lr_scale
        return weights, gradient


def loss_counts(nlp: Any, batch: Sequence[Any]) -> dict[str, float] | None:
    """What each component with a mean loss divides it by on the whole batch (None when the
    pipeline has no ``loss_normalizers``: every loss is a sum), after the replica learns the
    labels the batch brings (``labels_to_learn``/``learn_labels``, in batch order, as one
    process would). Every worker counts the whole batch itself, even one with an empty shard:
    counting reads only chunk bounds and gold labels, cheaper than another exchange (measured:
    an all-gather of shard counts cost more a step than it saved), and whatever a component
    learns from seeing the batch every replica learns alike."""
    find, learn = getattr(nlp, "labels_to_learn", None), getattr(nlp, "learn_labels", None)
    if callable(find) and callable(learn):
        labels = find(batch)
        if any(labels.values()):
            learn(labels)
    counter = getattr(nlp, "loss_normalizers", None)
    return dict(counter(batch)) if callable(counter) else None


def shard_update(nlp: Any, shard: Sequence[Any], drop: float, capture: GradientCapture,
                 losses: dict[str, float], counts: Mapping[str, float] | None) -> None:
    """``nlp.update`` on ``shard`` with ``capture`` for optimizer, each mean loss divided by
    the whole batch's count (``counts``, from :func:`loss_counts`) instead of the shard's."""
    if not shard:
        return
    if counts:
        nlp.update(shard, drop=drop, sgd=capture, losses=losses, loss_normalizers=counts)
    else:
        nlp.update(shard, drop=drop, sgd=capture, losses=losses)


def sum_gradients(size: int, arrays: Sequence[numpy.ndarray | None],
                  out: numpy.ndarray | None = None) -> numpy.ndarray:
    """The sum of the workers' flat gradients (None: nothing stepped), added in worker order,
    so every worker gets the same bits; into ``out`` (of ``size`` floats) when given, which
    spares a new array each step."""
    given = [array for array in arrays if array is not None]
    total = numpy.empty(size, dtype="float32") if out is None or out.shape != (size,) else out
    if not given:
        total.fill(0.0)
        return total
    numpy.copyto(total, given[0])
    for array in given[1:]:
        numpy.add(total, array, out=total)
    return total


def apply_step(optimizer: Optimizer, layout: ParamLayout, total: numpy.ndarray,
               stepped: Mapping[int, float], offset: int = 0) -> None:
    """One optimizer call per stepped slot, in layout order, with its part of ``total`` (which
    holds the flat floats from ``offset``: a worker's block in the sharded step)."""
    for i in sorted(stepped):
        slot = layout.slots[i]
        gradient = total[slot.start - offset:slot.end - offset].reshape(slot.shape)
        weights, _ = optimizer(slot.key, slot.node.get_param(slot.name), gradient,
                               lr_scale=stepped[i])
        slot.node.set_param(slot.name, weights)


def split_batch(batch: Sequence[Any], n: int,
                count_words: Callable[[Any], int] | None = None) -> list[list[Any]]:
    """``batch`` cut into ``n`` shards of about as many words each (the longest example goes to
    the shard with the fewest words so far, the lower one on a tie), each in batch order."""
    counter = len if count_words is None else count_words
    loads = [0] * n
    owner = [0] * len(batch)
    for i in sorted(range(len(batch)), key=lambda i: (-int(counter(batch[i])), i)):
        rank = min(range(n), key=lambda r: (loads[r], r))
        owner[i] = rank
        loads[rank] += int(counter(batch[i]))
    return [[example for example, r in zip(batch, owner) if r == rank] for rank in range(n)]
