"""Doc: a sequence of tokens stored as a C array of TokenC, with Token and Span views.

Annotation conventions: tag/pos/morph/lemma/dep 0 = unknown; head is a relative offset (0 =
self); a token with head self and dep 0 has an unknown head; ent_iob 0 = unknown, 1 I, 2 O, 3 B;
sent_start 1 = starts a sentence, -1 = does not, 0 = unknown.
"""

from pathlib import Path

import numpy
from cymem.cymem cimport Pool
from libc.string cimport memcpy, memset
from libc.stdint cimport int64_t, uint64_t

from .attrs cimport (
    attr_id_t, ORTH, SPACY, IDX, LENGTH, TAG, POS, MORPH, LEMMA, HEAD, DEP, ENT_IOB, ENT_TYPE,
    SENT_START, FORM, MULTIWORD,
)
from .attrs import IDS, NAMES, intify_attr
from . import _msgpack
from ._string_keys import distinct_keys
from . import _word_vectors as wv
from .entity_scores import keep_entity_scores
from .multiword import expand_words, group_problem
from .lexeme cimport lex_get_attr
from .span cimport Span
from .structs cimport LexemeC, TokenC
from .token cimport Token, token_get_attr, token_set_attr
from .typedefs cimport attr_t
from .strings cimport StringStore
from .vocab cimport Vocab

# The lexeme of the padding tokens: all ids 0, no flags (static storage is zero-initialised).
cdef LexemeC EMPTY_LEXEME

IOB_STRINGS = ("", "I", "O", "B")
# Attributes that a Doc's annotation consists of (used by to_bytes, DocBin, as_doc, retokenize),
# with the word forms and grouping of expanded multiword tokens (FORM, MULTIWORD).
ANNOTATION_ATTRS = (TAG, POS, MORPH, LEMMA, HEAD, DEP, ENT_IOB, ENT_TYPE, SENT_START, FORM, MULTIWORD)
# Token-level attributes that from_array can set (ORTH and SPACY rebuild the words).
_SETTABLE = frozenset(ANNOTATION_ATTRS)
# Attributes whose values are StringStore keys.
STRING_ATTRS = frozenset((ORTH, TAG, POS, MORPH, LEMMA, DEP, ENT_TYPE, FORM))
_ANNOTATION_NAMES = {
    "TAG": TAG, "POS": POS, "MORPH": MORPH, "LEMMA": LEMMA, "HEAD": HEAD, "DEP": DEP,
    "ENT_IOB": ENT_IOB, "ENT_TYPE": ENT_TYPE, "SENT_START": SENT_START,
}


