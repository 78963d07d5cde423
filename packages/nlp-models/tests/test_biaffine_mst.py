"""The MST decoder of the biaffine parser (Chu-Liu/Edmonds, one root): on random score
matrices it always returns a tree, and the best one (against brute force on small sentences)."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_models.ml import mst_heads


def scores_of(n_words, seed, ties=False):
    """A random (n+1, n+1) float32 score matrix; with `ties`, few distinct values."""
    rng = numpy.random.default_rng(seed)
    if ties:
        return rng.integers(-2, 3, size=(n_words + 1, n_words + 1)).astype("float32")
    return (rng.standard_normal((n_words + 1, n_words + 1)) * rng.uniform(0.1, 100)).astype("float32")


def is_one_root_tree(heads):
    """Every word has a head, exactly one word's is the root (0), and no word is its own ancestor."""
    n = len(heads) - 1
    if heads[0] != -1 or any(not 0 <= h <= n or h == d for d, h in enumerate(heads[1:], 1)):
        return False
    if sum(1 for h in heads[1:] if h == 0) != 1:
        return False
    for d in range(1, n + 1):
        seen, v = set(), d
        while v != 0:
            if v in seen:
                return False
            seen.add(v)
            v = heads[v]
    return True


def total(scores, heads):
    return sum(float(scores[d, h]) for d, h in enumerate(heads[1:], 1))


def brute_force_best(scores):
    """The best total score over every one-root tree, enumerating all head assignments (as
    arrays: following heads n times from every word must reach the root)."""
    n = scores.shape[0] - 1
    heads = numpy.arange((n + 1) ** n)[:, None] // (n + 1) ** numpy.arange(n)[None, :] % (n + 1)
    with_root = numpy.concatenate([numpy.zeros((len(heads), 1), dtype="int64"), heads], axis=1)
    reached = numpy.tile(numpy.arange(n + 1), (len(heads), 1))
    for _ in range(n):
        reached = numpy.take_along_axis(with_root, reached, axis=1)
    words = numpy.arange(1, n + 1)
    trees = (reached == 0).all(axis=1) & ((heads == 0).sum(axis=1) == 1) & (heads != words).all(axis=1)
    totals = scores.astype("float64")[words, heads[trees]].sum(axis=1)
    return float(totals.max())


@settings(max_examples=300, deadline=None)
@given(n_words=st.integers(1, 30), seed=st.integers(0, 2**32 - 1), ties=st.booleans())
def test_random_scores_give_a_tree_with_one_root(n_words, seed, ties):
    heads = mst_heads(scores_of(n_words, seed, ties))
    assert heads.shape == (n_words + 1,) and heads.dtype == numpy.int64
    assert is_one_root_tree(heads.tolist())


@settings(max_examples=200, deadline=None)
@given(n_words=st.integers(1, 6), seed=st.integers(0, 2**32 - 1), ties=st.booleans())
def test_the_tree_is_the_best_one_root_tree(n_words, seed, ties):
    scores = scores_of(n_words, seed, ties)
    heads = mst_heads(scores)
    assert total(scores, heads) == pytest.approx(brute_force_best(scores), rel=1e-5, abs=1e-3)


def test_non_projective_and_single_root_choices():
    # Word 3 takes word 1 as its head across word 2, which is not under word 1 (a
    # non-projective arc); word 1 would rather hang from the root too, but the root gets one.
    scores = numpy.zeros((4, 4), dtype="float32")
    scores[1, 2] = 5.0  # 1 <- 2
    scores[2, 0] = 5.0  # 2 <- root
    scores[3, 1] = 5.0  # 3 <- 1
    scores[1, 0] = 6.0  # 1 <- root: the best without the single-root constraint
    assert mst_heads(scores).tolist() == [-1, 2, 0, 1]
    # A cycle 1 <-> 2 of best heads is broken where it costs least.
    scores = numpy.full((3, 3), -1.0, dtype="float32")
    scores[1, 2], scores[2, 1], scores[1, 0], scores[2, 0] = 3.0, 3.0, 0.0, 1.0
    assert mst_heads(scores).tolist() == [-1, 2, 0]


def test_edge_sizes_and_bad_input():
    assert mst_heads(numpy.zeros((1, 1), dtype="float32")).tolist() == [-1]
    assert mst_heads(numpy.zeros((2, 2), dtype="float32")).tolist() == [-1, 0]
    with pytest.raises(ValueError, match="must be an \\(n\\+1, n\\+1\\) matrix"):
        mst_heads(numpy.zeros((3, 4), dtype="float32"))
    bad = numpy.zeros((3, 3), dtype="float32")
    bad[1, 2] = numpy.nan
    with pytest.raises(ValueError, match="must be finite"):
        mst_heads(bad)
    # Row 0 and the diagonal are never read: anything may stand there.
    ignored = numpy.zeros((3, 3), dtype="float32")
    ignored[0, :] = numpy.inf
    ignored[1, 1] = ignored[2, 2] = numpy.nan
    ignored[2, 1] = 1.0
    assert mst_heads(ignored).tolist() == [-1, 0, 1]


def test_long_sentences_stay_fast():
    # 150 words of random scores (many cycles to contract): well under a second.
    scores = scores_of(150, 7)
    assert is_one_root_tree(mst_heads(scores).tolist())
