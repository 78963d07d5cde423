"""`nlp train` writes report.html, `nlp report` rebuilds it, `nlp evaluate -o x.html` writes the
per-label tables: through the real entry point, on the small corpus of conftest.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest


def parse(path: Path) -> ET.Element:
    return ET.fromstring(path.read_text(encoding="utf8"))


def tables(root: ET.Element) -> dict[str, list[list[str]]]:
    """{class: [[cell text, ...] per body row]} of the page's tables."""
    return {t.get("class"): [[td.text for td in tr.iter("td")] for tr in t.find("tbody")]
            for t in root.iter("table")}


def best_scores(out: Path) -> dict:
    log = [json.loads(line) for line in (out / "training-log.jsonl").read_text().splitlines()]
    return [r for r in log if r["best"]][-1]["scores"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, corpus, nlp_cmd, cli) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("trained")
    proc = cli.run(nlp_cmd, "train", "en", out, corpus["train"], corpus["dev"], "-p", "tagger,parser,ner",
                   "-n", "2", *cli.tiny)
    return out, proc.stdout


def test_train_writes_the_report_with_the_best_epoch_tables(trained):
    out, stdout = trained
    assert f"✔ Report: {out / 'report.html'}" in stdout
    root = parse(out / "report.html")
    charts = [f.get("data-component") for f in root.iter("figure")]
    assert charts == ["Tagger", "Parser", "Entity recognizer", "Tokenization", "Losses"]
    scores = best_scores(out)
    found = tables(root)
    for key in ("tag_per_label", "dep_per_label", "ents_per_type"):
        assert [row[0] for row in found[key]] == list(scores[key]), key
    assert {"PER", "LOC"} <= set(scores["ents_per_type"]) and "nsubj" in scores["dep_per_label"]
    assert {"NNP", "VBD", "DT", "JJ", "NN", "IN", "."} <= set(scores["tag_per_label"])
    assert [[g, p, int(n)] for g, p, n in found.get("tag_confusions", [])] == scores["tag_confusions"]


def test_report_command_rebuilds_it_identically(trained, nlp_cmd, cli):
    out, _ = trained
    before = (out / "report.html").read_bytes()
    (out / "report.html").unlink()
    proc = cli.run(nlp_cmd, "report", out)
    assert proc.stdout.strip() == f"✔ Saved {out / 'report.html'}"
    assert (out / "report.html").read_bytes() == before


def test_report_command_errors_are_one_line(tmp_path, nlp_cmd, cli, capsys):
    from nlp_cli.__main__ import main

    with pytest.raises(SystemExit) as info:
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and out.startswith("usage: nlp report") and "training-log.jsonl" in out
    missing = cli.run(nlp_cmd, "report", tmp_path / "nowhere", ok=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"✘ training output folder not found: {tmp_path / 'nowhere'}"
    no_log = cli.run(nlp_cmd, "report", tmp_path, ok=False)
    assert no_log.stderr.strip() == f"✘ training log not found: {tmp_path / 'training-log.jsonl'}"
    log = tmp_path / "training-log.jsonl"
    log.write_text(json.dumps({"epoch": 1, "scores": {"tag_acc": 50.0}}) + "\n{\"epoch\": 2,\n")
    bad = cli.run(nlp_cmd, "report", tmp_path, ok=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith(f"✘ {log}:2: invalid JSON (") and bad.stderr.count("\n") == 1


def test_an_early_stop_still_writes_the_report(tmp_path, corpus, nlp_cmd, cli):
    proc = cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], corpus["dev"], "-p", "tagger", "-n", "5",
                   "--max-minutes", "0.0001", *cli.tiny)
    assert "(stopped by time)" in proc.stdout
    root = parse(tmp_path / "report.html")
    assert [f.get("data-component") for f in root.iter("figure")] == ["Tagger", "Tokenization", "Losses"]
    assert "tag_per_label" in tables(root)


def test_evaluate_html_writes_summary_and_per_label_tables(tmp_path, trained, corpus, nlp_cmd, cli):
    model = trained[0] / "model-best"
    page = tmp_path / "eval" / "report.html"
    proc = cli.run(nlp_cmd, "evaluate", model, corpus["dev"], "-o", page)
    assert f"✔ Saved scores to {page}" in proc.stdout
    cli.run(nlp_cmd, "evaluate", model, corpus["dev"], "-o", tmp_path / "m.json")
    scores = json.loads((tmp_path / "m.json").read_text())
    found = tables(parse(page))
    summary = dict(found["summary"])
    assert summary["UAS"] == f"{scores['uas']:.2f}" and summary["NER F"] == f"{scores['ents_f']:.2f}"
    printed = dict(line.rsplit(None, 1) for line in proc.stdout.splitlines()
                   if line.split(" ")[0] in ("UAS", "LAS", "Tag"))
    assert printed["UAS"] == summary["UAS"] and printed["Tag %"] == summary["Tag %"]
    for key in ("tag_per_label", "dep_per_label", "ents_per_type"):
        assert [row[0] for row in found[key]] == list(scores[key]), key
        assert found[key][0][1:] == [f"{scores[key][row][k]:.2f}" for row in list(scores[key])[:1]
                                     for k in "prf"], key
    assert [[g, p, int(n)] for g, p, n in found.get("tag_confusions", [])] == scores["tag_confusions"]
