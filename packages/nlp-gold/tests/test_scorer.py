import pytest

from nlp_gold import Example, PRFScore, Scorer, doc_from_annotations, roc_auc
from nlp_vocab import Vocab

WORDS = ["Sue", "met", "John", "Smith", "in", "Paris", "at", "IBM", "in", "May", "."]
SPACES = [True] * 9 + [False, False]
GOLD_ENTS = ["U-PER", "O", "B-PER", "L-PER", "O", "U-LOC", "O", "U-ORG", "O", "U-DATE", "O"]


@pytest.fixture
def vocab():
    return Vocab("en")


def test_predicting_the_gold_scores_100(vocab):
    annot = {
        "words": WORDS, "spaces": SPACES, "entities": GOLD_ENTS,
        "tags": ["NNP", "VBD", "NNP", "NNP", "IN", "NNP", "IN", "NNP", "IN", "NNP", "."],
        "pos": ["PROPN", "VERB", "PROPN", "PROPN", "ADP", "PROPN", "ADP", "PROPN", "ADP", "PROPN", "PUNCT"],
        "morphs": ["Number=Sing", "Tense=Past", "_", "_", "_", "_", "_", "_", "_", "_", "_"],
        "heads": [1, 1, 3, 1, 5, 1, 7, 1, 9, 1, 1],
        "deps": ["nsubj", "ROOT", "compound", "dobj", "case", "obl", "case", "obl", "case", "obl", "punct"],
        "cats": {"A": 1.0, "B": 0.0},
    }
    examples = []
    for cats in ({"A": 1.0, "B": 0.0}, {"A": 0.0, "B": 1.0}):
        annot["cats"] = cats
        ref = doc_from_annotations(vocab, annot)
        examples.append(Example(doc_from_annotations(vocab, annot), ref))
    scores = Scorer().score(examples)
    for key in ("token_acc", "token_p", "token_r", "token_f", "tag_acc", "pos_acc", "morph_acc", "ufeats_acc", "uas", "las",
                "sents_p", "sents_r", "sents_f", "ents_p", "ents_r", "ents_f", "textcat_acc", "textcat_macro_f", "textcat_macro_auc"):
        assert scores[key] == pytest.approx(100.0), key
    assert scores["lemma_acc"] is None and scores["ents_excluded"] == 0
    assert all(v["f"] == 100.0 for v in scores["las_per_type"].values())
    assert all(v["f"] == 100.0 for v in scores["ents_per_type"].values())


def test_entities_boundary_label_missed_and_misaligned(vocab):
    ref = doc_from_annotations(vocab, {"words": WORDS, "spaces": SPACES, "entities": GOLD_ENTS})
    pred_words = WORDS[:9] + ["May."]
    pred = doc_from_annotations(
        vocab,
        {"words": pred_words, "spaces": SPACES[:9] + [False],
         # Sue right; John (boundary off); Paris as GPE (label wrong); IBM missed; "May." misaligned
         "entities": ["U-PER", "O", "U-PER", "O", "O", "U-GPE", "O", "O", "O", "U-DATE"]},
    )
    scores = Scorer().score([Example(pred, ref)])
    assert scores["ents_excluded"] == 1
    assert scores["ents_p"] == pytest.approx(100 / 3)
    assert scores["ents_r"] == pytest.approx(25.0)
    assert scores["ents_f"] == pytest.approx(200 / 7)
    assert scores["ents_per_type"]["PER"] == pytest.approx({"p": 50.0, "r": 50.0, "f": 50.0})
    assert scores["ents_per_type"]["LOC"]["r"] == 0.0 and scores["ents_per_type"]["GPE"]["p"] == 0.0
    assert scores["token_p"] == pytest.approx(90.0)
    assert scores["token_r"] == pytest.approx(900 / 11)


def test_attachment_scores_with_and_without_punct(vocab):
    words = ["She", "runs", "fast", "."]
    ref = doc_from_annotations(vocab, {"words": words, "heads": [1, 1, 1, 1], "deps": ["nsubj", "ROOT", "advmod", "punct"],
                                       "tags": ["PRP", "VBZ", "RB", "."]})
    pred = doc_from_annotations(vocab, {"words": words, "heads": [1, 1, 0, 1], "deps": ["nsubj", "root", "advmod", "dep"],
                                        "tags": ["PRP", "VBZ", "JJ", "."]})
    scores = Scorer().score([Example(pred, ref)])
    assert scores["uas"] == pytest.approx(75.0) and scores["las"] == pytest.approx(50.0)
    assert scores["tag_acc"] == pytest.approx(75.0)
    assert scores["las_per_type"]["nsubj"]["f"] == 100.0 and scores["las_per_type"]["root"]["f"] == 100.0
    assert scores["las_per_type"]["advmod"] == {"p": 0.0, "r": 0.0, "f": 0.0}
    no_punct = Scorer(exclude_punct=True).score([Example(pred, ref)])
    assert no_punct["uas"] == pytest.approx(200 / 3) and no_punct["las"] == pytest.approx(200 / 3)


