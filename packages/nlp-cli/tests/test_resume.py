"""Exact resume: a training run stopped after a checkpoint (or killed with SIGKILL mid-epoch) and
continued with --resume writes the same model and checkpoint bytes as a run that never stopped,
for each component alone, for all four together, with a shared tok2vec, with rehearsal and with
the accuracy preset (which a resumed run keeps without being told)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import srsly

from nlp_cli._errors import UserError
from nlp_cli.train import train

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "pause_driver.py"
ALL = "tagger,parser,ner,textcat"
TINY = {"conv_width": 32, "conv_depth": 1, "embed_rows": 500}
#: What no two runs share: the seconds and words per second the loop measures.
TIMINGS = ("train_seconds", "train_wps", "eval_seconds")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


@pytest.fixture(scope="module")
def small(tmp_path_factory, data) -> dict[str, Path]:
    """Train and dev sets annotated for all four components (JSON training format), raw texts."""
    root = tmp_path_factory.mktemp("resume-data")
    return {"train": data.json(root / "train.json", 24, seed=4), "dev": data.json(root / "dev.json", 6, seed=5),
            "texts": data.texts(root / "texts.jsonl", 12, seed=6)}


def comparable(path: Path) -> bytes:
    """A saved file's bytes, less the time measurements: meta.json's `speed`, and the per-epoch
    seconds and words per second in the checkpoint's loop state; of config.json, the recipe and
    the components' cfgs (its options differ between the runs: -n, --resume, OUTPUT_DIR)."""
    raw = path.read_bytes()
    if path.name == "config.json":
        config = json.loads(raw)
        return json.dumps([config["recipe"], config["components"]], sort_keys=True).encode("utf8")
    if path.name == "meta.json":
        meta = json.loads(raw)
        meta.pop("speed")
        return json.dumps(meta, sort_keys=True).encode("utf8")
    if path.name == "state.msgpack":
        msg = srsly.msgpack_loads(raw)
        for record in msg["loop"]["history"]:
            for key in TIMINGS:
                record.pop(key)
            record["scores"].pop("wps")
        return srsly.msgpack_dumps(msg)
    return raw


def saved_files(out: Path) -> list[str]:
    """Every file of the model folders and the checkpoint, relative to `out`."""
    return sorted(str(p.relative_to(out)) for p in out.rglob("*")
                  if p.is_file() and p.relative_to(out).parts[0].startswith(("model", "checkpoint")))


def assert_same_run(out: Path, reference: Path) -> None:
    files = saved_files(reference)
    assert files == saved_files(out)
    assert "checkpoint/optimizer.msgpack" in files and "model-final/meta.json" in files
    differing = [f for f in files if comparable(out / f) != comparable(reference / f)]
    assert not differing, f"the resumed run wrote other bytes: {differing}"


def train_in_process(out: Path, small: dict[str, Path], pipeline: str, epochs: int, **options) -> None:
    train("en", str(out), str(small["train"]), str(small["dev"]), pipeline=pipeline, n_iter=epochs,
          **TINY, **options)


@pytest.fixture(scope="module")
def base_model(tmp_path_factory, small) -> Path:
    """A tagger and parser trained one epoch, each with its own tok2vec (rehearsal needs them):
    the base model of the rehearsal run."""
    out = tmp_path_factory.mktemp("base")
    train_in_process(out, small, "tagger,parser", 1, no_shared_tok2vec=True)
    return out / "model-final"


SETUPS = {
    "tagger": ("tagger", {}),
    "parser": ("parser", {}),
    "biaffine_parser": ("tagger,biaffine_parser", {"shared_tok2vec": True}),
    "ner": ("ner", {}),
    "textcat": ("textcat", {"textcat_arch": "ensemble"}),
    "textcat-bow": ("textcat", {}),  # the efficiency preset's
    "textcat-nb": ("textcat", {"textcat_arch": "nb_bow"}),
    "textcat-nb-ensemble": ("textcat", {"textcat_arch": "nb_ensemble"}),
    "shared-tok2vec": (ALL, {"shared_tok2vec": True, "textcat_arch": "ensemble"}),
    "accuracy": ("tagger,parser,ner", {"preset": "accuracy"}),  # its ner is a crf_ner
}


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_resume_after_an_epoch_is_exact(tmp_path, small, capsys, setup):
    pipeline, options = SETUPS[setup]
    train_in_process(tmp_path / "reference", small, pipeline, 2, **options)
    train_in_process(tmp_path / "run", small, pipeline, 1, **options)
    train_in_process(tmp_path / "run", small, pipeline, 2, resume=True, **options)
    assert f"Resuming from {tmp_path / 'run' / 'checkpoint'} after epoch 1" in capsys.readouterr().out
    assert_same_run(tmp_path / "run", tmp_path / "reference")


