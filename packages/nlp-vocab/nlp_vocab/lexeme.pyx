"""Lexeme: a read-only view of one vocabulary entry (a word type) and its lexical attributes."""

from .attrs cimport (
    IS_ALPHA, IS_ASCII, IS_DIGIT, IS_LOWER, IS_UPPER, IS_TITLE, IS_PUNCT, IS_SPACE, IS_STOP,
    IS_BRACKET, IS_QUOTE, IS_LEFT_PUNCT, IS_RIGHT_PUNCT, IS_CURRENCY, LIKE_NUM, LIKE_URL,
    LIKE_EMAIL, attr_id_t,
)
from .attrs import intify_attr
from . import _word_vectors as wv
from .structs cimport LexemeC
from .vocab cimport Vocab


cdef class Lexeme:
    """A word type: `vocab[text]`. Attribute ids (`norm`) and strings (`norm_`) plus flags."""

    def __init__(self, Vocab vocab, orth):
        self.vocab = vocab
        self.c = vocab.get(orth) if isinstance(orth, str) else vocab.get_by_orth(int(orth))

    @staticmethod
    cdef Lexeme from_ptr(Vocab vocab, const LexemeC* lex):
        cdef Lexeme self = Lexeme.__new__(Lexeme)
        self.vocab = vocab
        self.c = lex
        return self

    def __repr__(self) -> str:
        return f"Lexeme({self.text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Lexeme) and other.vocab is self.vocab and other.orth == self.orth

    def __hash__(self) -> int:
        return hash(self.c.orth)

    def check_flag(self, flag) -> bool:
        """Value of a flag attribute given by name or id (e.g. "IS_STOP")."""
        cdef int flag_id = intify_attr(flag)
        if flag_id < IS_ALPHA or flag_id > LIKE_EMAIL:
            raise ValueError(f"{flag!r} is not a flag attribute")
        return lex_check_flag(self.c, <attr_id_t>flag_id)

    @property
    def orth(self) -> int:
        return self.c.orth

    @property
    def text(self) -> str:
        return self.vocab.strings[self.c.orth]

    @property
    def orth_(self) -> str:
        return self.vocab.strings[self.c.orth]

    @property
    def lower(self) -> int:
        return self.c.lower

    @property
    def lower_(self) -> str:
        return self.vocab.strings[self.c.lower]

    @property
    def norm(self) -> int:
        return self.c.norm

    @property
    def norm_(self) -> str:
        return self.vocab.strings[self.c.norm]

    @property
    def shape(self) -> int:
        return self.c.shape

    @property
    def shape_(self) -> str:
        return self.vocab.strings[self.c.shape]

    @property
    def prefix(self) -> int:
        return self.c.prefix

    @property
    def prefix_(self) -> str:
        return self.vocab.strings[self.c.prefix]

    @property
    def suffix(self) -> int:
        return self.c.suffix

    @property
    def suffix_(self) -> str:
        return self.vocab.strings[self.c.suffix]

    @property
    def length(self) -> int:
        return self.c.length

    @property
    def flags(self) -> int:
        return self.c.flags

    @property
    def is_alpha(self) -> bool:
        return lex_check_flag(self.c, IS_ALPHA)

    @property
    def is_ascii(self) -> bool:
        return lex_check_flag(self.c, IS_ASCII)

    @property
    def is_digit(self) -> bool:
        return lex_check_flag(self.c, IS_DIGIT)

    @property
    def is_lower(self) -> bool:
        return lex_check_flag(self.c, IS_LOWER)

    @property
    def is_upper(self) -> bool:
        return lex_check_flag(self.c, IS_UPPER)

    @property
    def is_title(self) -> bool:
        return lex_check_flag(self.c, IS_TITLE)

    @property
    def is_punct(self) -> bool:
        return lex_check_flag(self.c, IS_PUNCT)

    @property
    def is_space(self) -> bool:
        return lex_check_flag(self.c, IS_SPACE)

    @property
    def is_stop(self) -> bool:
        return lex_check_flag(self.c, IS_STOP)

    @property
    def is_bracket(self) -> bool:
        return lex_check_flag(self.c, IS_BRACKET)

    @property
    def is_quote(self) -> bool:
        return lex_check_flag(self.c, IS_QUOTE)

    @property
    def is_left_punct(self) -> bool:
        return lex_check_flag(self.c, IS_LEFT_PUNCT)

    @property
    def is_right_punct(self) -> bool:
        return lex_check_flag(self.c, IS_RIGHT_PUNCT)

    @property
    def is_currency(self) -> bool:
        return lex_check_flag(self.c, IS_CURRENCY)

    @property
    def like_num(self) -> bool:
        return lex_check_flag(self.c, LIKE_NUM)

    @property
    def like_url(self) -> bool:
        return lex_check_flag(self.c, LIKE_URL)

    @property
    def like_email(self) -> bool:
        return lex_check_flag(self.c, LIKE_EMAIL)

    # ---- word vectors (the vocab's table keyed by ORTH; see _word_vectors) ---------------

    def _vector_source(self):
        """The vocab and the ORTH key of this word."""
        return self.vocab, [self.c.orth]

    # v2's has_vector, vector, vector_norm and similarity(), one definition for all four
    has_vector = wv.has_vector
    vector = wv.vector
    vector_norm = wv.vector_norm
    similarity = wv.similarity_method("Lexeme")
