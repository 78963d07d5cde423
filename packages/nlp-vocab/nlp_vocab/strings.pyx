"""StringStore: interns strings as 64-bit murmurhash ids, and maps ids back to strings."""

from pathlib import Path

import srsly

from . import _msgpack
from .typedefs cimport hash_t


cpdef hash_t _hash(str string):
    cdef bytes utf8 = string.encode("utf8")
    return hash_utf8(utf8, len(utf8))


def hash_string(string: str) -> int:
    """The 64-bit id of a string: murmurhash64 (seed 1) of its UTF-8 bytes; "" -> 0."""
    if not isinstance(string, str):
        raise TypeError(f"hash_string expects a str, got {type(string).__name__}")
    return _hash(string)


cdef class StringStore:
    """Two-way map between strings and their 64-bit hash ids.

    The empty string always maps to 0 and is implicitly present.
    """

    def __init__(self, strings=None):
        self._by_key = {0: ""}
        self._keys = []
        if strings is not None:
            for s in strings:
                self.add(s)

    cdef hash_t intern(self, str string) except? 0:
        cdef hash_t key = _hash(string)
        if key not in self._by_key:
            self._by_key[key] = string
            self._keys.append(key)
        return key

    def add(self, string: str) -> int:
        """Intern a string; returns its id."""
        if not isinstance(string, str):
            raise TypeError(f"StringStore.add expects a str, got {type(string).__name__}: {string!r}")
        return self.intern(string)

    def __getitem__(self, key):
        """str -> id (interning nothing); id -> str (KeyError naming the id if unknown)."""
        if isinstance(key, str):
            return _hash(key)
        if isinstance(key, bool) or not hasattr(key, "__index__"):
            raise TypeError(f"StringStore keys are str or int, got {type(key).__name__}: {key!r}")
        try:
            return self._by_key[int(key)]
        except KeyError:
            raise KeyError(f"string id {int(key)} is not in the StringStore") from None

    def as_string(self, key) -> str:
        """id -> str, or str unchanged."""
        return key if isinstance(key, str) else self[key]

    def __contains__(self, key) -> bool:
        if isinstance(key, str):
            return _hash(key) in self._by_key
        if hasattr(key, "__index__") and not isinstance(key, bool):
            return int(key) in self._by_key
        return False

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self):
        by_key = self._by_key
        for key in self._keys:
            yield by_key[key]

    def __reduce__(self):
        return (StringStore, (list(self),))

    def to_bytes(self) -> bytes:
        """Serialize as a msgpack list of the strings, in insertion order."""
        return _msgpack.dumps(list(self))

    def from_bytes(self, data: bytes):
        """Add the strings serialized by to_bytes (existing strings are kept)."""
        strings = _msgpack.loads(data)
        if not isinstance(strings, list):
            raise ValueError("StringStore.from_bytes: data is not a serialized string list")
        for s in strings:
            self.add(s)
        return self

    def to_disk(self, path) -> None:
        """Write the strings as a JSON list to `path`."""
        srsly.write_json(Path(path), list(self))

    def from_disk(self, path):
        """Read strings written by to_disk; errors name the file."""
        path = Path(path)
        try:
            strings = srsly.read_json(path)
        except ValueError as err:
            raise ValueError(f"{path}: not a valid JSON string list ({err})") from None
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise ValueError(f"{path}: expected a JSON list of strings")
        for s in strings:
            self.add(s)
        return self
