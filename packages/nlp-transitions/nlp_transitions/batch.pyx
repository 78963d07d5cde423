# cython: language_level=3
"""`StateBatch`: a C array of parse or entity states that advance together."""

from libc.stdlib cimport calloc, free
from libc.string cimport memcpy

import numpy

from ._state cimport N_INT_ARRAYS, StateC, state_free, state_init, state_is_final


cdef class StateBatch:
    """Opaque batch of states, one per document; made by a system's `init_batch`.

    The system that made it does every move; the batch only owns the memory and answers which
    states are final. A single-state API is a batch of one.
    """

    def __cinit__(self, lengths, system=None):
        cdef int i
        lengths = [int(n) for n in lengths]
        for i, n in enumerate(lengths):
            if n < 0:
                raise ValueError(f"StateBatch: document {i} has a negative length ({n})")
        self.size = len(lengths)
        self.system = system
        self.c = <StateC*>calloc(max(self.size, 1), sizeof(StateC))
        if self.c == NULL:
            raise MemoryError()
        for i in range(self.size):
            if state_init(&self.c[i], lengths[i]) != 0:
                raise MemoryError()

    def __dealloc__(self):
        cdef int i
        if self.c != NULL:
            for i in range(self.size):
                state_free(&self.c[i])
            free(self.c)
            self.c = NULL

    def __len__(self) -> int:
        return self.size

    @property
    def lengths(self):
        """Words per document, as an int32 array."""
        out = numpy.empty(self.size, dtype="int32")
        cdef int i
        for i in range(self.size):
            out[i] = self.c[i].n
        return out

    def is_final(self):
        """Boolean array: which states have no move left."""
        out = numpy.zeros(self.size, dtype="bool")
        cdef int i
        for i in range(self.size):
            out[i] = state_is_final(&self.c[i])
        return out

    @property
    def n_final(self) -> int:
        """How many states are final."""
        cdef int i, count = 0
        for i in range(self.size):
            if state_is_final(&self.c[i]):
                count += 1
        return count

    def copy(self) -> StateBatch:
        """An independent copy of every state (for search and tests; moves never copy)."""
        return self.gather(numpy.arange(self.size, dtype="int32"))

    def gather(self, parents) -> StateBatch:
        """A new batch whose state i is an independent copy of state `parents[i]` of this one
        (beam search: the states a beam keeps, each as often as it is kept)."""
        cdef const int[::1] src_ids = numpy.ascontiguousarray(parents, dtype="int32")
        cdef int i
        for i in range(src_ids.shape[0]):
            if not 0 <= src_ids[i] < self.size:
                raise IndexError(f"gather: state {src_ids[i]} out of range for a batch of {self.size}")
        lengths = [self.c[src_ids[i]].n for i in range(src_ids.shape[0])]
        cdef StateBatch new = StateBatch(lengths, self.system)
        with nogil:
            for i in range(src_ids.shape[0]):
                _copy_state(&new.c[i], &self.c[src_ids[i]])
        return new

    def stack(self, int i=0) -> list:
        """The stack of state i, bottom first."""
        self._check(i)
        return [self.c[i].stack[k] for k in range(self.c[i].depth)]

    def buffer_start(self, int i=0) -> int:
        """The first buffer word of state i (its length once the buffer is exhausted)."""
        self._check(i)
        return self.c[i].b0

    def _check(self, int i) -> None:
        if not 0 <= i < self.size:
            raise IndexError(f"state index {i} out of range for a batch of {self.size}")

    def __repr__(self) -> str:
        return f"<StateBatch of {self.size} states, {self.n_final} final>"


cdef inline void _copy_state(StateC* dst, const StateC* src) noexcept nogil:
    """Copy `src` into `dst`, allocated for the same length (the entity oracle's cost table is
    not copied: it is rebuilt on first use)."""
    memcpy(dst.block, src.block, N_INT_ARRAYS * max(src.n, 1) * sizeof(int) + max(src.n, 1))
    dst.b0 = src.b0
    dst.depth = src.depth
    dst.ent_start = src.ent_start
    dst.ent_label = src.ent_label
    dst.n_ents = src.n_ents
