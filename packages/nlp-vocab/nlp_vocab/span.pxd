from .doc cimport Doc
from .typedefs cimport attr_t


cdef class Span:
    cdef readonly Doc doc
    cdef readonly int start
    cdef readonly int end
    cdef readonly attr_t label
