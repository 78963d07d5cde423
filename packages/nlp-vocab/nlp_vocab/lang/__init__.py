"""Language data: stop words, norm exceptions, lexical attribute overrides and tokenizer rules.

`get_lang_data(code)` builds a `LangData` from the modules of `nlp_vocab.lang.<code>` (falling back
to the generic `xx` data for a code without its own folder). Tokenizer rules are read, when present,
from `nlp_vocab.lang.<code>.tokenizer_exceptions` (`TOKENIZER_EXCEPTIONS`) and from
`nlp_vocab.lang.punctuation` (`PREFIXES`, `SUFFIXES`, `INFIXES`, `URL_MATCH`, `EMAIL_MATCH`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

_CODE_RE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class LangData:
    """Everything language-specific that the vocab and tokenizer need."""

    lang: str
    stop_words: frozenset = frozenset()
    norm_exceptions: dict = field(default_factory=dict)
    # attribute name ("LIKE_NUM", "SHAPE", ...) -> function(text) overriding nlp_vocab.lex_attrs
    lex_attr_getters: dict = field(default_factory=dict)
    tokenizer_exceptions: dict = field(default_factory=dict)
    prefixes: list = field(default_factory=list)
    suffixes: list = field(default_factory=list)
    infixes: list = field(default_factory=list)
    url_match: str | None = None
    email_match: str | None = None
    token_match: str | None = None  # other chunks kept whole (phone numbers, U.S., 3.14)


def _optional_module(name: str):
    """Import a module that may not exist yet; None if it (not one of its imports) is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name is not None and name.startswith(err.name):
            return None
        raise


def _lang_module(code: str):
    module = _optional_module(f"{__name__}.{code}")
    return module if module is not None else importlib.import_module(f"{__name__}.xx")


@cache
def known_languages() -> tuple[str, ...]:
    """The language codes with their own data folder here; "xx" is the generic one (any language,
    language-independent rules)."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


# ISO 639-1: every two-letter language code. Those without a data folder here get the generic
# ("xx") rules, as a real language should; anything else is a typo and is refused.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id
ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu
lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu
rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr
ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


def check_language(code: str) -> str:
    """`code` if it names a language: one with its own data here, "xx", or any other ISO 639-1
    code (generic rules); a ValueError listing the known codes otherwise (an unknown code would
    silently get the generic data)."""
    known = known_languages()
    if code not in known and code not in ISO_639_1:
        raise ValueError(f"unknown language code {code!r}: known codes are {', '.join(known)} "
                         "(their own rules) and any other ISO 639-1 code such as 'fi' "
                         '(the generic rules of "xx")')
    return code


@cache
def get_lang_data(code: str = "xx") -> LangData:
    """The language data for an ISO code such as "en"; any code without its own data gets the
    generic defaults (no stop words, no norm exceptions, generic punctuation rules)."""
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise ValueError(f"language code must be 2-3 lowercase letters, got {code!r}")
    module = _lang_module(code)
    exceptions_module = _optional_module(f"{module.__name__}.tokenizer_exceptions")
    punct = _optional_module(f"{__name__}.punctuation")
    getters: dict[str, Callable[[str], object]] = dict(getattr(module, "LEX_ATTR_GETTERS", {}))
    return LangData(
        lang=code,
        stop_words=frozenset(getattr(module, "STOP_WORDS", frozenset())),
        norm_exceptions=dict(getattr(module, "NORM_EXCEPTIONS", {})),
        lex_attr_getters=getters,
        tokenizer_exceptions=dict(getattr(exceptions_module, "TOKENIZER_EXCEPTIONS", {})),
        prefixes=list(getattr(punct, "PREFIXES", [])),
        suffixes=list(getattr(punct, "SUFFIXES", [])),
        infixes=list(getattr(punct, "INFIXES", [])),
        url_match=getattr(punct, "URL_MATCH", None),
        email_match=getattr(punct, "EMAIL_MATCH", None),
        token_match=getattr(punct, "TOKEN_MATCH", None),
    )


__all__ = ["LangData", "check_language", "get_lang_data", "known_languages"]
