"""NB-weighted n-gram text classifiers (architectures "nb_bow" and "nb_ensemble"): log-count
ratios checked by hand, exclusive and multilabel learning, the gradient, resizing, round trips,
and the errors of a classifier given no training data."""

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import TextCategorizer, blank
from nlp_models.ml import log_count_ratios, resize_output
from nlp_models.ml.nb_fit import NgramCounts
from nlp_models.ml.nb_textcat import nb_layer, nb_linear
from nlp_train import create_optimizer, minibatch
from nlp_vocab import Doc, Vocab

SMALL = {"width": 16, "depth": 1, "embed_rows": 300, "ngram_size": 2}
LABELS = {"sport": ["goal", "match", "coach"], "money": ["bank", "price", "loan"]}
FILLER = ["the", "a", "was", "new", "today", "report", "said", "it"]


def toy_data(n, seed, multilabel=False):
    """(words, cats): filler words with a cue word of one label; for multilabel, of each label
    or none, independently."""
    rng = numpy.random.default_rng(seed)
    data = []
    for i in range(n):
        if multilabel:
            chosen = {"sport": i % 2 == 0, "money": (i // 2) % 2 == 0}
        else:
            chosen = {label: i % 2 == j for j, label in enumerate(LABELS)}
        words = [str(word) for word in rng.choice(FILLER, size=4)]
        for label, yes in chosen.items():
            if yes:
                words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(LABELS[label])))
        data.append((words, {label: float(yes) for label, yes in chosen.items()}))
    return data


def examples(vocab, data):
    return [Example.from_dict(Doc(vocab, words=words), {"cats": cats}) for words, cats in data]


def trained(architecture, multilabel=False, n_iter=6, **cfg):
    fix_random_seed(0)
    vocab = Vocab("en")
    textcat = TextCategorizer(vocab, architecture=architecture, exclusive_classes=not multilabel,
                              **{**SMALL, **cfg})
    train = examples(vocab, toy_data(60, 0, multilabel))
    textcat.begin_training(lambda: train)
    sgd = create_optimizer()
    for _ in range(n_iter):
        for batch in minibatch(train, size=8):
            textcat.update(batch, sgd=sgd)
    return vocab, textcat


# ---- the log-count ratios ----------------------------------------------------------------------


def test_log_count_ratios_by_hand():
    """Docs {1,2} and {1,3} are A, {2,4} is not. p = 1 + counts in A docs = [3, 2, 2, 1] (sum 8),
    q = 1 + counts in the others = [1, 2, 1, 2] (sum 6): r = log((p / 8) / (q / 6)). Label B
    is given for docs 0 (yes) and 2 (no) only: p = [2, 2, 1, 1], q = [1, 2, 1, 2], both sum 6."""
    key_sets = [numpy.asarray([1, 2], "uint64"), numpy.asarray([1, 3], "uint64"), numpy.asarray([2, 4], "uint64")]
    truth = numpy.asarray([[1, 1], [1, 0], [0, 0]], "f")
    mask = numpy.asarray([[1, 1], [1, 0], [1, 1]], "f")
    vocabulary, r = log_count_ratios(key_sets, truth, mask)
    assert list(vocabulary) == [1, 2, 3, 4]
    numpy.testing.assert_allclose(r[:, 0], numpy.log([2.25, 0.75, 1.5, 0.375]), rtol=1e-6)
    numpy.testing.assert_allclose(r[:, 1], numpy.log([2.0, 1.0, 1.0, 0.5]), atol=1e-6)


