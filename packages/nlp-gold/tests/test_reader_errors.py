"""Bad input to the corpus readers: each case reads, or fails with one CorpusError line naming
the file and the line (issue #15, point 4)."""

from __future__ import annotations

import gzip
import json
import warnings

import pytest

from nlp_gold import (
    Corpus,
    CorpusError,
    CorpusWarning,
    Example,
    GoldError,
    read_annotations,
    read_columns,
    read_conllu,
    read_json,
    read_jsonl,
)
from nlp_vocab import Doc, Vocab

ROW = "{i}\t{w}\t_\tX\tX\t_\t{h}\tdep\t_\t_\n"
GOOD = {
    "a.conllu": ROW.format(i=1, w="Ann", h=0) + ROW.format(i=2, w="left", h=1) + "\n",
    "a.txt": "Ann NNP B-NP B-PER\nleft VBD B-VP O\n\n",
    "a.iob": "Ann|NNP|B-PER left|VBD|O\n",
    "a.jsonl": '{"text": "Ann left", "entities": [[0, 3, "PER"]]}\n',
    "a.json": json.dumps([{"paragraphs": [{"sentences": [{"tokens": [{"orth": "Ann", "ner": "U-PER"},
                                                                     {"orth": "left", "ner": "O"}]}]}]}]),
}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


def error_of(path, **kwargs) -> CorpusError:
    with pytest.raises(CorpusError) as info:
        list(read_annotations(path, **kwargs))
    return info.value


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_byte_order_mark_is_accepted_in_every_format(tmp_path, name):
    plain = list(read_annotations(write(tmp_path, name, GOOD[name])))
    marked = list(read_annotations(write(tmp_path, "bom-" + name, "\ufeff" + GOOD[name])))
    assert marked == plain and plain
    assert (marked[0].get("words") or [marked[0]["text"]])[0].startswith("Ann")


def test_a_byte_order_mark_in_a_gzipped_file(tmp_path):
    path = tmp_path / "a.conllu.gz"
    path.write_bytes(gzip.compress(("\ufeff" + GOOD["a.conllu"]).encode("utf8")))
    (sent,) = read_conllu(path)
    assert sent["words"] == ["Ann", "left"]


@pytest.mark.parametrize("name", sorted(GOOD))
def test_bytes_that_are_not_utf8_name_their_line_and_column(tmp_path, name):
    data = b"\n" + GOOD[name].encode("utf8").replace(b"Ann", b"Ren\xe9", 1)  # Latin-1, on line 2
    path = tmp_path / name
    path.write_bytes(data)
    column = data.index(b"\xe9")  # the column of the byte on line 2 (1-based)
    assert str(error_of(path)) == f"{path}:2: not UTF-8: byte 0xe9 at column {column} (save the file as UTF-8)"


def test_not_utf8_in_a_gzipped_file_and_a_damaged_gzip(tmp_path):
    path = tmp_path / "b.conllu.gz"
    path.write_bytes(gzip.compress(GOOD["a.conllu"].encode("utf8") + b"1\t\xff\t_\tX\tX\t_\t0\troot\t_\t_\n"))
    assert error_of(path).line == 4
    damaged = tmp_path / "c.conllu.gz"
    damaged.write_bytes(gzip.compress(GOOD["a.conllu"].encode("utf8") * 50)[:-30])
    err = error_of(damaged)
    assert err.path == str(damaged) and "damaged gzip file" in str(err)


def _json_doc(para: dict) -> str:
    """A JSON training file whose only document starts on line 2."""
    return "[\n" + json.dumps({"id": 0, "paragraphs": [para]}) + "\n]\n"


def _tokens(**fields) -> dict:
    return {"sentences": [{"tokens": [{"orth": "Ann", **fields}, {"orth": "left", "head": 0, "dep": "ROOT"}]}]}


