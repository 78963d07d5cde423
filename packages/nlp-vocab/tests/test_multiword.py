"""Multiword tokens whose words do not spell their surface form (Spanish "al" = "a" + "el",
Finnish "ettei" = "että" + "ei"): the tokenizer's expansions, the Doc's pieces and word forms,
and their serialization."""

import pickle

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_vocab import Doc, DocBin, Tokenizer, Vocab
from nlp_vocab.multiword import cased_words, split_surface


@pytest.fixture
def es():
    tokenizer = Tokenizer.for_language(Vocab("es"))
    tokenizer.add_expansion("al", ["a", "el"])
    tokenizer.add_expansion("del", ["de", "el"])
    tokenizer.add_expansion("dámelo", ["da", "me", "lo"])
    return tokenizer


def spans(doc):
    return [(m.text, m.start_char, m.end_char) for m in doc.multiword_tokens]


@pytest.mark.parametrize("surface,words,pieces", [
    ("al", ["a", "el"], ["a", "l"]),
    ("del", ["de", "el"], ["de", "l"]),  # a tie: the first word keeps the longer piece
    ("ettei", ["että", "ei"], ["ett", "ei"]),
    ("emmä", ["en", "mä"], ["em", "mä"]),
    ("Vaikkeivat", ["Vaikka", "eivät"], ["Vaikk", "eivat"]),
    ("ellei", ["jos", "ei"], ["ell", "ei"]),
    ("dámelo", ["da", "me", "lo"], ["dá", "me", "lo"]),
    ("don't", ["do", "n't"], ["do", "n't"]),  # words that spell it are the pieces
    ("au", ["à", "le"], ["a", "u"]),
])
def test_split_surface_matches_pieces_to_words(surface, words, pieces):
    assert split_surface(surface, words) == pieces


@given(st.text(alphabet="abcdeé", min_size=2, max_size=40),
       st.lists(st.text(alphabet="abcdeé", min_size=1, max_size=6), min_size=2, max_size=5))
def test_split_surface_pieces_spell_the_surface(surface, words):
    if len(words) > len(surface):
        with pytest.raises(ValueError, match="cannot be split"):
            split_surface(surface, words)
        return
    pieces = split_surface(surface, words)
    assert "".join(pieces) == surface and len(pieces) == len(words) and all(pieces)


def test_case_of_the_surface_goes_to_the_words():
    assert cased_words("Al", ["a", "el"]) == ["A", "el"]
    assert cased_words("AL", ["a", "el"]) == ["A", "EL"]
    assert cased_words("aL", ["a", "el"]) is None


def test_expanded_tokens_keep_the_text_and_offsets_and_know_their_words(es):
    text = "Voy al cine. Al final, DEL chico (al)."
    doc = es(text)
    assert doc.text == text and all(text[t.idx : t.idx + len(t)] == t.text for t in doc)
    assert doc.words == ["Voy", "a", "l", "cine", ".", "A", "l", "final", ",", "DE", "L", "chico", "(", "a", "l", ")", "."]
    assert doc.forms == ["Voy", "a", "el", "cine", ".", "A", "el", "final", ",", "DE", "EL", "chico", "(", "a", "el", ")", "."]
    assert spans(doc) == [("al", 4, 6), ("Al", 13, 15), ("DEL", 23, 26), ("al", 34, 36)]
    assert doc[2].multiword == doc[1].multiword == doc[1:3] and doc[0].multiword is None
    assert (doc[2].text, doc[2].form_, doc[2].idx) == ("l", "el", 5)
    assert es.explain("(al)") == [("PREFIX", "("), ("EXPANSION", "a"), ("EXPANSION", "l"), ("SUFFIX", ")")]
    again = es(text)  # from the cache
    assert again.forms == doc.forms and spans(again) == spans(doc)


def test_mixed_case_and_unknown_chunks_are_not_expanded(es):
    doc = es("aL alto dámelo")
    assert doc.words == ["aL", "alto", "dá", "me", "lo"] and spans(doc) == [("dámelo", 8, 14)]


def test_models_read_the_word_form_and_the_text_stays_the_text(es):
    doc = es("al el")
    features = doc.to_array(["ORTH", "LOWER", "NORM", "PREFIX", "SUFFIX", "SHAPE", "FORM"])
    el = features[2]
    assert features[1][0] == es.vocab.strings["l"] and features[1][1] == es.vocab.strings["l"]
    assert list(features[1][2:]) == list(el[2:])  # NORM, PREFIX, SUFFIX, SHAPE, FORM of "el"
    assert doc[1].norm_ == "el" and doc[1].lower_ == "l" and doc[1].text == "l"