def test_min_count_keeps_ngrams_of_enough_docs_and_alpha_smooths():
    key_sets = [numpy.asarray([1, 2], "uint64"), numpy.asarray([1, 3], "uint64"), numpy.asarray([2, 4], "uint64")]
    truth, mask = numpy.asarray([[1], [1], [0]], "f"), numpy.ones((3, 1), "f")
    vocabulary, r = log_count_ratios(key_sets, truth, mask, min_count=2)
    assert list(vocabulary) == [1, 2]  # p = [3, 2] (sum 5), q = [1, 2] (sum 3)
    numpy.testing.assert_allclose(r[:, 0], numpy.log([1.8, 0.6]), rtol=1e-6)
    _, r = log_count_ratios(key_sets, truth, mask, alpha=0.5)  # p = [2.5, 1.5, 1.5, .5], q = [.5, 1.5, .5, 1.5]
    numpy.testing.assert_allclose(r[:, 0], numpy.log(numpy.asarray([5, 1, 3, 1 / 3]) * 4 / 6), rtol=1e-6)
    with pytest.raises(ValueError, match="alpha .* must be > 0"):
        log_count_ratios(key_sets, truth, mask, alpha=0)


def test_counts_added_batch_by_batch_give_the_ratios_of_all_at_once():
    rng = numpy.random.default_rng(0)
    key_sets = [numpy.unique(rng.integers(1, 40, size=int(rng.integers(0, 12)))).astype("uint64")
                for _ in range(30)]
    truth = (rng.random((30, 3)) > 0.5).astype("f")
    mask = (rng.random((30, 3)) > 0.2).astype("f")
    counts = NgramCounts(3)
    for start in (0, 7, 19):
        stop = {0: 7, 7: 19, 19: 30}[start]
        counts.add(key_sets[start:stop], truth[start:stop], mask[start:stop])
        counts.ratios()  # merges what was added into the counts so far
    vocabulary, r = counts.ratios(alpha=0.5, min_count=2)
    expected_vocabulary, expected_r = log_count_ratios(key_sets, truth, mask, alpha=0.5, min_count=2)
    numpy.testing.assert_array_equal(vocabulary, expected_vocabulary)
    numpy.testing.assert_allclose(r, expected_r, rtol=1e-6)


def test_begin_training_reads_a_stream_as_it_reads_a_list():
    """The examples are read a batch at a time (twice: counts, then the NB start)."""
    vocab = Vocab("en")
    train = examples(vocab, toy_data(40, 0))
    docs = [Doc(vocab, words=words) for words, _ in toy_data(5, 1)]
    scores = []
    for get_examples in (lambda: train, lambda: (eg for eg in train)):
        textcat = TextCategorizer(vocab, architecture="nb_bow", exclusive_classes=True, **SMALL)
        textcat.begin_training(get_examples)
        scores.append(textcat.predict(docs))
    numpy.testing.assert_array_equal(scores[0], scores[1])


def test_begin_training_weighs_a_cue_word_for_its_label():
    vocab, textcat = trained("nb_bow", n_iter=0)
    layer = nb_layer(textcat.model)
    keys = list(layer.attrs["keys"])
    r = layer.attrs["ratios"]
    sport, money = textcat.labels.index("sport"), textcat.labels.index("money")
    goal, bank = keys.index(vocab.strings["goal"]), keys.index(vocab.strings["bank"])
    assert r[goal, sport] > 1.0 and r[goal, money] < -1.0
    assert r[bank, money] > 1.0 and r[bank, sport] < -1.0
    numpy.testing.assert_allclose(r[:, sport], -r[:, money], atol=1e-5)  # two classes: one vs the other
    W = layer.get_param("W")  # it starts as naive Bayes: one weight per label, over the ratios
    assert (W == W[0]).all() and (W[0] > 0).all()


# ---- the model -----------------------------------------------------------------------------------


def test_gradient_of_the_weights_matches_finite_differences(numeric_gradient):
    layer = nb_linear(2)
    layer.attrs["keys"] = numpy.asarray([3, 5, 9], "uint64")
    layer.initialize()
    rng = numpy.random.default_rng(0)
    layer.attrs["ratios"] = rng.normal(size=(3, 2)).astype("f")
    layer.set_param("W", rng.normal(size=(3, 2)).astype("f"))
    inputs = (numpy.asarray([3, 9, 7, 5, 9], "uint64"), numpy.asarray([3, 0, 2], "int32"))  # 7 is unknown
    target = rng.normal(size=(3, 2)).astype("f")
    Y, backprop = layer(inputs, is_train=True)
    assert Y.shape == (3, 2) and not Y[1].any()  # an empty doc has the bias only (zero)
    backprop(Y - target)
    W = layer.get_param("W")

    def loss():
        return 0.5 * float(((layer.predict(inputs) - target) ** 2).sum())

    numpy.testing.assert_allclose(layer.get_grad("W"), numeric_gradient(loss, W), rtol=1e-2, atol=1e-3)


