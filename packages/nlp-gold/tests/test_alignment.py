import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_gold import Alignment, AlignmentError


def test_one_to_many_and_many_to_one():
    align = Alignment.from_words(["I", "dont", "like", "New York", " ", "."], ["I", "do", "nt", "like", "New", "York", "."])
    assert align.x2y == [[0], [1, 2], [3], [4, 5], [], [6]]
    assert align.y2x == [[0], [1], [1], [2], [3], [3], [5]]
    assert align.x2y_one == [0, -1, 2 + 1, -1, -1, 6]
    assert align.y2x_one == [0, -1, -1, 2, -1, -1, 5]


def test_identical_words_take_the_fast_path():
    align = Alignment.from_words(["a", "b"], ["a", "b"])
    assert align.identity and align.x2y == [[0], [1]]


def test_different_texts_raise_with_first_difference():
    with pytest.raises(AlignmentError, match=r"example 7: .*character 8: predicted 'Hellowordl' vs gold 'Helloworld'"):
        Alignment.from_words(["Hello", "wordl"], ["Hello", "world"], "example 7")


@st.composite
def two_tokenizations(draw):
    text = draw(st.text(alphabet="abcdef", min_size=1, max_size=40))

    def cut():
        cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(text) - 1)), max_size=12))))
        bounds = [0] + [c for c in cuts if 0 < c < len(text)] + [len(text)]
        words = [text[a:b] for a, b in zip(bounds, bounds[1:])]
        if draw(st.booleans()):
            words.insert(draw(st.integers(0, len(words))), " ")
        return words

    return cut(), cut()


def _char_owner(words):
    owner = []
    for i, w in enumerate(words):
        owner.extend([i] * len("".join(w.split())))
    return owner


@given(two_tokenizations())
def test_alignment_of_random_retokenizations(pair):
    xs, ys = pair
    align = Alignment.from_words(xs, ys)
    expected_x2y = [set() for _ in xs]
    expected_y2x = [set() for _ in ys]
    for x, y in zip(_char_owner(xs), _char_owner(ys)):
        expected_x2y[x].add(y)
        expected_y2x[y].add(x)
    assert [set(v) for v in align.x2y] == expected_x2y
    assert [set(v) for v in align.y2x] == expected_y2x
    for i, j in enumerate(align.x2y_one):
        if j >= 0:
            assert xs[i] == ys[j]