def test_resume_keeps_the_checkpoints_preset(tmp_path, small):
    train_in_process(tmp_path / "reference", small, "tagger,parser", 2, preset="accuracy")
    train_in_process(tmp_path / "run", small, "tagger,parser", 1, preset="accuracy")
    train_in_process(tmp_path / "run", small, "tagger,parser", 2, resume=True)  # no --preset
    assert_same_run(tmp_path / "run", tmp_path / "reference")
    config = json.loads((tmp_path / "run" / "model-final" / "config.json").read_text())
    assert config["options"]["preset"] == "accuracy" and config["components"]["tagger"]["preset"] == "accuracy"
    with pytest.raises(UserError, match="--preset efficiency: the checkpoint in .* was trained with --preset accuracy"):
        train_in_process(tmp_path / "run", small, "tagger,parser", 3, resume=True, preset="efficiency")


def test_resume_with_rehearsal_is_exact(tmp_path, small, base_model):
    options = {"base_model": str(base_model), "raw_text": str(small["texts"])}
    train_in_process(tmp_path / "reference", small, "tagger,parser", 2, **options)
    train_in_process(tmp_path / "run", small, "tagger,parser", 1, **options)
    train_in_process(tmp_path / "run", small, "tagger,parser", 2, resume=True, **options)
    assert_same_run(tmp_path / "run", tmp_path / "reference")


def test_checkpoint_saves_the_transition_components_generators(tmp_path, small):
    train_in_process(tmp_path, small, ALL, 1)
    state = srsly.msgpack_loads((tmp_path / "checkpoint" / "state.msgpack").read_bytes())
    assert sorted(state["random"]["pipeline"]) == ["ner", "parser"]


# ---- killed with SIGKILL at several points, all four components --------------------------------

def run_cli(out: Path, small: dict[str, Path], epochs: int, pause_at: int | None = None,
            marker: Path | None = None) -> subprocess.Popen:
    """`nlp train` of all four components in a subprocess, pausing before update `pause_at`."""
    args = ["train", "en", out, small["train"], small["dev"], "-p", ALL, "-n", epochs, "--resume",
            "-cw", 32, "-cd", 1, "-er", 500]
    env = dict(os.environ)
    if pause_at is not None:
        env.update(PAUSE_AT_UPDATE=str(pause_at), PAUSE_MARKER=str(marker))
    return subprocess.Popen([sys.executable, str(DRIVER), *map(str, args)], cwd=HERE, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> str:
    """Wait for a run to end; its stdout (it must have succeeded)."""
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    return stdout


def kill_at(out: Path, small: dict[str, Path], epochs: int, update: int, marker: Path) -> None:
    """Run until just before the process's `update`-th update, then SIGKILL it."""
    marker.unlink(missing_ok=True)
    proc = run_cli(out, small, epochs, update, marker)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, f"it ended before update {update}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"update {update} never came"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def checkpoint_epoch(out: Path) -> int:
    return json.loads((out / "checkpoint" / "state.json").read_text())["epoch"]


def test_killed_runs_resume_to_the_same_bytes(tmp_path, small):
    epochs = 3
    reference = tmp_path / "reference"
    finish(run_cli(reference, small, epochs))
    b1, b2, b3 = (record["n_batches"] for record in srsly.read_jsonl(reference / "training-log.jsonl"))
    assert min(b1, b2, b3) >= 4
    out, marker = tmp_path / "run", tmp_path / "paused"
    kill_at(out, small, epochs, b1 + 1, marker)  # first update of epoch 2: just after checkpoint 1
    assert checkpoint_epoch(out) == 1
    kill_at(out, small, epochs, b2 // 2 + 1, marker)  # resumed after epoch 1, killed mid-epoch 2
    assert checkpoint_epoch(out) == 1
    kill_at(out, small, epochs, b2 + b3 // 2 + 1, marker)  # resumed again, killed mid-epoch 3
    assert checkpoint_epoch(out) == 2
    stdout = finish(run_cli(out, small, epochs))
    assert f"Resuming from {out / 'checkpoint'} after epoch 2" in stdout
    assert_same_run(out, reference)


# ---- in the middle of an epoch, on a corpus read as a stream -----------------------------------

class Stop(Exception):
    """The run stops for good here."""


def test_resume_in_the_middle_of_an_epoch_of_a_streamed_corpus(tmp_path, small, capsys, monkeypatch):
    import nlp_models

    options = {"shuffle_buffer": 5, "checkpoint_every": 2}
    train_in_process(tmp_path / "reference", small, "tagger,parser", 2, **options)
    first_epoch = next(srsly.read_jsonl(tmp_path / "reference" / "training-log.jsonl"))["n_batches"]
    update, calls = nlp_models.Language.update, []

    def stopping(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == first_epoch + 6:  # epoch 2, after its checkpoint of batch 4
            raise Stop
        return update(self, *args, **kwargs)

    monkeypatch.setattr(nlp_models.Language, "update", stopping)
    with pytest.raises(Stop):
        train_in_process(tmp_path / "run", small, "tagger,parser", 2, **options)
    monkeypatch.setattr(nlp_models.Language, "update", update)
    state = json.loads((tmp_path / "run" / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 1 and state["position"] > 0
    capsys.readouterr()
    train_in_process(tmp_path / "run", small, "tagger,parser", 2, resume=True, **options)
    assert f"after epoch 1 at example {state['position']} of epoch 2" in capsys.readouterr().out
    assert_same_run(tmp_path / "run", tmp_path / "reference")
