"""Lemma rules: an edit tree learned on lowercased text, plus how the lemma takes its case.

An edit tree learned on the form as it is ties casing to spelling: "Laughter" -> "laughter"
teaches a tree that only fits forms beginning with "L", and "Free" -> "free" a tree that turns
"FREE" into "fREE". A rule separates the two, as UDPipe's lemma rules do: the tree rewrites the
lowercased form, and the casing says what case the result takes:

- ``lower``: the lemma is the rewritten lowercase string ("Laughter" -> "laughter");
- ``form``: each character takes the case of the form's character at the same place
  ("Marines" -> "Marine", "HANO" -> "HANO");
- ``""`` (raw): neither gives the gold lemma; the tree rewrites the form as it is (the rule of
  the words whose lowercase differs in length, or whose lemma changes case elsewhere).

A rule's key is its tree's key (`edit_trees.tree_key`) behind ``casing:``, or the bare tree key for
a raw rule: the keys of models saved before rules read as raw rules.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .edit_trees import Tree, apply_tree, build_tree, tree_from_key, tree_key

Rule = tuple[str, Tree]
CASINGS = ("lower", "form")


def recase(form: str, lemma: str) -> str:
    """`lemma` with each character upper-cased where `form` has an upper-case one at that place."""
    return "".join(c.upper() if i < len(form) and form[i].isupper() else c for i, c in enumerate(lemma))


@lru_cache(maxsize=1 << 17)
def build_rule(form: str, lemma: str) -> Rule:
    """The rule turning `form` into `lemma`: a lowercase tree with the first casing (`lower`,
    then `form`) that gives `lemma`, else a raw tree of the pair as it is."""
    low = form.lower()
    if len(low) == len(form):
        tree = build_tree(low, lemma.lower())
        guess = apply_tree(tree, low)
        if guess is not None:
            if guess == lemma:
                return ("lower", tree)
            if recase(form, guess) == lemma:
                return ("form", tree)
    return ("", build_tree(form, lemma))


def apply_rule(rule: Rule, form: str) -> str | None:
    """The lemma `rule` makes of `form`, or None when the form does not fit its tree."""
    casing, tree = rule
    if not casing:
        return apply_tree(tree, form)
    low = form.lower()
    if len(low) != len(form):
        return None
    guess = apply_tree(tree, low)
    if guess is None or casing == "lower":
        return guess
    return recase(form, guess)


@lru_cache(maxsize=1 << 16)
def rule_key(rule: Rule) -> str:
    """The rule as a string: its label and its saved form (see the module docstring)."""
    casing, tree = rule
    return f"{casing}:{tree_key(tree)}" if casing else tree_key(tree)


def rule_from_key(key: Any) -> Rule:
    """The rule a `rule_key` string describes; a ValueError saying what is wrong otherwise."""
    if isinstance(key, str):
        casing, colon, rest = key.partition(":")
        if colon and casing in CASINGS:
            return (casing, tree_from_key(rest))
    return ("", tree_from_key(key))