def test_sentence_boundaries(vocab):
    words = ["a", "b", "c", "d"]
    ref = doc_from_annotations(vocab, {"words": words, "sent_starts": [True, False, True, False]})
    pred = doc_from_annotations(vocab, {"words": words, "sent_starts": [True, False, False, True]})
    scores = Scorer().score([Example(pred, ref)])
    assert scores["sents_p"] == 0.0 and scores["sents_r"] == 0.0
    pred = doc_from_annotations(vocab, {"words": words, "sent_starts": [True, False, True, True]})
    scores = Scorer().score([Example(pred, ref)])
    assert scores["sents_p"] == pytest.approx(100 / 3) and scores["sents_r"] == pytest.approx(50.0)


def test_textcat_accuracy_macro_f_and_auc(vocab):
    examples = []
    for gold, score_a in (("A", 0.9), ("A", 0.4), ("B", 0.3), ("B", 0.2)):
        ref = doc_from_annotations(vocab, {"words": ["x"], "cats": {"A": float(gold == "A"), "B": float(gold == "B")}})
        pred = doc_from_annotations(vocab, {"words": ["x"]})
        pred.cats = {"A": score_a, "B": 1 - score_a}
        examples.append(Example(pred, ref))
    scores = Scorer().score(examples)
    assert scores["textcat_acc"] == pytest.approx(75.0)
    assert scores["textcat_macro_f"] == pytest.approx(100 * (2 / 3 + 0.8) / 2)
    assert scores["textcat_macro_auc"] == pytest.approx(100.0)
    assert scores["textcat_f_per_type"]["A"] == pytest.approx({"p": 100.0, "r": 50.0, "f": 200 / 3})
    assert scores["textcat_f_per_type"]["B"] == pytest.approx({"p": 200 / 3, "r": 100.0, "f": 80.0})
    assert scores["textcat_auc_per_type"] == pytest.approx({"A": 100.0, "B": 100.0})
    assert not any(key.startswith("cats_") for key in scores)


def test_textcat_multilabel_uses_threshold_and_macro_auc(vocab):
    golds = ({"X": 1.0, "Y": 1.0}, {"X": 0.0, "Y": 1.0}, {"X": 1.0, "Y": 0.0})
    preds = ({"X": 0.8, "Y": 0.3}, {"X": 0.2, "Y": 0.9}, {"X": 0.6, "Y": 0.4})
    examples = []
    for gold, predicted in zip(golds, preds):
        pred = doc_from_annotations(vocab, {"words": ["x"]})
        pred.cats = predicted
        examples.append(Example(pred, doc_from_annotations(vocab, {"words": ["x"], "cats": gold})))
    scores = Scorer().score(examples)
    # Example 0 misses Y; the others are right on every label.
    assert scores["textcat_acc"] == pytest.approx(200 / 3)
    assert scores["textcat_f_per_type"]["X"]["f"] == pytest.approx(100.0)
    assert scores["textcat_f_per_type"]["Y"] == pytest.approx({"p": 100.0, "r": 50.0, "f": 200 / 3})
    assert scores["textcat_macro_f"] == pytest.approx(250 / 3)
    # Y: positives 0.3 and 0.9 against the negative 0.4 -> AUC 0.5.
    assert scores["textcat_auc_per_type"] == pytest.approx({"X": 100.0, "Y": 50.0})
    assert scores["textcat_macro_auc"] == pytest.approx(75.0)
    assert Scorer(threshold=0.35).score(examples)["textcat_acc"] == pytest.approx(100 / 3)


def test_textcat_one_exclusive_label_is_not_scored_as_always_right(vocab):
    """An argmax over one label is always right: a single label is scored by its threshold."""
    examples = []
    for gold, score in ((1.0, 0.2), (1.0, 0.9), (0.0, 0.7), (0.0, 0.1)):
        pred = doc_from_annotations(vocab, {"words": ["x"]})
        pred.cats = {"POSITIVE": score}
        examples.append(Example(pred, doc_from_annotations(vocab, {"words": ["x"], "cats": {"POSITIVE": gold}})))
    for exclusive in (True, None):
        assert Scorer(exclusive_classes=exclusive).score(examples)["textcat_acc"] == pytest.approx(50.0)
    assert Scorer(exclusive_classes=True).score(examples[:2])["textcat_acc"] == pytest.approx(50.0)


def test_roc_auc_and_prf_maths():
    assert roc_auc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1]) == pytest.approx(0.875)
    assert roc_auc([1, 1], [0.2, 0.3]) is None
    prf = PRFScore()
    prf.score_set({1, 2, 3}, {2, 3, 4, 5})
    assert (prf.tp, prf.fp, prf.fn) == (2, 1, 2)
    assert prf.fscore == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def _tagged(vocab, words, tags):
    return doc_from_annotations(vocab, {"words": words, "tags": tags})


