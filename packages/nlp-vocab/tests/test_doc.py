import pickle

import numpy
import pytest

from nlp_vocab import Doc, Span, Token, Vocab
from nlp_vocab.attrs import (
    DEP,
    ENT_IOB,
    HEAD,
    IS_PUNCT,
    NORM,
    ORTH,
    PREFIX,
    SENT_START,
    SHAPE,
    SUFFIX,
    TAG,
)


@pytest.fixture
def vocab():
    return Vocab("en")


def parsed(vocab):
    """'New York is big . It rains .' with tags, a parse of two sentences and one entity."""
    words = ["New", "York", "is", "big", ".", "It", "rains", "."]
    spaces = [True, True, True, False, True, True, False, False]
    doc = Doc(vocab, words, spaces)
    heads = [1, 2, 2, 2, 2, 6, 6, 6]
    deps = ["compound", "nsubj", "ROOT", "acomp", "punct", "nsubj", "ROOT", "punct"]
    tags = ["NNP", "NNP", "VBZ", "JJ", ".", "PRP", "VBZ", "."]
    for token, head, dep, tag in zip(doc, heads, deps, tags):
        token.head = doc[head]
        token.dep_ = dep
        token.tag_ = tag
    doc.ents = [("GPE", 0, 2)]
    return doc


def test_construction_text_and_offsets(vocab):
    doc = Doc(vocab, ["Hello", ",", "wörld", "!"], [False, True, False, False])
    assert doc.text == doc.text_with_ws == "Hello, wörld!"
    assert len(doc) == 4
    assert [t.idx for t in doc] == [0, 5, 7, 12]
    assert [t.text_with_ws for t in doc] == ["Hello", ", ", "wörld", "!"]
    assert doc.words == ["Hello", ",", "wörld", "!"]
    assert Doc(vocab, ["a", "b"]).text == "a b "
    assert Doc(vocab).text == "" and len(Doc(vocab)) == 0


def test_construction_errors(vocab):
    with pytest.raises(ValueError, match="2 words but 1 spaces"):
        Doc(vocab, ["a", "b"], [True])
    with pytest.raises(ValueError, match="word 1 is the empty string"):
        Doc(vocab, ["a", ""])
    with pytest.raises(TypeError, match="word 0"):
        Doc(vocab, [3])


def test_indexing_and_slicing(vocab):
    doc = parsed(vocab)
    assert isinstance(doc[0], Token) and doc[-1].i == 7
    span = doc[1:3]
    assert isinstance(span, Span) and (span.start, span.end) == (1, 3)
    assert span.text == "York is" and span.start_char == 4 and span.end_char == 11
    assert [t.text for t in span] == ["York", "is"]
    with pytest.raises(IndexError):
        doc[8]


def test_lexical_attributes_through_tokens(vocab):
    doc = Doc(vocab, ["They", "do", "n't", "."])
    assert doc[2].norm_ == "not" and doc[2].is_stop
    assert doc[0].shape_ == "Xxxx" and doc[3].is_punct and doc[0].lower_ == "they"


def test_token_setters_and_missing_values(vocab):
    doc = Doc(vocab, ["a", "b"])
    token = doc[0]
    assert (token.tag_, token.pos_, token.morph_, token.lemma_, token.dep_) == ("", "", "", "", "")
    assert token.ent_iob_ == "" and token.is_sent_start is None
    token.tag_, token.pos_, token.lemma_ = "DT", "DET", "a"
    token.morph_ = "Definite=Ind|PronType=Art"
    token.is_sent_start = True
    doc[1].is_sent_start = False
    assert (token.tag_, token.pos_, token.lemma_) == ("DT", "DET", "a")
    assert token.morph_ == "Definite=Ind|PronType=Art"
    assert token.is_sent_start is True and doc[1].is_sent_start is False
    token.ent_type_ = "X"
    assert token.ent_iob_ == "B"
    token.ent_iob_ = "O"
    assert token.ent_type_ == "" and token.ent_iob_ == "O"
    with pytest.raises(ValueError):
        token.ent_iob_ = "Q"
    assert doc.has_annotation("TAG") and not doc.has_annotation("DEP") and doc.has_annotation("SENT_START")


