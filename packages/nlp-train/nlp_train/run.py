"""One training run as a state object and its named steps.

:func:`nlp_train.train` is ``TrainingRun.prepare(...)`` then :meth:`TrainingRun.run`, which
calls the steps in turn: :meth:`~TrainingRun.make_schedules`, then per epoch
:meth:`~TrainingRun.train_epoch`, :meth:`~TrainingRun.evaluate_and_save` and
:meth:`~TrainingRun.record`, and at the end :meth:`~TrainingRun.finish`. Another driver (a
pretraining objective, a custom loop) can call the same steps around its own logic; everything
the steps share lives on the run, and everything resume needs lives in ``run.state``
(:class:`~nlp_train.LoopState`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from thinc.api import CupyOps, Optimizer, fix_random_seed, get_current_ops

from .batching import batch_size_schedule, minibatch, minibatch_by_words
from .checkpoint import LoopState, has_checkpoint, load_checkpoint, save_checkpoint
from .components import ComponentInfo, pipeline_infos
from .config import TrainConfig, TrainResult
from .console import Console
from .divergence import current_params, diverged, has_nonfinite_params, loss_divergence
from .optimizer import create_optimizer
from .protocol import Corpus, read_corpus
from .randomness import loaded_state, saved_state, seed_device
from .report import plot_scores, write_log
from .schedules import compounding, decaying, skip
from .scoring import loggable_scores, resolve_score_weights, weighted_score
from .settings import check_environment, resolve, resolve_optional
from .storage import atomic_write_dir, copy_dir_atomic, recover
from .streaming import HeldCorpus, Pass, TrainingData, replay, training_data
from .table import Table, table_columns

#: Word-based batch sizes when ``batch_by="words"`` and nothing else is set.
WORD_BATCH_DEFAULTS = (100.0, 1000.0)


class Counted(Iterator[float]):
    """An iterator that counts the values drawn (the schedule's position)."""

    def __init__(self, source: Iterator[float], count: int = 0) -> None:
        self.source = skip(source, count)
        self.count = count

    def __next__(self) -> float:
        value = next(self.source)
        self.count += 1
        return value


@dataclass
class EpochStats:
    """What :meth:`TrainingRun.train_epoch` measured."""

    losses: dict[str, float] = field(default_factory=dict)
    n_words: int = 0
    n_batches: int = 0
    last_batch_size: float = 0.0
    dropout: float = 0.0
    train_seconds: float = 0.0


@dataclass
class Evaluation:
    """What :meth:`TrainingRun.evaluate_and_save` found: the dev scores, the weighted score,
    whether it beat the best so far, the seconds evaluating and saving took (not calibrating),
    and what ``nlp.calibrate`` fitted before a model was saved (empty when none was)."""

    scores: dict[str, Any]
    score: float
    improved: bool
    seconds: float
    calibration: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainingRun:
    """A training run's state: the pipeline, its data, schedules, console and loop state."""

    nlp: Any
    out: Path
    cfg: TrainConfig
    console: Console
    optimizer: Optimizer
    infos: list[ComponentInfo]
    train_data: TrainingData
    dev_examples: list[Any]
    shuffle_rng: random.Random
    state: LoopState
    raw: list[Any] | None = None
    count_words: Callable[[Any], int] | None = None
    batch_sizes: Counted | None = None
    dropouts: Counted | None = None
    table: Table | None = None
    stopped_by: str = "epochs"
    deadline: float | None = None
    where: dict[int, int] = field(default_factory=dict)  # id(example) -> its corpus index
    calibrated_at: int | None = None  # the schedule step of the last nlp.calibrate

    @classmethod
    def prepare(cls, nlp: Any, train_corpus: Corpus, dev_corpus: Corpus, output_dir: str | Path,
                cfg: TrainConfig, *, optimizer: Optimizer | None = None,
                raw_texts: Sequence[Any] | None = None, resume: bool = False,
                count_words: Callable[[Any], int] | None = None,
                console: Console | None = None, recover_output: bool = True) -> TrainingRun:
        """Check the config, recover ``output_dir`` from an interrupted write (unless
        ``recover_output`` is False: another process did), seed, read the corpora and, with
        ``resume``, restore the checkpoint."""
        cfg.validate()
        check_environment()
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        console = Console(None) if console is None else console
        for action in recover(out) if recover_output else ():
            console.info(f"Recovered {out}: {action}")
        if raw_texts is not None and not callable(getattr(nlp, "rehearse", None)):
            raise TypeError("raw_texts given, but the pipeline has no rehearse() method")
        infos = pipeline_infos(nlp)
        fix_random_seed(cfg.seed)
        shuffle_rng = random.Random(cfg.seed)
        train_data, dev_examples = _read_data(train_corpus, dev_corpus, nlp, cfg, count_words)
        raw = list(raw_texts) if raw_texts is not None else None
        if raw is not None and not raw:
            raise ValueError("raw_texts is empty")
        run = cls(nlp, out, cfg, console, create_optimizer() if optimizer is None else optimizer,
                  infos, train_data, dev_examples, shuffle_rng, LoopState(data=_run_data(
                      cfg, train_data, dev_examples, raw)), raw, count_words)
        if resume:
            run.resume()
        return run

    def resume(self) -> None:
        """Continue from ``out/checkpoint`` (weights, optimizer, random states, loop state, at an
        epoch's end or in the middle of one); a ValueError when the run trains on other data
        than the checkpoint's."""
        if not has_checkpoint(self.out):
            self.console.info(f"No checkpoint in {self.out}: starting from scratch")
            return
        data = self.state.data
        self.state = load_checkpoint(self.out, self.nlp, self.optimizer, self.shuffle_rng)
        saved = self.state.data
        changed = {k: (saved.get(k), data.get(k)) for k in sorted(set(saved) | set(data))
                   if saved.get(k) != data.get(k)}
        if changed:
            detail = ", ".join(f"{k} was {a!r}, now {b!r}" for k, (a, b) in changed.items())
            raise ValueError(f"cannot resume from {self.out / 'checkpoint'}: the run changed "
                             f"({detail})")
        where = f" at example {self.state.position} of epoch {self.state.epoch + 1}" \
            if self.state.position else ""
        self.console.info(f"Resuming from {self.out / 'checkpoint'} after epoch "
                          f"{self.state.epoch}{where}")

    def make_schedules(self) -> None:
        """The batch-size and dropout schedules (at the positions the state has reached), and
        the table, with a row per epoch already done."""
        cfg = self.cfg
        if cfg.batch_by == "examples":
            source = batch_size_schedule(self.infos, len(self.train_data),
                                         start=cfg.batch_from, stop=cfg.batch_to,
                                         compound=cfg.batch_compound)
        else:
            lo = resolve_optional("batch_from", cfg.batch_from)
            hi = resolve_optional("batch_to", cfg.batch_to)
            source = compounding(WORD_BATCH_DEFAULTS[0] if lo is None else lo,
                                 WORD_BATCH_DEFAULTS[1] if hi is None else hi,
                                 resolve("batch_compound", cfg.batch_compound))
        self.batch_sizes = Counted(source, self.state.batch_draws)
        self.dropouts = Counted(decaying(resolve("dropout_from", cfg.dropout_from),
                                         resolve("dropout_to", cfg.dropout_to),
                                         resolve("dropout_decay", cfg.dropout_decay)),
                                self.state.dropout_draws)
        self.show_history()

    def show_history(self) -> None:
        """The table's header and a row per epoch done; the log rewritten to those epochs."""
        self.table = self.console.table(table_columns(self.infos, _on_gpu()))
        self.table.header()
        for done in self.state.history:
            self.table.row(done["epoch"], done["losses"], done["scores"])
        write_log(self.out, self.state.history)

    def epochs(self) -> range:
        """The epochs left to train (none when the interrupted run had run out of patience)."""
        if self.cfg.patience is not None and self.state.bad_epochs >= self.cfg.patience:
            self.stopped_by = "patience"
            return range(0)
        return range(self.state.epoch + 1, self.cfg.n_epochs + 1)

    def run(self) -> TrainResult:
        """Every step, epoch after epoch, until the epochs, the patience or the time run out."""
        self.make_schedules()
        started = time.perf_counter()
        if self.cfg.max_minutes is not None:
            self.deadline = started + self.cfg.max_minutes * 60.0
        for epoch in self.epochs():
            stats = self.train_epoch(epoch)
            evaluation = self.evaluate_and_save(epoch)
            self.record(epoch, stats, evaluation)
            if self.should_stop():
                break
        return self.finish()

    def train_epoch(self, epoch: int) -> EpochStats:
        """Shuffle (seeded), batch and update, rehearsing after each update when there are raw
        texts, and checkpoint every ``checkpoint_every`` batches; raise TrainingDiverged as soon
        as a loss is nan or inf. A run resumed in the middle of the epoch continues there."""
        assert self.batch_sizes is not None and self.dropouts is not None, "make_schedules first"
        if _on_gpu():  # cupy's state cannot be saved: reseed per epoch (and per checkpoint)
            seed_device(self.cfg.seed, epoch, self.state.position)
        stats = EpochStats(**self.state.partial) if self.state.partial else EpochStats()
        progress = self.console.progress(len(self.train_data), self.cfg.progress)
        progress.advance(self.state.position)
        counter = len if self.count_words is None else self.count_words
        start = time.perf_counter() - stats.train_seconds
        for batch in self._batches():
            stats.dropout = next(self.dropouts)
            self._update(batch, epoch, stats)
            failure = loss_divergence(stats.losses, epoch, stats.n_batches, self.out,
                                      self.state.best_epoch)
            if failure is not None:
                progress.close()
                raise failure
            stats.last_batch_size = len(batch)
            stats.n_words += sum(int(counter(ex)) for ex in batch)
            stats.train_seconds = time.perf_counter() - start
            self._done(batch, epoch, stats)
            progress.advance(len(batch), stats.losses)
            if self.out_of_time():
                self.stopped_by = "time"
                break
        progress.close()
        stats.train_seconds = time.perf_counter() - start
        return stats

    def _batches(self) -> Iterator[list[Any]]:
        """This epoch's batches: a fresh shuffle of the training examples (replayed from the
        generator's state at the pass's start, less the examples done, when resuming in the
        middle of the pass), cut by the batch-size schedule."""
        state = self.state
        self.where.clear()
        if state.position and state.pass_random is not None:
            order = replay(self.train_data, loaded_state(state.pass_random), state.position)
        else:
            state.pass_random = saved_state(self.shuffle_rng.getstate())
            order = self.train_data.order(self.shuffle_rng)
        ordered = self._noting_where(order)
        if self.cfg.batch_by == "examples":
            return minibatch(ordered, size=self.batch_sizes)
        return minibatch_by_words(ordered, size=self.batch_sizes,
                                  tolerance=self.cfg.batch_tolerance, count_words=self.count_words)

    def out_of_time(self) -> bool:
        """Whether ``max_minutes`` have passed (checked after each batch)."""
        return self.deadline is not None and time.perf_counter() > self.deadline

    def step(self, batch: list[Any], stats: EpochStats) -> None:
        """One gradient step of the pipeline on ``batch``, its losses added to ``stats``."""
        self.nlp.update(batch, drop=stats.dropout, sgd=self.optimizer, losses=stats.losses)

    def _update(self, batch: list[Any], epoch: int, stats: EpochStats) -> None:
        """One update (its error names the batch's examples), the optimizer's schedules, and
        a rehearsal step on as many random raw texts."""
        try:
            self.step(batch, stats)
        except Exception as err:
            where = sorted(self.where.get(id(ex), -1) for ex in batch)
            err.add_note(f"in nlp.update, epoch {epoch}, on train_corpus examples {where}")
            raise
        self.optimizer.step_schedules()
        self.state.schedule_steps += 1
        if self.raw is not None:
            picks = self.shuffle_rng.sample(range(len(self.raw)), min(len(batch), len(self.raw)))
            self.nlp.rehearse([self.raw[i] for i in picks], sgd=self.optimizer,
                              losses=stats.losses)
        stats.n_batches += 1

    def _noting_where(self, order: Pass) -> Iterator[Any]:
        """The examples of a pass, each one's corpus index noted until its batch is done."""
        for index, example in order:
            self.where[id(example)] = index
            yield example

    def _done(self, batch: list[Any], epoch: int, stats: EpochStats) -> None:
        """Count the batch's examples as done in this pass, and checkpoint when it is time."""
        self.state.position += len(batch)
        for example in batch:
            self.where.pop(id(example), None)
        self.checkpoint_in_epoch(epoch, stats)

    def checkpoint_in_epoch(self, epoch: int, stats: EpochStats) -> None:
        """After every ``checkpoint_every``-th batch of an epoch: the checkpoint of this point
        (the loop state records the examples done and the statistics so far). Not after the
        epoch's last batch: `record` writes the epoch's own checkpoint next."""
        every = self.cfg.checkpoint_every
        if not every or stats.n_batches % every or self.state.position >= len(self.train_data):
            return
        state = self.state
        assert self.batch_sizes is not None and self.dropouts is not None
        state.batch_draws, state.dropout_draws = self.batch_sizes.count, self.dropouts.count
        state.partial = asdict(stats)
        self.save_checkpoint()
        if _on_gpu():
            seed_device(self.cfg.seed, epoch, state.position)

    def evaluate_and_save(self, epoch: int) -> Evaluation:
        """Evaluate on the dev examples with the averaged weights, save ``model{epoch}`` and,
        when the weighted score is the best so far, ``model-best``; a model is calibrated just
        before it is saved. A nan or inf weight raises TrainingDiverged before anything is saved."""
        averages = self.optimizer.averages
        saved = averages if averages else current_params(self.nlp)  # the weights to be saved
        if has_nonfinite_params(saved):  # the last update broke the weights, its loss was fine
            raise diverged("a weight became nan or inf", epoch, self.out, self.state.best_epoch)
        start = time.perf_counter()
        with (self.nlp.use_params(averages) if averages else nullcontext()):
            scores = self._scores(epoch)
            if self.state.score_weights is None:
                self.state.score_weights = resolve_score_weights(self.infos, scores,
                                                                 self.cfg.score_weights)
            score = weighted_score(scores, self.state.score_weights)
            improved = self.state.best_score is None or score > self.state.best_score
            calibration, calibrate_seconds = {}, 0.0
            if improved or self.cfg.save_every_epoch:
                calibrate_start = time.perf_counter()
                calibration = self._calibrate(epoch)
                calibrate_seconds = time.perf_counter() - calibrate_start
            model_dir = self.out / f"model{epoch}"
            if self.cfg.save_every_epoch:
                atomic_write_dir(model_dir, self.nlp.to_disk)
            if improved and self.cfg.save_every_epoch:
                copy_dir_atomic(model_dir, self.out / "model-best")
            elif improved:
                atomic_write_dir(self.out / "model-best", self.nlp.to_disk)
        seconds = time.perf_counter() - start - calibrate_seconds
        return Evaluation(scores, score, improved, seconds, calibration)

    def _calibrate(self, epoch: int | None) -> dict[str, Any]:
        """Let the pipeline fit its scores' confidence on the dev examples with the weights
        about to be saved (``nlp.calibrate``, optional: see the protocol), once per step of
        the weights; what it fitted ({} when nothing was)."""
        if self.calibrated_at == self.state.schedule_steps or not callable(getattr(self.nlp, "calibrate", None)):
            return {}
        self.calibrated_at = self.state.schedule_steps
        return self._on_dev("calibrate", epoch) or {}

    def _scores(self, epoch: int) -> dict[str, Any]:
        return loggable_scores(self._on_dev("evaluate", epoch))

    def _on_dev(self, method: str, epoch: int | None) -> Any:
        """``nlp.<method>(dev examples)``; an error says where it came from (None: at the end)."""
        try:
            return getattr(self.nlp, method)(self.dev_examples)
        except Exception as err:
            err.add_note(f"in nlp.{method} on dev_corpus ({len(self.dev_examples)} examples), "
                         + (f"after epoch {epoch}" if epoch is not None else "before model-final"))
            raise

    def record(self, epoch: int, stats: EpochStats, evaluation: Evaluation) -> None:
        """Update the loop state, append the epoch to the log, write the checkpoint, print the
        table row and redraw the plot."""
        self.advance(epoch, stats, evaluation)
        write_log(self.out, self.state.history)
        self.save_checkpoint()
        if self.table is not None:
            self.table.row(epoch, stats.losses, evaluation.scores)
        plot_scores(self.out, self.state.history)

    def advance(self, epoch: int, stats: EpochStats, evaluation: Evaluation) -> None:
        """The loop state after ``epoch``: best score, patience, schedule positions, history."""
        state = self.state
        if evaluation.improved:
            state.best_score, state.best_epoch, state.bad_epochs = evaluation.score, epoch, 0
        else:
            state.bad_epochs += 1
        state.epoch, state.position, state.pass_random, state.partial = epoch, 0, None, None
        assert self.batch_sizes is not None and self.dropouts is not None
        state.batch_draws, state.dropout_draws = self.batch_sizes.count, self.dropouts.count
        state.history.append(self._log_record(epoch, stats, evaluation))

    def save_checkpoint(self) -> None:
        """Write ``out/checkpoint`` (see :mod:`nlp_train.checkpoint`) from the loop state."""
        save_checkpoint(self.out, self.nlp, self.optimizer, self.state, self.shuffle_rng)

    def _log_record(self, epoch: int, stats: EpochStats, evaluation: Evaluation) -> dict[str, Any]:
        seconds = stats.train_seconds
        return {
            "epoch": epoch, "pipeline": list(self.nlp.pipe_names),
            "components": [info.to_dict() for info in self.infos],
            "losses": dict(stats.losses), "scores": evaluation.scores, "score": evaluation.score,
            "best": evaluation.improved, "n_words": stats.n_words, "n_batches": stats.n_batches,
            "last_batch_size": stats.last_batch_size, "dropout": stats.dropout,
            "train_seconds": seconds, "train_wps": stats.n_words / seconds if seconds > 0 else 0.0,
            "eval_seconds": evaluation.seconds, "calibration": evaluation.calibration,
        }

    def should_stop(self) -> bool:
        """Whether the time ran out during the epoch, or the patience after it."""
        if self.stopped_by == "time":
            return True
        if self.cfg.patience is not None and self.state.bad_epochs >= self.cfg.patience:
            self.stopped_by = "patience"
            return True
        return False

    def finish(self) -> TrainResult:
        """Save ``model-final`` (averaged weights), name the best epoch, and say what was done."""
        averages = self.optimizer.averages
        with (self.nlp.use_params(averages) if averages else nullcontext()):
            self._calibrate(None)
            atomic_write_dir(self.out / "model-final", self.nlp.to_disk)
        state = self.state
        if state.best_epoch is not None:
            self.console.good(f"Best: epoch {state.best_epoch}, score {state.best_score:.3f} -> "
                              f"{self.out / 'model-best'}")
        return self.result()

    def result(self) -> TrainResult:
        """What the run did: the epochs, the best one and its score, why it stopped."""
        state = self.state
        return TrainResult(self.out, state.epoch, state.best_epoch, state.best_score,
                           self.stopped_by, list(state.history))


def _read_data(train_corpus: Corpus, dev_corpus: Corpus, nlp: Any, cfg: TrainConfig,
               count_words: Callable[[Any], int] | None) -> tuple[TrainingData, list[Any]]:
    """The training examples (the first ``cfg.limit``; held, or streamed with
    ``cfg.shuffle_buffer``) and the dev examples, checked."""
    train_data = training_data(train_corpus, nlp, cfg.shuffle_buffer, cfg.limit)
    dev_examples = read_corpus(dev_corpus, nlp, "dev_corpus")
    if not len(train_data):
        raise ValueError("train_corpus has no examples")
    if not dev_examples:
        raise ValueError("dev_corpus has no examples")
    if isinstance(train_data, HeldCorpus):
        _word_counts(train_data.examples, count_words, "train_corpus")
    return train_data, dev_examples


def _run_data(cfg: TrainConfig, train_data: TrainingData, dev_examples: list[Any],
              raw: list[Any] | None) -> dict[str, Any]:
    """What the run trains on: a resumed run must match it."""
    data = {"seed": cfg.seed, "n_train": len(train_data), "n_dev": len(dev_examples),
            "batch_by": cfg.batch_by, "rehearsal": raw is not None}
    if cfg.shuffle_buffer:  # an in-memory run records none, as it did before streaming existed
        data["shuffle_buffer"] = cfg.shuffle_buffer
    return data


def _word_counts(examples: Sequence[Any], count_words: Callable[[Any], int] | None,
                 what: str) -> list[int]:
    counter = len if count_words is None else count_words
    counts = []
    for i, example in enumerate(examples):
        try:
            counts.append(int(counter(example)))
        except TypeError as err:
            raise TypeError(
                f"{what} example {i} ({type(example).__name__}): cannot count its words ({err}); "
                "examples need len() = word count, or pass count_words="
            ) from None
    return counts


def _on_gpu() -> bool:
    return isinstance(get_current_ops(), CupyOps)
