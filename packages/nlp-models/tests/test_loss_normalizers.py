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


def shard_sum(nlp, shards) -> dict[str, float]:
    """Every component's loss normalizer summed over the shards' own counts."""
    parts = [nlp.loss_normalizers([t for t, _ in shard], [a for _, a in shard]) for shard in shards]
    return {name: sum(part.get(name, 0.0) for part in parts) for name in set().union(*parts)}


def test_the_shards_own_counts_add_up_to_the_batch_count_and_its_gradient():
    nlp, batch = pipeline()
    untagged = [(text, {k: v for k, v in annots.items() if k != "tags"}) for text, annots in sentences(2)]
    batch = batch + untagged  # a shard of these has no known tag: it counts 0, not 1
    whole = nlp.loss_normalizers([t for t, _ in batch], [a for _, a in batch])
    shards = [batch[:5], batch[5:12], untagged]
    assert shard_sum(nlp, shards) == whole == {"tagger": 12 * 6.0, "parser": 14.0}
    summed = sum(gradient(nlp, shard, shard_sum(nlp, shards)) for shard in shards)
    numpy.testing.assert_allclose(summed, gradient(nlp, batch), rtol=1e-4, atol=1e-6)


def test_labels_to_learn_names_the_labels_an_update_adds_without_adding_them():
    nlp, _ = pipeline()
    parser = nlp.get_pipe("parser")
    known = list(parser.labels)
    text = "the old cat sees a dog"
    annots = {"words": text.split(), "tags": [TAGS[w] for w in text.split()], "heads": [2, 2, 3, 3, 5, 3],
              "deps": ["det", "nmod", "nsubj", "ROOT", "det", "dobj"]}
    found = nlp.labels_to_learn([text], [annots])
    assert found == {"parser": ["nmod", "dobj"]}
    assert nlp.loss_normalizers([text], [annots]) == {"tagger": 6.0, "parser": 1.0}
    assert list(parser.labels) == known  # neither call adds a label
    updated, _ = pipeline()
    updated.update([text], [annots], sgd=create_optimizer())
    nlp.learn_labels(found)
    assert list(parser.labels) == list(updated.get_pipe("parser").labels) == known + ["nmod", "dobj"]
    assert nlp.labels_to_learn([text], [annots]) == {}
    layout = ParamLayout(nlp).size
    nlp.update([text], [annots], sgd=create_optimizer())
    assert list(parser.labels) == known + ["nmod", "dobj"] and ParamLayout(nlp).size == layout


def test_the_entity_recognizer_counts_and_names_new_types_without_adding_them():
    fix_random_seed(1)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("ner", {"width": 16, "depth": 1, "embed_rows": 200, "hidden_width": 16}))
    nlp.begin_training(lambda: [("Ada sees Bob", {"entities": [(0, 3, "PER")]})])
    texts = ["Ada visits Acme in Paris", "nothing here", "Bob joins Acme"]
    golds = [{"entities": [(0, 3, "PER"), (11, 15, "ORG"), (19, 24, "LOC")]}, {"entities": []},
             {"entities": [(0, 3, "PER"), (10, 14, "ORG")]}]
    assert nlp.labels_to_learn(texts, golds) == {"ner": ["ORG", "LOC"]}
    assert nlp.loss_normalizers(texts, golds) == {"ner": 3.0}
    assert list(nlp.get_pipe("ner").labels) == ["PER"]


def test_two_replicas_learn_the_batchs_new_labels_alike_and_sum_to_the_batch_gradient():
    from nlp_train.gradients import loss_counts

    extra = []
    for text, annots in sentences(4):
        deps = list(annots["deps"])
        deps[1] = "nmod" if len(extra) < 2 else "amod2"  # new labels: one in each shard
        extra.append((text, {**annots, "deps": deps}))
    _, batch = pipeline()
    batch = batch[:4] + extra
    shards = [batch[:6], batch[6:]]
    replicas = [pipeline()[0] for _ in shards]
    examples = ([t for t, _ in batch], [a for _, a in batch])
    assert replicas[0].labels_to_learn(*examples) == {"parser": ["nmod", "amod2"]}
    counts = [loss_counts(nlp, list(zip(*examples))) for nlp in replicas]
    assert counts[0] == counts[1] == {"tagger": 48.0, "parser": 8.0}
    assert ParamLayout(replicas[0]).digest() == ParamLayout(replicas[1]).digest()
    summed = sum(gradient(nlp, shard, counts[0]) for nlp, shard in zip(replicas, shards))
    whole = pipeline()[0]  # one process, whose update would add the labels in batch order: the same
    loss_counts(whole, list(zip(*examples)))
    numpy.testing.assert_allclose(summed, gradient(whole, batch), rtol=1e-4, atol=1e-6)
    assert list(whole.get_pipe("parser").labels) == list(replicas[1].get_pipe("parser").labels)
