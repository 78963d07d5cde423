"""CoNLL-U with every column: the writer's multiword tokens, markers and text, a Doc's predictions
as sentences (nlp_gold.doc_conllu), and the reader reading back what is written."""

import io

import pytest

from nlp_gold import doc_from_annotations, read_conllu, write_conllu
from nlp_gold.conllu import raw_text, read_conllu_file
from nlp_gold.doc_conllu import (
    annotation_sentences,
    doc_sentences,
    fused_forms,
    multiword_ranges,
)
from nlp_vocab import Tokenizer, Vocab

#: An English-like sentence with a multiword token that spells its words ("don't"), a Spanish
#: one whose token does not ("al" = a + el), a Finnish-like one with rich features and a clitic
#: fused into a conjunction ("ettei" = että + ei); markers, ids, entities and empty values.
TREEBANK = """\
# newdoc id = d1
# newpar id = d1-p1
# sent_id = en-1
# text = Ann don't sell boats.
1\tAnn\tAnn\tPROPN\tNNP\tNumber=Sing\t4\tnsubj\t_\tNER=U-PER
2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_
2\tdo\tdo\tAUX\tVBP\tMood=Ind|Tense=Pres|VerbForm=Fin\t4\taux\t_\t_
3\tn't\tnot\tPART\tRB\tPolarity=Neg\t4\tadvmod\t_\t_
4\tsell\tsell\tVERB\tVB\tVerbForm=Inf\t0\troot\t_\t_
5\tboats\tboat\tNOUN\tNNS\tNumber=Plur\t4\tobj\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

# newpar
# sent_id = es-1
# text = Va al mar.
1\tVa\tir\tVERB\t_\tMood=Ind|Number=Sing|Person=3\t0\troot\t_\t_
2-3\tal\t_\t_\t_\t_\t_\t_\t_\t_
2\ta\ta\tADP\t_\t_\t4\tcase\t_\t_
3\tel\tel\tDET\t_\tDefinite=Def\t4\tdet\t_\t_
4\tmar\tmar\tNOUN\t_\tNumber=Sing\t1\tobl\t_\tSpaceAfter=No
5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_

# newdoc
# text = Hän sanoi ettei talossa ole kissoja
1\tHän\thän\tPRON\tPron\tCase=Nom|Number=Sing|Person=3\t2\tnsubj\t_\t_
2\tsanoi\tsanoa\tVERB\tV\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_
3-4\tettei\t_\t_\t_\t_\t_\t_\t_\t_
3\tettä\tettä\tSCONJ\tC\t_\t5\tmark\t_\t_
4\tei\tei\tAUX\tV\tPolarity=Neg|VerbForm=Fin\t6\taux\t_\t_
5\ttalossa\ttalo\tNOUN\tN\tCase=Ine|Number=Sing\t6\tobl\t_\t_
6\tole\tolla\tAUX\tV\tConnegative=Yes\t2\tccomp\t_\t_
7\tkissoja\t_\tNOUN\tN\t_\t6\tnsubj\t_\t_

"""
#: Keys the reader adds for its own bookkeeping (line numbers move when comments change).
BOOKKEEPING = ("line", "n_words")


def read_text(text):
    return list(read_conllu_file(io.StringIO(text), "test", multiword_tokens=True))


def written(sentences):
    buffer = io.StringIO()
    write_conllu(sentences, buffer)
    return buffer.getvalue()


def without_bookkeeping(sentence):
    return {k: v for k, v in sentence.items() if k not in BOOKKEEPING}


