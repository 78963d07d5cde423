"""`nlp train` records every setting of a run as config.json (in each model folder and in
OUTPUT_DIR), and `nlp train --config FILE` re-runs it: from the model alone, from another
working directory, the same weights and scores; options on the command line override the
config; a bad config is one line. Run in-process through the command's parser, on small
written corpora."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import nlp_models
from nlp_cli._errors import run_command
from nlp_cli.train import train
from nlp_train import SETTINGS

TINY = ("-cw", "32", "-cd", "1", "-er", "500")


def nlp_train(capsys, *args) -> tuple[int, str, str]:
    """`nlp train ARGS` in-process: (exit status, stdout, stderr)."""
    status = run_command(train, [str(a) for a in args], "nlp train")
    out, err = capsys.readouterr()
    return status, out, err


def failure(capsys, *args) -> str:
    """The one line of an `nlp train ARGS` that must fail (exit 1, no traceback)."""
    status, _, err = nlp_train(capsys, *args)
    assert status == 1 and err.count("\n") == 1 and err.startswith("✘ "), err
    return err.strip()


def weights(model: Path) -> dict[str, bytes]:
    return {name: (model / name / "model.bin").read_bytes() for name in ("tagger", "parser")}


def dev_scores(out: Path) -> list[dict]:
    """Each epoch's dev scores, less the words per second."""
    records = [json.loads(line) for line in (out / "training-log.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r["scores"].items() if k != "wps"} for r in records]


@pytest.fixture(scope="module")
def first(tmp_path_factory, data) -> dict[str, Path]:
    """A 2-epoch tagger+parser run from its data folder, with relative paths and a learning rate
    from the environment (so a re-run must take it from the config to match)."""
    root = tmp_path_factory.mktemp("config-run")
    (root / "corpus").mkdir()
    data.conllu(root / "corpus" / "train.conllu", 20, seed=1)
    data.conllu(root / "corpus" / "dev.conllu", 6, seed=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("NLP_LEARN_RATE", "0.003")
        status = run_command(train, ["en", "out", "corpus/train.conllu", "corpus/dev.conllu", "-p",
                                     "tagger,parser", "-n", "2", "--seed", "3", *TINY], "nlp train")
        assert status == 0
    return {"root": root, "out": root / "out"}


def test_the_run_records_every_setting(first):
    out, root = first["out"], first["root"]
    config = json.loads((out / "config.json").read_text(encoding="utf8"))
    for model in ("model-final", "model-best", "model1", "model2"):
        assert json.loads((out / model / "config.json").read_text(encoding="utf8")) == config
    options = config["options"]
    assert options["lang"] == "en" and options["train_path"] == "corpus/train.conllu"  # as given
    assert (options["n_iter"], options["seed"], options["conv_width"], options["pipeline"]) == (2, 3, 32, "tagger,parser")
    assert options["textcat_arch"] is None and options["shared_tok2vec"] is False  # defaults too
    assert options["preset"] == "efficiency"  # the default, recorded by name
    assert config["paths"]["train_path"] == str(root / "corpus" / "train.conllu")
    assert config["paths"]["output_dir"] == str(out)
    assert sorted(config["recipe"]) == sorted(SETTINGS)
    assert config["recipe"]["learn_rate"] == 0.003  # from the environment
    assert config["recipe"]["dropout_from"] == SETTINGS["dropout_from"].default
    assert config["recipe"]["batch_to"] is None  # the components' maximum decides
    assert config["components"]["tagger"]["width"] == 32 and config["components"]["parser"]["seed"] == 3
    assert config["versions"]["nlp-cli"] and config["versions"]["python"]
    assert nlp_models.load(out / "model-final").config == config


def test_the_model_alone_reproduces_the_run(first, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # elsewhere: the recorded absolute paths find the corpora
    code, out, _ = nlp_train(capsys, "en", "again", "--config", first["out"] / "model-final")
    assert code == 0
    assert f"Re-running the training recorded in {first['out'] / 'model-final' / 'config.json'}" in out
    assert "NLP_LEARN_RATE" not in os.environ  # the config's recipe was set for the run only
    again = tmp_path / "again"
    assert weights(again / "model-final") == weights(first["out"] / "model-final")
    assert dev_scores(again) == dev_scores(first["out"])
    config = json.loads((again / "config.json").read_text(encoding="utf8"))
    assert config["recipe"]["learn_rate"] == 0.003 and config["paths"]["output_dir"] == str(again)
    recorded = json.loads((first["out"] / "config.json").read_text(encoding="utf8"))
    assert config["options"]["train_path"] == recorded["paths"]["train_path"]


def test_command_line_options_override_the_config(first, tmp_path, capsys):
    code, out, _ = nlp_train(capsys, "en", tmp_path / "short", "-n", "1", "--config", first["out"])
    assert code == 0 and "(from the command line: lang, n_iter, output_dir)" in out
    assert not (tmp_path / "short" / "model2").exists() and (tmp_path / "short" / "model1").exists()
    config = json.loads((tmp_path / "short" / "model-final" / "config.json").read_text(encoding="utf8"))
    assert config["options"]["n_iter"] == 1 and config["options"]["seed"] == 3  # the rest from the config
    assert weights(tmp_path / "short" / "model1") == weights(first["out"] / "model1")


def test_the_environment_overrides_the_configs_recipe(first, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NLP_LEARN_RATE", "0.001")
    code, out, _ = nlp_train(capsys, "en", tmp_path / "env", "-n", "1", "--config", first["out"])
    assert code == 0 and "learn_rate=0.001 from the environment, not the config's 0.003" in out
    config = json.loads((tmp_path / "env" / "config.json").read_text(encoding="utf8"))
    assert config["recipe"]["learn_rate"] == 0.001


def _config_file(tmp_path: Path, first, **changes) -> Path:
    config = json.loads((first["out"] / "config.json").read_text(encoding="utf8"))
    for section, entries in changes.items():
        config[section] = {**config.get(section, {}), **entries} if isinstance(entries, dict) else entries
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf8")
    return path


@pytest.mark.parametrize("changes,expect", [
    ({"options": {"n_iters": 2}}, "unknown option 'n_iters' in 'options'"),
    ({"options": {"n_iter": "2"}}, "option 'n_iter' must be a whole number, got '2'"),
    ({"options": {"n_iter": None}}, "option 'n_iter' must be a whole number, got None"),
    ({"options": {"dropout": "high"}}, "option 'dropout' must be a number or null, got 'high'"),
    ({"options": {"gold_words": 1}}, "option 'gold_words' is a flag: true or false, got 1"),
    ({"options": {"textcat_arch": "lstm"}}, "option 'textcat_arch' must be one of ensemble"),
    ({"recipe": {"learning_rate": 0.1}}, "unknown recipe setting 'learning_rate'"),
    ({"recipe": {"learn_rate": "fast"}}, "recipe setting 'learn_rate' must be a number or null"),
    ({"options": [1]}, "'options' must be a JSON object"),
    ({"command": "pretrain"}, "not a config of `nlp train`"),
    ({"extra": {}}, "unknown section 'extra'"),
])
def test_a_bad_config_is_one_line_naming_it(first, tmp_path, capsys, changes, expect):
    path = _config_file(tmp_path, first, **changes)
    line = failure(capsys, "--config", path)
    assert line.startswith(f"✘ {path}: ") and expect in line, line


def test_config_files_that_are_not_one(tmp_path, capsys):
    (tmp_path / "broken.json").write_text('{"options": {', encoding="utf8")
    assert failure(capsys, "--config", tmp_path / "broken.json").startswith(
        f"✘ {tmp_path / 'broken.json'}: invalid JSON")
    (tmp_path / "model").mkdir()
    assert "the folder holds no config.json" in failure(capsys, "--config", tmp_path / "model")
    assert "--config file not found" in failure(capsys, "--config", tmp_path / "nothing.json")


def test_the_positionals_are_needed_without_a_config(tmp_path, capsys):
    line = failure(capsys, "en", tmp_path / "out")
    assert "missing TRAIN_PATH, DEV_PATH: give them, or --config FILE" in line
