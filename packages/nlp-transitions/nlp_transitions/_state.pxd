# cython: language_level=3
"""The C state shared by both transition systems, and its in-place moves.

One `StateC` covers one document of `n` words. The parser uses the stack, the buffer position,
the arcs (with leftmost / rightmost child chains for features) and the sentence starts; the
entity recogniser uses the buffer position, the open entity and the closed entities. Every move
changes the struct in place: no state is ever copied.
"""

from libc.stdlib cimport calloc, free

# Label ids stored in `labels`: >= 0 is an index into the system's label list.
cdef enum:
    NO_LABEL = -1      # no arc yet
    ROOT_LABEL = -2    # the word is a sentence root (head == itself)
    REPAIR_LABEL = -3  # arc made by the repair reduce when the repair label is not a known label

# Cost of an action that is not valid in a state (and of every action of a final state): large,
# so no zero-cost test ever selects it, and finite, so a loss stays finite. Python reads it as
# nlp_transitions.INVALID_COST.
cdef enum:
    INVALID_ACTION_COST = 1000000

# Number of int arrays of length n carved out of one state's block.
cdef enum:
    N_INT_ARRAYS = 13


cdef struct StateC:
    int n               # words in the document
    int b0              # first buffer word; n when the buffer is exhausted
    int depth           # stack depth
    int* stack          # stack[0] is the bottom, stack[depth - 1] the top
    int* stack_pos      # position of a word on the stack, -1 when not on it
    int* heads          # absolute head index; -1 none; the word itself for a root
    int* labels         # label id (see the enum above)
    int* l_edge         # leftmost word of the word's subtree (left children only grow it)
    int* l1             # leftmost left child, -1 if none
    int* r1             # rightmost right child, -1 if none
    int* prev_l         # for a left child: its head's leftmost left child before it came
    int* prev_r         # for a right child: its head's rightmost right child before it came
    char* sent_start    # 1 where a sentence starts
    int ent_start       # start of the open entity, -1 when none is open
    int ent_label       # label of the open entity
    int n_ents          # closed entities
    int* ent_starts
    int* ent_ends       # exclusive
    int* ent_labels
    int* preset         # forced entity action id per word, -1 where free
    long long dp_key    # serial of the gold the cost table below was computed for (0: none)
    int* dp             # entity oracle's cost-to-go table ((n + 1) rows), NULL until needed
    int dp_width        # columns of that table
    void* block         # the allocation every array above lives in


cdef inline int state_init(StateC* st, int n) noexcept nogil:
    """Allocate the arrays of a state for `n` words and reset it; -1 when out of memory."""
    cdef int i
    cdef int m = n if n > 0 else 1
    cdef char* block = <char*>calloc(1, N_INT_ARRAYS * m * sizeof(int) + m)
    if block == NULL:
        return -1
    cdef int* ints = <int*>block
    st.block = block
    st.n = n
    st.stack = ints
    st.stack_pos = ints + m
    st.heads = ints + 2 * m
    st.labels = ints + 3 * m
    st.l_edge = ints + 4 * m
    st.l1 = ints + 5 * m
    st.r1 = ints + 6 * m
    st.prev_l = ints + 7 * m
    st.prev_r = ints + 8 * m
    st.ent_starts = ints + 9 * m
    st.ent_ends = ints + 10 * m
    st.ent_labels = ints + 11 * m
    st.preset = ints + 12 * m
    st.sent_start = block + N_INT_ARRAYS * m * sizeof(int)
    st.dp = NULL
    st.dp_key = 0
    st.dp_width = 0
    for i in range(n):
        st.preset[i] = -1
    state_reset(st)
    return 0


