"""Span: a view of tokens [start, end) of a Doc, with an optional label (entities)."""

import numpy

from .attrs cimport ORTH, SPACY, HEAD, DEP, ENT_IOB, SENT_START, FORM, MULTIWORD
from . import _word_vectors as wv
from .doc cimport Doc
from .entity_scores import entity_scores
from .multiword import drop_incomplete
from .token cimport Token
from .typedefs cimport attr_t


cdef class Span:
    """Tokens doc[start:end]; `label` is a string id (0 = none), `label_` its string."""

    def __init__(self, Doc doc not None, int start, int end, label=0):
        if not 0 <= start <= end <= doc.length:
            raise IndexError(f"span [{start}, {end}) out of range for a doc of {doc.length} tokens")
        self.doc = doc
        self.start = start
        self.end = end
        self.label = doc.vocab.strings.add(label) if isinstance(label, str) else int(label)

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self):
        cdef int i
        for i in range(self.start, self.end):
            yield Token.cinit(self.doc, i)

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(self.end - self.start)
            if step != 1:
                raise ValueError("Span slices must have step 1")
            return Span(self.doc, self.start + start, self.start + max(start, stop))
        cdef int i = key
        if i < 0:
            i += self.end - self.start
        if i < 0 or i >= self.end - self.start:
            raise IndexError(f"token index {key} out of range for a span of {self.end - self.start} tokens")
        return Token.cinit(self.doc, self.start + i)

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        if not isinstance(other, Span):
            return False
        cdef Span o = other
        return o.doc is self.doc and o.start == self.start and o.end == self.end and o.label == self.label

    def __hash__(self) -> int:
        return hash((id(self.doc), self.start, self.end, self.label))

    @property
    def label_(self) -> str:
        return self.doc.vocab.strings[self.label]

    @property
    def score(self):
        """The confidence in [0, 1] a component gave this span as an entity of this label
        (doc.user_data["ent_scores"]: see nlp_vocab.entity_scores); None without one."""
        value = entity_scores(self.doc).get((self.start, self.end, self.label_))
        return None if value is None else float(value)

    @property
    def start_char(self) -> int:
        return self.doc.c[self.start].idx if self.end > self.start else self._empty_idx()

    @property
    def end_char(self) -> int:
        if self.end == self.start:
            return self._empty_idx()
        last = &self.doc.c[self.end - 1]
        return last.idx + last.lex.length

    def _empty_idx(self) -> int:
        if self.start < self.doc.length:
            return self.doc.c[self.start].idx
        return len(self.doc.text)

    @property
    def text(self) -> str:
        text = self.text_with_ws
        if self.end > self.start and self.doc.c[self.end - 1].spacy:
            return text[:len(text) - 1]
        return text

    @property
    def text_with_ws(self) -> str:
        return "".join(t.text_with_ws for t in self)

    @property
    def root(self) -> Token:
        """The token whose head lies outside the span (or is itself), nearest the tree's root."""
        if self.end == self.start:
            raise ValueError("an empty span has no root")
        best, best_depth = self.start, None
        cdef int i, h, depth
        for i in range(self.start, self.end):
            h = i + self.doc.c[i].head
            if self.start <= h < self.end and h != i:
                continue
            depth = 0
            while self.doc.c[h].head != 0 and depth <= self.doc.length:
                h += self.doc.c[h].head
                depth += 1
            if best_depth is None or depth < best_depth:
                best, best_depth = i, depth
        return Token.cinit(self.doc, best)

    @property
    def ents(self) -> tuple:
        """The doc's entities that lie inside this span."""
        return tuple(e for e in self.doc.ents if e.start >= self.start and e.end <= self.end)

    @property
    def sent(self):
        """The sentence containing the span's first token."""
        return self.doc[self.start].sent

    def to_array(self, attrs):
        """Rows start..end of doc.to_array(attrs)."""
        return self.doc.to_array(attrs)[self.start:self.end]

    def as_doc(self) -> Doc:
        """A new Doc with copies of the span's tokens and annotation. Heads that point outside
        the span become the token itself (a sentence root, dep "ROOT" where the dep was known);
        an entity cut at the span start begins with B; the first token starts a sentence if
        starts are known; a multiword token cut by the span is no longer one."""
        from .doc import ANNOTATION_ATTRS
        attrs = [ORTH, SPACY, *ANNOTATION_ATTRS]
        array = self.doc.to_array(attrs)[self.start:self.end].copy()
        n = self.end - self.start
        head_col, dep_col = attrs.index(HEAD), attrs.index(DEP)
        iob_col, ss_col = attrs.index(ENT_IOB), attrs.index(SENT_START)
        heads = array[:, head_col].view(numpy.int64) + numpy.arange(n)
        outside = (heads < 0) | (heads >= n)
        array[outside, head_col] = 0
        root_id = self.doc.vocab.strings.add("ROOT")
        array[outside & (array[:, dep_col] != 0), dep_col] = root_id
        if n and array[0, iob_col] == 1:
            array[0, iob_col] = 3
        if n and array[0, ss_col] != 0:
            array[0, ss_col] = 1
        drop_incomplete(array, attrs.index(FORM), attrs.index(MULTIWORD))  # a multiword token cut at an end
        doc = Doc(self.doc.vocab)
        doc._set_words_and_annotation(attrs, array)
        return doc

    # ---- word vectors (the vocab's table keyed by ORTH; see _word_vectors) ---------------

    def _vector_source(self):
        """The vocab and the ORTH keys of the span's tokens."""
        return self.doc.vocab, [self.doc.c[i].lex.orth for i in range(self.start, self.end)]

    # v2's has_vector, vector, vector_norm and similarity(), one definition for all four
    has_vector = wv.has_vector
    vector = wv.vector
    vector_norm = wv.vector_norm
    similarity = wv.similarity_method("Span")
