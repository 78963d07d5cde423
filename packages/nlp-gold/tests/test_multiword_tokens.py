"""Multiword tokens whose words do not spell their surface form (Spanish "al" = "a" + "el",
Finnish-like "ettei" = "että" + "ei"): gold Docs that hold the real text, tokenizer expansions
learned from a treebank, alignment of the gold words with the tokenizer's tokens, and CoNLL-U
written from Docs that reads back unchanged and scores 100 against the gold."""

import io
import json

import pytest

from nlp_gold import (
    CONLL18_METRICS,
    Corpus,
    Example,
    GoldError,
    conll18_scores,
    doc_from_annotations,
    doc_to_annotations,
    docs_to_json,
    read_conllu,
    write_conllu,
    write_json,
)
from nlp_gold.conllu import read_conllu_file
from nlp_gold.doc_conllu import doc_sentences, fused_forms
from nlp_gold.json_format import read_json_file
from nlp_gold.multiword import learn_expansions
from nlp_vocab import DocBin, Tokenizer, Vocab

#: Invented Spanish sentences: "al" and "del" fuse a preposition with the article, "Al" opens one.
SPANISH = """\
# sent_id = es-1
# text = Ana va al mercado del pueblo.
1\tAna\tAna\tPROPN\t_\tNumber=Sing\t2\tnsubj\t_\t_
2\tva\tir\tVERB\t_\tMood=Ind|Person=3\t0\troot\t_\t_
3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_
3\ta\ta\tADP\t_\t_\t5\tcase\t_\t_
4\tel\tel\tDET\t_\tDefinite=Def\t5\tdet\t_\t_
5\tmercado\tmercado\tNOUN\t_\tNumber=Sing\t2\tobl\t_\t_
6-7\tdel\t_\t_\t_\t_\t_\t_\t_\t_
6\tde\tde\tADP\t_\t_\t8\tcase\t_\t_
7\tel\tel\tDET\t_\tDefinite=Def\t8\tdet\t_\t_
8\tpueblo\tpueblo\tNOUN\t_\tNumber=Sing\t5\tnmod\t_\tSpaceAfter=No
9\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_

# sent_id = es-2
# text = Al final Bea canta.
1-2\tAl\t_\t_\t_\t_\t_\t_\t_\t_
1\tA\ta\tADP\t_\t_\t3\tcase\t_\t_
2\tel\tel\tDET\t_\tDefinite=Def\t3\tdet\t_\t_
3\tfinal\tfinal\tNOUN\t_\tNumber=Sing\t5\tobl\t_\t_
4\tBea\tBea\tPROPN\t_\tNumber=Sing\t5\tnsubj\t_\t_
5\tcanta\tcantar\tVERB\t_\tMood=Ind|Person=3\t0\troot\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\t_\t_\t5\tpunct\t_\t_

"""

