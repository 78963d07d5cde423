# cython: language_level=3
"""Non-monotonic arc-eager dependency parsing with sentence breaks and an exact dynamic oracle.

Moves (s0/s1: top two stack words, b0: first buffer word):
- SHIFT: push b0.
- REDUCE: pop s0. A headless s0 is first attached to s1 with the repair label (the repair of
  Honnibal, Goldberg & Johnson 2013: an earlier SHIFT should have been a RIGHT-arc). Valid with
  two or more stack words, or with one when the buffer is empty (the word becomes a root).
- L-label: attach s0 to b0 and pop it; an existing head of s0 is overwritten (the repair of a
  RIGHT-arc that should have been a SHIFT).
- R-label: attach b0 to s0 and push b0.
- BREAK: with exactly one stack word and a non-empty buffer, make s0 a root (label
  `root_label`), pop it and start a new sentence at the leftmost word of b0's subtree.
At the end of a document the stack is emptied by REDUCE; its last word becomes a root.
Roots always carry `root_label` (its arc is made by BREAK/REDUCE, never by L or R).

Cost of an action = gold arcs it makes unreachable, counting a head and its label as one point
each (a lost arc costs 2, a right head with a wrong label 1). Unknown heads or labels (-1) cost
nothing. For a projective gold tree (or any subset of one) the cost is exact: following
zero-cost actions from any state ends with every gold arc that was still reachable.
"""

from libc.stdlib cimport malloc

import numpy

from ._state cimport (INVALID_ACTION_COST, REPAIR_LABEL, ROOT_LABEL, NO_LABEL, StateC, B, S, add_arc, below,
                      del_arc, nth_left, nth_right, pop_s0, push_b0, set_root)
from .batch cimport StateBatch
from .system cimport Gold, TransitionSystem

FEATURE_NAMES = (
    "S0", "S1", "S2", "B0", "B1", "B2",
    "S0L1", "S0L2", "S0R1", "S0R2", "S1L1", "S1R1", "B0L1", "B0L2",
)
"""Parser feature slots: stack words S0-S2, buffer words B0-B2, S0's two leftmost (L1, L2) and
two rightmost (R1, R2) children, S1's leftmost and rightmost children, B0's two leftmost
children. Each slot holds a token index within the document, or -1 when empty."""


cdef class ParseGold(Gold):
    """Gold heads and labels of one document, with each word's gold children precomputed."""

    def __init__(self, heads, labels, n_labels):
        n = len(heads)
        h = numpy.asarray(heads, dtype="int32").reshape(-1)
        lab = numpy.asarray(labels, dtype="int32").reshape(-1)
        if lab.shape[0] != n:
            raise ValueError(f"make_gold: {n} heads but {lab.shape[0]} labels")
        bad = numpy.flatnonzero((h < -1) | (h >= n))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"make_gold: word {i} has head {int(h[i])}, outside -1..{n - 1}")
        bad = numpy.flatnonzero((lab < -1) | (lab >= n_labels))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"make_gold: word {i} has label id {int(lab[i])}, outside -1..{n_labels - 1}")
        lab = lab.copy()
        lab[h == numpy.arange(n)] = -1  # a root's label is always the root label
        # Gold children per word, ascending (CSR): stable sort of the non-root, known arcs.
        is_kid = (h >= 0) & (h != numpy.arange(n))
        kid_words = numpy.flatnonzero(is_kid).astype("int32")
        order = numpy.argsort(h[kid_words], kind="stable")
        kids = numpy.ascontiguousarray(kid_words[order], dtype="int32")
        counts = numpy.bincount(h[kid_words], minlength=n) if n else numpy.zeros(0, "int64")
        kid_start = numpy.zeros(n + 1, dtype="int32")
        kid_start[1:] = numpy.cumsum(counts)
        self._arrays = (numpy.ascontiguousarray(h), numpy.ascontiguousarray(lab), kids, kid_start)
        cdef const int[::1] hv = self._arrays[0]
        cdef const int[::1] lv = self._arrays[1]
        cdef const int[::1] kv = self._arrays[2]
        cdef const int[::1] sv = self._arrays[3]
        self.n = n
        self.label_bound = int(lab.max()) + 1 if n else 0
        self.c.n = n
        self.c.heads = &hv[0] if n else NULL
        self.c.labels = &lv[0] if n else NULL
        self.c.kids = &kv[0] if kv.shape[0] else NULL
        self.c.kid_start = &sv[0]
        self.ptr = &self.c

    @property
    def heads(self):
        """Gold heads as given (-1 unknown)."""
        return self._arrays[0].copy()

    @property
    def label_ids(self):
        """Gold label ids (-1 unknown or root)."""
        return self._arrays[1].copy()


