"""What nlp.update and nlp.begin_training accept, as v2 users pass it: GoldParse objects (the
seed guide's training loop verbatim, our names), Examples as golds, annotation dicts, gold Docs,
and v2's gold tuples; and one-line errors naming the example index."""

import random

import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example, GoldParse
from nlp_models import blank
from nlp_vocab import Doc

SMALL = {"width": 32, "depth": 2, "embed_rows": 500}
NER_SMALL = {**SMALL, "hidden_width": 32}
TRAIN_DATA = [
    ("Acme builds rockets in Lima", [(0, 4, "ORG"), (23, 27, "GPE")]),
    ("Zork hired engineers from Oslo", [(0, 4, "ORG"), (26, 30, "GPE")]),
    ("people in Lima like Acme", [(10, 14, "GPE"), (20, 24, "ORG")]),
]


def _tagger_nlp():
    fix_random_seed(0)
    nlp = blank("en")
    tagger = nlp.create_pipe("tagger", SMALL)
    for tag in ("N", "V", "J"):
        tagger.add_label(tag)
    nlp.add_pipe(tagger)
    nlp.begin_training()
    return nlp


def test_guide_training_loop_with_goldparse():
    fix_random_seed(0)
    random.seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("ner", NER_SMALL))

    def get_data():
        return [(nlp.make_doc(text), GoldParse(nlp.make_doc(text), entities=offsets)) for text, offsets in TRAIN_DATA]

    optimizer = nlp.begin_training(get_data)
    assert sorted(nlp.get_pipe("ner").labels) == ["GPE", "ORG"]
    train_data = list(TRAIN_DATA)
    for _itn in range(25):
        random.shuffle(train_data)
        for raw_text, entity_offsets in train_data:
            doc = nlp.make_doc(raw_text)
            gold = GoldParse(doc, entities=entity_offsets)
            nlp.update([doc], [gold], drop=0.5, sgd=optimizer)
    for text, offsets in TRAIN_DATA:
        assert [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents] == offsets


def test_every_gold_form_gives_the_same_update():
    """A GoldParse, an Example, an annotation dict and a gold Doc holding the same annotation
    train the same weights."""
    base = _tagger_nlp().to_bytes()
    annot = {"tags": ["N", "V", "J", "N"]}
    text = "cats eat green grass"

    def weights_after(make_gold):
        nlp = blank("en").from_bytes(base)
        doc = nlp.make_doc(text)
        losses = nlp.update([doc], [make_gold(nlp, doc)], sgd=nlp.resume_training())
        return losses["tagger"], nlp.get_pipe("tagger").model.to_bytes()

    golds = {
        "dict": lambda nlp, doc: annot,
        "GoldParse": lambda nlp, doc: GoldParse(doc, **annot),
        "Example": lambda nlp, doc: Example.from_dict(nlp.make_doc(text), annot),
        "gold Doc": lambda nlp, doc: Example.from_dict(nlp.make_doc(text), annot).reference,
    }
    results = {name: weights_after(make) for name, make in golds.items()}
    assert results["dict"][0] > 0
    assert all(result == results["dict"] for result in results.values()), {k: v[0] for k, v in results.items()}


def test_golds_built_on_other_tokens_are_aligned_to_the_updated_doc():
    nlp = _tagger_nlp()
    gold = GoldParse(Doc(nlp.vocab, words=["New York", "is", "big"]), tags=["N", "V", "J"])
    example = Example.from_dict(nlp.make_doc("New York is big"), {"tags": ["N", "N", "V", "J"]})
    assert set(nlp.update(["New York is big"], [gold])) == {"tagger"}
    assert set(nlp.update([nlp.make_doc("New York is big")], [example])) == {"tagger"}
    assert set(nlp.update("New York is big", gold)) == {"tagger"}  # one doc, one gold


def test_bad_golds_are_one_line_naming_the_example_index():
    nlp = _tagger_nlp()
    other = GoldParse(nlp.make_doc("a c"), tags=["N", "N"])
    with pytest.raises(ValueError, match=r"^update example 1: predicted and gold texts differ") as info:
        nlp.update(["a c", "a b"], [other, other])
    assert "\n" not in str(info.value)
    example = Example.from_dict(nlp.make_doc("a c"), {"tags": ["N", "N"]})
    with pytest.raises(ValueError, match=r"^update example 0: predicted and gold texts differ"):
        nlp.update(["a b"], [example])
    with pytest.raises(ValueError, match="update example 0: an Example carries its own gold"):
        nlp.update([example], [example])
    with pytest.raises(TypeError, match="update example 0: gold must be a GoldParse, an Example, an annotation dict or a gold Doc, got list"):
        nlp.update(["a b"], [["N", "N"]])


SENT_1 = ([0, 1, 2, 3], ["Acme", "builds", "rockets", "."], ["NNP", "VBZ", "NNS", "."], [1, 1, 1, 1],
          ["nsubj", "ROOT", "dobj", "punct"], ["U-ORG", "O", "O", "O"])
SENT_2 = ([0, 1], ["Bo", "flies"], ["NNP", "VBZ"], [1, 1], ["nsubj", "ROOT"], ["U-PERSON", "O"])


def test_begin_training_takes_v2_gold_tuples():
    fix_random_seed(0)
    nlp = blank("en")
    for name in ("tagger", "parser", "ner"):
        nlp.add_pipe(nlp.create_pipe(name, NER_SMALL if name != "tagger" else SMALL))
    gold_tuples = [
        ("Acme builds rockets. Bo flies", [(SENT_1, []), (SENT_2, [])]),  # raw text: one doc
        (None, [[SENT_2, []]]),  # no raw text: the gold words
    ]
    optimizer = nlp.begin_training(lambda: gold_tuples)
    assert sorted(nlp.get_pipe("tagger").labels) == [".", "NNP", "NNS", "VBZ"]
    assert {"nsubj", "dobj", "punct"} <= set(nlp.get_pipe("parser").labels)
    assert sorted(nlp.get_pipe("ner").labels) == ["ORG", "PERSON"]
    examples = nlp._examples(gold_tuples, None, "begin_training")
    assert [eg.predicted.words for eg in examples] == [
        ["Acme", "builds", "rockets", ".", "Bo", "flies"], ["Bo", "flies"]]
    losses = nlp.update(examples, sgd=optimizer)
    assert set(losses) == {"tagger", "parser", "ner"}


def test_begin_training_errors_name_the_item():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", SMALL))
    bad = ("Bo flies", [(SENT_2[:5], [])])  # five fields: not a v2 sentence tuple
    with pytest.raises(ValueError, match=r"^begin_training example 1 sentence 0: a v2 annotation tuple is \(ids, words, tags, heads, deps, ner\), got a tuple of 5 items$"):
        nlp.begin_training(lambda: [("Bo flies", {"tags": ["NNP", "VBZ"]}), bad])
    bad_tags = (None, [(([0, 1], ["Bo", "flies"], ["NNP"], [1, 1], ["nsubj", "ROOT"], ["O", "O"]), [])])
    with pytest.raises(ValueError, match=r"^begin_training example 0: 'tags' has 1 values for 2 words$"):
        nlp.begin_training(lambda: [bad_tags])
