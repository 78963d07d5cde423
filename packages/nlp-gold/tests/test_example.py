import numpy
import pytest

from nlp_gold import Example, GoldError, MisalignedEntityWarning
from nlp_gold.errors import AlignmentError
from nlp_vocab import Doc, Vocab


@pytest.fixture
def vocab():
    return Vocab("en")


def test_from_dict_simple_training_style(vocab):
    doc = Doc(vocab, words=["Uber", "blew", "through", "$", "1", "million"], spaces=[True, True, True, False, True, False])
    eg = Example.from_dict(
        doc,
        {
            "entities": [(0, 4, "ORG"), (18, 28, "MONEY")],
            "heads": [1, 1, 1, 5, 5, 2],
            "deps": ["nsubj", "ROOT", "prt", "quantmod", "compound", "pobj"],
            "tags": ["NNP", "VBD", "RP", "$", "CD", None],
            "cats": {"BUSINESS": 1.0},
        },
    )
    assert len(eg) == 6 and eg.text == "Uber blew through $1 million"
    assert eg.get_aligned("TAG") == ["NNP", "VBD", "RP", "$", "CD", None]
    assert eg.get_aligned_ner() == ["U-ORG", "O", "O", "B-MONEY", "I-MONEY", "L-MONEY"]
    assert eg.get_aligned_parse() == ([1, 1, 1, 5, 5, 2], ["nsubj", "ROOT", "prt", "quantmod", "compound", "pobj"])
    assert eg.cats == {"BUSINESS": 1.0}
    assert eg.get_aligned_sent_starts() == [True, False, False, False, False, False]


def test_missing_values_and_no_entities(vocab):
    doc = Doc(vocab, words=["a", "b", "c"])
    eg = Example.from_dict(doc, {"tags": ["X", "-", None], "entities": []})
    assert eg.get_aligned("TAG") == ["X", None, None]
    assert eg.get_aligned_ner() == ["O", "O", "O"]
    eg = Example.from_dict(doc, {"tags": ["X", "Y", "Z"]})
    assert eg.get_aligned_ner() == ["-", "-", "-"]
    assert eg.get_aligned_parse() == ([None] * 3, [None] * 3)


@pytest.mark.parametrize(
    "annot,message",
    [
        ({"entities": [(0, 3, "A"), (2, 5, "B")]}, "overlapping"),
        ({"heads": [0, 5, 1]}, "out of range"),
        ({"heads": [1, 2, 0]}, "cycle"),
        ({"tags": ["X", "Y"]}, "'tags' has 2 values for 3 words"),
        ({"tagz": ["X", "Y", "Z"]}, "unknown annotation keys"),
        ({"entities": ["B-X", "O", "O"]}, "position 1"),
        ({"cats": {"A": "yes"}}, r"cats\['A'\] = 'yes' is not a number"),
        ({"cats": {"A": None}}, r"cats\['A'\] = None is not a number"),
        ({"cats": [("A", 1.0)]}, "'cats' must be a dict of label -> number, got list"),
    ],
)
def test_invalid_annotation_names_example_and_problem(vocab, annot, message):
    doc = Doc(vocab, words=["abc", "def", "ghi"])
    with pytest.raises(GoldError, match=message) as info:
        Example.from_dict(doc, annot, where="train item 12")
    assert "train item 12" in str(info.value)


def test_cats_as_bools_ints_and_numpy_numbers_are_floats(vocab):
    """spaCy v2 users write {"POSITIVE": True}; numpy scores come from arrays: all read as floats."""
    cats = {"A": True, "B": False, "C": 1, "D": numpy.float32(0.25), "E": numpy.int64(0), "F": numpy.bool_(True),
            "G": numpy.array(0.5)}
    eg = Example.from_dict(Doc(vocab, words=["x"]), {"cats": cats})
    assert eg.cats == {"A": 1.0, "B": 0.0, "C": 1.0, "D": 0.25, "E": 0.0, "F": 1.0, "G": 0.5}
    assert all(type(v) is float for v in eg.cats.values())


def test_gold_words_differ_from_predicted_tokens(vocab):
    predicted = Doc(vocab, words=["I", "dont", "live", "in", "New York", "."], spaces=[True, True, True, True, False, False])
    annot = {
        "words": ["I", "do", "nt", "live", "in", "New", "York", "."],
        "tags": ["PRP", "VBP", "RB", "VB", "IN", "NNP", "NNP", "."],
        "heads": [3, 3, 3, 3, 3, 6, 4, 3],
        "deps": ["nsubj", "aux", "neg", "ROOT", "prep", "compound", "pobj", "punct"],
        "entities": [(15, 23, "GPE")],
    }
    eg = Example.from_dict(predicted, annot)
    assert eg.get_aligned("TAG") == ["PRP", None, "VB", "IN", "NNP", "."]
    heads, deps = eg.get_aligned_parse(projectivize=False)
    assert heads == [2, None, 2, 2, 3, 2]
    assert deps == ["nsubj", None, "ROOT", "prep", "pobj", "punct"]
    assert eg.get_aligned_ner() == ["O", "O", "O", "O", "U-GPE", "O"]


