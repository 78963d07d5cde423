"""`nlp train -p crf_ner` from a CoNLL-2003-style columns file, then `nlp evaluate` (the per-type
table) and `nlp apply` (each entity's score in the JSONL records); the saved model holds the
temperature fitted on dev."""

import json


def test_train_evaluate_and_apply_crf_ner(tmp_path, data, nlp_cmd, cli):
    train = data.columns(tmp_path / "train.iob", 40, seed=1)
    dev = data.columns(tmp_path / "dev.iob", 12, seed=2)
    out = tmp_path / "out"
    proc = cli.run(nlp_cmd, "train", "en", out, train, dev, "-p", "crf_ner", "-n", "4", *cli.tiny)
    assert "NER F" in proc.stdout
    assert json.loads((out / "model-best" / "meta.json").read_text())["pipeline"] == ["crf_ner"]
    temperature = json.loads((out / "model-best" / "crf_ner" / "cfg.json").read_text())["temperature"]
    assert 0.25 <= temperature <= 16.0 and temperature != 1.0  # fitted on dev by the loop

    proc = cli.run(nlp_cmd, "evaluate", out / "model-best", dev)
    assert "NER per type" in proc.stdout and "PER" in proc.stdout

    texts = data.texts(tmp_path / "texts.jsonl", 6, seed=3)
    cli.run(nlp_cmd, "apply", out / "model-best", texts, tmp_path / "ents.jsonl")
    records = [json.loads(line) for line in (tmp_path / "ents.jsonl").read_text(encoding="utf8").splitlines()]
    ents = [e for record in records for e in record["ents"]]
    assert ents and all(0.0 <= e["score"] <= 1.0 and e["label"] in ("PER", "LOC") for e in ents)
    assert max(e["score"] for e in ents) > 0.5
