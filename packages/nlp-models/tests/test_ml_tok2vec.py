"""Token-to-vector model, feature arrays, static vectors and the CPU ops choice."""

import hashlib

import numpy
import pytest
from thinc.api import NumpyOps, fix_random_seed

from nlp_models.ml import (
    VectorTable,
    build_hash_embed_cnn_tok2vec,
    featurize_docs,
    get_cpu_ops,
)


def h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def features(words: list) -> numpy.ndarray:
    """NORM, PREFIX, SUFFIX, SHAPE hashes of `words` (our stand-in for doc.to_array)."""
    rows = [[h(w.lower()), h(w[:1]), h(w[-3:]), h("X" if w[:1].isupper() else "x")] for w in words]
    return numpy.asarray(rows, dtype="uint64").reshape((-1, 4))


def test_output_shapes_and_widths():
    fix_random_seed(0)
    model = build_hash_embed_cnn_tok2vec(width=32, depth=2, window=1, pieces=2, rows=200)
    docs = [features("The cat sat".split()), features([]), features("on a mat today".split())]
    model.initialize(X=docs)
    out = model.predict(docs)
    assert [o.shape for o in out] == [(3, 32), (0, 32), (4, 32)]
    assert all(o.dtype == numpy.float32 for o in out)
    assert model.get_dim("nO") == 32


def test_defaults_and_fast_ops():
    model = build_hash_embed_cnn_tok2vec()
    assert model.get_dim("nO") == 96
    assert all(isinstance(node.ops, NumpyOps) and not node.ops.use_blis for node in model.walk())


