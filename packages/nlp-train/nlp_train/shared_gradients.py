"""Gradients exchanged through shared memory between the workers of one machine.

Each worker writes its flat gradient straight into its own slot of one POSIX shared-memory
segment that every worker maps (no copy into Ray's object store, none out of it), and after
the exchange's barrier reads the others' slots in place. The slots come in two sets used in
turn: a worker that has summed step k's gradients and starts writing step k + 1's uses the
other set, and none can write into step k's set again before every worker has posted step
k + 1 (the barrier), that is, has finished reading step k's. Rank 0 creates the segment; the
others attach after a barrier; rank 0 removes its name once all have attached, so a killed
run leaves nothing behind in ``/dev/shm``. The barrier is the caller's (the board's
all-gather, see :mod:`nlp_train.ray_workers`).
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing import resource_tracker, shared_memory
from typing import Any

import numpy

Barrier = Callable[[str, Any], list[Any]]  # (kind, info) -> every worker's info, in rank order
TURNS = 2  # slot sets used in turn


class SharedSlots:
    """Worker ``rank``'s view of the run's gradient slots: ``size`` float32 per worker and
    turn, in a segment named ``{prefix}-{n}`` (n counts the segments: a new one per size)."""

    def __init__(self, prefix: str, rank: int, workers: int) -> None:
        self.prefix, self.rank, self.workers = prefix, rank, workers
        self.size = -1
        self.turn = 0
        self.made = 0
        self.views: numpy.ndarray | None = None  # (TURNS, workers, size)
        self.slot: numpy.ndarray | None = None
        self._segment: shared_memory.SharedMemory | None = None
        self._unlink_pending = False

    def buffer(self, size: int, barrier: Barrier) -> numpy.ndarray:
        """This worker's slot for the next exchange, a new segment first when ``size``
        changed (all workers call this with the same size at the same step)."""
        if size != self.size:
            self._remap(size, barrier)
        assert self.views is not None
        self.slot = self.views[self.turn, self.rank]
        return self.slot

    def owns(self, array: numpy.ndarray | None) -> bool:
        """Whether ``array`` is the slot :meth:`buffer` gave for the next exchange."""
        return array is not None and array is self.slot

    def gathered(self, posted: list[bool]) -> list[numpy.ndarray | None]:
        """After the barrier: each worker's slot of this turn (None where it posted none),
        then the next turn's set is the one written."""
        assert self.views is not None
        arrays = [self.views[self.turn, r] if sent else None for r, sent in enumerate(posted)]
        self.turn = (self.turn + 1) % TURNS
        if self._unlink_pending:  # every worker attached before posting this exchange
            self._unlink()
        return arrays

    def close(self) -> None:
        """Remove the segment's name if it is still there (the mapping lives on until exit)."""
        if self._unlink_pending:
            self._unlink()

    def _remap(self, size: int, barrier: Barrier) -> None:
        name = f"{self.prefix}-{self.made}"
        nbytes = max(1, TURNS * self.workers * size * 4)
        if self.rank == 0:
            segment = shared_memory.SharedMemory(name=name, create=True, size=nbytes)
        try:
            sizes = barrier("shared-memory", size)
            if len(set(sizes)) > 1:
                raise ValueError("the workers' pipelines have parameters of different shapes "
                                 f"({sizes} floats): the replicas differ")
        except BaseException:
            if self.rank == 0:
                segment.unlink()
            raise
        if self.rank:
            segment = shared_memory.SharedMemory(name=name, create=False)
            resource_tracker.unregister(segment._name, "shared_memory")  # rank 0's to remove
        self.close()
        self._segment, self._unlink_pending = segment, self.rank == 0
        self.views = numpy.ndarray((TURNS, self.workers, size), dtype="float32", buffer=segment.buf)
        self.size, self.turn, self.made = size, 0, self.made + 1

    def _unlink(self) -> None:
        self._unlink_pending = False
        if self._segment is not None:
            try:
                self._segment.unlink()
            except FileNotFoundError:
                pass

