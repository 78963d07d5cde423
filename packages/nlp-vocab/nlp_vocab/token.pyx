"""Token: a view of one token of a Doc (`doc[i]`); reads and writes the Doc's C array."""

from .attrs cimport (
    IS_ALPHA, IS_ASCII, IS_DIGIT, IS_LOWER, IS_UPPER, IS_TITLE, IS_PUNCT, IS_SPACE, IS_STOP,
    IS_BRACKET, IS_QUOTE, IS_LEFT_PUNCT, IS_RIGHT_PUNCT, IS_CURRENCY, LIKE_NUM, LIKE_URL,
    LIKE_EMAIL,
)
from .attrs import intify_attr
from . import _word_vectors as wv
from .doc cimport Doc
from .lexeme cimport Lexeme, lex_check_flag
from .span cimport Span
from .structs cimport TokenC
from .typedefs cimport attr_t

_IOB_STRINGS = ("", "I", "O", "B")
_IOB_IDS = {"": 0, "I": 1, "O": 2, "B": 3}


cdef class Token:
    """One token of a Doc. String attributes end in `_` (`tag_`); ids without it (`tag`)."""

    def __init__(self, Doc doc not None, int i):
        if i < 0 or i >= doc.length:
            raise IndexError(f"token index {i} out of range for a doc of {doc.length} tokens")
        self.doc = doc
        self.i = i

    @staticmethod
    cdef Token cinit(Doc doc, int i):
        cdef Token self = Token.__new__(Token)
        self.doc = doc
        self.i = i
        return self

    cdef TokenC* _c(self) except NULL:
        # A Token made before a retokenize may point past the shortened doc: raise, not read.
        if self.i >= self.doc.length:
            raise IndexError(f"token {self.i} no longer exists: the doc has {self.doc.length} tokens "
                             "(it was retokenized after this Token was made)")
        return &self.doc.c[self.i]

    def __len__(self) -> int:
        return self._c().lex.length

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        return isinstance(other, Token) and (<Token>other).doc is self.doc and (<Token>other).i == self.i

    def __hash__(self) -> int:
        return hash((id(self.doc), self.i))

    def _string(self, attr_t key) -> str:
        return self.doc.vocab.strings[key]

    def _intern(self, value) -> attr_t:
        if isinstance(value, str):
            return self.doc.vocab.strings.add(value)
        if value is None:
            return 0
        return int(value)

    def check_flag(self, flag) -> bool:
        """Value of a lexical flag by name or id (e.g. "IS_PUNCT")."""
        return self.lex.check_flag(flag)

    # ---- text and position --------------------------------------------------------------

    @property
    def lex(self) -> Lexeme:
        return Lexeme.from_ptr(self.doc.vocab, self._c().lex)

    @property
    def text(self) -> str:
        return self.doc.vocab.strings[self._c().lex.orth]

    @property
    def orth_(self) -> str:
        return self.text

    @property
    def orth(self) -> int:
        return self._c().lex.orth

    @property
    def text_with_ws(self) -> str:
        return self.text + (" " if self._c().spacy else "")

    @property
    def whitespace_(self) -> str:
        return " " if self._c().spacy else ""

    @property
    def idx(self) -> int:
        return self._c().idx

    # ---- the word (an expanded multiword token's words differ from their text) ------------

    @property
    def form(self) -> int:
        """The id of the word form (see form_)."""
        return token_word_lex(self._c()).orth

    @property
    def form_(self) -> str:
        """The word form: the text, except for a word of an expanded multiword token that
        does not spell its piece of it ("el" for the "l" of "al" = "a" + "el")."""
        return self._string(token_word_lex(self._c()).orth)

    @property
    def multiword(self):
        """The Span of the expanded multiword token this word belongs to (its text is the
        surface form, start_char/end_char its characters), or None."""
        cdef TokenC* t = self._c()
        if t.mwt == 0:
            return None
        cdef int first = self.i + t.mwt if t.mwt < 0 else self.i  # the others hold -(distance)
        return Span(self.doc, first, first + self.doc.c[first].mwt)

    # ---- lexical attributes (NORM, SHAPE, PREFIX, SUFFIX: of the word form) ---------------

    @property
    def lower(self) -> int:
        return self._c().lex.lower

    @property
    def lower_(self) -> str:
        return self._string(self._c().lex.lower)

    @property
    def norm(self) -> int:
        return token_word_lex(self._c()).norm

    @property
    def norm_(self) -> str:
        return self._string(token_word_lex(self._c()).norm)

    @property
    def shape(self) -> int:
        return token_word_lex(self._c()).shape

    @property
    def shape_(self) -> str:
        return self._string(token_word_lex(self._c()).shape)

    @property
    def prefix(self) -> int:
        return token_word_lex(self._c()).prefix

    @property
    def prefix_(self) -> str:
        return self._string(token_word_lex(self._c()).prefix)

    @property
    def suffix(self) -> int:
        return token_word_lex(self._c()).suffix

    @property
    def suffix_(self) -> str:
        return self._string(token_word_lex(self._c()).suffix)

    @property
    def length(self) -> int:
        return self._c().lex.length

    @property
    def is_alpha(self) -> bool:
        return lex_check_flag(self._c().lex, IS_ALPHA)

    @property
    def is_ascii(self) -> bool:
        return lex_check_flag(self._c().lex, IS_ASCII)

    @property
    def is_digit(self) -> bool:
        return lex_check_flag(self._c().lex, IS_DIGIT)

    @property
    def is_lower(self) -> bool:
        return lex_check_flag(self._c().lex, IS_LOWER)

    @property
    def is_upper(self) -> bool:
        return lex_check_flag(self._c().lex, IS_UPPER)

    @property
    def is_title(self) -> bool:
        return lex_check_flag(self._c().lex, IS_TITLE)

    @property
    def is_punct(self) -> bool:
        return lex_check_flag(self._c().lex, IS_PUNCT)

    @property
    def is_space(self) -> bool:
        return lex_check_flag(self._c().lex, IS_SPACE)

    @property
    def is_stop(self) -> bool:
        return lex_check_flag(self._c().lex, IS_STOP)

    @property
    def is_bracket(self) -> bool:
        return lex_check_flag(self._c().lex, IS_BRACKET)

    @property
    def is_quote(self) -> bool:
        return lex_check_flag(self._c().lex, IS_QUOTE)

    @property
    def is_left_punct(self) -> bool:
        return lex_check_flag(self._c().lex, IS_LEFT_PUNCT)

    @property
    def is_right_punct(self) -> bool:
        return lex_check_flag(self._c().lex, IS_RIGHT_PUNCT)

    @property
    def is_currency(self) -> bool:
        return lex_check_flag(self._c().lex, IS_CURRENCY)

    @property
    def like_num(self) -> bool:
        return lex_check_flag(self._c().lex, LIKE_NUM)

    @property
    def like_url(self) -> bool:
        return lex_check_flag(self._c().lex, LIKE_URL)

    @property
    def like_email(self) -> bool:
        return lex_check_flag(self._c().lex, LIKE_EMAIL)

    # ---- token-level annotation ---------------------------------------------------------

    @property
    def tag(self) -> int:
        return self._c().tag

    @tag.setter
    def tag(self, value):
        self._c().tag = self._intern(value)

    @property
    def tag_(self) -> str:
        return self._string(self._c().tag)

    @tag_.setter
    def tag_(self, str value):
        self._c().tag = self._intern(value)

    @property
    def pos(self) -> int:
        return self._c().pos

    @pos.setter
    def pos(self, value):
        self._c().pos = self._intern(value)

    @property
    def pos_(self) -> str:
        return self._string(self._c().pos)

    @pos_.setter
    def pos_(self, str value):
        self._c().pos = self._intern(value)

    @property
    def morph(self) -> int:
        return self._c().morph

    @morph.setter
    def morph(self, value):
        self._c().morph = self._intern(value)

    @property
    def morph_(self) -> str:
        return self._string(self._c().morph)

    @morph_.setter
    def morph_(self, str value):
        self._c().morph = self._intern(value)

    @property
    def lemma(self) -> int:
        return self._c().lemma

    @lemma.setter
    def lemma(self, value):
        self._c().lemma = self._intern(value)

    @property
    def lemma_(self) -> str:
        return self._string(self._c().lemma)

    @lemma_.setter
    def lemma_(self, str value):
        self._c().lemma = self._intern(value)

    @property
    def dep(self) -> int:
        return self._c().dep

    @dep.setter
    def dep(self, value):
        self._c().dep = self._intern(value)

    @property
    def dep_(self) -> str:
        return self._string(self._c().dep)

    @dep_.setter
    def dep_(self, str value):
        self._c().dep = self._intern(value)

    @property
    def ent_type(self) -> int:
        return self._c().ent_type

    @ent_type.setter
    def ent_type(self, value):
        self._set_ent_type(self._intern(value))

    @property
    def ent_type_(self) -> str:
        return self._string(self._c().ent_type)

    @ent_type_.setter
    def ent_type_(self, str value):
        self._set_ent_type(self._intern(value))

    def _set_ent_type(self, attr_t label) -> None:
        cdef TokenC* t = self._c()
        t.ent_type = label
        if label != 0 and t.ent_iob in (0, 2):
            t.ent_iob = 3
        elif label == 0 and t.ent_iob in (1, 3):
            t.ent_iob = 2

    @property
    def ent_iob(self) -> int:
        """0 unknown, 1 I, 2 O, 3 B."""
        return self._c().ent_iob

    @property
    def ent_iob_(self) -> str:
        """"B", "I", "O", or "" when unknown."""
        return _IOB_STRINGS[self._c().ent_iob]

    @ent_iob_.setter
    def ent_iob_(self, str value):
        if value not in _IOB_IDS:
            raise ValueError(f"ent_iob_ must be 'B', 'I', 'O' or '', got {value!r}")
        cdef TokenC* t = self._c()
        t.ent_iob = _IOB_IDS[value]
        if value in ("O", ""):
            t.ent_type = 0

    @property
    def is_sent_start(self):
        """True / False, or None when unknown."""
        cdef int value = self._c().sent_start
        return None if value == 0 else value == 1

    @is_sent_start.setter
    def is_sent_start(self, value):
        self._c().sent_start = 0 if value is None else (1 if value else -1)

    @property
    def sent_start(self) -> int:
        return self._c().sent_start

    # ---- syntax --------------------------------------------------------------------------

    @property
    def head(self) -> "Token":
        return Token.cinit(self.doc, self.i + self._c().head)

    @head.setter
    def head(self, Token new_head):
        if new_head.doc is not self.doc:
            raise ValueError("Token.head: the new head belongs to another Doc")
        new_head._c()  # raises if the new head is a stale token past the doc's end
        self._c().head = new_head.i - self.i
        self.doc.edges_stale = True  # recomputed on the next tree query (cheap bulk updates)

    @property
    def children(self):
        """Tokens whose head is this token, left to right."""
        self.doc.ensure_edges()
        cdef TokenC* t = self._c()
        cdef int j
        for j in range(t.l_edge, t.r_edge + 1):
            if j != self.i and j + self.doc.c[j].head == self.i:
                yield Token.cinit(self.doc, j)

    @property
    def lefts(self):
        for child in self.children:
            if child.i < self.i:
                yield child

    @property
    def rights(self):
        for child in self.children:
            if child.i > self.i:
                yield child

    @property
    def n_lefts(self) -> int:
        self.doc.ensure_edges()
        return self._c().l_kids

    @property
    def n_rights(self) -> int:
        self.doc.ensure_edges()
        return self._c().r_kids

    @property
    def left_edge(self) -> "Token":
        self.doc.ensure_edges()
        return Token.cinit(self.doc, self._c().l_edge)

    @property
    def right_edge(self) -> "Token":
        self.doc.ensure_edges()
        return Token.cinit(self.doc, self._c().r_edge)

    @property
    def subtree(self):
        """This token and its descendants, in text order. Iterative (each token in the edges'
        range walks up its heads, at most len(doc) steps), so a very deep tree or a cycle made
        through `head` cannot exhaust the C stack as a recursion over children would."""
        self.doc.ensure_edges()
        cdef Doc doc = self.doc
        cdef int me = self.i
        cdef int start = self._c().l_edge
        cdef int end = self._c().r_edge
        cdef int j, h, steps
        for j in range(start, end + 1):
            if j >= doc.length:  # the doc was retokenized while this generator was paused
                return
            h = j
            steps = 0
            while h != me and doc.c[h].head != 0 and steps < doc.length:
                h += doc.c[h].head
                steps += 1
            if h == me:
                yield Token.cinit(doc, j)

    @property
    def ancestors(self):
        """Head, head's head, ... up to the root (stops on a cycle)."""
        self._c()  # raises for a stale token
        cdef int i = self.i
        cdef int steps = 0
        while self.doc.c[i].head != 0 and steps < self.doc.length:
            i += self.doc.c[i].head
            steps += 1
            yield Token.cinit(self.doc, i)

    def is_ancestor(self, Token descendant) -> bool:
        return any(t.i == self.i for t in descendant.ancestors)

    @property
    def sent(self) -> Span:
        """The sentence Span containing this token."""
        for sent in self.doc.sents:
            if sent.start <= self.i < sent.end:
                return sent

    # ---- word vectors (the vocab's table keyed by ORTH; see _word_vectors) ---------------

    def _vector_source(self):
        """The vocab and the ORTH key of this token's text."""
        return self.doc.vocab, [self._c().lex.orth]

    # v2's has_vector, vector, vector_norm and similarity(), one definition for all four
    has_vector = wv.has_vector
    vector = wv.vector
    vector_norm = wv.vector_norm
    similarity = wv.similarity_method("Token")
