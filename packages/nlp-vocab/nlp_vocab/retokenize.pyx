"""Merging token spans into single tokens, keeping heads, labels, entities, entity scores and
sentence starts consistent: `with doc.retokenize() as retok: retok.merge(doc[2:4], attrs={"TAG": "NNP"})`."""

from libc.string cimport memcpy, memset

from .attrs import intify_attr
from .attrs cimport attr_id_t, TAG, POS, MORPH, LEMMA, DEP, ENT_TYPE, ENT_IOB, SENT_START, HEAD, FORM, MULTIWORD
from .doc cimport Doc
from .entity_scores import remap_entity_scores
from .multiword import drop_incomplete
from .span cimport Span
from .structs cimport TokenC
from .token cimport token_set_attr
from .typedefs cimport attr_t

_MERGE_ATTRS = frozenset((TAG, POS, MORPH, LEMMA, DEP, ENT_TYPE, ENT_IOB, SENT_START))


class Retokenizer:
    """Collects merges and applies them all when the `with` block exits without error."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.merges = []

    def __enter__(self) -> "Retokenizer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and self.merges:
            _apply_merges(self.doc, self.merges)
        self.merges = []

    def merge(self, span: Span, attrs: dict | None = None) -> None:
        """Mark `span` to become one token. `attrs` overrides the merged token's annotation
        ({"TAG": "NNP", "LEMMA": "New York", "ENT_TYPE": "GPE", ...}: names or ids, strings or ids);
        by default it keeps the annotation of the span's syntactic root."""
        if not isinstance(span, Span) or span.doc is not self.doc:
            raise ValueError(f"merge expects a Span of the retokenized Doc, got {span!r}")
        if len(span) == 0:
            raise ValueError("cannot merge an empty span")
        if span.end > len(self.doc):
            raise ValueError(
                f"merge: span {span.start}-{span.end} ends past the doc's {len(self.doc)} tokens "
                "(a Span made before an earlier retokenize)"
            )
        for other, _ in self.merges:
            if span.start < other.end and other.start < span.end:
                raise ValueError(
                    f"overlapping merges: tokens {other.start}-{other.end} ({other.text!r}) and "
                    f"{span.start}-{span.end} ({span.text!r})"
                )
        values = {}
        for key, value in (attrs or {}).items():
            attr_id = intify_attr(key)
            if attr_id not in _MERGE_ATTRS:
                raise ValueError(f"merge: attribute {key!r} cannot be set on a merged token")
            if attr_id == ENT_IOB:
                value = {"": 0, "I": 1, "O": 2, "B": 3}[value] if isinstance(value, str) else int(value)
            elif attr_id == SENT_START:
                value = 0 if value is None else (1 if value is True else (-1 if value is False else int(value)))
            elif isinstance(value, str):
                value = self.doc.vocab.strings.add(value)
            values[attr_id] = int(value) & 0xFFFFFFFFFFFFFFFF
        self.merges.append((span, values))


def _apply_merges(Doc doc, list merges) -> None:
    cdef int n = doc.length
    cdef int i, j, k, start, end, root, new_i, h
    merges = sorted(merges, key=lambda m: m[0].start)
    for span, _ in merges:
        if span.end > n:  # the doc shrank after merge() accepted the span: never index past it
            raise ValueError(f"merge: span {span.start}-{span.end} ends past the doc's {n} tokens")
    roots = [m[0].root.i for m in merges]
    # Old token index -> new token index.
    new_index = [0] * n
    span_at = {}  # new index -> (span, root, values)
    new_i = 0
    i = 0
    for (span, values), root in zip(merges, roots):
        while i < span.start:
            new_index[i] = new_i
            i += 1
            new_i += 1
        for j in range(span.start, span.end):
            new_index[j] = new_i
        span_at[new_i] = (span.start, span.end, span.text, root, values)
        i = span.end
        new_i += 1
    while i < n:
        new_index[i] = new_i
        i += 1
        new_i += 1
    cdef int new_n = new_i
    cdef TokenC* old = <TokenC*>doc.mem.alloc(n if n > 0 else 1, sizeof(TokenC))
    memcpy(old, doc.c, n * sizeof(TokenC))
    vocab = doc.vocab
    i = 0
    new_i = 0
    while i < n:
        if new_i in span_at:
            start, end, text, root, values = span_at[new_i]
            doc.c[new_i] = old[root]
            doc.c[new_i].lex = vocab.get(text)
            doc.c[new_i].form = NULL  # a merged token is a word of its own text
            doc.c[new_i].mwt = 0
            doc.c[new_i].spacy = old[end - 1].spacy
            doc.c[new_i].idx = old[start].idx
            doc.c[new_i].sent_start = old[start].sent_start
            # Entity: the first token's; else an entity that begins inside the span.
            doc.c[new_i].ent_iob = old[start].ent_iob
            doc.c[new_i].ent_type = old[start].ent_type
            if old[start].ent_iob in (0, 2):
                for k in range(start + 1, end):
                    if old[k].ent_iob == 3:
                        doc.c[new_i].ent_iob = 3
                        doc.c[new_i].ent_type = old[k].ent_type
                        break
            h = root + old[root].head
            doc.c[new_i].head = new_index[h] - new_i
            for attr_id, value in values.items():
                token_set_attr(&doc.c[new_i], <attr_id_t>attr_id, <attr_t>value)
            i = end
        else:
            doc.c[new_i] = old[i]
            h = i + old[i].head
            doc.c[new_i].head = new_index[h] - new_i
            i += 1
        new_i += 1
    # Tokens after a merged entity-internal "I" must still follow a same-type entity token.
    for i in range(1, new_n):
        if doc.c[i].ent_iob == 1 and (doc.c[i - 1].ent_iob not in (1, 3) or doc.c[i - 1].ent_type != doc.c[i].ent_type):
            doc.c[i].ent_iob = 3
    if new_n and doc.c[0].ent_iob == 1:
        doc.c[0].ent_iob = 3
    doc.mem.free(old)
    for i in range(new_n, n):
        memset(&doc.c[i], 0, sizeof(TokenC))
        doc.c[i].lex = doc.c[n].lex  # a padding token's (empty) lexeme
        doc.c[i].l_edge = i
        doc.c[i].r_edge = i
    doc.length = new_n
    doc.set_children_from_heads()
    _drop_cut_multiwords(doc)
    remap_entity_scores(doc, new_index)


def _drop_cut_multiwords(Doc doc) -> None:
    """Undo the multiword tokens a merge cut into (their words keep their text, lose their forms)."""
    cdef int i
    for i in range(doc.length):
        if doc.c[i].mwt != 0:
            break
    else:
        return
    array = doc.to_array([FORM, MULTIWORD])
    drop_incomplete(array, 0, 1)
    doc.from_array([FORM, MULTIWORD], array)
