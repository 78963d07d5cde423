"""EntityRecognizer: learning from the simple training style, new entity types, presets,
partial annotation, save/load and rehearsal (tiny hand-written data)."""

import random

import numpy
import pytest
from parser_testing import SMALL, train
from thinc.api import Adam, fix_random_seed

from nlp_gold import Example
from nlp_models import EntityRecognizer, blank
from nlp_vocab import Doc, Vocab


def offsets(text: str, *marked: tuple[str, str]) -> list[tuple[int, int, str]]:
    """Character offsets of each (substring, label) in `text`."""
    out = []
    for piece, label in marked:
        start = text.index(piece)
        out.append((start, start + len(piece), label))
    return out


def make_doc(vocab: Vocab, text: str) -> Doc:
    return Doc(vocab, words=text.split())


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


SIX = [
    ("Lyft raised 2 million dollars last week", [("Lyft", "ORG")]),
    ("Pixel Phone launches in Brazil", [("Pixel Phone", "PRODUCT"), ("Brazil", "GPE")]),
    ("Zalando moves into Europe quickly", [("Zalando", "ORG"), ("Europe", "LOC")]),
    ("Pixel Buds ship next month", [("Pixel Buds", "PRODUCT")]),
    ("Zalando hires more engineers", [("Zalando", "ORG")]),
    ("we bought lyft shares yesterday", [("lyft", "PRODUCT")]),
]


def test_simple_training_loop_through_language():
    """The seed's simple style: texts and dicts straight into nlp.update, no labels added."""
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("ner", SMALL))
    train_data = [
        ("Lyft cut prices for a month", {"entities": [(0, 4, "ORG")]}),
        ("Zalando opens a new office", {"entities": [(0, 7, "ORG")]}),
    ]
    optimizer = nlp.begin_training()
    rng = random.Random(0)
    for _ in range(25):
        rng.shuffle(train_data)
        for text, annotations in train_data:
            nlp.update([text], [annotations], sgd=optimizer, drop=0.1)
    assert nlp.get_pipe("ner").labels == ("ORG",)
    for text, annotations in train_data:
        start, end, label = annotations["entities"][0]
        assert ents(nlp(text)) == [(text[start:end], label)]


def test_six_sentence_example_learns_its_entities():
    vocab = Vocab()
    examples = [
        Example.from_dict(make_doc(vocab, text), {"entities": offsets(text, *marked)}) for text, marked in SIX
    ]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    assert set(ner.labels) == {"ORG", "PRODUCT", "GPE", "LOC"}
    losses = train(ner, examples, 30)
    assert losses["ner"] < 1.0
    for text, marked in SIX:
        assert sorted(ents(ner(make_doc(vocab, text)))) == sorted(marked)


def test_new_entity_type_added_to_trained_recognizer():
    vocab = Vocab()
    old = [
        ("Anna met Peter in Oslo", ["U-PER", "O", "U-PER", "O", "U-LOC"]),
        ("Peter flew to Rome", ["U-PER", "O", "O", "U-LOC"]),
        ("Anna lives in Lima now", ["U-PER", "O", "O", "U-LOC", "O"]),
        ("the report was late", ["O", "O", "O", "O"]),
    ]
    old_examples = [Example.from_dict(make_doc(vocab, t), {"entities": e}) for t, e in old]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: old_examples)
    train(ner, old_examples, 25)
    probe = ["Anna met Peter in Oslo", "Peter flew to Rome"]
    before = [ents(ner(make_doc(vocab, t))) for t in probe]
    assert before == [[("Anna", "PER"), ("Peter", "PER"), ("Oslo", "LOC")], [("Peter", "PER"), ("Rome", "LOC")]]
    # Adding a label grows the output layer and keeps every old prediction.
    assert ner.add_label("ANIMAL") == 1
    assert ner.add_label("ANIMAL") == 0
    assert [ents(ner(make_doc(vocab, t))) for t in probe] == before
    new = [
        ("a horse ran past", ["O", "U-ANIMAL", "O", "O"]),
        ("the cat sat there", ["O", "U-ANIMAL", "O", "O"]),
        ("Anna saw a horse", ["U-PER", "O", "O", "U-ANIMAL"]),
        ("my dog likes Rome", ["O", "U-ANIMAL", "O", "U-LOC"]),
    ]
    new_examples = [Example.from_dict(make_doc(vocab, t), {"entities": e}) for t, e in new]
    # The seed's advice: mix in examples of the types the model already knew.
    train(ner, new_examples + old_examples, 25, seed=1)
    assert ents(ner(make_doc(vocab, "Peter saw a horse"))) == [("Peter", "PER"), ("horse", "ANIMAL")]
    assert ents(ner(make_doc(vocab, "the cat sat there"))) == [("cat", "ANIMAL")]
    assert ents(ner(make_doc(vocab, "Anna met Peter in Oslo"))) == before[0]


