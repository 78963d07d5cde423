"""Matcher: rule-based token patterns over a Doc, as in spaCy v2's training guide.

`matcher.add("GoogleMaps", None, [{"ORTH": "Google"}, {"ORTH": "Maps"}])` then `matcher(doc)` gives
every (match_id, start, end) that a pattern of a key matches, sorted by start, end and key order,
one per key and span. Patterns are checked in Python (nlp_vocab._token_patterns), copied into C
arrays, and run as a small NFA per start token in a nogil loop over the Doc's TokenC array.
"""

from cymem.cymem cimport Pool
from libc.stdint cimport int64_t
from libc.stdlib cimport free, qsort, realloc
from libc.string cimport memset

from .attrs cimport attr_id_t
from .doc cimport Doc
from .structs cimport TokenC
from .token cimport token_get_attr
from .typedefs cimport attr_t
from .vocab cimport Vocab

from ._match_rules import RuleMatcher
from ._token_patterns import normalize_pattern

cdef enum:  # step operators
    OP_ONE
    OP_NOT
    OP_OPT
    OP_STAR

cdef enum:  # check predicates
    P_IN
    P_NOT_IN
    P_EQ
    P_NE
    P_GE
    P_LE
    P_GT
    P_LT

_OPS = {"1": OP_ONE, "!": OP_NOT, "?": OP_OPT, "*": OP_STAR}
_PREDICATES = {"IN": P_IN, "NOT_IN": P_NOT_IN, "==": P_EQ, "!=": P_NE, ">=": P_GE, "<=": P_LE,
               ">": P_GT, "<": P_LT}


cdef struct CheckC:
    attr_id_t attr
    int predicate
    int n_values
    attr_t* values

cdef struct StepC:
    int op
    int n_checks
    CheckC* checks

cdef struct PatternC:
    StepC* steps
    int length
    int order          # position of the key among the matcher's keys (sort order)
    attr_t key

cdef struct MatchC:
    int start
    int end
    int order
    attr_t key

cdef struct MatchBuffer:
    MatchC* items
    int length
    int capacity


cdef class _Pattern:
    """One compiled pattern: its steps in memory owned by this object."""
    cdef Pool mem
    cdef StepC* steps
    cdef int length

    def __init__(self, list steps):
        self.mem = Pool()
        self.length = len(steps)
        self.steps = <StepC*>self.mem.alloc(self.length, sizeof(StepC))
        cdef int i, j, k
        cdef CheckC* check
        for i, (op, checks) in enumerate(steps):
            self.steps[i].op = _OPS[op]
            self.steps[i].n_checks = len(checks)
            self.steps[i].checks = <CheckC*>self.mem.alloc(max(1, len(checks)), sizeof(CheckC))
            for j, (attr_id, predicate, values) in enumerate(checks):
                check = &self.steps[i].checks[j]
                check.attr = <attr_id_t>attr_id
                check.predicate = _PREDICATES[predicate]
                check.n_values = len(values)
                check.values = <attr_t*>self.mem.alloc(max(1, len(values)), sizeof(attr_t))
                for k, value in enumerate(values):
                    check.values[k] = value


class Matcher(RuleMatcher):
    """Token patterns by key; `matcher(doc)` -> [(match_id, start, end)], match_id = the key's string id.

    `add(key, on_match, *patterns)` (v2) or `add(key, [patterns], on_match=None)` (v3); a bad
    pattern is one ValueError line naming the key, the pattern's index in the call and the token.
    `len`, `in`, `get`, `remove` and `pipe` work per key, as in v2 (nlp_vocab._match_rules).
    """

    def __init__(self, Vocab vocab not None, validate: bool = True):
        """`validate` is accepted for v2 compatibility: patterns are always validated."""
        super().__init__(vocab)

    def _prepare(self, key, patterns):
        return [
            _Pattern(normalize_pattern(self.vocab.strings, pattern, f"Matcher.add({key!r}): pattern {index}"))
            for index, pattern in enumerate(patterns)
        ]

    def _build(self, rules):
        self._table = _PatternTable(rules)

    def _find(self, Doc doc):
        return self._table.find(doc)


cdef class _PatternTable:
    """Every compiled pattern in one C array, with its key and key order, for `_find_all`."""
    cdef list _patterns         # the _Pattern objects that own the steps
    cdef Pool _mem
    cdef PatternC* _table
    cdef int _n_table
    cdef int _max_length

    def __init__(self, list rules):
        """`rules`: [(key id, key order, [_Pattern])]."""
        self._mem = Pool()
        patterns = [(key_id, order, p) for key_id, order, compiled in rules for p in compiled]
        self._patterns = [p for _, _, p in patterns]
        self._table = <PatternC*>self._mem.alloc(max(1, len(patterns)), sizeof(PatternC))
        self._n_table = len(patterns)
        self._max_length = 0
        cdef _Pattern pattern
        cdef int i
        for i, (key_id, order, pattern) in enumerate(patterns):
            self._table[i].steps = pattern.steps
            self._table[i].length = pattern.length
            self._table[i].order = order
            self._table[i].key = key_id
            self._max_length = max(self._max_length, pattern.length)

    def find(self, Doc doc) -> list:
        return _find_all(self._table, self._n_table, self._max_length, doc.c, doc.length)


