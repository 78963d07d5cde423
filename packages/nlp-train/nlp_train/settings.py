"""The recipe's default hyper-parameters and their environment overrides.

Precedence for every value: an explicit argument, then the environment
variable, then the recipe's default.  A value that is not a number, or is out
of range, is an error that names the variable (or argument) and the value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One hyper-parameter: its environment variable, default and valid range."""

    env: str
    default: float
    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def describe_range(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"

    def accepts(self, value: float) -> bool:
        if math.isnan(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


INF = math.inf

#: The optimization recipe (seed 002 / DESIGN.md "Training recipe").
SETTINGS: dict[str, Setting] = {
    "learn_rate": Setting("NLP_LEARN_RATE", 0.001, 0.0, INF, low_open=True),
    "beta1": Setting("NLP_BETA1", 0.9, 0.0, 1.0, low_open=True, high_open=True),
    "beta2": Setting("NLP_BETA2", 0.999, 0.0, 1.0, low_open=True, high_open=True),
    "eps": Setting("NLP_EPS", 1e-8, 0.0, INF, low_open=True),
    "L2": Setting("NLP_L2", 1e-6, 0.0, INF),
    "grad_clip": Setting("NLP_GRAD_CLIP", 1.0, 0.0, INF),
    "dropout_from": Setting("NLP_DROPOUT_FROM", 0.6, 0.0, 1.0, high_open=True),
    "dropout_to": Setting("NLP_DROPOUT_TO", 0.2, 0.0, 1.0, high_open=True),
    "dropout_decay": Setting("NLP_DROPOUT_DECAY", 1e-4, 0.0, INF),
    "batch_from": Setting("NLP_BATCH_FROM", 1.0, 1.0, INF),
    "batch_to": Setting("NLP_BATCH_TO", 0.0, 1.0, INF),  # 0: by component, see get_batches
    "batch_compound": Setting("NLP_BATCH_COMPOUND", 1.001, 0.0, INF, low_open=True),
}


def resolve(
    name: str, value: float | None = None, env: Mapping[str, str] | None = None
) -> float:
    """Return the value of setting ``name``: ``value`` if given, else its
    environment variable if set, else the recipe's default; validated."""
    setting = SETTINGS[name]
    if value is not None:
        return _validate(setting, value, f"argument {name}")
    environ = os.environ if env is None else env
    raw = environ.get(setting.env)
    if raw is None or raw.strip() == "":
        return setting.default
    try:
        parsed = float(raw)
    except ValueError:
        raise ValueError(
            f"environment variable {setting.env}={raw!r} is not a number "
            f"(expected a value in {setting.describe_range()})"
        ) from None
    return _validate(setting, parsed, f"environment variable {setting.env}={raw!r}")


def resolve_optional(
    name: str, value: float | None = None, env: Mapping[str, str] | None = None
) -> float | None:
    """Like :func:`resolve`, but None when neither argument nor variable is set
    (for settings whose default depends on the data, e.g. ``batch_to``)."""
    environ = os.environ if env is None else env
    if value is None and not environ.get(SETTINGS[name].env, "").strip():
        return None
    return resolve(name, value, environ)


def _validate(setting: Setting, value: float, where: str) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{where}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: expected a number, got {value!r}") from None
    if not setting.accepts(number):
        raise ValueError(f"{where} is out of range: must be in {setting.describe_range()}")
    return number
