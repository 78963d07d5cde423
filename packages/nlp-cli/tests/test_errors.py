"""Bad input: every command, given a missing file, an empty file or a malformed file, prints one
line naming the problem and exits 1, without a traceback. Run in-process through `main`."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_cli.__main__ import main


def run_main(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def assert_one_line_error(capsys, *args, expect: str) -> None:
    code, _, err = run_main(capsys, *args)
    lines = err.strip().splitlines()
    assert code == 1, err
    assert len(lines) == 1 and lines[0].startswith("✘ "), err
    assert "Traceback" not in err
    assert expect in lines[0], lines[0]


@pytest.fixture()
def files(tmp_path: Path, data) -> dict[str, Path]:
    empty = tmp_path / "empty.conllu"
    empty.write_text("")
    bad_conllu = tmp_path / "bad.conllu"
    bad_conllu.write_text("1\tword\t_\tNOUN\tNN\t_\t0\troot\t_\n")  # 9 columns
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"text": "fine"}\n{"text": oops}\n')
    bad_vectors = tmp_path / "bad.vec"
    bad_vectors.write_text("cat 0.1 0.2\ndog 0.3 x\n")
    model = tmp_path / "notamodel"
    model.mkdir()
    bad_meta = tmp_path / "badmeta"
    bad_meta.mkdir()
    (bad_meta / "meta.json").write_text("{not json")
    return {"missing": tmp_path / "missing.conllu", "empty": empty, "bad_conllu": bad_conllu, "bad_json": bad_json,
            "bad_vectors": bad_vectors, "dir": model, "bad_meta": bad_meta, "out": tmp_path / "out",
            "good": data.conllu(tmp_path / "good.conllu", 3)}


def test_convert_bad_input(capsys, files):
    assert_one_line_error(capsys, "convert", files["missing"], files["out"], expect="not found: ")
    assert_one_line_error(capsys, "convert", files["empty"], files["out"], expect="empty")
    assert_one_line_error(capsys, "convert", files["bad_conllu"], files["out"], expect="bad.conllu:1: expected 10")
    assert_one_line_error(capsys, "convert", files["good"], files["out"], "-c", "xml", expect="invalid choice: 'xml'")
    assert_one_line_error(capsys, "convert", files["good"], files["out"], "-n", "zero", expect="invalid int value")
    assert_one_line_error(capsys, "convert", files["good"], files["out"], "-n", "0", expect="at least 1")


def test_debug_data_bad_input(capsys, files):
    good = files["good"]
    assert_one_line_error(capsys, "debug-data", "en", files["missing"], good, expect="training data not found")
    assert_one_line_error(capsys, "debug-data", "en", good, files["empty"], expect="development data is empty")
    assert_one_line_error(capsys, "debug-data", "en", files["bad_conllu"], good, expect="bad.conllu:1")
    assert_one_line_error(capsys, "debug-data", "en", good, good, "-p", "entity_linker", expect="unknown component")


def test_train_bad_input(capsys, files):
    good, out = files["good"], files["out"]
    assert_one_line_error(capsys, "train", "en", out, files["missing"], good, expect="training data not found")
    assert_one_line_error(capsys, "train", "en", out, good, files["empty"], expect="development data is empty")
    assert_one_line_error(capsys, "train", "en", out, files["bad_conllu"], good, expect="bad.conllu:1")
    assert_one_line_error(capsys, "train", "en", out, good, good, "-p", "tagger,tagger", expect="named twice")
    assert_one_line_error(capsys, "train", "en", out, good, good, "-n", "-3", expect="-n/--n-iter must be at least 1")
    assert_one_line_error(capsys, "train", "en", out, good, good, "-b", files["dir"], expect="no meta.json")
    assert_one_line_error(capsys, "train", "en", out, good, good, "-t2v", files["empty"], expect="weights is empty")
    assert not out.exists()


def test_evaluate_bad_input(capsys, files):
    good = files["good"]
    assert_one_line_error(capsys, "evaluate", files["missing"], good, expect="model not found")
    assert_one_line_error(capsys, "evaluate", files["dir"], good, expect="not a saved model folder")
    assert_one_line_error(capsys, "evaluate", files["bad_meta"], good, expect="invalid JSON")


def test_evaluate_bad_data(capsys, files, tmp_path):
    import nlp_models

    model = tmp_path / "blank_model"
    nlp_models.blank("en").to_disk(model)
    assert_one_line_error(capsys, "evaluate", model, files["missing"], expect="evaluation data not found")
    assert_one_line_error(capsys, "evaluate", model, files["empty"], expect="evaluation data is empty")
    assert_one_line_error(capsys, "evaluate", model, files["bad_conllu"], expect="bad.conllu:1")


def test_pretrain_bad_input(capsys, files, tmp_path):
    import nlp_models

    model = tmp_path / "blank_model"
    nlp_models.blank("en").to_disk(model)
    out = files["out"]
    assert_one_line_error(capsys, "pretrain", files["missing"], model, out, expect="texts file not found")
    assert_one_line_error(capsys, "pretrain", files["empty"], model, out, expect="texts file is empty")
    assert_one_line_error(capsys, "pretrain", files["bad_json"], model, out, expect="bad.jsonl:2: invalid JSON")
    texts = tmp_path / "t.txt"
    texts.write_text("one two three four five six\n")
    assert_one_line_error(capsys, "pretrain", texts, model, out, "-o", "vectors", expect="needs a VECTORS_MODEL")
    assert_one_line_error(capsys, "pretrain", texts, model, out, "-L", "L1", expect="invalid choice: 'L1'")


def test_init_vectors_bad_input(capsys, files):
    out = files["out"]
    assert_one_line_error(capsys, "init-vectors", "en", out, files["missing"], expect="vectors file not found")
    assert_one_line_error(capsys, "init-vectors", "en", out, files["empty"], expect="vectors file is empty")
    assert_one_line_error(capsys, "init-vectors", "en", out, files["bad_vectors"], expect="bad.vec:2: a vector value")
    assert not out.exists()


def test_package_bad_input(capsys, files):
    out = files["out"]
    assert_one_line_error(capsys, "package", files["missing"], out, expect="model folder not found")
    assert_one_line_error(capsys, "package", files["dir"], out, expect="no meta.json")
    assert_one_line_error(capsys, "package", files["bad_meta"], out, expect="invalid JSON")
    assert_one_line_error(capsys, "package", files["good"], out, expect="must be a folder")
