"""TextCategorizer: exclusive and multilabel toy tasks, each architecture, masking, errors; and
the classifier as spaCy v2 users write it (issue #16, point 3): v2's architecture names,
`exclusive_classes=False` by default, cats as bools/ints/numpy numbers, the one-label exclusive
error, and `textcat.model.tok2vec` for pretrained weights."""

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


@pytest.mark.parametrize("architecture", ["ensemble", "bow", "simple_cnn"])
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
    textcat = TextCategorizer(vocab, architecture="bow", exclusive_classes=True, labels=["A", "B"])
    textcat.begin_training()
    examples = [Example.from_dict(Doc(vocab, words=["x"]), {"cats": {}})]
    loss, d_scores = textcat.get_loss(examples, textcat.predict([examples[0].predicted]))
    assert loss == 0.0 and not numpy.asarray(d_scores).any()


def test_bad_category_value_names_the_example():
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture="bow", labels=["A", "B"])
    textcat.begin_training()
    with pytest.raises(ValueError, match=r"cats\['A'\] = 3.0 is not in \[0, 1\]"):
        Example.from_dict(Doc(vocab, words=["y"]), {"cats": {"A": 3.0}})
    examples = [
        Example.from_dict(Doc(vocab, words=["x"]), {"cats": {"A": 1.0}}),
        Example.from_dict(Doc(vocab, words=["y"]), {"cats": {"A": 1.0}}),
    ]
    examples[1].reference.cats["A"] = 3.0  # set after the Example's own check: the component's
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
    nlp.add_pipe(nlp.create_pipe("textcat", {"architecture": "bow", "exclusive_classes": True}))
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
    textcat = TextCategorizer(vocab, architecture="bow", exclusive_classes=True)
    with pytest.raises(ValueError, match="exclusive classes need at least two labels, got only 'POS'"):
        textcat.begin_training(lambda: one)
    multilabel = TextCategorizer(vocab, architecture="bow", exclusive_classes=False)
    multilabel.begin_training(lambda: one)  # one independent yes/no class is fine
    assert multilabel.labels == ("POS",)


# ---- as spaCy v2 users write it --------------------------------------------------------------


def _textcat_nlp(**cfg):
    nlp = blank("en")
    textcat = nlp.create_pipe("textcat", config=cfg)
    nlp.add_pipe(textcat, last=True)
    return nlp, textcat


def test_v2_defaults_are_ensemble_and_not_exclusive():
    nlp, textcat = _textcat_nlp()
    assert textcat.cfg["architecture"] == "ensemble" and textcat.cfg["exclusive_classes"] is False
    for label in ("POSITIVE", "NEGATIVE"):
        textcat.add_label(label)
    optimizer = nlp.begin_training()
    for _ in range(5):  # both yes: what mutually exclusive classes cannot learn
        nlp.update(["the film was good"], [{"cats": {"POSITIVE": True, "NEGATIVE": True}}], sgd=optimizer)
    cats = nlp("the film was good").cats
    assert set(cats) == {"POSITIVE", "NEGATIVE"} and min(cats.values()) > 0.5


@pytest.mark.parametrize("architecture", ["simple_cnn", "bow", "ensemble", "cnn"])
def test_v2_architecture_names_build_and_annotate(architecture):
    nlp, textcat = _textcat_nlp(architecture=architecture, exclusive_classes=True, **SMALL)
    textcat.add_label("A")
    textcat.add_label("B")
    nlp.begin_training()
    assert sum(nlp("some text here").cats.values()) == pytest.approx(1.0, abs=1e-5)


def test_cnn_is_another_name_of_simple_cnn():
    vocab = Vocab("en")
    docs = [Doc(vocab, words=t.split()) for t, _ in _toy_data(4, 1)]
    old = TextCategorizer(vocab, architecture="cnn", labels=["A", "B"], **SMALL)
    old.begin_training()
    new = TextCategorizer(vocab, architecture="simple_cnn", labels=["A", "B"], **SMALL).from_bytes(old.to_bytes())
    numpy.testing.assert_array_equal(new.predict(docs), old.predict(docs))


def test_an_unknown_architecture_lists_v2_names():
    with pytest.raises(ValueError, match="unknown architecture 'lstm'; expected one of ensemble, simple_cnn, bow"):
        blank("en").create_pipe("textcat", config={"architecture": "lstm"})


def test_v2_style_bool_cats_train_a_classifier():
    """v2's train_textcat gives {"POSITIVE": bool(y), "NEGATIVE": not bool(y)}; ints and numpy
    numbers are numbers too (here each example has one of these types)."""
    fix_random_seed(0)
    nlp, textcat = _textcat_nlp(architecture="bow")
    kinds = [bool, int, numpy.float32, numpy.bool_]
    train = [(text, {"cats": {label: kinds[i % 4](value) for label, value in cats.items()}})
             for i, (text, cats) in enumerate(_toy_data(60, 0))]
    optimizer = nlp.begin_training(lambda: train)
    assert sorted(textcat.labels) == ["NEG", "POS"]
    for _ in range(10):
        for batch in minibatch(train, size=4):
            texts, annotations = zip(*batch)
            losses = nlp.update(texts, annotations, sgd=optimizer, losses={})
            assert numpy.isfinite(losses["textcat"])
    right = sum((nlp(text).cats["POS"] > 0.5) == (cats["POS"] == 1.0) for text, cats in _toy_data(40, 7))
    assert right >= 35


