"""Vocab: the shared lexicon. Lexemes are created lazily on first lookup, with every lexical
attribute computed once from the language data and stored as string ids and flag bits."""

from pathlib import Path

import srsly
from cymem.cymem cimport Pool
from preshed.maps cimport PreshMap

from . import _msgpack
from .attrs cimport IS_STOP
from .attrs import IDS
from .lang import get_lang_data
from . import lex_attrs
from .lexeme cimport Lexeme
from .strings cimport StringStore
from .structs cimport LexemeC
from .typedefs cimport attr_t, flags_t, hash_t


cdef class Vocab:
    """Lexicon and string store shared by the docs of one language."""

    def __init__(self, lang: str = "xx", strings=None, tag_map=None, vectors=None):
        self.mem = Pool()
        self._by_orth = PreshMap()
        self._orths = []
        if strings is None:
            self.strings = StringStore()
        elif isinstance(strings, StringStore):
            self.strings = strings
        else:
            self.strings = StringStore(strings)
        self.lang_data = get_lang_data(lang)
        self.lang = lang
        self.tag_map = tag_map
        self.vectors = vectors
        overrides = self.lang_data.lex_attr_getters
        self._flag_getters = [
            (IDS[name], overrides.get(name, getter)) for name, getter in lex_attrs.FLAG_GETTERS.items()
        ]
        self._string_getters = {
            name: overrides.get(name, getter) for name, getter in lex_attrs.STRING_GETTERS.items()
        }
        self._string_getters["NORM"] = overrides.get("NORM", self._default_norm)

    def _default_norm(self, text: str) -> str:
        exceptions = self.lang_data.norm_exceptions
        norm = exceptions.get(text)
        if norm is None:
            lowered = text.lower()
            norm = exceptions.get(lowered, lowered)
        return norm

    cdef const LexemeC* get(self, str string) except NULL:
        cdef hash_t orth = self.strings.intern(string)
        cdef const LexemeC* lex = <const LexemeC*>self._by_orth.get(orth)
        if lex != NULL:
            return lex
        return self._new_lexeme(string, orth)

    cdef const LexemeC* get_by_orth(self, attr_t orth) except NULL:
        cdef const LexemeC* lex = <const LexemeC*>self._by_orth.get(orth)
        if lex != NULL:
            return lex
        return self._new_lexeme(self.strings[orth], orth)

    cdef const LexemeC* _new_lexeme(self, str string, attr_t orth) except NULL:
        cdef LexemeC* lex = <LexemeC*>self.mem.alloc(1, sizeof(LexemeC))
        getters = self._string_getters
        strings = self.strings
        lex.orth = orth
        lex.length = len(string)
        lex.lower = strings.intern(getters["LOWER"](string))
        lex.norm = strings.intern(getters["NORM"](string))
        lex.shape = strings.intern(getters["SHAPE"](string))
        lex.prefix = strings.intern(getters["PREFIX"](string))
        lex.suffix = strings.intern(getters["SUFFIX"](string))
        cdef flags_t flags = 0
        cdef flags_t one = 1
        for bit, getter in self._flag_getters:
            if getter(string):
                flags |= one << <flags_t>bit
        if string.lower() in self.lang_data.stop_words:
            flags |= one << <flags_t>IS_STOP
        lex.flags = flags
        self._by_orth.set(orth, lex)
        self._orths.append(orth)
        return lex

    def __getitem__(self, key) -> Lexeme:
        """The Lexeme for a string or a string id (created on first lookup)."""
        cdef const LexemeC* lex
        if isinstance(key, str):
            lex = self.get(key)
        elif hasattr(key, "__index__") and not isinstance(key, bool):
            lex = self.get_by_orth(int(key))
        else:
            raise TypeError(f"Vocab keys are str or int ids, got {type(key).__name__}: {key!r}")
        return Lexeme.from_ptr(self, lex)

    def __contains__(self, key) -> bool:
        """Whether a lexeme for this string (or id) has been created."""
        if isinstance(key, str):
            key = self.strings[key]
        elif not hasattr(key, "__index__"):
            return False
        return self._by_orth.get(<attr_t>int(key)) != NULL

    def __len__(self) -> int:
        return len(self._orths)

    def __iter__(self):
        for orth in list(self._orths):
            yield Lexeme.from_ptr(self, <const LexemeC*>self._by_orth.get(<attr_t>orth))

    def __reduce__(self):
        return (_vocab_from_bytes, (self.to_bytes(),))

    def _serial_dict(self) -> dict:
        return {
            "lang": self.lang,
            "strings": list(self.strings),
            "lexemes": [self.strings[orth] for orth in self._orths],
        }

    def _load_serial_dict(self, msg, source: str) -> None:
        if not isinstance(msg, dict) or "strings" not in msg or "lexemes" not in msg:
            raise ValueError(f"{source}: not a serialized Vocab (missing 'strings' or 'lexemes')")
        for key in ("strings", "lexemes"):
            if not isinstance(msg[key], list) or not all(isinstance(s, str) for s in msg[key]):
                raise ValueError(f"{source}: '{key}' must be a list of strings")
        if msg.get("lang", self.lang) != self.lang:
            raise ValueError(
                f"{source}: vocab was saved for language {msg['lang']!r}, loading into {self.lang!r}"
            )
        for string in msg["strings"]:
            self.strings.add(string)
        for string in msg["lexemes"]:
            self.get(string)

    def to_bytes(self) -> bytes:
        """Strings, lexicon and (when set) tag map and vectors, as msgpack bytes."""
        msg = self._serial_dict()
        msg["tag_map"] = self.tag_map.to_bytes() if self.tag_map is not None else None
        msg["vectors"] = self.vectors.to_bytes() if self.vectors is not None else None
        return _msgpack.dumps(msg)

    def from_bytes(self, data: bytes):
        """Load what to_bytes wrote (into a Vocab of the same language)."""
        msg = _msgpack.loads(data)
        self._load_serial_dict(msg, "Vocab.from_bytes")
        if msg.get("tag_map") is not None:
            from .tag_map import TagMap
            self.tag_map = TagMap().from_bytes(msg["tag_map"])
        if msg.get("vectors") is not None:
            from .vectors import Vectors
            self.vectors = Vectors().from_bytes(msg["vectors"])
        return self

    def to_disk(self, path) -> None:
        """Write vocab.json (strings and lexicon) and, when set, tag_map/ and vectors/ into `path`."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "vocab.json", self._serial_dict())
        if self.tag_map is not None:
            self.tag_map.to_disk(path / "tag_map")
        if self.vectors is not None:
            self.vectors.to_disk(path / "vectors")

    def from_disk(self, path):
        """Load what to_disk wrote; errors name the file."""
        path = Path(path)
        vocab_file = path / "vocab.json"
        if not vocab_file.exists():
            raise FileNotFoundError(f"{vocab_file}: no such file (not a saved Vocab directory)")
        try:
            msg = srsly.read_json(vocab_file)
        except ValueError as err:
            raise ValueError(f"{vocab_file}: invalid JSON ({err})") from None
        self._load_serial_dict(msg, str(vocab_file))
        if (path / "tag_map").exists():
            from .tag_map import TagMap
            self.tag_map = TagMap().from_disk(path / "tag_map")
        if (path / "vectors").exists():
            from .vectors import Vectors
            self.vectors = Vectors().from_disk(path / "vectors")
        return self


def _vocab_from_bytes(data: bytes) -> Vocab:
    msg = _msgpack.loads(data)
    return Vocab(msg["lang"]).from_bytes(data)
