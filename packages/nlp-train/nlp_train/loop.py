"""The training loop: shuffle, batch, update, evaluate with averages, save."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

from thinc.api import CupyOps, Optimizer, fix_random_seed, get_current_ops

from .batching import batch_size_schedule, minibatch, minibatch_by_words
from .checkpoint import LoopState, has_checkpoint, load_checkpoint, save_checkpoint
from .divergence import current_params, diverged, has_nonfinite_params, loss_divergence
from .optimizer import create_optimizer
from .protocol import Corpus, read_corpus
from .randomness import seed_device
from .report import plot_scores, write_log
from .schedules import compounding, decaying, skip
from .scoring import loggable_scores, resolve_score_weights, weighted_score
from .settings import check_environment, resolve, resolve_optional
from .storage import atomic_write_dir, copy_dir_atomic, recover
from .table import ProgressBar, Table, table_columns

#: Word-based batch sizes when ``batch_by="words"`` and nothing else is set.
WORD_BATCH_DEFAULTS = (100.0, 1000.0)


@dataclass
class TrainConfig:
    """Options of :func:`train`.  ``None`` means: environment variable, else recipe.

    - ``n_epochs``: epochs in all (a resumed run counts the ones done).
    - ``patience``: stop after this many epochs without a better score.
    - ``max_minutes``: stop (after finishing the epoch's evaluation and saves)
      once training has run this long.
    - ``seed``: seeds python, numpy and the shuffling; same seed and data give
      the same weights.
    - ``limit``: train on the first ``limit`` examples only (0: all).
    - ``batch_by``: ``"examples"`` (the seed's heuristic) or ``"words"``.
    - ``batch_from`` / ``batch_to`` / ``batch_compound``: the compounding
      batch-size schedule (``NLP_BATCH_*``, or v2's ``batch_from``, ...);
      ``batch_to`` defaults to the per-component maximum of
      :func:`~nlp_train.get_batches`.
    - ``batch_tolerance``: overflow allowed when batching by words.
    - ``dropout_from`` / ``dropout_to`` / ``dropout_decay``: the linear
      dropout schedule (``NLP_DROPOUT_*``, or v2's ``dropout_from``, ...;
      recipe 0.6 -> 0.2 by 1e-4).
    - ``score_weights``: ``{metric: weight}`` for choosing ``model-best``.
    - ``save_every_epoch``: write ``model{i}`` after each epoch.
    - ``progress``: force the progress bar on/off (default: on a terminal).
    """

    n_epochs: int = 30
    patience: int | None = None
    max_minutes: float | None = None
    seed: int = 0
    limit: int = 0
    batch_by: str = "examples"
    batch_from: float | None = None
    batch_to: float | None = None
    batch_compound: float | None = None
    batch_tolerance: float = 0.2
    dropout_from: float | None = None
    dropout_to: float | None = None
    dropout_decay: float | None = None
    score_weights: dict[str, float] | None = None
    save_every_epoch: bool = True
    progress: bool | None = None

    def validate(self) -> None:
        if not isinstance(self.n_epochs, int) or self.n_epochs < 0:
            raise ValueError(f"n_epochs must be an int >= 0, got {self.n_epochs!r}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be >= 1 (or None), got {self.patience!r}")
        if self.max_minutes is not None and not self.max_minutes > 0:
            raise ValueError(f"max_minutes must be > 0 (or None), got {self.max_minutes!r}")
        if self.limit < 0:
            raise ValueError(f"limit must be >= 0, got {self.limit!r}")
        if self.batch_by not in ("examples", "words"):
            raise ValueError(f"batch_by must be 'examples' or 'words', got {self.batch_by!r}")


@dataclass
class TrainResult:
    """What :func:`train` did."""

    output_dir: Path
    epochs: int
    best_epoch: int | None
    best_score: float | None
    stopped_by: str  # "epochs", "patience" or "time"
    history: list[dict[str, Any]] = field(default_factory=list)


class _Counted(Iterator[float]):
    """An iterator that counts the values drawn (the schedule's position)."""

    def __init__(self, source: Iterator[float], count: int = 0) -> None:
        self.source = skip(source, count)
        self.count = count

    def __next__(self) -> float:
        value = next(self.source)
        self.count += 1
        return value


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


def train(
    nlp: Any,
    train_corpus: Corpus,
    dev_corpus: Corpus,
    output_dir: str | Path,
    config: TrainConfig | None = None,
    *,
    optimizer: Optimizer | None = None,
    raw_texts: Sequence[Any] | None = None,
    resume: bool = False,
    count_words: Callable[[Any], int] | None = None,
    stream: IO[str] | None = None,
    quiet: bool = False,
    **options: Any,
) -> TrainResult:
    """Train ``nlp`` (see :class:`~nlp_train.TrainablePipeline`) with the recipe.

    Each epoch shuffles the training examples (seeded), batches them with a
    compounding size, updates with a decaying dropout, then evaluates on the
    dev examples with the averaged weights, prints one table row, appends to
    ``output_dir/training-log.jsonl`` and saves ``model{epoch}``,
    ``model-best`` (by weighted score) and the resume ``checkpoint`` -- each
    folder written atomically.  ``model-final`` is saved at the end.

    ``config`` and ``**options`` (field names of :class:`TrainConfig`) set
    the options.  ``optimizer`` defaults to :func:`create_optimizer`; when
    resuming it must be fresh.  ``raw_texts`` turns on rehearsal
    (``nlp.rehearse`` on a random batch of them after each update).
    ``resume`` continues from ``output_dir/checkpoint`` (from scratch if there
    is none).  Output goes to ``stream`` (default stdout) unless ``quiet``.
    """
    cfg = TrainConfig(**{f.name: getattr(config, f.name) for f in fields(TrainConfig)}) \
        if config is not None else TrainConfig()
    names = {f.name for f in fields(TrainConfig)}
    for key, value in options.items():
        if key not in names:
            raise TypeError(f"train() got an unknown option {key!r} (options: {sorted(names)})")
        setattr(cfg, key, value)
    cfg.validate()
    check_environment()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    printer = None if quiet else (sys.stdout if stream is None else stream)

    def say(message: str) -> None:
        if printer is not None:
            printer.write(message + "\n")
            printer.flush()

    for action in recover(out):
        say(f"Recovered {out}: {action}")
    if raw_texts is not None and not callable(getattr(nlp, "rehearse", None)):
        raise TypeError("raw_texts given, but the pipeline has no rehearse() method")
    pipe_names = list(nlp.pipe_names)

    fix_random_seed(cfg.seed)
    shuffle_rng = random.Random(cfg.seed)
    train_examples = read_corpus(train_corpus, nlp, "train_corpus")
    if cfg.limit:
        train_examples = train_examples[: cfg.limit]
    dev_examples = read_corpus(dev_corpus, nlp, "dev_corpus")
    if not train_examples:
        raise ValueError("train_corpus has no examples")
    if not dev_examples:
        raise ValueError("dev_corpus has no examples")
    counter: Callable[[Any], int] = len if count_words is None else count_words
    _word_counts(train_examples, count_words, "train_corpus")
    raw = list(raw_texts) if raw_texts is not None else None
    if raw is not None and not raw:
        raise ValueError("raw_texts is empty")
    if optimizer is None:
        optimizer = create_optimizer()

    data = {"seed": cfg.seed, "n_train": len(train_examples), "n_dev": len(dev_examples),
            "batch_by": cfg.batch_by, "rehearsal": raw is not None}
    state = LoopState(data=data)
    if resume and has_checkpoint(out):
        state = load_checkpoint(out, nlp, optimizer, shuffle_rng)
        changed = {k: (state.data.get(k), v) for k, v in data.items() if state.data.get(k) != v}
        if changed:
            detail = ", ".join(f"{k} was {a!r}, now {b!r}" for k, (a, b) in changed.items())
            raise ValueError(f"cannot resume from {out / 'checkpoint'}: the run changed ({detail})")
        say(f"Resuming from {out / 'checkpoint'} after epoch {state.epoch}")
    elif resume:
        say(f"No checkpoint in {out}: starting from scratch")

    if cfg.batch_by == "examples":
        batch_source = batch_size_schedule(pipe_names, len(train_examples), start=cfg.batch_from,
                                           stop=cfg.batch_to, compound=cfg.batch_compound)
    else:
        lo = resolve_optional("batch_from", cfg.batch_from)
        hi = resolve_optional("batch_to", cfg.batch_to)
        batch_source = compounding(WORD_BATCH_DEFAULTS[0] if lo is None else lo,
                                   WORD_BATCH_DEFAULTS[1] if hi is None else hi,
                                   resolve("batch_compound", cfg.batch_compound))
    batch_sizes = _Counted(batch_source, state.batch_draws)
    dropouts = _Counted(decaying(resolve("dropout_from", cfg.dropout_from),
                                 resolve("dropout_to", cfg.dropout_to),
                                 resolve("dropout_decay", cfg.dropout_decay)), state.dropout_draws)

    table = Table(table_columns(pipe_names, _on_gpu()), printer)
    table.header()
    for record in state.history:
        table.row(record["epoch"], record["losses"], record["scores"])
    write_log(out, state.history)

    started = time.perf_counter()
    deadline = None if cfg.max_minutes is None else started + cfg.max_minutes * 60.0
    stopped_by = "epochs"
    position = {id(ex): i for i, ex in enumerate(train_examples)}
    first = state.epoch + 1
    if cfg.patience is not None and state.bad_epochs >= cfg.patience:
        stopped_by, first = "patience", cfg.n_epochs + 1  # the interrupted run had stopped
    for epoch in range(first, cfg.n_epochs + 1):
        if _on_gpu():
            seed_device(cfg.seed, epoch)  # cupy's state cannot be saved: reseed it per epoch
        index = list(range(len(train_examples)))  # fresh each epoch: resumable from the RNG alone
        shuffle_rng.shuffle(index)
        ordered = [train_examples[i] for i in index]
        if cfg.batch_by == "examples":
            batches = minibatch(ordered, size=batch_sizes)
        else:
            batches = minibatch_by_words(ordered, size=batch_sizes, tolerance=cfg.batch_tolerance,
                                         count_words=count_words)
        losses: dict[str, float] = {}
        progress = ProgressBar(len(ordered), printer, cfg.progress)
        n_words = n_batches = 0
        drop = batch_len = 0.0
        epoch_start = time.perf_counter()
        for batch in batches:
            drop = next(dropouts)
            try:
                nlp.update(batch, drop=drop, sgd=optimizer, losses=losses)
            except Exception as err:
                where = sorted(position.get(id(ex), -1) for ex in batch)
                err.add_note(f"in nlp.update, epoch {epoch}, on train_corpus examples {where}")
                raise
            optimizer.step_schedules()
            state.schedule_steps += 1
            if raw is not None:
                picks = shuffle_rng.sample(range(len(raw)), min(len(batch), len(raw)))
                nlp.rehearse([raw[i] for i in picks], sgd=optimizer, losses=losses)
            n_batches += 1
            failure = loss_divergence(losses, epoch, n_batches, out, state.best_epoch)
            if failure is not None:
                progress.close()
                raise failure
            batch_len = len(batch)
            n_words += sum(int(counter(ex)) for ex in batch)
            progress.advance(len(batch), losses)
            if deadline is not None and time.perf_counter() > deadline:
                stopped_by = "time"
                break
        progress.close()
        train_seconds = time.perf_counter() - epoch_start

        averages = optimizer.averages
        saved = averages if averages else current_params(nlp)  # the weights about to be saved
        if has_nonfinite_params(saved):  # the last update broke the weights, its loss was fine
            raise diverged("a weight became nan or inf", epoch, out, state.best_epoch)
        eval_start = time.perf_counter()
        with (nlp.use_params(averages) if averages else nullcontext()):
            try:
                scores = loggable_scores(nlp.evaluate(dev_examples))
            except Exception as err:
                err.add_note(f"in nlp.evaluate on dev_corpus ({len(dev_examples)} examples), "
                             f"after epoch {epoch}")
                raise
            model_dir = out / f"model{epoch}"
            if cfg.save_every_epoch:
                atomic_write_dir(model_dir, nlp.to_disk)
            if state.score_weights is None:
                state.score_weights = resolve_score_weights(pipe_names, scores, cfg.score_weights)
            score = weighted_score(scores, state.score_weights)
            improved = state.best_score is None or score > state.best_score
            if improved:
                if cfg.save_every_epoch:
                    copy_dir_atomic(model_dir, out / "model-best")
                else:
                    atomic_write_dir(out / "model-best", nlp.to_disk)
        eval_seconds = time.perf_counter() - eval_start
        if improved:
            state.best_score, state.best_epoch, state.bad_epochs = score, epoch, 0
        else:
            state.bad_epochs += 1
        state.epoch = epoch
        state.batch_draws, state.dropout_draws = batch_sizes.count, dropouts.count
        state.history.append({
            "epoch": epoch, "pipeline": list(pipe_names), "losses": dict(losses),
            "scores": scores, "score": score, "best": improved, "n_words": n_words,
            "n_batches": n_batches,
            "last_batch_size": batch_len, "dropout": drop, "train_seconds": train_seconds,
            "train_wps": n_words / train_seconds if train_seconds > 0 else 0.0,
            "eval_seconds": eval_seconds,
        })
        write_log(out, state.history)
        save_checkpoint(out, nlp, optimizer, state, shuffle_rng)
        table.row(epoch, losses, scores)
        plot_scores(out, state.history)
        if stopped_by == "time":
            break
        if cfg.patience is not None and state.bad_epochs >= cfg.patience:
            stopped_by = "patience"
            break

    averages = optimizer.averages
    with (nlp.use_params(averages) if averages else nullcontext()):
        atomic_write_dir(out / "model-final", nlp.to_disk)
    if state.best_epoch is not None:
        say(f"Best: epoch {state.best_epoch}, score {state.best_score:.3f} -> {out / 'model-best'}")
    return TrainResult(out, state.epoch, state.best_epoch, state.best_score, stopped_by,
                       list(state.history))