def test_write_read_round_trip_keeps_every_column_and_multiword_token():
    sentences = read_text(TREEBANK)
    text = written(sentences)
    again = read_text(text)
    assert [without_bookkeeping(s) for s in again] == [without_bookkeeping(s) for s in sentences]
    assert written(again) == text  # a fixed point: what is written reads back and writes the same
    assert text.splitlines()[:4] == ["# newdoc id = d1", "# newpar id = d1-p1", "# sent_id = en-1",
                                     "# text = Ann don't sell boats."]
    assert "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_" in text.splitlines()
    assert "2\tdo\tdo\tAUX\tVBP\tMood=Ind|Tense=Pres|VerbForm=Fin\t4\taux\t_\t_" in text.splitlines()
    assert "1\tAnn\tAnn\tPROPN\tNNP\tNumber=Sing\t4\tnsubj\t_\tNER=U-PER" in text.splitlines()
    assert "7\tkissoja\t_\tNOUN\tN\t_\t6\tnsubj\t_\t_" in text.splitlines()  # the last word: no SpaceAfter


def test_reader_keeps_markers_and_the_writer_the_surface_text():
    en, es, fi = read_text(TREEBANK)
    assert (en["newdoc"], en["newpar"], es["newpar"], fi["newdoc"]) == ("d1", "d1-p1", "", "")
    assert "newdoc" not in es and "newpar" not in fi
    assert es["multiword_tokens"] == [(1, 2, "al")] and fi["multiword_tokens"] == [(2, 3, "ettei")]
    assert es["text"] == "Va a el mar."  # the reader's text follows the words ...
    assert raw_text(es) == "Va al mar."  # ... the raw text keeps the surface form
    assert "# text = Va al mar." in written([es]) and "2-3\tal\t_" in written([es])
    assert raw_text(fi) == "Hän sanoi ettei talossa ole kissoja"
    assert fi["lemmas"][6] is None and fi["morphs"][6] == "_" and fi["tags"][3] == "V"


def test_read_conllu_marks_newdoc_without_multiword_tokens(tmp_path):
    path = tmp_path / "t.conllu"
    path.write_text(TREEBANK, encoding="utf8")
    en, es, fi = read_conllu(path)
    assert "multiword_tokens" not in en and en["newdoc"] == "d1" and fi["newdoc"] == ""
    assert en["words"] == ["Ann", "do", "n't", "sell", "boats", "."]


@pytest.fixture(scope="module")
def vocab():
    return Vocab("en")


@pytest.fixture(scope="module")
def tokenizer(vocab):
    return Tokenizer.for_language(vocab)


def test_multiword_tokens_of_our_tokenizer(tokenizer):
    doc = tokenizer("I don't think Arafat's plans, gonna work; we'll see (cannot say).")
    fused = fused_forms(tokenizer.exceptions)
    ranges = multiword_ranges(doc.words, doc.spaces, fused)
    assert [" ".join(doc.words[a : b + 1]) for a, b in ranges] == [
        "do n't", "Arafat 's", "gon na", "we 'll", "can not"]
    # without the tokenizer's fused forms, only the apostrophe clitics are found
    assert [" ".join(doc.words[a : b + 1]) for a, b in multiword_ranges(doc.words, doc.spaces)] == [
        "do n't", "Arafat 's", "we 'll"]
    # punctuation split off a word and words with a space between are tokens of their own
    assert multiword_ranges(["plans", ",", "'s"], [False, True, False]) == []
    assert multiword_ranges(["Ann", "'s"], [True, False]) == []


def predicted(vocab, **annot):
    """A Doc of `words` carrying the annotation, as a pipeline would leave it."""
    return doc_from_annotations(vocab, annot)


