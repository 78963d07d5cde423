"""Tokenizer rules read from a model folder: checked before they are compiled, so that a
crafted folder cannot make one match attempt backtrack without bound, nor an infix search
take time quadratic in a chunk's length; shipped rules are trusted as code.

A pattern is accepted when it is one of the rules shipped in `nlp_vocab.lang` (code, like the
rest of this package), or when it keeps to a subset of Python's syntax whose backtracking is
bounded:

- no backreferences and no conditional groups;
- only a single character or class may repeat (`\\d+`, `[a-z]*`); a group may be optional or
  repeat a fixed number of times, never `(...)+`, `(...)*` or `(...){m,n}`: nested repeats are
  what makes `(?:a+)+b` take seconds on 30 characters;
- every repeat is *closed*: whatever can come next is a character it cannot match (`\\d+\\.`,
  `\\d+(?:,\\d+)?$`), an end anchor (`$` only without MULTILINE: with it, `$` also matches
  before each newline), or the end of the pattern, so only one of the places where
  it could stop lets the match go on. An open repeat (`\\w+\\w`, `\\w*\\w+`) makes whatever
  follows it run once per place, multiplying the work by the text length;
- at most 1,000 combinations of alternatives and optional parts, and 1,000 characters (5,000
  for all the rules of a tokenizer that are not shipped ones).

With these, one match attempt takes at most (combinations x repeats x text length) steps.
That bounds prefixes and whole-token matches (one attempt each). Suffixes of a long chunk are
searched in a window at its end that doubles only while the match starts at its first
character (nlp_vocab.tokenizer); a crafted suffix that matches a long run may still cost
time quadratic in that run's length. An infix is searched for at every place of a chunk, so
it must also start with a character that none of its repeats match (check_infix_pattern):
`x\\d+y` is accepted, `\\d+x` is not. The constant factor can still be large (up to the
pattern's length and combinations), so a chunk may take a while, not forever.
"""

from __future__ import annotations

import re
from functools import cache
from re import _constants as sre  # the parser's opcodes; Python exposes no public parser
from re import _parser
from typing import Any, NamedTuple

from ._charsets import Intervals, char_set, intersects, union

MAX_LENGTH = 1000
MAX_COMBINATIONS = 1000
MAX_RULES = 1000
#: A bounded repeat over a single character with at most this many choices counts as that many
#: combinations; a wider one counts as a repeat over the text.
_SMALL_RANGE = 16
#: The most character sets looked at after one repeat (more: it counts as not pinned down).
_MAX_FOLLOWERS = 64
#: The most characters of rules that are not shipped ones, in one tokenizer: bounds the checking.
MAX_CUSTOM_TOTAL = 5000

LIST_RULES = ("prefixes", "suffixes", "infixes")
MATCH_RULES = ("url_match", "email_match", "token_match")

