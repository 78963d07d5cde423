"""`nlp train --preset`: efficiency is the default (one shared depth-2 tok2vec for the tagger and
parser, ner's own depth-2 tok2vec, a bag-of-words textcat); each preset trains, is recorded in
config.json and meta.json, loads with no flag and scores as it did in training, packages, re-runs
from its config and reproduces per seed; options override it; -st/-nst compose with it; bad names
are one line. (--resume with a preset: test_resume.py; -t2v sizes: test_textcat_v2.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nlp_models
from nlp_cli._corpus import load_examples
from nlp_cli._errors import run_command
from nlp_cli.package import package
from nlp_cli.train import train

#: The accuracy preset's character CNN width (the figure these tests expect a model to have).
ACCURACY_CHARS = nlp_models.get_preset("accuracy").tok2vec["chars"]

PIPELINE = "tagger,parser,ner"
SCORES = ("tag_acc", "uas", "las", "ents_f")


def nlp_train(*args: object) -> int:
    """`nlp train ARGS` in-process: its exit status."""
    return run_command(train, [str(a) for a in args], "nlp train")


def error_line(capsys, *args: object) -> str:
    """The one `✘` line of an `nlp train ARGS` that must exit 1."""
    capsys.readouterr()
    assert nlp_train(*args) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("✘ "), lines
    return lines[0]


def weights(model: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(model.glob("*/model.bin"))}


def cfgs(model: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(model.glob("*/cfg.json"))}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, corpus) -> dict[str, Path]:
    """Two epochs of tagger, parser and ner on 20 sentences with each preset (its own sizes: no
    size options)."""
    root = tmp_path_factory.mktemp("presets")
    outs = {}
    for preset in ("efficiency", "accuracy"):
        outs[preset] = root / preset
        args = ["en", outs[preset], corpus["train"], corpus["dev"], "-p", PIPELINE, "-n", "2", "--seed", "3",
                "-ns", "20"]
        if preset != "efficiency":
            args += ["--preset", preset]  # efficiency: the default, named by no option
        assert nlp_train(*args) == 0
    return outs


def test_the_default_is_the_efficiency_preset(runs):
    out = runs["efficiency"]
    meta = json.loads((out / "model-final" / "meta.json").read_text())
    assert meta["preset"] == "efficiency" and meta["pipeline"] == ["tok2vec", "tagger", "parser", "ner"]
    config = json.loads((out / "config.json").read_text())
    assert config["options"]["preset"] == "efficiency"
    cfg = cfgs(out / "model-final")
    assert cfg["tok2vec"]["depth"] == 2 and cfg["tagger"]["tok2vec"] == cfg["parser"]["tok2vec"] == "tok2vec"
    assert cfg["ner"]["depth"] == 2 and "tok2vec" not in cfg["ner"]
    assert all(c["preset"] == "efficiency" for c in cfg.values())


def test_the_accuracy_preset_is_recorded_and_expanded(runs):
    out = runs["accuracy"]
    assert json.loads((out / "model-final" / "meta.json").read_text())["preset"] == "accuracy"
    assert json.loads((out / "model-best" / "config.json").read_text())["options"]["preset"] == "accuracy"
    cfg = cfgs(out / "model-final")
    for name, depth in (("tok2vec", 6), ("ner", 4)):
        assert (cfg[name]["width"], cfg[name]["depth"], cfg[name]["embed_rows"]) == (128, depth, [10000, 5000, 5000, 5000])
        assert (cfg[name]["chars"], cfg[name]["char_len"], cfg[name]["char_dim"]) == (ACCURACY_CHARS, 16, 32)
    assert cfg["tagger"]["tok2vec"] == "tok2vec" and cfg["tagger"]["width"] == 128  # the listener's width follows


@pytest.mark.parametrize("preset", ["efficiency", "accuracy"])
def test_a_loaded_model_needs_no_flag_and_scores_as_in_training(runs, corpus, preset):
    model = runs[preset] / "model-best"
    nlp = nlp_models.load(model)
    recorded = json.loads((model / "meta.json").read_text())["accuracy"]
    dev = load_examples(corpus["dev"], nlp.vocab, nlp.make_doc, "development data", raw_text=True)
    scores = nlp.evaluate(dev)
    assert {key: round(scores[key], 6) for key in SCORES} == {key: round(recorded[key], 6) for key in SCORES}
    assert scores["tag_acc"] > 50.0


def test_the_accuracy_model_packages_and_loads_by_name(runs, tmp_path):
    assert run_command(package, [str(runs["accuracy"] / "model-best"), str(tmp_path), "--name", "en_accurate",
                                 "--version", "0.1.0"], "nlp package") == 0
    root = tmp_path / "en_accurate-0.1.0"
    code = (f"import sys; sys.path.insert(0, {str(root)!r}); import nlp_models; nlp = nlp_models.load('en_accurate'); "
            "doc = nlp('Ada Moss sold the old boat in Oslo.'); "
            "print(nlp.meta['preset'], nlp.get_pipe('tok2vec').cfg['chars'], len(doc), bool(doc[0].tag_))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["accuracy", str(ACCURACY_CHARS), "9", "True"]


def test_the_same_seed_and_the_config_rerun_give_the_same_weights(runs, corpus, tmp_path, capsys):
    reference = weights(runs["accuracy"] / "model-final")
    assert sorted(reference) == ["ner", "parser", "tagger", "tok2vec"]
    assert nlp_train("en", tmp_path / "again", corpus["train"], corpus["dev"], "-p", PIPELINE, "-n", "2",
                     "--seed", "3", "-ns", "20", "--preset", "accuracy") == 0
    assert weights(tmp_path / "again" / "model-final") == reference
    capsys.readouterr()
    assert nlp_train("en", tmp_path / "rerun", "--config", runs["accuracy"] / "model-final") == 0
    assert "Re-running the training recorded in" in capsys.readouterr().out
    assert weights(tmp_path / "rerun" / "model-final") == reference


def test_options_override_the_preset_and_sharing_composes(corpus, tmp_path):
    common = [corpus["train"], corpus["dev"], "-p", PIPELINE, "-n", "1", "-er", "500"]
    assert nlp_train("en", tmp_path / "own", *common, "-nst", "-cd", "3") == 0
    own = cfgs(tmp_path / "own" / "model-final")
    assert sorted(own) == ["ner", "parser", "tagger"] and all("tok2vec" not in c for c in own.values())
    assert {c["depth"] for c in own.values()} == {3} and {c["embed_rows"] for c in own.values()} == {500}
    assert nlp_train("en", tmp_path / "all", *common, "-st", "--preset", "accuracy", "-cw", "48") == 0
    shared = cfgs(tmp_path / "all" / "model-final")
    assert all(shared[name]["tok2vec"] == "tok2vec" for name in ("tagger", "parser", "ner"))
    assert (shared["tok2vec"]["width"], shared["tok2vec"]["depth"], shared["tok2vec"]["chars"]) == (48, 6, ACCURACY_CHARS)
    assert nlp_train("en", tmp_path / "one", corpus["train"], corpus["dev"], "-p", "tagger", "-n", "1",
                     "-er", "500") == 0  # one component: nothing to share
    assert list(cfgs(tmp_path / "one" / "model-final")) == ["tagger"]


def test_a_base_model_shares_only_with_st(corpus, tmp_path):
    common = [corpus["train"], corpus["dev"], "-n", "1", "-cw", "32", "-er", "500"]
    assert nlp_train("en", tmp_path / "base", *common, "-p", "ner") == 0
    assert nlp_train("en", tmp_path / "more", *common, "-p", "tagger,parser",
                     "-b", tmp_path / "base" / "model-final") == 0
    nlp = nlp_models.load(tmp_path / "more" / "model-final")
    assert nlp.pipe_names == ["ner", "tagger", "parser"]
    assert nlp.get_pipe("tagger").listens_to is None and nlp.get_pipe("tagger").cfg["depth"] == 2


def test_bad_preset_options_are_one_line(corpus, tmp_path, capsys):
    common = ["en", tmp_path / "out", corpus["train"], corpus["dev"], "-n", "1"]
    assert error_line(capsys, *common, "--preset", "fast") == (
        "✘ --preset: unknown preset 'fast': choose one of efficiency, accuracy")
    assert error_line(capsys, *common, "-st", "-nst") == "✘ -nst/--no-shared-tok2vec contradicts -st/--shared-tok2vec"
    assert error_line(capsys, *common, "-p", "tok2vec,tagger", "-nst") == (
        "✘ -nst/--no-shared-tok2vec contradicts tok2vec in -p/--pipeline")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"command": "train", "options": {"preset": 7}}))
    assert "option 'preset' must be a string or null, got 7" in error_line(capsys, *common, "--config", config)
    assert not (tmp_path / "out" / "model-final").exists()
