"""`nlp train` with the settings as spaCy v2 users set them: v2's environment variables (logged
when used), `-d/--dropout` and `-bs/--batch-size` over them, and a warning for a misspelt
NLP_* variable. Run in-process through `main`, on small CoNLL-U corpora the conftest writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import srsly

from nlp_cli.__main__ import main

TINY = ("-p", "tagger", "-cw", "32", "-cd", "1", "-er", "500", "-n", "1")
V2_AND_OURS = ("learn_rate", "SPACY_learn_rate", "SPACY_LEARN_RATE", "dropout_from", "dropout_to",
               "SPACY_DROPOUT_TO", "batch_from", "batch_to", "NLP_DROPOUT_FROM", "NLP_DROPOUT_TO",
               "NLP_BATCH_FROM", "NLP_BATCH_TO", "NLP_LEARN_RATE", "NLP_LEARNRATE")


@pytest.fixture()
def corpus(tmp_path, data, monkeypatch) -> dict[str, Path]:
    for var in V2_AND_OURS:  # whatever the calling shell set
        monkeypatch.delenv(var, raising=False)
    return {"train": data.conllu(tmp_path / "train.conllu", 20, seed=1),
            "dev": data.conllu(tmp_path / "dev.conllu", 6, seed=2), "out": tmp_path / "out"}


def train(capsys, corpus, *options: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["train", "en", str(corpus["out"]), str(corpus["train"]), str(corpus["dev"]), *TINY, *options])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def epoch_record(corpus) -> dict:
    lines = (corpus["out"] / "training-log.jsonl").read_text(encoding="utf8").splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_dropout_and_batch_size_options(capsys, corpus):
    code, _, err = train(capsys, corpus, "-d", "0.3", "-bs", "4,4")
    assert code == 0, err
    record = epoch_record(corpus)
    assert record["dropout"] == 0.3
    assert (record["n_batches"], record["last_batch_size"]) == (5, 4)  # 20 examples, 4 a batch


def test_v2_variables_are_used_and_logged(capsys, corpus, monkeypatch):
    monkeypatch.setenv("SPACY_learn_rate", "0.002")
    monkeypatch.setenv("dropout_from", "0.25")
    monkeypatch.setenv("SPACY_DROPOUT_TO", "0.25")
    monkeypatch.setenv("batch_from", "5")
    code, out, err = train(capsys, corpus, "-bs", "5")  # -bs N: the maximum; v2's batch_from the start
    assert code == 0, err
    lines = out.splitlines()
    for line in ("ℹ learn_rate=0.002 (from SPACY_learn_rate)", "ℹ dropout_from=0.25 (from dropout_from)",
                 "ℹ dropout_to=0.25 (from SPACY_DROPOUT_TO)", "ℹ batch_from=5 (from batch_from)"):
        assert lines.count(line) == 1, out
    record = epoch_record(corpus)
    assert record["dropout"] == 0.25 and (record["n_batches"], record["last_batch_size"]) == (4, 5)
    saved = srsly.read_msgpack(corpus["out"] / "checkpoint" / "optimizer.msgpack")
    assert saved["scalars"]["learn_rate"] == 0.002  # the optimizer trained with v2's value


def test_options_and_our_variables_win_over_v2_variables(capsys, corpus, monkeypatch):
    monkeypatch.setenv("dropout_from", "0.5")
    monkeypatch.setenv("NLP_DROPOUT_TO", "0.5")
    monkeypatch.setenv("NLP_LEARN_RATE", "0.004")
    monkeypatch.setenv("learn_rate", "0.1")
    code, out, err = train(capsys, corpus, "-d", "0.1", "-bs", "10,10")
    assert code == 0, err
    assert "ℹ learn_rate=0.004 (from NLP_LEARN_RATE; learn_rate ignored)" in out.splitlines()
    assert not any(line.startswith("ℹ dropout") for line in out.splitlines())  # -d decided it
    record = epoch_record(corpus)
    assert record["dropout"] == 0.1 and record["n_batches"] == 2


def test_a_misspelt_nlp_variable_warns_once(capsys, corpus, monkeypatch):
    monkeypatch.setenv("NLP_LEARNRATE", "0.03")  # warned once a process: a value no other test sets
    code, _, err = train(capsys, corpus)
    assert code == 0, err
    warned = [line for line in err.splitlines() if "NLP_LEARNRATE" in line]
    assert warned == ["⚠ environment variable NLP_LEARNRATE is not one nlp reads "
                      "(did you mean NLP_LEARN_RATE?)"]


@pytest.mark.parametrize("options,message", [
    (("-d", "1.5"), "-d/--dropout must be in [0, 1), got 1.5"),
    (("-d", "-0.1"), "-d/--dropout must be in [0, 1), got -0.1"),
    (("-bs", "0"), "-bs/--batch-size: expected N or FROM,TO (whole numbers >= 1), got '0'"),
    (("-bs", "big"), "-bs/--batch-size: expected N or FROM,TO (whole numbers >= 1), got 'big'"),
    (("-bs", "1,2,3"), "-bs/--batch-size: expected N or FROM,TO (whole numbers >= 1), got '1,2,3'"),
    (("-bs", "8,4"), "-bs/--batch-size: FROM must not exceed TO, got '8,4'"),
])
def test_bad_option_values_are_one_line_errors(capsys, corpus, options, message):
    code, _, err = train(capsys, corpus, *options)
    assert code == 1 and err.strip().splitlines() == [f"✘ {message}"]
    assert not corpus["out"].exists()


def test_a_bad_v2_variable_is_a_one_line_error_naming_it(capsys, corpus, monkeypatch):
    monkeypatch.setenv("SPACY_learn_rate", "fast")
    code, _, err = train(capsys, corpus)
    assert code == 1
    assert err.strip().splitlines() == [
        "✘ environment variable SPACY_learn_rate='fast' is not a number (expected a value in (0, inf])"]
