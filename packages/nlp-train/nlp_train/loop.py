"""The training loop: shuffle, batch, update, evaluate with averages, save.

:func:`train` runs a :class:`~nlp_train.run.TrainingRun`, whose named steps hold the work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from thinc.api import Optimizer

from .config import TrainConfig, TrainResult, make_config
from .console import Console
from .protocol import Corpus
from .run import WORD_BATCH_DEFAULTS, TrainingRun

__all__ = ["WORD_BATCH_DEFAULTS", "TrainConfig", "TrainResult", "TrainingRun", "train"]


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
    workers: int = 1,
    ray_address: str | None = None,
    replica: Callable[[], Any] | None = None,
    **options: Any,
) -> TrainResult:
    """Train ``nlp`` (see :class:`~nlp_train.TrainablePipeline`) with the recipe.

    Each epoch shuffles the training examples (seeded; with ``shuffle_buffer=N``
    the corpus is read afresh each epoch as a stream, through a shuffle buffer of
    N examples: see :mod:`nlp_train.streaming`), batches them with a
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
    is none), in the middle of an epoch when ``checkpoint_every=N`` wrote it
    there (every N batches).  Output goes to ``stream`` (default stdout) unless ``quiet``.

    The table's columns, the default score weights and the batch-size maximum
    come from the pipeline's component infos (``nlp.component_info()``, see
    :func:`~nlp_train.pipeline_infos`); each log record keeps them for the report.

    ``workers=N`` (N >= 2) trains data-parallel on N Ray workers (the ``ray`` extra; see
    :mod:`nlp_train.ray_workers`), on this machine or, with ``ray_address``, on that Ray
    cluster. Each worker trains its own replica, built by ``replica()`` (a picklable function
    returning a pipeline with the same weights as ``nlp``), on its share of every batch;
    the corpora, ``optimizer`` and ``count_words`` are sent to each worker, so they must
    pickle (a callable corpus is called with the worker's pipeline). The results are those of
    one process on the same batches, up to float rounding; ``nlp`` ends with the trained weights.
    """
    cfg = make_config(config, options)
    console = Console(None if quiet else (sys.stdout if stream is None else stream))
    if workers != 1 or ray_address is not None:
        from .ray_workers import train_on_ray

        return train_on_ray(nlp, train_corpus, dev_corpus, output_dir, cfg, workers=workers,
                            ray_address=ray_address, replica=replica, optimizer=optimizer,
                            raw_texts=raw_texts, resume=resume, count_words=count_words,
                            console=console)
    run = TrainingRun.prepare(nlp, train_corpus, dev_corpus, output_dir, cfg,
                              optimizer=optimizer, raw_texts=raw_texts, resume=resume,
                              count_words=count_words, console=console)
    return run.run()
