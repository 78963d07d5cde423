"""The BiLSTM layer and the bilstm encoder of the tok2vec."""

import numpy
import pytest
from thinc.api import NumpyOps, fix_random_seed
from thinc.types import Ragged

from nlp_models.ml import BiLSTM, build_hash_embed_cnn_tok2vec
from nlp_models.ml.bilstm import Packing
from nlp_models.pipes._chunks import context_width


def lstm(nO=6, nI=3, seed=0):
    fix_random_seed(seed)
    layer = BiLSTM(nO, nI)
    layer.ops = NumpyOps(use_blis=False)
    layer.initialize()
    rng = numpy.random.default_rng(seed)
    for name in ("Wx", "Wh", "b"):  # larger weights than the init: saturating gates are checked too
        param = layer.get_param(name)
        param[...] = rng.standard_normal(param.shape).astype("float32") * 0.5
    return layer


def test_packing_orders_tokens_step_by_step_longest_docs_first():
    pack = Packing(numpy.asarray([2, 3, 0, 1]))  # doc rows: [0, 1], [2, 3, 4], [], [5]
    assert pack.sizes.tolist() == [3, 2, 1] and pack.offsets.tolist() == [0, 3, 5]
    assert pack.fwd.tolist() == [2, 0, 5, 3, 1, 4]
    assert pack.bwd.tolist() == [4, 1, 5, 3, 0, 2]
    assert pack.prev.tolist() == [-1, -1, -1, 0, 1, 3]


@pytest.mark.parametrize("lengths", [[4], [3, 5, 0, 2], [1, 1, 6]])
def test_bilstm_gradient_matches_finite_differences(lengths, numeric_gradient):
    layer = lstm()
    lengths = numpy.asarray(lengths, dtype="int32")
    rng = numpy.random.default_rng(1)
    X = rng.standard_normal((int(lengths.sum()), 3)).astype("float32")
    R = rng.standard_normal((len(X), 6)).astype("float32")

    def loss():
        return float((layer.predict(Ragged(X, lengths)).dataXd.astype("float64") * R).sum())

    Y, backprop = layer(Ragged(X, lengths), is_train=True)
    dX = backprop(Ragged(R, lengths)).dataXd
    numpy.testing.assert_allclose(dX, numeric_gradient(loss, X), atol=2e-3, rtol=1e-2)
    for name in ("Wx", "Wh", "b"):
        numeric = numeric_gradient(loss, layer.get_param(name))
        numpy.testing.assert_allclose(layer.get_grad(name), numeric, atol=2e-3, rtol=1e-2, err_msg=name)
        assert numpy.abs(numeric).max() > 1e-2  # real gradients are compared, not zeros


def test_each_token_sees_its_whole_doc_and_no_other():
    layer = lstm()
    rng = numpy.random.default_rng(2)
    a, b = rng.standard_normal((5, 3)).astype("f"), rng.standard_normal((3, 3)).astype("f")
    together = layer.predict(Ragged(numpy.concatenate([a, b]), numpy.asarray([5, 3], "int32"))).dataXd
    alone = layer.predict(Ragged(a, numpy.asarray([5], "int32"))).dataXd
    numpy.testing.assert_allclose(together[:5], alone, rtol=1e-5, atol=1e-6)
    changed = a.copy()
    changed[-1] += 1.0
    after = layer.predict(Ragged(changed, numpy.asarray([5], "int32"))).dataXd
    assert not numpy.allclose(after[0, 3:], alone[0, 3:])  # the backward half of the first token
    numpy.testing.assert_array_equal(after[0, :3], alone[0, :3])  # the forward half cannot see it


def test_no_tokens_and_bad_widths():
    layer = lstm()
    empty = layer.predict(Ragged(numpy.zeros((0, 3), "f"), numpy.asarray([0, 0], "int32")))
    assert empty.dataXd.shape == (0, 6)
    with pytest.raises(ValueError, match="must be even"):
        BiLSTM(5, 3)
    with pytest.raises(ValueError, match="bilstm: input width 4, expected 3"):
        layer.predict(Ragged(numpy.zeros((2, 4), "f"), numpy.asarray([2], "int32")))
    with pytest.raises(ValueError, match="encoder must be one of 'cnn', 'bilstm', got 'gru'"):
        build_hash_embed_cnn_tok2vec(encoder="gru")


def test_bilstm_tok2vec_has_whole_doc_context_and_the_cnn_a_window():
    fix_random_seed(0)
    bilstm = build_hash_embed_cnn_tok2vec(width=16, depth=2, rows=50, encoder="bilstm")
    cnn = build_hash_embed_cnn_tok2vec(width=16, depth=2, window=2, rows=50)
    assert context_width(bilstm) is None and context_width(cnn) == 4
    X = [numpy.arange(28, dtype="uint64").reshape((7, 4)), numpy.zeros((0, 4), "uint64")]
    bilstm.initialize(X=X)
    Y, backprop = bilstm.begin_update(X)
    assert [y.shape for y in Y] == [(7, 16), (0, 16)]
    backprop([y.copy() for y in Y])
