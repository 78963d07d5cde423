"""GoldParse: the seed guide's snippets as written (our names), v2's attributes aligned to the doc
as an Example aligns them, v2's annotation tuples, and one-line errors for bad annotation."""

import pytest

from nlp_gold import Example, GoldError, GoldParse, MisalignedEntityWarning
from nlp_gold.errors import AlignmentError
from nlp_gold.goldparse import annotations_from_gold_tuples, is_gold_tuple
from nlp_vocab import Doc, Vocab


def test_guide_tags_snippet():
    vocab = Vocab(tag_map={"N": {"pos": "NOUN"}, "V": {"pos": "VERB"}})
    doc = Doc(vocab, words=["I", "like", "stuff"])
    gold = GoldParse(doc, tags=["N", "V", "N"])
    assert len(gold) == gold.length == 3
    assert gold.words == ["I", "like", "stuff"]
    assert gold.tags == ["N", "V", "N"]
    assert gold.heads == [None, None, None] and gold.labels == [None, None, None]
    assert gold.ner == ["-", "-", "-"]  # entities not given: unknown, not "O"
    assert gold.cats == {}


def test_guide_biluo_entities_snippet():
    doc = Doc(Vocab(), words=["Facebook", "released", "React", "in", "2014"])
    gold = GoldParse(doc, entities=["U-ORG", "O", "U-TECHNOLOGY", "O", "U-DATE"])
    assert gold.ner == ["U-ORG", "O", "U-TECHNOLOGY", "O", "U-DATE"]
    assert gold.tags == [None] * 5


def test_entities_as_offsets_none_and_empty():
    doc = Doc(Vocab(), words=["Acme", "Rockets", "opened", "in", "Lima"])
    gold = GoldParse(doc, entities=[(0, 12, "ORG"), (23, 27, "GPE")])
    assert gold.ner == ["B-ORG", "L-ORG", "O", "O", "U-GPE"]
    assert GoldParse(doc, entities=[]).ner == ["O"] * 5
    assert GoldParse(doc, entities=["U-ORG", None, "O", "-", "O"]).ner == ["U-ORG", "-", "O", "-", "O"]
    with pytest.warns(MisalignedEntityWarning, match="GoldParse"):
        gold = GoldParse(doc, entities=[(0, 3, "ORG")])
    assert gold.ner == ["-", "O", "O", "O", "O"]


def test_heads_deps_cats_and_v2_views():
    doc = Doc(Vocab(), words=["She", "sells", "shells", "."])
    gold = GoldParse(doc, heads=[1, 1, 1, 1], deps=["nsubj", "ROOT", "dobj", "punct"],
                     cats={"SALES": 1.0, "SPORT": 0.0}, morphology=[["Case=Nom", "Number=Sing"], None, None, None])
    assert gold.heads == [1, 1, 1, 1]
    assert gold.labels == ["nsubj", "ROOT", "dobj", "punct"]
    assert gold.cats == {"SALES": 1.0, "SPORT": 0.0}
    assert gold.morphology == ["Case=Nom|Number=Sing", None, None, None]
    assert gold.is_projective
    assert gold.orig_annot[1] == (1, "sells", None, 1, "ROOT", "-")
    assert gold.cand_to_gold == [0, 1, 2, 3] and gold.gold_to_cand == [0, 1, 2, 3]


def test_make_projective_lifts_a_crossing_arc():
    doc = Doc(Vocab(), words=["a", "b", "c", "d"])
    heads, deps = [2, 0, 2, 1], ["x", "y", "ROOT", "z"]  # d -> b crosses b's head arc
    gold = GoldParse(doc, heads=heads, deps=deps)
    assert gold.heads == heads and not gold.is_projective
    lifted = GoldParse(doc, heads=heads, deps=deps, make_projective=True)
    assert lifted.is_projective
    assert lifted.heads[3] != 1 and lifted.labels[3].startswith("z||")


def test_other_gold_words_align_as_an_example_does():
    doc = Doc(Vocab(), words=["New", "York", "is", "big"])
    annot = {"words": ["New York", "is", "big"], "tags": ["NNP", "VBZ", "JJ"], "heads": [1, 1, 1],
             "deps": ["nsubj", "ROOT", "acomp"], "entities": ["U-GPE", "O", "O"]}
    gold = GoldParse(doc, **annot)
    assert gold.words == ["New York", "New York", "is", "big"]
    assert gold.tags == [None, None, "VBZ", "JJ"]  # the pieces of a split word: unknown tag
    assert gold.heads == [1, 2, 2, 2] and gold.labels == ["subtok", "nsubj", "ROOT", "acomp"]
    assert gold.ner == ["B-GPE", "L-GPE", "O", "O"]
    assert gold.cand_to_gold == [None, None, 1, 2] and gold.gold_to_cand == [None, 2, 3]
    example = Example.from_dict(doc, annot)
    assert gold.tags == example.get_aligned("TAG")
    assert (gold.heads, gold.labels) == example.get_aligned_parse(projectivize=False)