@pytest.mark.parametrize(
    "para,message",
    [
        (_tokens(head="1", dep="nsubj"), "token 0 ('Ann') of paragraph 0, sentence 0: head '1' is not an integer"),
        (_tokens(head="1"), "token 0 ('Ann') of paragraph 0, sentence 0: head '1' is not an integer"),
        (_tokens(head=True, dep="x"), "head True is not an integer"),
        (_tokens(head=5, dep="x"), "head 5 is out of its sentence"),
        ({**_tokens(), "cats": {"A": 1.0}}, "'cats' of paragraph 0 must be a list of"),
        ({**_tokens(), "cats": [{"value": 1.0}]}, "'cats' of paragraph 0 must be a list of"),
        ({**_tokens(), "cats": [{"label": "", "value": 1.0}]}, "class label is empty"),
        ({**_tokens(), "cats": [{"label": ["A"], "value": 1.0}]}, "class label ['A'] is not a string"),
        ({**_tokens(), "cats": [{"label": "A", "value": 1.5}]}, "class 'A': score 1.5 is not in [0, 1]"),
        (_tokens(tag=5), "token 0 ('Ann') of paragraph 0, sentence 0: 'tag' 5 is not a string"),
        (_tokens(ner=1), "'ner' 1 is not a string"),
        (_tokens(lemma=["x"]), "'lemma' ['x'] is not a string"),
        ({**_tokens(), "raw": 5}, "'raw' of paragraph 0 is 5, not a string"),
        ({"sentences": [{"tokens": [{"orth": ""}]}]}, "token 0 of paragraph 0, sentence 0 has no 'orth' string"),
        ({"sentences": [{"tokens": [{"orth": "a", "head": 1, "dep": "x"}, {"orth": "b", "head": -1, "dep": "x"}]}]},
         "the heads of paragraph 0, sentence 0 contain a cycle"),
        (_tokens(ner="B-PER"), "paragraph 0: NER invalid BILUO sequence: '-' at position 1 inside an open PER entity"),
        ({**_tokens(), "multiword_tokens": {"0": "x"}}, "'multiword_tokens' of paragraph 0 must be a list of [first, last"),
        ({**_tokens(), "multiword_tokens": [[0, 2, "Annleft"]]},
         "paragraph 0: multiword token [0, 2, 'Annleft'] is not a (first word, last word, surface form) range inside the 2 words"),
        ({**_tokens(), "multiword_tokens": [[0, 1, 5]]}, "multiword token [0, 1, 5] is not a"),
        ({**_tokens(), "multiword_tokens": [[0, 1, "Annleft"], [1, 1, "left"]]},
         "paragraph 0: multiword tokens overlap at word 1 (0-based)"),
    ],
)
def test_json_training_format_wrong_types(tmp_path, para, message):
    path = write(tmp_path, "bad.json", _json_doc(para))
    err = error_of(path)
    assert str(err).startswith(f"{path}:2: ") and message in str(err), str(err)


def test_json_training_format_cats_and_heads_without_a_label_read(tmp_path):
    para = {**_tokens(head=1), "cats": [{"label": "A", "value": 1}, {"label": "B", "value": 0.0}]}
    (annot,) = read_json(write(tmp_path, "ok.json", _json_doc(para)))
    assert annot["cats"] == {"A": 1.0, "B": 0.0}
    assert annot["heads"] == [1, 1] and annot["deps"] == [None, "ROOT"]


CONLL03 = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP {eu}\nrejects VBZ B-VP O\nGerman JJ B-NP {de}\n"


def test_conll2003_ner_column_is_the_last_one(tmp_path):
    (sent,) = read_columns(write(tmp_path, "ok.txt", CONLL03.format(eu="B-ORG", de="B-MISC")))
    assert sent["entities"] == ["U-ORG", "O", "U-MISC"] and sent["tags"] == ["NNP", "VBZ", "JJ"]


