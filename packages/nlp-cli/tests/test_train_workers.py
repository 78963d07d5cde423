"""`nlp train --workers N` (data-parallel on Ray): a tagger and a parser on a shared tok2vec
learn from the sum of the workers' shard gradients what one process learns from the whole
batch; a worker killed with SIGKILL stops the run in one line, the models stay loadable and
--resume finishes; Ctrl-C leaves no Ray process behind; without Ray, one line says what to
install."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest

try:
    import ray
except ImportError:
    ray = None

needs_ray = pytest.mark.skipif(ray is None or not sys.platform.startswith("linux"),
                               reason="needs the ray extra (pip install 'nlp-train[ray]') and Linux's /proc")
TINY_NET = {"width": 32, "depth": 1, "embed_rows": 500}


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (read from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(status.split("PPid:")[1].split()[0])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def start_training(nlp_cmd, cli, out: Path, train: Path, dev: Path, *args: object) -> subprocess.Popen:
    """`nlp train` on 2 workers in the background (Ctrl-C acts on it as in a terminal)."""
    argv = [*nlp_cmd, "train", "en", out, train, dev, "-p", "tagger,parser", "-bs", "8,8", "--workers", "2",
            *cli.tiny, *args]
    return subprocess.Popen(list(map(str, argv)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def bigger(tmp_path_factory, data) -> dict[str, Path]:
    """A corpus whose epochs last long enough to stop a run in the middle."""
    root = tmp_path_factory.mktemp("bigger")
    return {"train": data.conllu(root / "train.conllu", 300, seed=1), "dev": data.conllu(root / "dev.conllu", 12, seed=2)}


def test_workers_without_ray_or_with_bad_options_are_one_line(tmp_path, corpus, nlp_cmd, cli):
    hidden = [sys.executable, "-c", "import sys; sys.modules['ray'] = None; from nlp_cli.__main__ import main; main()"]
    proc = cli.run(hidden, "train", "en", tmp_path, corpus["train"], corpus["dev"], "--workers", "2", ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("✘ --workers 2: training with several workers needs Ray: pip install 'nlp-train[ray]'")
    alone = cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], corpus["dev"], "--ray-address", "auto", ok=False)
    assert alone.returncode == 1 and "--ray-address trains on the workers of a Ray cluster" in alone.stderr


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


@needs_ray
def test_tagger_and_parser_on_a_shared_tok2vec_learn_the_whole_batch_gradient(tmp_path, corpus, local_ray):
    from thinc.api import fix_random_seed

    from nlp_cli._corpus import load_examples
    from nlp_cli._train_workers import CorpusReader, Replica
    from nlp_cli.train import Trainee
    from nlp_models import blank
    from nlp_train import RecipeOptimizer, train
    from nlp_train.gradients import ParamLayout

    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", TINY_NET))
    nlp.add_pipe(nlp.create_pipe("tagger", {"tok2vec": "tok2vec"}))
    nlp.add_pipe(nlp.create_pipe("parser", {"tok2vec": "tok2vec", "hidden_width": 16, "explore": 0.0}))
    examples = load_examples(corpus["train"], nlp.vocab, nlp.make_doc, "training data")
    nlp.begin_training(lambda: examples)
    replica = Replica.of(Trainee(nlp, nlp.pipe_names), None)
    data = (CorpusReader(str(corpus["train"])), CorpusReader(str(corpus["dev"]), dev=True))
    options = {"n_epochs": 1, "batch_from": 40, "batch_to": 40, "dropout_from": 0.0, "dropout_to": 0.0,
               "quiet": True}

    def weights(trainee):
        return [slot.node.get_param(slot.name).copy() for slot in ParamLayout(trainee).slots]

    def one_step(out, **more):  # plain gradient descent at rate 1: the change is minus the gradient
        trainee = replica()
        sgd = RecipeOptimizer(1.0, beta1=0.0, beta2=0.0, L2=0.0, grad_clip=0.0, use_averages=False)
        train(trainee, *data, out, optimizer=sgd, **options, **more)
        return weights(trainee)

    start = weights(replica())
    whole, summed = one_step(tmp_path / "one"), one_step(tmp_path / "two", workers=2, replica=replica)
    assert len(start) > 10
    for before, a, b in zip(start, whole, summed):
        numpy.testing.assert_allclose(before - b, before - a, rtol=1e-4, atol=1e-6)
    assert max(float(numpy.abs(before - a).max()) for before, a in zip(start, whole)) > 1e-3


@needs_ray
def test_killed_worker_is_one_line_and_resume_finishes(tmp_path, bigger, nlp_cmd, cli):
    import nlp_models

    out = tmp_path / "out"
    args = ("-n", "4", "--checkpoint-every", "5")
    proc = start_training(nlp_cmd, cli, out, bigger["train"], bigger["dev"], *args)
    wait_for(out / "model1", proc)
    workers = [pid for pid in descendants(proc.pid) if command_line(pid).startswith("ray::Worker")]
    assert len(workers) == 2
    os.kill(workers[1], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1 and stderr.count("\n") == 1, stderr
    assert stderr.startswith("✘ worker ") and f"(pid {workers[1]} on " in stderr and "--resume" in stderr
    assert "raylet" not in stdout + stderr
    for folder in [p for p in out.iterdir() if p.name.startswith("model")] + [out / "checkpoint" / "model"]:
        nlp_models.load(folder)
    resumed = cli.run(nlp_cmd, "train", "en", out, bigger["train"], bigger["dev"], "-p", "tagger,parser", "-bs", "8,8",
                      "--workers", "2", *cli.tiny, *args, "--resume")
    assert f"Resuming from {out / 'checkpoint'}" in resumed.stdout
    assert len((out / "training-log.jsonl").read_text().splitlines()) == 4
    assert nlp_models.load(out / "model-final")("Ada Moss found the old boat in Oslo.")[2].tag_ == "VBD"


@needs_ray
def test_ctrl_c_stops_every_ray_process(tmp_path, bigger, nlp_cmd, cli):
    out = tmp_path / "out"
    proc = start_training(nlp_cmd, cli, out, bigger["train"], bigger["dev"], "-n", "50", "--checkpoint-every", "5")
    wait_for(out / "checkpoint", proc)
    started = descendants(proc.pid)
    assert sum(command_line(pid).startswith("ray::Worker") for pid in started) == 2
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and stderr.strip() == "✘ interrupted"
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]
