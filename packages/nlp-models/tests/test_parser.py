"""DependencyParser: custom-semantics intent parsing, syntactic trees with sentence breaks,
non-projective trees, label growth, save/load (tiny hand-written data)."""


import pytest
from parser_testing import (
    NONPROJECTIVE,
    SMALL,
    SYNTAX,
    assert_parses_syntax,
    nonprojective_example,
    train,
    tree,
)
from thinc.api import Adam, fix_random_seed

from nlp_gold import Example
from nlp_models import DependencyParser, blank
from nlp_vocab import Doc, Vocab

# Words, heads, labels; "-" marks words that carry no relation of interest.
INTENTS = [
    ("find a cafe with great wifi", [0, 2, 0, 5, 5, 2], ["ROOT", "-", "PLACE", "-", "QUALITY", "ATTRIBUTE"]),
    ("show me the best hotel near the station", [0, 0, 4, 4, 0, 7, 7, 4],
     ["ROOT", "-", "-", "QUALITY", "PLACE", "-", "-", "LOCATION"]),
    ("find a quiet bar open tonight", [0, 3, 3, 0, 3, 4], ["ROOT", "-", "QUALITY", "PLACE", "ATTRIBUTE", "TIME"]),
    ("look for a cheap gym in paris", [0, 0, 4, 4, 0, 4, 4], ["ROOT", "-", "-", "QUALITY", "PLACE", "-", "LOCATION"]),
]
INTENT_LABELS = ["ROOT", "PLACE", "QUALITY", "ATTRIBUTE", "TIME", "LOCATION", "-"]


def test_intent_parser_with_custom_labels():
    vocab = Vocab()
    examples = [
        Example.from_dict(Doc(vocab, words=t.split()), {"heads": h, "deps": d}) for t, h, d in INTENTS
    ]
    parser = DependencyParser(vocab, **SMALL)
    for label in INTENT_LABELS:
        parser.add_label(label)
    parser.begin_training()
    losses = train(parser, examples, 40)
    assert losses["parser"] < 1.0
    for text, heads, deps in INTENTS:
        assert tree(parser(Doc(vocab, words=text.split()))) == (heads, deps)
    # An unseen request in the same pattern.
    doc = parser(Doc(vocab, words="find a hotel with good wifi".split()))
    assert [(t.text, t.dep_, t.head.text) for t in doc if t.dep_ != "-"] == [
        ("find", "ROOT", "find"), ("hotel", "PLACE", "find"), ("good", "QUALITY", "wifi"),
        ("wifi", "ATTRIBUTE", "hotel"),
    ]


def test_syntactic_parse_with_sentence_boundaries():
    vocab = Vocab()
    examples = [Example.from_dict(Doc(vocab, words=t.split()), {"heads": h, "deps": d}) for t, h, d in SYNTAX]
    parser = DependencyParser(vocab, **SMALL)
    parser.begin_training(lambda: examples)
    assert parser.cfg["root_label"] == "root"  # taken from the gold roots
    assert set(parser.labels) == {"nsubj", "obj", "punct", "amod"}
    train(parser, examples, 40)
    assert_parses_syntax(parser, vocab)


def test_nonprojective_tree_is_restored():
    vocab = Vocab()
    # The parser learns the lifted tree with a decorated label and deprojectivizes its output.
    words, heads, deps = NONPROJECTIVE
    example = nonprojective_example(vocab)
    parser = DependencyParser(vocab, decorated_cutoff=1, **SMALL)
    parser.begin_training(lambda: [example])
    assert any("||" in label for label in parser.labels)
    train(parser, [example], 60)
    assert tree(parser(Doc(vocab, words=words))) == (heads, deps)
    # With the default cut-off the rare decoration is backed off to its plain label.
    plain = DependencyParser(vocab, **SMALL)
    plain.begin_training(lambda: [example])
    assert not any("||" in label for label in plain.labels) and "nmod" in plain.labels


def test_add_label_keeps_predictions_and_save_load(tmp_path):
    vocab = Vocab()
    examples = [Example.from_dict(Doc(vocab, words=t.split()), {"heads": h, "deps": d}) for t, h, d in SYNTAX]
    parser = DependencyParser(vocab, **SMALL)
    parser.begin_training(lambda: examples)
    train(parser, examples, 15)
    texts = [t for t, _, _ in SYNTAX] + ["she likes old tea .", "books ."]
    before = [tree(d) for d in parser.pipe([Doc(vocab, words=t.split()) for t in texts], batch_size=2)]
    assert parser.add_label("iobj") == 1 and parser.add_label("iobj") == 0
    assert [tree(parser(Doc(vocab, words=t.split()))) for t in texts] == before
    parser.to_disk(tmp_path / "parser")
    loaded = DependencyParser(Vocab()).from_disk(tmp_path / "parser")
    assert loaded.labels == parser.labels and loaded.cfg["root_label"] == "root"
    assert [tree(loaded(Doc(loaded.vocab, words=t.split()))) for t in texts] == before
    again = DependencyParser(Vocab()).from_bytes(parser.to_bytes())
    assert [tree(again(Doc(again.vocab, words=t.split()))) for t in texts] == before


