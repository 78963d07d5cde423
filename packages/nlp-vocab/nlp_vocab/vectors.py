"""A table of static word vectors keyed by 64-bit string hashes.

Rows live in one float32 numpy array; a dict maps each key (the StringStore hash of a word) to
its row, so several keys may share a row. Loaders read word2vec / GloVe text files (plain or
gzipped) and `.npy` arrays; `to_disk`/`to_bytes` round-trip the table exactly.

`attr` names the token attribute the keys are strings of ("NORM", "ORTH"; None when the table
does not say), so a model looking vectors up by another attribute can refuse them instead of
reading mostly zero rows.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy
import srsly

from . import _msgpack

Key = int | str

_DATA_FILE = "vectors.npy"
_KEYS_FILE = "keys.npy"
_ROWS_FILE = "rows.npy"
_STRINGS_FILE = "strings.json"
_ATTR_FILE = "attr.json"


def nonfinite_row(data: numpy.ndarray, chunk: int = 65536) -> int | None:
    """The index of the first row of `data` holding nan or inf, or None (checked a block of
    rows at a time, so a large table needs no second table-sized mask)."""
    for start in range(0, data.shape[0], chunk):
        bad = numpy.flatnonzero(~numpy.isfinite(data[start:start + chunk]).all(axis=1))
        if bad.size:
            return start + int(bad[0])
    return None


def _require_finite(data: numpy.ndarray, source: str, keys=(), rows=(), strings: object = None) -> None:
    """A ValueError naming `source` and the row (and its word, when `keys`, `rows` and `strings`
    tell it) when a vector holds nan or inf: training on it turns the weights it touches to nan.
    Tables that are not 2D float arrays are left to the shape checks."""
    row = nonfinite_row(data) if data.ndim == 2 and data.dtype.kind == "f" else None
    if row is None:
        return
    named = ""
    keys_of_row = [k for k, r in zip(keys, rows) if int(r) == row][:1]
    if keys_of_row and isinstance(strings, dict) and str(int(keys_of_row[0])) in strings:
        named = f" (word {strings[str(int(keys_of_row[0]))]!r})"
    raise ValueError(f"{source}: the vector in row {row}{named} holds nan or inf values")


def check_keys_attr(attr: object, source: str) -> str | None:
    """`attr` upper-cased when it names a token attribute (None stays None: not stated); a
    ValueError naming `source` otherwise."""
    if attr is None:
        return None
    from .attrs import IDS

    if not isinstance(attr, str) or attr.upper() not in IDS:
        raise ValueError(f"{source}: the keys' attribute must be a token attribute name such as "
                         f"'NORM' or 'ORTH', got {attr!r}")
    return attr.upper()


def _hash(text: str) -> int:
    """The StringStore id of `text` (imported lazily: strings is a compiled sibling module)."""
    from .strings import hash_string

    return hash_string(text)


class Vectors:
    """Static word vectors: `vectors[word_or_hash] -> float32 row`."""

    def __init__(
        self,
        shape: tuple[int, int] | None = None,
        data: numpy.ndarray | None = None,
        keys: Iterable[Key] | None = None,
        attr: str | None = None,
    ) -> None:
        """Make a table from `data` (rows) or an all-zero table of `shape`.

        `keys`, if given, name the rows of `data` in order (strings are hashed); `attr`, the
        token attribute they are values of (e.g. "NORM" or "ORTH"; None: not stated).
        """
        self.attr = check_keys_attr(attr, "Vectors")
        if data is not None:
            data = numpy.asarray(data, dtype=numpy.float32)
            if data.ndim != 2:
                raise ValueError(f"Vectors data must be 2-dimensional, got shape {data.shape}")
            if shape is not None and tuple(shape) != data.shape:
                raise ValueError(f"Vectors: shape {tuple(shape)} disagrees with data {data.shape}")
            self.data = numpy.ascontiguousarray(data)
        else:
            rows, width = shape if shape is not None else (0, 0)
            if rows < 0 or width < 0:
                raise ValueError(f"Vectors: negative shape {shape}")
            self.data = numpy.zeros((rows, width), dtype=numpy.float32)
        self.key2row: dict[int, int] = {}
        self.strings: dict[int, str] = {}
        self._used: set[int] = set()
        self._next_free = 0
        if keys is not None:
            keys = list(keys)
            if len(keys) > self.data.shape[0]:
                raise ValueError(f"Vectors: {len(keys)} keys but only {self.data.shape[0]} rows")
            for row, key in enumerate(keys):
                self.add(key, row=row)

    # -- keys -----------------------------------------------------------------------------
    def _key(self, key: Key, remember: bool = False) -> int:
        if isinstance(key, str):
            h = _hash(key)
            if remember:
                self.strings[h] = key
            return h
        if isinstance(key, (int, numpy.integer)) and not isinstance(key, bool):
            return int(key)
        raise TypeError(f"Vectors key must be a str or an int hash, got {type(key).__name__}")

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, width) of the underlying table."""
        return self.data.shape

    @property
    def n_keys(self) -> int:
        return len(self.key2row)

    def __len__(self) -> int:
        """Number of keys that have a vector."""
        return len(self.key2row)

    def __contains__(self, key: Key) -> bool:
        return self._key(key) in self.key2row

    def has(self, key: Key) -> bool:
        """Whether `key` (a word or its hash) has a vector."""
        return key in self

    def keys(self) -> list[int]:
        """The keys (hashes) that have a vector, in insertion order."""
        return list(self.key2row)

    def values(self) -> Iterator[numpy.ndarray]:
        for row in self.key2row.values():
            yield self.data[row]

    def items(self) -> Iterator[tuple[int, numpy.ndarray]]:
        for key, row in self.key2row.items():
            yield key, self.data[row]

    def __iter__(self) -> Iterator[int]:
        return iter(self.key2row)

    def find(self, key: Key) -> int:
        """The row index of `key`; KeyError if it has none."""
        k = self._key(key)
        if k not in self.key2row:
            raise KeyError(f"no vector for key {key!r}")
        return self.key2row[k]

    # -- access ---------------------------------------------------------------------------
    def get(self, key: Key, default: numpy.ndarray | None = None) -> numpy.ndarray | None:
        """The vector of `key` (a view of its row), or `default`."""
        row = self.key2row.get(self._key(key))
        return default if row is None else self.data[row]

    def __getitem__(self, key: Key) -> numpy.ndarray:
        row = self.key2row.get(self._key(key))
        if row is None:
            raise KeyError(f"no vector for key {key!r}")
        return self.data[row]

    def __setitem__(self, key: Key, vector: numpy.ndarray) -> None:
        self.add(key, vector=vector)

    def add(self, key: Key, vector: numpy.ndarray | None = None, row: int | None = None) -> int:
        """Give `key` a vector and return its row.

        With `row`, the key points at that existing row (overwritten by `vector` if given);
        otherwise a key that already has a row gets it overwritten, and a new key takes the next
        unused row, growing the table when it is full.
        """
        k = self._key(key, remember=True)
        if vector is not None:
            vector = numpy.asarray(vector, dtype=numpy.float32).reshape(-1)
            if self.data.shape[1] == 0 and not self.key2row and self.data.shape[0] == 0:
                self.data = numpy.zeros((0, vector.shape[0]), dtype=numpy.float32)
            if vector.shape[0] != self.data.shape[1]:
                raise ValueError(
                    f"vector for key {key!r} has width {vector.shape[0]}, "
                    f"table width is {self.data.shape[1]}"
                )
        if row is None:
            row = self.key2row.get(k)
        if row is None:
            if vector is None:
                raise ValueError(f"Vectors.add({key!r}): give a vector or a row")
            row = self._free_row()
        elif not 0 <= row < self.data.shape[0]:
            raise IndexError(f"row {row} out of range for a table of {self.data.shape[0]} rows")
        self.key2row[k] = row
        self._used.add(row)
        if vector is not None:
            self.data[row] = vector
        return row

    def _free_row(self) -> int:
        rows = self.data.shape[0]
        while self._next_free < rows and self._next_free in self._used:
            self._next_free += 1
        if self._next_free >= rows:
            self.resize((max(16, rows * 2), self.data.shape[1]))
            self._next_free = rows  # every old row is in use; resize restarted the scan at 0
        return self._next_free

    def resize(self, shape: tuple[int, int]) -> list[tuple[int, int]]:
        """Change the table to `shape`: new cells are zero, cut rows lose their keys.

        Returns the (key, row) pairs removed because their row no longer exists.
        """
        rows, width = shape
        if rows < 0 or width < 0:
            raise ValueError(f"Vectors.resize: negative shape {shape}")
        new = numpy.zeros((rows, width), dtype=numpy.float32)
        keep_r = min(rows, self.data.shape[0])
        keep_w = min(width, self.data.shape[1])
        new[:keep_r, :keep_w] = self.data[:keep_r, :keep_w]
        self.data = new
        removed = [(k, r) for k, r in self.key2row.items() if r >= rows]
        for k, _ in removed:
            del self.key2row[k]
            self.strings.pop(k, None)
        self._used = {r for r in self._used if r < rows}
        self._next_free = 0
        return removed

    def most_similar(self, vector: numpy.ndarray, n: int = 10) -> list[tuple[int, float]]:
        """The `n` keys whose vectors have the highest cosine similarity with `vector`."""
        if not self.key2row:
            return []
        keys = numpy.fromiter(self.key2row.keys(), dtype=numpy.uint64, count=len(self.key2row))
        rows = numpy.fromiter(self.key2row.values(), dtype=numpy.int64, count=len(self.key2row))
        table = self.data[rows]
        query = numpy.asarray(vector, dtype=numpy.float32).reshape(-1)
        norms = numpy.linalg.norm(table, axis=1) * (numpy.linalg.norm(query) or 1.0)
        scores = table @ query / numpy.where(norms == 0, 1.0, norms)
        best = numpy.argsort(-scores, kind="stable")[:n]
        return [(int(keys[i]), float(scores[i])) for i in best]

    # -- loaders --------------------------------------------------------------------------
    @classmethod
    def from_glove_text(cls, path: str | Path) -> Vectors:
        """Read a word2vec or GloVe text file (plain or .gz, optional "N DIM" header line).

        Each line is a word then its values, space-separated; words may contain spaces (the
        last DIM fields are the values). A later duplicate of a word is ignored.
        """
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        words: list[str] = []
        rows: list[numpy.ndarray] = []
        seen: set[str] = set()
        width = None
        expected_rows = None
        n_lines = 0
        with opener(path, "rb") as raw:
            stream = io.TextIOWrapper(raw, encoding="utf8", errors="strict")
            lineno = 0
            try:
                for line in stream:
                    lineno += 1
                    line = line.rstrip("\r\n")
                    if not line.strip():
                        continue
                    fields = line.rstrip(" ").split(" ")
                    if lineno == 1 and len(fields) == 2 and all(f.isdigit() for f in fields):
                        expected_rows, width = int(fields[0]), int(fields[1])
                        continue
                    if width is None:
                        width = len(fields) - 1
                        if width < 1:
                            raise ValueError(f"{path}:{lineno}: expected a word and its values")
                    if len(fields) < width + 1:
                        raise ValueError(
                            f"{path}:{lineno}: expected a word and {width} values, "
                            f"got {len(fields)} fields"
                        )
                    word = " ".join(fields[: len(fields) - width])
                    try:
                        with numpy.errstate(over="ignore"):  # too large for float32: inf, refused below
                            values = numpy.array(fields[len(fields) - width :], dtype=numpy.float32)
                    except ValueError as err:
                        raise ValueError(f"{path}:{lineno}: bad number in vector: {err}") from None
                    if not numpy.isfinite(values).all():
                        raise ValueError(f"{path}:{lineno}: the vector of {word!r} holds nan or inf values")
                    n_lines += 1
                    if word in seen:
                        continue
                    seen.add(word)
                    words.append(word)
                    rows.append(values)
            except UnicodeDecodeError as err:
                raise ValueError(f"{path}:{lineno + 1}: not valid UTF-8: {err}") from None
        if expected_rows is not None and n_lines != expected_rows:
            raise ValueError(f"{path}: header says {expected_rows} vectors, file has {n_lines}")
        data = (
            numpy.vstack(rows) if rows else numpy.zeros((0, width or 0), dtype=numpy.float32)
        )
        return cls(data=data, keys=words)

    @classmethod
    def from_npy(cls, npy_path: str | Path, keys_path: str | Path) -> Vectors:
        """Load rows from a .npy array and their keys from `keys_path`.

        `keys_path` is a text file with one word a line, or a .npy array of uint64 hashes.
        """
        npy_path, keys_path = Path(npy_path), Path(keys_path)
        data = numpy.load(npy_path, allow_pickle=False)
        if data.ndim != 2:
            raise ValueError(f"{npy_path}: expected a 2D array, got shape {data.shape}")
        _require_finite(data, str(npy_path))
        keys: list[Key]
        if keys_path.suffix == ".npy":
            keys = [int(k) for k in numpy.load(keys_path, allow_pickle=False)]
        else:
            keys = keys_path.read_text(encoding="utf8").split("\n")
            if keys and keys[-1] == "":
                keys.pop()
        if len(keys) != data.shape[0]:
            raise ValueError(
                f"{keys_path}: {len(keys)} keys for {data.shape[0]} rows in {npy_path}"
            )
        return cls(data=data, keys=keys)

    # -- serialization --------------------------------------------------------------------
    def _key_arrays(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        keys = numpy.fromiter(self.key2row.keys(), dtype=numpy.uint64, count=len(self.key2row))
        rows = numpy.fromiter(self.key2row.values(), dtype=numpy.int64, count=len(self.key2row))
        return keys, rows

    def _set_state(self, data, keys, rows, strings, source: str = "Vectors") -> None:
        data = numpy.asarray(data)
        if data.ndim != 2:
            raise ValueError(f"{source}: the vector table must be 2D, got shape {data.shape}")
        if len(keys) != len(rows):
            raise ValueError(f"{source}: {len(keys)} keys but {len(rows)} row indices")
        bad = numpy.flatnonzero((numpy.asarray(rows) < 0) | (numpy.asarray(rows) >= data.shape[0]))
        if bad.size:  # a negative row would silently wrap; a large one fails far from here
            raise ValueError(f"{source}: key {int(keys[bad[0]])} points at row {int(rows[bad[0]])}, "
                             f"outside the table's {data.shape[0]} rows")
        self.data = numpy.ascontiguousarray(data, dtype=numpy.float32)
        self.key2row = {int(k): int(r) for k, r in zip(keys, rows)}
        self.strings = {int(k): s for k, s in strings.items()}
        self._used = set(self.key2row.values())
        self._next_free = 0

    def to_bytes(self) -> bytes:
        keys, rows = self._key_arrays()
        return _msgpack.dumps(
            {
                "shape": list(self.data.shape),
                "data": self.data.tobytes(),
                "keys": keys.tobytes(),
                "rows": rows.tobytes(),
                "strings": {str(k): s for k, s in self.strings.items()},
                "attr": self.attr,
            }
        )

    def from_bytes(self, data: bytes) -> Vectors:
        msg = _msgpack.loads(data)
        try:
            table = numpy.frombuffer(msg["data"], dtype=numpy.float32).reshape(msg["shape"])
            keys = numpy.frombuffer(msg["keys"], dtype=numpy.uint64)
            rows = numpy.frombuffer(msg["rows"], dtype=numpy.int64)
        except (KeyError, ValueError) as err:
            raise ValueError(f"Vectors.from_bytes: malformed data ({err})") from None
        _require_finite(table, "Vectors.from_bytes", keys, rows, msg.get("strings"))
        self._set_state(table.copy(), keys, rows, msg.get("strings", {}), source="Vectors.from_bytes")
        self.attr = check_keys_attr(msg.get("attr"), "Vectors.from_bytes")
        return self

    def to_disk(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        keys, rows = self._key_arrays()
        numpy.save(path / _DATA_FILE, self.data, allow_pickle=False)
        numpy.save(path / _KEYS_FILE, keys, allow_pickle=False)
        numpy.save(path / _ROWS_FILE, rows, allow_pickle=False)
        srsly.write_json(path / _STRINGS_FILE, {str(k): s for k, s in self.strings.items()})
        if self.attr is not None:
            srsly.write_json(path / _ATTR_FILE, {"attr": self.attr})
        elif (path / _ATTR_FILE).exists():
            (path / _ATTR_FILE).unlink()

    def from_disk(self, path: str | Path) -> Vectors:
        path = Path(path)
        for name in (_DATA_FILE, _KEYS_FILE, _ROWS_FILE):
            if not (path / name).exists():
                raise FileNotFoundError(f"Vectors.from_disk: missing {path / name}")
        data = _load_array(path / _DATA_FILE, "f")
        keys = _load_array(path / _KEYS_FILE, "iu")
        rows = _load_array(path / _ROWS_FILE, "iu")
        strings = _load_strings(path / _STRINGS_FILE) if (path / _STRINGS_FILE).exists() else {}
        _require_finite(data, str(path / _DATA_FILE), keys, rows, strings)
        self._set_state(data, keys, rows, strings, source=str(path))
        self.attr = _load_attr(path / _ATTR_FILE) if (path / _ATTR_FILE).exists() else None
        return self


def _load_array(path: Path, kinds: str) -> numpy.ndarray:
    """A saved NumPy array of a numeric kind in `kinds` ("f" float, "iu" integer); a ValueError
    naming the file if it is not one (pickled objects are never loaded)."""
    try:
        array = numpy.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f"{path}: not a NumPy array file ({' '.join(str(err).split())})") from None
    if array.dtype.kind not in kinds:
        raise ValueError(f"{path}: expected {'floats' if kinds == 'f' else 'integers'}, got {array.dtype} values")
    return array


def _load_attr(path: Path) -> str | None:
    """attr.json: {"attr": NAME}; a ValueError naming the file otherwise."""
    try:
        content = srsly.read_json(path)
    except ValueError as err:
        raise ValueError(f"{path}: invalid JSON ({' '.join(str(err).split())})") from None
    if not isinstance(content, dict) or set(content) != {"attr"}:
        raise ValueError(f'{path}: expected a JSON object {{"attr": NAME}}')
    return check_keys_attr(content["attr"], str(path))


def _load_strings(path: Path) -> dict[str, str]:
    """strings.json: an object of decimal key -> word; a ValueError naming the file otherwise."""
    try:
        strings = srsly.read_json(path)
    except ValueError as err:
        raise ValueError(f"{path}: invalid JSON ({' '.join(str(err).split())})") from None
    if not isinstance(strings, dict) or not all(
        isinstance(k, str) and k.isdigit() and isinstance(v, str) for k, v in strings.items()
    ):
        raise ValueError(f"{path}: expected a JSON object of decimal key -> word")
    return strings
