# cython: language_level=3
"""BILUO entity recognition as a transition system, with an exact oracle under missing gold.

Each action tags the first buffer word and moves on: O (outside), B-label (opens an entity),
I-label (continues the open entity), L-label (closes it), U-label (a one-word entity).
Validity keeps every sequence completable: I and L need an open entity of their label, B and I
need a next word in the same sentence, nothing crosses a sentence start, and a preset (forced)
action on a word is the only valid one there.

Cost of an action = how much it raises the fewest wrongly tagged words any completion can reach,
counting only words whose gold tag is known. It is computed exactly by a small dynamic program
over (word, open entity label) that respects the same validity rules, done once per state and
gold and cached in the state. So an unknown word costs nothing by itself, and a move costs
something only where it conflicts with the known part of the gold.
"""

from libc.stdlib cimport free, malloc

import numpy

from ._state cimport INVALID_ACTION_COST, StateC
from .batch cimport StateBatch
from .system cimport Gold, TransitionSystem

FEATURE_NAMES = ("B0", "B1", "B2", "B0-1", "B0-2", "E0")
"""Entity feature slots: the first three buffer words, the two words before B0, and the first
word of the open entity (-1 when none is open). Token indices within the document."""

MOVES = "BILU"
cdef int BIG = 1 << 28
cdef long long _next_serial = 0


cdef inline int open_state(const StateC* st) noexcept nogil:
    """0 when no entity is open, else 1 + the open entity's label."""
    return st.ent_label + 1 if st.ent_start >= 0 else 0


cdef inline bint forced_inside(int action) noexcept nogil:
    """Whether a preset `action` needs an entity open before it (I or L)."""
    return action >= 1 and ((action - 1) & 3) in (IN, LAST)


cdef inline bint ner_ok(const StateC* st, int i, int s, int a) noexcept nogil:
    """Whether action `a` may tag word `i` when open state is `s` (see open_state)."""
    if i >= st.n:
        return False
    if st.preset[i] >= 0 and st.preset[i] != a:
        return False
    cdef bint cont = i + 1 < st.n and not st.sent_start[i + 1]
    cdef int nxt = st.preset[i + 1] if i + 1 < st.n else -1
    if a == OUT:
        return s == 0 and not forced_inside(nxt)
    cdef int label = (a - 1) >> 2
    cdef int move = (a - 1) & 3
    if move == BEGIN:
        return s == 0 and cont and (nxt < 0 or nxt == a + 1 or nxt == a + 2)
    if move == IN:
        return s == label + 1 and cont and (nxt < 0 or nxt == a or nxt == a + 1)
    if move == LAST:
        return s == label + 1 and not forced_inside(nxt)
    return s == 0 and not forced_inside(nxt)


cdef inline int next_open(int s, int a) noexcept nogil:
    if a == OUT:
        return 0
    cdef int move = (a - 1) & 3
    if move == BEGIN:
        return ((a - 1) >> 2) + 1
    if move == IN:
        return s
    return 0


cdef class NerGold(Gold):
    """Gold BILUO action ids of one document (-1 where unknown)."""

    def __init__(self, tag_ids):
        global _next_serial
        self._array = numpy.ascontiguousarray(tag_ids, dtype="int32")
        cdef const int[::1] view = self._array
        _next_serial += 1
        self.n = view.shape[0]
        self.c.n = self.n
        self.c.serial = _next_serial
        self.c.tags = &view[0] if self.n else NULL
        self.ptr = &self.c

    @property
    def tag_ids(self):
        return self._array.copy()


