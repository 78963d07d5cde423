import io
import json

import pytest

from nlp_gold import (
    Corpus,
    CorpusError,
    docs_to_json,
    read_columns,
    read_conllu,
    read_json,
    read_jsonl,
    read_word_tag_lines,
    write_columns,
    write_conllu,
    write_json,
)
from nlp_gold.conllu import read_conllu_file, sentence_text
from nlp_vocab import Vocab

CONLLU = """# sent_id = s1
# text = We can't go.
1\tWe\twe\tPRON\tPRP\tCase=Nom\t4\tnsubj\t_\t_
2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_
2\tca\tcan\tAUX\tMD\tVerbForm=Fin\t4\taux\t_\t_
3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_
4\tgo\tgo\tVERB\tVB\tVerbForm=Inf\t0\troot\t_\tSpaceAfter=No
4.1\tgone\tgo\tVERB\tVBN\t_\t_\t_\t4:conj\t_
5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

# text = Ann left
1\tAnn\tAnn\tPROPN\tNNP\t_\t2\tnsubj\t_\tNER=B-PER
2\tleft\tleave\tVERB\tVBD\t_\t0\troot\t_\tNER=O

"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


def test_conllu_multiword_tokens_spacing_and_empty_nodes(tmp_path):
    sents = list(read_conllu(write(tmp_path, "a.conllu", CONLLU)))
    first = sents[0]
    assert first["words"] == ["We", "ca", "n't", "go", "."]
    assert first["spaces"] == [True, False, True, False, False]
    assert first["text"] == "We can't go."
    assert first["heads"] == [3, 3, 3, 3, 3] and first["deps"][3] == "root"
    assert first["tags"][1] == "MD" and first["pos"][2] == "PART" and first["morphs"][2] == "_"
    assert "entities" not in first
    assert sents[1]["entities"] == ["U-PER", "O"]


def test_conllu_multiword_token_not_spelled_by_its_words_is_expanded():
    """As spaCy v2's converter did: "al" = "a" + "el" gives two words, spaced apart, and the text
    follows the words."""
    text = ("# text = Va al mar.\n1\tVa\tir\tVERB\t_\t_\t0\troot\t_\t_\n2-3\tal\t_\t_\t_\t_\t_\t_\t_\t_\n"
            "2\ta\ta\tADP\t_\t_\t4\tcase\t_\t_\n3\tel\tel\tDET\t_\t_\t4\tdet\t_\t_\n"
            "4\tmar\tmar\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No\n5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n")
    (sent,) = read_conllu_file(io.StringIO(text))
    assert sent["words"] == ["Va", "a", "el", "mar", "."] and sent["spaces"] == [True, True, True, False, False]
    assert sent["heads"] == [0, 3, 3, 0, 0] and sent["deps"][1:3] == ["case", "det"] and sent["n_words"] == 5
    assert sent["text"] == sentence_text(sent) == "Va a el mar."


def test_conllu_tags_fall_back_to_upos_where_xpos_is_missing():
    text = "1\tVa\tir\tVERB\t_\t_\t0\troot\t_\t_\n2\tya\tya\tADV\tRB\t_\t1\tadvmod\t_\t_\n\n"
    (sent,) = read_conllu_file(io.StringIO(text))
    assert sent["tags"] == ["VERB", "RB"] and sent["pos"] == ["VERB", "ADV"]


@pytest.mark.parametrize(
    "line,message",
    [
        ("1\tWe\twe\tPRON\tPRP\t_\t0\troot\t_", "expected 10 tab-separated columns, found 9"),
        ("1\tWe\twe\tPRON\tPRP\t_\tx\troot\t_\t_", "HEAD 'x' is not an integer"),
        ("1\tWe\twe\tPRON\tPRP\t_\t7\troot\t_\t_", "HEAD 7 is out of range"),
        ("1\tWe\twe\tPRON\tPRP\t_\t2\tnsubj\t_\t_\n2\tgo\tgo\tVERB\tVB\t_\t1\tccomp\t_\t_", "cycle"),
    ],
)
def test_malformed_conllu_names_file_and_line(tmp_path, line, message):
    path = write(tmp_path, "bad.conllu", "# text = x\n1\tOk\tok\tX\tX\t_\t0\troot\t_\t_\n\n# c\n" + line + "\n\n")
    with pytest.raises(CorpusError, match=message) as info:
        list(read_conllu(path))
    assert info.value.path == str(path) and info.value.line == 5
    assert "bad.conllu:5: " in str(info.value)


def test_conllu_write_read_round_trip(tmp_path):
    sents = list(read_conllu(write(tmp_path, "a.conllu", CONLLU)))
    buf = io.StringIO()
    assert write_conllu(sents, buf) == 2
    again = list(read_conllu_file(io.StringIO(buf.getvalue())))
    for a, b in zip(sents, again):
        for key in ("words", "spaces", "heads", "deps", "tags", "pos", "lemmas"):
            assert a[key] == b[key]
    assert again[1]["entities"] == ["U-PER", "O"]


COLUMNS = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\n\nPeter NNP B-NP I-PER\nBlackburn NNP I-NP I-PER\n"


def test_columns_iob1_docstart_and_ner_column(tmp_path):
    sents = list(read_columns(write(tmp_path, "c.txt", COLUMNS)))
    assert [s["doc_start"] for s in sents] == [True, False]
    assert sents[0]["entities"] == ["U-ORG", "O", "U-MISC"] and sents[0]["tags"][1] == "VBZ"
    assert sents[1]["entities"] == ["B-PER", "L-PER"]
    buf = io.StringIO()
    write_columns(sents, buf, scheme="iob1")
    assert [ln.split()[-1] for ln in buf.getvalue().splitlines() if ln.strip()] == [
        ln.split()[-1] for ln in COLUMNS.splitlines() if ln.strip()
    ]


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("a B-X\nb c O\n", 2, "expected 2 columns"),
        ("a NN O\nb NN Q-X\n\nc NN O\n", 2, "invalid NER tag 'Q-X'"),
    ],
)
def test_malformed_columns(tmp_path, text, line, message):
    path = write(tmp_path, "m.txt", text)
    with pytest.raises(CorpusError, match=message) as info:
        list(read_columns(path, ner_column=2 if "Q-X" in text else None))
    assert info.value.line == line and "m.txt" in str(info.value)


def test_bad_ner_tag_names_its_own_line(tmp_path):
    conllu = write(tmp_path, "n.conllu", "# text = a b c\n1\ta\ta\tX\tX\t_\t0\troot\t_\tNER=O\n"
                   "2\tb\tb\tX\tX\t_\t1\tdep\t_\tNER=B-X\n3\tc\tc\tX\tX\t_\t1\tdep\t_\tNER=Q-Y\n\n")
    with pytest.raises(CorpusError, match=r"n.conllu:4: NER invalid IOB tag 'Q-Y' at position 2") as info:
        list(read_conllu(conllu))
    assert info.value.line == 4
    columns = write(tmp_path, "c.txt", "a NN O\nb NN O\n\nc NN U-X\nd NN I-X\n")
    with pytest.raises(CorpusError, match=r"c.txt:5: invalid BILUO sequence: 'I-X' at position 1") as info:
        list(read_columns(columns))
    assert info.value.line == 5


def test_word_tag_lines(tmp_path):
    path = write(tmp_path, "w.iob", "I|PRP|O like|VBP|O London|NNP|B-LOC\nParis|I-LOC\n")
    sents = list(read_word_tag_lines(path))
    assert sents[0]["entities"] == ["O", "O", "U-LOC"] and sents[0]["tags"] == ["PRP", "VBP", "NNP"]
    assert sents[1]["entities"] == ["U-LOC"]
    bad = write(tmp_path, "bad.iob", "I|PRP|O\nyou|PRP|O like|O\n")
    with pytest.raises(CorpusError, match=r"bad.iob:2: token 2 'like\|O'"):
        list(read_word_tag_lines(bad))


def test_invalid_biluo_in_corpus(tmp_path):
    path = write(tmp_path, "b.iob", "a|B-X b|U-X\n")
    with pytest.raises(CorpusError, match=r"b.iob:1: .*position 1"):
        list(read_word_tag_lines(path))


def test_jsonl_formats_and_bad_lines(tmp_path):
    path = write(
        tmp_path,
        "t.jsonl",
        '{"text": "good", "label": "pos"}\n\n{"text": "bad", "cats": {"pos": 0, "neg": 1}}\n{"text": "Ann", "entities": [[0, 3, "PER"]]}\n',
    )
    recs = list(read_jsonl(path, labels=["pos", "neg"]))
    assert recs[0]["cats"] == {"pos": 1.0, "neg": 0.0}
    assert recs[1]["cats"] == {"pos": 0.0, "neg": 1.0}
    assert recs[2]["entities"] == [(0, 3, "PER")]
    bad = write(tmp_path, "bad.jsonl", '{"text": "x", "label": "a"}\n{"text": "y", "label": }\n')
    with pytest.raises(CorpusError, match=r"bad.jsonl:2: invalid JSON"):
        list(read_jsonl(bad))
    bad = write(tmp_path, "bad2.jsonl", '{"text": "x", "entities": [[0, "a", "X"]]}\n')
    with pytest.raises(CorpusError, match=r"bad2.jsonl:1: entity"):
        list(read_jsonl(bad))
    bad = write(tmp_path, "bad3.jsonl", '{"text": "Ann", "entities": [[0, 3, "PER"]]}\n{"text": "Bo", "entities": [[0, 9, "PER"]]}\n')
    with pytest.raises(CorpusError, match=r"bad3.jsonl:2: entity \[0, 9, 'PER'\] is outside the text's 2 characters"):
        list(read_jsonl(bad))


def test_json_training_format_round_trip(tmp_path):
    vocab = Vocab("en")
    corpus = Corpus(write(tmp_path, "a.conllu", CONLLU), n_sents=2)
    (eg,) = list(corpus(vocab))
    assert eg.reference.text == "We can't go. Ann left"
    eg.reference.cats = {"X": 1.0}
    doc = docs_to_json([eg.reference])
    path = tmp_path / "a.json"
    with open(path, "w", encoding="utf8") as f:
        write_json([doc], f)
    (para,) = list(read_json(path))
    assert para["words"] == eg.reference.words and para["spaces"] == eg.reference.spaces
    assert para["heads"] == [3, 3, 3, 3, 3, 6, 6] and para["deps"][6] == "root"
    assert para["entities"] == ["-"] * 5 + ["U-PER", "O"] or para["entities"][5:] == ["U-PER", "O"]
    assert para["cats"] == {"X": 1.0} and para["text"] == eg.reference.text
    assert para["sent_starts"] == [True, False, False, False, False, True, False]
    bad = write(tmp_path, "bad.json", '[{"id": 0, "paragraphs": [\n{"sentences": [{"tokens": [{"orth": "a", "head": 5, "dep": "x"}]}]}]}]')
    with pytest.raises(CorpusError, match=r"bad.json:1: token 0"):
        list(read_json(bad))
    bad = write(tmp_path, "bad2.json", '[{"id": 0,\n "paragraphs": [}]')
    with pytest.raises(CorpusError, match=r"bad2.json:2: invalid JSON"):
        list(read_json(bad))


def test_corpus_folder_shuffle_limit_and_formats(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder, "a.conllu", CONLLU)
    write(folder, "b.txt", COLUMNS)
    write(folder, "c.jsonl", json.dumps({"text": "Hello there", "cats": {"A": 1.0}}) + "\n")
    vocab = Vocab("en")
    corpus = Corpus(folder, make_doc=None)
    texts = [a.get("text") or " ".join(a["words"]) for a in corpus]
    assert len(texts) == 5
    shuffled = Corpus(folder, shuffle=True, seed=3)
    assert sorted(map(str, shuffled)) == sorted(map(str, corpus))
    assert [str(a) for a in shuffled] == [str(a) for a in Corpus(folder, shuffle=True, seed=3)]
    assert len(list(Corpus(folder, limit=2)(vocab))) == 2
    egs = list(Corpus(folder / "a.conllu")(vocab)) + list(Corpus(folder / "b.txt")(vocab))
    assert [len(e) for e in egs] == [5, 2, 3, 2]
    make_doc = lambda text: __import__("nlp_vocab").Doc(vocab, words=text.split())  # noqa: E731
    (eg,) = list(Corpus(folder / "c.jsonl", make_doc=make_doc)(vocab))
    assert eg.cats == {"A": 1.0} and eg.predicted.words == ["Hello", "there"]
