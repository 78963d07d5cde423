# cython: infer_types=True
"""Rule-based tokenizer: text -> Doc.

The text is split on whitespace in C. Each whitespace-delimited chunk is looked up, by a hash of
its code units, in a cache of the lexemes it splits into, so a chunk seen before costs one lookup
and a few push_backs. Only a new chunk goes through the rules (in this order): special cases,
whole-token matches (URLs, e-mail addresses, ...), prefixes and suffixes stripped repeatedly
(special cases and whole-token matches checked again on what remains), infixes splitting the
rest. A single space after a chunk is that token's trailing whitespace; any other whitespace run
becomes a token of its own, so the tokens and their whitespace reproduce the text exactly.
"""

import re
from pathlib import Path

import srsly
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READ, Py_UNICODE_ISSPACE
from cymem.cymem cimport Pool
from murmurhash.mrmr cimport hash64
from preshed.maps cimport PreshMap

from .doc cimport Doc
from .structs cimport LexemeC
from .typedefs cimport hash_t
from .vocab cimport Vocab

_RULE_NAMES = ("prefixes", "suffixes", "infixes", "url_match", "email_match", "token_match")


def _check_exceptions(exceptions) -> dict:
    """Special cases as text -> tuple of piece texts; the pieces must spell the key exactly."""
    table = {}
    for key, pieces in (exceptions or {}).items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"Tokenizer: special case key must be a non-empty string, got {key!r}")
        try:
            orths = tuple(piece["ORTH"] for piece in pieces)
        except (KeyError, TypeError):
            raise ValueError(
                f"Tokenizer: special case {key!r}: each piece must be a dict with an ORTH"
            ) from None
        if "".join(orths) != key or not all(orths):
            raise ValueError(
                f"Tokenizer: special case {key!r}: pieces {list(orths)} do not spell the key"
            )
        if any(ch.isspace() for ch in key):
            raise ValueError(f"Tokenizer: special case {key!r} contains whitespace")
        table[key] = orths
    return table


def _compile(patterns, template):
    if not patterns:
        return None
    try:
        return re.compile(template.format("|".join(f"(?:{p})" for p in patterns)))
    except re.error as err:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as bad:
                raise ValueError(f"Tokenizer: bad regular expression {p!r}: {bad}") from None
        raise ValueError(f"Tokenizer: rules do not combine into one expression: {err}") from None


cdef inline hash_t _chunk_key(const void* data, int kind, int start, int end) noexcept nogil:
    """Hash of a chunk's code units; the kind is the seed, so each width has its own keys."""
    cdef hash_t key = hash64(<const char*>data + start * kind, (end - start) * kind, kind)
    # PreshMap reserves the keys 0 and 1.
    return key + 2 if key < 2 else key