cdef inline int stack_kids(const ParseGoldC* g, const StateC* st, int w) noexcept nogil:
    """Gold children of `w` that are on the stack."""
    cdef int i, c, count = 0
    for i in range(g.kid_start[w], g.kid_start[w + 1]):
        c = g.kids[i]
        if c >= st.b0:
            break
        if st.stack_pos[c] >= 0:
            count += 1
    return count


cdef inline int buffer_kids(const ParseGoldC* g, const StateC* st, int w) noexcept nogil:
    """Gold children of `w` still in the buffer."""
    cdef int i = g.kid_start[w + 1] - 1
    cdef int count = 0
    while i >= g.kid_start[w] and g.kids[i] >= st.b0:
        count += 1
        i -= 1
    return count


cdef class ArcEager(TransitionSystem):
    """Arc-eager transition system with repair moves, sentence breaks and a dynamic oracle.

    labels: dependency labels (any strings; more can be added at any time with `add_label`).
    root_label: the label every root carries ("ROOT"; use "root" for Universal Dependencies).
    repair_label: the label of an arc made by the repair REDUCE of a headless word.
    """

    def __init__(self, labels=None, root_label: str = "ROOT", repair_label: str = "dep"):
        self._labels = []
        self._label_ids = {}
        self.root_label = str(root_label)
        self.repair_label = str(repair_label)
        self.repair_id = REPAIR_LABEL
        self.nr_actions = N_FIXED
        self.nr_features = N_PARSE_FEATURES
        for label in labels or ():
            self.add_label(label)

    def __reduce__(self):
        return (ArcEager, (self.labels, self.root_label, self.repair_label))

    # ---- labels and actions --------------------------------------------------------------

    def add_label(self, name: str) -> bool:
        """Add a dependency label (and its L- and R- actions); False if already known or the
        root label (roots are labelled by BREAK / the final REDUCE)."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"add_label: a label must be a non-empty string, got {name!r}")
        if name == self.root_label or name in self._label_ids:
            return False
        self._label_ids[name] = len(self._labels)
        self._labels.append(name)
        if name == self.repair_label:
            self.repair_id = self._label_ids[name]
        self.nr_actions = N_FIXED + 2 * len(self._labels)
        self._actions_changed()
        return True

    @property
    def labels(self) -> tuple:
        """The labels, in id order (the root label is not among them)."""
        return tuple(self._labels)

    def label_id(self, name: str) -> int:
        """Id of a label; -1 for None, "" or the root label (roots carry no learned label)."""
        if name is None or name == "" or name == self.root_label:
            return -1
        try:
            return self._label_ids[name]
        except KeyError:
            raise ValueError(f"unknown label {name!r}: add it with add_label first") from None

    def label_name(self, int label_id) -> str:
        """The string of a label id as stored in a state ("" for no label)."""
        if label_id >= len(self._labels):
            raise ValueError(f"label id {label_id} out of range: the parser has {len(self._labels)} labels")
        if label_id >= 0:
            return self._labels[label_id]
        if label_id == ROOT_LABEL:
            return self.root_label
        if label_id == REPAIR_LABEL:
            return self.repair_label
        return ""

    def _action_name_list(self) -> list:
        names = ["SHIFT", "REDUCE", "BREAK"]
        for label in self._labels:
            names.append("L-" + label)
            names.append("R-" + label)
        return names

    @property
    def feature_names(self) -> tuple:
        """What each feature slot holds (see FEATURE_NAMES)."""
        return FEATURE_NAMES

    # ---- states and gold -----------------------------------------------------------------

    def init_batch(self, lengths, preset=None) -> StateBatch:
        """One initial state per document length (a document may hold many sentences: the
        parser finds them with BREAK). `preset` is accepted for symmetry and must be None."""
        if preset is not None:
            raise ValueError("ArcEager.init_batch: preset annotation is not supported")
        return StateBatch(lengths, self)

    def make_gold(self, heads, labels=None) -> ParseGold:
        """Gold for one document: absolute head per word (the word itself for a root; -1 or
        None unknown) and a label per word (string or id; None, "" or -1 unknown). A root's
        label is never compared, and `root_label` on a non-root word counts as unknown."""
        heads = [-1 if h is None else int(h) for h in heads]
        if labels is None:
            ids = [-1] * len(heads)
        else:
            ids = []
            for i, label in enumerate(labels):
                if label is None or isinstance(label, (int, numpy.integer)):
                    ids.append(-1 if label is None else int(label))
                elif label in self._label_ids:
                    ids.append(self._label_ids[label])
                elif label == "" or label == self.root_label:
                    ids.append(-1)
                else:
                    raise ValueError(
                        f"make_gold: word {i} has label {label!r}, which the parser does not know "
                        "(add it with add_label)"
                    )
        return ParseGold(heads, ids, len(self._labels))

    def _owns_gold(self, gold) -> bool:
        return isinstance(gold, ParseGold)

    def _gold_label_problem(self, gold):
        cdef int bound = (<ParseGold>gold).label_bound
        if bound > len(self._labels):
            return (f"uses label id {bound - 1}, but this parser has {len(self._labels)} labels "
                    "(a gold made by a parser with more labels)")
        return None

    def static_oracle(self, heads, labels=None) -> list:
        """Action names that build the gold tree from the initial state (2 per word)."""
        gold = self.make_gold(heads, labels)
        return self._oracle_names(self.init_batch([len(gold)]), gold)

    def get_arcs(self, StateBatch states) -> list:
        """Per document: (heads, labels, sent_starts): absolute heads (int32, -1 where no head
        yet, the word itself for a root), label strings, and a bool array of sentence starts."""
        self._check_batch(states)
        out = []
        cdef int i, w
        cdef StateC* st
        for i in range(states.size):
            st = &states.c[i]
            heads = numpy.empty(st.n, dtype="int32")
            starts = numpy.zeros(st.n, dtype="bool")
            labels = []
            for w in range(st.n):
                heads[w] = st.heads[w]
                starts[w] = st.sent_start[w]
                labels.append(self.label_name(st.labels[w]))
            out.append((heads, labels, starts))
        return out

    # ---- the C side ----------------------------------------------------------------------

    cdef int c_valid(self, const StateC* st, int action) noexcept nogil:
        cdef bint has_b = st.b0 < st.n
        if action == SHIFT:
            return has_b
        if action == REDUCE:
            return st.depth >= 2 or (st.depth == 1 and not has_b)
        if action == BREAK:
            return st.depth == 1 and has_b
        return st.depth >= 1 and has_b and action < self.nr_actions

    cdef void c_apply(self, StateC* st, int action) noexcept nogil:
        cdef int s0, label
        if action == SHIFT:
            push_b0(st)
        elif action == REDUCE:
            s0 = S(st, 0)
            if st.heads[s0] < 0:
                if st.depth >= 2:
                    add_arc(st, S(st, 1), s0, self.repair_id)
                else:
                    set_root(st, s0)
            pop_s0(st)
        elif action == BREAK:
            s0 = S(st, 0)
            set_root(st, s0)
            pop_s0(st)
            st.sent_start[st.l_edge[st.b0]] = 1
        else:
            label = (action - N_FIXED) >> 1
            if (action - N_FIXED) & 1 == 0:
                s0 = S(st, 0)
                if st.heads[s0] >= 0:
                    del_arc(st, s0)
                add_arc(st, st.b0, s0, label)
                pop_s0(st)
            else:
                add_arc(st, S(st, 0), st.b0, label)
                push_b0(st)

    cdef void c_features(self, const StateC* st, int* out) noexcept nogil:
        cdef int s0 = S(st, 0)
        cdef int s1 = S(st, 1)
        cdef int b0 = B(st, 0)
        out[0] = s0
        out[1] = s1
        out[2] = S(st, 2)
        out[3] = b0
        out[4] = B(st, 1)
        out[5] = B(st, 2)
        out[6] = nth_left(st, s0, 0)
        out[7] = nth_left(st, s0, 1)
        out[8] = nth_right(st, s0, 0)
        out[9] = nth_right(st, s0, 1)
        out[10] = nth_left(st, s1, 0)
        out[11] = nth_right(st, s1, 0)
        out[12] = nth_left(st, b0, 0)
        out[13] = nth_left(st, b0, 1)

    cdef void move_costs(self, const StateC* st, const ParseGoldC* g, MoveCosts* mc) noexcept nogil:
        """Label-free costs of the five move types (-1: invalid); see the module docstring."""
        cdef int s0 = S(st, 0)
        cdef int b0 = B(st, 0)
        cdef int c, gh, gl
        mc.shift = mc.reduce = mc.brk = mc.left = mc.right = -1
        mc.left_label = mc.right_label = -1
        if b0 >= 0:
            # SHIFT and RIGHT both put b0 on the stack: stack words headed by b0 lose their head;
            # b0 loses its own if its head is deeper in the stack or it is a root.
            c = 2 * stack_kids(g, st, b0)
            gh = g.heads[b0]
            if gh >= 0:
                if gh == b0:
                    if st.depth > 0:
                        c += 2
                elif gh != s0 and gh < b0 and st.stack_pos[gh] >= 0:
                    c += 2
            mc.shift = c
            if st.depth > 0 and self.nr_actions > N_FIXED:
                mc.right = c
            if gh >= 0 and gh == s0:
                gl = g.labels[b0]
                if gl >= 0:
                    mc.right_label = gl
                    if gl != self.repair_id:
                        mc.shift += 1  # only the repair REDUCE can attach it now
        if s0 >= 0:
            gh = g.heads[s0]
            c = 2 * buffer_kids(g, st, s0)
            if gh >= st.b0 and gh != s0:
                c += 2
            if st.depth >= 2 or b0 < 0:
                mc.reduce = c
            if st.depth == 1 and b0 >= 0:
                mc.brk = c
            if b0 >= 0 and self.nr_actions > N_FIXED:
                c = 2 * buffer_kids(g, st, s0)
                if gh >= 0:
                    if gh == b0:
                        mc.left_label = g.labels[s0]
                    elif gh > b0:
                        c += 2
                    elif gh == s0:
                        if st.depth == 1:
                            c += 2
                    elif gh == below(st, s0):
                        c += 1
                        gl = g.labels[s0]
                        if gl < 0:
                            c += 1
                        elif st.heads[s0] >= 0:
                            c += st.labels[s0] == gl
                        else:
                            c += gl == self.repair_id
                mc.left = c

    cdef void c_costs(self, StateC* st, const void* gold, float* out) noexcept nogil:
        cdef MoveCosts mc
        cdef int a, label
        cdef float inv = INVALID_ACTION_COST
        cdef int n_labels = (self.nr_actions - N_FIXED) >> 1
        self.move_costs(st, <const ParseGoldC*>gold, &mc)
        out[SHIFT] = mc.shift if mc.shift >= 0 else inv
        out[REDUCE] = mc.reduce if mc.reduce >= 0 else inv
        out[BREAK] = mc.brk if mc.brk >= 0 else inv
        for label in range(n_labels):
            a = N_FIXED + 2 * label
            if mc.left < 0:
                out[a] = inv
            else:
                out[a] = mc.left + (mc.left_label >= 0 and label != mc.left_label)
            if mc.right < 0:
                out[a + 1] = inv
            else:
                out[a + 1] = mc.right + (mc.right_label >= 0 and label != mc.right_label)

    cdef int c_oracle(self, StateC* st, const void* gold) noexcept nogil:
        """Canonical zero-cost action: a gold LEFT or RIGHT arc, else REDUCE, BREAK, SHIFT;
        where nothing is free (after wrong moves) the cheapest valid action."""
        cdef MoveCosts mc
        cdef const ParseGoldC* g = <const ParseGoldC*>gold
        self.move_costs(st, g, &mc)
        cdef int s0 = S(st, 0)
        cdef int b0 = B(st, 0)
        cdef int label
        if mc.left == 0 and g.heads[s0] == b0:
            label = mc.left_label if mc.left_label >= 0 else 0
            return N_FIXED + 2 * label
        if mc.right == 0 and s0 >= 0 and g.heads[b0] == s0:
            label = mc.right_label if mc.right_label >= 0 else 0
            return N_FIXED + 2 * label + 1
        if mc.reduce == 0:
            return REDUCE
        if mc.brk == 0:
            return BREAK
        if mc.shift == 0:
            return SHIFT
        # Nothing free: the cheapest valid move (labels as the gold wants them).
        cdef int best = -1
        cdef int best_cost = 1 << 30
        if mc.reduce >= 0 and mc.reduce < best_cost:
            best, best_cost = REDUCE, mc.reduce
        if mc.brk >= 0 and mc.brk < best_cost:
            best, best_cost = BREAK, mc.brk
        if mc.shift >= 0 and mc.shift < best_cost:
            best, best_cost = SHIFT, mc.shift
        if mc.left >= 0 and mc.left < best_cost:
            label = mc.left_label if mc.left_label >= 0 else 0
            best, best_cost = N_FIXED + 2 * label, mc.left
        if mc.right >= 0 and mc.right < best_cost:
            label = mc.right_label if mc.right_label >= 0 else 0
            best, best_cost = N_FIXED + 2 * label + 1, mc.right
        return best
