"""A batch split into shards (data-parallel training): each shard's update, dividing every mean
loss by the whole batch's count (`loss_normalizers`), gives gradients that add up to the whole
batch's; dividing by the shard's own count would not."""

from __future__ import annotations

import random

import numpy
from thinc.api import fix_random_seed

from nlp_models import NormalizedLoss, blank, implements
from nlp_train import create_optimizer
from nlp_train.gradients import GradientCapture, ParamLayout, split_batch

TAGS = {"the": "DT", "a": "DT", "cat": "NN", "dog": "NN", "sees": "VBZ", "likes": "VBZ", "old": "JJ"}


def sentences(n: int) -> list[tuple[str, dict]]:
    rng = random.Random(7)
    out = []
    for _ in range(n):
        words = [rng.choice(["the", "a"]), rng.choice(["old", "cat"]), "cat", rng.choice(["sees", "likes"]),
                 rng.choice(["the", "a"]), "dog"]
        heads = [2, 2, 3, 3, 5, 3]
        deps = ["det", "amod", "nsubj", "ROOT", "det", "obj"]
        out.append((" ".join(words), {"words": words, "tags": [TAGS[w] for w in words], "heads": heads,
                                      "deps": deps}))
    return out


def pipeline():
    fix_random_seed(2)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", {"width": 32, "depth": 1, "embed_rows": 500}))
    nlp.add_pipe(nlp.create_pipe("tagger", {"tok2vec": "tok2vec", "normalize_loss": True}))
    nlp.add_pipe(nlp.create_pipe("parser", {"tok2vec": "tok2vec", "hidden_width": 16, "explore": 0.0}))
    data = sentences(12)
    nlp.begin_training(lambda: data)
    return nlp, data


def gradient(nlp, pairs, counts=None) -> numpy.ndarray:
    """The flat gradient of one update on (text, annotations) `pairs` (no weight changes)."""
    capture = GradientCapture(ParamLayout(nlp), create_optimizer())
    nlp.update([t for t, _ in pairs], [a for _, a in pairs], drop=0.0, sgd=capture, loss_normalizers=counts)
    return capture.flat


def test_shards_divided_by_the_whole_batch_count_sum_to_its_gradient():
    nlp, batch = pipeline()
    counts = nlp.loss_normalizers([t for t, _ in batch], [a for _, a in batch])
    assert counts == {"tagger": 12 * 6.0, "parser": 12.0}  # known tags; sentences (the tok2vec: a sum)
    assert implements(nlp.get_pipe("parser"), NormalizedLoss)
    whole = gradient(nlp, batch)
    shards = split_batch(batch, 3, lambda pair: len(pair[1]["words"]))
    summed = sum(gradient(nlp, shard, counts) for shard in shards)
    assert numpy.abs(whole).max() > 1e-3
    numpy.testing.assert_allclose(summed, whole, rtol=1e-4, atol=1e-6)
    own = sum(gradient(nlp, shard) for shard in shards)  # each shard's mean: three times too much
    assert not numpy.allclose(own, whole, rtol=1e-2, atol=1e-4)
