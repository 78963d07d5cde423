import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_gold import (
    decorated_label_freqs,
    deprojectivize,
    is_nonproj_arc,
    is_nonproj_tree,
    projectivize,
)
from nlp_gold.errors import GoldError
from nlp_gold.nonproj import check_heads

# 0 1 2 3 4: word 3 hangs off 1 across word 2, whose head (4) is outside the arc.
NONPROJ_HEADS = [1, 1, 4, 1, 1]
NONPROJ_LABELS = ["nsubj", "ROOT", "advmod", "dobj", "ccomp"]


def test_detects_nonprojective_arc():
    assert is_nonproj_tree(NONPROJ_HEADS)
    assert is_nonproj_arc(2, NONPROJ_HEADS)
    assert not is_nonproj_arc(0, NONPROJ_HEADS)
    assert not is_nonproj_tree([1, 1, 1])


def test_projectivize_lifts_and_decorates():
    heads, labels = projectivize(NONPROJ_HEADS, NONPROJ_LABELS)
    assert heads == [1, 1, 1, 1, 1]
    assert labels[2] == "advmod||ccomp"
    assert not is_nonproj_tree(heads)
    assert deprojectivize(heads, labels) == (NONPROJ_HEADS, NONPROJ_LABELS)


def test_rare_decorated_labels_back_off():
    freqs = decorated_label_freqs([(NONPROJ_HEADS, NONPROJ_LABELS)])
    assert freqs == {"advmod||ccomp": 1}
    _, labels = projectivize(NONPROJ_HEADS, NONPROJ_LABELS, label_freqs=freqs, freq_cutoff=2)
    assert labels[2] == "advmod"
    _, labels = projectivize(NONPROJ_HEADS, NONPROJ_LABELS, label_freqs=freqs, freq_cutoff=1)
    assert labels[2] == "advmod||ccomp"


def test_unknown_heads_are_left_alone():
    heads = [1, 1, None, 1, 1]
    assert projectivize(heads, NONPROJ_LABELS) == (heads, NONPROJ_LABELS)


def test_check_heads_finds_cycles_and_range():
    with pytest.raises(GoldError, match="cycle"):
        check_heads([1, 2, 0])
    with pytest.raises(GoldError, match="out of range"):
        check_heads([0, 5])


@st.composite
def trees(draw):
    n = draw(st.integers(1, 18))
    order = draw(st.permutations(list(range(n))))
    heads = [0] * n
    heads[order[0]] = order[0]
    for k in range(1, n):
        heads[order[k]] = order[draw(st.integers(0, k - 1))]
    labels = [draw(st.sampled_from(["a", "b", "c"])) for _ in range(n)]
    labels[order[0]] = "ROOT"
    return heads, labels


@given(trees())
def test_projectivize_round_trip_on_random_trees(tree):
    heads, labels = tree
    proj_heads, proj_labels = projectivize(heads, labels)
    assert not is_nonproj_tree(proj_heads)
    assert deprojectivize(proj_heads, proj_labels) == (heads, labels)