cdef class Doc:
    """A tokenized text with its annotation. `Doc(vocab, words=["Hello", "!"], spaces=[False, False])`.

    `spaces[i]` says whether word i is followed by a single space (default True for every word).
    Annotation may be given per word too (None or "" = unknown): tags, pos, morphs, lemmas, deps
    (strings), heads (absolute indices), sent_starts (True/False/None) and ents (IOB strings
    "B-PER", "I-PER", "O"; "" or None = unknown).

    `multiword_tokens`: (first word, last word, surface form) of each multiword token (0-based,
    inclusive, in order), as CoNLL-U's range lines. Words that do not spell their surface form
    ("al" = "a" + "el") become tokens holding pieces of it ("a", "l") with their word forms
    (`Token.form_`), so the text stays the text; see nlp_vocab.multiword.
    """

    def __init__(self, Vocab vocab not None, words=None, spaces=None, *, user_data=None,
                 tags=None, pos=None, morphs=None, lemmas=None, heads=None, deps=None,
                 sent_starts=None, ents=None, multiword_tokens=None):
        self.vocab = vocab
        self.mem = Pool()
        self.length = 0
        self.max_length = 0
        self.c = NULL
        self.cats = {}
        self.user_data = {} if user_data is None else dict(user_data)
        self.tensor = None
        n_words = 0 if words is None else len(words)
        self._resize(max(n_words, 8))
        if words is None:
            if spaces is not None:
                raise ValueError("Doc: spaces given without words")
            return
        if spaces is None:
            spaces = [True] * n_words
        elif len(spaces) != n_words:
            raise ValueError(f"Doc: {n_words} words but {len(spaces)} spaces; give one bool per word")
        for i, word in enumerate(words):
            if type(word) is not str:
                raise TypeError(f"Doc: word {i} is not a str: {word!r}")
            if not word:
                raise ValueError(f"Doc: word {i} is the empty string")
        forms = None
        if multiword_tokens:
            words, spaces, forms, groups = expand_words(words, spaces, multiword_tokens)
        for word, space in zip(words, spaces):
            self.push_back(vocab.get(word), bool(space))
        if forms is not None:
            self._set_multiwords(forms, groups)
        annotation = {"tags": tags, "pos": pos, "morphs": morphs, "lemmas": lemmas,
                      "heads": heads, "deps": deps, "sent_starts": sent_starts, "ents": ents}
        if any(values is not None for values in annotation.values()):
            self._set_annotation_lists(annotation)

    def _set_multiwords(self, list forms, list groups) -> None:
        """Give each token its word form (None: its text) and MULTIWORD value."""
        cdef int i
        for i in range(self.length):
            self.c[i].form = NULL if forms[i] is None else self.vocab.get(forms[i])
            self.c[i].mwt = groups[i]

    def _set_annotation_lists(self, dict annotation) -> None:
        """Validate the per-word annotation lists of __init__ and set them with one from_array."""
        n = self.length
        strings = self.vocab.strings
        attr_ids = []
        columns = []
        for name, attr_id in (("tags", TAG), ("pos", POS), ("morphs", MORPH), ("lemmas", LEMMA), ("deps", DEP)):
            values = annotation[name]
            if values is None:
                continue
            if len(values) != n:
                raise ValueError(f"Doc: {n} words but {len(values)} {name}")
            column = []
            for i, value in enumerate(values):
                if value is None or value == "":
                    column.append(0)
                elif isinstance(value, str):
                    column.append(strings.add(value))
                else:
                    raise TypeError(f"Doc: {name}[{i}] is not a str: {value!r}")
            attr_ids.append(attr_id)
            columns.append(column)
        heads = annotation["heads"]
        if heads is not None:
            if len(heads) != n:
                raise ValueError(f"Doc: {n} words but {len(heads)} heads")
            column = []
            for i, head in enumerate(heads):
                if head is None:
                    column.append(0)
                elif not 0 <= head < n:
                    raise ValueError(f"Doc: heads[{i}] = {head} is outside the doc (0-{n - 1})")
                else:
                    column.append(int(head) - i)
            attr_ids.append(HEAD)
            columns.append(column)
        sent_starts = annotation["sent_starts"]
        if sent_starts is not None:
            if len(sent_starts) != n:
                raise ValueError(f"Doc: {n} words but {len(sent_starts)} sent_starts")
            attr_ids.append(SENT_START)
            columns.append([0 if v is None else (1 if v else -1) for v in sent_starts])
        ents = annotation["ents"]
        if ents is not None:
            if len(ents) != n:
                raise ValueError(f"Doc: {n} words but {len(ents)} ents")
            iobs, types = [], []
            for i, tag in enumerate(ents):
                if tag is None or tag == "":
                    iobs.append(0)
                    types.append(0)
                elif tag == "O":
                    iobs.append(2)
                    types.append(0)
                elif len(tag) > 2 and tag[:2] in ("B-", "I-"):
                    # wraparound is off in this module: index the previous token explicitly
                    iob = 3 if tag[0] == "B" or i == 0 or iobs[i - 1] not in (1, 3) or types[i - 1] != strings.add(tag[2:]) else 1
                    iobs.append(iob)
                    types.append(strings.add(tag[2:]))
                else:
                    raise ValueError(f"Doc: ents[{i}] = {tag!r} is not an IOB tag ('B-X', 'I-X', 'O' or '')")
            attr_ids.extend([ENT_IOB, ENT_TYPE])
            columns.extend([iobs, types])
        mask = 0xFFFFFFFFFFFFFFFF  # signed offsets (HEAD, SENT_START) as two's complement
        array = numpy.array([[v & mask for v in column] for column in columns], dtype=numpy.uint64)
        array = numpy.ascontiguousarray(array.T.reshape((n, len(attr_ids))))
        self.from_array(attr_ids, array)

    cdef int _resize(self, int new_max) except -1:
        """Grow the token array to hold `new_max` tokens plus padding on both sides."""
        cdef int total = new_max + 2 * PADDING
        cdef TokenC* block = <TokenC*>self.mem.alloc(total, sizeof(TokenC))
        cdef int i
        for i in range(total):
            block[i].lex = &EMPTY_LEXEME
            block[i].l_edge = i - PADDING
            block[i].r_edge = i - PADDING
        if self.c != NULL:
            memcpy(&block[PADDING], self.c, self.length * sizeof(TokenC))
            self.mem.free(self.c - PADDING)
        self.c = block + PADDING
        self.max_length = new_max
        return 0

    cdef int push_back(self, const LexemeC* lex, bint has_space) except -1:
        """Append a token for `lex`; its character offset follows the previous token."""
        if self.length == self.max_length:
            self._resize(self.max_length * 2 if self.max_length > 0 else 8)
        cdef TokenC* token = &self.c[self.length]
        memset(token, 0, sizeof(TokenC))
        token.lex = lex
        token.spacy = has_space
        if self.length > 0:
            token.idx = self.c[self.length - 1].idx + self.c[self.length - 1].lex.length + self.c[self.length - 1].spacy
        token.l_edge = self.length
        token.r_edge = self.length
        self.length += 1
        return 0

    cdef int set_children_from_heads(self) except -1:
        """Recompute l_kids, r_kids, l_edge and r_edge from the heads (after heads change)."""
        cdef TokenC* c = self.c
        cdef int n = self.length
        cdef int i, h, changed
        with nogil:
            for i in range(n):
                c[i].l_kids = 0
                c[i].r_kids = 0
                c[i].l_edge = i
                c[i].r_edge = i
            for i in range(n):
                h = i + c[i].head
                if h < i:
                    c[h].r_kids += 1
                elif h > i:
                    c[h].l_kids += 1
            # Propagate edges up the tree until stable (passes <= tree depth; bounded for cycles).
            changed = 1
            while changed:
                changed = 0
                for i in range(n):
                    h = i + c[i].head
                    if h == i:
                        continue
                    if c[i].l_edge < c[h].l_edge:
                        c[h].l_edge = c[i].l_edge
                        changed = 1
                    if c[i].r_edge > c[h].r_edge:
                        c[h].r_edge = c[i].r_edge
                        changed = 1
        self.edges_stale = False
        return 0

    cdef int ensure_edges(self) except -1:
        """Recompute children counts and edges if heads were set one token at a time."""
        if self.edges_stale:
            self.set_children_from_heads()
        return 0

    # ---- sequence protocol -------------------------------------------------------------

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, key):
        """doc[i] -> Token (negative i counts from the end); doc[a:b] -> Span."""
        if isinstance(key, slice):
            start, stop, step = key.indices(self.length)
            if step != 1:
                raise ValueError("Doc slices must have step 1")
            return Span(self, start, max(start, stop))
        cdef int i = key
        if i < 0:
            i += self.length
        if i < 0 or i >= self.length:
            raise IndexError(f"token index {key} out of range for a doc of {self.length} tokens")
        return Token.cinit(self, i)

    def __iter__(self):
        cdef int i
        for i in range(self.length):
            yield Token.cinit(self, i)

    def __repr__(self) -> str:
        return f"Doc({self.text!r})"

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):
        return (_doc_from_bytes, (self.vocab, self.to_bytes()))

    @property
    def text(self) -> str:
        return self.text_with_ws

    @property
    def text_with_ws(self) -> str:
        strings = self.vocab.strings
        cdef int i
        parts = []
        for i in range(self.length):
            parts.append(strings[self.c[i].lex.orth])
            if self.c[i].spacy:
                parts.append(" ")
        return "".join(parts)

    @property
    def words(self) -> list:
        """The token texts, in order."""
        strings = self.vocab.strings
        return [strings[self.c[i].lex.orth] for i in range(self.length)]

    @property
    def spaces(self) -> list:
        """For each token, whether a space follows it."""
        return [bool(self.c[i].spacy) for i in range(self.length)]

    @property
    def forms(self) -> list:
        """The word forms, in order: each token's text, except for the words of an expanded
        multiword token that do not spell their piece of it ("el" for the "l" of "al")."""
        strings = self.vocab.strings
        return [strings[self.c[i].form.orth if self.c[i].form != NULL else self.c[i].lex.orth]
                for i in range(self.length)]

    @property
    def multiword_tokens(self) -> tuple:
        """The expanded multiword tokens, as Spans of their words (`span.text` is the surface
        form, `span.start_char`/`end_char` its characters)."""
        cdef int i = 0
        out = []
        while i < self.length:
            if self.c[i].mwt >= 2:
                out.append(Span(self, i, i + self.c[i].mwt))
                i += self.c[i].mwt
            else:
                i += 1
        return tuple(out)

    # ---- annotation queries ---------------------------------------------------------------

    def has_annotation(self, attr) -> bool:
        """Whether any token has a known value for a token-level attribute (e.g. "TAG", "DEP",
        "HEAD", "ENT_IOB", "SENT_START"); "IS_SENT_START" and "ENT_TYPE" are accepted too."""
        if isinstance(attr, str) and attr.upper() == "IS_SENT_START":
            attr = "SENT_START"
        cdef int attr_id = intify_attr(attr)
        cdef int i
        cdef const TokenC* t
        for i in range(self.length):
            t = &self.c[i]
            if attr_id == HEAD:
                if t.head != 0 or t.dep != 0:
                    return True
            elif attr_id == ENT_TYPE:
                if t.ent_type != 0:
                    return True
            elif token_get_attr(t, <attr_id_t>attr_id) != 0:
                return True
        return False

    # ---- arrays ------------------------------------------------------------------------

    def to_array(self, attrs):
        """uint64 array of shape (len(doc), len(attrs)); 1D when `attrs` is one name or id.

        HEAD is the relative offset and SENT_START/ENT_IOB small signed ints, stored
        two's-complement (view the column as int64 to read them signed)."""
        single = isinstance(attrs, (str, int))
        attr_ids = [intify_attr(attrs)] if single else [intify_attr(a) for a in attrs]
        cdef int n_attr = len(attr_ids)
        output = numpy.zeros((self.length, n_attr), dtype=numpy.uint64)
        cdef uint64_t[:, ::1] out = output
        cdef const uint64_t[::1] ids = numpy.asarray(attr_ids, dtype=numpy.uint64)
        with nogil:
            _attribute_rows(self.c, self.length, ids, out, 0)
        return output[:, 0] if single else output

    def from_array(self, attrs, array):
        """Set token-level attributes (TAG, POS, MORPH, LEMMA, HEAD, DEP, ENT_IOB, ENT_TYPE,
        SENT_START, FORM, MULTIWORD) from an array shaped like to_array's. Lexical columns (ORTH,
        SPACY, ...) must match the doc's tokens if given. Heads must point inside the doc; a FORM
        of 0 is the token's text; MULTIWORD groups must be whole (nlp_vocab.multiword). Setting
        ENT_IOB or ENT_TYPE drops the scores of spans no longer entities (a DocBin or from_bytes
        sets its columns without this method, then its scores)."""
        single = isinstance(attrs, (str, int))
        attr_ids = [intify_attr(attrs)] if single else [intify_attr(a) for a in attrs]
        values = numpy.asarray(array)
        if values.ndim == 1:
            values = values.reshape((-1, 1))
        if values.ndim != 2 or values.shape[1] != len(attr_ids):
            raise ValueError(f"from_array: array shape {numpy.asarray(array).shape} does not match {len(attr_ids)} attributes")
        if values.shape[0] != self.length:
            raise ValueError(f"from_array: array has {values.shape[0]} rows but the doc has {self.length} tokens")
        if values.dtype.kind not in "iub":
            raise ValueError(f"from_array: array must hold integers, got dtype {values.dtype}")
        values = numpy.ascontiguousarray(values, dtype=numpy.uint64)  # negatives wrap (HEAD)
        for col, attr_id in enumerate(attr_ids):
            if attr_id not in _SETTABLE:
                expected = self.to_array([attr_id])[:, 0]
                if not numpy.array_equal(expected, values[:, col]):
                    raise ValueError(f"from_array: column {NAMES[attr_id]} does not match the doc's tokens (lexical attributes cannot be set)")
        self._set_columns(attr_ids, values)
        if ENT_IOB in attr_ids or ENT_TYPE in attr_ids:
            keep_entity_scores(self)
        return self

    cdef int _set_columns(self, list attr_ids, const uint64_t[:, ::1] vals) except -1:
        """Check, then set, the settable columns of `vals` (one row per token; other columns are
        skipped): from_array's work, without its Python-level cost per column (a Doc rebuilt from
        a DocBin or from bytes sets eleven columns, most of them zeros)."""
        cdef int col, i
        cdef attr_id_t attr
        if vals.shape[0] != self.length or vals.shape[1] != len(attr_ids):
            raise ValueError(f"Doc: {vals.shape[0]}x{vals.shape[1]} annotation array for {self.length} tokens and {len(attr_ids)} attributes")
        settable = [(col, attr_id) for col, attr_id in enumerate(attr_ids) if attr_id in _SETTABLE]
        for col, attr_id in settable:
            _validate_column(self, vals, col, attr_id)
            if attr_id == MULTIWORD:
                self._check_multiword_column(vals, col)
        for col, attr_id in settable:
            attr = <attr_id_t>attr_id
            if attr == FORM:
                self._set_forms(vals, col)
            else:
                with nogil:
                    for i in range(self.length):
                        token_set_attr(&self.c[i], attr, vals[i, col])
        if HEAD in attr_ids:
            self.set_children_from_heads()
        return 0

    cdef int _check_multiword_column(self, const uint64_t[:, ::1] vals, int col) except -1:
        """ValueError unless the MULTIWORD values make whole groups with no space inside."""
        cdef int i, d
        for i in range(self.length):
            if vals[i, col] != 0:
                break
        else:
            return 0  # no multiword token: the usual case, checked without leaving C
        signed = numpy.asarray(vals[:, col]).view(numpy.int64)
        problem = group_problem(signed.tolist())
        if problem is not None:
            raise ValueError(f"from_array: {problem}")
        for i in range(self.length):
            if signed[i] >= 2:
                for d in range(i, i + signed[i] - 1):
                    if self.c[d].spacy:
                        raise ValueError(f"from_array: token {d} is followed by a space inside a multiword token")
        return 0

    cdef int _set_forms(self, const uint64_t[:, ::1] vals, int col) except -1:
        """Point each token at the lexeme of its FORM (no lexeme when 0 or its own text)."""
        cdef int i
        cdef attr_t value
        for i in range(self.length):
            value = vals[i, col]
            if value == 0 or value == self.c[i].lex.orth:
                self.c[i].form = NULL
            else:
                self.c[i].form = self.vocab.get_by_orth(value)
        return 0

    # ---- entities, sentences, spans ---------------------------------------------------

    @property
    def ents(self) -> tuple:
        """The named entities, as labelled Spans (from ENT_IOB/ENT_TYPE)."""
        out = []
        cdef int i, start = -1
        cdef attr_t label = 0
        for i in range(self.length):
            iob = self.c[i].ent_iob
            if start >= 0 and (iob != 1 or self.c[i].ent_type != label):
                out.append(Span(self, start, i, label))
                start = -1
            if iob == 3 or (iob == 1 and start < 0 and self.c[i].ent_type != 0):
                start = i
                label = self.c[i].ent_type
        if start >= 0:
            out.append(Span(self, start, self.length, label))
        return tuple(out)

    @ents.setter
    def ents(self, ents):
        self.set_ents(ents, default="outside")

    def set_ents(self, ents, *, missing=(), default: str = "outside") -> None:
        """Set entities from Spans or (label, start, end) tuples; tokens in `missing` spans become
        unknown; other tokens become "O" (default="outside"), unknown ("missing") or stay as they
        are ("unmodified"). Overlapping or unlabelled entities raise ValueError. The entity scores
        of spans no longer entities are dropped (nlp_vocab.entity_scores)."""
        if default not in ("outside", "missing", "unmodified"):
            raise ValueError(f"set_ents: default must be 'outside', 'missing' or 'unmodified', got {default!r}")
        spans = sorted((self._as_triple(ent) for ent in ents), key=lambda s: (s[1], s[2]))
        for prev, cur in zip(spans, spans[1:]):
            if cur[1] < prev[2]:
                raise ValueError(
                    f"overlapping entities: {self._describe(prev)} and {self._describe(cur)}"
                )
        for label, start, end in spans:
            if label == 0:
                raise ValueError(f"entity {self._describe((label, start, end))} has no label")
        cdef int i
        if default != "unmodified":
            for i in range(self.length):
                self.c[i].ent_iob = 2 if default == "outside" else 0
                self.c[i].ent_type = 0
        for span in missing:
            _, start, end = self._as_triple(span, need_label=False)
            for i in range(start, end):
                self.c[i].ent_iob = 0
                self.c[i].ent_type = 0
        for label, start, end in spans:
            for i in range(start, end):
                self.c[i].ent_iob = 3 if i == start else 1
                self.c[i].ent_type = label
        # An "I" right after a replaced region must not continue a different entity.
        for i in range(self.length):
            if self.c[i].ent_iob == 1 and (i == 0 or self.c[i - 1].ent_iob not in (1, 3) or self.c[i - 1].ent_type != self.c[i].ent_type):
                self.c[i].ent_iob = 3
        keep_entity_scores(self)

    def _as_triple(self, ent, need_label: bool = True):
        if isinstance(ent, Span):
            if ent.doc is not self:
                raise ValueError(f"entity span {ent!r} belongs to another Doc")
            return (ent.label, ent.start, ent.end)
        try:
            label, start, end = ent
        except (TypeError, ValueError):
            raise TypeError(f"entities must be Spans or (label, start, end) tuples, got {ent!r}") from None
        shown = label
        if isinstance(label, str):
            label = self.vocab.strings.add(label)
        start, end = int(start), int(end)
        if not 0 <= start < end <= self.length:
            raise ValueError(f"entity ({shown!r}, {start}, {end}) is out of range for a doc of {self.length} tokens")
        return (int(label), start, end)

    def _describe(self, triple) -> str:
        label, start, end = triple
        text = Span(self, start, end).text
        label_str = self.vocab.strings[label] if label in self.vocab.strings else str(label)
        return f"{label_str!r} tokens {start}-{end} ({text!r})"

    @property
    def sents(self):
        """Sentence Spans: from sentence starts if any are known, otherwise from the parse."""
        cdef int i, start
        if self.length == 0:
            return
        if self.has_annotation("SENT_START"):
            start = 0
            for i in range(1, self.length):
                if self.c[i].sent_start == 1:
                    yield Span(self, start, i)
                    start = i
            yield Span(self, start, self.length)
        elif self.has_annotation("DEP"):
            self.ensure_edges()
            starts = sorted({self.c[i].l_edge for i in range(self.length) if self.c[i].head == 0} | {0})
            for a, b in zip(starts, starts[1:] + [self.length]):
                yield Span(self, a, b)
        else:
            raise ValueError("Doc.sents: no sentence boundaries (no SENT_START and no parse)")

    def char_span(self, int start_idx, int end_idx, label=None):
        """The Span covering characters [start_idx, end_idx), or None when either end is not a
        token boundary."""
        cdef int i, start = -1, end = -1
        for i in range(self.length):
            if self.c[i].idx == start_idx:
                start = i
            if self.c[i].idx + self.c[i].lex.length == end_idx:
                end = i + 1
                break
        if start < 0 or end < 0 or end <= start:
            return None
        return Span(self, start, end, label=label if label is not None else 0)

    def retokenize(self):
        """Context manager for merging token spans: `with doc.retokenize() as r: r.merge(span)`."""
        from .retokenize import Retokenizer
        return Retokenizer(self)

    # ---- serialization ---------------------------------------------------------------

    def to_bytes(self, *, store_user_data: bool = True) -> bytes:
        """msgpack of the text, the attribute array (ORTH, SPACY + annotation), the strings it
        uses and cats (and user_data, when msgpack-serializable and asked for)."""
        attrs = [ORTH, SPACY, *ANNOTATION_ATTRS]
        array = storable_arrays([self], attrs)[0]
        msg = {
            "text": self.text,
            "attrs": [NAMES[a] for a in attrs],
            "array": array.tobytes(),
            "length": self.length,
            "strings": self._strings_in(array, attrs),
            "cats": dict(self.cats),
        }
        if store_user_data and self.user_data:
            msg["user_data"] = self.user_data
        return _msgpack.dumps(msg)

    def _strings_in(self, array, attrs) -> list:
        strings = self.vocab.strings
        columns = [col for col, attr in enumerate(attrs) if attr in STRING_ATTRS]
        keys = distinct_keys(array[:, columns]).tolist()  # sorted, every string column at once
        return [strings[k] for k in keys if k != 0]

    def from_bytes(self, data: bytes):
        """Replace this doc's tokens and annotation by what to_bytes wrote."""
        msg = _msgpack.loads(data)
        if not isinstance(msg, dict) or "array" not in msg or "attrs" not in msg:
            raise ValueError("Doc.from_bytes: data is not a serialized Doc")
        for string in msg["strings"]:
            self.vocab.strings.add(string)
        attrs = [IDS[name] for name in msg["attrs"]]
        array = numpy.frombuffer(msg["array"], dtype=numpy.uint64).reshape((msg["length"], len(attrs)))
        self._reset()
        self._set_words_and_annotation(attrs, array)
        self.cats = dict(msg.get("cats", {}))
        self.user_data = dict(msg.get("user_data", {}))
        if self.text != msg["text"]:
            raise ValueError("Doc.from_bytes: rebuilt text differs from the stored text (corrupt data)")
        return self

    def _reset(self) -> None:
        cdef int i
        for i in range(-PADDING, self.length + PADDING):
            memset(&self.c[i], 0, sizeof(TokenC))
            self.c[i].lex = &EMPTY_LEXEME
            self.c[i].l_edge = i
            self.c[i].r_edge = i
        self.length = 0

    def _set_words_and_annotation(self, attrs, array) -> None:
        """Push the tokens of the ORTH and SPACY columns, then set the other columns."""
        array = numpy.ascontiguousarray(array, dtype=numpy.uint64)
        cdef const uint64_t[:, ::1] vals = array
        cdef int orth_col = attrs.index(ORTH)
        cdef int spacy_col = attrs.index(SPACY) if SPACY in attrs else -1
        cdef int i, n = vals.shape[0]
        if n > self.max_length:
            self._resize(n)
        for i in range(n):
            self.push_back(
                self.vocab.get_by_orth(vals[i, orth_col]),
                True if spacy_col < 0 else vals[i, spacy_col] != 0,
            )
        self._set_columns(list(attrs), vals)

    def copy(self):
        """An independent Doc with the same tokens, annotation, cats and user data."""
        return _doc_from_bytes(self.vocab, self.to_bytes())

    def to_disk(self, path) -> None:
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path):
        path = Path(path)
        try:
            return self.from_bytes(path.read_bytes())
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None

    # ---- word vectors (the vocab's table keyed by ORTH; see _word_vectors) ---------------

    def _vector_source(self):
        """The vocab and the ORTH keys of the doc's tokens."""
        return self.vocab, self.to_array(ORTH).tolist()

    # v2's has_vector, vector, vector_norm and similarity(), one definition for all four
    has_vector = wv.has_vector
    vector = wv.vector
    vector_norm = wv.vector_norm
    similarity = wv.similarity_method("Doc")