def test_tree_navigation(vocab):
    doc = parsed(vocab)
    is_ = doc[2]
    assert [t.text for t in is_.children] == ["York", "big", "."]
    assert [t.text for t in is_.lefts] == ["York"] and [t.text for t in is_.rights] == ["big", "."]
    assert (is_.n_lefts, is_.n_rights) == (1, 2)
    assert [t.i for t in is_.subtree] == [0, 1, 2, 3, 4]
    assert (is_.left_edge.i, is_.right_edge.i) == (0, 4)
    assert [t.i for t in doc[0].ancestors] == [1, 2]
    assert is_.is_ancestor(doc[0]) and not doc[0].is_ancestor(is_)
    assert doc[0:3].root.i == 2 and doc[0:2].root.i == 1
    assert doc.has_annotation("DEP") and doc.has_annotation("HEAD")


def test_subtree_of_deep_nonprojective_and_cyclic_trees(vocab):
    """subtree is iterative: a 3000-deep chain, a non-projective arc and a cycle made through
    the head setter all answer (a recursion over children overflowed the C stack)."""
    n = 3000
    chain = Doc(vocab, words=["w"] * n, heads=[min(i + 1, n - 1) for i in range(n)])
    assert [t.i for t in chain[n - 1].subtree] == list(range(n))
    assert [t.i for t in chain[5].subtree] == list(range(6))
    # 0 <- 2 crosses 1 -> 3: subtree of 2 is {0, 2}, in text order, without 1.
    nonproj = Doc(vocab, words=list("abcd"), heads=[2, 3, 3, 3])
    assert [t.i for t in nonproj[2].subtree] == [0, 2]
    assert [t.i for t in nonproj[3].subtree] == [0, 1, 2, 3]
    cyclic = Doc(vocab, words=list("abc"), heads=[1, 2, 2])
    cyclic[1].head = cyclic[0]  # 0 <-> 1, reachable through the public setter
    assert [t.i for t in cyclic[0].subtree] == [0, 1]
    assert [t.i for t in cyclic[2].subtree] == [2]


def test_sents_from_parse_and_from_starts(vocab):
    doc = parsed(vocab)
    assert [s.text for s in doc.sents] == ["New York is big.", "It rains."]
    assert doc[6].sent.start == 5
    doc2 = Doc(vocab, ["a", "b", "c"])
    with pytest.raises(ValueError, match="sentence boundaries"):
        list(doc2.sents)
    doc2[0].is_sent_start = True
    doc2[2].is_sent_start = True
    assert [(s.start, s.end) for s in doc2.sents] == [(0, 2), (2, 3)]


def test_entities_get_set_and_overlap(vocab):
    doc = parsed(vocab)
    (ent,) = doc.ents
    assert (ent.start, ent.end, ent.label_, ent.text) == (0, 2, "GPE", "New York")
    assert [t.ent_iob_ for t in doc] == ["B", "I", "O", "O", "O", "O", "O", "O"]
    doc.ents = [Span(doc, 5, 6, label="PRON"), ("GPE", 0, 2)]
    assert [(e.start, e.label_) for e in doc.ents] == [(0, "GPE"), (5, "PRON")]
    with pytest.raises(ValueError, match=r"'GPE' tokens 0-2 \('New York'\) and 'X' tokens 1-3"):
        doc.ents = [("GPE", 0, 2), ("X", 1, 3)]
    with pytest.raises(ValueError, match=r"entity \('GPE', 7, 9\) is out of range for a doc of 8 tokens"):
        doc.ents = [("GPE", 7, 9)]
    doc.set_ents([("GPE", 0, 2)], default="missing")
    assert [t.ent_iob_ for t in doc] == ["B", "I", "", "", "", "", "", ""]
    doc.set_ents([], missing=[doc[3:5]], default="outside")
    assert [t.ent_iob_ for t in doc] == ["O", "O", "O", "", "", "O", "O", "O"]


def test_char_span(vocab):
    doc = parsed(vocab)
    span = doc.char_span(0, 8, label="GPE")
    assert span.text == "New York" and span.label_ == "GPE"
    assert doc.char_span(1, 8) is None and doc.char_span(0, 7) is None
    assert doc.char_span(12, 16).text == "big."


