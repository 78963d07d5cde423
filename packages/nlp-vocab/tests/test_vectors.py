import gzip

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_vocab.strings import hash_string
from nlp_vocab.vectors import Vectors


def test_add_get_contains_by_string_and_hash():
    vectors = Vectors(shape=(2, 3))
    row = vectors.add("cat", numpy.array([1, 2, 3]))
    assert row == 0
    assert "cat" in vectors and vectors.has(hash_string("cat"))
    assert "dog" not in vectors
    assert vectors["cat"].dtype == numpy.float32
    numpy.testing.assert_array_equal(vectors[hash_string("cat")], [1, 2, 3])
    assert vectors.get("dog") is None
    with pytest.raises(KeyError, match="dog"):
        vectors["dog"]
    assert len(vectors) == 1 and vectors.keys() == [hash_string("cat")]
    assert vectors.shape == (2, 3)


def test_keys_share_rows_and_overwrite():
    vectors = Vectors(data=numpy.eye(3, dtype="f"), keys=["a", "b", "c"])
    vectors.add("A", row=0)
    numpy.testing.assert_array_equal(vectors["A"], vectors["a"])
    vectors.add("b", numpy.full(3, 7.0))
    numpy.testing.assert_array_equal(vectors["b"], [7, 7, 7])
    assert vectors.find("c") == 2


def test_table_grows_when_full_and_width_is_checked():
    vectors = Vectors(shape=(1, 2))
    for i, word in enumerate(["a", "b", "c", "d"]):
        vectors.add(word, numpy.array([i, i]))
    assert len(vectors) == 4 and vectors.shape[0] >= 4
    for i, word in enumerate(["a", "b", "c", "d"]):  # growing never reuses a row in use
        numpy.testing.assert_array_equal(vectors[word], [i, i])
    with pytest.raises(ValueError, match="width 3"):
        vectors.add("e", numpy.zeros(3))


def test_adding_to_a_table_loaded_full_keeps_the_old_rows():
    vectors = Vectors(data=numpy.eye(2, dtype="f"), keys=["a", "b"])
    row = vectors.add("c", numpy.array([5, 5]))
    assert row == 2 and len({vectors.find(w) for w in "abc"}) == 3
    numpy.testing.assert_array_equal(vectors["a"], [1, 0])
    numpy.testing.assert_array_equal(vectors["b"], [0, 1])
    numpy.testing.assert_array_equal(vectors["c"], [5, 5])


def test_resize_drops_cut_rows_and_pads_width():
    vectors = Vectors(data=numpy.arange(6, dtype="f").reshape(3, 2), keys=["a", "b", "c"])
    removed = vectors.resize((2, 4))
    assert removed == [(hash_string("c"), 2)]
    assert vectors.shape == (2, 4) and "c" not in vectors
    numpy.testing.assert_array_equal(vectors["b"], [2, 3, 0, 0])


def test_most_similar():
    vectors = Vectors(data=numpy.array([[1, 0], [0, 1], [1, 0.1]], dtype="f"), keys=["x", "y", "z"])
    best = vectors.most_similar(numpy.array([1, 0]), n=2)
    assert [k for k, _ in best] == [hash_string("x"), hash_string("z")]


def _check_loaded(vectors):
    assert len(vectors) == 3 and vectors.shape == (3, 2)
    numpy.testing.assert_allclose(vectors["the"], [0.5, -1.0])
    numpy.testing.assert_allclose(vectors["new york"], [1e-3, 2.0])


@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("compressed", [True, False])
def test_from_glove_text(tmp_path, header, compressed):
    lines = ["the 0.5 -1.0", "cat 1 2", "new york 0.001 2"]
    text = ("3 2\n" if header else "") + "\n".join(lines) + "\n"
    path = tmp_path / ("vecs.txt.gz" if compressed else "vecs.txt")
    if compressed:
        with gzip.open(path, "wt", encoding="utf8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf8")
    _check_loaded(Vectors.from_glove_text(path))


def test_from_glove_text_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("the 0.5 -1.0\ncat 1 oops\n", encoding="utf8")
    with pytest.raises(ValueError, match=r"bad\.txt:2: bad number"):
        Vectors.from_glove_text(path)
    path.write_text("2 3\nthe 0.5 -1.0 2\ncat 1\n", encoding="utf8")
    with pytest.raises(ValueError, match=r"bad\.txt:3: expected a word and 3 values"):
        Vectors.from_glove_text(path)
    path.write_text("5 2\nthe 0.5 -1.0\n", encoding="utf8")
    with pytest.raises(ValueError, match="header says 5"):
        Vectors.from_glove_text(path)


def test_from_npy_with_text_and_hash_keys(tmp_path):
    data = numpy.array([[0.5, -1.0], [1, 2], [1e-3, 2]], dtype="f")
    numpy.save(tmp_path / "v.npy", data)
    (tmp_path / "keys.txt").write_text("the\ncat\nnew york\n", encoding="utf8")
    _check_loaded(Vectors.from_npy(tmp_path / "v.npy", tmp_path / "keys.txt"))
    hashes = numpy.array([hash_string(w) for w in ["the", "cat", "new york"]], dtype="uint64")
    numpy.save(tmp_path / "keys.npy", hashes)
    _check_loaded(Vectors.from_npy(tmp_path / "v.npy", tmp_path / "keys.npy"))
    (tmp_path / "short.txt").write_text("the\n", encoding="utf8")
    with pytest.raises(ValueError, match="1 keys for 3 rows"):
        Vectors.from_npy(tmp_path / "v.npy", tmp_path / "short.txt")