def test_conll2003_chunks_are_never_read_as_entities(tmp_path):
    path = write(tmp_path, "chunk.txt", CONLL03.format(eu="ORG", de="MISC"))
    with pytest.raises(CorpusError) as info:
        list(read_columns(path))
    assert str(info.value) == (f"{path}:3: column 4, the last, must hold the NER tags but has 'ORG', not an IOB/BILUO "
                               "tag (column 3 holds IOB tags, such as chunks; it is not read as NER)")


def test_conll2003_a_bad_tag_in_the_ner_column_is_named(tmp_path):
    path = write(tmp_path, "typo.txt", "EU NNP B-ORG\nrejects VBZ O\nGerman JJ B_MISC\n")
    with pytest.raises(CorpusError, match=r"typo.txt:3: invalid NER tag 'B_MISC' in column 3"):
        list(read_columns(path))


def test_columns_without_entity_tags_read_as_words_and_tags(tmp_path):
    (sent,) = read_columns(write(tmp_path, "pos.txt", "EU NNP\nrejects VBZ\n"))
    assert sent["words"] == ["EU", "rejects"] and sent["tags"] == ["NNP", "VBZ"] and "entities" not in sent
    with pytest.raises(CorpusError, match=r"pos.txt:1: there is no NER column 5"):
        list(read_columns(tmp_path / "pos.txt", ner_column=4))


