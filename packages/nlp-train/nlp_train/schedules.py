"""Infinite schedules for hyper-parameters that change during training.

Both are plain generators: draw the next value with ``next()``.  Each value is
computed from its step number (not by accumulating), so the n-th value is the
same however the generator got there; resuming a run fast-forwards a fresh
generator with :func:`skip`.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterator


def compounding(start: float, stop: float, compound: float) -> Iterator[float]:
    """Yield ``start * compound ** i`` for i = 0, 1, 2, ..., clipped at ``stop``.

    Used for the batch size: starting small and growing geometrically (the
    seed's ``compounding(1, 32, 1.001)``).  If ``start > stop`` the values
    shrink towards ``stop`` instead.
    """
    _check_number("compounding", "start", start)
    _check_number("compounding", "stop", stop)
    _check_number("compounding", "compound", compound)
    if compound <= 0:
        raise ValueError(f"compounding: compound must be > 0, got {compound!r}")
    clip = min if start <= stop else max
    step = 0
    while True:
        value = clip(start * compound**step, stop)
        if value == stop:  # reached: stop computing powers (they would overflow)
            break
        yield value
        step += 1
    while True:
        yield stop


def decaying(start: float, stop: float, decay: float) -> Iterator[float]:
    """Yield ``start - decay * i`` for i = 0, 1, 2, ..., clipped at ``stop``.

    Linear decay, used for the dropout rate (the seed's
    ``decaying(0.6, 0.2, 1e-4)`` reaches 0.2 after 4,000 steps).  If
    ``start < stop`` the values rise towards ``stop`` by ``decay`` per step.
    """
    _check_number("decaying", "start", start)
    _check_number("decaying", "stop", stop)
    _check_number("decaying", "decay", decay)
    if decay < 0:
        raise ValueError(f"decaying: decay must be >= 0, got {decay!r}")
    step = 0
    if start >= stop:
        while True:
            yield max(start - decay * step, stop)
            step += 1
    else:
        while True:
            yield min(start + decay * step, stop)
            step += 1


def constant(value: float) -> Iterator[float]:
    """Yield ``value`` forever (a schedule that does not change)."""
    _check_number("constant", "value", value)
    return itertools.repeat(value)


def skip(schedule: Iterator[float], n: int) -> Iterator[float]:
    """Advance ``schedule`` by ``n`` values and return it (for resuming runs)."""
    if n < 0:
        raise ValueError(f"skip: n must be >= 0, got {n}")
    next(itertools.islice(schedule, n, n), None)
    return schedule


def _check_number(func: str, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a number, got {value!r}")
