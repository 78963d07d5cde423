"""Tagger: learning custom tags, the tag map, masked gold, label growth, save/load."""

import numpy
import pytest
from thinc.api import Model, fix_random_seed

from nlp_gold import Example
from nlp_models import Tagger, blank
from nlp_models.ml import build_tagger_model
from nlp_models.pipes import TrainablePipe
from nlp_train import create_optimizer
from nlp_vocab import Doc, Vocab

TAG_MAP = {"N": {"pos": "NOUN", "Number": "Sing"}, "V": {"pos": "VERB"}, "J": {"pos": "ADJ"}}
TRAIN = [
    ("I like green eggs", ["N", "V", "J", "N"]),
    ("Eat blue ham", ["V", "J", "N"]),
    ("They want red apples", ["N", "V", "J", "N"]),
]
SMALL = {"width": 32, "depth": 2, "embed_rows": 500}


def _examples(vocab, data):
    return [Example.from_dict(Doc(vocab, words=t.split()), {"tags": tags}) for t, tags in data]


def _trained_tagger(n_iter=30, **cfg):
    fix_random_seed(0)
    vocab = Vocab("en")
    tagger = Tagger(vocab, **{**SMALL, **cfg})
    for tag, values in TAG_MAP.items():
        tagger.add_label(tag, values)
    examples = _examples(vocab, TRAIN)
    tagger.begin_training(lambda: examples)
    sgd = create_optimizer()
    for _ in range(n_iter):
        tagger.update(examples, sgd=sgd, drop=0.1)
    return vocab, tagger


def test_tagger_is_a_trainable_pipe_with_cfg_and_labels():
    tagger = Tagger(Vocab("en"), name="my_tagger", width=48)
    assert isinstance(tagger, TrainablePipe)
    assert tagger.name == "my_tagger"
    assert tagger.cfg["width"] == 48 and tagger.cfg["depth"] == 4
    assert tagger.model is None
    assert tagger.add_label("N") == 1
    assert tagger.add_label("N") == 0
    assert tagger.labels == ("N",)


def test_add_label_puts_the_tag_map_entry_in_the_vocab():
    vocab = Vocab("xx")
    tagger = Tagger(vocab)
    tagger.add_label("N", {"pos": "NOUN"})
    assert vocab.tag_map.pos_of("N") == "NOUN"
    with pytest.raises(ValueError, match="UPOS"):
        tagger.add_label("Q", {"pos": "NOTAPOS"})


def test_tagger_learns_custom_tags_and_sets_pos_and_morph():
    vocab, tagger = _trained_tagger()
    losses = tagger.update(_examples(vocab, TRAIN), sgd=None)
    assert losses["tagger"] < 1.0
    doc = tagger(Doc(vocab, words="I like green eggs".split()))
    assert [t.tag_ for t in doc] == ["N", "V", "J", "N"]
    assert [t.pos_ for t in doc] == ["NOUN", "VERB", "ADJ", "NOUN"]
    assert doc[0].morph_ == "Number=Sing"
    assert doc[1].morph_ == ""


def test_unknown_gold_tags_are_masked():
    vocab = Vocab("en")
    tagger = Tagger(vocab, **SMALL, labels=["N", "V"])
    tagger.begin_training()
    example = Example.from_dict(Doc(vocab, words=["a", "b"]), {"tags": ["N", None]})
    scores = tagger.model.predict(tagger.model_input([example.predicted]))
    loss, d_scores = tagger.get_loss([example], scores)
    assert numpy.all(d_scores[0][1] == 0.0)
    assert numpy.any(d_scores[0][0] != 0.0)
    assert loss > 0


def test_gold_tag_outside_the_labels_names_the_example():
    vocab = Vocab("en")
    tagger = Tagger(vocab, **SMALL, labels=["N"])
    tagger.begin_training()
    examples = _examples(vocab, [("a b", ["N", "N"]), ("c", ["ZZ"])])
    with pytest.raises(ValueError, match="example 1.*'ZZ'"):
        tagger.update(examples)


def test_begin_training_infers_labels_and_needs_some():
    vocab = Vocab("en")
    tagger = Tagger(vocab, **SMALL)
    with pytest.raises(ValueError, match="no labels"):
        tagger.begin_training()
    examples = _examples(vocab, TRAIN)
    tagger.begin_training(lambda: examples)
    assert set(tagger.labels) == {"N", "V", "J"}


def test_model_is_required_before_predicting():
    tagger = Tagger(Vocab("en"), labels=["N"])
    with pytest.raises(ValueError, match="begin_training"):
        tagger(Doc(tagger.vocab, words=["x"]))


def test_add_label_after_training_keeps_what_was_learned():
    vocab, tagger = _trained_tagger()
    words = "They want red apples".split()
    before = tagger.predict([Doc(vocab, words=words)])[0]
    assert tagger.add_label("X", {"pos": "X"}) == 1
    after = tagger.predict([Doc(vocab, words=words)])[0]
    assert after.shape == (4, 4)
    assert list(after[:, :3].argmax(axis=1)) == list(before.argmax(axis=1))


