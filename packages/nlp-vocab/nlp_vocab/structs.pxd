# C structs behind Lexeme and Token. See nlp_vocab.attrs for the flag bits.
from .typedefs cimport attr_t, flags_t


cdef struct LexemeC:
    attr_t orth
    attr_t lower
    attr_t norm
    attr_t shape
    attr_t prefix
    attr_t suffix
    int length        # in unicode code points
    flags_t flags     # bit `id` set for each true IS_*/LIKE_* attribute


cdef struct TokenC:
    const LexemeC* lex
    bint spacy        # followed by one space
    int idx           # character offset in the doc's text
    attr_t lemma      # 0 = unknown (also tag, pos, morph, dep)
    attr_t tag
    attr_t pos
    attr_t morph
    attr_t dep
    attr_t ent_type
    int head          # relative offset of the head; 0 = self
    int ent_iob       # 0 missing, 1 I, 2 O, 3 B
    int sent_start    # 1 start, -1 not a start, 0 unknown
    int l_kids        # number of left / right children
    int r_kids
    int l_edge        # absolute index of the leftmost / rightmost token of the subtree
    int r_edge
    const LexemeC* form   # a word of an expanded multiword token: its word form's lexeme, when
                          # that differs from the token's text ("el" of "al" = "a" + "l"); else NULL
    int mwt               # MULTIWORD: words k on a multiword token's first word, -1..-(k-1) on
                          # the others, 0 outside one (nlp_vocab.multiword)
