"""Tagger head: learns tag = f(word), resizes keeping old rows, round-trips bytes."""

import hashlib

import numpy
import pytest
from thinc.api import Adam, fix_random_seed

from nlp_models.ml import (
    build_hash_embed_cnn_tok2vec,
    build_tagger_model,
    categorical_loss,
    resize_output,
)

WORDS = [f"w{i}" for i in range(24)]


def h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def make_batch(rng: numpy.random.Generator, n_docs: int) -> tuple[list, list]:
    X, gold = [], []
    for _ in range(n_docs):
        idx = rng.integers(0, len(WORDS), size=rng.integers(3, 9))
        X.append(numpy.asarray([[h(WORDS[i]), h("p"), h(WORDS[i][-2:]), h("xd")] for i in idx], dtype="uint64"))
        gold.append(idx % 4)  # tag = f(word)
    return X, gold


def build(n_tags=4):
    tok2vec = build_hash_embed_cnn_tok2vec(width=32, depth=1, rows=(500, 50, 50, 10))
    return build_tagger_model(tok2vec, n_tags)


def test_tagger_learns_tag_of_word_and_roundtrips():
    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    model = build()
    X, gold = make_batch(rng, 16)
    model.initialize(X=X)
    optimizer = Adam(0.01)
    losses = []
    for _ in range(30):
        X, gold = make_batch(rng, 16)
        probs, backprop = model.begin_update(X)
        d, loss = categorical_loss(numpy.concatenate(probs), numpy.concatenate(gold))
        losses.append(loss / len(d))
        splits = numpy.cumsum([len(p) for p in probs])[:-1]
        backprop(numpy.split(d, splits))
        model.finish_update(optimizer)
    assert losses[-1] < 0.25 * losses[0]
    X, gold = make_batch(rng, 20)
    guesses = numpy.concatenate([p.argmax(axis=1) for p in model.predict(X)])
    assert (guesses == numpy.concatenate(gold)).mean() > 0.95
    copy = build()
    copy.initialize(X=X)
    copy.from_bytes(model.to_bytes())
    numpy.testing.assert_array_equal(numpy.concatenate(copy.predict(X)), numpy.concatenate(model.predict(X)))


def test_label_smoothing_aims_at_a_softened_target_and_is_zero_at_it():
    probs = numpy.asarray([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3]], dtype="float32")
    gold = numpy.asarray([0, -1])
    d, loss = categorical_loss(probs, gold, smoothing=0.3)
    target = numpy.asarray([0.8, 0.1, 0.1], dtype="float32")  # 0.7 one-hot + 0.3 / 3
    numpy.testing.assert_allclose(d[0], probs[0] - target, atol=1e-6)
    assert not d[1].any()  # missing gold: no gradient
    assert loss == pytest.approx(-(0.8 * numpy.log(0.7) + 0.1 * numpy.log(0.2) + 0.1 * numpy.log(0.1)), rel=1e-5)
    d_at_target, _ = categorical_loss(target[None, :], gold[:1], smoothing=0.3)
    numpy.testing.assert_allclose(d_at_target, 0.0, atol=1e-6)
    plain, _ = categorical_loss(probs, gold)
    numpy.testing.assert_allclose(plain[0], probs[0] - [1.0, 0.0, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match="label smoothing must be in"):
        categorical_loss(probs, gold, smoothing=1.0)


def test_resize_keeps_old_rows():
    fix_random_seed(1)
    rng = numpy.random.default_rng(1)
    model = build(n_tags=3)
    X, _ = make_batch(rng, 2)
    model.initialize(X=X)
    out = model.get_ref("output_layer")
    W = out.layers[0].get_param("W")
    out.layers[0].set_param("W", numpy.random.default_rng(2).normal(size=W.shape).astype("f"))
    old_W = out.layers[0].get_param("W").copy()
    resize_output(model, 5)
    new_W = model.get_ref("output_layer").layers[0].get_param("W")
    assert new_W.shape == (5, 32) and model.get_dim("nO") == 5
    numpy.testing.assert_array_equal(new_W[:3], old_W)
    assert not new_W[3:].any()
    assert all(p.shape[1] == 5 for p in model.predict(X))


def test_tagger_without_labels_can_be_sized_later():
    model = build(n_tags=None)
    resize_output(model, 7)
    rng = numpy.random.default_rng(3)
    X, _ = make_batch(rng, 2)
    model.initialize(X=X)
    assert model.predict(X)[0].shape[1] == 7