def test_tagger_bytes_and_disk_round_trip(tmp_path):
    vocab, tagger = _trained_tagger(n_iter=5)
    words = "Eat green apples".split()
    expected = tagger.predict([Doc(vocab, words=words)])[0]
    loaded = Tagger(vocab).from_bytes(tagger.to_bytes())
    assert loaded.labels == tagger.labels and loaded.cfg["width"] == 32
    numpy.testing.assert_array_equal(loaded.predict([Doc(vocab, words=words)])[0], expected)
    tagger.to_disk(tmp_path / "tagger")
    assert sorted(p.name for p in (tmp_path / "tagger").iterdir()) == ["cfg.json", "labels.json", "model.bin"]
    from_disk = Tagger(vocab).from_disk(tmp_path / "tagger")
    numpy.testing.assert_array_equal(from_disk.predict([Doc(vocab, words=words)])[0], expected)


def test_from_disk_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="cfg.json"):
        Tagger(Vocab("en")).from_disk(tmp_path)


def test_pipe_batches_and_handles_empty_docs():
    vocab, tagger = _trained_tagger(n_iter=5)
    docs = [Doc(vocab, words=["eggs"]), Doc(vocab, words=[]), Doc(vocab, words=["Eat", "ham"])]
    out = list(tagger.pipe(docs, batch_size=2))
    assert out == docs
    assert len(out[1]) == 0 and out[2][1].tag_ in TAG_MAP


def test_tagger_in_a_pipeline_with_a_blank_english_language():
    fix_random_seed(0)
    nlp = blank("en")
    tagger = nlp.create_pipe("tagger", SMALL)
    nlp.add_pipe(tagger)
    for tag, values in TAG_MAP.items():
        tagger.add_label(tag, values)
    optimizer = nlp.begin_training()
    for _ in range(25):
        for text, tags in TRAIN:
            nlp.update([text], [{"tags": tags}], sgd=optimizer)
    assert [t.tag_ for t in nlp("I like green eggs")] == ["N", "V", "J", "N"]


def test_normalize_loss_divides_the_gradient_by_the_known_tokens():
    vocab = Vocab("en")
    plain = Tagger(vocab, **SMALL, labels=["N", "V"])
    plain.begin_training()
    normalized = Tagger(vocab, **SMALL, labels=["N", "V"], normalize_loss=True)
    normalized.model = plain.model
    example = Example.from_dict(Doc(vocab, words=["a", "b", "c"]), {"tags": ["N", None, "V"]})
    scores = plain.model.predict(plain.model_input([example.predicted]))
    loss1, d1 = plain.get_loss([example], scores)
    loss2, d2 = normalized.get_loss([example], scores)
    assert loss1 == pytest.approx(loss2)
    numpy.testing.assert_allclose(d2[0] * 2, d1[0], rtol=1e-6)


def test_label_smoothing_moves_each_known_tokens_target_off_one_hot():
    vocab = Vocab("en")
    plain = Tagger(vocab, **SMALL, labels=["N", "V"])
    plain.begin_training()
    smoothed = Tagger(vocab, **SMALL, labels=["N", "V"], label_smoothing=0.2)
    smoothed.model = plain.model
    example = Example.from_dict(Doc(vocab, words=["a", "b", "c"]), {"tags": ["N", None, "V"]})
    scores = plain.model.predict(plain.model_input([example.predicted]))
    _, d_plain = plain.get_loss([example], scores)
    _, d_smoothed = smoothed.get_loss([example], scores)
    # target 0.9 for the gold tag, 0.1 for the other (0.8 one-hot + 0.2 / 2); the unknown row stays 0
    expected = numpy.asarray([[0.1, -0.1], [0.0, 0.0], [-0.1, 0.1]], dtype="float32")
    numpy.testing.assert_allclose(d_smoothed[0] - d_plain[0], expected, atol=1e-6)


def test_a_hidden_layer_between_tok2vec_and_softmax_learns_and_round_trips():
    vocab, tagger = _trained_tagger(n_iter=40, hidden_width=16)
    assert "maxout_pm" in [layer.name for layer in tagger.model.walk()]
    doc = tagger(Doc(vocab, words="They want red apples".split()))
    assert [t.tag_ for t in doc] == ["N", "V", "J", "N"]
    other = Tagger(vocab, **SMALL, hidden_width=16).from_bytes(tagger.to_bytes())
    assert [t.tag_ for t in other(Doc(vocab, words="Eat blue ham".split()))] == ["V", "J", "N"]
    with pytest.raises(ValueError, match="a hidden layer needs the tok2vec's output width"):
        build_tagger_model(Model("no_width", lambda model, X, is_train: (X, None)), n_tags=2, hidden_width=8)


@pytest.mark.parametrize("factory", ["tagger", "morphologizer"])
def test_head_cfg_is_checked_when_the_component_is_built(factory):
    nlp = blank("en")
    for cfg, key in (({"label_smoothing": 1.0}, "label_smoothing"), ({"label_smoothing": -0.1}, "label_smoothing"),
                     ({"hidden_width": -1}, "hidden_width")):
        with pytest.raises(ValueError, match=rf"^{factory}: cfg {key} must be"):
            nlp.create_pipe(factory, cfg)
    assert nlp.create_pipe(factory, {"hidden_width": None}).cfg["hidden_width"] == 0  # None: no hidden layer
    assert nlp.create_pipe(factory, {"label_smoothing": 0.1}).cfg["label_smoothing"] == 0.1
