"""Token patterns as v2 users write them (`[{"LOWER": "google"}, {"IS_PUNCT": True, "OP": "?"}]`),
checked and reduced to steps the Matcher copies into C arrays.

A step is (operator, checks): operator "1" (exactly one token), "!" (one token that fails the
checks), "?" (zero or one) or "*" (zero or more); "+" becomes "1" then "*" with the same checks.
A check is (attribute id, predicate, values): "IN" (the token's value is one of them), "NOT_IN",
or a comparison ("==", "!=", ">=", "<=", ">", "<") with one value, for LENGTH.
"""

from __future__ import annotations

from typing import Any

from .attrs import FLAG_NAMES, IDS

STRING_ATTRS = ("ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "POS", "TAG", "DEP",
                "ENT_TYPE", "LEMMA", "MORPH")
INT_ATTRS = ("LENGTH",)
ALIASES = {"TEXT": "ORTH"}
KNOWN = ("TEXT", *STRING_ATTRS, *INT_ATTRS, *FLAG_NAMES)
OPERATORS = ("1", "!", "?", "*", "+")
COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")


def normalize_pattern(strings: Any, pattern: Any, where: str) -> list[tuple[str, list]]:
    """The steps of one pattern; `where` ("Matcher.add('X'): pattern 0") starts each error line."""
    if isinstance(pattern, dict):
        raise ValueError(f"{where} is a dict, not a list of token dicts "
                         f"(v3 style wants a list of patterns: add(key, [[{{...}}, ...]]))")
    if not isinstance(pattern, list | tuple):
        raise ValueError(f"{where} must be a list of token dicts, got {type(pattern).__name__}")
    if not pattern:
        raise ValueError(f"{where} is empty; a pattern needs at least one token dict")
    steps: list[tuple[str, list]] = []
    for index, spec in enumerate(pattern):
        op, checks = _normalize_token(strings, spec, f"{where}, token {index}")
        if op == "+":
            steps.extend([("1", checks), ("*", checks)])
        else:
            steps.append((op, checks))
    return steps


def _normalize_token(strings: Any, spec: Any, where: str) -> tuple[str, list]:
    """(operator, checks) of one token dict."""
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: must be a dict of attribute: value, got {type(spec).__name__}: {spec!r}")
    op = "1"
    checks: list = []
    for name, value in spec.items():
        if not isinstance(name, str):
            raise ValueError(f"{where}: attribute names are strings, got {type(name).__name__}: {name!r}")
        upper = name.upper()
        if upper == "OP":
            if not isinstance(value, str) or value not in OPERATORS:
                raise ValueError(f"{where}: unknown operator {value!r}; use one of {', '.join(OPERATORS)}")
            op = value
            continue
        attr = ALIASES.get(upper, upper)
        if attr not in KNOWN:
            raise ValueError(f"{where}: unknown attribute {name!r}; known: {', '.join(KNOWN)}")
        checks.extend(_checks(strings, attr, value, where))
    return op, checks


def _checks(strings: Any, attr: str, value: Any, where: str) -> list:
    """The checks for one attribute: a plain value, or a dict of predicates (IN, NOT_IN, >=, ...)."""
    attr_id = IDS[attr]
    if not isinstance(value, dict):
        return [(attr_id, "IN", [_value(strings, attr, value, where)])]
    if not value:
        raise ValueError(f"{where}: {attr} has an empty predicate dict")
    checks = []
    for predicate, argument in value.items():
        if predicate in ("IN", "NOT_IN"):
            if not isinstance(argument, list | tuple | set | frozenset):
                raise ValueError(f"{where}: {attr} {predicate} expects a list, got {type(argument).__name__}")
            checks.append((attr_id, predicate, [_value(strings, attr, item, where) for item in argument]))
        elif predicate in COMPARISONS:
            if attr not in INT_ATTRS:
                raise ValueError(f"{where}: comparison {predicate!r} applies to LENGTH, not {attr}")
            checks.append((attr_id, predicate, [_value(strings, attr, argument, where)]))
        else:
            raise ValueError(f"{where}: {attr} has an unknown predicate {predicate!r}; use IN, NOT_IN"
                             f" or, for LENGTH, one of {' '.join(COMPARISONS)}")
    return checks


def _value(strings: Any, attr: str, value: Any, where: str) -> int:
    """A pattern value as the integer a token holds: a string id, 0/1 for a flag, or a length."""
    if attr in INT_ATTRS:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise ValueError(f"{where}: {attr} expects an int from 0 to 2**31 - 1, "
                             f"got {type(value).__name__}: {value!r}")
        return value
    if attr in STRING_ATTRS:
        if not isinstance(value, str):
            raise ValueError(f"{where}: {attr} expects a str, got {type(value).__name__}: {value!r}")
        return strings.add(value)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: {attr} expects True or False, got {type(value).__name__}: {value!r}")
    return int(value)