@pytest.mark.parametrize("architecture", ["nb_bow", "nb_ensemble"])
def test_exclusive_classes_learn_and_sum_to_one(architecture):
    vocab, textcat = trained(architecture)
    correct = 0
    for words, cats in toy_data(30, 9):
        doc = textcat(Doc(vocab, words=words))
        assert sum(doc.cats.values()) == pytest.approx(1.0, abs=1e-5)
        correct += max(doc.cats, key=doc.cats.get) == max(cats, key=cats.get)
    assert correct >= 28


@pytest.mark.parametrize("architecture", ["nb_bow", "nb_ensemble"])
def test_multilabel_learns_both_labels_of_a_doc(architecture):
    vocab, textcat = trained(architecture, multilabel=True, n_iter=10)
    right = 0
    for words, cats in toy_data(30, 8, multilabel=True):
        scores = textcat(Doc(vocab, words=words)).cats
        assert all(0.0 < value < 1.0 for value in scores.values())
        right += all((scores[label] > 0.5) == (cats[label] == 1.0) for label in LABELS)
    assert right >= 25


def test_training_improves_on_the_naive_bayes_start():
    """begin_training makes the calibrated NB classifier; updates then lower its loss."""
    losses = []
    for n_iter in (0, 10):
        vocab, textcat = trained("nb_bow", multilabel=True, n_iter=n_iter)
        train = examples(vocab, toy_data(60, 0, multilabel=True))
        losses.append(textcat.get_loss(train, textcat.predict([eg.predicted for eg in train]))[0])
    assert losses[1] < 0.95 * losses[0]


def test_added_label_keeps_old_scores_and_starts_with_unit_ratios():
    vocab, textcat = trained("nb_bow", multilabel=True, n_iter=2)
    docs = [Doc(vocab, words=words) for words, _ in toy_data(5, 3)]
    before = textcat.predict(docs)
    textcat.add_label("weather")
    after = textcat.predict(docs)
    numpy.testing.assert_allclose(after[:, :2], before, rtol=1e-6)
    numpy.testing.assert_allclose(after[:, 2], 0.5)  # zero weights, zero bias: logit 0
    assert (nb_layer(textcat.model).attrs["ratios"][:, 2] == 1.0).all()
    resize_output(textcat.model, 3)  # the same size again changes nothing
    numpy.testing.assert_array_equal(textcat.predict(docs), after)


@pytest.mark.parametrize("architecture", ["nb_bow", "nb_ensemble"])
def test_round_trip_gives_identical_scores(tmp_path, architecture):
    vocab, textcat = trained(architecture, n_iter=2)
    docs = [Doc(vocab, words=words) for words, _ in toy_data(6, 4)]
    expected = textcat.predict(docs)
    again = TextCategorizer(vocab).from_bytes(textcat.to_bytes())
    numpy.testing.assert_array_equal(again.predict(docs), expected)
    textcat.to_disk(tmp_path / "tc")
    loaded = TextCategorizer(vocab).from_disk(tmp_path / "tc")
    assert loaded.cfg["architecture"] == architecture
    numpy.testing.assert_array_equal(loaded.predict(docs), expected)
    assert list(nb_layer(loaded.model).attrs["keys"]) == list(nb_layer(textcat.model).attrs["keys"])
    numpy.testing.assert_array_equal(nb_layer(loaded.model).attrs["ratios"], nb_layer(textcat.model).attrs["ratios"])


