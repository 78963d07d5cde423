"""Data-parallel training on a local Ray instance (2 workers, num_cpus=2): the workers' summed
gradient is the whole batch's, K steps give one process's weights (and its averages) with
replicas equal throughout, each worker holding the optimizer state of its own block of
parameters only (the sharded step), checkpoints holding all of it, a worker killed with SIGKILL stops the run in one line and resume
finishes it as an uninterrupted run would; without Ray, one line says what to install."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import signal
import sys
from pathlib import Path

import numpy
import pytest
from nlp_train_standin import ToyPipeline, build, make_corpus, register_seed_infos

from nlp_train import RecipeOptimizer, TrainConfig, WorkerLost, train
from nlp_train.console import Console
from nlp_train.ray_workers import train_on_ray

try:
    import ray
except ImportError:
    ray = None

FIXED = {"seed": 3, "batch_from": 8, "batch_to": 8, "quiet": True}
NO_DROPOUT = {"dropout_from": 0.0, "dropout_to": 0.0}


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray instance of 2 CPUs for the module's tests (shut down after them)."""
    import nlp_train_standin

    if ray is None:
        pytest.skip("the ray extra is not installed (pip install 'nlp-train[ray]')")
    if sys.platform == "win32":
        pytest.skip("kills a worker with SIGKILL")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    for module in (nlp_train_standin, sys.modules[__name__]):  # not importable by the workers
        ray.cloudpickle.register_pickle_by_value(module)
    yield
    ray.shutdown()


class WatchedPipeline(ToyPipeline):
    """The stand-in, noting before each update a hash of its weights and which of its parameters
    this worker's optimizer keeps averages of (in `notes/PID.txt`); with `kill_at`, the first replica to reach that update kills
    its own process with SIGKILL."""

    def __init__(self, notes: Path | None = None, kill_at: int = 0, marker: Path | None = None) -> None:
        super().__init__()
        self.notes, self.kill_at, self.marker = notes, kill_at, marker

    def update(self, examples, *, drop, sgd, losses, loss_normalizers=None):
        done = self.calls["update"]
        if self.kill_at and done + 1 == self.kill_at and first_to_claim(self.marker):
            os.kill(os.getpid(), signal.SIGKILL)
        if self.notes is not None:
            with open(self.notes / f"{os.getpid()}.txt", "a") as notes:
                held = [i for i, key in enumerate(param_keys(self)) if key in (sgd.averages or {})]
                notes.write(f"{done} {digest(params(self))} {' '.join(map(str, held))}\n")
        return super().update(examples, drop=drop, sgd=sgd, losses=losses, loss_normalizers=loss_normalizers)


def first_to_claim(marker: Path) -> bool:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def replica(**watch) -> ToyPipeline:
    """What each worker trains: the stand-in with build()'s initial weights, but a seeded
    random output layer (thinc's starts at zero, giving the embeddings no gradient at first)."""
    register_seed_infos()  # in the worker's process too
    pipeline = WatchedPipeline(**watch)
    pipeline.tagger.model.from_bytes(build(0).tagger.model.to_bytes())
    output = pipeline.tagger.model.layers[-1]
    output.set_param("W", numpy.random.default_rng(0).normal(0, 0.3, output.get_param("W").shape).astype("f"))
    return pipeline


def params(nlp: ToyPipeline) -> list[numpy.ndarray]:
    return [node.get_param(name).copy() for node in nlp.tagger.model.walk()
            for name in node.param_names if node.has_param(name)]


def param_keys(nlp: ToyPipeline) -> list[tuple[int, str]]:
    return [(node.id, name) for node in nlp.tagger.model.walk()
            for name in node.param_names if node.has_param(name)]


def digest(arrays: list[numpy.ndarray]) -> str:
    return hashlib.sha256(b"".join(numpy.ascontiguousarray(a).tobytes() for a in arrays)).hexdigest()[:16]


def sgd() -> RecipeOptimizer:
    """Plain gradient descent at rate 1: a step's weight change is minus the gradient."""
    return RecipeOptimizer(1.0, beta1=0.0, beta2=0.0, L2=0.0, grad_clip=0.0, use_averages=False)


def test_two_shards_sum_to_the_gradient_of_the_whole_batch(tmp_path, local_ray):
    corpus, dev = make_corpus(16, 1), make_corpus(8, 2)
    one, two = replica(), replica()
    before = params(one)
    options = {**FIXED, **NO_DROPOUT, "n_epochs": 1, "batch_from": 16, "batch_to": 16}
    train(one, corpus, dev, tmp_path / "one", optimizer=sgd(), **options)
    train(two, corpus, dev, tmp_path / "two", optimizer=sgd(), workers=2, replica=replica, **options)
    for start, a, b in zip(before, params(one), params(two)):
        whole, summed = start - a, start - b  # the gradients of the one step
        assert numpy.abs(whole).max() > 1e-4
        numpy.testing.assert_allclose(summed, whole, rtol=1e-5, atol=1e-7)


