"""Default tokenizer punctuation rules, shared by every language.

Each list holds regular-expression strings; the tokenizer joins them into one alternation:
PREFIXES are matched at the start of a chunk and SUFFIXES at its end (both stripped
repeatedly), INFIXES split what remains. URL_MATCH, EMAIL_MATCH and TOKEN_MATCH match whole
chunks that are kept as one token (web addresses, e-mail addresses, phone numbers, dotted
acronyms, clock times). The conventions follow the Universal Dependencies English treebanks:
clitics and possessive 's split from their host, hyphens split compounds except after common
bound prefixes (co-, non-, re-, ...), slashes split words but not dates.
"""

# Letters of any script (Python `re` has no \p{L}): a word character that is not a digit or _.
_L = r"[^\W\d_]"
_LOWER = r"[a-zß-öø-ÿ]"
_UPPER = r"[A-ZÀ-ÖØ-Þ]"
_APOS = r"['’‘`]"
# An apostrophe before two digits is part of a year ('72); before letters it opens a quote.
_OPEN = r"(?:[\(\[\{<«‹“„‚\"¡¿]|['‘`](?![0-9]{2}\b))"
_CLOSE = r"[\)\]\}>»›”’\"'`]"
_CURRENCY = r"[$£€¥₹₩₽¢]"
_DASHES = r"(?:--+|—+|–+|―)"
_ELLIPSIS = r"(?:\.\.+|…)"
# Runs of the same symbol stay one token ("!!!", "?!", "=====", "<<", "**").
_RUNS = r"(?:[!?][!?.]*|\.[!?][!?.]*|\*+|=+|~+|\++|<<+|>>+|\^+|_{2,}|#{2,})"

# Bound prefixes that keep their hyphen ("co-workers", "non-violent", "e-mail").
_BOUND_PREFIXES = (
    "anti", "arch", "co", "counter", "cross", "e", "ex", "inter", "intra", "micro", "mid", "multi",
    "neo", "non", "over", "post", "pre", "pro", "psycho", "re", "semi", "socio", "sub", "un",
    "vice", "x",
)  # fmt: skip
# Bound suffixes that keep their hyphen ("language-wise").
_BOUND_SUFFIXES = ("wise", "esque")

PREFIXES = [
    _ELLIPSIS,
    _DASHES,
    _RUNS,
    r"``|''",
    _OPEN,
    _CURRENCY,
    r"[#§|\\]",
    r"-(?![0-9.])",
    r"[,;:/&]",
]

SUFFIXES = [
    _ELLIPSIS,
    _DASHES,
    _RUNS,
    r"''",
    # clitics and the possessive: he's, they're, we'll, I've, I'm, she'd, do+n't (not 1960's)
    rf"{_APOS}(?<={_L}.)(?i:s|re|ll|ve|m|d)",
    rf"[nN](?<={_L}[nN]){_APOS}[tT]",
    _CLOSE,
    r"[,;:|/]",
    r"%|‰|°[CFcf]?",
    # amounts and times glued to a number: $170m, 10am, 7:30PM, 5ft
    r"(?<=[0-9])(?:[kKmMbB]|bn|mn|[aApP]\.?[mM]\.?|ft|lbs?|kg|km|cm|mm|mph|hrs?|mins?|secs?)",
    # A final period splits unless it ends a dotted abbreviation (U.S.) or a one-letter initial.
    rf"\.(?<![.]{_L}\.)(?<!^{_L}\.)",
    r"-(?<=[^\W_]-)",
]

INFIXES = [
    _ELLIPSIS,
    _DASHES,
    # (Each rule consumes its character first and looks behind after: the same match, but the
    # regex engine rejects most positions at the first character test.)
    # a hyphen between letters, or after a digit before a letter, unless a bound affix
    r"-(?<=[^\W_]-)"
    + "".join(rf"(?<!\b(?i:{p})-)" for p in _BOUND_PREFIXES)
    + rf"(?={_L})(?!(?i:{'|'.join(_BOUND_SUFFIXES)})\b)",
    # a hyphen between numbers (ranges) unless it looks like a phone number (kept by TOKEN_MATCH)
    r"-(?<=[0-9]-)(?=[0-9])",
    # a slash between words (and/or), not between digits (dates)
    rf"/(?<={_L}/)(?=[^\W_])|/(?<=[0-9]/)(?={_L})",
    # commas, semicolons, brackets, quotes and other separators glued between words
    rf",(?<={_L},)(?={_L})|,(?<=[0-9],)(?={_L})|,(?<={_L},)(?=[0-9])",
    rf"[;!?](?<={_L}.)(?={_L})",
    r"[\(\)\[\]\"](?<=[^\W_].)(?=[^\W_])",
    rf"[=+*~|](?<={_L}.)(?={_L})",
    rf"\.(?<={_LOWER}\.)(?={_UPPER}{_LOWER})",
    rf":(?<={_L}:)(?={_L}{{2}})",
    r"&(?<=[^\W_]&)(?=[a-z]{2})",
]

URL_MATCH = (
    r"(?i:(?:https?|ftp)://[^\s\"<>]+[^\s\"<>.,;:!?)\]'’]"
    r"|www\.[^\s\"<>]+[^\s\"<>.,;:!?)\]'’]"
    r"|(?:[a-z0-9][a-z0-9-]*\.)+(?:com|org|net|edu|gov|mil|int|info|biz|co|uk|us|ca|de|fr|au"
    r"|jp|in|io|ly|tv|me|htm|html|php|asp|aspx|pdf|doc|docx|xls|xlsx|ppt|txt|zip|jpg|png"
    r"|gif|mp3)(?:/[^\s\"<>]*[^\s\"<>.,;:!?)\]'’])?)"
)

EMAIL_MATCH = r"[A-Za-z0-9!#$%&*+=?^_{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"

# Other chunks kept whole: phone numbers, dotted acronyms and abbreviations (U.S., a.m., p.m),
# clock times with am/pm glued (3:30pm is split by suffix rules instead), decimals and grouped
# numbers, IP-like dotted numbers, "@" handles and "#" tags.
TOKEN_MATCH = (
    r"(?:\(?[0-9]{3}\)?[-.][0-9]{3}[-.][0-9]{4}|[0-9]{3}-[0-9]{4}|1-[0-9]{3}-[0-9]{3}-[0-9]{4})"
    rf"|(?:{_L}\.){{2,}}|{_L}\.{_L}"
    r"|[0-9]+(?:[.,:][0-9]+)+"
    r"|@[A-Za-z0-9_]+"
)
