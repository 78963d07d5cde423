"""Word vectors through the API, as spaCy v2 users read them: `.vector`, `.has_vector`,
`.vector_norm` and `.similarity()` on Token, Span, Doc and Lexeme, checked against values
worked out by hand from a small 3-d table."""

import contextlib
import math
import warnings

import numpy
import pytest

from nlp_vocab import Doc, Vectors, Vocab

TABLE = {
    "cat": [1, 0, 0],
    "dog": [0, 1, 0],
    "fish": [3, 4, 0],
    "kitten": [2, 0, 0],
    "anticat": [-1, 0, 0],
}


@pytest.fixture
def vocab():
    return Vocab(vectors=Vectors(data=numpy.array(list(TABLE.values())), keys=list(TABLE)))


@pytest.fixture
def doc(vocab):
    return Doc(vocab, words=["cat", "dog", "unicorn", "fish"])


@contextlib.contextmanager
def _no_warnings():
    """A block in which any warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_token_vector_is_its_row_by_exact_text(doc):
    cat, dog, unicorn, fish = doc
    assert cat.has_vector and fish.has_vector
    numpy.testing.assert_array_equal(fish.vector, [3, 4, 0])
    assert fish.vector.dtype == numpy.float32
    assert fish.vector_norm == 5.0 and cat.vector_norm == 1.0
    assert not unicorn.has_vector
    numpy.testing.assert_array_equal(unicorn.vector, [0, 0, 0])
    assert unicorn.vector.dtype == numpy.float32 and unicorn.vector_norm == 0.0
    capital = Doc(doc.vocab, words=["Cat"])[0]  # ORTH lookup: case matters, as in v2
    assert not capital.has_vector


def test_vector_is_a_copy_and_reads_the_current_table(vocab, doc):
    vector = doc[0].vector
    vector[0] = 99.0
    numpy.testing.assert_array_equal(doc[0].vector, [1, 0, 0])
    vocab.vectors.add("unicorn", numpy.array([0, 0, 2]))  # added after the doc was made
    assert doc[2].has_vector and doc[2].vector_norm == 2.0
    vocab.vectors.add("kitty", row=vocab.vectors.find("cat"))  # a key sharing cat's row
    numpy.testing.assert_array_equal(Doc(vocab, words=["kitty"])[0].vector, [1, 0, 0])


def test_token_similarity_is_the_cosine(doc):
    cat, dog, _, fish = doc
    with _no_warnings():
        assert cat.similarity(fish) == pytest.approx(3 / 5)
        assert dog.similarity(fish) == pytest.approx(4 / 5)
        assert fish.similarity(dog) == pytest.approx(4 / 5)
        assert cat.similarity(dog) == 0.0  # orthogonal, both have vectors: no warning
        assert cat.similarity(cat) == 1.0
        assert isinstance(cat.similarity(fish), float)
    other = Doc(doc.vocab, words=["kitten", "anticat"])
    assert cat.similarity(other[0]) == 1.0  # parallel rows
    assert cat.similarity(other[1]) == -1.0


def test_span_and_doc_average_their_tokens(doc):
    third = 1 / 3
    numpy.testing.assert_allclose(doc[0:3].vector, [third, third, 0], rtol=1e-6)
    numpy.testing.assert_allclose(doc.vector, [1, 1.25, 0], rtol=1e-6)  # (cat+dog+0+fish)/4
    assert doc.vector.dtype == numpy.float32 and doc[0:2].vector.dtype == numpy.float32
    assert doc[0:2].vector_norm == pytest.approx(math.sqrt(0.5))
    assert doc.vector_norm == pytest.approx(math.sqrt(1 + 1.25**2))
    assert doc.has_vector and doc[1:3].has_vector
    assert not doc[2:3].has_vector  # "unicorn" only
    numpy.testing.assert_array_equal(doc[2:3].vector, [0, 0, 0])


def test_empty_span_and_doc_have_zero_vectors(vocab, doc):
    for empty in (doc[1:1], Doc(vocab, words=[])):
        assert not empty.has_vector and empty.vector_norm == 0.0
        numpy.testing.assert_array_equal(empty.vector, [0, 0, 0])


def test_similarity_across_tokens_spans_docs_and_lexemes(vocab, doc):
    cat = doc[0]
    with _no_warnings():
        assert cat.similarity(doc[0:2]) == pytest.approx(1 / math.sqrt(2))
        assert doc[0:2].similarity(cat) == pytest.approx(1 / math.sqrt(2))
        same_direction = Doc(vocab, words=["cat", "dog", "unicorn"])
        assert same_direction.similarity(doc[0:2]) == pytest.approx(1.0)
        # doc = (1, 1.25, 0): with fish (3, 4, 0) -> (3 + 5) / (5 * |doc|)
        assert doc.similarity(doc[3]) == pytest.approx(8 / (5 * math.sqrt(1 + 1.25**2)))
        lexeme = vocab["fish"]
        assert lexeme.has_vector and lexeme.vector_norm == 5.0
        numpy.testing.assert_array_equal(lexeme.vector, [3, 4, 0])
        assert lexeme.similarity(cat) == pytest.approx(3 / 5)
        assert cat.similarity(lexeme) == pytest.approx(3 / 5)
        assert doc.similarity(lexeme) == pytest.approx(doc.similarity(doc[3]))
        assert not vocab["unicorn"].has_vector


def test_similarity_without_a_vector_is_zero_with_a_warning(doc):
    cat, _, unicorn, _ = doc
    with pytest.warns(UserWarning, match=r"W008: Token\.similarity is 0\.0: Token 'unicorn' has no") as caught:
        assert cat.similarity(unicorn) == 0.0
    assert caught[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(UserWarning, match=r"W008: Span\.similarity .* 'unicorn' and Token 'unicorn' have"):
        assert doc[2:3].similarity(unicorn) == 0.0


def test_vocab_without_vectors(vocab):
    doc = Doc(Vocab(), words=["cat", "dog"])
    assert not doc[0].has_vector and not doc.has_vector and not doc[0:1].has_vector
    for obj in (doc[0], doc[0:2], doc, doc.vocab["cat"]):
        assert obj.vector.shape == (0,) and obj.vector.dtype == numpy.float32
        assert obj.vector_norm == 0.0
    with pytest.warns(UserWarning, match="W008: Doc.similarity"):
        assert doc.similarity(doc[0]) == 0.0
    empty_table = Doc(Vocab(vectors=Vectors()), words=["cat"])
    assert not empty_table.has_vector and empty_table.vector.shape == (0,)


def test_similarity_misuse_is_one_clear_line(vocab, doc):
    with pytest.raises(TypeError, match=r"Token\.similarity: expected a Token, Span, Doc or Lexeme .* got int"):
        doc[0].similarity(3)
    with pytest.raises(TypeError, match=r"Doc\.similarity: .* got str"):
        doc.similarity("cat")
    wide = Vocab(vectors=Vectors(data=numpy.ones((1, 2)), keys=["cat"]))
    with pytest.raises(ValueError, match=r"Token\.similarity: vectors of width 3 and 2 cannot be compared"):
        doc[0].similarity(Doc(wide, words=["cat"])[0])


def test_vectors_survive_a_vocab_round_trip(vocab, tmp_path):
    vocab.to_disk(tmp_path / "vocab")
    loaded = Vocab()
    loaded.from_disk(tmp_path / "vocab")
    doc = Doc(loaded, words=["fish", "dog"])
    numpy.testing.assert_array_equal(doc[0].vector, [3, 4, 0])
    assert doc[0].similarity(doc[1]) == pytest.approx(4 / 5)