def _example():
    vectors = Vectors(shape=(4, 3))
    vectors.add("apple", numpy.array([1.5, 2, 3]))
    vectors.add("pear", numpy.array([-1, 0, 0.25]))
    vectors.add("Apple", row=0)
    return vectors


def _same(a, b):
    assert a.shape == b.shape and a.keys() == b.keys()
    numpy.testing.assert_array_equal(a.data, b.data)
    assert a.key2row == b.key2row and a.strings == b.strings


def test_bytes_round_trip():
    vectors = _example()
    copy = Vectors().from_bytes(vectors.to_bytes())
    _same(vectors, copy)
    assert copy.add("plum", numpy.ones(3)) == 2  # the free-row bookkeeping survives


def test_disk_round_trip(tmp_path):
    vectors = _example()
    vectors.to_disk(tmp_path / "vectors")
    _same(vectors, Vectors().from_disk(tmp_path / "vectors"))
    with pytest.raises(FileNotFoundError, match="vectors.npy"):
        Vectors().from_disk(tmp_path / "missing")
    rows_file = next((tmp_path / "vectors").glob("*row*.npy"))
    rows = numpy.load(rows_file)
    rows[0] = -1
    numpy.save(rows_file, rows)
    with pytest.raises(ValueError, match=r"vectors: key \d+ points at row -1, outside the table's"):
        Vectors().from_disk(tmp_path / "vectors")


def test_the_keys_attribute_survives_both_round_trips_and_is_checked(tmp_path):
    vectors = Vectors(data=numpy.eye(2, dtype="f"), keys=["Paris", "paris"], attr="orth")
    assert vectors.attr == "ORTH" and Vectors().attr is None  # not stated unless said
    assert Vectors().from_bytes(vectors.to_bytes()).attr == "ORTH"
    vectors.to_disk(tmp_path / "orth")
    assert Vectors().from_disk(tmp_path / "orth").attr == "ORTH"
    vectors.attr = None  # saving over a folder that said ORTH says nothing any more
    vectors.to_disk(tmp_path / "orth")
    assert Vectors().from_disk(tmp_path / "orth").attr is None
    with pytest.raises(ValueError, match="Vectors: the keys' attribute must be a token attribute name.*'WORD'"):
        Vectors(shape=(1, 1), attr="WORD")
    (tmp_path / "orth" / "attr.json").write_text('{"attr": 3}', encoding="utf8")
    with pytest.raises(ValueError, match=r"attr\.json: the keys' attribute must be .*got 3"):
        Vectors().from_disk(tmp_path / "orth")
    (tmp_path / "orth" / "attr.json").write_text('["ORTH"]', encoding="utf8")
    with pytest.raises(ValueError, match=r'attr\.json: expected a JSON object \{"attr": NAME\}'):
        Vectors().from_disk(tmp_path / "orth")


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN", "1e39"])
def test_nonfinite_values_are_refused_at_every_loader(tmp_path, bad):
    text = tmp_path / "glove.txt"
    text.write_text(f"the 0.5 -1.0\ncat 1 {bad}\n", encoding="utf8")
    with pytest.raises(ValueError, match=r"glove\.txt:2: the vector of 'cat' holds nan or inf"):
        Vectors.from_glove_text(text)
    with numpy.errstate(over="ignore"):  # 1e39 is inf in float32
        value = numpy.float32(bad)
    data = numpy.array([[0.5, -1.0], [1, 2], [value, 2]], dtype="f")
    numpy.save(tmp_path / "v.npy", data)
    (tmp_path / "keys.txt").write_text("the\ncat\ndog\n", encoding="utf8")
    with pytest.raises(ValueError, match=r"v\.npy: the vector in row 2 holds nan or inf"):
        Vectors.from_npy(tmp_path / "v.npy", tmp_path / "keys.txt")
    vectors = _example()
    vectors.data[1, 2] = value  # "pear"
    with pytest.raises(ValueError, match=r"from_bytes: the vector in row 1 \(word 'pear'\) holds nan"):
        Vectors().from_bytes(vectors.to_bytes())
    vectors.to_disk(tmp_path / "vectors")
    with pytest.raises(ValueError, match=r"vectors\.npy: the vector in row 1 \(word 'pear'\) holds nan"):
        Vectors().from_disk(tmp_path / "vectors")


def test_bad_arguments():
    with pytest.raises(ValueError, match="2-dimensional"):
        Vectors(data=numpy.zeros(3))
    with pytest.raises(TypeError, match="str or an int"):
        Vectors(shape=(1, 1)).add(1.5, numpy.zeros(1))
    with pytest.raises(ValueError, match="give a vector or a row"):
        Vectors(shape=(1, 1)).add("x")


@settings(max_examples=60)
@given(
    width=st.integers(1, 6),
    entries=st.lists(
        st.tuples(
            st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8),
                      st.integers(1, 2**64 - 1)),
            st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=6, max_size=6),
        ),
        max_size=20,
    ),
    n_shared=st.integers(0, 3),
)
def test_round_trips_lose_nothing(tmp_path_factory, width, entries, n_shared):
    """Property: bytes and disk round trips keep every key, row, string and value, including
    unicode keys, hash keys, keys sharing a row and an empty table."""
    vectors = Vectors(shape=(0, width))
    for key, values in entries:
        vectors.add(key, numpy.asarray(values[:width], dtype="float32"))
    for k, (key, _) in enumerate(entries[:n_shared]):
        vectors.add(f"alias-{k}", row=vectors.find(key))
    _same(vectors, Vectors().from_bytes(vectors.to_bytes()))
    folder = tmp_path_factory.mktemp("vectors")
    vectors.to_disk(folder)
    _same(vectors, Vectors().from_disk(folder))
