from .attrs cimport (
    attr_id_t, ORTH, LENGTH, NORM, SHAPE, PREFIX, SUFFIX, TAG, POS, MORPH, LEMMA, HEAD, DEP, ENT_IOB,
    ENT_TYPE, SENT_START, SPACY, IDX, FORM, MULTIWORD,
)
from .doc cimport Doc
from .lexeme cimport lex_get_attr
from .structs cimport LexemeC, TokenC
from .typedefs cimport attr_t


cdef inline const LexemeC* token_word_lex(const TokenC* token) noexcept nogil:
    """The lexeme of the token's word form: its own, unless it is an expanded word of another form."""
    return token.form if token.form != NULL else token.lex


cdef inline attr_t token_get_attr(const TokenC* token, attr_id_t feat_name) noexcept nogil:
    """Value of any attribute for a token; signed values (HEAD, SENT_START, MULTIWORD) wrap to
    uint64. NORM, SHAPE, PREFIX and SUFFIX (the models' features) describe the word form, the
    other lexical attributes the token's text."""
    if feat_name == TAG:
        return token.tag
    elif feat_name == POS:
        return token.pos
    elif feat_name == MORPH:
        return token.morph
    elif feat_name == LEMMA:
        return token.lemma
    elif feat_name == HEAD:
        return <attr_t>token.head
    elif feat_name == DEP:
        return token.dep
    elif feat_name == ENT_IOB:
        return <attr_t>token.ent_iob
    elif feat_name == ENT_TYPE:
        return token.ent_type
    elif feat_name == SENT_START:
        return <attr_t>token.sent_start
    elif feat_name == SPACY:
        return token.spacy
    elif feat_name == IDX:
        return <attr_t>token.idx
    elif feat_name == FORM:
        return token_word_lex(token).orth
    elif feat_name == MULTIWORD:
        return <attr_t>token.mwt
    elif feat_name == NORM or feat_name == SHAPE or feat_name == PREFIX or feat_name == SUFFIX:
        return lex_get_attr(token_word_lex(token), feat_name)
    return lex_get_attr(token.lex, feat_name)


cdef inline void token_set_attr(TokenC* token, attr_id_t feat_name, attr_t value) noexcept nogil:
    """Set a token-level attribute (lexical ones, ORTH/SPACY/IDX/FORM are not set here)."""
    if feat_name == TAG:
        token.tag = value
    elif feat_name == POS:
        token.pos = value
    elif feat_name == MORPH:
        token.morph = value
    elif feat_name == LEMMA:
        token.lemma = value
    elif feat_name == HEAD:
        token.head = <int>value
    elif feat_name == DEP:
        token.dep = value
    elif feat_name == ENT_IOB:
        token.ent_iob = <int>value
    elif feat_name == ENT_TYPE:
        token.ent_type = value
    elif feat_name == SENT_START:
        token.sent_start = <int>value
    elif feat_name == MULTIWORD:
        token.mwt = <int>value


cdef class Token:
    cdef readonly Doc doc
    cdef readonly int i

    @staticmethod
    cdef Token cinit(Doc doc, int i)

    cdef TokenC* _c(self) except NULL
