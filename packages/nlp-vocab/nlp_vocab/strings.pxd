from murmurhash.mrmr cimport hash64

from .typedefs cimport hash_t


cdef inline hash_t hash_utf8(const char* utf8, int length) noexcept nogil:
    """murmurhash64 (seed 1) of UTF-8 bytes; the empty string hashes to 0."""
    if length == 0:
        return 0
    return hash64(<void*>utf8, length, 1)


cdef class StringStore:
    cdef dict _by_key      # hash -> str
    cdef list _keys        # hashes in insertion order (for iteration and serialization)

    cdef hash_t intern(self, str string) except? 0
