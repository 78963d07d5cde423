"""The characters a single-character item of Python's regex parser matches, as sorted, disjoint
(first, last) code point intervals, so that `safe_patterns` can tell whether two of them share a
character without trying all 1,114,112 of them.

Literals, ranges and classes are exact; the categories (\\d, \\w, \\s and their negations) are
read once from the regex engine itself. Under IGNORECASE a set also gets every case variant of
its characters, which may make it larger than what the engine matches: a larger set only makes
the check stricter.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, lru_cache
from re import _constants as sre  # the parser's opcodes; Python exposes no public parser
from typing import Any

import numpy

LAST = 0x10FFFF
Intervals = tuple[tuple[int, int], ...]
EVERYTHING: Intervals = ((0, LAST),)
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip


def char_set(item: tuple, flags: int) -> Intervals:
    """The code points that the single-character item (LITERAL, NOT_LITERAL, IN or ANY)
    matches under `flags`; any other item is taken to match every character."""
    op, av = item
    return _char_set(op, tuple(av) if isinstance(av, list) else av, flags)


@lru_cache(maxsize=4096)
def _char_set(op: Any, av: Any, flags: int) -> Intervals:
    if op == sre.LITERAL:
        found: Intervals = ((av, av),)
    elif op == sre.NOT_LITERAL:
        found = _complement(((av, av),))
    elif op == sre.IN:
        found = _class_set(av, bool(flags & re.ASCII))
    else:
        found = EVERYTHING
    return _with_case_variants(found) if flags & re.IGNORECASE else found


def union(sets: list[Intervals]) -> Intervals:
    return _merge([interval for found in sets for interval in found])


def intersects(first: Intervals, second: Intervals) -> bool:
    i = j = 0
    while i < len(first) and j < len(second):
        if first[i][1] < second[j][0]:
            i += 1
        elif second[j][1] < first[i][0]:
            j += 1
        else:
            return True
    return False


def _class_set(items: list, ascii_only: bool) -> Intervals:
    negate, parts = False, []
    for op, av in items:
        if op == sre.NEGATE:
            negate = True
        elif op == sre.LITERAL:
            parts.append((av, av))
        elif op == sre.RANGE:
            parts.append((av[0], av[1]))
        elif op == sre.CATEGORY and av in _CATEGORIES:
            parts.extend(_category(av, ascii_only))
        else:  # an item this module does not know: it may match anything
            return EVERYTHING
    found = _merge(parts)
    return _complement(found) if negate else found


def _merge(intervals: list[tuple[int, int]]) -> Intervals:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(intervals):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return tuple(merged)


def _complement(found: Intervals) -> Intervals:
    gaps, start = [], 0
    for first, last in found:
        if first > start:
            gaps.append((start, first - 1))
        start = last + 1
    if start <= LAST:
        gaps.append((start, LAST))
    return tuple(gaps)


def _contains(found: Intervals, code_point: int) -> bool:
    i = bisect_right(found, (code_point, LAST)) - 1
    return i >= 0 and found[i][0] <= code_point <= found[i][1]


@cache
def _category(category: Any, ascii_only: bool) -> Intervals:
    """The runs of code points the engine matches with \\d, \\w, \\s or a negation of them."""
    pattern = re.compile(_CATEGORIES[category] + "+", re.ASCII if ascii_only else 0)
    return tuple((m.start(), m.end() - 1) for m in pattern.finditer(_all_characters()))


def _with_case_variants(found: Intervals) -> Intervals:
    extra = [(other, other) for code_point, group in _case_groups().items() if _contains(found, code_point)
             for other in group]
    return _merge(list(found) + extra)


@cache
def _case_groups() -> dict[int, tuple[int, ...]]:
    """Each code point that has case variants -> all code points linked to it by lower, upper,
    casefold or the engine's extra cases (one table, built on first use)."""
    extra = getattr(getattr(re, "_casefix", None), "_EXTRA_CASES", {})
    links: dict[int, set[int]] = {}
    for code_point in range(LAST + 1):
        char = chr(code_point)
        variants = {ord(v) for v in (char.lower(), char.upper(), char.casefold()) if len(v) == 1}
        variants.update(extra.get(code_point, ()))
        variants.discard(code_point)
        if variants:
            links.setdefault(code_point, set()).update(variants)
            for other in variants:
                links.setdefault(other, set()).add(code_point)
    groups: dict[int, tuple[int, ...]] = {}
    for start in links:
        if start in groups:
            continue
        group, todo = {start}, [start]
        while todo:
            for other in links[todo.pop()] - group:
                group.add(other)
                todo.append(other)
        for member in group:
            groups[member] = tuple(sorted(group))
    return groups


@cache
def _all_characters() -> str:
    return numpy.arange(LAST + 1, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
