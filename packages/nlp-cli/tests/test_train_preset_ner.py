"""The entity recognizer of each preset: under `--preset accuracy`, `nlp train -p ner` trains the
CRF recognizer (factory `crf_ner`) under the name "ner", which the saved model records (it loads
with no flag), `nlp evaluate` scores, `nlp apply` writes with a score per entity, `nlp package`
ships, `--resume` continues and `nlp pretrain --preset accuracy` weights fit; under efficiency
it stays the greedy `ner`, which gives no scores; `-p crf_ner` names the factory itself under
either preset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlp_models

#: The accuracy preset's character CNN width (the figure these tests expect a model to have).
ACCURACY_CHARS = nlp_models.get_preset("accuracy").tok2vec["chars"]


@pytest.fixture(scope="module")
def columns(tmp_path_factory, data) -> dict[str, Path]:
    """CoNLL-2003-style train and dev columns (PER and LOC entities), raw texts."""
    root = tmp_path_factory.mktemp("ner-data")
    return {"train": data.columns(root / "train.iob", 40, seed=1), "dev": data.columns(root / "dev.iob", 12, seed=2),
            "texts": data.texts(root / "texts.jsonl", 6, seed=3)}


@pytest.fixture(scope="module")
def accuracy_run(tmp_path_factory, columns, nlp_cmd, cli) -> Path:
    """Three epochs of `nlp train -p ner --preset accuracy` (tiny sizes, the preset's character features)."""
    out = tmp_path_factory.mktemp("accuracy-ner") / "out"
    cli.run(nlp_cmd, "train", "en", out, columns["train"], columns["dev"], "-p", "ner", "--preset", "accuracy",
            "-n", "3", *cli.tiny)
    return out


def applied_entities(model: Path, texts: Path, out: Path, nlp_cmd: list[str], cli) -> list[dict]:
    """The entity objects `nlp apply MODEL TEXTS` writes, over all records."""
    cli.run(nlp_cmd, "apply", model, texts, out)
    records = [json.loads(line) for line in out.read_text(encoding="utf8").splitlines()]
    return [ent for record in records for ent in record["ents"]]


def test_the_accuracy_presets_ner_is_a_crf_ner_recorded_in_the_model(accuracy_run):
    model = accuracy_run / "model-best"
    meta = json.loads((model / "meta.json").read_text())
    assert meta["pipeline"] == ["ner"] and meta["factories"] == {"ner": "crf_ner"} and meta["preset"] == "accuracy"
    cfg = json.loads((model / "ner" / "cfg.json").read_text())
    assert cfg["preset"] == "accuracy" and cfg["chars"] == ACCURACY_CHARS
    assert 0.25 <= cfg["temperature"] <= 16.0 and cfg["temperature"] != 1.0  # fitted on dev by the loop
    ner = nlp_models.load(model).get_pipe("ner")  # no flag: the factory comes from the model
    assert ner.factory == "crf_ner" and set(ner.labels) == {"PER", "LOC"}


def test_the_accuracy_presets_ner_scores_each_entity_in_apply_and_evaluates(accuracy_run, columns, tmp_path,
                                                                            nlp_cmd, cli):
    ents = applied_entities(accuracy_run / "model-best", columns["texts"], tmp_path / "ents.jsonl", nlp_cmd, cli)
    assert ents and all(0.0 <= ent["score"] <= 1.0 and ent["label"] in ("PER", "LOC") for ent in ents)
    assert max(ent["score"] for ent in ents) > 0.5
    proc = cli.run(nlp_cmd, "evaluate", accuracy_run / "model-best", columns["dev"])
    assert "NER per type" in proc.stdout and "PER" in proc.stdout


def test_the_accuracy_presets_ner_packages_and_scores_when_loaded_by_name(accuracy_run, tmp_path, monkeypatch,
                                                                           nlp_cmd, cli):
    cli.run(nlp_cmd, "package", accuracy_run / "model-best", tmp_path, "--name", "en_ents", "--version", "0.1.0")
    monkeypatch.syspath_prepend(str(tmp_path / "en_ents-0.1.0"))  # as if installed
    nlp = nlp_models.load("en_ents")
    ents = nlp("Ada Moss sold the old boat in Oslo .").ents
    assert nlp.get_pipe("ner").factory == "crf_ner"
    assert ents and all(0.0 <= ent.score <= 1.0 for ent in ents)


def test_a_resumed_accuracy_run_keeps_the_crf_ner(tmp_path, columns, nlp_cmd, cli):
    out = tmp_path / "out"
    args = ["train", "en", out, columns["train"], columns["dev"], "-p", "ner", "-n"]
    cli.run(nlp_cmd, *args, "1", "--preset", "accuracy", *cli.tiny)
    proc = cli.run(nlp_cmd, *args, "2", "--resume", *cli.tiny)  # the checkpoint's preset, not told
    assert "Resuming from" in proc.stdout
    meta = json.loads((out / "model-final" / "meta.json").read_text())
    assert meta["factories"] == {"ner": "crf_ner"} and meta["preset"] == "accuracy"
    config = json.loads((out / "model-final" / "config.json").read_text())
    assert config["options"]["preset"] == "accuracy" and "temperature" in config["components"]["ner"]


def test_the_efficiency_presets_ner_is_the_greedy_one_without_scores(tmp_path, columns, nlp_cmd, cli):
    out = tmp_path / "out"
    cli.run(nlp_cmd, "train", "en", out, columns["train"], columns["dev"], "-p", "ner", "-n", "2", *cli.tiny)
    assert json.loads((out / "model-best" / "meta.json").read_text())["factories"] == {"ner": "ner"}
    ents = applied_entities(out / "model-best", columns["texts"], tmp_path / "ents.jsonl", nlp_cmd, cli)
    assert ents and all("score" not in ent for ent in ents)


def test_pretrained_weights_of_the_preset_load_into_the_accuracy_presets_ner(tmp_path, columns, in_process,
                                                                            monkeypatch, nlp_cmd, cli):
    """`nlp pretrain --preset accuracy` weights fit the crf_ner's own tok2vec (the loop is not run)."""
    import nlp_cli.train

    nlp_models.blank("en").to_disk(tmp_path / "blank")
    cli.run(nlp_cmd, "pretrain", columns["texts"], tmp_path / "blank", tmp_path / "pt", "-o", "characters", "-i", "1",
            "--preset", "accuracy")
    handed = []
    monkeypatch.setattr(nlp_cli.train, "_run_loop", lambda trainee, *args: handed.append(trainee.nlp))
    code, out, err = in_process.run("train", "en", tmp_path / "out", columns["train"], columns["dev"], "-p", "ner",
                                    "--preset", "accuracy", "-t2v", tmp_path / "pt" / "model0.bin")
    assert code == 0, err
    assert "Loaded pretrained tok2vec weights into 1 component" in out
    assert handed[0].get_pipe("ner").factory == "crf_ner"


@pytest.mark.parametrize("preset", ["efficiency", "accuracy"])
def test_crf_ner_in_the_pipeline_names_its_factory_under_either_preset(tmp_path, columns, in_process, monkeypatch,
                                                                        preset):
    """`-p crf_ner` makes a component called "crf_ner" of that factory; `-p ner,crf_ner` under
    accuracy makes two CRF recognizers (the loop is not run: the pipeline is what is checked)."""
    import nlp_cli.train

    handed = []
    monkeypatch.setattr(nlp_cli.train, "_run_loop", lambda trainee, *args: handed.append(trainee.nlp))
    pipeline = "crf_ner" if preset == "efficiency" else "ner,crf_ner"
    code, _, err = in_process.run("train", "en", tmp_path / "out", columns["train"], columns["dev"], "-p", pipeline,
                                  "--preset", preset, "-cw", "32", "-cd", "1", "-er", "500")
    assert code == 0, err
    nlp = handed[0]
    assert nlp.pipe_names == pipeline.split(",")
    assert all(proc.factory == "crf_ner" and proc.cfg["preset"] == preset for _, proc in nlp.pipeline)
