"""``report.html``: a training run to look at in a browser, rebuilt from ``training-log.jsonl``.

The page shows the dev score curves per component and the losses per epoch (inline SVG, see
:mod:`nlp_train.charts`) with the best epoch marked, the best epoch's scores, and its per-label
and confusion tables (:mod:`nlp_train.score_tables`). The charts and tables are those the
components' infos declare, as the log recorded them (:mod:`nlp_train.curves`); a log without
them gets one chart of its numeric scores and every table. Epochs logged by older versions,
without per-label scores, still give the curves; the tables are then left out with a note. The
page depends only on the log, so rebuilding it gives the same bytes.
"""

from __future__ import annotations

import errno
import json
import math
from collections.abc import Collection, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from .charts import Series, line_chart
from .components import ComponentInfo, ScoreCurve, infos_from_log
from .curves import is_number, score_curves
from .report import LOG_NAME
from .score_tables import check_score_tables, score_tables, summary_table, write_page

REPORT_NAME = "report.html"

#: Scores that are 0 when the gold has nothing to score (no morphology): left out when always 0,
#: as `nlp evaluate` leaves them out of its table.
ZERO_WHEN_ABSENT = frozenset({"morph_acc", "ufeats_acc"})


def _finite(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)


def _check_record(record: Any) -> str | None:
    """What is wrong with one log record, or None."""
    if not isinstance(record, dict):
        return f"expected a JSON object per line, got {type(record).__name__}"
    epoch = record.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        return f"'epoch' must be a whole number, got {epoch!r}"
    scores = record.get("scores")
    if not isinstance(scores, dict):
        return f"'scores' must be an object, got {type(scores).__name__}"
    losses = record.get("losses", {})
    if not isinstance(losses, dict) or not all(is_number(v) for v in losses.values()):
        return "'losses' must be an object of numbers"
    pipeline = record.get("pipeline", [])
    if not isinstance(pipeline, list) or not all(isinstance(name, str) for name in pipeline):
        return "'pipeline' must be a list of component names"
    for key, value in scores.items():
        if value is not None and not isinstance(value, (dict, list)) and not is_number(value):
            return f"'scores.{key}' must be a number, got {value!r}"
    return _check_components(record.get("components")) or check_score_tables(scores)


def _check_components(components: Any) -> str | None:
    """What is wrong with a record's component infos, or None (also when it has none)."""
    if components is None:
        return None
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        return "'components' must be a list of component descriptions"
    for item in components:
        try:
            ComponentInfo.from_dict(item)
        except ValueError as err:
            return f"'components': {err}"
    return None


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a training log, checked; ValueError "file:line: what is wrong" for a
    malformed line, FileNotFoundError if it is missing."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(errno.ENOENT, "training log not found", str(path))
    records = []
    for n, raw in enumerate(path.read_bytes().splitlines(), 1):
        try:
            line = raw.decode("utf8")
        except UnicodeDecodeError:
            raise ValueError(f"{path}:{n}: not UTF-8 text") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{n}: invalid JSON ({err.msg}, column {err.colno})") from None
        problem = _check_record(record)
        if problem is not None:
            raise ValueError(f"{path}:{n}: {problem}")
        records.append(record)
    if not records:
        raise ValueError(f"{path}: no epochs logged yet")
    return records


