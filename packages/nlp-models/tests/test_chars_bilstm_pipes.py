"""Components with character features (cfg chars) and a BiLSTM encoder (cfg encoder "bilstm"):
what they learn, save/load, long docs, a shared tok2vec and pretrained weights (toy data)."""

import random

import numpy
import pytest
import srsly
from thinc.api import fix_random_seed

import nlp_train
from nlp_gold import Example
from nlp_models import Tagger, blank, load
from nlp_models.ml import CharactersObjective, featurize_docs
from nlp_models.pretraining import Pretrainer, build_pretrain_tok2vec
from nlp_vocab import Doc, Vocab

SMALL = {"width": 32, "depth": 1, "embed_rows": 500}
CHARS = {"chars": 24, "char_len": 10, "char_dim": 16}
BILSTM = {"encoder": "bilstm", "depth": 2}
SUFFIX_TAGS = {"ing": "V", "ly": "R", "ness": "N"}
LETTERS = "bcdfgkmprstvwaeiou"
UNBOUNDED = 10**9


def suffixed_words(rng, n):
    """(word, tag) pairs: a random stem and a suffix that alone decides the tag."""
    pairs = []
    for _ in range(n):
        suffix = rng.choice(sorted(SUFFIX_TAGS))
        stem = "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 6)))
        pairs.append((stem + suffix, SUFFIX_TAGS[suffix]))
    return pairs


def as_examples(vocab, pairs, size=6):
    egs = []
    for start in range(0, len(pairs), size):
        words, tags = zip(*pairs[start : start + size])
        egs.append(Example.from_dict(Doc(vocab, words=list(words)), {"tags": list(tags)}))
    return egs


def train_tagger(vocab, egs, n_iter, **cfg):
    fix_random_seed(0)
    tagger = Tagger(vocab, **cfg)
    tagger.begin_training(lambda: egs)
    sgd = nlp_train.create_optimizer()
    for _ in range(n_iter):
        for start in range(0, len(egs), 4):
            tagger.update(egs[start : start + 4], sgd=sgd, drop=0.1)
    return tagger


def accuracy(tagger, vocab, pairs):
    doc = tagger(Doc(vocab, words=[w for w, _ in pairs]))
    return sum(t.tag_ == tag for t, (_, tag) in zip(doc, pairs)) / len(pairs)


def test_characters_learn_a_suffix_rule_that_norm_features_cannot():
    rng = random.Random(0)
    vocab = Vocab("en")
    train, unseen = suffixed_words(rng, 90), suffixed_words(rng, 90)
    assert not {w for w, _ in train} & {w for w, _ in unseen}
    egs = as_examples(vocab, train)
    norm_only = {**SMALL, "attrs": ["NORM"]}
    with_chars = train_tagger(vocab, egs, 12, **norm_only, **CHARS)
    without = train_tagger(vocab, egs, 12, **norm_only)
    assert accuracy(without, vocab, train) == 1.0  # it learnt the training words by heart ...
    assert accuracy(without, vocab, unseen) < 0.6  # ... and nothing about new ones
    assert accuracy(with_chars, vocab, unseen) >= 0.9


def bilstm_pipeline(**extra):
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", {**SMALL, **BILSTM, **extra}))
    return nlp


def tagged(rng, n_docs):
    """(text, annotations): a word after "the" is N, after "to" is V, any other word X: only
    the context decides the tag."""
    data = []
    for _ in range(n_docs):
        words, tags = [], []
        for _ in range(rng.randint(2, 5)):
            cue = rng.choice(["the", "to"])
            words += [cue, rng.choice(["run", "walk", "talk", "book"])]
            tags += ["X", "N" if cue == "the" else "V"]
        data.append((" ".join(words), {"words": words, "tags": tags}))
    return data


@pytest.fixture(scope="module")
def bilstm_tagger():
    fix_random_seed(0)
    nlp = bilstm_pipeline(**CHARS)
    train = tagged(random.Random(1), 16)
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(40):
        for start in range(0, len(train), 4):
            batch = train[start : start + 4]
            nlp.update([t for t, _ in batch], [a for _, a in batch], sgd=optimizer, drop=0.1)
    return nlp, train