def test_k_steps_give_the_weights_of_one_process_and_equal_replicas(tmp_path, local_ray):
    corpus, dev = make_corpus(40, 1), make_corpus(8, 2)
    notes = tmp_path / "notes"
    notes.mkdir()
    one, two = replica(), replica()
    train(one, corpus, dev, tmp_path / "one", n_epochs=3, **FIXED, **NO_DROPOUT)
    result = train(two, corpus, dev, tmp_path / "two", n_epochs=3, workers=2,
                   replica=functools.partial(replica, notes=notes), **FIXED, **NO_DROPOUT)
    assert result.epochs == 3 and len(result.history) == 3
    for a, b in zip(params(one), params(two)):  # 15 Adam steps
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    final = [ToyPipeline().from_disk(tmp_path / run / "model-final") for run in ("one", "two")]
    for a, b in zip(*map(params, final)):  # the parameter averages
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    watched = sorted(notes.iterdir())
    assert len(watched) == 2  # one file per worker process
    lines = [path.read_text().splitlines() for path in watched]
    assert len(lines[0]) == len(lines[1]) == 15
    for first, second in zip(*lines):
        assert first.split()[:2] == second.split()[:2]  # the same step, the same weights
    held = [set(line.split()[2:]) for line in (lines[0][-1], lines[1][-1])]
    assert held[0] and held[1] and not held[0] & held[1]  # each worker averages its own block
    assert held[0] | held[1] == {str(i) for i in range(len(params(one)))}


def test_shared_memory_gives_the_bits_of_the_object_store(tmp_path, local_ray):
    corpus, dev = make_corpus(40, 1), make_corpus(8, 2)
    cfg = TrainConfig(n_epochs=2, seed=3, batch_from=8, batch_to=8, dropout_from=0.2, dropout_to=0.2)
    lines = {}
    for shared in (True, False):
        stream = io.StringIO()
        train_on_ray(replica(), corpus, dev, tmp_path / str(shared), cfg, workers=2, ray_address=None,
                     replica=replica, console=Console(stream), shared_memory=shared)
        lines[shared] = stream.getvalue()
    assert "gradients through shared memory" in lines[True]
    assert "gradients through Ray's object store" in lines[False]
    for name in ("model-final", "model1", "checkpoint/model"):
        assert (tmp_path / "True" / name / "tagger.bin").read_bytes() == \
            (tmp_path / "False" / name / "tagger.bin").read_bytes()
    assert not list(Path("/dev/shm").glob(f"nlp-train-{os.getpid()}-*"))  # no segment left behind


def test_killed_worker_stops_in_one_line_and_resume_finishes_the_run(tmp_path, local_ray):
    corpus, dev = make_corpus(40, 1), make_corpus(8, 2)
    options = {**FIXED, "n_epochs": 3, "checkpoint_every": 2, "dropout_from": 0.3, "dropout_to": 0.3}
    train(replica(), corpus, dev, tmp_path / "whole", workers=2, replica=replica, **options)
    out = tmp_path / "run"
    killer = functools.partial(replica, kill_at=8, marker=tmp_path / "killed")  # epoch 2, batch 3
    with pytest.raises(WorkerLost) as caught:
        train(replica(), corpus, dev, out, workers=2, replica=killer, **options)
    message = str(caught.value)
    assert "\n" not in message and "died during training" in message and "resume" in message
    assert message.startswith("worker 0 (pid ") or message.startswith("worker 1 (pid ")
    for folder in sorted(p for p in out.iterdir() if p.name.startswith("model") or p.name == "checkpoint"):
        ToyPipeline().from_disk(folder / "model" if folder.name == "checkpoint" else folder)
    assert (out / "model1").is_dir() and not (out / "model2").exists()
    train(replica(), corpus, dev, out, workers=2, replica=replica, resume=True, **options)
    for name in ("model-final", "model3", "checkpoint/model"):
        assert (out / name / "tagger.bin").read_bytes() == (tmp_path / "whole" / name / "tagger.bin").read_bytes()


def test_workers_without_ray_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"^training with several workers needs Ray: pip install 'nlp-train\[ray\]'"):
        train(replica(), make_corpus(8, 1), make_corpus(4, 2), tmp_path, workers=2, replica=replica, **FIXED)
