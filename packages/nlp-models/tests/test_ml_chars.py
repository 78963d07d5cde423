"""Character features: code point columns of the feature arrays and the character CNN."""

import numpy
import pytest
from thinc.api import NumpyOps, fix_random_seed

from nlp_models.ml import CharEmbed, build_hash_embed_cnn_tok2vec, char_codes, featurize_docs
from nlp_vocab import Doc, Vocab


def codes(words, char_len=8):
    return char_codes(words, char_len)


def char_layer(nO=6, char_len=8, char_dim=4, seed=0, edges=False, window=3):
    fix_random_seed(seed)
    layer = CharEmbed(nO, char_len, char_dim, column=0, edges=edges, window=window)
    layer.ops = NumpyOps(use_blis=False)
    layer.initialize()
    return layer


def test_featurize_appends_exactly_char_len_code_point_columns():
    vocab = Vocab("en")
    docs = [Doc(vocab, words=["Cats", "é", "ok"]), Doc(vocab, words=[])]
    plain = featurize_docs(docs)
    with_chars = featurize_docs(docs, char_len=5)
    assert [a.shape for a in with_chars] == [(3, 4 + 5), (0, 4 + 5)]
    numpy.testing.assert_array_equal(with_chars[0][:, :4], plain[0])
    assert with_chars[0][:, 4:].tolist() == [
        [ord("C"), ord("a"), ord("t"), ord("s"), 0],
        [ord("é"), 0, 0, 0, 0],
        [ord("o"), ord("k"), 0, 0, 0],
    ]
    assert with_chars[0].dtype == numpy.uint64 and with_chars[0].flags.c_contiguous


def test_a_long_word_keeps_its_first_half_and_last_half():
    word = "internationalization"  # 20 characters
    assert "".join(map(chr, codes([word], 8)[0])) == "inte" + "tion"
    assert "".join(map(chr, codes([word], 7)[0])) == "inte" + "ion"  # odd: the first half is longer
    assert "".join(map(chr, codes([word], 20)[0])) == word
    assert codes(["\U0001F600x"], 4)[0].tolist() == [0x1F600, ord("x"), 0, 0]  # beyond the BMP
    with pytest.raises(ValueError, match="char_len must be >= 1"):
        codes(["a"], 0)


def test_words_differing_only_in_their_last_character_get_different_vectors():
    layer = char_layer()
    vectors = layer.predict(codes(["walked", "walker", "walked"]))
    assert not numpy.allclose(vectors[0], vectors[1])
    numpy.testing.assert_array_equal(vectors[0], vectors[2])


