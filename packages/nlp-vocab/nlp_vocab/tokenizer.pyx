# cython: infer_types=True
"""Rule-based tokenizer: text -> Doc.

The text is split on whitespace in C. Each whitespace-delimited chunk is looked up, by a hash of
its code units, in a cache of the lexemes it splits into, so a chunk seen before costs one lookup
and a few push_backs. Only a new chunk goes through the rules (in this order): special cases,
whole-token matches (URLs, e-mail addresses, ...), prefixes and suffixes stripped repeatedly
(special cases and whole-token matches checked again on what remains), infixes splitting the
rest. A single space after a chunk is that token's trailing whitespace; any other whitespace run
becomes a token of its own, so the tokens and their whitespace reproduce the text exactly.
The work is linear in the text's length, long runs of affixes included (Tokenizer._strip_affixes).

Expansions (surface form -> words, e.g. "al" -> "a" "el") make multiword tokens whose words need
not spell the text: they are checked before the special cases, in the surface's case or, for a
capitalised or upper-case chunk, in lower case ("Al" -> "A" "el"), and give one token per word
holding a piece of the surface with its word form (nlp_vocab.multiword). They are data, saved
with the rules.
"""

import re
from pathlib import Path

from cpython.unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READ, Py_UNICODE_ISSPACE
from cymem.cymem cimport Pool
from murmurhash.mrmr cimport hash64
from preshed.maps cimport PreshMap

from . import _msgpack
from .doc cimport Doc
from .multiword import cased_words, check_expansions, split_surface
from .safe_patterns import checked_rules
from .structs cimport LexemeC
from .typedefs cimport hash_t
from .vocab cimport Vocab


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


# Affix stripping past its exact budget (see Tokenizer._strip_affixes).
cdef Py_ssize_t _EXACT_BUDGET = 4096  # characters of exact rounds every chunk may use
cdef Py_ssize_t _EXACT_FACTOR = 8     # and this many times the chunk's length
cdef Py_ssize_t _SHORT = 128          # a rest this short is always looked at whole
cdef Py_ssize_t _WINDOW = 32          # first window an affix is looked for in
cdef Py_ssize_t _CONTEXT = 16         # text beyond the window that look-arounds may read


cdef Py_ssize_t _prefix_length(object match, str chunk, Py_ssize_t start, Py_ssize_t end,
                               bint exact) except -1:
    """Length of the prefix rule's match at the start of chunk[start:end] (0: none).

    Exact, or past the budget on a long rest: matched in chunk[start:start + window +
    _CONTEXT], the window doubling while the match reaches past it (a run of dashes
    stays one prefix, however long)."""
    cdef Py_ssize_t window = _WINDOW
    while True:
        if exact or end - start <= window + _CONTEXT:
            m = match(chunk[start:end])
            return m.end() if m is not None else 0
        m = match(chunk[start : start + window + _CONTEXT])
        if m is None:
            return 0
        if m.end() <= window:
            return m.end()
        window *= 2


