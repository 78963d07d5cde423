# cython: language_level=3
"""`StateBatch`: a C array of parse or entity states that advance together."""

from libc.stdlib cimport calloc, free

import numpy

from ._state cimport StateC, state_free, state_init


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
            out[i] = self.c[i].b0 >= self.c[i].n and self.c[i].depth == 0
        return out

    @property
    def n_final(self) -> int:
        """How many states are final."""
        cdef int i, count = 0
        for i in range(self.size):
            if self.c[i].b0 >= self.c[i].n and self.c[i].depth == 0:
                count += 1
        return count

    def __repr__(self) -> str:
        return f"<StateBatch of {self.size} states, {self.n_final} final>"
