"""Checks of annotation values shared by the readers (and so by `nlp debug-data`, which reads
through them): class scores, labels and character-offset entities.

Each raises a CorpusError naming the file and line, so a corpus that one tool rejects is rejected
by every tool, at the same line and with the same words.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy

from .errors import CorpusError


def is_int(value: Any) -> bool:
    """Whether a decoded JSON value is an integer (`true` and `false` are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_label(label: Any, path: Any, line: int | None, what: str = "label") -> str:
    """`label` if it is a string that is not empty or blank; a CorpusError otherwise."""
    if not isinstance(label, str):
        raise CorpusError(path, line, f"{what} {label!r} is not a string")
    if not label.strip():
        raise CorpusError(path, line, f"{what} is empty" if not label else f"{what} {label!r} is blank")
    return label


def class_score(value: Any) -> float | None:
    """`value` as a float class score when it is a number as spaCy v2 users give them: a bool
    (True 1.0, False 0.0; JSON `true`/`false` too), an int or float, a numpy number or bool, or a
    0-d numpy array of one; None for anything else (a string, None, a list). Range is not checked."""
    if isinstance(value, numpy.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (numbers.Real, numpy.bool_)):
        return float(value)
    return None


def check_cats(cats: Mapping | Iterable[tuple[Any, Any]], path: Any, line: int | None) -> dict[str, float]:
    """Class scores as `{label: float}` from a mapping or (label, score) pairs (the last score of
    a repeated label wins): labels non-empty strings, scores numbers (see `class_score`) that are
    finite and in [0, 1]."""
    out = {}
    for label, value in cats.items() if isinstance(cats, Mapping) else cats:
        check_label(label, path, line, "class label")
        score = class_score(value)
        if score is None:
            raise CorpusError(path, line, f"class {label!r}: score {value!r} is not a number")
        if not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise CorpusError(path, line, f"class {label!r}: score {value!r} is not in [0, 1]")
        out[label] = score
    return out


def _entity_triple(ent: Any) -> tuple | None:
    if isinstance(ent, dict):
        ent = (ent.get("start"), ent.get("end"), ent.get("label"))
    if isinstance(ent, (list, tuple)) and len(ent) == 3 and is_int(ent[0]) and is_int(ent[1]):
        return tuple(ent)
    return None


def check_entity_offsets(value: Any, n_chars: int, path: Any, line: int | None) -> list[tuple[int, int, str]]:
    """Character-offset entities `(start, end, label)`, sorted, from a list of `[start, end, label]`
    or `{"start", "end", "label"}`: offsets integers with 0 <= start < end <= n_chars, labels
    non-empty, no two entities overlapping."""
    if not isinstance(value, list):
        raise CorpusError(path, line, f"'entities' must be a list, not {type(value).__name__}")
    out = []
    for ent in value:
        triple = _entity_triple(ent)
        if triple is None:
            raise CorpusError(path, line, f"entity {ent!r} is not [start, end, label] with integer offsets")
        start, end, label = triple
        check_label(label, path, line, f"entity {list(triple)!r}: label")
        if not 0 <= start < end <= n_chars:
            raise CorpusError(path, line, f"entity {list(triple)!r} is outside the text's {n_chars} characters "
                                          "(needs 0 <= start < end <= length)")
        out.append(triple)
    out.sort()
    for prev, ent in zip(out, out[1:]):
        if ent[0] < prev[1]:
            raise CorpusError(path, line, f"entities {list(prev)!r} and {list(ent)!r} overlap")
    return out
