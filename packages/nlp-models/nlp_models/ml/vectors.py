"""A static word-vector table (numpy array + key->row map) and the frozen layer that reads it."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy
import srsly
from thinc.api import Model
from thinc.model import deserialize_attr, serialize_attr
from thinc.types import Floats2d, Ragged


class VectorTable:
    """Rows of static vectors addressed by 64-bit keys; unknown keys read a zero row."""

    def __init__(self, data: numpy.ndarray, keys: Mapping[int, int] | Iterable[int]):
        data = numpy.ascontiguousarray(data, dtype="float32")
        if data.ndim != 2:
            raise ValueError(f"VectorTable: data must be 2d (n_rows, width), got shape {data.shape}")
        if isinstance(keys, Mapping):
            key_arr = numpy.fromiter(keys.keys(), dtype="uint64", count=len(keys))
            row_arr = numpy.fromiter(keys.values(), dtype="int64", count=len(keys))
        else:
            key_arr = numpy.asarray(list(keys), dtype="uint64")
            row_arr = numpy.arange(len(key_arr), dtype="int64")
        if len(row_arr) and (row_arr.min() < 0 or row_arr.max() >= data.shape[0]):
            raise ValueError(f"VectorTable: a key maps to a row outside 0..{data.shape[0] - 1}")
        order = numpy.argsort(key_arr, kind="stable")
        self._keys = key_arr[order]
        self._rows = row_arr[order]
        # The last row is the zero "unknown" row.
        self.data = numpy.vstack([data, numpy.zeros((1, data.shape[1]), dtype="float32")])
        self._device: dict[int, Any] = {}

    @classmethod
    def from_vectors(cls, vectors: Any) -> "VectorTable":
        """Adapt a Vectors-like object with `.data` and a `.key2row` mapping."""
        return cls(numpy.asarray(vectors.data), dict(vectors.key2row))

    @property
    def width(self) -> int:
        return self.data.shape[1]

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, keys: numpy.ndarray) -> numpy.ndarray:
        """Row of each key (int64), -1 where the key has no vector."""
        keys = numpy.asarray(keys, dtype="uint64")
        if len(self._keys) == 0:
            return numpy.full(keys.shape, -1, dtype="int64")
        pos = numpy.searchsorted(self._keys, keys)
        pos = numpy.minimum(pos, len(self._keys) - 1)
        found = self._keys[pos] == keys
        return numpy.where(found, self._rows[pos], -1)

    def lookup(self, keys: numpy.ndarray) -> numpy.ndarray:
        """(len(keys), width) vectors; zeros for unknown keys."""
        return self.data[self.find(keys)]

    def device_data(self, ops: Any) -> Any:
        """The table (with its zero row) as an array of `ops` (copied to the GPU once)."""
        key = id(ops.xp)
        if key not in self._device:
            self._device[key] = ops.asarray2f(self.data)
        return self._device[key]

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps(
            {"data": self.data[:-1], "keys": self._keys, "rows": self._rows}
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "VectorTable":
        msg = srsly.msgpack_loads(data)
        return cls(msg["data"], dict(zip(msg["keys"].tolist(), msg["rows"].tolist())))


@serialize_attr.register(VectorTable)
def _serialize_table(_: VectorTable, value: VectorTable, name: str, model: Model) -> bytes:
    # Vectors are saved with the vocabulary, not inside every model that reads them.
    return b""


@deserialize_attr.register(VectorTable)
def _deserialize_table(_: VectorTable, value: bytes, name: str, model: Model) -> VectorTable:
    return model.attrs[name]


def StaticVectors(table: VectorTable, column: int) -> Model[Ragged, Floats2d]:
    """Frozen lookup of `table` by the keys in `column` of a (N, n_attrs) uint64 feature array."""
    return Model(
        "static_vectors",
        _forward,
        attrs={"vectors": table, "column": column},
        dims={"nO": table.width, "nI": None},
    )


def _forward(model: Model, X: Any, is_train: bool) -> tuple[Floats2d, Callable]:
    table: VectorTable = model.attrs["vectors"]
    keys = model.ops.to_numpy(X[:, model.attrs["column"]]).astype("uint64", copy=False)
    rows = model.ops.asarray1i(table.find(keys))
    data = table.device_data(model.ops)
    Y = data[rows]

    def backprop(dY: Floats2d) -> Any:
        return X  # the table is frozen and ids have no gradient

    return Y, backprop


def static_vector_targets(
    table: VectorTable, features: list, column: int, ops: Any | None = None
) -> tuple[list, list]:
    """Per doc, the vectors of its tokens' keys (`column`) and a mask of tokens that have one."""
    targets, masks = [], []
    for X in features:
        keys = numpy.asarray(X)[:, column].astype("uint64", copy=False)
        rows = table.find(keys)
        vecs = table.data[rows]
        mask = (rows >= 0).astype("float32")
        if ops is not None:
            vecs, mask = ops.asarray2f(vecs), ops.asarray1f(mask)
        targets.append(vecs)
        masks.append(mask)
    return targets, masks
