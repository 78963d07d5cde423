"""Which dev-score charts a training log gets (``report.html`` and the PNG plot).

A log written by the loop records its pipeline's component infos: each component's curves
are drawn, then the tokenization score. A log without them (an older version's, or a
pipeline whose components declare no curves) gets one chart of every numeric dev score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .components import ComponentInfo, ScoreCurve, infos_from_log

#: The tokenization score, shown with the components' charts (it is no component's).
TOKENIZATION = ScoreCurve("Tokenization", (("token_acc", "Token %"),))
#: The chart of a log whose components declare no curves.
GENERIC_TITLE = "Dev scores"
#: Numeric scores that are no percentage: left out of the generic chart.
NOT_PERCENTAGES = frozenset({"wps"})


def is_number(value: Any) -> bool:
    """A JSON number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def score_curves(records: Sequence[Mapping[str, Any]],
                 infos: Sequence[ComponentInfo] | None = None) -> list[ScoreCurve]:
    """The charts for ``records``: the curves of ``infos`` (default: those the log recorded)
    and the tokenization score's, or the generic chart when they declare none."""
    infos = infos_from_log(records) if infos is None else infos
    curves = list(dict.fromkeys(curve for info in infos for curve in info.curves))
    if curves:
        return [*curves, TOKENIZATION]
    return [generic_curve(records)]


def generic_curve(records: Sequence[Mapping[str, Any]]) -> ScoreCurve:
    """One chart of every numeric dev score the log has, each under its own key."""
    keys = dict.fromkeys(key for record in records
                         for key, value in record.get("scores", {}).items()
                         if is_number(value) and key not in NOT_PERCENTAGES)
    return ScoreCurve(GENERIC_TITLE, tuple((key, key) for key in keys))