def storable_arrays(docs, attrs):
    """(array, lengths): each doc's to_array(attrs), one under the other (a batch in one call,
    for DocBin), with a FORM that is the token's own text stored as 0 (a column of zeros but for
    expanded words, which compresses; from_array reads 0 as the text); and the docs' lengths."""
    cdef Doc doc
    attrs = [intify_attr(a) for a in attrs]
    lengths = [(<Doc?>doc).length for doc in docs]
    output = numpy.zeros((sum(lengths), len(attrs)), dtype=numpy.uint64)
    cdef uint64_t[:, ::1] out = output
    cdef const uint64_t[::1] ids = numpy.asarray(attrs, dtype=numpy.uint64)
    cdef int row = 0
    for doc in docs:
        with nogil:
            _attribute_rows(doc.c, doc.length, ids, out, row)
        row += doc.length
    if FORM in attrs and ORTH in attrs:
        form, orth = output[:, attrs.index(FORM)], output[:, attrs.index(ORTH)]
        form[form == orth] = 0
    return output, lengths


cdef void _attribute_rows(const TokenC* tokens, int n, const uint64_t[::1] ids, uint64_t[:, ::1] out,
                          int row) noexcept nogil:
    """Write the attributes `ids` of the `n` tokens into `out`'s rows from `row` on: the C loop
    of to_array and storable_arrays."""
    cdef int i, j
    for i in range(n):
        for j in range(ids.shape[0]):
            out[row + i, j] = token_get_attr(&tokens[i], <attr_id_t>ids[j])