cdef Py_ssize_t _suffix_length(object search, str chunk, Py_ssize_t start, Py_ssize_t end,
                               bint exact) except -1:
    """Length of the suffix rule's match at the end of chunk[start:end] (0: none).

    With `exact` (the caller gives it only for a rest of at most _SHORT characters) the
    whole rest is searched: a search tries a match at each place, and a repeat such as `=+`
    runs to the end of a run in the middle of the chunk at each, quadratic in the run.
    Otherwise: the match starting in the last `window` characters (with _CONTEXT characters
    before them for look-behinds), the window doubling while the match starts at its first
    character (and so may start further left)."""
    cdef Py_ssize_t window = _WINDOW
    cdef Py_ssize_t lo
    while True:
        lo = end - window - _CONTEXT
        if exact or lo <= start:
            text = chunk[start:end]
            m = search(text)
            return len(text) - m.start() if m is not None else 0
        m = search(chunk[lo:end], _CONTEXT)
        if m is None:
            return 0
        if m.start() > _CONTEXT:
            return end - lo - m.start()
        window *= 2


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
        expansions=None,
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
        self._expansions = check_expansions(expansions)
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

    @property
    def expansions(self) -> dict:
        """Surface form -> its words, for multiword tokens such as "al" -> ["a", "el"]."""
        return {k: list(v) for k, v in self._expansions.items()}

    @expansions.setter
    def expansions(self, value) -> None:
        self._expansions = check_expansions(value)
        self._reset_cache()

    def add_expansion(self, surface: str, words: list) -> None:
        """Make `surface` (and its capitalised and upper-case forms, when it is in lower case)
        one multiword token of `words`, which need not spell it ("al" -> ["a", "el"])."""
        self._expansions.update(check_expansions({surface: words}))
        self._reset_cache()

    def _expanded(self, str s):
        """The tokens of `s` as an expansion, [(piece, word form or None, MULTIWORD value)],
        or None when no expansion applies."""
        words = self._expansions.get(s)
        if words is None:
            lower = s.lower()
            if lower == s or lower not in self._expansions:
                return None
            words = cased_words(s, self._expansions[lower])
            if words is None or not len(s) >= len(words):
                return None
        pieces = split_surface(s, words)
        return [(piece, None if piece == word else word, len(words) if k == 0 else -k)
                for k, (piece, word) in enumerate(zip(pieces, words))]

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
            if cached.groups != NULL:
                doc.c[doc.length - 1].form = cached.forms[j]
                doc.c[doc.length - 1].mwt = cached.groups[j]
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
        if any(type(piece) is tuple for piece in pieces):
            cached.forms = <const LexemeC**>self.mem.alloc(cached.length, sizeof(LexemeC*))
            cached.groups = <int*>self.mem.alloc(cached.length, sizeof(int))
        for j, piece in enumerate(pieces):
            if type(piece) is tuple:  # a word of an expansion: (piece, word form or None, group)
                cached.lexemes[j] = self.vocab.get(piece[0])
                if piece[1] is not None:
                    cached.forms[j] = self.vocab.get(piece[1])
                cached.groups[j] = piece[2]
            else:
                cached.lexemes[j] = self.vocab.get(piece)
        self._cache.set(key, cached)
        self._cache_size += 1
        return cached

    # -- the rules (cache misses only) -----------------------------------------------------
    def _keep_whole(self, str s) -> bool:
        return s in self._specials or (bool(self._expansions) and self._expanded(s) is not None) or (
            self._whole_match is not None and self._whole_match(s) is not None
        )

    def _strip_affixes(self, str chunk, list prefixes, list suffixes) -> tuple:
        """Strip prefixes and suffixes off `chunk` repeatedly (special cases and whole-token
        matches stop it); returns (start, end, whole): what remains is chunk[start:end].

        Each round looks at the whole rest of the chunk, so a chunk that loses many affixes
        costs rounds x length: quadratic on runs such as 20,000 "(". Rounds are exact while
        their total length stays within a budget of 4,096 + 8 x len(chunk) characters, and a
        rest of at most _SHORT characters is always looked at whole; so chunks of normal text
        split exactly as by the plain rules. Past the budget, a long rest is only read near
        its ends (see _prefix_length, _suffix_length) and is not a whole-token match,
        which keeps the work linear in the chunk's length. Suffixes of a rest longer than
        _SHORT are always looked for near its end: one search of a whole rest is already
        quadratic on a run of punctuation inside it.
        """
        prefix_match = self._prefix_search
        suffix_search = self._suffix_search
        cdef Py_ssize_t start = 0
        cdef Py_ssize_t end = len(chunk)
        cdef Py_ssize_t budget = _EXACT_BUDGET + _EXACT_FACTOR * end
        cdef Py_ssize_t before, n
        cdef bint exact
        while start < end:
            exact = end - start <= _SHORT or budget >= end - start
            budget -= end - start
            if exact and self._keep_whole(chunk[start:end]):
                return start, end, True
            before = end - start
            if prefix_match is not None:
                n = _prefix_length(prefix_match, chunk, start, end, exact)
                if 0 < n < end - start:
                    prefixes.append(chunk[start : start + n])
                    start += n
                    if (exact or end - start <= _SHORT) and self._keep_whole(chunk[start:end]):
                        return start, end, True
            if suffix_search is not None:
                n = _suffix_length(suffix_search, chunk, start, end, end - start <= _SHORT)
                if 0 < n < end - start:
                    suffixes.append(chunk[end - n : end])
                    end -= n
            if end - start == before:
                break
        return start, end, False

    def _split(self, str chunk, list trace) -> list:
        """The pieces of one whitespace-free chunk (an expansion's words as tuples, see
        `_expanded`); `trace` (a list or None) gets (rule, piece) pairs in text order, for
        `explain`."""
        specials = self._specials
        expanded = self._expanded(chunk) if self._expansions else None
        if expanded is not None:
            if trace is not None:
                trace.extend(("EXPANSION", p[0]) for p in expanded)
            return expanded
        if chunk in specials:
            if trace is not None:
                trace.extend(("SPECIAL", p) for p in specials[chunk])
            return list(specials[chunk])
        cdef list prefixes = []
        cdef list suffixes = []
        start, end, whole = self._strip_affixes(chunk, prefixes, suffixes)
        s = chunk[start:end]
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
        expanded = self._expanded(piece) if self._expansions else None
        if expanded is not None:
            out.extend(expanded)
            if trace is not None:
                trace.extend(("EXPANSION", p[0]) for p in expanded)
        elif piece in self._specials:
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
        """(rule, token text) for each non-whitespace token of `text`, rules being EXPANSION,
        SPECIAL, PREFIX, SUFFIX, INFIX, URL_MATCH, EMAIL_MATCH, TOKEN_MATCH or TOKEN."""
        trace = []
        for chunk in text.split():
            self._split(chunk, trace)
        return trace

    def to_bytes(self) -> bytes:
        """The rules, special cases and expansions (not the vocab, not the cache). A rule that
        loading would refuse (see nlp_vocab.safe_patterns) is a ValueError here already."""
        msg = {"rules": dict(self._rules), "exceptions": self.exceptions, "expansions": self.expansions}
        try:
            checked_rules(msg)
        except ValueError as err:
            raise ValueError(f"Tokenizer.to_bytes: {err}") from None
        return _msgpack.dumps(msg)

    def from_bytes(self, bytes data):
        """Load rules, special cases and expansions; patterns that could backtrack without bound
        are refused (only shipped rules and a safe subset load: nlp_vocab.safe_patterns)."""
        try:
            msg = _msgpack.loads(data)
        except Exception as err:  # noqa: BLE001 - msgpack raises several unrelated types
            raise ValueError(f"Tokenizer.from_bytes: not a serialized tokenizer ({type(err).__name__})") from None
        try:
            rules, exceptions = checked_rules(msg)
            expansions = msg.get("expansions", {})
            if not isinstance(expansions, dict):
                raise ValueError("expansions must be an object of surface form -> list of words")
            self._expansions = check_expansions(expansions)
        except ValueError as err:
            raise ValueError(f"Tokenizer.from_bytes: {err}") from None
        self._specials = _check_exceptions(exceptions)
        self._exceptions = {k: [dict(p) for p in v] for k, v in exceptions.items()}
        self._rules = rules
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