cdef class Tokenizer:
    """Split text into a Doc with prefix/suffix/infix rules, special cases and whole-token
    matches. `Tokenizer.for_language(vocab)` builds the rules of `vocab.lang`."""

    def __init__(
        self,
        Vocab vocab not None,
        prefixes=None,
        suffixes=None,
        infixes=None,
        exceptions=None,
        url_match=None,
        email_match=None,
        token_match=None,
    ):
        self.vocab = vocab
        self._rules = {
            "prefixes": list(prefixes or []),
            "suffixes": list(suffixes or []),
            "infixes": list(infixes or []),
            "url_match": url_match,
            "email_match": email_match,
            "token_match": token_match,
        }
        self._specials = _check_exceptions(exceptions)
        self._exceptions = {k: [dict(p) for p in v] for k, v in (exceptions or {}).items()}
        self._compile_rules()

    @classmethod
    def for_language(cls, Vocab vocab not None):
        """The tokenizer of `vocab.lang`, with the rules of its language data."""
        data = vocab.lang_data
        return cls(
            vocab,
            prefixes=data.prefixes,
            suffixes=data.suffixes,
            infixes=data.infixes,
            exceptions=data.tokenizer_exceptions,
            url_match=data.url_match,
            email_match=data.email_match,
            token_match=data.token_match,
        )

    def _compile_rules(self) -> None:
        rules = self._rules
        prefix_re = _compile(rules["prefixes"], "(?:{})")
        self._prefix_search = prefix_re.match if prefix_re is not None else None
        suffix_re = _compile(rules["suffixes"], "(?:{})$")
        self._suffix_search = suffix_re.search if suffix_re is not None else None
        infix_re = _compile(rules["infixes"], "{}")
        self._infix_finditer = infix_re.finditer if infix_re is not None else None
        whole = [rules[k] for k in ("url_match", "email_match", "token_match") if rules[k]]
        whole_re = _compile(whole, "(?:{})")
        self._whole_match = whole_re.fullmatch if whole_re is not None else None
        self._reset_cache()

    def _reset_cache(self) -> None:
        self.mem = Pool()
        self._cache = PreshMap()
        self._cache_size = 0

    # -- rule properties (setting one clears the cache) ------------------------------------
    @property
    def prefixes(self) -> list:
        return list(self._rules["prefixes"])

    @prefixes.setter
    def prefixes(self, value) -> None:
        self._rules["prefixes"] = list(value or [])
        self._compile_rules()

    @property
    def suffixes(self) -> list:
        return list(self._rules["suffixes"])

    @suffixes.setter
    def suffixes(self, value) -> None:
        self._rules["suffixes"] = list(value or [])
        self._compile_rules()

    @property
    def infixes(self) -> list:
        return list(self._rules["infixes"])

    @infixes.setter
    def infixes(self, value) -> None:
        self._rules["infixes"] = list(value or [])
        self._compile_rules()

    @property
    def url_match(self):
        return self._rules["url_match"]

    @url_match.setter
    def url_match(self, value) -> None:
        self._rules["url_match"] = value
        self._compile_rules()

    @property
    def token_match(self):
        return self._rules["token_match"]

    @token_match.setter
    def token_match(self, value) -> None:
        self._rules["token_match"] = value
        self._compile_rules()

    @property
    def exceptions(self) -> dict:
        return {k: [dict(p) for p in v] for k, v in self._exceptions.items()}

    def add_special_case(self, text: str, pieces: list) -> None:
        """Make `text` always split into `pieces` (dicts with ORTH, spelling `text`)."""
        self._specials.update(_check_exceptions({text: pieces}))
        self._exceptions[text] = [dict(p) for p in pieces]
        self._reset_cache()

    @property
    def cache_size(self) -> int:
        """Number of distinct chunks whose split is cached."""
        return self._cache_size

    # -- the hot path ----------------------------------------------------------------------
    def __call__(self, str text not None) -> Doc:
        """Tokenize `text`; the tokens' text and whitespace reproduce it exactly."""
        cdef Doc doc = Doc(self.vocab)
        cdef Py_ssize_t n = len(text)
        if n == 0:
            return doc
        cdef int kind = PyUnicode_KIND(text)
        cdef const void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t i
        cdef Py_ssize_t start = 0
        cdef bint in_space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, 0))
        cdef bint is_space
        for i in range(1, n):
            is_space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))
            if is_space != in_space:
                if in_space:
                    self._push_space(doc, text, start, i, kind, data)
                else:
                    self._push_chunk(doc, text, start, i, kind, data)
                start = i
                in_space = is_space
        if in_space:
            self._push_space(doc, text, start, n, kind, data)
        else:
            self._push_chunk(doc, text, start, n, kind, data)
        return doc

    cdef int _push_chunk(self, Doc doc, str text, int start, int end, int kind,
                         const void* data) except -1:
        cdef hash_t key = _chunk_key(data, kind, start, end)
        cdef const CachedSplit* cached = <const CachedSplit*>self._cache.get(key)
        if cached == NULL:
            cached = self._fill(key, self._split(text[start:end], None))
        cdef int j
        for j in range(cached.length):
            doc.push_back(cached.lexemes[j], False)
        return 0

    cdef int _push_space(self, Doc doc, str text, int start, int end, int kind,
                         const void* data) except -1:
        # One plain space after a token is that token's whitespace; the rest is a token.
        if doc.length > 0 and PyUnicode_READ(kind, data, start) == 32:
            doc.c[doc.length - 1].spacy = True
            start += 1
            if start == end:
                return 0
        cdef hash_t key = _chunk_key(data, kind, start, end)
        cdef const CachedSplit* cached = <const CachedSplit*>self._cache.get(key)
        if cached == NULL:
            cached = self._fill(key, [text[start:end]])
        doc.push_back(cached.lexemes[0], False)
        return 0

    cdef const CachedSplit* _fill(self, hash_t key, list pieces) except NULL:
        cdef CachedSplit* cached = <CachedSplit*>self.mem.alloc(1, sizeof(CachedSplit))
        cached.length = len(pieces)
        cached.lexemes = <const LexemeC**>self.mem.alloc(max(1, cached.length), sizeof(LexemeC*))
        cdef int j
        for j, piece in enumerate(pieces):
            cached.lexemes[j] = self.vocab.get(piece)
        self._cache.set(key, cached)
        self._cache_size += 1
        return cached

    # -- the rules (cache misses only) -----------------------------------------------------
    def _keep_whole(self, str s) -> bool:
        return s in self._specials or (
            self._whole_match is not None and self._whole_match(s) is not None
        )

    def _split(self, str chunk, list trace) -> list:
        """The pieces of one whitespace-free chunk; `trace` (a list or None) gets
        (rule, piece) pairs in text order, for `explain`."""
        specials = self._specials
        if chunk in specials:
            if trace is not None:
                trace.extend(("SPECIAL", p) for p in specials[chunk])
            return list(specials[chunk])
        prefix_match = self._prefix_search
        suffix_search = self._suffix_search
        cdef list prefixes = []
        cdef list suffixes = []
        s = chunk
        whole = False
        while s:
            if self._keep_whole(s):
                whole = True
                break
            before = len(s)
            if prefix_match is not None:
                m = prefix_match(s)
                if m is not None and 0 < m.end() < len(s):
                    prefixes.append(s[: m.end()])
                    s = s[m.end():]
                    if self._keep_whole(s):
                        whole = True
                        break
            if suffix_search is not None:
                m = suffix_search(s)
                if m is not None and 0 < m.start() < len(s):
                    suffixes.append(s[m.start():])
                    s = s[: m.start()]
            if len(s) == before:
                break
        if trace is not None:
            trace.extend(("PREFIX", p) for p in prefixes)
        cdef list out = prefixes
        if s:
            if whole:
                self._add_piece(s, out, trace, "TOKEN_MATCH")
            elif self._infix_finditer is None:
                out.append(s)
                if trace is not None:
                    trace.append(("TOKEN", s))
            else:
                pos = 0
                for m in self._infix_finditer(s):
                    if m.end() == m.start() or m.start() == 0 or m.end() == len(s):
                        continue
                    if m.start() < pos:
                        continue
                    if m.start() > pos:
                        self._add_piece(s[pos : m.start()], out, trace, "TOKEN")
                    out.append(s[m.start() : m.end()])
                    if trace is not None:
                        trace.append(("INFIX", s[m.start() : m.end()]))
                    pos = m.end()
                self._add_piece(s[pos:], out, trace, "TOKEN")
        for piece in reversed(suffixes):
            out.append(piece)
            if trace is not None:
                trace.append(("SUFFIX", piece))
        return out

    def _add_piece(self, str piece, list out, list trace, str rule) -> None:
        if not piece:
            return
        if piece in self._specials:
            out.extend(self._specials[piece])
            if trace is not None:
                trace.extend(("SPECIAL", p) for p in self._specials[piece])
        else:
            out.append(piece)
            if trace is not None:
                if rule == "TOKEN_MATCH":
                    rule = self._whole_rule_name(piece)
                trace.append((rule, piece))

    def _whole_rule_name(self, str piece) -> str:
        for name in ("url_match", "email_match", "token_match"):
            pattern = self._rules[name]
            if pattern and re.fullmatch(pattern, piece):
                return name.upper()
        return "TOKEN"

    # -- Python API ------------------------------------------------------------------------
    def pipe(self, texts, batch_size: int = 1000):
        """Tokenize a stream of texts, yielding Docs in order."""
        if batch_size < 1:
            raise ValueError(f"Tokenizer.pipe: batch_size must be >= 1, got {batch_size}")
        for text in texts:
            yield self(text)

    def explain(self, str text not None) -> list:
        """(rule, token text) for each non-whitespace token of `text`, rules being SPECIAL,
        PREFIX, SUFFIX, INFIX, URL_MATCH, EMAIL_MATCH, TOKEN_MATCH or TOKEN."""
        trace = []
        for chunk in text.split():
            self._split(chunk, trace)
        return trace

    def to_bytes(self) -> bytes:
        """The rules and special cases (not the vocab, not the cache)."""
        return srsly.msgpack_dumps({"rules": dict(self._rules), "exceptions": self.exceptions})

    def from_bytes(self, bytes data):
        msg = srsly.msgpack_loads(data)
        if not isinstance(msg, dict) or "rules" not in msg or "exceptions" not in msg:
            raise ValueError("Tokenizer.from_bytes: not a serialized tokenizer")
        rules = msg["rules"]
        unknown = set(rules) - set(_RULE_NAMES)
        if unknown:
            raise ValueError(f"Tokenizer.from_bytes: unknown rule fields {sorted(unknown)}")
        self._specials = _check_exceptions(msg["exceptions"])
        self._exceptions = {k: [dict(p) for p in v] for k, v in msg["exceptions"].items()}
        self._rules = {name: rules.get(name) for name in _RULE_NAMES}
        for name in ("prefixes", "suffixes", "infixes"):
            self._rules[name] = list(self._rules[name] or [])
        self._compile_rules()
        return self

    def to_disk(self, path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())

    def from_disk(self, path):
        path = Path(path)
        try:
            return self.from_bytes(path.read_bytes())
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
