"""Noticing that training diverged: a loss or an averaged weight that became nan or inf.

Once that happens every later update and score is garbage, and saving would overwrite the last
good ``model-best`` and ``checkpoint`` with nan weights.  The loop checks after each update and
before each epoch's saves, and raises :class:`TrainingDiverged` instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thinc.backends import get_array_ops

from .checkpoint import pipeline_nodes


class TrainingDiverged(RuntimeError):
    """Training produced a nan or inf loss or weight; nothing of the diverged epoch was saved.

    ``epoch``: the epoch it happened in; ``last_good``: the folder of the best model saved
    before it (None when no epoch had finished).
    """

    def __init__(self, message: str, epoch: int, last_good: Path | None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.last_good = last_good


def nonfinite_losses(losses: Mapping[str, Any]) -> dict[str, float]:
    """The entries of ``losses`` that are nan or inf, as floats."""
    bad = {}
    for name, value in losses.items():
        number = float(value)
        if not math.isfinite(number):
            bad[name] = number
    return bad


def has_nonfinite_params(params: Mapping[Any, Any] | None) -> bool:
    """Whether any array of ``params`` (e.g. ``optimizer.averages``) holds nan or inf."""
    for array in (params or {}).values():
        if not bool(get_array_ops(array).xp.isfinite(array).all()):
            return True
    return False


def current_params(nlp: Any) -> dict[tuple[int, str], Any]:
    """The pipeline's current weights, keyed as the optimizer keys them (what is saved when
    training without parameter averaging)."""
    return {(node.id, name): node.get_param(name) for node in pipeline_nodes(nlp)
            for name in node.param_names if node.has_param(name)}


def loss_divergence(losses: Mapping[str, Any], epoch: int, batch: int, output_dir: Path,
                    best_epoch: int | None) -> TrainingDiverged | None:
    """The error to raise when a loss in ``losses`` is nan or inf after update ``batch``."""
    bad = nonfinite_losses(losses)
    if not bad:
        return None
    what = ", ".join(f"the {name} loss became {value}" for name, value in bad.items())
    return diverged(f"{what} at batch {batch}", epoch, output_dir, best_epoch)


def diverged(what: str, epoch: int, output_dir: Path, best_epoch: int | None) -> TrainingDiverged:
    """The error for a run that diverged in ``epoch`` (``what``: which value became nan/inf),
    saying where the last good model is (``model-best`` and the previous epoch's checkpoint)."""
    last_good = None if best_epoch is None else output_dir / "model-best"
    if last_good is None:
        kept = "no epoch had finished, so no model was saved"
    else:
        kept = (f"the last good model is {last_good} (epoch {best_epoch}); "
                f"{output_dir / 'checkpoint'} holds epoch {epoch - 1}")
    message = (f"training diverged: {what} in epoch {epoch}; stopped without saving that epoch: {kept} "
               "(try a lower learning rate, NLP_LEARN_RATE)")
    return TrainingDiverged(message, epoch, last_good)
