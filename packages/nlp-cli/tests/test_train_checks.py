"""`nlp train`'s inputs are checked before training: each problem is one line (an error, exit 1,
or a warning for dev labels never seen in training), and a loss that becomes nan stops the run.
Run in-process through `main`, on small corpora written by the conftest's writers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy
import pytest

from nlp_cli.__main__ import main

TINY = ("-cw", "32", "-cd", "1", "-er", "500", "-n", "1")


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def error_line(capsys, *args) -> str:
    """The one stderr line of a command that must fail (exit 1, no traceback)."""
    code, _, err = run(capsys, *args)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("✘ "), err
    return lines[0]


@pytest.fixture()
def conllu(tmp_path, data) -> dict[str, Path]:
    train = data.conllu(tmp_path / "train.conllu", 20, seed=1)
    dev = data.conllu(tmp_path / "dev.conllu", 6, seed=2)
    return {"train": train, "dev": dev, "out": tmp_path / "out"}


def rewrite(source: Path, target: Path, *pairs: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    target.write_text(text, encoding="utf8")
    return target


def write_cats(path: Path, cats_of) -> Path:
    words = ["fine", "awful", "grand", "dull"]
    with path.open("w", encoding="utf8") as file:
        for i in range(12):
            file.write(json.dumps({"text": f"a {words[i % 4]} film, take {i}", "cats": cats_of(i)}) + "\n")
    return path


def test_network_sizes_are_bounded(capsys, conllu):
    train, dev, out = conllu["train"], conllu["dev"], conllu["out"]
    line = error_line(capsys, "train", "en", out, train, dev, "-cw", "100000000")
    assert "-cw/--conv-width 100000000 is too large: at most 2,048" in line
    assert "-cd/--conv-depth 1000 is too large" in error_line(capsys, "train", "en", out, train, dev, "-cd", "1000")
    line = error_line(capsys, "train", "en", out, train, dev, "-cw", "2048", "-er", "1000000")
    assert "each embedding table would hold 2,048,000,000 values" in line
    texts = out.parent / "texts.txt"
    texts.write_text("one two three four five six\n", encoding="utf8")
    blank = out.parent / "blank"
    assert run(capsys, "init-vectors", "en", blank, write_vectors(out.parent / "ok.vec", "0.5"))[0] == 0
    line = error_line(capsys, "pretrain", texts, blank, out, "-cw", "100000000")
    assert "-cw/--width 100000000 is too large" in line
    assert not out.exists()


def test_unknown_language_codes_are_refused(capsys, conllu, tmp_path):
    train, dev, out = conllu["train"], conllu["dev"], conllu["out"]
    expect = "unknown language code 'zz': known codes are "
    assert expect in error_line(capsys, "train", "zz", out, train, dev)
    vectors = write_vectors(tmp_path / "ok.vec", "0.5")
    assert expect in error_line(capsys, "init-vectors", "zz", out, vectors)
    assert expect in error_line(capsys, "debug-data", "zz", train, dev)
    assert expect in error_line(capsys, "convert", train, out, "-l", "zz")
    assert not out.exists()
    assert run(capsys, "init-vectors", "xx", out, vectors)[0] == 0  # the generic language is known


def write_vectors(path: Path, value: str) -> Path:
    path.write_text(f"the 0.1 0.2\ncat {value} 0.3\nsaw 0.4 0.1\n", encoding="utf8")
    return path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e39"])
def test_vectors_with_nan_or_inf_are_refused(capsys, tmp_path, value):
    out = tmp_path / "vectors_model"
    line = error_line(capsys, "init-vectors", "en", out, write_vectors(tmp_path / "v.vec", value))
    assert "v.vec:2: the vector of 'cat' holds nan or inf values" in line
    assert not out.exists()


def test_a_model_whose_vectors_hold_nan_is_refused_before_training(capsys, conllu, tmp_path):
    model = tmp_path / "vectors_model"
    assert run(capsys, "init-vectors", "en", model, write_vectors(tmp_path / "v.vec", "0.5"))[0] == 0
    table = next(model.rglob("vectors.npy"))
    data = numpy.load(table)
    data[1, 0] = numpy.nan
    numpy.save(table, data)
    line = error_line(capsys, "train", "en", conllu["out"], conllu["train"], conllu["dev"], "-v", model, *TINY)
    assert line.endswith("vectors.npy: the vector in row 1 (word 'cat') holds nan or inf values")
    assert not conllu["out"].exists()


def test_ner_on_data_without_entities_is_an_error(capsys, conllu, tmp_path):
    plain = rewrite(conllu["train"], tmp_path / "no_ents.conllu",
                    ("NER=B-PER", "NER=O"), ("NER=I-PER", "NER=O"), ("NER=B-LOC", "NER=O"))
    line = error_line(capsys, "train", "en", conllu["out"], plain, conllu["dev"], "-p", "ner", *TINY)
    assert f"-p ner: the training data ({plain}) has no entities: nothing to train the ner on" in line
    assert not conllu["out"].exists()


def test_exclusive_textcat_needs_two_classes(capsys, tmp_path):
    one = write_cats(tmp_path / "one.jsonl", lambda i: {"GOOD": 1.0})
    out = tmp_path / "out"
    line = error_line(capsys, "train", "en", out, one, one, "-p", "textcat", *TINY)
    assert f"-p textcat: the training data ({one}) has one text class only, 'GOOD'" in line
    assert "-tm/--textcat-multilabel" in line
    code, stdout, err = run(capsys, "train", "en", out, one, one, "-p", "textcat", "-tm", *TINY)
    assert code == 0, err  # one yes/no class is fine when the classes are independent
    assert (out / "model-final" / "meta.json").exists()


def test_dev_labels_never_seen_in_training_are_warned(capsys, conllu, tmp_path):
    dev = rewrite(conllu["dev"], tmp_path / "odd_dev.conllu",
                  ("\tDT\t", "\tXDT\t"), ("\tamod\t", "\tweird\t"), ("NER=B-LOC", "NER=B-ORG"))
    code, out, err = run(capsys, "train", "en", conllu["out"], conllu["train"], dev, *TINY)
    assert code == 0, err
    warnings = [line for line in out.splitlines() if line.startswith("⚠")]
    where = f"in the development data ({dev}) but never in the training data"
    assert warnings == [f"⚠ tagger: tags {where}: XDT; the model cannot predict them, so its dev scores will be lower",
                        f"⚠ parser: dependency labels {where}: weird; the model cannot predict them, so its dev "
                        "scores will be lower",
                        f"⚠ ner: entity labels {where}: ORG; the model cannot predict them, so its dev scores "
                        "will be lower"]
    train = write_cats(tmp_path / "cats.jsonl", lambda i: {"POS": float(i % 2 == 0), "NEG": float(i % 2 == 1)})
    odd = write_cats(tmp_path / "odd_cats.jsonl", lambda i: {"POS": 0.0, "NEG": 0.0, "MIXED": 1.0})
    code, out, err = run(capsys, "train", "en", tmp_path / "cats_out", train, odd, "-p", "textcat", *TINY)
    assert code == 0, err
    assert f"⚠ textcat: text classes in the development data ({odd}) but never in the training data: MIXED;" in out


def test_a_nan_loss_stops_the_run_with_one_line(capsys, conllu, monkeypatch):
    monkeypatch.setenv("NLP_LEARN_RATE", "1e38")  # the weights overflow after the first update
    out = conllu["out"]
    line = error_line(capsys, "train", "en", out, conllu["train"], conllu["dev"], "-p", "tagger", *TINY)
    assert line == ("✘ training diverged: the tagger loss became nan at batch 2 in epoch 1; stopped without "
                    "saving that epoch: no epoch had finished, so no model was saved (try a lower learning rate, "
                    "NLP_LEARN_RATE)")
    assert not (out / "model-best").exists() and not (out / "model-final").exists()
