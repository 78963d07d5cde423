"""Character features of each word: its code points as feature columns, and a character CNN.

Hashed lexical features see a word only through a few strings (NORM, PREFIX, SUFFIX, SHAPE): an
unseen word with a known ending gets nothing from its ending beyond SUFFIX's three characters.
A character CNN learns which character n-grams matter: each character is embedded, a window of
`window` characters (3 by default, any odd number) goes through one ReLU layer, and the maximum
over the word's positions is the word's (n_tokens, nO) vector, concatenated beside the hashed
tables (see tok2vec.py).

Input: `char_len` columns of each doc's feature array (`featurize_docs(..., char_len=...)`),
one Unicode code point a column, 0 for padding; a word longer than `char_len` keeps its first
half and its last half of that many characters, so prefixes and suffixes both survive. Padding
neither feeds the convolution nor enters the maximum, so a word's vector does not depend on
the batch it is in.

Edges (`edges=True`, tok2vec cfg `char_edges`): the windows at a word's first and last character
see a learned start or end row where they would see zeros, so a filter can tell a word-final
"ssa" (a Finnish case ending) from the same letters inside a word; max-pooling alone keeps no
position. Without edges both are zero rows, as in models saved before the option.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy
from thinc.api import Model, glorot_uniform_init

#: Rows of the character embedding table: code points below `DIRECT_ROWS` (Latin, Latin-1 and
#: Latin Extended A/B) have a row each; any other code point a hashed one of the rest.
CHAR_ROWS = 2048
DIRECT_ROWS = 0x250
#: The rows a window reads outside its word: the start's, then the end's (zeros without edges).
EDGE_ROWS = 2
#: Characters a filter reads unless told: also the window of models saved before the option
#: (their cfg has no `char_window`, their saved nodes no nW).
DEFAULT_CHAR_WINDOW = 3
_HASH_MULTIPLIER = 0x9E3779B1


def char_codes(words: Sequence[str], char_len: int) -> numpy.ndarray:
    """A uint64 (len(words), char_len) array of each word's code points, 0-padded; a longer word
    keeps its first ceil(char_len/2) and its last floor(char_len/2) characters."""
    if char_len < 1:
        raise ValueError(f"char_len must be >= 1, got {char_len}")
    lengths = numpy.fromiter(map(len, words), dtype="int64", count=len(words))
    out = numpy.zeros((len(words), char_len), dtype="uint64")
    if not lengths.sum():
        return out
    text = "".join(words).encode("utf-32-le", "surrogatepass")
    points = numpy.frombuffer(text, dtype="<u4")
    starts = numpy.cumsum(lengths) - lengths
    pos = numpy.arange(char_len)[None, :]
    long = lengths[:, None] > char_len
    head = (char_len + 1) // 2
    offsets = numpy.where(long & (pos >= head), lengths[:, None] - char_len + pos, pos)
    present = pos < lengths[:, None]
    index = numpy.where(present, starts[:, None] + offsets, 0)
    out[present] = points[index[present]]
    return out


def char_rows(ops: Any, codes: Any, n_rows: int = CHAR_ROWS) -> Any:
    """The embedding row of each code point (int32, the shape of `codes`)."""
    xp = ops.xp
    codes = codes.astype("uint64")
    hashed = (codes * _HASH_MULTIPLIER >> 7) % (n_rows - DIRECT_ROWS) + DIRECT_ROWS
    return xp.where(codes < DIRECT_ROWS, codes, hashed).astype("int32")


def CharEmbed(nO: int, char_len: int, char_dim: int, column: int, edges: bool = False,
              window: int = DEFAULT_CHAR_WINDOW) -> Model[Any, Any]:
    """Character CNN: reads the `char_len` code point columns from `column` of a uint64
    (n_tokens, n_columns) feature array; returns (n_tokens, nO) float32 vectors. `edges` learns
    the rows a window reads beyond the word's start and end (dim nB: 2, else 0); `window` (odd,
    dim nW) is how many characters each filter reads, centred on one."""
    for name, value in (("chars", nO), ("char_len", char_len), ("char_dim", char_dim)):
        if value < 1:
            raise ValueError(f"tok2vec: {name} must be >= 1, got {value}")
    if window < 1 or window % 2 == 0:
        raise ValueError(f"tok2vec: char_window must be an odd number >= 1, got {window}")
    return Model(
        "char_embed",
        _forward,
        init=_init,
        dims={"nO": nO, "nV": CHAR_ROWS, "nD": char_dim, "nL": char_len, "nB": EDGE_ROWS if edges else 0,
              "nW": window},
        params={"E": None, "W": None, "b": None, **({"B": None} if edges else {})},
        attrs={"column": column},
    )


def _init(model: Model, X: Any = None, Y: Any = None) -> None:
    ops = model.ops
    nO, nV, nD = (model.get_dim(d) for d in ("nO", "nV", "nD"))
    # Unit-order embeddings: at +-0.1 (a HashEmbed's) a toy suffix rule took several times longer
    model.set_param("E", ops.asarray2f(ops.xp.random.uniform(-1.0, 1.0, (nV, nD))))
    if model.get_dim("nB"):
        model.set_param("B", ops.asarray2f(ops.xp.random.uniform(-1.0, 1.0, (EDGE_ROWS, nD))))
    model.set_param("W", glorot_uniform_init(ops, (nO, model.get_dim("nW") * nD)))
    model.set_param("b", ops.alloc1f(nO))


def _codes(model: Model, X: Any) -> Any:
    """The `nL` code point columns of X that the model reads."""
    column, width = model.attrs["column"], model.get_dim("nL")
    if X.ndim != 2 or X.shape[1] < column + width:
        raise ValueError(f"char_embed: features have shape {X.shape}, the model reads {width} "
                         f"character columns from column {column}")
    return X[:, column : column + width]


class CharPositions:
    """Where a batch's characters are. Only real characters are convolved (a padded array
    would spend most of the work on padding): `rows` (n_chars, window) are the table rows of
    the `window` characters centred on each character (before the word the row `n_rows`, after
    it `n_rows + 1`: the edge rows), and `lengths` the number of characters of each word, in
    order. A word with none counts one position of edge rows, so every word has a maximum."""

    def __init__(self, ops: Any, codes: Any, n_rows: int, window: int) -> None:
        xp = ops.xp
        n, L = codes.shape
        half = window // 2
        present = codes != 0
        padded = xp.full((n, L + 2 * half), n_rows + 1, dtype="int32")
        padded[:, :half] = n_rows
        padded[:, half : half + L] = xp.where(present, char_rows(ops, codes, n_rows), n_rows + 1)
        present[:, 0] |= ~present.any(axis=1)
        word, pos = present.nonzero()
        flat = (word * (L + 2 * half) + pos).astype("int64")
        padded = padded.reshape(-1)
        self.rows = xp.stack([padded[flat + offset] for offset in range(window)], axis=1)
        self.lengths = ops.asarray1i(present.sum(axis=1))


def _forward(model: Model, X: Any, is_train: bool) -> tuple[Any, Callable]:
    ops = model.ops
    xp = ops.xp
    nO, nV, nD = (model.get_dim(d) for d in ("nO", "nV", "nD"))
    window = model.get_dim("nW")
    at = CharPositions(ops, _codes(model, X), nV, window)
    edges = model.get_param("B") if model.get_dim("nB") else xp.zeros((EDGE_ROWS, nD), dtype="float32")
    table = xp.concatenate([model.get_param("E"), edges])
    cols = table[at.rows].reshape((len(at.rows), window * nD))  # (n_chars, window*D): one window a row
    W = model.get_param("W")
    hidden = ops.gemm(cols, W, trans2=True)
    hidden += model.get_param("b")
    xp.maximum(hidden, 0.0, out=hidden)
    Y, which = ops.reduce_max(hidden, at.lengths)

    def backprop(dY: Any) -> Any:
        d_hidden = ops.backprop_reduce_max(ops.as_contig(dY, dtype="float32"), which, at.lengths)
        d_hidden *= hidden > 0
        model.inc_grad("W", ops.gemm(d_hidden, cols, trans1=True))
        model.inc_grad("b", d_hidden.sum(axis=0))
        d_cols = ops.gemm(d_hidden, W).reshape((len(at.rows) * window, nD))
        d_table = ops.alloc2f(nV + EDGE_ROWS, nD)
        ops.scatter_add(d_table, ops.as_contig(at.rows.reshape(-1)), ops.as_contig(d_cols))
        model.inc_grad("E", d_table[:nV])
        if model.get_dim("nB"):
            model.inc_grad("B", d_table[nV:])
        return X

    return Y, backprop