def test_conllu_several_roots_warn_and_read(tmp_path):
    text = ROW.format(i=1, w="Ann", h=0) + ROW.format(i=2, w="left", h=1) + ROW.format(i=3, w="Go", h=0) + "\n"
    path = write(tmp_path, "roots.conllu", "# text = x\n" + text)
    with pytest.warns(CorpusWarning) as record:
        (sent,) = read_conllu(path)
    assert [str(w.message) for w in record] == [
        f"{path}:4: the sentence has 2 roots (words 1, 3 have HEAD 0) where UD allows one; read as it is"]
    assert sent["heads"] == [0, 0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(read_conllu(write(tmp_path, "one.conllu", GOOD["a.conllu"])))


@pytest.mark.parametrize("ranges,line,message", [
    (("1-2", "2-3"), 3, "multiword token ranges 1-2 and 2-3 overlap"),
    (("1-3", "2-3"), 3, "multiword token ranges 1-3 and 2-3 overlap"),
    (("2-3", "1-2"), 2, "multiword token ranges 1-2 and 2-3 overlap"),
    (("2-4",), 2, "multiword token range 2-4 does not match the sentence's words"),
])
def test_conllu_overlapping_multiword_ranges_are_rejected(tmp_path, ranges, line, message):
    mwts = "".join(f"{r}\tab\t_\t_\t_\t_\t_\t_\t_\t_\n" for r in ranges)
    words = ROW.format(i=1, w="a", h=0) + ROW.format(i=2, w="b", h=1) + ROW.format(i=3, w="c", h=1)
    path = write(tmp_path, "mwt.conllu", "# text = abc\n" + mwts + words + "\n")
    with pytest.raises(CorpusError) as info:
        list(read_conllu(path))
    assert str(info.value) == f"{path}:{line}: {message}"


@pytest.mark.parametrize("record,message", [
    ({"text": "Ann left", "entities": [[True, 3, "PER"]]}, "entity [True, 3, 'PER'] is not [start, end, label] with integer offsets"),
    ({"text": "Ann left", "entities": [{"start": 0, "end": True, "label": "PER"}]},
     "entity {'start': 0, 'end': True, 'label': 'PER'} is not [start, end, label] with integer offsets"),
    ({"text": "", "label": "pos"}, '"text" is empty'),
    ({"text": " \n ", "label": "pos"}, '"text" is only whitespace'),
    ({"text": "Ann left", "entities": [[0, 8, "X"], [4, 8, "PER"]]}, "entities [0, 8, 'X'] and [4, 8, 'PER'] overlap"),
    ({"text": "Ann left", "entities": [[0, 3, ""]]}, "entity [0, 3, '']: label is empty"),
    ({"text": "Ann left", "cats": {"pos": float("nan")}}, "class 'pos': score nan is not in [0, 1]"),
    ({"text": "Ann left", "cats": {"pos": 1.5}}, "class 'pos': score 1.5 is not in [0, 1]"),
    ({"text": "Ann left", "cats": {"pos": -0.1}}, "class 'pos': score -0.1 is not in [0, 1]"),
    ({"text": "Ann left", "cats": {"pos": "1"}}, "class 'pos': score '1' is not a number"),
    ({"text": "Ann left", "cats": {"pos": None}}, "class 'pos': score None is not a number"),
    ({"text": "Ann left", "cats": {"pos": [1.0]}}, "class 'pos': score [1.0] is not a number"),
    ({"text": "Ann left", "cats": {"": 1.0}}, "class label is empty"),
    ({"text": "Ann left", "label": ""}, "class label is empty"),
    ({"text": "Ann left", "labels": ["a", " "]}, "class label ' ' is blank"),
])
def test_jsonl_bad_records_name_their_line(tmp_path, record, message):
    path = write(tmp_path, "bad.jsonl", '{"text": "fine", "label": "pos"}\n\n' + json.dumps(record) + "\n")
    with pytest.raises(CorpusError) as info:
        list(read_jsonl(path))
    assert str(info.value) == f"{path}:3: {message}"


def test_true_and_false_are_class_scores_in_jsonl_and_json(tmp_path):
    """spaCy v2 users give cats as bools; JSON's true/false read as 1.0/0.0 in both formats."""
    path = write(tmp_path, "tf.jsonl", '{"text": "Ann left", "cats": {"pos": true, "neg": false, "n": 1}}\n')
    (annot,) = read_jsonl(path)
    assert annot["cats"] == {"pos": 1.0, "neg": 0.0, "n": 1.0}
    assert all(type(v) is float for v in annot["cats"].values())
    para = {**_tokens(), "cats": [{"label": "A", "value": True}, {"label": "B", "value": False}]}
    (annot,) = read_json(write(tmp_path, "tf.json", _json_doc(para)))
    assert annot["cats"] == {"A": 1.0, "B": 0.0} and type(annot["cats"]["A"]) is float


def test_jsonl_json_that_cannot_be_decoded(tmp_path):
    path = write(tmp_path, "deep.jsonl", '{"text": "a", "cats": ' + "[" * 100000 + "\n")
    with pytest.raises(CorpusError, match=r"deep.jsonl:1: invalid JSON"):
        list(read_jsonl(path))
    path = write(tmp_path, "long.jsonl", '{"text": "a", "cats": {"x": ' + "1" * 5000 + "}}\n")
    with pytest.raises(CorpusError, match=r"long.jsonl:1: invalid JSON: Exceeds the limit"):
        list(read_jsonl(path))


def test_text_records_are_documents_of_their_own(tmp_path):
    path = write(tmp_path, "t.jsonl", '{"text": "a b", "label": "x"}\n{"text": "c", "label": "y"}\n')
    annots = list(Corpus(path, n_sents=3))
    assert [a["text"] for a in annots] == ["a b", "c"] and [a["line"] for a in annots] == [1, 2]


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.txt"])
def test_json_nested_past_the_recursion_limit_is_one_error_line(tmp_path, name):
    path = tmp_path / name
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf8")
    with pytest.raises(CorpusError) as error:
        list(read_annotations(path))
    assert str(path) in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("score", [float("nan"), float("inf"), 2.0, -0.5])
def test_class_scores_outside_zero_one_are_refused_in_the_api_too(score):
    with pytest.raises(GoldError, match=r"cats\['POS'\] = .* is not in \[0, 1\]"):
        Example.from_dict(Doc(Vocab(), words=["good"]), {"cats": {"POS": score}})