#: A Finnish-like sentence with a conjunction and a pronoun fused with the negation verb.
FINNISH = """\
# sent_id = fi-1
# text = Hän sanoi ettei emmä tule.
1\tHän\thän\tPRON\t_\tCase=Nom|Number=Sing\t2\tnsubj\t_\t_
2\tsanoi\tsanoa\tVERB\t_\tTense=Past|VerbForm=Fin\t0\troot\t_\t_
3-4\tettei\t_\t_\t_\t_\t_\t_\t_\t_
3\tettä\tettä\tSCONJ\t_\t_\t7\tmark\t_\t_
4\tei\tei\tAUX\t_\tPolarity=Neg|VerbForm=Fin\t7\taux\t_\t_
5-6\temmä\t_\t_\t_\t_\t_\t_\t_\t_
5\ten\tei\tAUX\t_\tNumber=Sing|Person=1|Polarity=Neg\t7\taux\t_\t_
6\tmä\tminä\tPRON\t_\tCase=Nom|Number=Sing|Person=1\t7\tnsubj\t_\t_
7\ttule\ttulla\tVERB\t_\tConnegative=Yes\t2\tccomp\t_\tSpaceAfter=No
8\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_

"""
BOOKKEEPING = ("line", "n_words")
GOLD_ATTRS = ["TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "SENT_START"]


@pytest.fixture
def treebank(tmp_path):
    path = tmp_path / "toy.conllu"
    path.write_text(SPANISH + FINNISH, encoding="utf8")
    return path


@pytest.fixture
def vocab():
    return Vocab("xx")


def kept(sentence):
    return {k: v for k, v in sentence.items() if k not in BOOKKEEPING}


def test_gold_docs_hold_the_real_text_and_the_words(treebank, vocab):
    examples = list(Corpus(treebank)(vocab))
    spanish = examples[0]
    assert spanish.reference.text == "Ana va al mercado del pueblo."
    assert spanish.reference.words == ["Ana", "va", "a", "l", "mercado", "de", "l", "pueblo", "."]
    assert spanish.reference.forms == ["Ana", "va", "a", "el", "mercado", "de", "el", "pueblo", "."]
    assert [(m.text, m.start_char, m.end_char) for m in spanish.reference.multiword_tokens] == [("al", 7, 9), ("del", 18, 21)]
    # trained on gold words: the predicted Doc has the same tokens and word forms, no annotation
    assert spanish.predicted.forms == spanish.reference.forms and spanish.alignment.identity
    assert spanish.get_aligned("POS")[2:4] == ["ADP", "DET"] and spanish.predicted[3].tag_ == ""
    assert examples[2].reference.text == "Hän sanoi ettei emmä tule."
    assert examples[2].reference.words[2:6] == ["ett", "ei", "em", "mä"]


def test_several_sentences_per_doc_keep_their_multiword_tokens(treebank, vocab):
    (doc,) = [eg.reference for eg in Corpus(treebank, n_sents=3)(vocab)]
    assert [m.text for m in doc.multiword_tokens] == ["al", "del", "Al", "ettei", "emmä"]
    assert doc.text.startswith("Ana va al mercado del pueblo. Al final Bea canta.")


def test_expansions_are_learned_from_the_treebank(treebank, vocab):
    references = [eg.reference for eg in Corpus(treebank)(vocab)]
    assert learn_expansions(references) == {"al": ["a", "el"], "del": ["de", "el"], "emmä": ["en", "mä"],
                                            "ettei": ["että", "ei"]}
    assert learn_expansions(references, min_count=2) == {"al": ["a", "el"]}  # "al" and "Al"


def test_a_surface_that_is_mostly_a_word_of_its_own_is_not_learned(vocab):
    annots = [{"words": ["va", "a", "el", "mar"], "multiword_tokens": [(1, 2, "al")]},
              {"words": ["al"]}, {"words": ["al", "."]}]
    docs = [doc_from_annotations(vocab, a) for a in annots]
    assert learn_expansions(docs) == {}
    assert learn_expansions(docs[:2] + docs[:1]) == {"al": ["a", "el"]}


def test_words_that_spell_their_token_are_left_to_the_tokenizer_rules(vocab):
    doc = doc_from_annotations(vocab, {"words": ["I", "do", "n't", "know", "plumber", "s"],
                                       "spaces": [True, False, True, True, False, False],
                                       "multiword_tokens": [(1, 2, "don't"), (4, 5, "plumbers")]})
    assert [m.text for m in doc.multiword_tokens] == ["don't", "plumbers"] and doc.words == doc.forms
    assert learn_expansions([doc]) == {}


def test_the_tokenizer_with_learned_expansions_aligns_with_the_gold_words(treebank, vocab):
    tokenizer = Tokenizer.for_language(vocab)
    tokenizer.expansions = learn_expansions([eg.reference for eg in Corpus(treebank)(vocab)])
    examples = list(Corpus(treebank, make_doc=tokenizer)(vocab))
    for eg in examples:
        assert eg.predicted.text == eg.reference.text and eg.predicted.forms == eg.reference.forms
        assert all(i >= 0 for i in eg.alignment.y2x_one)  # every gold word has its own token
    assert examples[1].get_aligned("LEMMA")[:2] == ["a", "el"]
    untaught = list(Corpus(treebank, make_doc=Tokenizer.for_language(vocab))(vocab))
    assert untaught[0].predicted.words[2] == "al" and untaught[0].get_aligned("POS")[2] is None


def test_annotation_dicts_and_docbin_keep_the_multiword_tokens(treebank, vocab):
    annot = next(iter(read_conllu(treebank, multiword_tokens=True)))
    doc = doc_from_annotations(vocab, {k: v for k, v in annot.items() if k not in BOOKKEEPING})
    back = doc_to_annotations(doc)
    assert back["words"] == annot["words"] and back["spaces"] == annot["spaces"]
    assert back["multiword_tokens"] == annot["multiword_tokens"] == [(2, 3, "al"), (5, 6, "del")]
    (stored,) = DocBin(docs=[doc]).get_docs(Vocab("xx"))
    assert doc_to_annotations(stored) == back


def test_the_json_training_format_keeps_the_multiword_tokens(treebank, vocab):
    docs = [eg.reference for eg in Corpus(treebank, n_sents=2)(vocab)]
    docs.append(doc_from_annotations(vocab, {"words": ["I", "do", "n't", "go"], "spaces": [True, False, True, False],
                                             "sent_starts": [True, False, False, False],
                                             "multiword_tokens": [(1, 2, "don't")]}))
    buffer = io.StringIO()
    write_json([docs_to_json(doc, i) for i, doc in enumerate(docs)], buffer)
    para = json.loads(buffer.getvalue())[0]["paragraphs"][0]
    assert para["multiword_tokens"] == [[2, 3, "al"], [5, 6, "del"], [9, 10, "Al"]]
    assert [t["orth"] for t in para["sentences"][0]["tokens"][2:4]] == ["a", "el"]  # the word forms
    annots = list(read_json_file(io.StringIO(buffer.getvalue()), "toy.json"))
    assert annots[1]["text"] == "Hän sanoi ettei emmä tule." and annots[2]["multiword_tokens"] == [(1, 2, "don't")]
    assert annots[1]["spaces"][2:6] == [True, True, True, True] and annots[2]["spaces"] == [True, False, True, False]
    for doc, annot in zip(docs, annots):
        back = doc_from_annotations(vocab, {k: v for k, v in annot.items() if k not in ("line", "text")})
        assert back.text == doc.text == annot["text"] and back.words == doc.words and back.forms == doc.forms
        assert [(m.start, m.end, m.text) for m in back.multiword_tokens] == [
            (m.start, m.end, m.text) for m in doc.multiword_tokens]
        assert doc_to_annotations(back) == doc_to_annotations(doc)


def test_a_bad_range_is_one_line_naming_the_record(vocab):
    with pytest.raises(GoldError, match=r"^record 3: multiword token \(1, 5, 'al'\) is not a") as info:
        doc_from_annotations(vocab, {"words": ["va", "a", "el"], "multiword_tokens": [(1, 5, "al")]}, "record 3")
    assert "\n" not in str(info.value)
    with pytest.raises(GoldError, match=r"^record 4: multiword tokens overlap at word 1 \(0-based\)$"):
        doc_from_annotations(vocab, {"words": ["a", "b", "c"], "multiword_tokens": [(1, 2, "bc"), (0, 1, "ab")]}, "record 4")
    # a surface too short for its words stays as the words are (spaced apart, as the reader has them)
    doc = doc_from_annotations(vocab, {"words": ["a", "el"], "multiword_tokens": [(0, 1, "a")]})
    assert doc.words == ["a", "el"] and doc.multiword_tokens == ()


def predictions(treebank, vocab):
    """The tokenizer's Docs of each sentence's raw text, carrying the gold annotation."""
    tokenizer = Tokenizer.for_language(vocab)
    gold = [eg.reference for eg in Corpus(treebank)(vocab)]
    tokenizer.expansions = learn_expansions(gold)
    docs = []
    for reference in gold:
        doc = tokenizer(reference.text)
        doc.from_array(GOLD_ATTRS, reference.to_array(GOLD_ATTRS))
        docs.append(doc)
    return docs, fused_forms(tokenizer.exceptions)


def test_conllu_of_predictions_reads_back_unchanged_and_scores_100(treebank, vocab):
    docs, fused = predictions(treebank, vocab)
    system = [sentence for doc in docs for sentence in doc_sentences(doc, fused)]
    buffer = io.StringIO()
    write_conllu(system, buffer)
    text = buffer.getvalue()
    assert "3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_" in text and "3\ta\ta\tADP" in text and "4\tel\tel\tDET" in text
    assert "1-2\tAl\t_" in text and "1\tA\ta\tADP" in text and "5-6\temmä\t_" in text and "6\tmä\tminä" in text
    assert "# text = Ana va al mercado del pueblo." in text
    again = list(read_conllu_file(io.StringIO(text), "system", multiword_tokens=True))
    assert [kept(s) for s in again] == system
    rewritten = io.StringIO()
    write_conllu(again, rewritten)
    assert rewritten.getvalue() == text
    scores = conll18_scores(list(read_conllu(treebank, multiword_tokens=True)), again)
    for metric in CONLL18_METRICS:
        assert scores[metric]["f"] == 100.0, metric


def test_from_dict_on_a_doc_with_expansions_keeps_its_words(vocab):
    tokenizer = Tokenizer.for_language(vocab)
    tokenizer.add_expansion("al", ["a", "el"])
    doc = tokenizer("Va al mar")
    eg = Example.from_dict(doc, {"tags": ["V", "P", "D", "N"]})
    assert eg.reference.forms == ["Va", "a", "el", "mar"] and eg.alignment.identity
    assert eg.get_aligned("TAG") == ["V", "P", "D", "N"]