def test_parser_in_language_update_and_rehearse():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("parser", SMALL))
    fix_random_seed(0)
    optimizer = nlp.begin_training()
    data = [(t, {"heads": h, "deps": d}) for t, h, d in SYNTAX[1:]]
    for _ in range(30):
        for text, annotations in data:
            nlp.update([text], [annotations], sgd=optimizer)
    parser = nlp.get_pipe("parser")
    assert "amod" in parser.labels  # labels arrive with the updates
    nlp.resume_training()
    losses = nlp.rehearse(["they saw green films ."], sgd=optimizer)
    assert losses["parser"] == pytest.approx(0.0, abs=1e-8)
    # An empty document and an empty batch pass through.
    assert len(parser(nlp.make_doc(""))) == 0
    assert parser.update([], sgd=optimizer) == {"parser": 0.0}


def test_unknown_labels_arrive_with_updates_and_empty_label_is_rejected():
    vocab = Vocab()
    parser = DependencyParser(vocab, **SMALL)
    parser.begin_training()
    with pytest.raises(ValueError, match="label"):
        parser.add_label("")
    example = Example.from_dict(Doc(vocab, words=["a", "b"]), {"heads": [1, 1], "deps": ["x", "root"]})
    losses = parser.update([example], sgd=Adam(0.001))
    assert losses["parser"] > 0 and "x" in parser.labels


def test_long_training_documents_are_cut_at_sentence_starts():
    vocab = Vocab()
    text, heads, deps = SYNTAX[0]
    words = text.split()
    example = Example.from_dict(Doc(vocab, words=words), {"heads": heads, "deps": deps})
    parser = DependencyParser(vocab, max_train_length=5, **SMALL)
    parser.begin_training(lambda: [example])
    chunks = parser.example_chunks(0, example)
    assert [(c.start, c.end) for c in chunks] == [(0, 4), (4, 8)]
    assert [list(c.gold.heads) for c in chunks] == [[1, 1, 1, 1], [1, 1, 1, 1]]
    train(parser, [example], 30)
    # Each piece trains as its own document (the break between pieces is not trained).
    assert tree(parser(Doc(vocab, words=words[:4]))) == ([1, 1, 1, 1], deps[:4])
    assert tree(parser(Doc(vocab, words=words[4:]))) == ([1, 1, 1, 1], deps[4:])


def test_random_states_repeat_an_update_exactly():
    """The parser explores with its own generator; restoring its state (as resuming training
    does) repeats an update byte for byte, and without it the same update comes out otherwise."""
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("parser", {**SMALL, "dropout": 0.0}))
    nlp.add_pipe(nlp.create_pipe("tagger", {**SMALL, "dropout": 0.0}))
    data = [(t, {"heads": h, "deps": d, "tags": ["X"] * len(h)}) for t, h, d in SYNTAX]
    fix_random_seed(0)
    nlp.begin_training(lambda: data)
    start, states = nlp.to_bytes(), nlp.random_states()
    assert list(states) == ["parser"]  # the tagger keeps no generator of its own

    def update_from_start(restore: bool) -> bytes:
        nlp.from_bytes(start)
        if restore:
            nlp.set_random_states(states)
        texts, annotations = zip(*data)
        nlp.update(list(texts), list(annotations), drop=0.0, sgd=Adam(0.01))
        return nlp.get_pipe("parser").model.to_bytes()

    first = update_from_start(restore=True)
    assert update_from_start(restore=True) == first
    assert update_from_start(restore=False) != first


def test_bad_random_states_are_clear_errors():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("parser", SMALL))
    nlp.add_pipe(nlp.create_pipe("tagger", SMALL))
    with pytest.raises(ValueError, match="'ner', but the pipeline \\(parser, tagger\\) has no such"):
        nlp.set_random_states({"ner": nlp.random_states()["parser"]})
    with pytest.raises(ValueError, match="'tagger', but the pipeline"):
        nlp.set_random_states({"tagger": nlp.random_states()["parser"]})
    with pytest.raises(ValueError, match="^parser: not a random generator state"):
        nlp.set_random_states({"parser": '{"bit_generator": "MT19937"}'})
