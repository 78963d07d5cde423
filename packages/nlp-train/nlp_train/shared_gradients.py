"""Gradients and weights exchanged through shared memory between the workers of one machine.

Each worker writes its flat gradient straight into its own slot of one POSIX shared-memory
segment that every worker maps (no copy into Ray's object store, none out of it), and after a
barrier reads the others' slots in place. The barrier is the segment's too (:meth:`post`): each
worker writes a small message (its step's losses, the parameters it stepped) into its mailbox,
then raises its counter, and waits until every counter has reached its own, so a step waits on
no Ray actor call. The slots come in two sets used in turn, the mailboxes too: a worker that
has read exchange k's and posts exchange k + 1 uses the other set, and none can write into
exchange k's set again before every worker has posted exchange k + 1, that is, has finished
reading exchange k's. In the sharded step a worker writes its new weights into its own slot's
block of the set just summed (only it reads that block of its slot), for the others to read
after the next post. Rank 0 creates the segment; the others attach after a barrier through the
board (``barrier``, see :mod:`nlp_train.ray_workers`); rank 0 removes its name once all have
attached, so a killed run leaves nothing behind in ``/dev/shm``. The counters assume the
stores of one process are seen in order by another (x86-64's memory model).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from multiprocessing import resource_tracker, shared_memory
from typing import Any

import numpy

Barrier = Callable[[str, Any], list[Any]]  # (kind, info) -> every worker's info, in rank order
TURNS = 2  # slot sets (and mailbox sets) used in turn
MAILBOX = 1 << 20  # bytes of one worker's message to the others in one exchange
SPINS = 200  # checks of the counters before waiting between checks
PAUSE = 1e-4  # seconds between checks after that


class SharedSlots:
    """Worker ``rank``'s view of the run's gradient slots: ``size`` float32 per worker and
    turn, in a segment named ``{prefix}-{n}`` (n counts the segments: a new one per size),
    after the counters and mailboxes of :meth:`post`."""

    def __init__(self, prefix: str, rank: int, workers: int) -> None:
        self.prefix, self.rank, self.workers = prefix, rank, workers
        self.size = -1
        self.turn = 0
        self.made = 0
        self.posts = 0  # exchanges this worker has posted in this segment
        self.views: numpy.ndarray | None = None  # (TURNS, workers, size)
        self.slot: numpy.ndarray | None = None
        self.counters: numpy.ndarray | None = None  # (workers,) int64: each worker's posts
        self.lengths: numpy.ndarray | None = None  # (TURNS, workers) int64: message bytes
        self.mail: numpy.ndarray | None = None  # (TURNS, workers, MAILBOX) uint8
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

    def post(self, kind: str, info: Any = None) -> list[Any]:
        """Every worker's ``info`` for this exchange, in rank order, once all have posted it
        (a barrier that needs no other process: see the module docstring)."""
        assert self.counters is not None and self.lengths is not None and self.mail is not None
        data = pickle.dumps((kind, info), protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > MAILBOX:
            raise ValueError(f"a worker's message of exchange {kind!r} takes {len(data)} bytes, "
                             f"more than the {MAILBOX} of its mailbox")
        box = self.posts % TURNS
        self.mail[box, self.rank, :len(data)] = numpy.frombuffer(data, dtype="uint8")
        self.lengths[box, self.rank] = len(data)
        self.posts += 1
        self.counters[self.rank] = self.posts  # last: the message is whole when this is seen
        self._wait(self.posts)
        messages = [pickle.loads(self.mail[box, r, :int(self.lengths[box, r])].tobytes())
                    for r in range(self.workers)]
        kinds = sorted({k for k, _ in messages})
        if len(kinds) > 1:
            raise RuntimeError(f"the workers are out of step at shared exchange {self.posts}: {kinds}")
        return [message for _, message in messages]

    def _wait(self, posts: int) -> None:
        assert self.counters is not None
        checks = 0
        while int(self.counters.min()) < posts:
            checks += 1
            time.sleep(0 if checks < SPINS else PAUSE)

    def gathered(self, posted: list[bool]) -> list[numpy.ndarray | None]:
        """After the barrier: each worker's slot of this turn (None where it posted none),
        then the next turn's set is the one written."""
        assert self.views is not None
        arrays = [self.views[self.turn, r] if sent else None for r, sent in enumerate(posted)]
        self.turn = (self.turn + 1) % TURNS
        if self._unlink_pending:  # every worker attached before posting this exchange
            self._unlink()
        return arrays

    def last_slots(self) -> numpy.ndarray:
        """Every worker's slot of the set :meth:`gathered` returned last, (workers, size)."""
        assert self.views is not None
        return self.views[(self.turn - 1) % TURNS]

    def close(self) -> None:
        """Remove the segment's name if it is still there (the mapping lives on until exit)."""
        if self._unlink_pending:
            self._unlink()

    def _remap(self, size: int, barrier: Barrier) -> None:
        name = f"{self.prefix}-{self.made}"
        header = self._header_bytes()
        nbytes = header + TURNS * self.workers * size * 4
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
        self.slot = None
        self._map(segment, size)  # first: the old segment's views go before it does
        self._segment, self._unlink_pending = segment, self.rank == 0
        self.size, self.turn, self.made, self.posts = size, 0, self.made + 1, 0

    def _header_bytes(self) -> int:
        """The counters, the message lengths and the mailboxes, rounded up to 64 bytes."""
        used = 8 * self.workers * (1 + TURNS) + TURNS * self.workers * MAILBOX
        return -(-used // 64) * 64

    def _map(self, segment: shared_memory.SharedMemory, size: int) -> None:
        buf, n = segment.buf, self.workers
        self.counters = numpy.ndarray((n,), dtype="int64", buffer=buf)
        self.lengths = numpy.ndarray((TURNS, n), dtype="int64", buffer=buf, offset=8 * n)
        self.mail = numpy.ndarray((TURNS, n, MAILBOX), dtype="uint8", buffer=buf,
                                  offset=8 * n * (1 + TURNS))
        self.views = numpy.ndarray((TURNS, n, size), dtype="float32", buffer=buf,
                                   offset=self._header_bytes())

    def _unlink(self) -> None:
        self._unlink_pending = False
        if self._segment is not None:
            try:
                self._segment.unlink()
            except FileNotFoundError:
                pass