def test_to_array_and_from_array(vocab):
    doc = parsed(vocab)
    feats = doc.to_array([NORM, PREFIX, SUFFIX, SHAPE])
    assert feats.shape == (8, 4) and feats.dtype == numpy.uint64
    assert feats[0, 0] == vocab.strings["new"] and feats[0, 3] == vocab.strings["Xxx"]
    assert doc.to_array("ORTH").shape == (8,)
    assert list(doc.to_array(IS_PUNCT)) == [0, 0, 0, 0, 1, 0, 0, 1]
    heads = doc.to_array([HEAD]).view(numpy.int64)[:, 0]
    assert list(heads) == [1, 1, 0, -1, -2, 1, 0, -1]
    array = doc.to_array([TAG, HEAD, DEP, ENT_IOB, SENT_START])
    fresh = Doc(vocab, [t.text for t in doc], [bool(t.whitespace_) for t in doc])
    fresh.from_array([TAG, HEAD, DEP, ENT_IOB, SENT_START], array)
    assert numpy.array_equal(fresh.to_array([TAG, HEAD, DEP, ENT_IOB, SENT_START]), array)
    assert [t.i for t in fresh[2].children] == [1, 3, 4]


def test_from_array_errors(vocab):
    doc = Doc(vocab, ["a", "b"])
    with pytest.raises(ValueError, match="3 rows but the doc has 2"):
        doc.from_array([TAG], numpy.zeros((3, 1), dtype="uint64"))
    with pytest.raises(ValueError, match="token 1 has head offset 5"):
        doc.from_array([HEAD], numpy.array([0, 5]))
    with pytest.raises(ValueError, match="not in the StringStore"):
        doc.from_array([TAG], numpy.array([0, 123456789]))
    with pytest.raises(ValueError, match="ORTH does not match"):
        doc.from_array([ORTH], numpy.array([1, 2]))
    with pytest.raises(ValueError, match="ENT_IOB"):
        doc.from_array([ENT_IOB], numpy.array([0, 7]))


def test_bytes_pickle_copy_disk(vocab, tmp_path):
    doc = parsed(vocab)
    doc.cats = {"WEATHER": 1.0, "SPORT": 0.0}
    doc.user_data["source"] = "unit"
    for other in (Doc(vocab).from_bytes(doc.to_bytes()), pickle.loads(pickle.dumps(doc)), doc.copy()):
        assert other.text == doc.text and other.cats == doc.cats
        assert numpy.array_equal(other.to_array([TAG, HEAD, DEP, ENT_IOB]), doc.to_array([TAG, HEAD, DEP, ENT_IOB]))
        assert other.user_data == {"source": "unit"}
    doc.to_disk(tmp_path / "doc.bin")
    assert Doc(Vocab("en")).from_disk(tmp_path / "doc.bin").text == doc.text
    (tmp_path / "bad.bin").write_bytes(b"\x93\x01\x02\x03")
    with pytest.raises(ValueError, match="bad.bin"):
        Doc(vocab).from_disk(tmp_path / "bad.bin")


def test_as_doc(vocab):
    doc = parsed(vocab)
    sub = doc[1:4].as_doc()
    assert sub.text == "York is big" and sub.words == ["York", "is", "big"]
    assert [t.head.i for t in sub] == [1, 1, 1]
    assert [t.dep_ for t in sub] == ["nsubj", "ROOT", "acomp"]
    assert [t.ent_iob_ for t in sub] == ["B", "O", "O"] and sub.ents[0].text == "York"
    assert [t.tag_ for t in sub] == ["NNP", "VBZ", "JJ"]


def test_construction_with_annotation_lists(vocab):
    doc = Doc(
        vocab,
        ["Ann", "saw", "New", "York", "."],
        [True, True, True, False, False],
        tags=["NNP", "VBD", "NNP", None, "."],
        pos=["PROPN", "VERB", "PROPN", "PROPN", ""],
        morphs=["Number=Sing", "Tense=Past", None, None, None],
        lemmas=["Ann", "see", "New", "York", "."],
        heads=[1, 1, 3, 1, None],
        deps=["nsubj", "ROOT", "compound", "dobj", None],
        sent_starts=[True, False, False, None, False],
        ents=["B-PER", "O", "B-GPE", "I-GPE", ""],
    )
    assert [t.tag_ for t in doc] == ["NNP", "VBD", "NNP", "", "."]
    assert doc[1].lemma_ == "see" and doc[0].morph_ == "Number=Sing" and doc[4].pos_ == ""
    assert [t.head.i for t in doc] == [1, 1, 3, 1, 4] and doc[4].dep_ == ""
    assert [t.is_sent_start for t in doc] == [True, False, False, None, False]
    assert [(e.text, e.label_) for e in doc.ents] == [("Ann", "PER"), ("New York", "GPE")]
    assert [t.ent_iob_ for t in doc] == ["B", "O", "B", "I", ""]
    assert [t.i for t in doc[1].children] == [0, 3]
    with pytest.raises(ValueError, match=r"heads\[1\] = 9"):
        Doc(vocab, ["a", "b"], heads=[0, 9])
    with pytest.raises(ValueError, match="2 words but 1 tags"):
        Doc(vocab, ["a", "b"], tags=["X"])
    with pytest.raises(ValueError, match=r"ents\[0\] = 'PER'"):
        Doc(vocab, ["a"], ents=["PER"])


