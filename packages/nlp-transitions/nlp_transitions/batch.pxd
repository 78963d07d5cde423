# cython: language_level=3
from ._state cimport StateC


cdef class StateBatch:
    cdef StateC* c
    cdef int size
    cdef readonly object system
