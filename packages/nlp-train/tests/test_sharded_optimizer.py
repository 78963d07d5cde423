"""The sharded optimizer step without Ray: the blocks are whole parameters of about equal size;
two workers (two threads of this process) train the weights and averages of one process, each
holding the optimizer state of its own block only; their checkpoint holds the whole state, and
resuming from it gives the uninterrupted run's bits."""

from __future__ import annotations

import threading

import numpy
import srsly
from nlp_train_standin import build, make_corpus

from nlp_train import TrainConfig, TrainingRun
from nlp_train.data_parallel import ShardedRun
from nlp_train.gradients import ParamLayout
from nlp_train.sharded_optimizer import plan_shards

CFG = {"seed": 3, "batch_from": 8, "batch_to": 8, "dropout_from": 0.0, "dropout_to": 0.0}


class ThreadBoard:
    """Where threads playing the workers meet: each exchange returns what all posted."""

    def __init__(self, size: int) -> None:
        self.barrier = threading.Barrier(size, timeout=60)
        self.posts: list = [None] * size

    def allgather(self, rank, kind, info, array):
        self.posts[rank] = (kind, info, None if array is None else numpy.array(array, copy=True))
        self.barrier.wait()
        posts = list(self.posts)
        self.barrier.wait()  # all have read this exchange before the next overwrites it
        assert len({kind for kind, _, _ in posts}) == 1, "workers out of step"
        return [info for _, info, _ in posts], [array for _, _, array in posts]


class ThreadGroup:
    def __init__(self, rank: int, size: int, board: ThreadBoard) -> None:
        self.rank, self.size, self.board = rank, size, board

    def allgather(self, kind, info, array=None):
        return self.board.allgather(self.rank, kind, info, array)


def seeded():
    """The stand-in with a seeded output layer (thinc's starts at zero)."""
    pipeline = build(0)
    output = pipeline.tagger.model.layers[-1]
    output.set_param("W", numpy.random.default_rng(0).normal(0, 0.3, output.get_param("W").shape).astype("f"))
    return pipeline


def run_workers(out, cfg: TrainConfig, resume: bool = False, size: int = 2):
    """Train ``size`` replicas as the workers of one run, each in a thread; their runs."""
    board = ThreadBoard(size)
    pipelines = [seeded() for _ in range(size)]
    corpus, dev = make_corpus(40, 1), make_corpus(8, 2)
    runs, errors = [None] * size, []

    def work(rank: int) -> None:
        try:
            run = ShardedRun.start(ThreadGroup(rank, size, board), pipelines[rank], corpus, dev, out, cfg,
                                   optimizer=None, count_words=None, console=None, resume=resume, digest=None)
            runs[rank] = run
            run.run()
        except BaseException as err:  # noqa: BLE001 - re-raised below
            errors.append(err)
            board.barrier.abort()

    threads = [threading.Thread(target=work, args=(rank,)) for rank in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return runs


def params(pipeline) -> list[numpy.ndarray]:
    return [node.get_param(name) for node in pipeline.tagger.model.walk()
            for name in node.param_names if node.has_param(name)]


def saved_optimizer(folder) -> dict:
    """The checkpoint's optimizer state: {table: {parameter index: value}}."""
    msg = srsly.msgpack_loads((folder / "checkpoint" / "optimizer.msgpack").read_bytes())
    index = [idx for _, _, idx in msg["keys"]]
    return {table: {index[p]: value for p, value in msg[table]}
            for table in ("mom1", "mom2", "averages", "nr_update")}


def test_blocks_are_whole_parameters_of_about_equal_size():
    layout = ParamLayout(seeded())
    biggest = max(slot.end - slot.start for slot in layout.slots)
    for workers in (1, 2, 3, 5):
        shards = plan_shards(layout, workers)
        assert shards.first[0] == 0 and shards.first[-1] == len(layout.slots)
        assert list(shards.first) == sorted(shards.first) and len(shards.first) == workers + 1
        assert shards.bounds == tuple(layout.slots[i].start if i < len(layout.slots) else layout.size
                                      for i in shards.first)
        sizes = [end - start for start, end in map(shards.span, range(workers))]
        assert sum(sizes) == layout.size and max(sizes) - min(sizes) <= biggest
        assert [shards.owner(i) for i in range(len(layout.slots))] == \
            [rank for rank in range(workers) for _ in shards.slots(rank)]
    assert plan_shards(layout, 2).first == (0, 1, 3)  # the embedding table, then the output layer


def test_two_workers_train_the_weights_and_averages_of_one_process(tmp_path):
    cfg = TrainConfig(n_epochs=2, **CFG)
    plain = seeded()
    TrainingRun.prepare(plain, make_corpus(40, 1), make_corpus(8, 2), tmp_path / "plain", cfg).run()
    runs = run_workers(tmp_path / "two", cfg)
    for a, b, c in zip(params(plain), params(runs[0].nlp), params(runs[1].nlp)):
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
        numpy.testing.assert_array_equal(b, c)  # the replicas hold the same bits
    held = []
    for run in runs:  # each worker keeps Adam's moments and the averages of its block only
        layout = ParamLayout(run.nlp)
        held.append({layout.index[key] for key in run.optimizer.averages})
        assert {layout.index[key] for key in run.optimizer.mom1} == held[-1]
    assert held == [{0}, {1, 2}]
    final = [seeded().from_disk(tmp_path / name / "model-final") for name in ("plain", "two")]
    for a, b in zip(*map(params, final)):  # saved with the averages gathered from both
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    one, two = saved_optimizer(tmp_path / "plain"), saved_optimizer(tmp_path / "two")
    for table in ("mom1", "mom2", "averages"):  # the checkpoint gathers every block
        assert sorted(two[table]) == sorted(one[table]) == [0, 1, 2]
        for i, value in one[table].items():
            numpy.testing.assert_allclose(two[table][i], value, rtol=1e-4, atol=1e-7)
    assert two["nr_update"] == one["nr_update"]


def test_resuming_two_workers_gives_the_bits_of_the_uninterrupted_run(tmp_path):
    whole = TrainConfig(n_epochs=3, checkpoint_every=2, **CFG)
    run_workers(tmp_path / "whole", whole)
    run_workers(tmp_path / "part", TrainConfig(n_epochs=2, checkpoint_every=2, **CFG))
    runs = run_workers(tmp_path / "part", whole, resume=True)
    assert runs[0].state.epoch == 3
    for name in ("model-final", "model3", "checkpoint/model"):
        assert (tmp_path / "part" / name / "tagger.bin").read_bytes() == \
            (tmp_path / "whole" / name / "tagger.bin").read_bytes()
    assert (tmp_path / "part" / "checkpoint" / "optimizer.msgpack").read_bytes() == \
        (tmp_path / "whole" / "checkpoint" / "optimizer.msgpack").read_bytes()
