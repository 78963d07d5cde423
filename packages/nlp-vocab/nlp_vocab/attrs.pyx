"""Attribute ids: lexical flags (IS_*, LIKE_*), lexical strings (ORTH, NORM, ...) and token-level
annotation (TAG, HEAD, ...). Functions that take attributes accept a name or an id."""

IDS = {
    "IS_ALPHA": IS_ALPHA, "IS_ASCII": IS_ASCII, "IS_DIGIT": IS_DIGIT, "IS_LOWER": IS_LOWER,
    "IS_UPPER": IS_UPPER, "IS_TITLE": IS_TITLE, "IS_PUNCT": IS_PUNCT, "IS_SPACE": IS_SPACE,
    "IS_STOP": IS_STOP, "IS_BRACKET": IS_BRACKET, "IS_QUOTE": IS_QUOTE,
    "IS_LEFT_PUNCT": IS_LEFT_PUNCT, "IS_RIGHT_PUNCT": IS_RIGHT_PUNCT, "IS_CURRENCY": IS_CURRENCY,
    "LIKE_NUM": LIKE_NUM, "LIKE_URL": LIKE_URL, "LIKE_EMAIL": LIKE_EMAIL,
    "ORTH": ORTH, "LOWER": LOWER, "NORM": NORM, "SHAPE": SHAPE, "PREFIX": PREFIX,
    "SUFFIX": SUFFIX, "LENGTH": LENGTH,
    "TAG": TAG, "POS": POS, "MORPH": MORPH, "LEMMA": LEMMA, "HEAD": HEAD, "DEP": DEP,
    "ENT_IOB": ENT_IOB, "ENT_TYPE": ENT_TYPE, "SENT_START": SENT_START, "SPACY": SPACY, "IDX": IDX,
    "FORM": FORM, "MULTIWORD": MULTIWORD,
}
NAMES = {value: name for name, value in IDS.items()}
FLAG_NAMES = tuple(name for name, value in IDS.items() if value < ORTH)
LEXICAL = frozenset(value for value in IDS.values() if value <= LENGTH)

globals().update(IDS)  # module constants ORTH, NORM, ... as plain ints

__all__ = ["IDS", "NAMES", "FLAG_NAMES", "LEXICAL", "intify_attr", "intify_attrs", *IDS]


def intify_attr(attr) -> int:
    """Attribute id from a name ("NORM", case-insensitive) or an id; ValueError if unknown."""
    if isinstance(attr, str):
        try:
            return IDS[attr.upper()]
        except KeyError:
            raise ValueError(f"unknown attribute name {attr!r}; known: {', '.join(IDS)}") from None
    if isinstance(attr, bool) or not hasattr(attr, "__index__"):
        raise TypeError(f"attribute must be a name or an int id, got {type(attr).__name__}: {attr!r}")
    if int(attr) not in NAMES:
        raise ValueError(f"unknown attribute id {int(attr)}")
    return int(attr)


def intify_attrs(attrs) -> list:
    """Attribute ids from a sequence of names or ids."""
    return [intify_attr(attr) for attr in attrs]