_SINGLE = {sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_END_ANCHORS = {sre.AT_END, sre.AT_END_STRING}
_NEWLINE: Intervals = ((10, 10),)


class _Cost(NamedTuple):
    open_repeats: int  # repeats on one path where the rest does not pin down where they stop
    combinations: int  # alternatives x optional parts on one path, capped


def check_pattern(pattern: Any) -> None:
    """A ValueError saying why `pattern` could backtrack without bound; None if it cannot."""
    if not isinstance(pattern, str):
        raise ValueError(f"a rule must be a string, got {type(pattern).__name__}")
    if len(pattern) > MAX_LENGTH:
        raise ValueError(f"longer than {MAX_LENGTH} characters")
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as err:
        raise ValueError(f"not a valid regular expression ({err})") from None
    try:
        cost = _sequence(parsed.data, parsed.state.flags, _END)
    except RecursionError:
        raise ValueError("groups nested too deeply") from None
    if cost.open_repeats:
        raise ValueError(
            "a repeat is followed by characters it can match too (as in \\w+\\w or \\w*\\w+), so "
            "matching time grows with a power of the text length"
        )
    if cost.combinations > MAX_COMBINATIONS:
        raise ValueError(f"more than {MAX_COMBINATIONS} combinations of alternatives and optional parts")


def checked_rules(msg: Any) -> tuple[dict, dict]:
    """(rules, special cases) of a serialized tokenizer, after checking their types and every
    pattern that is not a shipped rule; a one-line ValueError naming the rule otherwise."""
    if not isinstance(msg, dict) or not isinstance(msg.get("rules"), dict) or "exceptions" not in msg:
        raise ValueError("not a serialized tokenizer (expected an object with 'rules' and 'exceptions')")
    rules, exceptions = msg["rules"], msg["exceptions"]
    unknown = sorted(map(str, set(rules) - set(LIST_RULES + MATCH_RULES)))
    if unknown:
        raise ValueError(f"unknown rule fields {unknown}")
    if not isinstance(exceptions, dict) or not all(isinstance(v, list) for v in exceptions.values()):
        raise ValueError("special cases must be an object of text -> list of pieces")
    for name in LIST_RULES:
        patterns = rules.get(name) or []
        if not isinstance(patterns, list) or len(patterns) > MAX_RULES:
            raise ValueError(f"{name} must be a list of at most {MAX_RULES} patterns")
    listed = [(name, p) for name in LIST_RULES for p in rules.get(name) or []]
    listed += [(name, rules[name]) for name in MATCH_RULES if rules.get(name) is not None]
    custom = sum(len(p) for _, p in listed if isinstance(p, str) and p not in builtin_patterns())
    if custom > MAX_CUSTOM_TOTAL:
        raise ValueError(f"the rules that are not shipped ones hold {custom} characters, more than {MAX_CUSTOM_TOTAL}")
    for name, pattern in listed:
        _check_rule(name, pattern)
    checked: dict[str, Any] = {name: list(rules.get(name) or []) for name in LIST_RULES}
    checked.update({name: rules.get(name) for name in MATCH_RULES})
    return checked, exceptions


def _check_rule(rule: str, pattern: Any) -> None:
    if isinstance(pattern, str) and pattern in builtin_patterns():
        return
    try:
        check_pattern(pattern)
        if rule == "infixes":
            check_infix_pattern(pattern)
    except ValueError as err:
        raise ValueError(f"{rule} rule {pattern!r} is not allowed in a model file: {err}") from None


def check_infix_pattern(pattern: str) -> None:
    """A ValueError if searching a chunk with `pattern` (an accepted one, see check_pattern)
    could take time quadratic in the chunk's length; None if it cannot.

    The tokenizer tries an infix at every place of a chunk, and each attempt is bounded only
    by the text it reads, so `\\d+x` on a run of digits reads the rest of the run n times.
    An infix must start by consuming a character, and no repeat may match a character it can
    start with: then between two places where an attempt can start, a repeat reads none, so
    the places that read one character are among the last few starts before it (at most the
    pattern's fixed characters). A look-around before that first character reads from every
    place, so it may not repeat either.
    """
    parsed = _parser.parse(pattern)
    flags = parsed.state.flags
    starts: list[Intervals] = []
    if _first_chars_of(parsed.data, flags, starts) is not True:
        raise ValueError("an infix must start with a character (it is tried at every place of a chunk)")
    leading = _leading_items(parsed.data, flags)
    if any(op in (sre.ASSERT, sre.ASSERT_NOT) and _long_repeats(av[1].data, flags) for op, av in leading):
        raise ValueError("an infix may not start with a look-around that repeats (it reads from every place)")
    first = union(starts)
    if any(intersects(first, repeated) for repeated in _long_repeats(parsed.data, flags)):
        raise ValueError(
            "a repeat can match a character the infix starts with (as in \\d+x or [x\\d]\\d+y), so "
            "searching a chunk takes time quadratic in its length"
        )


def _leading_items(items: list, flags: int) -> list:
    """The top-level items up to and including the first that must consume a character."""
    for i, item in enumerate(items):
        if _first_chars(item, flags, []):
            return items[: i + 1]
    return items


def _long_repeats(items: list, flags: int) -> list[Intervals]:
    """The characters of each repeat that may read _SMALL_RANGE characters or more, in
    `items` and all the groups, alternatives and look-arounds inside them (with their flags)."""
    found: list[Intervals] = []
    for op, av in items:
        if op in _REPEATS and len(av[2].data) == 1 and av[2].data[0][0] in _SINGLE:
            if av[1] >= _SMALL_RANGE:
                found.append(char_set(av[2].data[0], flags))
        elif op in _REPEATS or op == sre.ATOMIC_GROUP:
            found += _long_repeats((av[2] if op in _REPEATS else av).data, flags)
        elif op == sre.SUBPATTERN:
            found += _long_repeats(av[3].data, (flags | av[1]) & ~av[2])
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found += _long_repeats(av[1].data, flags)
        elif op == sre.BRANCH:
            for branch in av[1]:
                found += _long_repeats(branch.data, flags)
    return found


@cache
def builtin_patterns() -> frozenset[str]:
    """Every rule shipped with the language data of this package (trusted: it is code)."""
    from .lang import get_lang_data, known_languages

    found: set[str] = set()
    for code in known_languages():
        data = get_lang_data(code)
        found.update(data.prefixes, data.suffixes, data.infixes)
        found.update(p for p in (data.url_match, data.email_match, data.token_match) if p)
    return frozenset(found)


# ---- the bound: open repeats and combinations along a path -------------------------------------


class _Next(NamedTuple):
    """What follows an item: the rest of its sequence (with its flags), then `after`'s."""

    items: list
    flags: int
    after: Any  # a _Next, _END (the pattern ends) or _UNKNOWN (a group may repeat)


_END = "end"
_UNKNOWN = "unknown"


def _sequence(items: list, flags: int, after: Any) -> _Cost:
    """The cost of consecutive items followed by `after`."""
    opens, combinations = 0, 1
    for i, (op, av) in enumerate(items):
        cost = _item(op, av, flags, _Next(items[i + 1 :], flags, after))
        opens += cost.open_repeats
        combinations = min(combinations * cost.combinations, MAX_COMBINATIONS + 1)
    return _Cost(opens, combinations)


def _item(op: Any, av: Any, flags: int, after: _Next) -> _Cost:
    if op in _SINGLE or op == sre.AT:
        return _Cost(0, 1)
    if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
        raise ValueError("backreferences and conditional groups are not allowed")
    if op == sre.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        return _sequence(body.data, (flags | add_flags) & ~del_flags, after)
    if op == sre.ATOMIC_GROUP:
        return _sequence(av.data, flags, after)
    if op in (sre.ASSERT, sre.ASSERT_NOT):  # a lookaround does not backtrack once it is done
        return _sequence(av[1].data, flags, _END)
    if op == sre.BRANCH:
        costs = [_sequence(branch.data, flags, after) for branch in av[1]]
        return _Cost(max(c.open_repeats for c in costs), sum(c.combinations for c in costs))
    if op in _REPEATS:
        return _repeat(av, flags, after)
    raise ValueError(f"the construct {op} is not allowed")


def _repeat(av: Any, flags: int, after: _Next) -> _Cost:
    low, high, body = av
    if low == high:  # a fixed count
        inner = _sequence(body.data, flags, _UNKNOWN)
        combinations = inner.combinations ** min(low, 64) if inner.combinations > 1 else 1
        return _Cost(inner.open_repeats * low, min(combinations, MAX_COMBINATIONS + 1))
    if len(body.data) == 1 and body.data[0][0] in _SINGLE:
        if _closed(char_set(body.data[0], flags), after):
            return _Cost(0, 1)
        if high - low < _SMALL_RANGE:
            return _Cost(0, high - low + 1)
        return _Cost(1, 1)
    if high == 1:  # an optional group
        inner = _sequence(body.data, flags, after)
        return _Cost(inner.open_repeats, inner.combinations + 1)
    raise ValueError("a group repeats ((...)+, (...)*, (...){m,n}): only single characters and classes may")


def _closed(repeated: Intervals, after: Any) -> bool:
    """Whether what follows a repeat pins down where it stops: no character that can come
    next is one the repeat matches (or the pattern ends)."""
    following = _next_chars(after)
    return following is not None and not intersects(repeated, union(following))


def _next_chars(after: Any) -> list[Intervals] | None:
    """The sets of characters that can be consumed next; None if unknown (or too many)."""
    found: list[Intervals] = []
    while isinstance(after, _Next):
        for item in after.items:
            done = _first_chars(item, after.flags, found)
            if done is None or len(found) > _MAX_FOLLOWERS:
                return None
            if done:
                return found
        after = after.after
    return found if after == _END else None


def _first_chars(item: tuple, flags: int, found: list[Intervals]) -> bool | None:
    """Add the characters `item` can start with to `found`; True if `item` must consume one
    (what follows it cannot come next), False if it may match empty, None if unknown."""
    op, av = item
    if op in _SINGLE:
        found.append(char_set(item, flags))
        return True
    if op == sre.AT:
        if av == sre.AT_END and flags & re.MULTILINE:  # `$` also matches before every "\n"
            found.append(_NEWLINE)
            return True
        return av in _END_ANCHORS
    if op in (sre.ASSERT, sre.ASSERT_NOT):  # runs again at each place a repeat before it stops
        return None if _sequence(av[1].data, flags, _END).open_repeats else False
    if op in (sre.SUBPATTERN, sre.ATOMIC_GROUP):
        body, flags = (av[3], (flags | av[1]) & ~av[2]) if op == sre.SUBPATTERN else (av, flags)
        return _first_chars_of(body.data, flags, found)
    if op == sre.BRANCH:
        musts = [_first_chars_of(branch.data, flags, found) for branch in av[1]]
        return None if None in musts else all(musts)
    if op in _REPEATS:
        must = _first_chars_of(av[2].data, flags, found)
        return None if must is None else must and av[0] >= 1
    return None


def _first_chars_of(items: list, flags: int, found: list[Intervals]) -> bool | None:
    for item in items:
        must = _first_chars(item, flags, found)
        if must is None or must:
            return must
    return False