def best_record(records: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The epoch ``model-best`` holds: the last one marked best, else the highest weighted
    score, else the last epoch."""
    marked = [r for r in records if r.get("best") is True]
    if marked:
        return marked[-1]
    scored = [r for r in records if is_number(r.get("score"))]
    return max(scored, key=lambda r: r["score"]) if scored else records[-1]


def shown_tables(infos: Sequence[ComponentInfo]) -> list[str] | None:
    """The score keys of the tables to show: those the components declare, or None (every
    table the scores have) when they declare neither tables nor curves (as for a log that
    recorded no component infos: see :func:`nlp_train.curves.score_curves`)."""
    if not any(info.tables or info.curves for info in infos):
        return None
    return list(dict.fromkeys(key for info in infos for key in info.tables))


def _series(records: Sequence[Mapping[str, Any]], table: str, key: str, name: str) -> Series:
    points = tuple((r["epoch"], r[table][key]) for r in records
                   if _finite(r.get(table, {}).get(key)))
    if key in ZERO_WHEN_ABSENT and all(y == 0 for _, y in points):
        points = ()
    return Series(name, points)


def _figure(component: str, series: list[Series], y_label: str, best: int,
            y_cap: float | None = None) -> str:
    chart = line_chart(series, title=f"{component}: {y_label} per epoch", x_label="epoch",
                       y_label=y_label, marker=best, marker_label=f"best (epoch {best})",
                       y_cap=y_cap)
    return (f'<figure class="chart" data-component="{escape(component)}">\n'
            f"<figcaption>{escape(component)}</figcaption>\n{chart}\n</figure>")


def _curves(records: Sequence[Mapping[str, Any]], best: int, curves: Sequence[ScoreCurve]) -> str:
    """A chart of dev scores per curve that has any, then one of the losses."""
    parts = ["<h2>Dev scores</h2>"]
    for curve in curves:
        series = [s for s in (_series(records, "scores", k, name) for k, name in curve.keys)
                  if s.points]
        if series:
            parts.append(_figure(curve.title, series, "dev score (%)", best, y_cap=100.0))
    if len(parts) == 1:
        parts.append('<p class="note">The log has no dev scores to draw.</p>')
    names = list(dict.fromkeys(name for r in records for name in r.get("losses", {})))
    series = [s for s in (_series(records, "losses", n, n) for n in names) if s.points]
    parts.append("<h2>Losses</h2>")
    parts.append(_figure("Losses", series, "training loss", best) if series
                 else '<p class="note">The log has no losses to draw.</p>')
    return "\n".join(parts)


def _best_rows(best: Mapping[str, Any], curves: Sequence[ScoreCurve]) -> list[tuple[str, str]]:
    """(name, value) of the best epoch: its number, weighted score and the charted scores."""
    rows = [("Epoch", str(best["epoch"]))]
    if _finite(best.get("score")):
        rows.append(("Weighted score", f"{best['score']:.2f}"))
    scores = best["scores"]
    for key, name in dict.fromkeys(pair for curve in curves for pair in curve.keys):
        value = scores.get(key)
        if _finite(value) and not (key in ZERO_WHEN_ABSENT and value == 0):
            rows.append((name, f"{value:.2f}"))
    return rows


def _best_section(best: Mapping[str, Any], curves: Sequence[ScoreCurve],
                  keys: Collection[str] | None) -> str:
    """The best epoch's main scores, then its per-label and confusion tables (or a note)."""
    scores = best["scores"]
    rows = _best_rows(best, curves)
    tables = score_tables(scores, keys)
    if not tables and not score_tables(scores):
        tables = (f'<p class="note">Per-label tables omitted: epoch {best["epoch"]} was logged '
                  "without per-label scores (by an older version).</p>")
    elif not tables:
        tables = '<p class="note">The trained components have no per-label scores.</p>'
    return (f"<h2>Best epoch ({best['epoch']})</h2>\n{summary_table(rows)}\n"
            f"<h2>Per-label scores at the best epoch</h2>\n{tables}")


def render_report(records: Sequence[Mapping[str, Any]]) -> str:
    """The report's body (HTML, without the page around it) for checked log records."""
    best = best_record(records)
    infos = infos_from_log(records)
    curves = score_curves(records, infos)
    epochs = [r["epoch"] for r in records]
    intro = (f"<p>{len(records)} epoch{'s' if len(records) != 1 else ''} logged "
             f"({min(epochs)} to {max(epochs)}); the best is epoch {best['epoch']} "
             "(<code>model-best</code>), marked by the dashed line.</p>")
    return "\n".join((intro, _curves(records, best["epoch"], curves),
                      _best_section(best, curves, shown_tables(infos))))


def write_report(output_dir: str | Path) -> Path:
    """Write ``output_dir/report.html`` from ``output_dir/training-log.jsonl`` (atomically)
    and return its path. Raises ValueError naming file:line for a malformed log."""
    folder = Path(output_dir)
    records = read_records(folder / LOG_NAME)
    title = f"Training report: {folder.resolve().name}"
    return write_page(folder / REPORT_NAME, title, render_report(records))
