# Integer types shared by every Cython module of nlp-vocab: all ids are 64-bit.
from libc.stdint cimport uint64_t

ctypedef uint64_t attr_t
ctypedef uint64_t hash_t
ctypedef uint64_t flags_t
