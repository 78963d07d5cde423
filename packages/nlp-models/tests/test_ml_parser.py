"""Precomputed transition model (parser/NER): step API, gradients, learning, resizing, loss."""

import hashlib

import numpy
import pytest
from thinc.api import Adam, fix_random_seed

import nlp_models.ml.precomputable as precomputable
from nlp_models.ml import (
    build_hash_embed_cnn_tok2vec,
    build_transition_model,
    resize_output,
    transition_loss,
)


def h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def vec_model(width=5, n_slots=3, hidden=4, pieces=2, n_actions=3, seed=0):
    """A model over given token vectors, with every parameter random (for gradient checks)."""
    fix_random_seed(seed)
    model = build_transition_model(None, n_slots, hidden, pieces, n_actions, width=width)
    model.initialize()
    rng = numpy.random.default_rng(seed)
    for node in model.walk():
        for name in node.param_names:
            if node.has_param(name):
                shape = node.get_param(name).shape
                node.set_param(name, rng.normal(0, 0.5, size=shape).astype("float32"))
    return model


def run_batch(model, tokvecs, steps, d_scores_list):
    """Forward a batch over several steps; returns (sum of scores*d, d_tokvecs)."""
    step, finish = model.begin_update(tokvecs)
    total = 0.0
    for (ids, doc_index), d in zip(steps, d_scores_list):
        scores, backprop = step.begin_step(ids, doc_index)
        total += float((scores.astype("float64") * d).sum())
        backprop(d)
    return total, finish()


def test_step_shapes_offsets_and_padding():
    model = vec_model(width=4, n_slots=2, hidden=3, pieces=2, n_actions=5)
    docs = [numpy.ones((3, 4), "f"), numpy.zeros((0, 4), "f"), numpy.ones((2, 4), "f")]
    step = model.predict(docs)
    ids = numpy.asarray([[0, -1], [1, 0], [-1, -1]], dtype="int32")
    assert step.token_ids(ids, [0, 2, 2]).tolist() == [[0, -1], [4, 3], [-1, -1]]
    assert step.predict_scores(ids, [0, 2, 2]).shape == (3, 5)
    assert step.predict_scores(numpy.zeros((0, 2), "int32")).shape == (0, 5)
    with pytest.raises(IndexError, match="doc 2"):
        step.token_ids(numpy.asarray([[2, 0]], dtype="int32"), [2])
    with pytest.raises(ValueError, match=r"shape \(n_states, 2\)"):
        step.predict_scores(numpy.zeros((1, 3), "int32"))
    with pytest.raises(ValueError, match="training"):
        step.begin_step(ids)


def test_gradients_match_finite_differences(numeric_gradient):
    """d(sum(scores * R)) against central differences, for inputs and every parameter."""
    model = vec_model()
    rng = numpy.random.default_rng(5)
    tokvecs = [rng.normal(size=(4, 5)).astype("f"), rng.normal(size=(3, 5)).astype("f")]
    steps = [
        (numpy.asarray([[0, 1, -1], [2, -1, 3], [1, 1, 0]], "int32"), numpy.asarray([0, 0, 1])),
        (numpy.asarray([[3, 2, 1], [-1, -1, -1]], "int32"), numpy.asarray([0, 1])),
    ]
    d_list = [rng.normal(size=(len(s[0]), 3)) for s in steps]
    for node in model.walk():
        for name in node.param_names:
            if node.has_grad(name):
                node.set_grad(name, numpy.zeros_like(node.get_grad(name)))
    _, d_tokvecs = run_batch(model, tokvecs, steps, [d.astype("f") for d in d_list])

    def f() -> float:
        return run_batch(model, tokvecs, steps, [d.astype("f") for d in d_list])[0]

    checks = [(x, d) for x, d in zip(tokvecs, d_tokvecs)]
    for node in model.walk():
        for name in node.param_names:
            if node.has_param(name):
                checks.append((node.get_param(name), node.get_grad(name).copy()))
    for array, analytic in checks:
        numeric = numeric_gradient(f, array)
        err = numpy.abs(numeric - analytic).max() / max(1.0, numpy.abs(numeric).max())
        assert err < 2e-2, (array.shape, err)