def test_from_annot_tuples():
    doc = Doc(Vocab(), words=["Bo", "runs"])
    gold = GoldParse.from_annot_tuples(doc, ([0, 1], ["Bo", "runs"], ["NNP", "VBZ"], [1, 1], ["nsubj", "ROOT"], ["U-PERSON", "O"]))
    assert (gold.tags, gold.heads, gold.labels, gold.ner) == (
        ["NNP", "VBZ"], [1, 1], ["nsubj", "ROOT"], ["U-PERSON", "O"])
    with pytest.raises(GoldError, match=r"GoldParse: a v2 annotation tuple is \(ids, words, tags, heads, deps, ner\), got a tuple of 2"):
        GoldParse.from_annot_tuples(doc, (["Bo", "runs"], ["NNP", "VBZ"]))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tags": ["N", "V"]}, GoldError, "GoldParse: 'tags' has 2 values for 3 words"),
        ({"heads": [1, 0, 2]}, GoldError, r"GoldParse: the heads contain a cycle through words \[0, 1\]"),
        ({"heads": [0, 1, 7]}, GoldError, "GoldParse: head 7 of word 2 is out of range"),
        ({"entities": ["B-ORG", "O", "O"]}, GoldError, "GoldParse: invalid BILUO sequence: 'O' at position 1"),
        ({"entities": [(0, 5, "X"), (2, 7, "Y")]}, GoldError, "GoldParse: overlapping entities"),
        ({"words": ["tic", "tac", "tic"]}, AlignmentError, "GoldParse: predicted and gold texts differ"),
        ({"tagz": ["N", "V", "N"]}, GoldError, r"GoldParse: unknown annotation keys \['tagz'\]"),
    ],
)
def test_bad_annotation_is_one_error_line(kwargs, error, message):
    doc = Doc(Vocab(), words=["tic", "tac", "toe"])
    with pytest.raises(error, match=message) as info:
        GoldParse(doc, **kwargs)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


SENT_1 = ([0, 1, 2], ["Bo", "runs", "."], ["NNP", "VBZ", "."], [1, 1, 1], ["nsubj", "ROOT", "punct"], ["U-PERSON", "O", "O"])
SENT_2 = ([0, 1], ["He", "won"], ["PRP", "VBD"], [1, 1], ["nsubj", "ROOT"], [None, None])


def test_gold_tuples_with_raw_text_become_one_document():
    item = ("Bo runs. He won", [(SENT_1, []), (SENT_2, [])], {"SPORT": 1.0})
    assert is_gold_tuple(item)
    (annot,) = annotations_from_gold_tuples(item, "item 0")
    assert annot["text"] == "Bo runs. He won"
    assert annot["words"] == ["Bo", "runs", ".", "He", "won"]
    assert annot["heads"] == [1, 1, 1, 4, 4]
    assert annot["entities"] == ["U-PERSON", "O", "O", "-", "-"]
    assert annot["cats"] == {"SPORT": 1.0}


def test_gold_tuples_without_raw_text_give_one_dict_per_sentence():
    annots = annotations_from_gold_tuples([None, [[SENT_1, []], [SENT_2, []]]], "item 0")
    assert [a["words"] for a in annots] == [["Bo", "runs", "."], ["He", "won"]]
    assert "entities" not in annots[1]  # all None: unknown
    assert "text" not in annots[0]


def test_what_is_not_a_gold_tuple():
    assert not is_gold_tuple(("Bo runs", {"tags": ["NNP", "VBZ"]}))
    assert not is_gold_tuple(("Bo runs", [(0, 2, "PERSON")]))
    assert not is_gold_tuple(("Bo runs", []))
    with pytest.raises(GoldError, match=r"item 3 sentence 1: a v2 annotation tuple is"):
        annotations_from_gold_tuples(("Bo runs.", [(SENT_1, []), (SENT_1[:5], [])]), "item 3")
    with pytest.raises(GoldError, match="item 3: sentence 0 of a v2 gold tuple must be"):
        annotations_from_gold_tuples((None, [(SENT_1,)]), "item 3")
