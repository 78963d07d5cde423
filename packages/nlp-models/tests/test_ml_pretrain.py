"""Pretraining heads and their losses: static-vector and character objectives."""

import hashlib

import numpy
import pytest
from thinc.api import Adam, fix_random_seed

from nlp_models.ml import (
    VectorTable,
    build_hash_embed_cnn_tok2vec,
    build_pretrain_characters_model,
    build_pretrain_vectors_model,
    character_targets,
    characters_loss,
    static_vector_targets,
    vectors_loss,
)

WORDS = ["cat", "dog", "Übung", "a", "elephant", "zoo", "ox", "yak"]


def h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def feats(words):
    return numpy.asarray([[h(w.lower()), h(w[:1]), h(w[-3:]), h("x")] for w in words], "uint64")


def batch(rng, n_docs=8):
    docs = [list(rng.choice(WORDS, size=rng.integers(2, 6))) for _ in range(n_docs)]
    return docs, [feats(d) for d in docs]


def tok2vec():
    return build_hash_embed_cnn_tok2vec(width=16, depth=1, rows=(100, 20, 20, 5))


@pytest.mark.parametrize("objective", ["cosine", "L2"])
def test_vectors_objective_learns(objective):
    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    known = WORDS[:-1]  # "yak" has no vector: masked out
    table = VectorTable(rng.normal(size=(len(known), 10)).astype("f"), [h(w.lower()) for w in known])
    model = build_pretrain_vectors_model(tok2vec(), vector_width=10, hidden_width=32)
    _, X = batch(rng)
    model.initialize(X=X)
    assert model.get_ref("tok2vec") is not None and model.get_dim("nO") == 10
    optimizer = Adam(0.01)
    losses = []
    for _ in range(40):
        _, X = batch(rng)
        targets, masks = static_vector_targets(table, X, column=0)
        Y, backprop = model.begin_update(X)
        grads, total = [], 0.0
        for y, t, m in zip(Y, targets, masks):
            d, loss = vectors_loss(y, t, m, objective=objective)
            grads.append(d)
            total += loss
        backprop(grads)
        model.finish_update(optimizer)
        losses.append(total)
    assert numpy.mean(losses[-3:]) < 0.3 * numpy.mean(losses[:3])


@pytest.mark.parametrize("objective", ["cosine", "L2"])
def test_vectors_loss_gradient(objective):
    rng = numpy.random.default_rng(1)
    pred, target = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    mask = numpy.asarray([1, 0, 1], "f")
    d, _ = vectors_loss(pred, target, mask, objective)
    assert not d[1].any()
    eps = 1e-3
    for i, j in [(0, 0), (2, 3), (0, 2)]:
        p = pred.copy()
        p[i, j] += eps
        up = vectors_loss(p, target, mask, objective)[1]
        p[i, j] -= 2 * eps
        down = vectors_loss(p, target, mask, objective)[1]
        assert abs((up - down) / (2 * eps) - d[i, j]) < 1e-2
    with pytest.raises(ValueError, match="objective"):
        vectors_loss(pred, target, objective="L1")


def test_character_targets():
    t = character_targets(["ab", "Über", ""], 3)
    assert t[0].tolist() == [97, 98, 256, 256, 97, 98]
    u = list("Über".encode())
    assert t[1].tolist() == u[:3] + u[-3:]
    assert t[2].tolist() == [256] * 6
    with pytest.raises(TypeError, match=r"words\[0\]"):
        character_targets([3], 2)


def test_characters_objective_learns():
    fix_random_seed(2)
    rng = numpy.random.default_rng(2)
    model = build_pretrain_characters_model(tok2vec(), n_characters=2, hidden_width=32)
    _, X = batch(rng)
    model.initialize(X=X)
    optimizer = Adam(0.01)
    losses = []
    for _ in range(40):
        docs, X = batch(rng)
        Y, backprop = model.begin_update(X)
        grads, total = [], 0.0
        for y, words in zip(Y, docs):
            d, loss = characters_loss(y, character_targets(words, 2))
            grads.append(d)
            total += loss
        backprop(grads)
        model.finish_update(optimizer)
        losses.append(total / sum(len(d) for d in docs))
    assert numpy.mean(losses[-3:]) < 0.3 * numpy.mean(losses[:3])
