"""TextCategorizer: exclusive and multilabel toy tasks, each architecture, masking, errors."""

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import TextCategorizer, blank
from nlp_train import compounding, create_optimizer, minibatch
from nlp_vocab import Doc, Vocab

SMALL = {"width": 32, "depth": 1, "embed_rows": 500}
POSITIVE = ["good", "great", "fine", "lovely", "superb", "nice"]
NEGATIVE = ["bad", "awful", "poor", "dreadful", "terrible", "nasty"]
FILLER = ["the", "film", "was", "really", "quite", "plot", "acting", "it"]


def _toy_data(n, seed):
    """Sentences of filler words with one sentiment word; label from that word."""
    rng = numpy.random.default_rng(seed)
    data = []
    for i in range(n):
        positive = i % 2 == 0
        words = list(rng.choice(FILLER, size=4))
        words.insert(int(rng.integers(0, 5)), str(rng.choice(POSITIVE if positive else NEGATIVE)))
        data.append((" ".join(words), {"POS": float(positive), "NEG": float(not positive)}))
    return data


def _train(architecture, exclusive=True, n_iter=8):
    fix_random_seed(1)
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture=architecture, exclusive_classes=exclusive, **SMALL)
    train = [Example.from_dict(Doc(vocab, words=t.split()), {"cats": c}) for t, c in _toy_data(60, 0)]
    textcat.begin_training(lambda: train)
    sgd = create_optimizer()
    for _ in range(n_iter):
        for batch in minibatch(train, size=compounding(4, 16, 1.1)):
            textcat.update(batch, sgd=sgd, drop=0.1)
    return vocab, textcat


@pytest.mark.parametrize("architecture", ["ensemble", "bow", "cnn"])
def test_textcat_learns_a_toy_task(architecture):
    vocab, textcat = _train(architecture)
    assert set(textcat.labels) == {"POS", "NEG"}
    dev = _toy_data(40, 7)
    correct = 0
    for text, cats in dev:
        doc = textcat(Doc(vocab, words=text.split()))
        assert set(doc.cats) == {"POS", "NEG"}
        assert abs(sum(doc.cats.values()) - 1.0) < 1e-4
        correct += (doc.cats["POS"] > 0.5) == (cats["POS"] == 1.0)
    assert correct >= 36


def test_multilabel_uses_sigmoids():
    vocab, textcat = _train("bow", exclusive=False, n_iter=10)
    doc = textcat(Doc(vocab, words="the film was superb".split()))
    assert doc.cats["POS"] > 0.5 > doc.cats["NEG"]
    assert all(0.0 <= v <= 1.0 for v in doc.cats.values())


def test_missing_labels_are_masked_in_multilabel_loss():
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture="bow", exclusive_classes=False, labels=["A", "B"])
    textcat.begin_training()
    examples = [Example.from_dict(Doc(vocab, words=["x", "y"]), {"cats": {"A": 1.0}})]
    scores = textcat.predict([eg.predicted for eg in examples])
    loss, d_scores = textcat.get_loss(examples, scores)
    d_scores = numpy.asarray(d_scores)
    assert d_scores[0, 1] == 0.0 and d_scores[0, 0] < 0.0


def test_exclusive_example_without_any_label_is_skipped():
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture="bow", labels=["A", "B"])
    textcat.begin_training()
    examples = [Example.from_dict(Doc(vocab, words=["x"]), {"cats": {}})]
    loss, d_scores = textcat.get_loss(examples, textcat.predict([examples[0].predicted]))
    assert loss == 0.0 and not numpy.asarray(d_scores).any()


def test_bad_category_value_names_the_example():
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture="bow", labels=["A", "B"])
    textcat.begin_training()
    examples = [
        Example.from_dict(Doc(vocab, words=["x"]), {"cats": {"A": 1.0}}),
        Example.from_dict(Doc(vocab, words=["y"]), {"cats": {"A": 3.0}}),
    ]
    with pytest.raises(ValueError, match=r"example 1.*cats\['A'\]"):
        textcat.update(examples)


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="architecture 'lstm'"):
        TextCategorizer(Vocab("en"), architecture="lstm")


def test_add_label_after_training_grows_every_output_layer():
    vocab, textcat = _train("ensemble", n_iter=2)
    assert textcat.add_label("MIXED") == 1
    doc = textcat(Doc(vocab, words="the film was fine".split()))
    assert set(doc.cats) == {"POS", "NEG", "MIXED"}


def test_textcat_round_trip_gives_identical_scores(tmp_path):
    vocab, textcat = _train("ensemble", n_iter=2)
    docs = [Doc(vocab, words=t.split()) for t, _ in _toy_data(6, 3)]
    expected = textcat.predict(docs)
    again = TextCategorizer(vocab).from_bytes(textcat.to_bytes())
    numpy.testing.assert_array_equal(again.predict(docs), expected)
    textcat.to_disk(tmp_path / "tc")
    loaded = TextCategorizer(vocab).from_disk(tmp_path / "tc")
    assert loaded.cfg["architecture"] == "ensemble"
    numpy.testing.assert_array_equal(loaded.predict(docs), expected)


def test_textcat_through_the_language_scores_accuracy():
    fix_random_seed(2)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("textcat", {"architecture": "bow"}))
    train = [(text, {"cats": cats}) for text, cats in _toy_data(60, 0)]
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(15):
        for batch in minibatch(train, size=4):
            texts, annots = zip(*batch)
            nlp.update(texts, annots, sgd=optimizer)
    scores = nlp.evaluate([(t, {"cats": c}) for t, c in _toy_data(40, 5)])
    assert scores["textcat_acc"] >= 90.0
    assert scores["textcat_macro_f"] >= 90.0


def test_exclusive_classes_need_two_labels():
    vocab = Vocab("en")
    one = [Example.from_dict(Doc(vocab, words=["fine"]), {"cats": {"POS": 1.0}})]
    textcat = TextCategorizer(vocab, architecture="bow")
    with pytest.raises(ValueError, match="exclusive classes need at least two labels, got only 'POS'"):
        textcat.begin_training(lambda: one)
    multilabel = TextCategorizer(vocab, architecture="bow", exclusive_classes=False)
    multilabel.begin_training(lambda: one)  # one independent yes/no class is fine
    assert multilabel.labels == ("POS",)
