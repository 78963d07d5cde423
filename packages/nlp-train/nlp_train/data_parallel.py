"""One worker of data-parallel training: a :class:`~nlp_train.TrainingRun` whose steps are shared.

N workers each hold a replica of the pipeline, built the same way (checked: a digest of the
weights), and run the same loop over the same data, so they draw the same shuffle, batches and
schedules. At each step a worker updates on its shard of the batch
(:func:`~nlp_train.gradients.split_batch`) without applying the optimizer, the workers gather
every worker's flat gradient and losses through a :class:`Group`, and each applies the optimizer
to the same sum (:mod:`nlp_train.gradients`): the replicas, and their parameter averages, stay
equal. Worker 0 evaluates, saves and prints; the others receive its evaluation, so their loop
state (best score, patience) follows, and hand it their random states for the checkpoint, which
each restores on resume. The transport is the group's (Ray: :mod:`nlp_train.ray_workers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy
from thinc.api import Optimizer, fix_random_seed

from .checkpoint import has_checkpoint, save_checkpoint, worker_random_states
from .config import TrainConfig, TrainResult
from .console import Console
from .gradients import (
    GradientCapture,
    ParamLayout,
    apply_step,
    loss_counts,
    shard_update,
    split_batch,
    sum_gradients,
)
from .protocol import Corpus
from .randomness import capture_random, restore_random
from .run import EpochStats, Evaluation, TrainingRun


class Group(Protocol):
    """The workers of one run, as worker ``rank`` of ``size`` sees them."""

    rank: int
    size: int

    def allgather(self, kind: str, info: Any, array: numpy.ndarray | None = None
                  ) -> tuple[list[Any], list[numpy.ndarray | None]]:
        """Every worker's ``info`` and ``array``, in worker order, once all have sent theirs
        (each worker gathers the same ``kind``s in the same order). The arrays returned are
        read before the next exchange; a group may also offer ``gradient_buffer(size)``: the
        array to send next (its shared memory, say), which the caller fills."""
        ...


@dataclass
class ShardedRun(TrainingRun):
    """Worker ``group.rank`` of a data-parallel run (see the module docstring)."""

    group: Any = None
    late: bool = False  # a worker's clock passed max_minutes at the last step
    buffer: numpy.ndarray | None = None  # the flat gradient array, reused step after step
    total: numpy.ndarray | None = None  # the workers' summed gradient, reused too

    @classmethod
    def start(cls, group: Group, nlp: Any, train_corpus: Corpus, dev_corpus: Corpus,
              output_dir: str | Path, cfg: TrainConfig, *, optimizer: Optimizer | None,
              count_words: Any, console: Console, resume: bool, digest: str | None) -> ShardedRun:
        """Prepare the run (the caller has recovered ``output_dir``), check that every replica
        has the weights of ``digest`` (None: worker 0's), then resume or seed this worker's
        dropout generators apart from the others'."""
        run = cls.prepare(nlp, train_corpus, dev_corpus, output_dir, cfg, optimizer=optimizer,
                          count_words=count_words, console=console, recover_output=False)
        run.group = group
        run.check_replicas(digest)
        run.state.data["workers"] = group.size  # a checkpoint resumes with as many workers
        resumed = resume and has_checkpoint(run.out)
        if resume:
            run.resume()
            run.check_resumed_alike(resumed)
        if group.rank and not resumed:  # a fresh run (also --resume with no checkpoint yet)
            seed = numpy.random.SeedSequence([cfg.seed, group.rank]).generate_state(1)[0]
            fix_random_seed(int(seed))
        return run

    def check_resumed_alike(self, resumed: bool) -> None:
        """A ValueError unless every worker resumed from the same point with the same weights
        (a worker on another machine that cannot see ``output_dir`` would start afresh)."""
        mine = (resumed, self.state.epoch, self.state.position, ParamLayout(self.nlp).digest())
        found, _ = self.group.allgather("resumed", mine)
        for rank, theirs in enumerate(found):
            if tuple(theirs) != tuple(found[0]):
                raise ValueError(f"worker {rank} did not resume from worker 0's checkpoint in {self.out}: "
                                 "resuming on a cluster needs the output directory on a filesystem every "
                                 "machine sees")

    def check_replicas(self, digest: str | None) -> None:
        """A ValueError unless every worker's pipeline has the same weights as ``digest``."""
        digests, _ = self.group.allgather("replica", ParamLayout(self.nlp).digest())
        expected = digest if digest is not None else digests[0]
        whose = "the caller's pipeline" if digest is not None else "worker 0's"
        for rank, found in enumerate(digests):
            if found != expected:
                raise ValueError(f"worker {rank} built a pipeline whose weights differ from {whose}: "
                                 "the replica factory must build the same pipeline every time "
                                 "(the same seed, labels and initial weights)")

    def resume(self) -> None:
        """Continue from the checkpoint, with this worker's own random states."""
        super().resume()
        if not self.group.rank or not has_checkpoint(self.out):
            return
        where = f"{self.out / 'checkpoint'}/state.msgpack"
        states = worker_random_states(self.out)  # as many as workers: resume checked state.data["workers"]
        restore_random(states[self.group.rank - 1], self.shuffle_rng, self.nlp, where)

    def step(self, batch: list[Any], stats: EpochStats) -> None:
        """Update on this worker's shard, gather every worker's gradient and losses, apply
        the optimizer to the sum, and note whether any worker's clock ran out."""
        group = self.group
        counts = loss_counts(self.nlp, batch)  # first: labels it adds change the layout
        shard = split_batch(batch, group.size, self.count_words)[group.rank]
        layout = ParamLayout(self.nlp)
        capture = GradientCapture(layout, self.optimizer, self.gradient_buffer(layout.size))
        self.buffer = capture.flat
        losses: dict[str, float] = {}
        shard_update(self.nlp, shard, stats.dropout, capture, losses, counts)
        info = {"size": layout.size, "stepped": capture.stepped, "losses": losses,
                "late": super().out_of_time()}
        infos, arrays = group.allgather("step", info, capture.flat if capture.stepped else None)
        if len({i["size"] for i in infos}) > 1:
            raise ValueError("the workers' pipelines have parameters of different shapes "
                             f"({[i['size'] for i in infos]} floats): the replicas differ")
        stepped: dict[int, float] = {}
        for i in infos:
            stepped.update(i["stepped"])
        self.total = sum_gradients(layout.size, arrays, self.total)
        apply_step(self.optimizer, layout, self.total, stepped)
        for i in infos:
            for name, value in i["losses"].items():
                stats.losses[name] = stats.losses.get(name, 0.0) + value
        self.late = any(i["late"] for i in infos)

    def gradient_buffer(self, size: int) -> numpy.ndarray | None:
        """Where to collect this step's gradient: the group's (its shared memory) when it
        offers one, else last step's array."""
        offer = getattr(self.group, "gradient_buffer", None)
        return offer(size) if offer is not None else self.buffer

    def out_of_time(self) -> bool:
        """Whether any worker's clock passed ``max_minutes`` at the last step (all stop there)."""
        return self.late

    def show_history(self) -> None:
        if self.group.rank == 0:
            super().show_history()

    def evaluate_and_save(self, epoch: int) -> Evaluation:
        """Worker 0 evaluates and saves; every worker gets its evaluation."""
        mine = super().evaluate_and_save(epoch) if self.group.rank == 0 else None
        evaluations, _ = self.group.allgather("evaluation", mine)
        return evaluations[0]

    def record(self, epoch: int, stats: EpochStats, evaluation: Evaluation) -> None:
        if self.group.rank == 0:
            super().record(epoch, stats, evaluation)
        else:
            self.advance(epoch, stats, evaluation)
            self.save_checkpoint()

    def save_checkpoint(self) -> None:
        """Worker 0 writes the checkpoint, with the other workers' random states."""
        states, _ = self.group.allgather("random", capture_random(self.shuffle_rng, self.nlp))
        if self.group.rank == 0:
            save_checkpoint(self.out, self.nlp, self.optimizer, self.state, self.shuffle_rng, states[1:])

    def finish(self) -> TrainResult:
        return super().finish() if self.group.rank == 0 else self.result()
