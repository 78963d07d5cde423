"""`nlp pretrain` on nlp_train's loop: the documented outputs (model{i}.bin per epoch, the
-s snapshots, log.jsonl, config.json), a held-out share of the texts scored each epoch and
picking model-best, --max-minutes, and the held-out split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp_cli.pretrain import split_held_out


@pytest.fixture(scope="module")
def blank(tmp_path_factory, nlp_cmd, cli) -> Path:
    root = tmp_path_factory.mktemp("blank")
    (root / "v.txt").write_text("the 0.1 0.2\nboat 0.3 0.4\n", encoding="utf8")
    cli.run(nlp_cmd, "init-vectors", "en", root / "blank", root / "v.txt")
    return root / "blank"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def test_outputs_per_epoch_and_the_best_held_out_epoch(tmp_path, data, blank, nlp_cmd, cli):
    texts = data.texts(tmp_path / "texts.jsonl", 30, seed=3)
    out = tmp_path / "pt"
    proc = cli.run(nlp_cmd, "pretrain", texts, blank, out, "-o", "characters", "-i", "3", *cli.tiny,
                   "-bs", "100", "-s", "2", "-ho", "0.2")
    assert "held out: 6 texts" in proc.stdout and "Loss" in proc.stdout
    assert sorted(p.name for p in out.glob("model?.bin")) == ["model0.bin", "model1.bin", "model2.bin"]
    assert not [p for p in out.glob("model[0-9]*") if p.is_dir()]  # the loop's folders became the .bin files
    assert (out / "model0.2.bin").exists() and (out / "model2.4.bin").exists()
    assert not (out / "model0.1.bin").exists() and not (out / "model3.bin").exists()
    log = read_jsonl(out / "log.jsonl")
    loop_log = read_jsonl(out / "training-log.jsonl")
    assert [r["epoch"] for r in log] == [0, 1, 2]
    assert [r["words"] for r in log] == [(i + 1) * log[0]["words"] for i in range(3)]
    assert [r["dev_loss_per_word"] for r in log] == [r["scores"]["pretrain_loss"] for r in loop_log]
    assert log[2]["loss_per_word"] < log[0]["loss_per_word"]
    best = min(log, key=lambda r: r["dev_loss_per_word"])["epoch"]
    assert (out / "model-best" / "tok2vec.bin").read_bytes() == (out / f"model{best}.bin").read_bytes()
    assert f"Lowest held-out loss after Itn {best + 1}: model{best}.bin" in proc.stdout
    config = json.loads((out / "config.json").read_text())
    assert config["held_out"] == 0.2 and config["width"] == 32 and config["objective"] == "characters"


def test_max_minutes_keeps_the_weights_of_the_started_epoch(tmp_path, data, blank, nlp_cmd, cli):
    texts = data.texts(tmp_path / "texts.jsonl", 30, seed=4)
    out = tmp_path / "pt"
    proc = cli.run(nlp_cmd, "pretrain", texts, blank, out, "-o", "characters", "-i", "50", *cli.tiny,
                   "-bs", "50", "--max-minutes", "0.00001")
    assert "Stopped after" in proc.stdout
    assert [p.name for p in out.glob("model*.bin")] == ["model0.bin"]
    assert [r["epoch"] for r in read_jsonl(out / "log.jsonl")] == [0]


@pytest.mark.parametrize("share", ["0", "1", "-0.5"])
def test_held_out_share_out_of_range_is_one_line(tmp_path, data, blank, nlp_cmd, cli, share):
    texts = data.texts(tmp_path / "texts.jsonl", 3)
    proc = cli.run(nlp_cmd, "pretrain", texts, blank, tmp_path / "pt", "-ho", share, ok=False)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
        f"✘ -ho/--held-out must be between 0 and 1, got {float(share)}"]


def test_split_held_out():
    docs = [f"doc{i}" for i in range(40)]
    train, held = split_held_out(docs, 0.1, seed=7)
    assert len(held) == 4 and len(train) == 36 and sorted(train + held) == sorted(docs)
    assert (train, held) == split_held_out(docs, 0.1, seed=7)
    assert held != split_held_out(docs, 0.1, seed=8)[1]
    assert [d for d in docs if d in train] == train  # the training order is kept
    assert split_held_out(docs[:3], 0.01, 0)[1] and len(split_held_out(docs[:3], 0.99, 0)[0]) == 1
    assert split_held_out(["only"], 0.5, 0) == (["only"], ["only"])
