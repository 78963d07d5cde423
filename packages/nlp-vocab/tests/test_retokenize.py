import pytest

from nlp_vocab import Doc, Vocab


def make_doc():
    """'I live in New York City now .' parsed, with 'New York City' a GPE entity."""
    vocab = Vocab("en")
    words = ["I", "live", "in", "New", "York", "City", "now", "."]
    doc = Doc(vocab, words, [True] * 6 + [False, False])
    heads = [1, 1, 1, 5, 5, 2, 1, 1]
    deps = ["nsubj", "ROOT", "prep", "compound", "compound", "pobj", "advmod", "punct"]
    for token, head, dep in zip(doc, heads, deps):
        token.head = doc[head]
        token.dep_ = dep
        token.tag_ = "NNP" if token.text in ("New", "York", "City") else "X"
    doc[0].is_sent_start = True
    for token in doc[1:]:
        token.is_sent_start = False
    doc.ents = [("GPE", 3, 6)]
    return doc


def test_merge_keeps_tree_entities_and_text():
    doc = make_doc()
    with doc.retokenize() as retok:
        retok.merge(doc[3:6], attrs={"LEMMA": "New York City"})
    assert doc.text == "I live in New York City now."
    assert [t.text for t in doc] == ["I", "live", "in", "New York City", "now", "."]
    assert [t.idx for t in doc] == [0, 2, 7, 10, 24, 27]
    assert [t.head.i for t in doc] == [1, 1, 1, 2, 1, 1]
    assert [t.dep_ for t in doc] == ["nsubj", "ROOT", "prep", "pobj", "advmod", "punct"]
    merged = doc[3]
    assert merged.tag_ == "NNP" and merged.lemma_ == "New York City"
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(3, 4, "GPE")]
    assert [t.is_sent_start for t in doc] == [True] + [False] * 5
    assert [t.i for t in doc[1].children] == [0, 2, 4, 5]
    assert [t.i for t in doc[2].subtree] == [2, 3]


def test_several_merges_at_once_and_attrs():
    doc = make_doc()
    with doc.retokenize() as retok:
        retok.merge(doc[0:2], attrs={"TAG": "MERGED", "DEP": "ROOT"})
        retok.merge(doc[3:5])
    assert [t.text for t in doc] == ["I live", "in", "New York", "City", "now", "."]
    assert doc[0].tag_ == "MERGED"
    assert [t.head.i for t in doc] == [0, 0, 3, 1, 0, 0]
    assert [(e.start, e.end) for e in doc.ents] == [(2, 4)]
    assert len(doc) == 6 and doc[5].text == "."


def test_entity_starting_inside_merged_span():
    doc = make_doc()
    doc.ents = [("GPE", 4, 6)]
    with doc.retokenize() as retok:
        retok.merge(doc[3:5])
    assert [(e.text, e.label_) for e in doc.ents] == [("New York City", "GPE")]


def test_merge_errors():
    doc = make_doc()
    other = make_doc()
    with pytest.raises(ValueError, match="overlapping merges"):
        with doc.retokenize() as retok:
            retok.merge(doc[1:4])
            retok.merge(doc[3:5])
    with pytest.raises(ValueError, match="another|retokenized"):
        with doc.retokenize() as retok:
            retok.merge(other[0:2])
    with pytest.raises(ValueError, match="cannot be set"):
        with doc.retokenize() as retok:
            retok.merge(doc[0:2], attrs={"ORTH": "x"})
    assert len(doc) == 8  # nothing applied after errors


def test_stale_spans_and_tokens_raise_after_a_merge():
    """Views made before a merge may point past the shortened doc: they raise, never read past it."""
    doc = Doc(Vocab("en"), words="a b c d e f g h".split())
    stale_span, stale_token = doc[5:8], doc[7]
    with doc.retokenize() as retok:
        retok.merge(doc[0:6])
    assert len(doc) == 3
    with pytest.raises(ValueError, match="span 5-8 ends past the doc's 3 tokens"):
        with doc.retokenize() as retok:
            retok.merge(stale_span)
    with pytest.raises(IndexError, match="token 7 no longer exists: the doc has 3 tokens"):
        doc[0].head = stale_token
    with pytest.raises(IndexError, match="no longer exists"):
        _ = stale_token.text
    with pytest.raises(IndexError, match="no longer exists"):
        list(stale_token.ancestors)
    with doc.retokenize() as retok:
        retok.merge(doc[1:3])
    assert doc.words == ["a b c d e f", "g h"] and doc[0].head.i == 0
