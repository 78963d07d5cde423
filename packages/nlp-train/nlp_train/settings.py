"""The recipe's default hyper-parameters and their environment overrides.

Precedence for every value: an explicit argument, then our ``NLP_*``
environment variable, then spaCy v2's variable for it (``SPACY_LEARN_RATE`` or
bare ``learn_rate``, as v2 read them; ``SPACY_learn_rate`` too, our extension,
between the two), then the recipe's default.  A value taken from a v2 variable is logged (logger ``nlp_train``,
level INFO) so the user sees which one was used.  A value that is not a
number, or is out of range, is an error that names the variable (or argument)
and the value.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One hyper-parameter: its environment variable, default and valid range."""

    env: str
    default: float
    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    v2: str = ""  # the name spaCy v2 read it under (``util.env_opt``)

    @property
    def aliases(self) -> tuple[str, ...]:
        """v2's variables for this setting, in the order v2 looked them up."""
        if not self.v2:
            return ()
        names = (f"SPACY_{self.v2.upper()}", f"SPACY_{self.v2}", self.v2)
        return tuple(dict.fromkeys(names))

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
    "learn_rate": Setting("NLP_LEARN_RATE", 0.001, 0.0, INF, low_open=True, v2="learn_rate"),
    "beta1": Setting("NLP_BETA1", 0.9, 0.0, 1.0, low_open=True, high_open=True,
                     v2="optimizer_B1"),
    "beta2": Setting("NLP_BETA2", 0.999, 0.0, 1.0, low_open=True, high_open=True,
                     v2="optimizer_B2"),
    "eps": Setting("NLP_EPS", 1e-8, 0.0, INF, low_open=True, v2="optimizer_eps"),
    "L2": Setting("NLP_L2", 1e-6, 0.0, INF, v2="L2_penalty"),
    "grad_clip": Setting("NLP_GRAD_CLIP", 1.0, 0.0, INF, v2="grad_norm_clip"),
    "dropout_from": Setting("NLP_DROPOUT_FROM", 0.6, 0.0, 1.0, high_open=True, v2="dropout_from"),
    "dropout_to": Setting("NLP_DROPOUT_TO", 0.2, 0.0, 1.0, high_open=True, v2="dropout_to"),
    "dropout_decay": Setting("NLP_DROPOUT_DECAY", 1e-4, 0.0, INF, v2="dropout_decay"),
    "batch_from": Setting("NLP_BATCH_FROM", 1.0, 1.0, INF, v2="batch_from"),
    # batch_to 0: by component, see get_batches
    "batch_to": Setting("NLP_BATCH_TO", 0.0, 1.0, INF, v2="batch_to"),
    "batch_compound": Setting("NLP_BATCH_COMPOUND", 1.001, 0.0, INF, low_open=True,
                              v2="batch_compound"),
}


#: ``NLP_*`` variables read elsewhere in the toolkit: never reported as unknown.
#: NLP_DEBUG: nlp_cli (tracebacks); NLP_CPU_BLAS: nlp_models.ml.ops; NLP_SHARED_DATA: the
#: tests and bench (corpora folder); NLP_BROWSER_MISSING, NLP_CHROMIUM, NLP_SCREENSHOTS: the
#: browser tests;
#: NLP_BENCH_*: bench/ options.
OTHER_VARIABLES = frozenset({"NLP_DEBUG", "NLP_CPU_BLAS", "NLP_SHARED_DATA", "NLP_BROWSER_MISSING",
                             "NLP_CHROMIUM", "NLP_SCREENSHOTS"})
OTHER_PREFIXES = ("NLP_BENCH_",)


def unknown_variables(env: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """``{variable: closest known name or None}`` for each ``NLP_*`` variable
    set in ``env`` (default ``os.environ``) that nothing in the toolkit reads."""
    environ = os.environ if env is None else env
    known = sorted({s.env for s in SETTINGS.values()} | OTHER_VARIABLES)
    stems = {name[4:]: name for name in known}  # compared without the shared "NLP_"
    unknown: dict[str, str | None] = {}
    for var in sorted(environ):
        if not var.startswith("NLP_") or var in known or var.startswith(OTHER_PREFIXES):
            continue
        close = difflib.get_close_matches(var[4:], list(stems), n=1, cutoff=0.6)
        unknown[var] = stems[close[0]] if close else None
    return unknown


_WARNED: set[tuple[str, str]] = set()  # (variable, value) pairs already warned about


def check_environment(env: Mapping[str, str] | None = None) -> list[str]:
    """Warn (``UserWarning``, one line each) about unknown ``NLP_*`` variables:
    a misspelt setting would otherwise be silently ignored.  Returns their names.

    Each entry point that reads the settings checks (the optimizer, the batch
    schedule, the loop), so a variable is warned about once per process (per
    value), not once per check."""
    environ = os.environ if env is None else env
    unknown = unknown_variables(environ)
    for var, close in unknown.items():
        if (var, environ[var]) in _WARNED:
            continue
        _WARNED.add((var, environ[var]))
        hint = f"did you mean {close}?" if close else "see nlp_train.SETTINGS for the settings"
        warnings.warn(f"environment variable {var} is not one nlp reads ({hint})", UserWarning,
                      stacklevel=2)
    return list(unknown)


def resolve(
    name: str, value: float | None = None, env: Mapping[str, str] | None = None
) -> float:
    """Return the value of setting ``name``: ``value`` if given, else its
    environment variable (ours, else v2's) if set, else the recipe's default;
    validated."""
    setting = SETTINGS[name]
    if value is not None:
        return _validate(setting, value, f"argument {name}")
    environ = os.environ if env is None else env
    found = _lookup(setting, environ)
    if found is None:
        return setting.default
    var, raw = found
    try:
        parsed = float(raw)
    except ValueError:
        raise ValueError(
            f"environment variable {var}={raw!r} is not a number "
            f"(expected a value in {setting.describe_range()})"
        ) from None
    number = _validate(setting, parsed, f"environment variable {var}={raw!r}")
    _log_source(name, setting, number, var, environ)
    return number


def resolve_optional(
    name: str, value: float | None = None, env: Mapping[str, str] | None = None
) -> float | None:
    """Like :func:`resolve`, but None when neither argument nor variable is set
    (for settings whose default depends on the data, e.g. ``batch_to``)."""
    environ = os.environ if env is None else env
    if value is None and _lookup(SETTINGS[name], environ) is None:
        return None
    return resolve(name, value, environ)


def _lookup(setting: Setting, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(variable, raw value) of the first non-empty of the setting's variables."""
    for var in (setting.env, *setting.aliases):
        raw = environ.get(var)
        if raw is not None and raw.strip():
            return var, raw
    return None


def _log_source(name: str, setting: Setting, value: float, var: str,
                environ: Mapping[str, str]) -> None:
    """Log a value that a v2 variable set, or that ours set over a v2 one."""
    ignored = [a for a in setting.aliases if a != var and environ.get(a, "").strip()]
    if var == setting.env and not ignored:
        return
    note = f"; {', '.join(ignored)} ignored" if ignored else ""
    log.info("%s=%g (from %s%s)", name, value, var, note)


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