cdef list _find_all(const PatternC* patterns, int n_patterns, int max_length, const TokenC* tokens, int n):
    """Run every pattern from every start token; sorted, de-duplicated (key, start, end) tuples."""
    cdef MatchBuffer found
    found.items = NULL
    found.length = 0
    found.capacity = 0
    cdef char* states = NULL
    cdef int s, p, i, kept = 0
    try:
        states = <char*>realloc(NULL, 2 * (max_length + 1))
        if states == NULL:
            raise MemoryError()
        with nogil:
            for s in range(n):
                for p in range(n_patterns):
                    _run_from(&patterns[p], tokens, s, n, &found, states, states + max_length + 1)
            if found.length > 1:
                qsort(found.items, found.length, sizeof(MatchC), _compare_matches)
            for i in range(found.length):
                if kept == 0 or _compare_matches(&found.items[kept - 1], &found.items[i]) != 0:
                    found.items[kept] = found.items[i]
                    kept += 1
        return [(found.items[i].key, found.items[i].start, found.items[i].end) for i in range(kept)]
    finally:
        free(states)
        free(found.items)


cdef int _run_from(const PatternC* pattern, const TokenC* tokens, int start, int n,
                   MatchBuffer* found, char* current, char* following) except -1 nogil:
    """NFA over tokens[start:]: `current[q]` says step q is reachable; record each end reaching the last."""
    cdef int length = pattern.length
    cdef int i = start, q
    cdef bint alive
    cdef char* swap
    cdef const StepC* step
    memset(current, 0, length + 1)
    _reach(current, pattern.steps, length, 0)
    while i < n:
        memset(following, 0, length + 1)
        alive = False
        for q in range(length):
            step = &pattern.steps[q]
            if current[q] and _step_accepts(step, &tokens[i]):
                alive = True
                _reach(following, pattern.steps, length, q if step.op == OP_STAR else q + 1)
        if not alive:
            break
        if following[length]:
            _push(found, start, i + 1, pattern)
        swap = current
        current = following
        following = swap
        i += 1
    return 0


cdef inline void _reach(char* states, const StepC* steps, int length, int q) noexcept nogil:
    """Mark step q reachable, and the steps after it that optional steps let us skip to."""
    while not states[q]:
        states[q] = 1
        if q == length or (steps[q].op != OP_OPT and steps[q].op != OP_STAR):
            return
        q += 1


cdef inline bint _step_accepts(const StepC* step, const TokenC* token) noexcept nogil:
    """Whether one token satisfies a step: all its checks, or not all of them for "!"."""
    cdef int c
    cdef bint ok = True
    for c in range(step.n_checks):
        if not _check_accepts(&step.checks[c], token):
            ok = False
            break
    return not ok if step.op == OP_NOT else ok


cdef inline bint _check_accepts(const CheckC* check, const TokenC* token) noexcept nogil:
    cdef attr_t value = token_get_attr(token, check.attr)
    cdef int k
    if check.predicate == P_IN or check.predicate == P_NOT_IN:
        for k in range(check.n_values):
            if check.values[k] == value:
                return check.predicate == P_IN
        return check.predicate == P_NOT_IN
    cdef int64_t have = <int64_t>value, want = <int64_t>check.values[0]
    if check.predicate == P_EQ:
        return have == want
    elif check.predicate == P_NE:
        return have != want
    elif check.predicate == P_GE:
        return have >= want
    elif check.predicate == P_LE:
        return have <= want
    elif check.predicate == P_GT:
        return have > want
    return have < want


cdef int _push(MatchBuffer* found, int start, int end, const PatternC* pattern) except -1 nogil:
    cdef MatchC* grown
    if found.length == found.capacity:
        found.capacity = 64 if found.capacity == 0 else found.capacity * 2
        grown = <MatchC*>realloc(found.items, found.capacity * sizeof(MatchC))
        if grown == NULL:
            with gil:
                raise MemoryError()
        found.items = grown
    found.items[found.length].start = start
    found.items[found.length].end = end
    found.items[found.length].order = pattern.order
    found.items[found.length].key = pattern.key
    found.length += 1
    return 0


cdef int _compare_matches(const void* a, const void* b) noexcept nogil:
    """Order by start, end, then key order; 0 means the same match of the same key."""
    cdef const MatchC* x = <const MatchC*>a
    cdef const MatchC* y = <const MatchC*>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end < y.end else 1
    if x.order != y.order:
        return -1 if x.order < y.order else 1
    return 0
