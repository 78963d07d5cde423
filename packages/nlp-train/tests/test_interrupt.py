"""SIGKILL during training, inside a save: folders stay whole, resume is exact."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nlp_train_standin import ToyPipeline

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "nlp_train_standin.py"
EPOCHS = 6

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def start(out, *args, env=None):
    return subprocess.Popen([sys.executable, str(SCRIPT), str(out), "--epochs", str(EPOCHS), *args],
                            cwd=HERE, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(out, *args):
    proc = start(out, *args)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    return stdout


def wait_for_lines(path, n, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= n:
            return path.read_text().splitlines()
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.01)
    raise AssertionError(f"the training never reached save {n}")


def kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def model_folders(out):
    return sorted(p for p in out.iterdir() if p.name.startswith("model"))


def assert_loadable(folder):
    ToyPipeline().from_disk(folder)  # raises if a file is missing or broken


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    finish(out)
    return out


def same_final_weights(a, b):
    for name in ("model-final", f"model{EPOCHS}", "checkpoint/model"):
        for file in ("tagger.bin", "meta.json"):
            assert (a / name / file).read_bytes() == (b / name / file).read_bytes(), (name, file)


@pytest.mark.parametrize("kill_at", [5, 6])  # 5: inside saving model3; 6: inside checkpoint 3
def test_kill_inside_a_save_then_resume(tmp_path, reference, kill_at):
    out = tmp_path / "run"
    marker = tmp_path / "saves.txt"
    proc = start(out, env={"STANDIN_SAVE_SLEEP": "60", "STANDIN_SAVE_SLEEP_AT": str(kill_at),
                           "STANDIN_SAVE_MARKER": str(marker)})
    saving = Path(wait_for_lines(marker, 1, proc)[0])
    kill(proc)
    hidden = saving if kill_at == 5 else saving.parent  # checkpoint/model inside checkpoint
    assert hidden.name.startswith(".") and hidden.parent == out  # a temporary folder
    assert saving.exists() and not (saving / "meta.json").exists()  # half written
    folders = model_folders(out)
    done = ["model1", "model2"] if kill_at == 5 else ["model1", "model2", "model3"]
    assert [f.name for f in folders] == ["model-best", *done]
    for folder in folders:
        assert_loadable(folder)
    assert (out / "checkpoint" / "state.json").exists()
    stdout = finish(out, "--resume")
    assert f"Resuming from {out / 'checkpoint'} after epoch 2" in stdout
    assert not hidden.exists()  # the half-written folder was cleaned up
    same_final_weights(out, reference)
    assert (out / "training-log.jsonl").read_text().count("\n") == EPOCHS


def test_repeated_random_kills_then_resume(tmp_path, reference):
    out = tmp_path / "run"
    marker = tmp_path / "saves.txt"
    rng = random.Random(1234)
    env = {"STANDIN_SAVE_SLEEP": "0.1", "STANDIN_SAVE_MARKER": str(marker)}
    kills = 0
    for _ in range(4):
        before = len(marker.read_text().splitlines()) if marker.exists() else 0
        proc = start(out, "--resume", env=env)
        wait_for_lines(marker, before + 1, proc)  # it is training: now kill at a random time
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            kill(proc)
            kills += 1
        else:
            proc.communicate()
        for folder in model_folders(out):
            assert_loadable(folder)
    assert kills >= 3
    finish(out, "--resume")
    same_final_weights(out, reference)
    for folder in model_folders(out):
        assert_loadable(folder)
