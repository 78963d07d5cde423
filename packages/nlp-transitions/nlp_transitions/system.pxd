# cython: language_level=3
from ._state cimport StateC


cdef class Gold:
    cdef const void* ptr
    cdef readonly int n


cdef class TransitionSystem:
    cdef int nr_actions
    cdef int nr_features
    cdef object _names
    cdef object _ids

    cdef int c_valid(self, const StateC* st, int action) noexcept nogil
    cdef void c_apply(self, StateC* st, int action) noexcept nogil
    cdef void c_features(self, const StateC* st, int* out) noexcept nogil
    cdef void c_costs(self, StateC* st, const void* gold, float* out) noexcept nogil
    cdef int c_oracle(self, StateC* st, const void* gold) noexcept nogil

    cdef const void** _gold_pointers(self, object states, object golds, str where) except NULL
