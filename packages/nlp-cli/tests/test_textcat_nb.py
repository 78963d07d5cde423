"""`nlp train -ta nb_bow` / `nb_ensemble`: the NB-weighted text classifier trains from JSONL,
evaluates, and a package of it loads by name with the same scores (its n-gram vocabulary and
log-count ratios travel as data in model.bin)."""

import json
import sys

import pytest


@pytest.mark.parametrize("architecture", ["nb_bow", "nb_ensemble"])
def test_nb_textcat_trains_evaluates_and_packages(tmp_path, nlp_cmd, cli, data, architecture):
    data.reviews(tmp_path / "train.jsonl", 40)
    data.reviews(tmp_path / "dev.jsonl", 10, seed=1)
    cli.run(nlp_cmd, "train", "en", tmp_path / "out", tmp_path / "train.jsonl", tmp_path / "dev.jsonl", "-p",
            "textcat", "-n", "3", "-ta", architecture, *cli.tiny)
    model = tmp_path / "out" / "model-final"
    config = json.loads((model / "config.json").read_text())
    assert config["components"]["textcat"]["architecture"] == architecture
    metrics = tmp_path / "m.json"
    cli.run(nlp_cmd, "evaluate", model, tmp_path / "dev.jsonl", "-o", metrics)
    assert json.loads(metrics.read_text())["textcat_acc"] >= 90.0
    cli.run(nlp_cmd, "package", model, tmp_path / "pkg", "--name", "en_nb", "--version", "0.1.0")
    root = tmp_path / "pkg" / "en_nb-0.1.0"
    code = (f"import sys, json; sys.path.insert(0, {str(root)!r}); import nlp_models; "
            "print(json.dumps(nlp_models.load('en_nb')('a superb film .').cats, sort_keys=True))")
    packaged = json.loads(cli.run([sys.executable, "-c", code]).stdout.strip().splitlines()[-1])
    import nlp_models

    assert packaged == pytest.approx(nlp_models.load(model)("a superb film .").cats, abs=1e-6)
    assert packaged["pos"] > 0.5
