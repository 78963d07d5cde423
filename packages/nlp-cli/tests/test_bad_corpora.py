"""Bad corpora through the commands: the reader's CorpusError becomes the command's one line
("✘ file:line: what"), `debug-data` rejects what the reader rejects at the same line, and a
fuzzed file either converts or fails with that one line (issue #15, point 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp_cli.__main__ import main
from nlp_gold import CorpusError, read_annotations

GOOD_JSONL = "".join(json.dumps(r) + "\n" for r in [
    {"text": "Ann met Bo in Oslo", "entities": [[0, 3, "PER"], [7, 9, "PER"], [13, 17, "LOC"]], "cats": {"A": 1.0, "B": 0.0}},
    {"text": "Bo left", "entities": [[0, 2, "PER"]], "cats": {"A": 0.0, "B": 1.0}},
])
ROW = "{i}\t{w}\t_\tX\tX\t_\t{h}\tdep\t_\t_\n"


def run_main(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def reader_error(path: Path) -> CorpusError:
    with pytest.raises(CorpusError) as info:
        list(read_annotations(path))
    return info.value


@pytest.mark.parametrize("record", [
    {"text": "Ann Bo", "entities": [[0, 6, "PER"], [4, 6, "PER"]], "cats": {"A": 1.0, "B": 0.0}},
    {"text": "Ann Bo", "entities": [[0, 3, "PER"]], "cats": {"A": float("nan"), "B": 0.0}},
    {"text": "Ann Bo", "entities": [[0, 3, "PER"]], "cats": {"A": 2.0, "B": 0.0}},
    {"text": "Ann Bo", "entities": [[0, 3, ""]], "cats": {"A": 1.0, "B": 0.0}},
    {"text": "Ann Bo", "entities": [[0, 3, "PER"]], "cats": {"": 1.0}},
    {"text": "", "entities": [], "cats": {"A": 1.0}},
])
def test_debug_data_train_and_convert_agree_with_the_reader(capsys, tmp_path, record):
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD_JSONL, encoding="utf8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(GOOD_JSONL + json.dumps(record) + "\n", encoding="utf8")
    expected = f"✘ {reader_error(bad)}"
    assert expected.startswith(f"✘ {bad}:3: ")
    for args in (("debug-data", "en", bad, good, "-p", "ner,textcat"), ("debug-data", "en", good, bad, "-p", "ner"),
                 ("convert", bad, tmp_path / "out"), ("train", "en", tmp_path / "model", bad, good, "-p", "textcat")):
        code, _, err = run_main(capsys, *args)
        assert (code, err.strip()) == (1, expected), args
    code, out, _ = run_main(capsys, "debug-data", "en", good, good, "-p", "ner,textcat")
    assert code == 0 and "0 errors" in out


def test_a_bom_converts_and_latin1_is_one_line(capsys, tmp_path):
    text = "# text = Ann left\n" + ROW.format(i=1, w="Ann", h=2) + ROW.format(i=2, w="left", h=0) + "\n"
    bom = tmp_path / "bom.conllu"
    bom.write_text("\ufeff" + text, encoding="utf8")
    code, out, err = run_main(capsys, "convert", bom, "-", "-t", "jsonl")
    assert code == 0 and json.loads(out)["paragraphs"][0]["raw"] == "Ann left", err
    latin = tmp_path / "latin.conllu"
    latin.write_bytes(text.replace("Ann", "Ren\xe9").encode("latin-1"))
    code, _, err = run_main(capsys, "convert", latin, tmp_path / "out")
    assert code == 1 and err == f"✘ {latin}:1: not UTF-8: byte 0xe9 at column 13 (save the file as UTF-8)\n"


def test_several_roots_warn_in_one_line(capsys, tmp_path):
    path = tmp_path / "roots.conllu"
    path.write_text(ROW.format(i=1, w="Ann", h=0) + ROW.format(i=2, w="left", h=0) + "\n", encoding="utf8")
    code, out, err = run_main(capsys, "convert", path, tmp_path / "out")
    assert code == 0 and "Converted 1 sentences" in out
    assert err == f"⚠ {path}:2: the sentence has 2 roots (words 1, 2 have HEAD 0) where UD allows one; read as it is\n"


SEEDS = {
    "seed.conllu": (ROW.format(i=1, w="Ann", h=2) + "2-3\tleft.\t_\t_\t_\t_\t_\t_\t_\t_\n" + ROW.format(i=2, w="left", h=0)
                    + ROW.format(i=3, w=".", h=2).replace("\t_\n", "\tNER=O\n") + "\n").encode("utf8"),
    "seed.txt": b"-DOCSTART- -X- O\n\nAnn NNP B-PER\nleft VBD O\n\nBo NNP U-PER\n",
    "seed.jsonl": GOOD_JSONL.encode("utf8"),
    "seed.json": json.dumps([{"paragraphs": [{"raw": "Ann left", "cats": [{"label": "A", "value": 1}], "sentences": [
        {"tokens": [{"orth": "Ann", "head": 1, "dep": "nsubj", "ner": "U-PER"}, {"orth": "left", "head": 0, "dep": "ROOT"}]}]}]}],
        indent=1).encode("utf8"),
}
PIECES = st.sampled_from([b"\t", b"\n", b"0", b"9", b"-", b"B-X", b"I-", b'"', b"{", b"true", b"NaN", b"\xef\xbb\xbf",
                          b"\xff", b"\xc3", b""]) | st.binary(min_size=1, max_size=2)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(SEEDS)), start=st.integers(0, 200), cut=st.integers(0, 5), piece=PIECES)
def test_fuzzed_corpora_convert_or_fail_in_one_line(capsys, tmp_path, name, start, cut, piece):
    seed = SEEDS[name]
    start = min(start, len(seed))
    path = tmp_path / name
    path.write_bytes(seed[:start] + piece + seed[start + cut:])
    try:
        list(read_annotations(path))
        expected = None
    except CorpusError as err:
        expected = f"✘ {err}"
    code, _, err = run_main(capsys, "convert", path, "-", "-t", "jsonl")
    lines = [line for line in err.splitlines() if not line.startswith("⚠ ")]
    if expected is not None:
        assert (code, lines) == (1, [expected])
    elif code:  # read, but nothing to convert (e.g. every line dropped)
        assert lines == [f"✘ no sentences or records found in {path}"]
    else:
        assert lines[-1].startswith("✔ Converted ")
