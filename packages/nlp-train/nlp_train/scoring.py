"""Choosing the best epoch: a weighted score over the components' main metrics."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .components import ComponentInfo, lookup_infos


def default_score_weights(
    components: str | ComponentInfo | Iterable[str | ComponentInfo], scores: Mapping[str, Any]
) -> dict[str, float]:
    """Weights ``{metric: weight}`` from the components' ``score_weights`` (infos, or names
    looked up with `known_info`): each main metric is the first of its keys ``scores`` has,
    and each component with one counts equally (its weights are divided by their sum).

    Components without a main metric in ``scores`` are left out.  Raises
    ValueError if no component has one.
    """
    infos = lookup_infos(components, "default_score_weights")
    weights: dict[str, float] = {}
    for info in infos:
        total = sum(w.weight for w in info.score_weights)
        for main in info.score_weights:
            metric = next((m for m in main.keys if m in scores), None)
            if metric is not None and total > 0:
                weights[metric] = weights.get(metric, 0.0) + main.weight / total
    if not weights:
        expected = sorted({m for info in infos for main in info.score_weights for m in main.keys})
        raise ValueError(
            f"no main metric to pick the best model: pipeline {[i.name for i in infos]!r} "
            f"expects {expected or 'a component with score weights'}, evaluate() returned "
            f"{sorted(scores)!r}; pass score_weights={{metric: weight}}"
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
    infos: Sequence[ComponentInfo],
    scores: Mapping[str, Any],
    overrides: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """``overrides`` if given (validated against ``scores``), else the infos' defaults."""
    if overrides is None:
        return default_score_weights(infos, scores)
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