def test_bilstm_tagger_learns_saves_loads_and_predicts_identically(bilstm_tagger, tmp_path):
    nlp, train = bilstm_tagger
    tagger = nlp.get_pipe("tagger")
    assert [n.name for n in tagger.model.walk()].count("bilstm") == 2
    docs = [nlp(text) for text, _ in train]
    assert [t.tag_ for doc in docs for t in doc] == [tag for _, a in train for tag in a["tags"]]
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model")
    assert loaded.get_pipe("tagger").cfg["encoder"] == "bilstm" and loaded.get_pipe("tagger").cfg["chars"] == 24
    texts = [t for t, _ in train] + ["to book the walk", ""]
    for text in texts:
        ours, theirs = nlp.make_doc(text), loaded.make_doc(text)
        numpy.testing.assert_array_equal(tagger.predict([ours])[0], loaded.get_pipe("tagger").predict([theirs])[0])
    assert [[t.tag_ for t in d] for d in loaded.pipe(texts)] == [[t.tag_ for t in d] for d in nlp.pipe(texts)]


def test_a_tagger_saved_before_the_character_window_loads_with_windows_of_three(bilstm_tagger, tmp_path):
    nlp, train = bilstm_tagger
    tagger = nlp.get_pipe("tagger")
    tagger.to_disk(tmp_path / "tagger")
    cfg = srsly.read_json(tmp_path / "tagger" / "cfg.json")
    assert cfg.pop("char_window") == 3
    srsly.write_json(tmp_path / "tagger" / "cfg.json", cfg)  # as saved before the key existed
    msg = srsly.msgpack_loads((tmp_path / "tagger" / "model.bin").read_bytes())
    for node in msg["nodes"]:
        node["dims"].pop("nW", None)
    (tmp_path / "tagger" / "model.bin").write_bytes(srsly.msgpack_dumps(msg))
    wider = Tagger(nlp.vocab, **{**tagger.cfg, "char_window": 5})  # e.g. made by a preset, then loaded
    wider.from_disk(tmp_path / "tagger")
    assert wider.cfg["char_window"] == 3
    docs = [nlp.make_doc(text) for text, _ in train]
    numpy.testing.assert_array_equal(wider.predict(docs)[0], tagger.predict(docs)[0])


def test_a_long_doc_with_a_bilstm_is_annotated_whole_in_one_call(bilstm_tagger):
    nlp, _ = bilstm_tagger
    tagger = nlp.get_pipe("tagger")
    text = " ".join(t for t, _ in tagged(random.Random(2), 40))
    whole = nlp.make_doc(text)
    expected = tagger.predict([whole])[0]
    calls = []
    tagger.predict = lambda docs: calls.append([len(d) for d in docs]) or type(tagger).predict(tagger, docs)
    tagger.chunk_tokens = 25
    try:
        assert not tagger.windows_long_docs
        doc = nlp(text)
    finally:
        del tagger.predict, tagger.chunk_tokens
    assert len(doc) > 100 and calls == [[len(doc)]]
    assert [t.tag_ for t in doc] == [tagger.labels[i] for i in expected.argmax(axis=1)]


def test_cnn_with_chars_annotates_long_docs_by_windows_as_whole():
    fix_random_seed(3)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", {**SMALL, **CHARS, "depth": 2, "window": 2}))
    train = tagged(random.Random(3), 8)
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(3):
        nlp.update([t for t, _ in train], [a for _, a in train], sgd=optimizer)
    tagger = nlp.get_pipe("tagger")
    assert tagger.windows_long_docs
    doc = nlp.make_doc(" ".join(t for t, _ in tagged(random.Random(4), 30)))
    whole = tagger.predict([doc])[0]
    source = tagger.row_source(doc)
    for start, end in ((0, 7), (7, 40), (40, len(doc))):
        rows = tagger.predict_rows(tagger.model, doc, source, start, end)
        numpy.testing.assert_allclose(rows, whole[start:end], rtol=1e-5, atol=1e-6)


