"""Token features as arrays: the models' input is one uint64 (n_tokens, n_attrs) array per doc.

Keeping the models' input as plain arrays of string hashes (NORM, PREFIX, SUFFIX, SHAPE, ...)
means the networks never touch a Doc, and readers never touch a network.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy
from thinc.api import Model

from .chars import char_codes

FEATURE_ATTRS: tuple[str, ...] = ("NORM", "PREFIX", "SUFFIX", "SHAPE")


def featurize_docs(
    docs: Sequence[Any], attrs: Sequence[Any] = FEATURE_ATTRS, char_len: int = 0
) -> list[numpy.ndarray]:
    """One uint64 (n_tokens, len(attrs) + char_len) array per doc: `doc.to_array(attrs)`, then,
    when `char_len` > 0, each token's code points (`chars.char_codes`: 0-padded, the first and
    last halves of a longer word) for a tok2vec with character features."""
    attrs = list(attrs)
    out = []
    for i, doc in enumerate(docs):
        arr = numpy.asarray(doc.to_array(attrs))
        if arr.ndim == 1:
            arr = arr.reshape((-1, len(attrs)))
        if arr.ndim != 2 or arr.shape[1] != len(attrs):
            raise ValueError(
                f"docs[{i}].to_array({attrs}) returned shape {arr.shape}, "
                f"expected (n_tokens, {len(attrs)})"
            )
        out.append(numpy.ascontiguousarray(arr, dtype="uint64"))
    if char_len > 0:
        out = _append_chars(docs, out, char_len)
    return out


def _append_chars(docs: Sequence[Any], arrays: list[numpy.ndarray], char_len: int) -> list[numpy.ndarray]:
    """`arrays` with `char_len` code point columns appended (one pass over all docs' words)."""
    words = [word for doc in docs for word in _words(doc)]
    codes = char_codes(words, char_len)
    out, start = [], 0
    for arr in arrays:
        out.append(numpy.ascontiguousarray(numpy.hstack([arr, codes[start : start + len(arr)]])))
        start += len(arr)
    return out


def _words(doc: Any) -> list[str]:
    """The word forms the character features read ("el", not the surface piece "l", for the
    words of a multiword token), the token texts when the doc has no forms."""
    words = getattr(doc, "forms", None)
    if words is None:
        words = getattr(doc, "words", None)
    return list(words) if words is not None else [token.text for token in doc]


def featurize_for(tok2vec: Model, docs: Sequence[Any]) -> list[numpy.ndarray]:
    """The feature arrays `tok2vec` (built by `build_hash_embed_cnn_tok2vec`) reads for `docs`:
    its attrs' columns, and its character columns if it has a character CNN."""
    return featurize_docs(docs, tok2vec.attrs.get("attrs", FEATURE_ATTRS), tok2vec.attrs.get("char_len", 0))


def check_features(Xs: Sequence[Any], n_columns: int, who: str) -> None:
    """Raise a clear error naming the doc index if a feature array is not (n, >=n_columns) ints."""
    if not isinstance(Xs, (list, tuple)):
        raise TypeError(f"{who}: expected a list of feature arrays (one per doc), got {type(Xs).__name__}")
    for i, X in enumerate(Xs):
        shape = getattr(X, "shape", None)
        dtype = getattr(X, "dtype", None)
        if shape is None or len(shape) != 2:
            raise ValueError(f"{who}: features[{i}] must be a 2d array (n_tokens, n_attrs), got shape {shape}")
        if shape[1] < n_columns:
            raise ValueError(f"{who}: features[{i}] has {shape[1]} columns, the model reads {n_columns}")
        if dtype is None or dtype.kind not in "iu":
            raise ValueError(f"{who}: features[{i}] must hold integer hashes, got dtype {dtype}")


def doc_features(attrs: Sequence[Any] = FEATURE_ATTRS) -> Model[list, list]:
    """A layer turning Docs into their feature arrays (for a model whose other branch reads
    Docs, e.g. a text classifier ensemble with a shared-tok2vec listener). No gradient."""
    return Model("doc_features", _doc_features_forward, attrs={"attrs": list(attrs)})


def _doc_features_forward(model: Model, docs: list, is_train: bool) -> tuple[list, Callable]:
    return featurize_docs(docs, model.attrs["attrs"]), lambda d: docs
