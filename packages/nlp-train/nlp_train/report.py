"""Per-epoch records: ``training-log.jsonl`` and a PNG plot of the dev scores."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import srsly

from .curves import is_number, score_curves
from .storage import atomic_write_file

LOG_NAME = "training-log.jsonl"
PLOT_NAME = "training-scores.png"


def write_log(output_dir: Path, records: Iterable[dict[str, Any]]) -> Path:
    """(Re)write the whole log, one JSON object per epoch, replacing it atomically."""
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf8") as file:  # json keeps every digit of the floats
            for record in records:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")

    return atomic_write_file(Path(output_dir) / LOG_NAME, write)


def read_log(output_dir: Path) -> list[dict[str, Any]]:
    """The records of ``output_dir/training-log.jsonl`` (empty if absent)."""
    path = Path(output_dir) / LOG_NAME
    return list(srsly.read_jsonl(path)) if path.exists() else []


def plot_scores(output_dir: Path, records: Sequence[dict[str, Any]]) -> bool:
    """Plot the dev scores per epoch to ``training-scores.png``: the scores of the curves the
    records' component infos declare (see :func:`nlp_train.curves.score_curves`).

    Returns False (and writes nothing) when matplotlib is not installed: it
    is the optional extra ``nlp-train[plot]``.
    """
    try:
        from matplotlib.figure import Figure  # no pyplot: leaves the user's backend alone
    except ImportError:
        return False
    figure = Figure(figsize=(7, 4.5), dpi=100)
    axes = figure.add_subplot(1, 1, 1)
    epochs = [r["epoch"] for r in records]
    drawn = 0
    for key, label in dict.fromkeys(pair for c in score_curves(records) for pair in c.keys):
        values = [r["scores"].get(key) for r in records]
        if not any(is_number(v) for v in values):
            continue
        axes.plot(epochs, [float(v) if is_number(v) else float("nan") for v in values],
                  marker="o", label=label)
        drawn += 1
    best = [r["epoch"] for r in records if r.get("best")]
    if best:
        axes.axvline(best[-1], color="grey", linestyle=":", label=f"best (epoch {best[-1]})")
    axes.set_xlabel("epoch")
    axes.set_ylabel("dev score (%)")
    axes.grid(True, alpha=0.3)
    if drawn or best:
        axes.legend(loc="lower right", fontsize="small")
    atomic_write_file(Path(output_dir) / PLOT_NAME, lambda tmp: figure.savefig(tmp, format="png"))
    return True