def test_expansions_are_saved_with_the_tokenizer(es, tmp_path):
    es.to_disk(tmp_path / "tokenizer")
    loaded = Tokenizer(Vocab("es")).from_disk(tmp_path / "tokenizer")
    assert loaded.expansions == {"al": ["a", "el"], "del": ["de", "el"], "dámelo": ["da", "me", "lo"]}
    assert loaded("Al mar").forms == ["A", "el", "mar"]


@pytest.mark.parametrize("expansions,message", [
    ({"al": "a el"}, "the words must be a list of strings"),
    ({"al": ["a"]}, "needs two or more non-empty words"),
    ({"a": ["a", "el"]}, "needs two or more non-empty words"),
    ({"al": ["a", "e l"]}, "a word contains whitespace"),
    ([], "expansions must be an object"),
])
def test_bad_expansions_in_a_model_file_are_one_line(expansions, message):
    import srsly

    good = Tokenizer(Vocab("es")).to_bytes()
    msg = srsly.msgpack_loads(good)
    msg["expansions"] = expansions
    with pytest.raises(ValueError, match=message) as info:
        Tokenizer(Vocab("es")).from_bytes(srsly.msgpack_dumps(msg))
    assert str(info.value).startswith("Tokenizer.from_bytes: ") and "\n" not in str(info.value)


def test_doc_from_words_and_ranges_holds_pieces_and_annotation():
    vocab = Vocab("es")
    doc = Doc(vocab, words=["Voy", "a", "el", "cine"], spaces=[True, True, True, False],
              multiword_tokens=[(1, 2, "al")], tags=["V", "P", "D", "N"], heads=[0, 3, 3, 0])
    assert doc.text == "Voy al cine" and doc.words == ["Voy", "a", "l", "cine"]
    assert doc.forms == ["Voy", "a", "el", "cine"] and [t.tag_ for t in doc] == ["V", "P", "D", "N"]
    assert spans(doc) == [("al", 4, 6)] and doc[2].head.i == 3
    with pytest.raises(ValueError, match="overlaps another, lies outside"):
        Doc(vocab, words=["a", "el"], multiword_tokens=[(1, 2, "al")])
    with pytest.raises(ValueError, match="cannot be split"):
        Doc(vocab, words=["a", "el"], multiword_tokens=[(0, 1, "a")])


def test_serialization_keeps_forms_and_multiword_tokens(es):
    doc = es("Voy al cine del barrio.")
    doc[2].tag_ = "DET"
    copies = [Doc(Vocab("es")).from_bytes(doc.to_bytes()), pickle.loads(pickle.dumps(doc)), doc.copy()]
    (from_bin,) = DocBin().from_bytes(DocBin(docs=[doc]).to_bytes()).get_docs(Vocab("es"))
    for other in copies + [from_bin]:
        assert other.text == doc.text and other.words == doc.words and other.forms == doc.forms
        assert spans(other) == spans(doc) and other[2].tag_ == "DET"


def test_cutting_a_multiword_token_undoes_it(es):
    doc = es("Voy al cine del barrio")
    assert doc[2:6].as_doc().forms == ["l", "cine", "de", "el"]  # "al" cut, "del" whole
    assert spans(doc[2:6].as_doc()) == [("del", 7, 10)]
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[2:4])
    assert doc.words == ["Voy", "a", "l cine", "de", "l", "barrio"]
    assert doc.forms == ["Voy", "a", "l cine", "de", "el", "barrio"] and spans(doc) == [("del", 12, 15)]


@pytest.mark.parametrize("values,message", [
    ([2, 0, 0], "token 1 has MULTIWORD 0, expected -1"),
    ([0, -1, 0], "token 1 starts a multiword token of -1 words"),
    ([0, 0, 2], "token 2 starts a multiword token of 2 words, which does not fit"),
])
def test_from_array_refuses_broken_multiword_groups(values, message):
    doc = Doc(Vocab("es"), words=["a", "b", "c"], spaces=[False, False, False])
    with pytest.raises(ValueError, match=message):
        doc.from_array(["MULTIWORD"], numpy.array(values, dtype=numpy.int64))
    spaced = Doc(Vocab("es"), words=["a", "b"])
    with pytest.raises(ValueError, match="token 0 is followed by a space inside a multiword token"):
        spaced.from_array(["MULTIWORD"], numpy.array([2, -1], dtype=numpy.int64))


def test_without_expansions_nothing_changes():
    tokenizer = Tokenizer.for_language(Vocab("en"))
    doc = tokenizer("I don't go al mar.")
    assert doc.words == doc.forms == ["I", "do", "n't", "go", "al", "mar", "."]
    assert doc.multiword_tokens == () and tokenizer.expansions == {}
