"""Lexical attribute functions: computed once per new lexeme (cold path), stored as ids and flags."""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = frozenset("()[]{}<>（）［］｛｝〈〉《》「」『』【】")
_LEFT_PUNCT = frozenset("([{<«‹“‘„‚（［｛〈《「『【") | {"``", "`", "-LRB-", "-LSB-", "-LCB-"}
_RIGHT_PUNCT = frozenset(")]}>»›”’）］｝〉》」』】") | {"''", "-RRB-", "-RSB-", "-RCB-"}
_QUOTES = frozenset("'\"`«»‹›“”‘’„‚「」『』") | {"''", "``", "'''", '""'}
_NUM_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million billion trillion quadrillion dozen".split()
)
_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")
_URL_RE = re.compile(
    r"^(?:(?:https?|ftp|sftp|file)://|www\d?\.)\S+$"
    r"|^[\w\-]+(?:\.[\w\-]+)*\.(?:com|org|net|edu|gov|mil|int|io|co|uk|de|fr|info|biz|ly|us|eu|ai)"
    r"(?::\d+)?(?:/\S*)?$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}$")


def lower(text: str) -> str:
    return text.lower()


def prefix(text: str) -> str:
    """The first character."""
    return text[:1]


def suffix(text: str) -> str:
    """The last three characters."""
    return text[-3:]


def shape(text: str) -> str:
    """Orthographic shape: X/x/d for upper/lower/digit, other characters kept; runs cut at 4."""
    if len(text) >= 100:
        return "LONG"
    out = []
    last = ""
    run = 0
    for char in text:
        if char.isalpha():
            code = "X" if char.isupper() else "x"
        elif char.isdigit():
            code = "d"
        else:
            code = char
        if code == last:
            run += 1
        else:
            run = 0
            last = code
        if run < 4:
            out.append(code)
    return "".join(out)


def is_alpha(text: str) -> bool:
    return text.isalpha()


def is_ascii(text: str) -> bool:
    return text.isascii()


def is_digit(text: str) -> bool:
    return text.isdigit()


def is_lower(text: str) -> bool:
    return text.islower()


def is_upper(text: str) -> bool:
    return text.isupper()


def is_title(text: str) -> bool:
    return text.istitle()


def is_punct(text: str) -> bool:
    """Every character is in a Unicode punctuation category (P*)."""
    return bool(text) and all(unicodedata.category(char).startswith("P") for char in text)


def is_space(text: str) -> bool:
    return text.isspace()


def is_bracket(text: str) -> bool:
    return text in _BRACKETS


def is_quote(text: str) -> bool:
    return text in _QUOTES


def is_left_punct(text: str) -> bool:
    return text in _LEFT_PUNCT


def is_right_punct(text: str) -> bool:
    return text in _RIGHT_PUNCT


def is_currency(text: str) -> bool:
    """Every character is a currency symbol (Unicode category Sc)."""
    return bool(text) and all(unicodedata.category(char) == "Sc" for char in text)


def like_num(text: str) -> bool:
    """Digits with separators (1,000.5, -3, 1/2, 10th) or an English number word."""
    if not text:
        return False
    body = text[1:] if text[0] in "+-±~" else text
    stripped = body.replace(",", "").replace(".", "")
    if stripped.isdigit():
        return True
    if body.count("/") == 1:
        num, denom = body.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    lowered = body.lower()
    if lowered.endswith(_ORDINAL_SUFFIXES) and lowered[:-2].isdigit():
        return True
    return lowered in _NUM_WORDS


def like_url(text: str) -> bool:
    return len(text) >= 4 and "." in text and bool(_URL_RE.match(text))


def like_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text))


# Flag functions by attribute name (see nlp_vocab.attrs); IS_STOP is set from the language's list.
FLAG_GETTERS = {
    "IS_ALPHA": is_alpha,
    "IS_ASCII": is_ascii,
    "IS_DIGIT": is_digit,
    "IS_LOWER": is_lower,
    "IS_UPPER": is_upper,
    "IS_TITLE": is_title,
    "IS_PUNCT": is_punct,
    "IS_SPACE": is_space,
    "IS_BRACKET": is_bracket,
    "IS_QUOTE": is_quote,
    "IS_LEFT_PUNCT": is_left_punct,
    "IS_RIGHT_PUNCT": is_right_punct,
    "IS_CURRENCY": is_currency,
    "LIKE_NUM": like_num,
    "LIKE_URL": like_url,
    "LIKE_EMAIL": like_email,
}

# String-valued getters by attribute name; NORM defaults to the norm exceptions, else the lower form.
STRING_GETTERS = {"LOWER": lower, "PREFIX": prefix, "SUFFIX": suffix, "SHAPE": shape}