def test_shared_tok2vec_with_chars_and_bilstm_feeds_listeners_and_round_trips(tmp_path):
    fix_random_seed(4)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", {**SMALL, **CHARS, **BILSTM}))
    nlp.add_pipe(nlp.create_pipe("tagger", {"tok2vec": "tok2vec"}))
    nlp.add_pipe(nlp.create_pipe("parser", {"tok2vec": "tok2vec", "hidden_width": 16}))
    train = []
    for text, annots in tagged(random.Random(5), 10):
        n = len(annots["words"])
        train.append((text, {**annots, "heads": [i + 1 if i % 2 == 0 else i for i in range(n)],
                             "deps": ["det" if i % 2 == 0 else "ROOT" for i in range(n)]}))
    optimizer = nlp.begin_training(lambda: train)
    first = last = None
    for _ in range(10):
        losses = {}
        nlp.update([t for t, _ in train], [a for _, a in train], sgd=optimizer, losses=losses)
        first, last = first or losses, losses
    assert last["tagger"] < first["tagger"] and last["tok2vec"] > 0
    texts = [t for t, _ in train[:4]] + [" ".join(t for t, _ in train)]
    expected = [(d.tensor.copy(), [(t.tag_, t.head.i, t.dep_) for t in d]) for d in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "model")
    for (tensor, parse), doc in zip(expected, load(tmp_path / "model").pipe(texts)):
        numpy.testing.assert_array_equal(doc.tensor, tensor)
        assert [(t.tag_, t.head.i, t.dep_) for t in doc] == parse
    nlp.get_pipe("tok2vec").chunk_tokens = 20  # the long text is not windowed: its own vectors
    for (tensor, parse), doc in zip(expected, nlp.pipe(texts)):  # (other groups: last-bit changes)
        numpy.testing.assert_allclose(doc.tensor, tensor, rtol=1e-5, atol=1e-6)
        assert [(t.tag_, t.head.i, t.dep_) for t in doc] == parse


@pytest.mark.parametrize("encoder", ["cnn", "bilstm"])
def test_pretrained_weights_with_chars_fit_the_components_tok2vec(encoder):
    fix_random_seed(5)
    settings = {"width": 32, "depth": 1, "embed_rows": 500, **CHARS, "encoder": encoder}
    tok2vec, sizes = build_pretrain_tok2vec(**settings)
    assert {key: sizes[key] for key in settings} == settings
    nlp = blank("en")
    docs = [nlp.make_doc(text) for text, _ in tagged(random.Random(6), 6)]
    pretrainer = Pretrainer(tok2vec, CharactersObjective(n_characters=2, hidden_width=16))
    pretrainer.initialize(docs)
    pretrainer.update(docs, drop=0.1, sgd=nlp_train.create_optimizer(), losses={})
    tagger = Tagger(nlp.vocab, **settings, labels=["N", "V", "X"])
    tagger.begin_training()
    tagger.model.get_ref("tok2vec").from_bytes(pretrainer.tok2vec_bytes())
    X = featurize_docs(docs, char_len=CHARS["char_len"])
    for ours, theirs in zip(tagger.model.get_ref("tok2vec").predict(X), tok2vec.predict(X)):
        numpy.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="unknown setting"):
        build_pretrain_tok2vec(chars_width=3)


def test_bad_encoder_and_char_settings_are_one_clear_error(tmp_path):
    vocab = Vocab("en")
    with pytest.raises(ValueError, match="encoder must be one of 'cnn', 'bilstm', got 'gru'"):
        Tagger(vocab, encoder="gru", labels=["N"]).begin_training()
    with pytest.raises(ValueError, match="must be even"):
        Tagger(vocab, **{**SMALL, **BILSTM, "width": 33}, labels=["N"]).begin_training()
    with pytest.raises(ValueError, match="tagger: cfg 'chars' must be an integer"):
        Tagger(vocab, chars="many")
    with pytest.raises(ValueError, match="char_window must be an odd number >= 1, got 4"):
        Tagger(vocab, **SMALL, **CHARS, char_window=4, labels=["N"]).begin_training()
    tagger = Tagger(vocab, **SMALL, **CHARS, labels=["N"])
    tagger.begin_training()
    tagger.to_disk(tmp_path / "tagger")
    cfg = (tmp_path / "tagger" / "cfg.json").read_text().replace('"encoder":"cnn"', '"encoder":"gru"')
    (tmp_path / "tagger" / "cfg.json").write_text(cfg)
    assert '"gru"' in cfg
    with pytest.raises(ValueError, match=r"tagger/cfg.json: cannot build component 'tagger' \(tok2vec: encoder"):
        Tagger(vocab).from_disk(tmp_path / "tagger")