cdef int _validate_column(Doc doc, const uint64_t[:, ::1] vals, int col, int attr_id) except -1:
    """Check one column for from_array: heads inside the doc, IOB and sentence-start codes in
    range, string ids known to the StringStore (a C loop; errors name the token)."""
    cdef dict known = doc.vocab.strings._by_key
    cdef int i, n = doc.length
    cdef int64_t signed
    cdef uint64_t value, last_ok = 0
    for i in range(n):
        value = vals[i, col]
        if attr_id == HEAD:
            signed = <int64_t>value
            if signed < -i or signed >= n - i:
                raise ValueError(f"from_array: token {i} has head offset {signed} pointing outside the doc")
        elif attr_id == ENT_IOB:
            if value > 3:
                raise ValueError(f"from_array: token {i} has ENT_IOB {value} (expected 0-3)")
        elif attr_id == SENT_START:
            signed = <int64_t>value
            if signed < -1 or signed > 1:
                raise ValueError(f"from_array: token {i} has SENT_START {signed} (expected -1, 0 or 1)")
        elif attr_id == MULTIWORD:
            continue  # checked as a whole: Doc._check_multiword_column
        elif value != 0 and value != last_ok:
            if value not in known:
                raise ValueError(f"from_array: {NAMES[attr_id]} value {value} of token {i} is not in the StringStore")
            last_ok = value
    return 0


def _doc_from_bytes(Vocab vocab, bytes data):
    return Doc(vocab).from_bytes(data)