def test_kernel_and_numpy_paths_agree(monkeypatch):
    model = vec_model(seed=3)
    rng = numpy.random.default_rng(3)
    tokvecs = [rng.normal(size=(6, 5)).astype("f")]
    ids = numpy.asarray([[0, 5, -1], [4, 4, 4], [-1, -1, 2]], "int32")
    d = rng.normal(size=(3, 3)).astype("f")
    fast = model.begin_update(tokvecs)[0]
    fast_scores, bp = fast.begin_step(ids)
    bp(d)
    fast.flush()
    assert precomputable._state_rows is not None, "build the Cython kernel (setup.py build_ext)"
    monkeypatch.setattr(precomputable, "_state_rows", None)
    slow = model.begin_update(tokvecs)[0]
    slow_scores, bp = slow.begin_step(ids)
    bp(d)
    slow.flush()
    numpy.testing.assert_allclose(fast_scores, slow_scores, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(fast.d_table, slow.d_table, rtol=1e-5, atol=1e-5)


def test_transition_loss_targets_zero_cost_valid_actions():
    scores = numpy.asarray([[1.0, 2.0, 0.5, 3.0], [0.0, 0.0, 0.0, 0.0], [1, 1, 1, 1]], "f")
    valid = numpy.asarray([[1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]], bool)
    costs = numpy.asarray([[0, 1, 0, 0], [2, 1, 0, 0], [0, 0, 0, 0]], "f")
    d, loss = transition_loss(scores, valid, costs)
    assert not d[0, 3] and not d[1, 2:].any() and not d[2].any()  # invalid: no gradient
    assert d[0, 0] < 0 and d[0, 2] < 0 and d[0, 1] > 0
    assert d[1, 1] < 0 < d[1, 0]  # no zero-cost action: the cheapest valid one is gold
    numpy.testing.assert_allclose(d.sum(axis=1), 0, atol=1e-6)
    # the loss's numeric gradient equals d
    eps = 1e-3
    for i, j in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]:
        s = scores.astype("float64").copy()
        s[i, j] += eps
        up = transition_loss(s, valid, costs)[1]
        s[i, j] -= 2 * eps
        down = transition_loss(s, valid, costs)[1]
        assert abs((up - down) / (2 * eps) - d[i, j]) < 1e-2
    d_norm, loss_norm = transition_loss(scores, valid, costs, normalize=True)
    numpy.testing.assert_allclose(d_norm * 3, d, rtol=1e-5)
    assert loss_norm == pytest.approx(loss / 3)
    with pytest.raises(ValueError, match="differ"):
        transition_loss(scores, valid[:2], costs)


def synthetic_batch(rng, n_docs=6):
    """Docs of words; states read 2 slots; the gold action is (word in slot 0) % 3."""
    words = [f"t{i}" for i in range(12)]
    X, idx = [], []
    for _ in range(n_docs):
        w = rng.integers(0, len(words), size=rng.integers(3, 7))
        X.append(numpy.asarray([[h(words[i]), h("p"), h("s"), h("x")] for i in w], "uint64"))
        idx.append(w)
    return X, idx


def test_parser_model_learns_and_roundtrips():
    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    tok2vec = build_hash_embed_cnn_tok2vec(width=24, depth=1, rows=(200, 10, 10, 10))
    model = build_transition_model(tok2vec, n_slots=2, hidden_width=16, pieces=2, n_actions=3)
    X, _ = synthetic_batch(rng)
    model.initialize(X=X)
    optimizer = Adam(0.01)
    losses = []
    for _ in range(40):
        X, idx = synthetic_batch(rng)
        step, finish = model.begin_update(X)
        batch_loss = 0.0
        for k in range(3):  # three transition steps per batch, each a state per doc
            doc_index = numpy.arange(len(X))
            ids = numpy.asarray([[min(k, len(i) - 1), -1 if k == 0 else k - 1] for i in idx], "int32")
            gold = numpy.asarray([i[min(k, len(i) - 1)] % 3 for i in idx])
            costs = numpy.ones((len(X), 3), "f")
            costs[numpy.arange(len(X)), gold] = 0
            scores, backprop = step.begin_step(ids, doc_index)
            d, loss = transition_loss(scores, numpy.ones_like(costs, bool), costs, normalize=True)
            backprop(d)
            batch_loss += loss
        finish()
        model.finish_update(optimizer)
        losses.append(batch_loss)
    assert numpy.mean(losses[-5:]) < 0.2 * numpy.mean(losses[:3])
    copy = build_transition_model(
        build_hash_embed_cnn_tok2vec(width=24, depth=1, rows=(200, 10, 10, 10)), 2, 16, 2, 3
    )
    copy.initialize(X=X)
    copy.from_bytes(model.to_bytes())
    ids = numpy.asarray([[0, -1]] * len(X), "int32")
    numpy.testing.assert_array_equal(
        copy.predict(X).predict_scores(ids, numpy.arange(len(X))),
        model.predict(X).predict_scores(ids, numpy.arange(len(X))),
    )


def test_resize_actions_keeps_old_rows():
    model = vec_model(n_actions=3)
    upper = model.get_ref("output_layer").layers[0]
    old_W, old_b = upper.get_param("W").copy(), upper.get_param("b").copy()
    tokvecs = [numpy.random.default_rng(0).normal(size=(4, 5)).astype("f")]
    ids = numpy.asarray([[0, 1, 2]], "int32")
    before = model.predict(tokvecs).predict_scores(ids)
    resize_output(model, 6)
    after = model.predict(tokvecs).predict_scores(ids)
    assert after.shape == (1, 6) and model.get_dim("nO") == 6
    numpy.testing.assert_allclose(after[:, :3], before, rtol=1e-6)
    upper = model.get_ref("output_layer").layers[0]
    numpy.testing.assert_array_equal(upper.get_param("W")[:3], old_W)
    numpy.testing.assert_array_equal(upper.get_param("b")[:3], old_b)
    with pytest.raises(ValueError, match="shrink"):
        resize_output(model, 2)


def test_initialize_needs_actions():
    model = build_transition_model(None, 3, width=8)
    with pytest.raises(ValueError, match="number of actions"):
        model.initialize()