def test_padding_does_not_change_a_words_vector():
    layer = char_layer()
    alone = layer.predict(codes(["cat"]))
    beside_long = layer.predict(codes(["cat", "catastrophes"]))
    beside_short = layer.predict(codes(["a", "cat"]))
    numpy.testing.assert_allclose(beside_long[0], alone[0], rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(beside_short[1], alone[0], rtol=1e-6, atol=1e-6)
    empty = layer.predict(codes([""]))
    assert empty.shape == (1, 6)
    numpy.testing.assert_allclose(layer.predict(codes(["catastrophes", ""]))[1], empty[0], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("edges,window", [(False, 3), (True, 3), (False, 5), (True, 5), (False, 1)])
def test_char_layer_gradient_matches_finite_differences(numeric_gradient, edges, window):
    layer = char_layer(nO=3, char_len=5, char_dim=3, seed=3, edges=edges, window=window)
    X = codes(["ab", "bca", "abcabca", "c"], 5)
    rows = numpy.unique(numpy.asarray(X[X != 0], dtype="int64"))  # the table rows the words use
    R = numpy.random.default_rng(0).standard_normal((len(X), 3)).astype("float32")

    def loss():
        return float((layer.predict(X).astype("float64") * R).sum())

    Y, backprop = layer.begin_update(X)
    backprop(R.copy())
    E = layer.get_param("E")
    checks = {
        "W": (layer.get_grad("W"), numeric_gradient(loss, layer.get_param("W"), 1e-3)),
        "b": (layer.get_grad("b"), numeric_gradient(loss, layer.get_param("b"), 1e-3)),
        # E[row] is a view of the table: perturbing it perturbs the layer
        "E": (layer.get_grad("E")[rows], numpy.stack([numeric_gradient(loss, E[row], 1e-3) for row in rows])),
    }
    if edges:
        checks["B"] = (layer.get_grad("B"), numeric_gradient(loss, layer.get_param("B"), 1e-3))
    for name, (analytic, numeric) in checks.items():
        numpy.testing.assert_allclose(analytic, numeric, rtol=2e-2, atol=2e-3, err_msg=name)
        assert numpy.abs(analytic).max() > 1e-3  # real gradients are compared, not zeros
    unused = numpy.setdiff1d(numpy.arange(layer.get_param("E").shape[0]), rows)
    assert not layer.get_grad("E")[unused].any()


def test_edge_rows_are_learned_and_zero_edges_are_the_layer_without_them():
    plain, edged = char_layer(), char_layer(edges=True)
    assert "B" not in plain.param_names and edged.get_param("B").shape == (2, 4)
    for name in ("E", "W", "b"):
        edged.set_param(name, plain.get_param(name).copy())
    X = codes(["cat", "tac", "", "catastrophes"])
    edged.set_param("B", numpy.zeros((2, 4), dtype="float32"))
    numpy.testing.assert_allclose(edged.predict(X), plain.predict(X), rtol=1e-6, atol=1e-6)
    short = codes(["cat", "tac", ""])
    for row in (0, 1):  # the start's row and the end's row each reach a short word's vector
        B = numpy.zeros((2, 4), dtype="float32")
        B[row] = 1.0
        edged.set_param("B", B)
        moved = numpy.abs(edged.predict(short) - plain.predict(short)).max(axis=1)
        assert (moved > 1e-4).all(), row


def test_a_wider_window_reads_the_characters_centred_on_each_position():
    narrow, wide = char_layer(edges=True), char_layer(edges=True, window=5)
    assert wide.get_param("W").shape == (6, 5 * 4)
    for name in ("E", "B", "b"):
        wide.set_param(name, narrow.get_param(name).copy())
    W = numpy.zeros((6, 5 * 4), dtype="float32")
    W[:, 4:16] = narrow.get_param("W")  # the outer characters weigh nothing: the window of three
    wide.set_param("W", W)
    X = codes(["cat", "", "catastrophes", "a"])
    numpy.testing.assert_allclose(wide.predict(X), narrow.predict(X), rtol=1e-6, atol=1e-6)
    W[:, :4] = narrow.get_param("W")[:, :4]  # now the character two to the left counts too
    wide.set_param("W", W)
    assert not numpy.allclose(wide.predict(X), narrow.predict(X), atol=1e-4)


@pytest.mark.parametrize("window", [0, 2, 4, -1])
def test_an_even_or_empty_character_window_is_one_clear_error(window):
    with pytest.raises(ValueError, match=f"char_window must be an odd number >= 1, got {window}"):
        CharEmbed(6, 8, 4, column=0, window=window)


def test_tok2vec_with_chars_reads_the_character_columns():
    fix_random_seed(0)
    model = build_hash_embed_cnn_tok2vec(width=16, depth=1, rows=(50, 0, 0, 0), chars=8, char_len=6)
    assert model.attrs["char_len"] == 6
    vocab = Vocab("en")
    docs = [Doc(vocab, words=["unbelievable", "run"])]
    X = featurize_docs(docs, char_len=6)
    model.initialize(X=X)
    assert model.predict(X)[0].shape == (2, 16)
    with pytest.raises(ValueError, match="features\\[0\\] has 4 columns, the model reads 10"):
        model.predict(featurize_docs(docs))
    with pytest.raises(ValueError, match="chars must be >= 0"):
        build_hash_embed_cnn_tok2vec(chars=-1)
    with pytest.raises(ValueError, match="char_dim must be >= 1"):
        build_hash_embed_cnn_tok2vec(chars=8, char_dim=0)
