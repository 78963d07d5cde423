"""PhraseMatcher: find token sequences equal to given phrase Docs, on ORTH, LOWER or another attribute.

`matcher = PhraseMatcher(vocab, attr="LOWER")`, `matcher.add("ORG", None, nlp.make_doc("google"))`
(v3: `add("ORG", [doc, ...])`), then `matcher(doc)` -> [(match_id, start, end)] as the Matcher.
Each phrase is its tuple of attribute values; the doc is scanned once: a start token whose value
begins no phrase is skipped, otherwise each phrase length's window is hashed and looked up (C
loop), and only hash hits are compared in Python.
"""

import numpy
from murmurhash.mrmr cimport hash64
from preshed.maps cimport PreshMap

from .attrs cimport attr_id_t
from .attrs import IDS, LEXICAL, NAMES
from .doc cimport Doc
from .structs cimport TokenC
from .token cimport token_get_attr
from .typedefs cimport attr_t, hash_t
from .vocab cimport Vocab

from ._match_rules import RuleMatcher

ATTRS = ("ORTH", "TEXT", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "TAG", "POS", "DEP", "LEMMA")


class PhraseMatcher(RuleMatcher):
    """Phrases (Docs) by key; matches are (match_id, start, end) with match_id the key's string id.

    `add(key, on_match, *docs)` (v2) or `add(key, [docs], on_match=None)` (v3); `len`, `in`,
    `get`, `remove` and `pipe` as the Matcher's (nlp_vocab._match_rules).
    """

    def __init__(self, Vocab vocab not None, attr="ORTH", validate: bool = True):
        """`attr` is a name (ORTH, LOWER, NORM, ...) or id; `validate` is accepted for v2 compatibility."""
        name = attr.upper() if isinstance(attr, str) else NAMES.get(attr)
        if name not in ATTRS:
            raise ValueError(f"PhraseMatcher: attr {attr!r} is not supported; use one of {', '.join(ATTRS)}")
        super().__init__(vocab)
        self.attr = IDS["ORTH" if name == "TEXT" else name]

    def _prepare(self, key, docs):
        """Each phrase's attribute values; a phrase must be a non-empty Doc with those values."""
        return [self._phrase_values(doc, f"PhraseMatcher.add({key!r}): phrase {index}")
                for index, doc in enumerate(docs)]

    def _phrase_values(self, doc, where: str):
        if not isinstance(doc, Doc):
            raise ValueError(f"{where} must be a Doc (e.g. nlp.make_doc(text)), got {type(doc).__name__}: {doc!r}")
        if len(doc) == 0:
            raise ValueError(f"{where} is an empty Doc")
        values = _values(doc, <attr_id_t>self.attr)
        if self.attr not in LEXICAL and not values.all():
            missing = int(numpy.flatnonzero(values == 0)[0])
            raise ValueError(f"{where}: token {missing} has no {NAMES[self.attr]}; with "
                             f"attr={NAMES[self.attr]!r} give phrases annotated with it")
        return values

    def _build(self, rules):
        self._phrase_index = _PhraseIndex(rules)

    def _find(self, Doc doc):
        return self._phrase_index.find(_values(doc, <attr_id_t>self.attr))


cdef class _PhraseIndex:
    """Phrases indexed by their first value and by the hash of all their values."""
    cdef PreshMap _first            # value of a phrase's first token -> 1
    cdef PreshMap _by_hash          # hash of a phrase's values -> index + 1 into _buckets
    cdef list _buckets              # [[(values tuple, key id, key order)]] per distinct hash
    cdef object _lengths            # int32 array: the distinct phrase lengths, ascending

    def find(self, values) -> list:
        """Every phrase occurrence in a doc's values: [(key id, start, end)], sorted by start,
        end and key order; hash hits are compared value by value."""
        window_values = values.tolist()
        found = set()
        for start, length, bucket in self._candidates(values):
            window = tuple(window_values[start:start + length])
            for phrase, key_id, order in self._buckets[bucket]:
                if phrase == window:
                    found.add((start, start + length, order, key_id))
        return [(key_id, start, end) for start, end, _, key_id in sorted(found)]

    def __init__(self, list rules):
        """`rules`: [(key id, key order, [uint64 arrays of phrase values])]."""
        self._first = PreshMap()
        self._by_hash = PreshMap()
        self._buckets = []
        lengths = set()
        cdef attr_t[::1] view
        cdef hash_t key
        cdef size_t bucket
        for key_id, order, phrases in rules:
            for values in phrases:
                view = values
                key = _window_hash(&view[0], len(values))
                bucket = <size_t>self._by_hash.get(key)
                if bucket == 0:
                    self._buckets.append([])
                    bucket = len(self._buckets)
                    self._by_hash.set(key, <void*>bucket)
                self._buckets[bucket - 1].append((tuple(values.tolist()), key_id, order))
                self._first.set(view[0], <void*>1)
                lengths.add(len(values))
        self._lengths = numpy.array(sorted(lengths), dtype=numpy.int32)

    def _candidates(self, values) -> list:
        """(start, length, bucket) of every window whose hash is a phrase's."""
        cdef const attr_t[::1] vals = values
        cdef const int[::1] lengths = self._lengths
        cdef int n = vals.shape[0], i, j, length
        cdef size_t bucket
        out = []
        for i in range(n):
            if self._first.get(vals[i]) == NULL:
                continue
            for j in range(lengths.shape[0]):
                length = lengths[j]
                if i + length > n:
                    break
                bucket = <size_t>self._by_hash.get(_window_hash(&vals[i], length))
                if bucket != 0:
                    out.append((i, length, bucket - 1))
        return out


cdef inline hash_t _window_hash(const attr_t* values, int length) noexcept nogil:
    """Hash of `length` attribute values; PreshMap reserves the keys 0 and 1."""
    cdef hash_t key = hash64(<void*>values, length * sizeof(attr_t), 0)
    return key + 2 if key < 2 else key


cdef object _values(Doc doc, attr_id_t attr):
    """uint64 array of one attribute's value for every token of the doc."""
    out = numpy.empty(doc.length, dtype=numpy.uint64)
    cdef attr_t[::1] view = out
    cdef int i
    for i in range(doc.length):
        view[i] = token_get_attr(&doc.c[i], attr)
    return out
