# cython: language_level=3
from ._state cimport StateC
from .system cimport Gold, TransitionSystem

# Action ids: the three label-free moves first, then LEFT(label) = 3 + 2 * label and
# RIGHT(label) = 4 + 2 * label, so adding a label only appends two ids.
cdef enum:
    SHIFT = 0
    REDUCE = 1
    BREAK = 2
    N_FIXED = 3

# Feature slots, in order (see ArcEager.feature_names).
cdef enum:
    N_PARSE_FEATURES = 14


cdef struct ParseGoldC:
    int n
    const int* heads      # absolute gold head; -1 unknown; the word itself for a root
    const int* labels     # gold label id; -1 unknown (and always ignored on roots)
    const int* kids       # gold children of every word, ascending, CSR layout
    const int* kid_start  # n + 1 offsets into kids


cdef struct MoveCosts:
    int shift
    int reduce
    int brk
    int left            # LEFT with the gold label (or any label when left_label is -1)
    int right
    int left_label      # label LEFT must use to avoid one more point; -1: any label
    int right_label


cdef class ParseGold(Gold):
    cdef ParseGoldC c
    cdef object _arrays
    cdef readonly int label_bound   # 1 + the largest label id used (0: none)


cdef class ArcEager(TransitionSystem):
    cdef list _labels
    cdef dict _label_ids
    cdef int repair_id
    cdef readonly str root_label
    cdef readonly str repair_label

    cdef void move_costs(self, const StateC* st, const ParseGoldC* gold, MoveCosts* mc) noexcept nogil
