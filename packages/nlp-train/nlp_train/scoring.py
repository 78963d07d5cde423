"""Choosing the best epoch: a weighted score over the components' main metrics."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

#: Main metrics per component and their weight within the component.  Each
#: component present counts equally; textcat uses macro F when the scores
#: have it, else accuracy.
COMPONENT_METRICS: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {
    "tagger": ((("tag_acc",), 1.0),),
    "parser": ((("las",), 0.75), (("uas",), 0.25)),
    "ner": ((("ents_f",), 1.0),),
    "textcat": ((("textcat_macro_f", "textcat_acc"), 1.0),),
}


def default_score_weights(
    pipe_names: Sequence[str], scores: Mapping[str, float]
) -> dict[str, float]:
    """Weights ``{metric: weight}`` for the components in ``pipe_names``.

    Components without a main metric in ``scores`` are left out.  Raises
    ValueError if no component has one.
    """
    weights: dict[str, float] = {}
    for name in pipe_names:
        for alternatives, weight in COMPONENT_METRICS.get(name, ()):
            metric = next((m for m in alternatives if m in scores), None)
            if metric is not None:
                weights[metric] = weights.get(metric, 0.0) + weight
    if not weights:
        expected = sorted({m for n in pipe_names for alts, _ in COMPONENT_METRICS.get(n, ())
                           for m in alts})
        raise ValueError(
            f"no main metric to pick the best model: pipeline {list(pipe_names)!r} expects "
            f"{expected or 'a known component'}, evaluate() returned {sorted(scores)!r}; "
            "pass score_weights={metric: weight}"
        )
    return weights


def weighted_score(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted average of ``scores`` over the metrics in ``weights``.

    A metric missing from ``scores`` (or NaN) is an error: a best model chosen
    on partial scores would be chosen on different grounds each epoch.
    """
    total = 0.0
    norm = 0.0
    for metric, weight in weights.items():
        if weight == 0:
            continue
        if metric not in scores:
            raise ValueError(f"score weight for {metric!r} but evaluate() returned no such score "
                             f"(got {sorted(scores)!r})")
        value = float(scores[metric])
        if math.isnan(value):
            raise ValueError(f"evaluate() returned NaN for {metric!r}")
        total += weight * value
        norm += weight
    if norm == 0:
        raise ValueError("score weights are all zero")
    return total / norm


def resolve_score_weights(
    pipe_names: Sequence[str],
    scores: Mapping[str, float],
    overrides: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """``overrides`` if given (validated against ``scores``), else the defaults."""
    if overrides is None:
        return default_score_weights(pipe_names, scores)
    weights = {str(k): float(v) for k, v in overrides.items()}
    missing = [k for k, v in weights.items() if v != 0 and k not in scores]
    if missing:
        raise ValueError(f"score_weights name {missing!r}, not among the scores {sorted(scores)!r}")
    if not any(v for v in weights.values()):
        raise ValueError("score_weights are all zero")
    return weights


def loggable_scores(scores: Mapping[str, Any]) -> dict[str, Any]:
    """``evaluate()``'s scores as the log keeps them: numbers as floats; per-label tables
    (``{label: {p, r, f}}``) and confusion lists (``[[gold, predicted, count], ...]``) as plain
    dicts and lists, for the report's tables. Anything else is a TypeError naming the key."""
    out: dict[str, Any] = {}
    for key, value in scores.items():
        if isinstance(value, Mapping):
            out[key] = {str(k): dict(v) if isinstance(v, Mapping) else v for k, v in value.items()}
        elif isinstance(value, (list, tuple)):
            out[key] = [list(v) if isinstance(v, (list, tuple)) else v for v in value]
        else:
            try:
                out[key] = float(value)
            except (TypeError, ValueError):
                raise TypeError(f"evaluate() returned {key!r} = {value!r}: expected a number, "
                                "a per-label table or a list") from None
    return out
