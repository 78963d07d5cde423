"""Property tests: Doc.to_bytes and DocBin (as bytes and pickled) lose nothing, for random fully and partially annotated
docs (unicode, empty docs, unknown values, valid trees, entities with unknown and "O" tokens)."""

import pickle

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_vocab import Doc, DocBin, Vocab
from nlp_vocab.attrs import IDS

CHARS = st.characters(blacklist_categories=("Cs",))
WORDS = st.text(alphabet=CHARS, min_size=1, max_size=6)
LABELS = st.sampled_from(["", "NN", "VB", "ÄÖ", "标签", "X|Y"])
MORPHS = st.sampled_from(["", "Number=Sing", "Number=Plur|Person=3", "Case=Nom|Gender=Fem"])
ENT_LABELS = st.sampled_from(["PER", "ORG", "地名"])
ALL_ATTRS = [IDS[n] for n in ("ORTH", "SPACY", "TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP",
                              "ENT_IOB", "ENT_TYPE", "SENT_START")]


@st.composite
def random_docs(draw, vocab):
    n = draw(st.integers(0, 12))
    words = draw(st.lists(WORDS, min_size=n, max_size=n))
    spaces = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    doc = Doc(vocab, words, spaces)
    for token in doc:
        token.tag_ = draw(LABELS)
        token.pos_ = draw(LABELS)
        token.morph_ = draw(MORPHS)
        token.lemma_ = draw(st.one_of(st.just(""), WORDS))
        token.is_sent_start = draw(st.sampled_from([None, True, False]))
    # Heads: a random valid tree per sentence chunk; some heads unknown, some labels unknown.
    start = 0
    while start < n:
        end = draw(st.integers(start + 1, n))
        order = draw(st.permutations(list(range(start, end))))
        root = order[0]
        doc[root].dep_ = "ROOT"
        for k, i in enumerate(order[1:], 1):
            if draw(st.integers(0, 5)) == 0:
                continue  # unknown head: head self, dep ""
            doc[i].head = doc[order[draw(st.integers(0, k - 1))]]
            doc[i].dep_ = draw(st.sampled_from(["", "nsubj", "obj", "amod", "ǆep"]))
        start = end
    # Entities: non-overlapping, some tokens unknown, the rest "O".
    ents, missing, i = [], [], 0
    while i < n:
        kind = draw(st.sampled_from(["ent", "missing", "out"]))
        length = draw(st.integers(1, n - i))
        if kind == "ent":
            ents.append((draw(ENT_LABELS), i, i + length))
        elif kind == "missing":
            missing.append(doc[i:i + length])
        i += length
    doc.set_ents(ents, missing=missing, default="outside")
    doc.cats = draw(st.dictionaries(st.text(alphabet=CHARS, max_size=5), st.floats(0, 1), max_size=3))
    return doc


def assert_same(a, b):
    assert a.text == b.text
    assert a.words == b.words and a.spaces == b.spaces
    assert numpy.array_equal(a.to_array(ALL_ATTRS), b.to_array(ALL_ATTRS))
    assert [t.morph_ for t in a] == [t.morph_ for t in b]
    assert [t.ent_iob_ for t in a] == [t.ent_iob_ for t in b]
    assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
    assert [t.head.i for t in a] == [t.head.i for t in b]
    assert [t.is_sent_start for t in a] == [t.is_sent_start for t in b]
    assert a.cats == b.cats


@settings(max_examples=60)
@given(st.data())
def test_doc_bytes_round_trip(data):
    vocab = Vocab("en")
    doc = data.draw(random_docs(vocab))
    assert_same(doc, Doc(Vocab("en")).from_bytes(doc.to_bytes()))


@settings(max_examples=40)
@given(st.data())
def test_docbin_round_trip(data):
    vocab = Vocab("en")
    docs = [data.draw(random_docs(vocab)) for _ in range(data.draw(st.integers(0, 4)))]
    loaded = list(DocBin(docs=docs).from_bytes(DocBin(docs=docs).to_bytes()).get_docs(Vocab("en")))
    assert len(loaded) == len(docs)
    for a, b in zip(docs, loaded):
        assert_same(a, b)


