from cymem.cymem cimport Pool

from libc.stdint cimport uint64_t

from .structs cimport LexemeC, TokenC
from .typedefs cimport attr_t
from .vocab cimport Vocab

# Padding tokens kept before c[0] and after c[length - 1], so that feature extraction can read
# c[-PADDING] .. c[length + PADDING - 1] without bounds checks. Their lexeme is all zeros.
cdef enum:
    PADDING = 5


cdef class Doc:
    cdef Pool mem
    cdef readonly Vocab vocab
    cdef TokenC* c              # points PADDING tokens into the allocated block
    cdef int length
    cdef int max_length
    cdef public dict cats
    cdef public dict user_data
    cdef public object tensor
    cdef bint edges_stale        # heads changed since l_kids/r_kids/l_edge/r_edge were computed

    cdef int push_back(self, const LexemeC* lex, bint has_space) except -1
    cdef int _resize(self, int new_max) except -1
    cdef int set_children_from_heads(self) except -1
    cdef int ensure_edges(self) except -1
    cdef int _set_columns(self, list attr_ids, const uint64_t[:, ::1] vals) except -1
    cdef int _check_multiword_column(self, const uint64_t[:, ::1] vals, int col) except -1
    cdef int _set_forms(self, const uint64_t[:, ::1] vals, int col) except -1
