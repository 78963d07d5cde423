# Attribute ids. Flag attributes (IS_*/LIKE_*) come first: their id is their bit in LexemeC.flags.
cdef enum attr_id_t:
    NULL_ATTR = 0
    IS_ALPHA = 1
    IS_ASCII = 2
    IS_DIGIT = 3
    IS_LOWER = 4
    IS_UPPER = 5
    IS_TITLE = 6
    IS_PUNCT = 7
    IS_SPACE = 8
    IS_STOP = 9
    IS_BRACKET = 10
    IS_QUOTE = 11
    IS_LEFT_PUNCT = 12
    IS_RIGHT_PUNCT = 13
    IS_CURRENCY = 14
    LIKE_NUM = 15
    LIKE_URL = 16
    LIKE_EMAIL = 17
    # lexical, non-flag
    ORTH = 64
    LOWER = 65
    NORM = 66
    SHAPE = 67
    PREFIX = 68
    SUFFIX = 69
    LENGTH = 70
    # token-level
    TAG = 80
    POS = 81
    MORPH = 82
    LEMMA = 83
    HEAD = 84
    DEP = 85
    ENT_IOB = 86
    ENT_TYPE = 87
    SENT_START = 88
    SPACY = 89
    IDX = 90
    FORM = 91         # the word form (the text, unless a multiword token's expansion says otherwise)
    MULTIWORD = 92    # grouping of an expanded multiword token's words (nlp_vocab.multiword)