cdef class BiluoPushDown(TransitionSystem):
    """BILUO entity transition system; `labels` are entity types (add more with add_label)."""

    def __init__(self, labels=None):
        self._labels = []
        self._label_ids = {}
        self.nr_actions = 1
        self.nr_features = N_NER_FEATURES
        for label in labels or ():
            self.add_label(label)

    def __reduce__(self):
        return (BiluoPushDown, (self.labels,))

    def add_label(self, name: str) -> bool:
        """Add an entity type (its B, I, L, U actions); False if already known."""
        if not isinstance(name, str) or not name or name == "O" or name == "-":
            raise ValueError(f"add_label: an entity label must be a non-empty string, got {name!r}")
        if name in self._label_ids:
            return False
        self._label_ids[name] = len(self._labels)
        self._labels.append(name)
        self.nr_actions = 1 + 4 * len(self._labels)
        self._actions_changed()
        return True

    @property
    def labels(self) -> tuple:
        return tuple(self._labels)

    @property
    def feature_names(self) -> tuple:
        return FEATURE_NAMES

    def _action_name_list(self) -> list:
        names = ["O"]
        for label in self._labels:
            names.extend(f"{m}-{label}" for m in MOVES)
        return names

    def tag_id(self, tag, where: str = "") -> int:
        """Action id of a BILUO tag ("O", "B-PER", ...); -1 for an unknown tag (None, "-", "")."""
        if tag is None or tag == "-" or tag == "":
            return -1
        if isinstance(tag, (int, numpy.integer)):
            if not -1 <= tag < self.nr_actions:
                raise ValueError(f"{where}tag id {tag} out of range")
            return int(tag)
        if tag == "O":
            return OUT
        move, sep, label = str(tag).partition("-")
        if not sep or move not in MOVES or len(move) != 1:
            raise ValueError(f"{where}{tag!r} is not a BILUO tag (O, B-X, I-X, L-X, U-X or '-')")
        if label not in self._label_ids:
            raise ValueError(f"{where}entity label {label!r} is unknown (add it with add_label)")
        return 1 + 4 * self._label_ids[label] + MOVES.index(move)

    def make_gold(self, tags) -> NerGold:
        """Gold for one document from its BILUO tags (None, "-" or "" where unknown). Known
        neighbours must be consistent (an I or L follows a B or I of its label)."""
        ids = [self.tag_id(t, f"make_gold: word {i}: ") for i, t in enumerate(tags)]
        self._check_sequence(ids, None, "make_gold")
        return NerGold(ids)

    def _check_sequence(self, ids, starts, where) -> None:
        """Known adjacent tags (and sentence starts, if given) must form valid BILUO."""
        n = len(ids)
        for i, a in enumerate(ids):
            if a < 0:
                continue
            inside = a >= 1 and (a - 1) % 4 in (IN, LAST)
            opens = a >= 1 and (a - 1) % 4 in (BEGIN, IN)
            label = (a - 1) // 4
            if inside:
                prev = ids[i - 1] if i > 0 else None
                if i == 0 or (starts is not None and starts[i]):
                    raise ValueError(f"{where}: word {i}: {self.action_names[a]} starts a sentence")
                if prev is not None and prev >= 0 and not (prev >= 1 and (prev - 1) // 4 == label
                                                           and (prev - 1) % 4 in (BEGIN, IN)):
                    raise ValueError(
                        f"{where}: word {i}: {self.action_names[a]} follows {self.action_names[prev]}"
                    )
                if starts is not None and (prev is None or prev < 0):
                    raise ValueError(f"{where}: word {i}: {self.action_names[a]} follows a free word")
            if opens:
                nxt = ids[i + 1] if i + 1 < n else None
                if i + 1 >= n or (starts is not None and starts[i + 1]):
                    raise ValueError(
                        f"{where}: word {i}: {self.action_names[a]} ends a sentence or the document"
                    )
                if starts is not None and (nxt is None or nxt < 0):
                    raise ValueError(f"{where}: word {i}: {self.action_names[a]} precedes a free word")

    def _owns_gold(self, gold) -> bool:
        return isinstance(gold, NerGold)

    def _label_name(self, int label) -> str:
        """The entity type of a label id held by a state (checked: list indexing is unchecked
        in this build)."""
        if not 0 <= label < len(self._labels):
            raise ValueError(f"entity label id {label} out of range: the system has {len(self._labels)} labels")
        return self._labels[label]

    # ---- states --------------------------------------------------------------------------

    def init_batch(self, lengths, preset=None, sent_starts=None) -> StateBatch:
        """One initial state per document. `preset`: per document None or a tag per word
        (None/"-" where free) that forces those words' actions; `sent_starts`: per document
        None or booleans marking sentence starts (no entity crosses one)."""
        lengths = list(lengths)
        # Indexed by a C int below, where list indexing is unchecked: lengths must agree first.
        if sent_starts is not None:
            sent_starts = list(sent_starts)
            if len(sent_starts) != len(lengths):
                raise ValueError(f"init_batch: {len(sent_starts)} sent_starts for {len(lengths)} documents")
        if preset is not None:
            preset = list(preset)
            if len(preset) != len(lengths):
                raise ValueError(f"init_batch: {len(preset)} presets for {len(lengths)} documents")
        states = StateBatch(lengths, self)
        cdef StateC* st
        cdef int d, w
        for d in range(len(lengths)):
            st = &states.c[d]
            starts = None
            if sent_starts is not None and sent_starts[d] is not None:
                starts = [bool(x) for x in sent_starts[d]]
                if len(starts) != st.n:
                    raise ValueError(f"init_batch: document {d}: {len(starts)} sentence starts for {st.n} words")
                for w in range(st.n):
                    st.sent_start[w] = 1 if (w == 0 or starts[w]) else 0
            if preset is not None and preset[d] is not None:
                tags = list(preset[d])
                if len(tags) != st.n:
                    raise ValueError(f"init_batch: document {d}: {len(tags)} preset tags for {st.n} words")
                ids = [self.tag_id(t, f"init_batch: document {d}, word {i}: ") for i, t in enumerate(tags)]
                check_starts = [bool(st.sent_start[w]) for w in range(st.n)]
                self._check_sequence(ids, check_starts, f"init_batch: preset of document {d}")
                for w in range(st.n):
                    st.preset[w] = ids[w]
        return states

    def static_oracle(self, tags, preset=None, sent_starts=None) -> list:
        """Action names that tag a document as its gold BILUO tags say (cheapest where they
        are unknown or conflict with presets or sentence starts)."""
        gold = self.make_gold(tags)
        state = self.init_state(len(gold), preset=preset, sent_starts=sent_starts)
        return self._oracle_names(state, gold)

    def get_entities(self, StateBatch states) -> list:
        """Per document: the closed entities as (start, end, label), end exclusive."""
        self._check_batch(states)
        out = []
        cdef int i, e
        cdef StateC* st
        for i in range(states.size):
            st = &states.c[i]
            out.append([(st.ent_starts[e], st.ent_ends[e], self._label_name(st.ent_labels[e]))
                        for e in range(st.n_ents)])
        return out

    def get_tags(self, StateBatch states) -> list:
        """Per document: the BILUO tag of every word tagged so far ("" for the rest)."""
        out = []
        for (start_end_labels, n) in zip(self.get_entities(states), states.lengths):
            tags = ["O"] * int(n)
            for start, end, label in start_end_labels:
                if end - start == 1:
                    tags[start] = f"U-{label}"
                else:
                    tags[start] = f"B-{label}"
                    for k in range(start + 1, end - 1):
                        tags[k] = f"I-{label}"
                    tags[end - 1] = f"L-{label}"
            out.append(tags)
        cdef int i, w
        cdef StateC* st
        for i in range(states.size):
            st = &states.c[i]
            if st.ent_start >= 0:
                out[i][st.ent_start] = f"B-{self._label_name(st.ent_label)}"
                for w in range(st.ent_start + 1, st.b0):
                    out[i][w] = f"I-{self._label_name(st.ent_label)}"
            for w in range(st.b0, st.n):
                out[i][w] = ""
        return out

    # ---- the C side ----------------------------------------------------------------------

    cdef int c_valid(self, const StateC* st, int action) noexcept nogil:
        if action < 0 or action >= self.nr_actions:
            return 0
        return ner_ok(st, st.b0, open_state(st), action)

    cdef void c_apply(self, StateC* st, int action) noexcept nogil:
        cdef int move, label
        cdef int w = st.b0
        if action != OUT:
            label = (action - 1) >> 2
            move = (action - 1) & 3
            if move == BEGIN:
                st.ent_start = w
                st.ent_label = label
            elif move == LAST:
                st.ent_starts[st.n_ents] = st.ent_start
                st.ent_ends[st.n_ents] = w + 1
                st.ent_labels[st.n_ents] = label
                st.n_ents += 1
                st.ent_start = -1
                st.ent_label = -1
            elif move == UNIT:
                st.ent_starts[st.n_ents] = w
                st.ent_ends[st.n_ents] = w + 1
                st.ent_labels[st.n_ents] = label
                st.n_ents += 1
        st.b0 += 1

    cdef void c_features(self, const StateC* st, int* out) noexcept nogil:
        cdef int i, b0 = st.b0
        if b0 >= st.n:
            for i in range(N_NER_FEATURES):
                out[i] = -1
            return
        out[0] = b0
        out[1] = b0 + 1 if b0 + 1 < st.n else -1
        out[2] = b0 + 2 if b0 + 2 < st.n else -1
        out[3] = b0 - 1
        out[4] = b0 - 2 if b0 >= 2 else -1
        out[5] = st.ent_start

    cdef int fill_table(self, StateC* st, const NerGoldC* g) noexcept nogil:
        """Fill st.dp[i * W + s]: fewest wrong known tags from word i with open state s."""
        cdef int width = 1 + ((self.nr_actions - 1) >> 2)
        cdef int i, s, a, best, cost, n_act = self.nr_actions
        if st.dp != NULL and st.dp_key == g.serial and st.dp_width == width:
            return 0
        if st.dp != NULL:
            free(st.dp)
        st.dp = <int*>malloc((st.n + 1) * width * sizeof(int))
        if st.dp == NULL:
            return -1
        st.dp_key = g.serial
        st.dp_width = width
        for s in range(width):
            st.dp[st.n * width + s] = 0 if s == 0 else BIG
        i = st.n - 1
        while i >= 0:
            for s in range(width):
                best = BIG
                if s == 0:
                    for a in range(n_act):
                        if (a == OUT or ((a - 1) & 3) in (BEGIN, UNIT)) and ner_ok(st, i, s, a):
                            cost = (g.tags[i] >= 0 and g.tags[i] != a) + st.dp[(i + 1) * width + next_open(s, a)]
                            if cost < best:
                                best = cost
                else:
                    for a in range(1 + 4 * (s - 1) + IN, 1 + 4 * (s - 1) + LAST + 1):
                        if ner_ok(st, i, s, a):
                            cost = (g.tags[i] >= 0 and g.tags[i] != a) + st.dp[(i + 1) * width + next_open(s, a)]
                            if cost < best:
                                best = cost
                st.dp[i * width + s] = best if best < BIG else BIG
            i -= 1
        return 0

    cdef void c_costs(self, StateC* st, const void* gold, float* out) noexcept nogil:
        cdef const NerGoldC* g = <const NerGoldC*>gold
        cdef int a, s, width, here, w = st.b0
        for a in range(self.nr_actions):
            out[a] = INVALID_ACTION_COST
        if w >= st.n or self.fill_table(st, g) != 0:
            return
        width = st.dp_width
        s = open_state(st)
        here = st.dp[w * width + s]
        for a in range(self.nr_actions):
            if ner_ok(st, w, s, a):
                out[a] = (g.tags[w] >= 0 and g.tags[w] != a) + st.dp[(w + 1) * width + next_open(s, a)] - here

    cdef int c_oracle(self, StateC* st, const void* gold) noexcept nogil:
        """The gold tag when it is free, else the first free action, else the cheapest."""
        cdef const NerGoldC* g = <const NerGoldC*>gold
        cdef int a, s, width, cost, best = -1, best_cost = BIG, w = st.b0
        if w >= st.n or self.fill_table(st, g) != 0:
            return -1
        width = st.dp_width
        s = open_state(st)
        for a in range(self.nr_actions):
            if ner_ok(st, w, s, a):
                cost = (g.tags[w] >= 0 and g.tags[w] != a) + st.dp[(w + 1) * width + next_open(s, a)]
                if cost < best_cost or (cost == best_cost and a == g.tags[w]):
                    best, best_cost = a, cost
        return best