def test_docs_do_not_see_each_other():
    """The window convolution must stop at document boundaries."""
    fix_random_seed(1)
    model = build_hash_embed_cnn_tok2vec(width=16, depth=3, window=2, rows=100)
    a, b = features("one two three".split()), features("four five six seven".split())
    model.initialize(X=[a, b])
    together = model.predict([a, b])
    numpy.testing.assert_allclose(together[0], model.predict([a])[0], rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(together[1], model.predict([b])[0], rtol=1e-5, atol=1e-5)


def test_static_vectors_are_concatenated_and_unknown_is_zero():
    words = ["apple", "pear", "plum"]
    data = numpy.arange(6, dtype="float32").reshape((3, 2)) + 1
    table = VectorTable(data, {h(w): i for i, w in enumerate(words)})
    found = table.lookup(numpy.asarray([h("pear"), h("kiwi")], dtype="uint64"))
    numpy.testing.assert_array_equal(found, [[3, 4], [0, 0]])
    model = build_hash_embed_cnn_tok2vec(width=8, depth=1, rows=(50, 0, 0, 20), vectors=table)
    embed = model.get_ref("embed")
    mixer = [n for n in embed.walk() if n.name.startswith("maxout")][0]
    assert mixer.get_dim("nI") == 8 * 2 + 2  # two hash tables + the vectors
    X = [features(["Pear", "kiwi"])]
    model.initialize(X=X)
    Y, backprop = model.begin_update(X)
    backprop([y.copy() for y in Y])
    assert Y[0].shape == (2, 8)
    assert VectorTable.from_bytes(table.to_bytes()).lookup(
        numpy.asarray([h("plum")], dtype="uint64")
    ).tolist() == [[5.0, 6.0]]


def test_bad_settings_and_inputs_raise_clearly():
    with pytest.raises(ValueError, match="distinct"):
        build_hash_embed_cnn_tok2vec(seeds=[1, 1, 2, 3])
    with pytest.raises(ValueError, match="rows has 2 entries"):
        build_hash_embed_cnn_tok2vec(rows=[10, 10])
    with pytest.raises(ValueError, match="vectors_attr"):
        build_hash_embed_cnn_tok2vec(vectors=VectorTable(numpy.zeros((1, 2)), [1]), vectors_attr="ORTH")
    model = build_hash_embed_cnn_tok2vec(width=8, depth=1, rows=10)
    model.initialize()
    with pytest.raises(ValueError, match=r"features\[1\] has 2 columns"):
        model.predict([features(["a"]), numpy.zeros((3, 2), dtype="uint64")])
    with pytest.raises(ValueError, match=r"features\[0\] must hold integer"):
        model.predict([numpy.zeros((3, 4), dtype="float32")])


def test_learns_and_roundtrips_bytes():
    from thinc.api import Adam

    fix_random_seed(2)
    model = build_hash_embed_cnn_tok2vec(width=16, depth=1, rows=100, dropout=0.1)
    X = [features("a b c d e".split())]
    target = numpy.random.default_rng(0).normal(size=(5, 16)).astype("float32")
    model.initialize(X=X)
    optimizer = Adam(0.01)
    losses = []
    for _ in range(40):
        Y, backprop = model.begin_update(X)
        losses.append(float(((Y[0] - target) ** 2).sum()))
        backprop([Y[0] - target])
        model.finish_update(optimizer)
    assert losses[-1] < 0.3 * losses[0]
    copy = build_hash_embed_cnn_tok2vec(width=16, depth=1, rows=100, dropout=0.1)
    copy.initialize(X=X)
    copy.from_bytes(model.to_bytes())
    numpy.testing.assert_array_equal(copy.predict(X)[0], model.predict(X)[0])


def test_featurize_docs_calls_to_array():
    class FakeDoc:
        def __init__(self, words):
            self.words = words

        def to_array(self, attrs):
            assert attrs == ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
            return features(self.words).astype("int64")

    out = featurize_docs([FakeDoc(["a", "b"]), FakeDoc([])])
    assert out[0].dtype == numpy.uint64 and out[0].shape == (2, 4) and out[1].shape == (0, 4)


def test_cpu_ops_choice(monkeypatch):
    monkeypatch.setenv("NLP_CPU_BLAS", "blis")
    assert get_cpu_ops().use_blis
    monkeypatch.setenv("NLP_CPU_BLAS", "numpy")
    assert not get_cpu_ops().use_blis
    monkeypatch.setenv("NLP_CPU_BLAS", "auto")
    assert isinstance(get_cpu_ops(), NumpyOps)
    monkeypatch.setenv("NLP_CPU_BLAS", "mkl")
    with pytest.raises(ValueError, match="NLP_CPU_BLAS='mkl'"):
        get_cpu_ops()


def test_fast_maxout_matches_definition_and_gradient():
    from nlp_models.ml import FastMaxout

    rng = numpy.random.default_rng(4)
    layer = FastMaxout(3, 4, nP=2)
    layer.initialize()
    W, b = layer.get_param("W"), layer.get_param("b")
    b[:] = rng.normal(size=b.shape)
    X = rng.normal(size=(5, 4)).astype("f")
    pieces = (X @ W.T + b).reshape(5, 2, 3)  # piece-major columns
    Y, backprop = layer.begin_update(X)
    numpy.testing.assert_allclose(Y, pieces.max(axis=1), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_array_equal(layer.predict(X), Y)
    R = rng.normal(size=Y.shape).astype("f")
    dX = backprop(R)
    eps = 1e-2
    for array, analytic in [(X, dX), (W, layer.get_grad("W").copy())]:
        for idx in [(0, 0), (2, 3), (4, 1)]:
            orig = array[idx]
            array[idx] = orig + eps
            up = float((layer.predict(X) * R).sum())
            array[idx] = orig - eps
            down = float((layer.predict(X) * R).sum())
            array[idx] = orig
            assert abs((up - down) / (2 * eps) - analytic[idx]) < 2e-2


def test_architectures_resolve_from_config():
    from thinc.api import Config, registry

    import nlp_models.ml as ml

    names = {
        "nlp.HashEmbedCNN.v1": ml.build_hash_embed_cnn_tok2vec,
        "nlp.Tagger.v1": ml.build_tagger_model,
        "nlp.TransitionModel.v1": ml.build_transition_model,
        "nlp.TextCatBOW.v1": ml.build_bow_text_classifier,
        "nlp.TextCatCNN.v1": ml.build_cnn_text_classifier,
        "nlp.TextCatEnsemble.v1": ml.build_text_classifier,
        "nlp.PretrainVectors.v1": ml.build_pretrain_vectors_model,
        "nlp.PretrainCharacters.v1": ml.build_pretrain_characters_model,
    }
    for name, func in names.items():
        assert ml.architectures.get(name) is func
    config = Config().from_str(
        """
        [model]
        @architectures = "nlp.TransitionModel.v1"
        n_slots = 3
        hidden_width = 8
        n_actions = 4

        [model.tok2vec]
        @architectures = "nlp.HashEmbedCNN.v1"
        width = 12
        depth = 2
        rows = 50
        """
    )
    model = registry.resolve(config)["model"]
    assert model.get_dim("nI") == 12 and model.get_dim("nO") == 4 and model.get_dim("nF") == 3
