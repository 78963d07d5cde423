"""Maximum spanning tree decoding for graph-based dependency parsing (Chu-Liu/Edmonds).

`mst_heads(scores)` takes the arc scores of one sentence of n words as an (n+1, n+1) matrix,
`scores[d, h]` the score of word d (1..n) taking head h (0 is the root; row 0 and the
diagonal are not read), and returns the heads of the highest-scoring tree in which exactly
one word depends on the root.

The single-root constraint comes from reweighting, not from trying each root candidate: a
penalty larger than any difference between two trees' scores (n times the spread of the
scores, plus one) is subtracted from every root arc, so a tree with k root arcs loses k
penalties; every one-root tree loses the same one and keeps its order, and one with two or
more can never beat it. One Chu-Liu/Edmonds run (the nogil C loop of `_mst.pyx`, O(n^3) at
worst, usually O(n^2)) then finds the best one-root tree. Callers keep n bounded (the
biaffine parser cuts sentences longer than its cfg max_sentence_length).
"""

from __future__ import annotations

from typing import Any

import numpy

from ._mst import chu_liu_edmonds


def mst_heads(scores: Any) -> numpy.ndarray:
    """The heads (int64, length n+1, heads[0] = -1, 0 = the root) of the best one-root tree
    under the (n+1, n+1) arc scores `scores[dependent, head]` (any float dtype, finite)."""
    matrix = numpy.array(scores, dtype="float64", copy=True)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 1:
        raise ValueError(f"mst_heads: scores must be an (n+1, n+1) matrix, got shape {matrix.shape}")
    n = matrix.shape[0] - 1
    matrix[0] = 0.0
    numpy.fill_diagonal(matrix, 0.0)
    if not numpy.isfinite(matrix).all():
        raise ValueError("mst_heads: scores must be finite")
    if n > 1:
        penalty = n * float(matrix[1:].max() - matrix[1:].min()) + 1.0
        matrix[1:, 0] -= penalty
    return chu_liu_edmonds(matrix)
