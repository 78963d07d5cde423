"""Edit trees: how a word form becomes its lemma, as a rule other forms can reuse.

The tree of a (form, lemma) pair (Chrupała 2008; Müller et al. 2015) finds the longest
substring the two share and keeps only the lengths of the form's parts before and after it
(the shared part itself is not stored, which is what lets the tree generalize); the parts left
and right of it get trees of their own, recursively. Where nothing is shared, a leaf replaces
the form's part by the lemma's. "walked" -> "walk" gives "keep the form but its last 2
characters, which must be 'ed' and become ''", which turns "talked" into "talk" too.

A tree is a tuple, hashable so a table can intern it:
- a leaf ``(old, new)``: the form part must equal ``old``; it becomes ``new``;
- a match ``(prefix, suffix, left, right)``: the form keeps its middle (at least one character)
  after ``prefix`` characters and before ``suffix`` characters; ``left`` rewrites the first
  ``prefix`` characters, ``right`` the last ``suffix``.

`tree_key` writes a tree as compact JSON (``[0,2,["",""],["ed",""]]``), the string a model folder
saves and a component uses as its label; `tree_from_key` reads it back, checking it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

Leaf = tuple[str, str]
Match = tuple[int, int, Any, Any]
Tree = Leaf | Match

#: The most cells the substring search may fill: a longer pair (a URL, say) gets a single
#: leaf instead, which keeps every tree at most about 100 levels deep.
MAX_CELLS = 10_000
#: How deep a key's nesting may go (a tree is at most one level deeper than the shorter of
#: its form and lemma is long, and `MAX_CELLS` keeps that under 101).
MAX_DEPTH = 128
#: How many (tree id, form) results a `TreeTable` keeps before it starts afresh.
APPLY_CACHE_SIZE = 1 << 20


def longest_common_substring(a: str, b: str) -> tuple[int, int, int]:
    """(length, start in `a`, start in `b`) of the longest substring `a` and `b` share; the
    earliest in `a` (then in `b`) among equally long ones; length 0 when they share nothing."""
    best = (0, 0, 0)
    previous = [0] * (len(b) + 1)
    for i, char_a in enumerate(a, 1):
        current = [0] * (len(b) + 1)
        for j, char_b in enumerate(b, 1):
            if char_a == char_b:
                run = previous[j - 1] + 1
                current[j] = run
                if run > best[0]:
                    best = (run, i - run, j - run)
        previous = current
    return best


@lru_cache(maxsize=1 << 17)
def build_tree(form: str, lemma: str) -> Tree:
    """The edit tree turning `form` into `lemma` (cached: a corpus repeats its pairs; the
    cache holds whole pairs only, not the parts the recursion visits)."""
    return _build(form, lemma)


def _build(form: str, lemma: str) -> Tree:
    if len(form) * len(lemma) > MAX_CELLS:
        return (form, lemma)
    length, start_form, start_lemma = longest_common_substring(form, lemma)
    if length == 0:
        return (form, lemma)
    end_form, end_lemma = start_form + length, start_lemma + length
    left = _build(form[:start_form], lemma[:start_lemma])
    right = _build(form[end_form:], lemma[end_lemma:])
    return (start_form, len(form) - end_form, left, right)


def apply_tree(tree: Tree, form: str) -> str | None:
    """The lemma `tree` makes of `form`, or None when the form's shape does not fit the tree."""
    if len(tree) == 2:
        old, new = tree
        return new if form == old else None
    prefix, suffix, left, right = tree
    end = len(form) - suffix
    if end <= prefix:
        return None
    head = apply_tree(left, form[:prefix])
    if head is None:
        return None
    tail = apply_tree(right, form[end:])
    if tail is None:
        return None
    return head + form[prefix:end] + tail


@lru_cache(maxsize=1 << 16)
def tree_key(tree: Tree) -> str:
    """The tree as compact JSON: its label and its saved form."""
    return json.dumps(tree, ensure_ascii=False, separators=(",", ":"))


def tree_from_key(key: str) -> Tree:
    """The tree a `tree_key` string describes; a ValueError saying what is wrong otherwise."""
    if not isinstance(key, str):
        raise ValueError(f"an edit tree key must be a string, got {type(key).__name__}")
    try:
        data = json.loads(key)
    except (ValueError, RecursionError):
        raise ValueError(f"{_shown(key)} is not an edit tree (not JSON)") from None
    return _tree_of(data, key, 0)


def _tree_of(data: Any, key: str, depth: int) -> Tree:
    if depth > MAX_DEPTH:
        raise ValueError(f"{_shown(key)} nests edit trees deeper than {MAX_DEPTH}")
    if isinstance(data, list) and len(data) == 2 and all(isinstance(part, str) for part in data):
        return (data[0], data[1])
    if isinstance(data, list) and len(data) == 4 and all(_is_length(n) for n in data[:2]):
        return (data[0], data[1], _tree_of(data[2], key, depth + 1), _tree_of(data[3], key, depth + 1))
    raise ValueError(f"{_shown(key)} is not an edit tree: expected [old, new] strings or "
                     "[prefix, suffix, left tree, right tree] with lengths >= 0")


def _is_length(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _shown(key: str) -> str:
    return repr(key if len(key) <= 60 else key[:57] + "...")


class TreeTable:
    """Edit trees (or rules holding them: `apply` says how one applies) interned by structure:
    each distinct one gets the next id (its index), and applying one by id to a form is cached,
    since a corpus repeats its words."""

    def __init__(self, apply: Callable[[Any, str], str | None] = apply_tree) -> None:
        self._trees: list[Any] = []
        self._ids: dict[Any, int] = {}
        self._applied: dict[tuple[int, str], str | None] = {}
        self._apply = apply

    def __len__(self) -> int:
        return len(self._trees)

    def __getitem__(self, tree_id: int) -> Tree:
        return self._trees[tree_id]

    def add(self, tree: Tree) -> int:
        """The id of `tree`, interning it if it is new."""
        tree_id = self._ids.get(tree)
        if tree_id is None:
            tree_id = self._ids[tree] = len(self._trees)
            self._trees.append(tree)
        return tree_id

    def id_of(self, tree: Tree) -> int | None:
        """The id of `tree`, or None if the table does not hold it."""
        return self._ids.get(tree)

    def apply(self, tree_id: int, form: str) -> str | None:
        """`apply_tree` of tree `tree_id` to `form`, from the cache when it was asked before."""
        key = (tree_id, form)
        try:
            return self._applied[key]
        except KeyError:
            pass
        if len(self._applied) >= APPLY_CACHE_SIZE:
            self._applied.clear()
        lemma = self._applied[key] = self._apply(self._trees[tree_id], form)
        return lemma