def test_split_gold_word_pieces_attach_as_subtok(vocab):
    predicted = Doc(vocab, words=["New", "York", "rocks"])
    eg = Example.from_dict(predicted, {"words": ["NewYork", "rocks"], "spaces": [True, False], "heads": [1, 1], "deps": ["nsubj", "ROOT"]})
    assert eg.get_aligned_parse() == ([1, 2, 2], ["subtok", "nsubj", "ROOT"])


def test_misaligned_entity_is_unknown(vocab):
    predicted = Doc(vocab, words=["Hello", "Londoner", "!"], spaces=[True, False, False])
    eg = Example.from_dict(predicted, {"words": ["Hello", "London", "er", "!"], "spaces": [True, False, False, False], "entities": [(6, 12, "LOC")]})
    assert eg.get_aligned_ner() == ["O", "-", "O"]
    with pytest.warns(MisalignedEntityWarning, match="LOC"):
        eg = Example.from_dict(predicted, {"entities": [(6, 12, "LOC")]})
    assert eg.get_aligned_ner() == ["O", "-", "O"]


def test_text_mismatch_raises(vocab):
    with pytest.raises(AlignmentError, match="eg 3"):
        Example.from_dict(Doc(vocab, words=["ab", "c"]), {"words": ["ab", "d"]}, where="eg 3")


def test_from_gold_doc_and_make_doc(vocab):
    ref = Doc(vocab, words=["Hi", "there", "!"], spaces=[True, False, False])
    eg = Example.from_gold_doc(ref)
    assert eg.predicted.words == ["Hi", "there", "!"] and eg.predicted is not ref
    eg = Example.from_gold_doc(ref, make_doc=lambda text: Doc(vocab, words=text.replace("!", " !").split()))
    assert eg.alignment.x2y_one == [0, 1, 2]


def test_projectivized_parse(vocab):
    doc = Doc(vocab, words=list("abcde"))
    eg = Example.from_dict(doc, {"heads": [1, 1, 4, 1, 1], "deps": ["nsubj", "ROOT", "advmod", "dobj", "ccomp"]})
    assert eg.get_aligned_parse(projectivize=True) == ([1, 1, 1, 1, 1], ["nsubj", "ROOT", "advmod||ccomp", "dobj", "ccomp"])
    assert eg.get_aligned_parse(projectivize=False)[0] == [1, 1, 4, 1, 1]


def test_from_a_text_plus_a_dict(vocab):
    """The issue's "text plus a dict": the tokenizer makes the predicted Doc, gold words align."""
    from nlp_vocab import Tokenizer

    tokenizer = Tokenizer.for_language(vocab)
    annot = {"text": "I don't like Paris.", "words": ["I", "do", "n't", "like", "Paris", "."],
             "entities": [(13, 18, "LOC")], "tags": ["PRP", "VBP", "RB", "VB", "NNP", "."]}
    eg = Example.from_annotations(vocab, annot, tokenizer, where="line 3")
    assert eg.predicted.text == "I don't like Paris."
    assert eg.get_aligned_ner()[eg.predicted.words.index("Paris")] == "U-LOC"
    assert eg.get_aligned("TAG")[eg.predicted.words.index("like")] == "VB"
    with pytest.raises(TypeError, match="line 3: from_dict needs the predicted Doc, not a str"):
        Example.from_dict("I don't like Paris.", {"tags": annot["tags"]}, where="line 3")


def test_with_predicted_shares_gold_and_alignment_for_the_same_words():
    vocab = Vocab()
    words = ["Ada", "sold", "boats", "."]
    eg = Example.from_dict(Doc(vocab, words=words), {"words": words, "tags": ["NNP", "VBD", "NNS", "."],
                                                      "heads": [1, 1, 1, 1], "deps": ["nsubj", "ROOT", "dobj", "punct"]})
    output = Doc(vocab, words=words, tags=["NNP", "VBD", "NN", "."])
    scored = eg.with_predicted(output)
    assert scored.predicted is output and scored.reference is eg.reference and scored.where == eg.where
    assert scored.gold is eg.gold and scored.alignment is eg.alignment
    assert scored.get_aligned("TAG") == ["NNP", "VBD", "NNS", "."]


def test_with_predicted_aligns_anew_when_the_words_differ():
    vocab = Vocab()
    eg = Example.from_dict(Doc(vocab, words=["New", "York", "rocks"]),
                           {"words": ["New", "York", "rocks"], "tags": ["NNP", "NNP", "VBZ"]})
    merged = Doc(vocab, words=["New York", "rocks"], spaces=[True, False])
    scored = eg.with_predicted(merged)
    assert scored.alignment is not eg.alignment
    assert scored.get_aligned("TAG") == ["NNP", "VBZ"]


def test_hyphen_is_a_lemma_not_a_missing_value(vocab):
    """UD gives "-" the lemma "-": it is kept and scored, while "-" stays unknown for tags."""
    doc = Doc(vocab, words=["well", "-", "known"])
    eg = Example.from_dict(doc, {"tags": ["JJ", "-", "VBN"], "lemmas": ["well", "-", "know"]})
    assert eg.get_aligned("LEMMA") == ["well", "-", "know"]
    assert eg.get_aligned("TAG") == ["JJ", None, "VBN"]
