"""The two exchanges of a sharded data-parallel step, over any transport.

A step posts each worker's flat gradient with a small message (:meth:`gather_step`: every
worker's message and gradient, for each to sum its own block), then each worker's new weights
of its block (:meth:`gather_params`). :class:`BoardExchange` does both with the group's
``allgather`` (Ray's object store between machines; a test's group in one process);
:class:`SharedExchange` through the shared memory of :mod:`nlp_train.shared_gradients`, with
no Ray call in the step.
"""

from __future__ import annotations

from typing import Any

import numpy

from .shared_gradients import Barrier, SharedSlots

Rows = list[numpy.ndarray | None]


class BoardExchange:
    """The step's exchanges through ``group.allgather`` (see
    :class:`~nlp_train.data_parallel.Group`); the arrays are this worker's, reused."""

    def __init__(self, group: Any) -> None:
        self.group = group
        self.flat: numpy.ndarray | None = None
        self.part: numpy.ndarray | None = None

    def gradient_buffer(self, size: int) -> numpy.ndarray | None:
        """The last gradient sent, for :class:`~nlp_train.gradients.GradientCapture` to reuse
        when it still fits (None: it allocates one)."""
        return self.flat

    def gather_step(self, info: Any, flat: numpy.ndarray | None) -> tuple[list[Any], Rows]:
        """Every worker's ``info`` and flat gradient (None: it stepped nothing), in rank order."""
        if flat is not None:
            self.flat = flat
        return self.group.allgather("step", info, flat)

    def params_buffer(self, start: int, end: int) -> numpy.ndarray:
        """Where to write this worker's new weights of the flat floats ``start:end``."""
        if self.part is None or self.part.shape != (end - start,):
            self.part = numpy.zeros(end - start, dtype="float32")
        return self.part

    def gather_params(self, part: numpy.ndarray, spans: list[tuple[int, int]]) -> Rows:
        """Every worker's block of new weights (its ``spans`` entry), in rank order."""
        _, parts = self.group.allgather("weights", None, part)
        return parts


class SharedExchange:
    """The step's exchanges through one machine's shared memory (``slots``); ``barrier`` (the
    board's) only when a new segment is mapped."""

    def __init__(self, slots: SharedSlots, barrier: Barrier) -> None:
        self.slots, self.barrier = slots, barrier

    def gradient_buffer(self, size: int) -> numpy.ndarray:
        return self.slots.buffer(size, self.barrier)

    def gather_step(self, info: Any, flat: numpy.ndarray | None) -> tuple[list[Any], Rows]:
        if flat is not None and flat is not self.slots.slot:
            raise ValueError("the step's gradient was not collected in this worker's shared slot")
        posted = self.slots.post("step", (flat is not None, info))
        return [i for _, i in posted], self.slots.gathered([sent for sent, _ in posted])

    def params_buffer(self, start: int, end: int) -> numpy.ndarray:
        """This worker's block of its own slot of the set just summed: only it read that block."""
        return self.slots.last_slots()[self.slots.rank, start:end]

    def gather_params(self, part: numpy.ndarray, spans: list[tuple[int, int]]) -> Rows:
        self.slots.post("weights")
        rows = self.slots.last_slots()
        return [rows[r, start:end] for r, (start, end) in enumerate(spans)]