cdef inline void state_reset(StateC* st) noexcept nogil:
    """Back to the initial configuration: empty stack, whole document in the buffer (presets
    and sentence starts given for entity recognition are kept)."""
    cdef int i
    st.b0 = 0
    st.depth = 0
    st.ent_start = -1
    st.ent_label = -1
    st.n_ents = 0
    for i in range(st.n):
        st.stack_pos[i] = -1
        st.heads[i] = -1
        st.labels[i] = NO_LABEL
        st.l_edge[i] = i
        st.l1[i] = -1
        st.r1[i] = -1
        st.prev_l[i] = -1
        st.prev_r[i] = -1
    if st.n > 0:
        st.sent_start[0] = 1


cdef inline void state_free(StateC* st) noexcept nogil:
    if st.block != NULL:
        free(st.block)
        st.block = NULL
    if st.dp != NULL:
        free(st.dp)
        st.dp = NULL
    st.dp_key = 0


cdef inline bint state_is_final(const StateC* st) noexcept nogil:
    """No move left: the buffer is exhausted and the stack empty."""
    return st.b0 >= st.n and st.depth == 0


# ---- parser accessors and moves --------------------------------------------------------------

cdef inline int S(const StateC* st, int i) noexcept nogil:
    """The i-th word from the top of the stack (0 = top), -1 if the stack is shallower."""
    return st.stack[st.depth - 1 - i] if i < st.depth else -1


cdef inline int B(const StateC* st, int i) noexcept nogil:
    """The i-th buffer word (0 = first), -1 past the end."""
    return st.b0 + i if st.b0 + i < st.n else -1


cdef inline int below(const StateC* st, int word) noexcept nogil:
    """The word directly under `word` on the stack, -1 if it is the bottom or not on the stack."""
    cdef int pos = st.stack_pos[word]
    return st.stack[pos - 1] if pos > 0 else -1


cdef inline void push_b0(StateC* st) noexcept nogil:
    cdef int w = st.b0
    st.stack[st.depth] = w
    st.stack_pos[w] = st.depth
    st.depth += 1
    st.b0 += 1


cdef inline void pop_s0(StateC* st) noexcept nogil:
    st.depth -= 1
    st.stack_pos[st.stack[st.depth]] = -1


cdef inline void add_arc(StateC* st, int head, int child, int label) noexcept nogil:
    """Attach a headless `child` to `head`, keeping the child chains and the left edge."""
    st.heads[child] = head
    st.labels[child] = label
    if child < head:
        st.prev_l[child] = st.l1[head]
        st.l1[head] = child
        if st.l_edge[child] < st.l_edge[head]:
            st.l_edge[head] = st.l_edge[child]
    elif child > head:
        st.prev_r[child] = st.r1[head]
        st.r1[head] = child


cdef inline void del_arc(StateC* st, int child) noexcept nogil:
    """Detach `child` from its head (the repair left-arc overwrites a right-arc this way)."""
    cdef int head = st.heads[child]
    cdef int w
    if head >= 0 and child > head:
        if st.r1[head] == child:
            st.r1[head] = st.prev_r[child]
        else:
            w = st.r1[head]
            while w >= 0 and st.prev_r[w] != child:
                w = st.prev_r[w]
            if w >= 0:
                st.prev_r[w] = st.prev_r[child]
        st.prev_r[child] = -1
    st.heads[child] = -1
    st.labels[child] = NO_LABEL


cdef inline void set_root(StateC* st, int word) noexcept nogil:
    st.heads[word] = word
    st.labels[word] = ROOT_LABEL


cdef inline int nth_left(const StateC* st, int word, int i) noexcept nogil:
    """The (i+1)-th leftmost left child of `word`, -1 if none (or `word` is -1)."""
    if word < 0:
        return -1
    cdef int w = st.l1[word]
    while i > 0 and w >= 0:
        w = st.prev_l[w]
        i -= 1
    return w


cdef inline int nth_right(const StateC* st, int word, int i) noexcept nogil:
    """The (i+1)-th rightmost right child of `word`, -1 if none (or `word` is -1)."""
    if word < 0:
        return -1
    cdef int w = st.r1[word]
    while i > 0 and w >= 0:
        w = st.prev_r[w]
        i -= 1
    return w
