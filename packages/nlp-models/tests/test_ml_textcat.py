"""Text classifiers: bag-of-ngrams, CNN and ensemble learn a toy task, resize, round-trip."""

import hashlib

import numpy
import pytest
from thinc.api import Adam, fix_random_seed

from nlp_models.ml import (
    build_bow_text_classifier,
    build_cnn_text_classifier,
    build_hash_embed_cnn_tok2vec,
    build_text_classifier,
    resize_output,
    textcat_loss,
)

FILLER = [f"f{i}" for i in range(20)]


def h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def make_batch(rng, n_docs=16):
    """Label 0 if the doc holds "good", 1 if "bad", 2 if neither (exclusive classes)."""
    X, truth = [], numpy.zeros((n_docs, 3), "f")
    for d in range(n_docs):
        words = list(rng.choice(FILLER, size=rng.integers(3, 8)))
        label = int(rng.integers(0, 3))
        if label < 2:
            words.insert(int(rng.integers(0, len(words))), ["good", "bad"][label])
        truth[d, label] = 1
        X.append(numpy.asarray([[h(w), h(w[:1]), h(w[-3:]), h("x")] for w in words], "uint64"))
    return X, truth


def tok2vec():
    return build_hash_embed_cnn_tok2vec(width=16, depth=1, rows=(200, 20, 20, 5))


BUILDERS = {
    "bow": lambda n, exclusive=True: build_bow_text_classifier(exclusive, ngram_size=2, n_labels=n, length=2**12),
    "cnn": lambda n, exclusive=True: build_cnn_text_classifier(tok2vec(), exclusive, n_labels=n, hidden_width=16),
    "ensemble": lambda n, exclusive=True: build_text_classifier(
        tok2vec(), exclusive, n_labels=n, ngram_size=3, hidden_width=16, length=2**12
    ),
}


def train(model, rng, steps=30):
    X, truth = make_batch(rng)
    model.initialize(X=X)
    optimizer = Adam(0.02)
    losses = []
    for _ in range(steps):
        X, truth = make_batch(rng)
        truth = truth[:, : model.get_dim("nO")]
        scores, backprop = model.begin_update(X)
        d, loss = textcat_loss(scores, truth)
        backprop(d / len(X))
        model.finish_update(optimizer)
        losses.append(loss / len(X))
    return losses


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_classifier_learns_and_roundtrips(kind):
    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    model = BUILDERS[kind](3)
    losses = train(model, rng)
    assert numpy.mean(losses[-3:]) < 0.5 * numpy.mean(losses[:3]), losses
    X, truth = make_batch(rng, 40)
    scores = model.predict(X)
    numpy.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)
    assert (scores.argmax(axis=1) == truth.argmax(axis=1)).mean() > 0.85
    copy = BUILDERS[kind](3)
    copy.initialize(X=X)
    copy.from_bytes(model.to_bytes())
    numpy.testing.assert_array_equal(copy.predict(X), scores)


def test_multilabel_uses_sigmoid_and_learns():
    fix_random_seed(1)
    rng = numpy.random.default_rng(1)
    model = BUILDERS["ensemble"](3, exclusive=False)
    losses = train(model, rng)
    assert numpy.mean(losses[-3:]) < 0.5 * numpy.mean(losses[:3])
    scores = model.predict(make_batch(rng, 5)[0])
    assert ((scores > 0) & (scores < 1)).all()
    assert not numpy.allclose(scores.sum(axis=1), 1.0)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_resize_keeps_old_label_scores(kind):
    fix_random_seed(2)
    rng = numpy.random.default_rng(2)
    model = BUILDERS[kind](2, exclusive=False)
    X, _ = make_batch(rng, 8)
    model.initialize(X=X)
    train(model, rng, steps=3)  # move the weights away from zero
    before = model.predict(X)
    resize_output(model, 4)
    after = model.predict(X)
    assert after.shape == (8, 4) and model.get_dim("nO") == 4
    # sigmoid outputs of the old labels are untouched; new labels start at logit 0
    numpy.testing.assert_allclose(after[:, :2], before, rtol=1e-5, atol=1e-6)


def test_empty_docs_and_bad_input():
    model = BUILDERS["ensemble"](2)
    X = [numpy.zeros((0, 4), "uint64"), make_batch(numpy.random.default_rng(0), 1)[0][0]]
    model.initialize(X=X)
    assert model.predict(X).shape == (2, 2)
    with pytest.raises(ValueError, match=r"features\[0\]"):
        model.predict([numpy.zeros(3, "uint64")])
