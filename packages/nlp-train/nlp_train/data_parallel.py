"""One worker of data-parallel training: a :class:`~nlp_train.TrainingRun` whose steps are shared.

N workers each hold a replica of the pipeline, built the same way (checked: a digest of the
weights), and run the same loop over the same data, so they draw the same shuffle, batches and
schedules. At each step a worker updates on its shard of the batch
(:func:`~nlp_train.gradients.split_batch`) without applying the optimizer, the workers exchange
their flat gradients and losses, and the optimizer step is sharded
(:mod:`nlp_train.sharded_optimizer`): each worker sums the block of parameters it owns, applies
the optimizer to it, and sends its new weights to the others, so the replicas stay equal and
each holds the optimizer state (Adam moments, parameter averages) of its own block. Worker 0
evaluates, saves and prints, with the whole state gathered first; the others receive its
evaluation, so their loop state (best score, patience) follows, and hand it their random states
for the checkpoint, which each restores on resume (and keeps its block of the optimizer state).
The transport is the group's (Ray: :mod:`nlp_train.ray_workers`; through shared memory on one
machine: :mod:`nlp_train.step_exchange`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
from .sharded_optimizer import (
    Shards,
    WholeOptimizer,
    adopt,
    held_state,
    keep_owned,
    merge_states,
    plan_shards,
    publish,
)
from .step_exchange import BoardExchange


class Group(Protocol):
    """The workers of one run, as worker ``rank`` of ``size`` sees them."""

    rank: int
    size: int

    def allgather(self, kind: str, info: Any, array: numpy.ndarray | None = None
                  ) -> tuple[list[Any], list[numpy.ndarray | None]]:
        """Every worker's ``info`` and ``array``, in worker order, once all have sent theirs
        (each worker gathers the same ``kind``s in the same order). The arrays returned are
        read before the next exchange. A group may also offer ``step_exchange()``: the
        step's exchanges by another way (its shared memory, say; see
        :mod:`nlp_train.step_exchange`), or None for the default through ``allgather``."""
        ...


@dataclass
class ShardedRun(TrainingRun):
    """Worker ``group.rank`` of a data-parallel run (see the module docstring)."""

    group: Any = None
    late: bool = False  # a worker's clock passed max_minutes at the last step
    exchange: Any = None  # the step's exchanges (nlp_train.step_exchange)
    shards: Shards | None = None  # the blocks of parameters the workers own
    total: numpy.ndarray | None = None  # the workers' summed gradient of this worker's block
    whole: tuple[int, WholeOptimizer | None] | None = None  # the state gathered at a step (worker 0's)

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
        offer = getattr(group, "step_exchange", None)
        run.exchange = (offer() if offer is not None else None) or BoardExchange(group)
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
        """Update on this worker's shard, gather every worker's gradient and losses, step the
        block of parameters this worker owns, share the new weights, and note whether any
        worker's clock ran out."""
        self.whole = None  # the gathered state is stale from here on: let it go
        group = self.group
        counts = loss_counts(self.nlp, batch)  # first: labels it adds change the layout
        shard = split_batch(batch, group.size, self.count_words)[group.rank]
        layout = ParamLayout(self.nlp)
        shards = self.plan(layout)
        capture = GradientCapture(layout, self.optimizer, self.exchange.gradient_buffer(layout.size))
        losses: dict[str, float] = {}
        shard_update(self.nlp, shard, stats.dropout, capture, losses, counts)
        info = {"size": layout.size, "stepped": capture.stepped, "losses": losses,
                "late": super().out_of_time()}
        infos, rows = self.exchange.gather_step(info, capture.flat if capture.stepped else None)
        if len({i["size"] for i in infos}) > 1:
            raise ValueError("the workers' pipelines have parameters of different shapes "
                             f"({[i['size'] for i in infos]} floats): the replicas differ")
        stepped: dict[int, float] = {}
        for i in infos:
            stepped.update(i["stepped"])
        self.step_block(layout, shards, rows, stepped)
        for i in infos:
            for name, value in i["losses"].items():
                stats.losses[name] = stats.losses.get(name, 0.0) + value
        self.late = any(i["late"] for i in infos)

    def step_block(self, layout: ParamLayout, shards: Shards, rows: list[numpy.ndarray | None],
                   stepped: dict[int, float]) -> None:
        """Sum this worker's block of the gradients (in worker order), apply the optimizer to
        the stepped parameters of the block, then take the others' new weights."""
        rank = self.group.rank
        start, end = shards.span(rank)
        block = [row[start:end] if row is not None else None for row in rows]
        self.total = sum_gradients(end - start, block, self.total)
        mine = {i: scale for i, scale in stepped.items() if i in shards.slots(rank)}
        apply_step(self.optimizer, layout, self.total, mine, offset=start)
        if self.group.size == 1:
            return
        part = self.exchange.params_buffer(start, end)
        publish(layout, mine, part, start)
        parts = self.exchange.gather_params(part, [shards.span(r) for r in range(self.group.size)])
        adopt(layout, (i for i in stepped if i not in mine), shards, parts)

    def plan(self, layout: ParamLayout) -> Shards:
        """The blocks each worker owns; when they change (the first step, a resize), each
        worker keeps (or is sent) the optimizer state of its new block only."""
        shards = plan_shards(layout, self.group.size)
        if shards != self.shards:
            tables = None
            if self.shards is not None:  # each holds its old block: gather them all
                states, _ = self.group.allgather("optimizer-state", held_state(self.optimizer, layout))
                tables = merge_states(layout, states)
            keep_owned(self.optimizer, layout, shards, self.group.rank, tables)
            self.shards = shards
        return shards

    @contextmanager
    def whole_optimizer(self) -> Iterator[None]:
        """With every worker: gather the optimizer's whole state and, on worker 0, have it
        stand in for the optimizer during the block (to evaluate with the parameter
        averages, save a model or the checkpoint). Gathered once per step."""
        if self.whole is None or self.whole[0] != self.state.schedule_steps:
            layout = ParamLayout(self.nlp)
            states, _ = self.group.allgather("optimizer-state", held_state(self.optimizer, layout))
            whole = WholeOptimizer(self.optimizer, merge_states(layout, states)) if self.group.rank == 0 else None
            self.whole = (self.state.schedule_steps, whole)
        if self.whole[1] is None:  # the other workers only take part in the gathering
            yield
            return
        mine, self.optimizer = self.optimizer, self.whole[1]
        try:
            yield
        finally:
            self.optimizer = mine

    def out_of_time(self) -> bool:
        """Whether any worker's clock passed ``max_minutes`` at the last step (all stop there)."""
        return self.late

    def show_history(self) -> None:
        if self.group.rank == 0:
            super().show_history()

    def evaluate_and_save(self, epoch: int) -> Evaluation:
        """Worker 0 evaluates and saves (with the gathered averages); every worker gets its
        evaluation."""
        with self.whole_optimizer():
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
        with self.whole_optimizer():
            if self.group.rank == 0:
                save_checkpoint(self.out, self.nlp, self.optimizer, self.state, self.shuffle_rng,
                                states[1:])

    def finish(self) -> TrainResult:
        with self.whole_optimizer():
            return super().finish() if self.group.rank == 0 else self.result()