def test_tag_per_label_and_confusions_by_hand(vocab):
    examples = [
        Example(_tagged(vocab, list("abcde"), ["N", "N", "N", "N", "V"]),
                _tagged(vocab, list("abcde"), ["N", "V", "N", "D", "N"])),
        # "yz" is split in the prediction: its gold V is missed, and neither piece's tag counts
        Example(_tagged(vocab, ["x", "y", "z"], ["N", "V", "V"]), _tagged(vocab, ["x", "yz"], ["N", "V"])),
        Example(_tagged(vocab, ["p", "q"], ["N", "V"]), _tagged(vocab, ["p", "q"], ["V", "V"])),
    ]
    scores = Scorer().score(examples)
    # N: gold 4, predicted 6 (on aligned gold words), right 3; V: gold 4, predicted 2, right 1
    expected = {"D": {"p": 0.0, "r": 0.0, "f": 0.0}, "N": {"p": 50.0, "r": 75.0, "f": 60.0},
                "V": {"p": 50.0, "r": 25.0, "f": 100 / 3}}
    assert list(scores["tag_per_label"]) == ["D", "N", "V"]
    for tag, prf in expected.items():
        assert scores["tag_per_label"][tag] == pytest.approx(prf), tag
    assert scores["tag_acc"] == pytest.approx(400 / 9)
    assert scores["tag_confusions"] == [["V", "N", 2], ["D", "N", 1], ["N", "V", 1]]
    assert scores["dep_per_label"] is None and scores["dep_confusions"] is None


def test_dep_per_label_and_confusions_by_hand(vocab):
    words = ["She", "runs", "fast", "."]
    ref = doc_from_annotations(vocab, {"words": words, "heads": [1, 1, 1, 1], "deps": ["nsubj", "ROOT", "advmod", "punct"]})
    # advmod: right label, wrong head (a miss, not a confusion); ".": right head, label dep
    pred = doc_from_annotations(vocab, {"words": words, "heads": [1, 1, 0, 1], "deps": ["nsubj", "root", "advmod", "dep"]})
    scores = Scorer().score([Example(pred, ref)])
    zero = {"p": 0.0, "r": 0.0, "f": 0.0}
    full = {"p": 100.0, "r": 100.0, "f": 100.0}
    assert scores["dep_per_label"] == {"advmod": zero, "dep": zero, "nsubj": full, "punct": zero, "root": full}
    # las_per_type keeps its old shape: gold labels only
    assert scores["las_per_type"] == {k: v for k, v in scores["dep_per_label"].items() if k != "dep"}
    assert scores["dep_confusions"] == [["punct", "dep", 1]]
    assert scores["tag_per_label"] is None and scores["tag_confusions"] is None
    no_punct = Scorer(exclude_punct=True).score([Example(pred, ref)])
    assert set(no_punct["dep_per_label"]) == {"advmod", "nsubj", "root"}
    assert no_punct["dep_confusions"] == []


def test_confusions_keep_the_most_frequent_twenty(vocab):
    gold = [f"G{k:02d}" for k in range(25)]
    guess = [f"P{k:02d}" for k in range(25)]
    words = [f"w{k}" for k in range(25)]
    examples = [Example(_tagged(vocab, words, guess), _tagged(vocab, words, gold)),
                Example(_tagged(vocab, ["v"], ["P24"]), _tagged(vocab, ["v"], ["G24"]))]
    confusions = Scorer().score(examples)["tag_confusions"]
    assert len(confusions) == 20
    assert confusions[0] == ["G24", "P24", 2]
    assert confusions[1:] == [[g, p, 1] for g, p in zip(gold[:19], guess[:19])]


def test_ufeats_keeps_the_conll18_universal_features_only(vocab):
    """morph_acc compares whole FEATS; ufeats_acc (CoNLL 2018 UFeats) ignores treebank-specific
    features such as Typo and NumForm and the order features are written in."""
    words = ["I", "seee", "3", "cats"]
    gold = ["Case=Nom|Number=Sing", "Mood=Ind|Typo=Yes", "NumForm=Digit|NumType=Card", "Number=Plur"]
    guess = ["Number=Sing|Case=Nom", "Mood=Ind", "NumType=Card", "Number=Sing"]
    ref = doc_from_annotations(vocab, {"words": words, "morphs": gold})
    pred = doc_from_annotations(vocab, {"words": words, "morphs": guess})
    scores = Scorer().score([Example(pred, ref)])
    assert scores["morph_acc"] == pytest.approx(0.0)
    assert scores["ufeats_acc"] == pytest.approx(75.0)