@settings(max_examples=30)
@given(st.data())
def test_pickled_docbin_round_trip(data):
    """A DocBin travels by pickle (how nlp.pipe's workers send their batches, as one array): the
    docs, their strings, cats and user data come back, and the copy takes more docs."""
    vocab = Vocab("en")
    docs = [data.draw(random_docs(vocab)) for _ in range(data.draw(st.integers(0, 4)))]
    for i, doc in enumerate(docs):
        doc.user_data["i"] = i
    sent = DocBin(store_user_data=True, docs=docs)
    back = pickle.loads(pickle.dumps(sent))
    assert back.strings == sent.strings and len(back) == len(docs)
    for a, b in zip(docs, back.get_docs(Vocab("en")), strict=True):
        assert_same(a, b)
        assert b.user_data == a.user_data
    extra = data.draw(random_docs(vocab))
    back.add(extra)
    assert_same(extra, list(back.get_docs(Vocab("en")))[-1])


@settings(max_examples=20)
@given(st.data())
def test_docbin_extend_stores_what_add_stores_across_vocabs(data):
    """A batch of docs (`extend`, how nlp.pipe's workers pack theirs) stores what adding them
    one at a time does, also when the docs come from two vocabs."""
    first, second = Vocab("en"), Vocab("en")
    docs = [data.draw(random_docs(first)) for _ in range(2)] + [data.draw(random_docs(second))]
    one_by_one, together = DocBin(), DocBin()
    for doc in docs:
        one_by_one.add(doc)
    together.extend(docs)
    assert together.strings == one_by_one.strings
    for a, b in zip(docs, together.get_docs(Vocab("en")), strict=True):
        assert_same(a, b)


def test_docbin_disk_user_data_and_errors(tmp_path):
    vocab = Vocab("en")
    doc = Doc(vocab, ["Hi", "there"])
    doc.user_data["id"] = 7
    doc.cats = {"GREETING": 1.0}
    bin_ = DocBin(store_user_data=True)
    bin_.add(doc)
    bin_.add(Doc(vocab))
    assert len(bin_) == 2
    bin_.to_disk(tmp_path / "sub" / "train.nlpdocs")
    loaded = list(DocBin().from_disk(tmp_path / "sub" / "train.nlpdocs").get_docs(Vocab("en")))
    assert loaded[0].user_data == {"id": 7} and loaded[0].cats == {"GREETING": 1.0}
    assert loaded[1].text == ""
    (tmp_path / "junk.nlpdocs").write_bytes(b"junk")
    try:
        DocBin().from_disk(tmp_path / "junk.nlpdocs")
    except ValueError as err:
        assert "junk.nlpdocs" in str(err)
    else:
        raise AssertionError("junk data loaded without error")


def test_docbin_with_broken_annotation_names_it():
    """A DocBin whose arrays were tampered with (a head outside its doc, an unknown tag id)
    refuses to rebuild the doc, with the token named, as from_array does."""
    vocab = Vocab("en")
    doc = Doc(vocab, ["Dogs", "bark", "."])
    doc[0].head, doc[2].head = doc[1], doc[1]
    for column, value, message in (("HEAD", 7, "token 1 has head offset 7"),
                                   ("TAG", 12345, "TAG value 12345 of token 1 is not in the StringStore")):
        stored = DocBin(docs=[doc])
        stored.tokens[0][1, stored.attrs.index(IDS[column])] = value
        with pytest.raises(ValueError, match=message):
            list(pickle.loads(pickle.dumps(stored)).get_docs(Vocab("en")))


def test_docbin_subset_of_attrs():
    vocab = Vocab("en")
    doc = Doc(vocab, ["a", "b"])
    doc[0].tag_ = "DT"
    doc[1].dep_ = "x"
    (loaded,) = DocBin(attrs=["TAG"], docs=[doc]).get_docs(vocab)
    assert [t.tag_ for t in loaded] == ["DT", ""] and [t.dep_ for t in loaded] == ["", ""]