def test_the_ratios_are_data_that_no_optimizer_sees():
    """W and b are learnt; r stays as begin_training fit it and is no param, so no optimizer
    keeps state for it and data-parallel training has no gradient of it to exchange."""
    _, start = trained("nb_bow", n_iter=0)
    _, textcat = trained("nb_bow", n_iter=2)
    before, after = nb_layer(start.model), nb_layer(textcat.model)
    assert after.param_names == ("W", "b") and after.attrs["ratios"].shape == after.get_param("W").shape
    numpy.testing.assert_array_equal(after.attrs["ratios"], before.attrs["ratios"])
    assert not numpy.array_equal(after.get_param("W"), before.get_param("W"))


def test_ensemble_listening_to_a_shared_tok2vec_saves_and_loads(tmp_path):
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", {"width": 16, "depth": 1, "embed_rows": 300}))
    nlp.add_pipe(nlp.create_pipe("textcat", {"architecture": "nb_ensemble", "exclusive_classes": True,
                                             "tok2vec": "tok2vec"}))
    train = [(" ".join(words), {"cats": cats}) for words, cats in toy_data(30, 0)]
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(4):
        for batch in minibatch(train, size=8):
            texts, annotations = zip(*batch)
            nlp.update(texts, annotations, sgd=optimizer)
    scores = nlp.evaluate([(" ".join(words), {"cats": cats}) for words, cats in toy_data(20, 5)])
    assert scores["textcat_acc"] >= 90.0
    nlp.to_disk(tmp_path / "model")
    text = "the coach said the match was new"
    import nlp_models

    assert nlp_models.load(tmp_path / "model")(text).cats == nlp(text).cats


def test_long_doc_is_scored_as_at_once():
    vocab, textcat = trained("nb_ensemble", n_iter=2)
    doc = Doc(vocab, words=(["the", "goal", "was", "new"] * 40))
    expected = textcat.predict([doc])[0]
    textcat.chunk_tokens = 32  # the CNN half pooled window by window, the n-grams at once
    textcat(doc)
    numpy.testing.assert_allclose([doc.cats[label] for label in textcat.labels], expected, rtol=1e-4)


# ---- errors --------------------------------------------------------------------------------------


def test_begin_training_without_examples_is_refused():
    textcat = TextCategorizer(Vocab("en"), architecture="nb_bow", labels=["A", "B"])
    with pytest.raises(ValueError, match="textcat: architecture 'nb_bow' weighs its n-grams .* pass the training"):
        textcat.begin_training()


def test_a_bag_of_ngrams_cannot_listen_to_a_tok2vec():
    with pytest.raises(ValueError, match="architecture 'nb_bow' has no tok2vec, so it cannot listen to 'tok2vec'"):
        TextCategorizer(Vocab("en"), architecture="nb_bow", tok2vec="tok2vec")
    assert not TextCategorizer.can_listen_with({"architecture": "nb_bow"})
    assert TextCategorizer.can_listen_with({"architecture": "nb_ensemble"})


def test_bad_gold_in_begin_training_names_the_example():
    vocab = Vocab("en")
    train = examples(vocab, toy_data(4, 0))
    train[2].reference.cats["sport"] = 2.0
    textcat = TextCategorizer(vocab, architecture="nb_bow", exclusive_classes=True)
    with pytest.raises(ValueError, match=r"example 2 .*cats\['sport'\] = 2.0"):
        textcat.begin_training(lambda: train)


def test_the_accuracy_preset_chooses_nb_weighted_trigrams():
    textcat = blank("en").create_pipe("textcat", {"preset": "accuracy"})
    assert (textcat.cfg["architecture"], textcat.cfg["ngram_size"], textcat.cfg["nb_min_count"]) == ("nb_bow", 3, 2)
    chosen = blank("en").create_pipe("textcat", {"preset": "accuracy", "architecture": "nb_ensemble"})
    assert chosen.cfg["architecture"] == "nb_ensemble" and chosen.cfg["width"] == 128  # the preset's tok2vec
