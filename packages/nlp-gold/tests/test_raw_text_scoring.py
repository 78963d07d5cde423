"""Scoring our tokenizer's tokens of the raw text against gold words that split it differently
(the guide's Token % and its note on entities that cannot align)."""

import pytest

from nlp_gold import Example, Scorer, doc_from_annotations
from nlp_gold.alignment import spells
from nlp_vocab import Tokenizer, Vocab

#: Gold words keep "don't" and "New York-based" whole; our tokenizer splits both.
CONTRACTED = {
    "text": "I don't like New York-based firms.",
    "words": ["I", "don't", "like", "New York-based", "firms", "."],
    "spaces": [True, True, True, True, False, False],
    "tags": ["PRP", "VBP", "VB", "JJ", "NNS", "."],
    "heads": [2, 2, 2, 4, 2, 2],
    "deps": ["nsubj", "aux", "ROOT", "amod", "dobj", "punct"],
}
#: Gold words split "IBMers" and mark "IBM" alone: that entity ends inside our token "IBMers".
SPLIT_ENTITY = {
    "text": "He joined IBMers in Oslo.",
    "words": ["He", "joined", "IBM", "ers", "in", "Oslo", "."],
    "spaces": [True, True, False, True, True, False, False],
    "entities": ["O", "O", "U-ORG", "O", "O", "U-LOC", "O"],
}


@pytest.fixture
def vocab():
    return Vocab("en")


@pytest.fixture
def tokenizer(vocab):
    return Tokenizer.for_language(vocab)


def system_output(vocab, eg, **annotation):
    """The pipeline's output on the example's predicted tokens: that Doc's words with `annotation`."""
    doc = doc_from_annotations(vocab, {"words": eg.predicted.words, "spaces": eg.predicted.spaces, **annotation})
    return eg.with_predicted(doc)


def test_token_scores_and_tags_and_heads_go_through_the_alignment(vocab, tokenizer):
    eg = Example.from_annotations(vocab, CONTRACTED, tokenizer, where="eg 0")
    assert eg.predicted.words == ["I", "do", "n't", "like", "New", "York", "-", "based", "firms", "."]
    # Every tag and arc that has a token of its own is right except the final ".": tagged ","
    # and attached to "based".
    scored = system_output(
        vocab, eg,
        tags=["PRP", "VBP", "RB", "VB", "NNP", "NNP", "HYPH", "VBN", "NNS", ","],
        heads=[3, 3, 3, 3, 5, 7, 7, 8, 3, 8],
        deps=["nsubj", "aux", "neg", "ROOT", "compound", "compound", "punct", "amod", "dobj", "punct"],
    )
    scores = Scorer().score([scored])
    # 4 of our 10 tokens match a gold word one-to-one (I, like, firms, .); 6 gold words.
    assert scores["token_acc"] == pytest.approx(40.0)
    assert scores["token_p"] == pytest.approx(40.0)
    assert scores["token_r"] == pytest.approx(400 / 6)
    assert scores["token_f"] == pytest.approx(100 * 2 * 4 / (10 + 6))
    # "don't" and "New York-based" have no token of their own: wrong for tags and arcs.
    assert scores["tag_acc"] == pytest.approx(50.0)  # I, like, firms of 6
    assert scores["uas"] == pytest.approx(50.0) and scores["las"] == pytest.approx(50.0)


def test_the_same_output_on_the_gold_words_scores_100_tokens(vocab):
    eg = Example.from_annotations(vocab, CONTRACTED)  # no tokenizer: the predicted Doc has the gold words
    scored = system_output(vocab, eg, tags=CONTRACTED["tags"], heads=CONTRACTED["heads"], deps=CONTRACTED["deps"])
    scores = Scorer().score([scored])
    for key in ("token_acc", "token_p", "token_r", "token_f", "tag_acc", "uas", "las"):
        assert scores[key] == pytest.approx(100.0), key


def test_entities_off_our_token_boundaries_are_excluded_and_counted(vocab, tokenizer):
    eg = Example.from_annotations(vocab, SPLIT_ENTITY, tokenizer, where="eg 1")
    assert eg.predicted.words == ["He", "joined", "IBMers", "in", "Oslo", "."]
    assert eg.get_aligned_ner() == ["O", "O", "-", "O", "U-LOC", "O"]
    # The system tags "IBMers" as ORG: it overlaps the excluded gold entity, so it is left out too.
    scores = Scorer().score([system_output(vocab, eg, entities=["O", "O", "U-ORG", "O", "U-LOC", "O"])])
    assert scores["ents_excluded"] == 1
    assert (scores["ents_p"], scores["ents_r"], scores["ents_f"]) == (100.0, 100.0, 100.0)
    assert set(scores["ents_per_type"]) == {"LOC"}
    # 5 of our 6 tokens match one of the 7 gold words.
    assert scores["token_p"] == pytest.approx(500 / 6)
    assert scores["token_r"] == pytest.approx(500 / 7)
    assert scores["token_f"] == pytest.approx(100 * 2 * 5 / (6 + 7))
    missed = Scorer().score([system_output(vocab, eg, entities=["O"] * 6)])
    assert missed["ents_excluded"] == 1 and missed["ents_r"] == 0.0 and missed["ents_p"] == 0.0


def test_a_text_that_does_not_spell_its_words_is_tokenized_from_the_words(vocab, tokenizer):
    """A contraction expanded in the gold ("al" read as "a" + "el") cannot align with the text."""
    annot = {"text": "Voy al mercado.", "words": ["Voy", "a", "el", "mercado", "."], "tags": ["V", "P", "D", "N", "."]}
    assert not spells(annot["text"], annot["words"])
    assert spells("I  don't\tlike", ["I", "do", "n't", "like"])
    eg = Example.from_annotations(vocab, annot, tokenizer, where="eg 2")
    assert eg.predicted.words == ["Voy", "a", "el", "mercado", "."]
    assert Scorer().score([eg])["token_acc"] == pytest.approx(100.0)
