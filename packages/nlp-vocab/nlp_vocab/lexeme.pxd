from .attrs cimport attr_id_t, IS_ALPHA, LIKE_EMAIL, ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, LENGTH
from .structs cimport LexemeC
from .typedefs cimport attr_t, flags_t
from .vocab cimport Vocab


cdef inline bint lex_check_flag(const LexemeC* lex, attr_id_t flag_id) noexcept nogil:
    return (lex.flags >> (<flags_t>flag_id)) & 1


cdef inline attr_t lex_get_attr(const LexemeC* lex, attr_id_t feat_name) noexcept nogil:
    """Value of a lexical attribute (flags as 0/1); 0 for non-lexical attributes."""
    if feat_name >= IS_ALPHA and feat_name <= LIKE_EMAIL:
        return lex_check_flag(lex, feat_name)
    elif feat_name == ORTH:
        return lex.orth
    elif feat_name == LOWER:
        return lex.lower
    elif feat_name == NORM:
        return lex.norm
    elif feat_name == SHAPE:
        return lex.shape
    elif feat_name == PREFIX:
        return lex.prefix
    elif feat_name == SUFFIX:
        return lex.suffix
    elif feat_name == LENGTH:
        return lex.length
    return 0


cdef class Lexeme:
    cdef const LexemeC* c
    cdef readonly Vocab vocab

    @staticmethod
    cdef Lexeme from_ptr(Vocab vocab, const LexemeC* lex)
