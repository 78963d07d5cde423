"""Word-vector reads behind `.vector`, `.has_vector`, `.vector_norm` and `.similarity()` of
Lexeme, Token, Span and Doc, with the meaning spaCy v2 gave them.

A word's vector is the row of `vocab.vectors` keyed by its ORTH hash (v2 looked words up by
their exact text); a word without a row reads zeros of the table's width, and a vocab without
a table has width 0. A Span or Doc averages the vectors of its tokens, a word without a row
counting as zeros, as v2 did; it "has a vector" when any of its tokens does. Only the vectors
table is read, never `doc.tensor` (v2 fell back to the tensor when it had no vectors): one
source, so a value never depends on which components ran. Vectors are float32 copies, so
changing one never changes the table.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy


def _table_width(vocab) -> int:
    table = vocab.vectors
    return 0 if table is None else int(table.shape[1])


def _row_of(vocab, orth: int) -> int | None:
    table = vocab.vectors
    return None if table is None else table.key2row.get(int(orth))


def mean_vector(vocab, orths: Sequence[int]) -> numpy.ndarray:
    """The float32 average of the vectors of the words `orths`, a word without a row counting
    as zeros; zeros of the table's width for no words at all. One word: its row, exactly."""
    total = numpy.zeros((_table_width(vocab),), dtype=numpy.float64)
    rows = [row for row in (_row_of(vocab, orth) for orth in orths) if row is not None]
    if rows:
        total += vocab.vectors.data[rows].sum(axis=0, dtype=numpy.float64)
    return (total / max(len(orths), 1)).astype(numpy.float32)


def _has_vector(obj) -> bool:
    """Whether the vocab's vectors table has a row for the text (for a Span or Doc: for any
    of its tokens' texts)."""
    vocab, orths = obj._vector_source()
    return any(_row_of(vocab, orth) is not None for orth in orths)


def _vector(obj) -> numpy.ndarray:
    """The word vector, a float32 copy (for a Span or Doc: the average of its tokens'
    vectors); zeros of the table's width for a word without one, or an empty span."""
    return mean_vector(*obj._vector_source())


def _vector_norm(obj) -> float:
    """The L2 norm of `vector` (0.0 without a vector)."""
    return l2_norm(obj.vector)


# The members each of Lexeme, Token, Span and Doc takes; the class supplies
# `_vector_source() -> (vocab, ORTH keys of its words)`.
has_vector = property(_has_vector)
vector = property(_vector)
vector_norm = property(_vector_norm)


def similarity_method(owner: str) -> Callable[[object, object], float]:
    """The `similarity(other)` method of the class named `owner` (named in its messages)."""

    def similarity_(self, other) -> float:
        """Cosine similarity of the vectors, with a Token, Span, Doc or Lexeme (anything with
        .vector and .vector_norm); 0.0 and a W008 warning when either has no vector."""
        return similarity(owner, self, other)

    similarity_.__name__ = "similarity"
    similarity_.__qualname__ = f"{owner}.similarity"
    return similarity_


def l2_norm(vector: numpy.ndarray) -> float:
    """The Euclidean length of `vector` (summed in float64), as a Python float."""
    vector = numpy.asarray(vector, dtype=numpy.float64)
    return float(numpy.sqrt(numpy.dot(vector, vector)))


def _describe(obj) -> str:
    text = getattr(obj, "text", None)
    if not isinstance(text, str):
        return type(obj).__name__
    text = text if len(text) <= 30 else text[:27] + "..."
    return f"{type(obj).__name__} {text!r}"


def _vector_and_norm(obj, owner: str) -> tuple[numpy.ndarray, float]:
    """`obj.vector` (float64, flat) and `obj.vector_norm`; a TypeError for anything else."""
    vector = getattr(obj, "vector", None)
    norm = getattr(obj, "vector_norm", None)
    if vector is None or norm is None:
        raise TypeError(
            f"{owner}.similarity: expected a Token, Span, Doc or Lexeme (anything with .vector "
            f"and .vector_norm), got {type(obj).__name__}"
        )
    return numpy.asarray(vector, dtype=numpy.float64).reshape(-1), float(norm)


def similarity(owner: str, mine, other) -> float:
    """Cosine similarity of the vectors of `mine` (a `owner`: "Token", "Span", ...) and
    `other`. 0.0 with a W008 warning, as v2, when either vector is all zeros (no vector)."""
    theirs, their_norm = _vector_and_norm(other, owner)
    vector = numpy.asarray(mine.vector, dtype=numpy.float64).reshape(-1)
    norm = l2_norm(vector)
    empty = [_describe(obj) for obj, n in ((mine, norm), (other, their_norm)) if n == 0.0]
    if empty:
        verb = "has" if len(empty) == 1 else "have"
        warnings.warn(
            f"W008: {owner}.similarity is 0.0: {' and '.join(empty)} {verb} no word vector (the "
            "vocab's vectors table has no row for the words)", UserWarning, stacklevel=3,
        )
        return 0.0
    if vector.shape != theirs.shape:
        raise ValueError(
            f"{owner}.similarity: vectors of width {vector.shape[0]} and {theirs.shape[0]} "
            "cannot be compared (they come from different vectors tables)"
        )
    if numpy.array_equal(vector, theirs):
        return 1.0
    cosine = float(numpy.dot(vector, theirs)) / (norm * their_norm)
    return min(1.0, max(-1.0, cosine))
