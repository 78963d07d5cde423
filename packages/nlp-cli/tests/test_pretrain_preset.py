"""`nlp pretrain --preset` builds the preset's tok2vec (sizes, character features, encoder), so
`nlp train --preset ... -t2v` starts from exactly those weights; a -t2v that does not fit is
one line naming the settings that differ; `nlp pretrain --resume` continues a run exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import srsly

import nlp_models
from nlp_cli._errors import UserError
from nlp_cli._tok2vec import check_compatible
from nlp_models.ml import featurize_for
from nlp_models.pretraining import build_pretrain_tok2vec

#: The accuracy preset's character CNN width (the figure these tests expect a model to have).
ACCURACY_CHARS = nlp_models.get_preset("accuracy").tok2vec["chars"]
ACCURACY_WINDOW = nlp_models.get_preset("accuracy").tok2vec["char_window"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank"
    nlp_models.blank("en").to_disk(path)
    return path


@pytest.fixture(scope="module")
def accuracy_weights(tmp_path_factory, corpus, blank, nlp_cmd, cli) -> Path:
    """`nlp pretrain --preset accuracy` on a tiny raw file, two epochs."""
    out = tmp_path_factory.mktemp("pretrain") / "pt"
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, out, "-o", "characters", "-i", "2", "-bs", "200",
            "--preset", "accuracy")
    return out


def settings(config: dict) -> dict:
    keys = ("width", "depth", "embed_rows", "chars", "char_len", "char_dim", "char_edges", "char_window", "encoder")
    return {key: config[key] for key in keys}


def test_pretrain_records_the_presets_tok2vec(accuracy_weights):
    config = json.loads((accuracy_weights / "config.json").read_text())
    preset = nlp_models.get_preset("accuracy").tok2vec
    assert config["preset"] == "accuracy"
    recorded = settings(config)
    assert {key: recorded[key] for key in recorded if key in preset} == {key: preset[key] for key in recorded
                                                                         if key in preset}
    assert recorded["char_edges"] is False and "char_edges" not in preset  # the default, recorded


def test_train_with_the_preset_starts_from_the_pretrained_weights(tmp_path, corpus, accuracy_weights, in_process,
                                                                  monkeypatch):
    """The shared tok2vec that `nlp train --preset accuracy -t2v` hands to the loop computes what
    the pretrained tok2vec computes: its first step reads the pretrained weights."""
    import nlp_cli.train

    handed = []
    monkeypatch.setattr(nlp_cli.train, "_run_loop", lambda trainee, *args: handed.append(trainee.nlp))
    weights = accuracy_weights / "model1.bin"
    code, out, _ = in_process.run("train", "en", tmp_path / "out", corpus["train"], corpus["dev"], "-p",
                                  "tagger,parser", "--preset", "accuracy", "-t2v", weights)
    assert code == 0 and "Loaded pretrained tok2vec weights into 1 component" in out
    nlp = handed[0]
    shared = nlp.get_pipe("tok2vec").model
    assert nlp.get_pipe("tok2vec").cfg["chars"] == ACCURACY_CHARS
    pretrained, _ = build_pretrain_tok2vec(**settings(json.loads((accuracy_weights / "config.json").read_text())))
    docs = [nlp.make_doc("Ada Moss sold the green boat in Oslo ."), nlp.make_doc("Cleo Varga wrote a song .")]
    pretrained.initialize(X=featurize_for(pretrained, docs))
    pretrained.from_bytes(weights.read_bytes())
    ours = shared.predict(featurize_for(shared, docs))
    theirs = pretrained.predict(featurize_for(pretrained, docs))
    assert [out.shape for out in ours] == [(len(doc), 128) for doc in docs]
    assert all((mine == pretrained_out).all() for mine, pretrained_out in zip(ours, theirs))


def test_weights_of_another_preset_name_the_settings_that_differ(tmp_path, corpus, blank, in_process, nlp_cmd, cli):
    out = tmp_path / "pt"
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, out, "-o", "characters", "-i", "1", "--preset",
            "efficiency", *cli.tiny)
    line = in_process.error("train", "en", tmp_path / "out", corpus["train"], corpus["dev"], "-p", "tagger,parser",
                            "--preset", "accuracy", "-t2v", out / "model0.bin")
    assert line == (f"✘ {out / 'model0.bin'}: pretrained tok2vec does not fit the shared tok2vec: "
                    f"chars 0 (pretrained) vs {ACCURACY_CHARS}, char_len 0 vs 16, char_dim 0 vs 32, "
                    f"char_window 0 vs {ACCURACY_WINDOW}; use the same --preset "
                    "and -cw/-cd/-er in `nlp pretrain` and `nlp train`, and -v only with weights of `nlp pretrain -iv` "
                    "on the same vectors")
    assert not (tmp_path / "out" / "model1").exists()


def test_weights_saved_before_the_character_window_read_windows_of_three():
    nlp = nlp_models.blank("en")
    models = {}
    for window in (3, 5):
        models[window], _ = build_pretrain_tok2vec(width=32, depth=1, embed_rows=50, chars=8, char_window=window)
        models[window].initialize(X=featurize_for(models[window], [nlp.make_doc("one two three")]))
    msg = srsly.msgpack_loads(models[3].to_bytes())
    for node in msg["nodes"]:  # as `nlp pretrain` wrote them before the window was a dim
        node["dims"].pop("nW", None)
    check_compatible(models[3], msg, "w.bin", "tagger")  # fits a tok2vec of windows of three
    with pytest.raises(UserError) as info:
        check_compatible(models[5], msg, "w.bin", "tagger")
    assert str(info.value) == ("w.bin: pretrained tok2vec does not fit the tagger tok2vec: char_window 3 (pretrained) "
                               "vs 5; use the same --preset and -cw/-cd/-er in `nlp pretrain` and `nlp train`, "
                               "and -v only with weights of `nlp pretrain -iv` on the same vectors")


def test_encoder_and_sizes_are_named_too():
    saved, _ = build_pretrain_tok2vec(width=32, depth=2, embed_rows=50, chars=8, encoder="cnn")
    ours, _ = build_pretrain_tok2vec(width=32, depth=1, embed_rows=60, chars=8, encoder="bilstm")
    nlp = nlp_models.blank("en")
    for model in (saved, ours):
        model.initialize(X=featurize_for(model, [nlp.make_doc("one two three")]))
    with pytest.raises(UserError) as info:
        check_compatible(ours, srsly.msgpack_loads(saved.to_bytes()), "w.bin", "tagger")
    assert str(info.value) == ("w.bin: pretrained tok2vec does not fit the tagger tok2vec: depth 2 (pretrained) vs 1, "
                               "encoder cnn vs bilstm, embed_rows 50/50/50/50 vs 60/60/60/60; use the same "
                               "--preset and -cw/-cd/-er in `nlp pretrain` and `nlp train`, and -v only with weights of `nlp pretrain -iv` "
                    "on the same vectors")


def test_resume_continues_exactly(tmp_path, corpus, blank, nlp_cmd, cli):
    """Two epochs in one run, and one epoch then --resume for the second, write the same weights
    and the same log (the masked words drawn the same too); the -s snapshots of the resumed
    epoch are numbered by its epoch."""
    options = ("-o", "characters", "-bs", "150", "-s", "2", "--preset", "accuracy", "-cw", "32", "-er", "300",
               "-mr", "0.2")
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, whole, "-i", "2", *options)
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, parts, "-i", "1", *options)
    assert not (parts / "model1.bin").exists()
    proc = cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, parts, "-i", "2", *options, "--resume")
    assert "Resuming from" in proc.stdout and "objective characters on 20% of the words, hidden" in proc.stdout
    assert json.loads((whole / "config.json").read_text())["mask_rate"] == 0.2
    for name in ("model0.bin", "model1.bin", "model1.2.bin", "model-best/tok2vec.bin"):
        assert (parts / name).read_bytes() == (whole / name).read_bytes(), name
    strip = [{k: v for k, v in json.loads(line).items() if k not in ("wps", "seconds")}
             for line in (parts / "log.jsonl").read_text().splitlines()]
    assert strip == [{k: v for k, v in json.loads(line).items() if k not in ("wps", "seconds")}
                     for line in (whole / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in strip] == [0, 1]


def test_resume_errors_are_one_line(tmp_path, corpus, blank, in_process, nlp_cmd, cli):
    out = tmp_path / "pt"
    assert in_process.error("pretrain", corpus["texts"], blank, out, "--resume") == (
        f"✘ --resume: {out} holds no pretraining run to resume (no config.json and checkpoint/)")
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, out, "-o", "characters", "-i", "1", *cli.tiny)
    assert in_process.error("pretrain", corpus["texts"], blank, out, "-o", "characters", "-i", "2", *cli.tiny,
                            "-d", "0.3", "--resume") == (
        f"✘ --resume: the run in {out} was started with dropout 0.2 (now 0.3); resume with its options")
    config = json.loads((out / "config.json").read_text(encoding="utf8"))
    assert config.pop("char_edges") is False  # a run recorded before the settings existed had
    assert config.pop("char_window") == 3  # the defaults
    assert config.pop("mask_rate") == 0.0
    (out / "config.json").write_text(json.dumps(config), encoding="utf8")
    assert in_process.error("pretrain", corpus["texts"], blank, out, "-o", "characters", "-i", "2", *cli.tiny,
                            "-d", "0.3", "--resume") == (
        f"✘ --resume: the run in {out} was started with dropout 0.2 (now 0.3); resume with its options")
    (tmp_path / "none.txt").write_text("\n", encoding="utf8")  # checked before the texts and the model are read
    assert in_process.error("pretrain", tmp_path / "none.txt", tmp_path / "no-model", out, "-o", "characters", "-i", "2",
                            *cli.tiny, "-d", "0.3", "--resume") == (
        f"✘ --resume: the run in {out} was started with dropout 0.2 (now 0.3); resume with its options")
    assert in_process.error("pretrain", corpus["texts"], blank, out, "--resume", "-t2v", out / "model0.bin") == (
        "✘ --resume continues from the checkpoint's weights: leave out -t2v/--init-tok2vec")
    assert in_process.error("pretrain", corpus["texts"], blank, out, "-mr", "1") == (
        "✘ -mr/--mask-rate must be in [0, 1), got 1.0")
    assert in_process.error("pretrain", corpus["texts"], blank, out, "--preset", "fast") == (
        "✘ --preset: unknown preset 'fast': choose one of efficiency, accuracy")
    config["char_window"] = 5  # as if this version's defaults had changed since the run began
    (out / "config.json").write_text(json.dumps(config), encoding="utf8")
    assert in_process.error("pretrain", corpus["texts"], blank, out, "-o", "characters", "-i", "2", *cli.tiny,
                            "--resume") == (
        f"✘ --resume: the run in {out} was started with char_window 5 (now 3); no option sets char_window (the "
        "preset's in this version): resume it with the version that started it, or start a new run")


def test_malformed_saved_layers_do_not_fit():
    ours, _ = build_pretrain_tok2vec(width=16, depth=1, embed_rows=20)
    with pytest.raises(UserError) as info:
        check_compatible(ours, {"nodes": [1, {"name": 3, "dims": [2]}]}, "w.bin", "ner")
    assert str(info.value).startswith("w.bin: pretrained tok2vec does not fit the ner tok2vec: width None (pretrained) vs 16")


def test_weights_pretrained_reading_the_vectors_fit_a_model_trained_with_them(tmp_path, corpus, blank, in_process,
                                                                             nlp_cmd, cli, monkeypatch):
    """`nlp pretrain -iv` (masked) builds a tok2vec that reads the model's static vectors, so
    `nlp train -v` with the same vectors starts from its weights; without -v they do not fit."""
    import nlp_cli.train

    (tmp_path / "v.txt").write_text("the 0.1 0.2 0.3 0.4\nboat 0.3 0.4 0.1 0.0\nsong 0.5 0.1 0.2 0.3\n",
                                    encoding="utf8")
    cli.run(nlp_cmd, "init-vectors", "en", tmp_path / "vec", tmp_path / "v.txt")
    out = tmp_path / "pt"
    cli.run(nlp_cmd, "pretrain", corpus["texts"], tmp_path / "vec", out, "-o", "vectors", "-mr", "0.3", "-iv",
            "-i", "1", *cli.tiny)
    assert json.loads((out / "config.json").read_text())["include_vectors"] is True
    monkeypatch.setattr(nlp_cli.train, "_run_loop", lambda trainee, *args: None)
    train = ("train", "en", tmp_path / "out", corpus["train"], corpus["dev"], "-p", "tagger", *cli.tiny,
             "-t2v", out / "model0.bin")
    code, stdout, _ = in_process.run(*train, "-v", tmp_path / "vec")
    assert code == 0 and "Loaded pretrained tok2vec weights into 1 component" in stdout
    assert in_process.error(*train).startswith(
        f"✘ {out / 'model0.bin'}: pretrained tok2vec does not fit the tagger tok2vec: vectors 4 (pretrained) vs 0")
    assert in_process.error("pretrain", corpus["texts"], tmp_path / "vec", tmp_path / "pt2", "-o", "vectors",
                            "-iv") == (
        "✘ -iv/--include-vectors with the vectors objective needs -mr/--mask-rate above 0: the tok2vec would "
        "read the very vectors it is asked to predict")
    assert in_process.error("pretrain", corpus["texts"], blank, tmp_path / "pt3", "-o", "characters", "-iv") == (
        "✘ -iv/--include-vectors needs a VECTORS_MODEL with static vectors (see `nlp init-vectors`)")