def test_numpy_cats_on_a_gold_doc_are_accepted():
    nlp, textcat = _textcat_nlp(architecture="bow", labels=["A", "B"])
    nlp.begin_training()
    gold = nlp.make_doc("good film")
    gold.cats = {"A": numpy.bool_(True), "B": numpy.float64(0.0)}
    losses = nlp.update([nlp.make_doc("good film")], [gold], losses={})
    assert losses["textcat"] > 0.0


@pytest.mark.parametrize("value,message", [
    ("yes", r"update example 1: cats\['A'\] = 'yes' is not a number"),
    (float("nan"), r"update example 1: cats\['A'\] = nan is not in \[0, 1\]"),
    (1.5, r"update example 1: cats\['A'\] = 1.5 is not in \[0, 1\]"),
])
def test_bad_cats_are_one_line_naming_the_example(value, message):
    nlp, textcat = _textcat_nlp(architecture="bow", labels=["A", "B"])
    nlp.begin_training()
    with pytest.raises(ValueError, match=message) as info:
        nlp.update(["good film", "bad film"], [{"cats": {"A": True}}, {"cats": {"A": value}}])
    assert "\n" not in str(info.value)


def test_gold_is_checked_once_per_update_and_by_a_direct_get_loss(monkeypatch):
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture="bow", labels=["A", "B"])
    textcat.begin_training()
    bad = [Example.from_dict(Doc(vocab, words=["x"]), {"cats": {"C": 1.0}})]
    with pytest.raises(ValueError, match=r"textcat: example 0 .*label 'C', which is not one of its labels"):
        textcat.get_loss(bad, textcat.predict([bad[0].predicted]))
    calls = []
    check = textcat.check_examples
    monkeypatch.setattr(textcat, "check_examples", lambda examples: calls.append(1) or check(examples))
    good = [Example.from_dict(Doc(vocab, words=["x"]), {"cats": {"A": 1.0, "B": 0.0}})]
    losses = textcat.update(good, sgd=create_optimizer())
    assert losses["textcat"] > 0.0 and len(calls) == 1
    with pytest.raises(ValueError, match="label 'C'"):
        textcat.update(bad)


def test_exclusive_classes_with_one_label_fail_at_begin_training_and_update():
    message = "textcat: mutually exclusive classes need at least two labels, got only 'POSITIVE'"
    nlp, textcat = _textcat_nlp(architecture="bow", exclusive_classes=True)
    textcat.add_label("POSITIVE")
    with pytest.raises(ValueError, match=message) as info:
        nlp.begin_training()
    assert "\n" not in str(info.value) and textcat.model is None
    with pytest.raises(ValueError, match=message):
        nlp.begin_training(lambda: [("good", {"cats": {"POSITIVE": True}})])
    textcat.cfg["exclusive_classes"] = False  # one yes/no class: fine ...
    nlp.begin_training()
    textcat.cfg["exclusive_classes"] = True  # ... but not once made exclusive: nothing would learn
    with pytest.raises(ValueError, match=message):
        nlp.update(["good"], [{"cats": {"POSITIVE": 1.0}}])


@pytest.mark.parametrize("architecture", ["simple_cnn", "ensemble"])
def test_model_tok2vec_takes_pretrained_weights(architecture):
    """v2's example: `textcat.model.tok2vec.from_bytes(file_.read())` after begin_training."""
    vocab = Vocab("en")
    docs = [Doc(vocab, words=t.split()) for t, _ in _toy_data(3, 2)]
    fix_random_seed(1)
    source = TextCategorizer(vocab, architecture="simple_cnn", labels=["A"])
    source.begin_training()
    fix_random_seed(2)
    nlp, textcat = _textcat_nlp(architecture=architecture)
    textcat.add_label("A")
    nlp.begin_training()
    assert textcat.model.tok2vec is textcat.model.get_ref("tok2vec")
    X = textcat.model_input(docs)
    before = textcat.model.tok2vec.predict(X)
    textcat.model.tok2vec.from_bytes(source.model.tok2vec.to_bytes())
    after = textcat.model.tok2vec.predict(X)
    expected = source.model.tok2vec.predict(X)
    assert not numpy.allclose(before[0], expected[0])
    for got, want in zip(after, expected):
        numpy.testing.assert_array_equal(got, want)


def test_a_bag_of_words_has_no_tok2vec():
    nlp, textcat = _textcat_nlp(architecture="bow", labels=["A"])
    nlp.begin_training()
    with pytest.raises(AttributeError, match="bag-of-n-grams text classifier .* has no tok2vec"):
        textcat.model.tok2vec  # noqa: B018 - the attribute access is what is tested
