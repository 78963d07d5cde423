# cython: language_level=3
from ._state cimport StateC
from .system cimport Gold, TransitionSystem

# Action ids: OUT = 0, then per label: BEGIN = 1 + 4 * label, IN = +1, LAST = +2, UNIT = +3,
# so adding a label only appends four ids.
cdef enum:
    OUT = 0
    BEGIN = 0
    IN = 1
    LAST = 2
    UNIT = 3

cdef enum:
    N_NER_FEATURES = 6


cdef struct NerGoldC:
    int n
    long long serial    # unique per gold, keys the cost table a state caches
    const int* tags     # gold action id per word; -1 unknown


cdef class NerGold(Gold):
    cdef NerGoldC c
    cdef object _array


cdef class BiluoPushDown(TransitionSystem):
    cdef list _labels
    cdef dict _label_ids

    cdef int fill_table(self, StateC* st, const NerGoldC* g) noexcept nogil