def test_doc_sentences_every_column_and_reader_round_trip(vocab, tokenizer):
    words = ["Ann", "do", "n't", "sell", "boats", ".", "Bo", "buys", "."]
    doc = predicted(
        vocab, words=words, spaces=[True, False, True, True, False, True, True, False, False],
        tags=["NNP", "VBP", "RB", "VB", "NNS", ".", "NNP", "VBZ", "."],
        pos=["PROPN", "AUX", "PART", "VERB", "NOUN", "PUNCT", "PROPN", "VERB", "PUNCT"],
        morphs=["Number=Sing", None, "Polarity=Neg", "VerbForm=Inf", "Number=Plur", None, "Number=Sing", None, None],
        lemmas=["Ann", "do", "not", "sell", "boat", ".", "Bo", None, "."],
        heads=[3, 3, 3, 3, 3, 3, 7, 7, 7], deps=["nsubj", "aux", "advmod", "root", "obj", "punct", "nsubj", "root", "punct"],
        sent_starts=[True, False, False, False, False, False, True, False, False],
        entities=["U-PER", "O", "O", "O", "O", "O", "U-PER", "O", "O"],
    )
    first, second = doc_sentences(doc, fused_forms(tokenizer.exceptions))
    assert first["words"] == words[:6] and first["spaces"] == [True, False, True, True, False, False]
    assert first["heads"] == [3, 3, 3, 3, 3, 3] and second["heads"] == [1, 1, 1]
    assert first["multiword_tokens"] == [(1, 2, "don't")] and second["multiword_tokens"] == []
    assert first["text"] == "Ann don't sell boats." and second["text"] == "Bo buys."
    assert first["morphs"][1] == "_" and second["lemmas"][1] is None and second["entities"] == ["U-PER", "O", "O"]
    text = written([first, second])
    assert "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_" in text
    assert "5\tboats\tboat\tNOUN\tNNS\tNumber=Plur\t4\tobj\t_\tSpaceAfter=No" in text
    assert "2\tbuys\t_\tVERB\tVBZ\t_\t0\troot\t_\tSpaceAfter=No" in text
    assert [without_bookkeeping(s) for s in read_text(text)] == [first, second]


def test_doc_without_boundaries_is_one_sentence_and_unknown_values_are_underscores(vocab):
    doc = predicted(vocab, words=["Ann", "sells", "boats"], spaces=[True, True, False])
    (sent,) = doc_sentences(doc)
    line = written([sent]).splitlines()[1]
    assert line == "1\tAnn\t_\t_\t_\t_\t_\t_\t_\t_"
    (back,) = read_text(written([sent]))
    assert without_bookkeeping(back) == sent


def test_whitespace_tokens_are_left_out_and_their_dependents_reattached(vocab, tokenizer):
    doc = tokenizer("Ann  sells\nboats")
    assert doc.words == ["Ann", " ", "sells", "\n", "boats"]
    doc = predicted(vocab, words=doc.words, spaces=doc.spaces, heads=[1, 2, 2, 4, 2],
                    deps=["nsubj", "dep", "root", "dep", "obj"])
    (sent,) = doc_sentences(doc)
    assert sent["words"] == ["Ann", "sells", "boats"] and sent["spaces"] == [True, True, False]
    assert sent["heads"] == [1, 1, 1] and sent["text"] == "Ann sells boats"
    # a whitespace root: the words under it become roots; a sentence of whitespace only is dropped
    annot = {"words": ["\n", "Ann", "sells", " "], "spaces": [False] * 4, "heads": [0, 0, 1, 3],
             "deps": ["root", "dep", "dep", "root"]}
    (only,) = annotation_sentences(annot, [0, 3])
    assert only["words"] == ["Ann", "sells"] and only["heads"] == [0, 0]


def test_heads_outside_a_sentence_are_unknown_and_cut_entities_made_whole():
    annot = {"words": ["Ann", "Lee", "left", "Bo", "came"], "spaces": [True] * 5,
             "heads": [2, 0, 2, 2, 4], "deps": ["nsubj", "flat", "root", "nsubj", "root"],
             "entities": ["B-PER", "I-PER", "I-PER", "L-PER", "-"]}
    first, second = annotation_sentences(annot, [0, 3])
    assert first["heads"] == [2, 0, 2] and second["heads"] == [None, 1]
    assert first["entities"] == ["B-PER", "I-PER", "L-PER"] and second["entities"] == ["U-PER", "O"]
    assert [without_bookkeeping(s) for s in read_text(written([first, second]))] == [first, second]