def test_span_score_reads_the_entity_scores_rows(vocab):
    """`span.score` is the score doc.user_data["ent_scores"] has for the span's start, end and
    label (a recognizer's confidence), as rows (they travel with the doc's bytes and a DocBin)
    or as the dict the entity pictures document."""
    from nlp_vocab import ENT_SCORES, DocBin, set_entity_scores

    doc = Doc(vocab, words=["Ada", "Moss", "met", "Ben"])
    doc.set_ents([("PER", 0, 2), ("PER", 3, 4)])
    assert [e.score for e in doc.ents] == [None, None]
    set_entity_scores(doc, [(0, 2, "PER", 0.25), (3, 4, "LOC", 0.5)])
    assert [e.score for e in doc.ents] == [0.25, None]  # the second row has another label
    assert Span(doc, 0, 1, label="PER").score is None
    assert [e.score for e in doc.copy().ents] == [0.25, None]
    (back,) = DocBin(store_user_data=True, docs=[doc]).get_docs(vocab)
    assert back.ents[0].score == 0.25 and doc.user_data[ENT_SCORES][0] == [0, 2, "PER", 0.25]
    doc.user_data[ENT_SCORES] = {(3, 4, "PER"): 1}
    assert [e.score for e in doc.ents] == [None, 1.0]


def test_entity_scores_follow_a_merge_and_never_name_another_span(vocab):
    """A merge moves each score to its span's new tokens, drops the score of a span it cuts
    into, and a score keeps its shape (rows or a dict)."""
    from nlp_vocab import ENT_SCORES, set_entity_scores

    doc = Doc(vocab, words=["Ada", "Moss", "met", "Ben", "Cole", "in", "New", "York"])
    doc.set_ents([("PER", 0, 2), ("PER", 3, 5), ("LOC", 6, 8)])
    set_entity_scores(doc, [(0, 2, "PER", 0.25), (3, 5, "PER", 0.5), (6, 8, "LOC", 0.75)])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])  # the whole entity: one token, same text, same score
        retokenizer.merge(doc[4:6])  # "Cole in": cuts into the second entity
    assert doc.words == ["Ada Moss", "met", "Ben", "Cole in", "New", "York"]
    assert [(e.text, e.score) for e in doc.ents] == [("Ada Moss", 0.25), ("Ben Cole in", None), ("New York", 0.75)]
    assert doc.user_data[ENT_SCORES] == [[0, 1, "PER", 0.25], [4, 6, "LOC", 0.75]]
    assert Span(doc, 3, 5, label="PER").score is None  # the old indices of "Ben Cole": another span now
    doc.user_data[ENT_SCORES] = {(4, 6, "LOC"): 0.5, (1, 2, "PER"): 0.1}
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3])  # "met Ben"
    assert doc.user_data[ENT_SCORES] == {(3, 5, "LOC"): 0.5} and doc.ents[-1].score == 0.5


def test_setting_the_entities_drops_the_scores_of_spans_no_longer_entities(vocab):
    from nlp_vocab import ENT_SCORES, set_entity_scores

    doc = Doc(vocab, words=["Ada", "met", "Ben", "in", "Rome"])
    doc.set_ents([("PER", 0, 1), ("PER", 2, 3), ("LOC", 4, 5)])
    set_entity_scores(doc, [(0, 1, "PER", 0.25), (2, 3, "PER", 0.5), (4, 5, "LOC", 0.75)])
    doc.ents = [Span(doc, 0, 1, label="PER"), Span(doc, 2, 3, label="ORG"), Span(doc, 4, 5, label="LOC")]
    assert [(e.text, e.label_, e.score) for e in doc.ents] == [("Ada", "PER", 0.25), ("Ben", "ORG", None),
                                                               ("Rome", "LOC", 0.75)]
    assert Span(doc, 2, 3, label="PER").score is None  # "Ben" is no PER any more
    doc.set_ents([("LOC", 4, 5)], default="unmodified")
    assert doc.user_data[ENT_SCORES] == [[0, 1, "PER", 0.25], [4, 5, "LOC", 0.75]]
    doc.ents = []
    assert doc.user_data[ENT_SCORES] == [] and Span(doc, 0, 1, label="PER").score is None