def test_partial_annotation_trains_and_missing_costs_nothing():
    vocab = Vocab()
    full = [
        ("Nora visited Kyoto", ["U-PER", "O", "U-LOC"]),
        ("Omar visited Quito", ["U-PER", "O", "U-LOC"]),
    ]
    # Partial: the place is annotated, the person is unknown ("-"), not "O".
    partial = [("Lena visited Accra", ["-", "O", "U-LOC"]), ("Ivan visited Hanoi", ["-", "O", "U-LOC"])]
    examples = [Example.from_dict(make_doc(vocab, t), {"entities": e}) for t, e in full + partial]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    blank_example = Example.from_dict(make_doc(vocab, "nothing is known here"), {"entities": ["-"] * 4})
    assert ner.update([blank_example], sgd=Adam(0.001))["ner"] == 0.0
    train(ner, examples, 30)
    # The unknown first words were never taught to be "O": the person pattern carries over.
    for text in ("Lena visited Accra", "Ivan visited Hanoi"):
        doc = ner(make_doc(vocab, text))
        assert [e.label_ for e in doc.ents] == ["PER", "LOC"]


def test_preset_entities_are_kept():
    vocab = Vocab()
    data = [("Nora visited Kyoto", ["U-PER", "O", "U-LOC"]), ("Omar visited Quito", ["U-PER", "O", "U-LOC"])]
    examples = [Example.from_dict(make_doc(vocab, t), {"entities": e}) for t, e in data]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    train(ner, examples, 20)
    doc = make_doc(vocab, "Nora visited Kyoto")
    # "Nora" preset with a type the recognizer does not know, "visited" marked outside;
    # "Kyoto" left free.
    doc.set_ents([("ROBOT", 0, 1)], missing=[doc[2:3]], default="outside")
    ner(doc)
    assert ents(doc) == [("Nora", "ROBOT"), ("Kyoto", "LOC")]
    doc = make_doc(vocab, "Omar visited Quito")
    doc.set_ents([("LOC", 0, 2)], missing=[doc[2:3]])  # a known type, forced
    ner(doc)
    assert ents(doc) == [("Omar visited", "LOC"), ("Quito", "LOC")]


def test_save_load_gives_identical_predictions(tmp_path):
    vocab = Vocab()
    examples = [
        Example.from_dict(make_doc(vocab, text), {"entities": offsets(text, *marked)}) for text, marked in SIX
    ]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    train(ner, examples, 5)
    texts = [t for t, _ in SIX] + ["Pixel Phone hires in Europe", "Lyft and Zalando"]
    expected = [ents(d) for d in ner.pipe([make_doc(vocab, t) for t in texts], batch_size=3)]
    ner.to_disk(tmp_path / "ner")
    loaded = EntityRecognizer(Vocab()).from_disk(tmp_path / "ner")
    assert loaded.labels == ner.labels and loaded.cfg["width"] == 32
    assert [ents(loaded(make_doc(loaded.vocab, t))) for t in texts] == expected
    again = EntityRecognizer(Vocab()).from_bytes(ner.to_bytes())
    assert [ents(again(make_doc(again.vocab, t))) for t in texts] == expected
    # Scores, not only the argmax, agree.
    docs = [make_doc(vocab, t) for t in texts]
    a = ner.model.predict(ner.model_input(docs)).table
    b = again.model.predict(again.model_input(docs)).table
    numpy.testing.assert_allclose(a, b)


def test_rehearse_pulls_towards_the_frozen_copy():
    vocab = Vocab()
    examples = [
        Example.from_dict(make_doc(vocab, text), {"entities": offsets(text, *marked)}) for text, marked in SIX
    ]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    train(ner, examples, 10)
    docs = [make_doc(vocab, t) for t, _ in SIX]
    assert ner.rehearse(docs)["ner"] == 0.0  # no snapshot: nothing to do
    ner.snapshot_for_rehearsal()
    assert ner.rehearse(docs)["ner"] == pytest.approx(0.0, abs=1e-8)  # identical copy
    ner.add_label("ANIMAL")
    train(ner, [Example.from_dict(make_doc(vocab, "a cat sat"), {"entities": ["O", "U-ANIMAL", "O"]})], 10)
    optimizer = Adam(0.002)
    first = ner.rehearse(docs, sgd=optimizer)["ner"]
    for _ in range(15):
        last = ner.rehearse(docs, sgd=optimizer)["ner"]
    assert first > 0.0 and last < first


def test_oracle_path_loss_and_bad_input():
    vocab = Vocab()
    examples = [Example.from_dict(make_doc(vocab, "Nora visited Kyoto"), {"entities": ["U-PER", "O", "U-LOC"]})]
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    scores = ner.oracle_scores(examples)
    assert len(scores) == 3 and scores[0].shape == (1, ner.system.n_actions)
    loss, grads = ner.get_loss(examples, scores)
    assert loss > 0 and all(g.shape == s.shape for g, s in zip(grads, scores))
    with pytest.raises(ValueError, match="entity label"):
        ner.add_label("O")
    with pytest.raises(ValueError, match="entity label"):
        ner.add_label("-")


def test_long_training_documents_are_cut_at_sentence_starts():
    vocab = Vocab()
    words = "Nora visited Kyoto . Omar visited Quito . Lena visited Accra .".split()
    tags = ["U-PER", "O", "U-LOC", "O"] * 3
    starts = [True, False, False, False] * 3
    example = Example.from_dict(Doc(vocab, words=words), {"entities": tags, "sent_starts": starts})
    ner = EntityRecognizer(vocab, max_train_length=5, **SMALL)
    ner.begin_training(lambda: [example])
    chunks = ner.example_chunks(0, example)
    assert [(c.start, c.end) for c in chunks] == [(0, 4), (4, 8), (8, 12)]
    train(ner, [example], 30)
    doc = ner(Doc(vocab, words=words))
    assert [e.label_ for e in doc.ents] == ["PER", "LOC"] * 3
