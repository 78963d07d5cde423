"""Word dropout (tok2vec cfg `word_dropout`): while training, a share of the tokens read as an
unknown word (no NORM of their own, no static vector) and keep prefix, suffix, shape, characters
and context; inference is unchanged; the setting is saved and old models load."""

import hashlib
import random

import numpy
import pytest
import srsly
from thinc.api import fix_random_seed

from nlp_models import Tagger, blank, load
from nlp_models.ml import VectorTable, build_hash_embed_cnn_tok2vec


def h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def same_kind_of_words(n: int) -> numpy.ndarray:
    """NORM, PREFIX, SUFFIX, SHAPE of `n` distinct words sharing prefix, suffix and shape."""
    rows = [[h(f"w{i}ing"), h("w"), h("ing"), h("xxxx")] for i in range(n)]
    return numpy.asarray(rows, dtype="uint64")


def test_dropped_tokens_lose_their_identity_and_inference_reads_every_word():
    fix_random_seed(0)
    words = same_kind_of_words(400)
    vectors = VectorTable(numpy.random.uniform(-1, 1, (400, 6)).astype("float32"),
                          {int(key): i for i, key in enumerate(words[:, 0])})
    model = build_hash_embed_cnn_tok2vec(width=16, depth=0, rows=500, vectors=vectors, word_dropout=0.5)
    model.initialize(X=[words])
    predicted = model.predict([words])[0]
    assert len({tuple(row) for row in predicted.round(5)}) == 400  # every word its own vector
    trained, backprop = model([words], is_train=True)
    rows = trained[0]
    kept = numpy.isclose(rows, predicted, atol=1e-5).all(axis=1)
    dropped = rows[~kept]
    assert 150 < len(dropped) < 250  # about half, drawn anew ...
    numpy.testing.assert_allclose(dropped, numpy.broadcast_to(dropped[0], dropped.shape), atol=1e-5)  # ... alike
    backprop([numpy.ones_like(rows)])


def test_weights_loaded_from_a_model_without_it_keep_its_word_dropout():
    words = same_kind_of_words(300)
    fix_random_seed(1)
    plain = build_hash_embed_cnn_tok2vec(width=16, depth=0, rows=500)
    plain.initialize(X=[words])
    dropping = build_hash_embed_cnn_tok2vec(width=16, depth=0, rows=500, word_dropout=0.5)
    dropping.initialize(X=[words])
    dropping.from_bytes(plain.to_bytes())  # e.g. `nlp pretrain`'s weights, `nlp train -t2v`
    numpy.testing.assert_array_equal(dropping.predict([words])[0], plain.predict([words])[0])
    rows = dropping([words], is_train=True)[0][0]
    assert 100 < len(rows) - len({tuple(row) for row in rows.round(5)}) < 200


def test_the_same_seed_builds_the_same_inference_model_with_or_without_it():
    docs = [same_kind_of_words(12)]
    outputs = []
    for rate in (0.0, 0.3):
        fix_random_seed(7)
        model = build_hash_embed_cnn_tok2vec(width=16, depth=2, rows=100, word_dropout=rate)
        model.initialize(X=docs)
        outputs.append(model.predict(docs)[0])
    numpy.testing.assert_array_equal(*outputs)


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_a_rate_outside_zero_to_one_is_refused(rate):
    with pytest.raises(ValueError, match="word_dropout"):
        build_hash_embed_cnn_tok2vec(width=8, depth=1, word_dropout=rate)


def suffix_data(rng, n_docs):
    """(text, annotations) of docs of random words whose suffix decides the tag."""
    suffixes = {"ing": "V", "ness": "N", "ly": "R"}
    data = []
    for _ in range(n_docs):
        words = ["".join(rng.choice("bcdfgkmprst") for _ in range(4)) + rng.choice(sorted(suffixes))
                 for _ in range(5)]
        tags = [next(tag for suffix, tag in suffixes.items() if w.endswith(suffix)) for w in words]
        data.append((" ".join(words), {"words": words, "tags": tags}))
    return data


@pytest.fixture(scope="module")
def word_dropout_tagger():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", {"width": 32, "depth": 1, "embed_rows": 500, "word_dropout": 0.25}))
    train = suffix_data(random.Random(0), 30)
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(15):
        for start in range(0, len(train), 5):
            batch = train[start : start + 5]
            nlp.update([t for t, _ in batch], [a for _, a in batch], sgd=optimizer, drop=0.1)
    return nlp


def test_a_tagger_with_word_dropout_tags_unseen_words_and_round_trips(word_dropout_tagger, tmp_path):
    nlp = word_dropout_tagger
    unseen = suffix_data(random.Random(1), 10)
    texts = [text for text, _ in unseen]
    tags = [[t.tag_ for t in doc] for doc in nlp.pipe(texts)]
    right = sum(p == g for doc, (_, annots) in zip(tags, unseen) for p, g in zip(doc, annots["tags"]))
    assert right / sum(len(doc) for doc in tags) >= 0.9
    nlp.to_disk(tmp_path / "model")
    assert srsly.read_json(tmp_path / "model" / "tagger" / "cfg.json")["word_dropout"] == 0.25
    assert [[t.tag_ for t in d] for d in load(tmp_path / "model").pipe(texts)] == tags


def test_a_tagger_saved_before_word_dropout_loads_without_it(tmp_path):
    nlp = blank("en")
    plain = nlp.create_pipe("tagger", {"width": 32, "depth": 1, "embed_rows": 500})
    nlp.add_pipe(plain)
    nlp.begin_training(lambda: suffix_data(random.Random(0), 3))
    plain.to_disk(tmp_path / "tagger")
    cfg = srsly.read_json(tmp_path / "tagger" / "cfg.json")
    assert cfg.pop("word_dropout") == 0.0
    srsly.write_json(tmp_path / "tagger" / "cfg.json", cfg)  # as saved before the key existed
    given = Tagger(nlp.vocab, **{**plain.cfg, "word_dropout": 0.3})  # e.g. made by a preset, then loaded
    given.from_disk(tmp_path / "tagger")
    assert given.cfg["word_dropout"] == 0.0
