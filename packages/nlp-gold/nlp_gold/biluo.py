"""BILUO entity tags: conversion from and to character offsets, spans and IOB tags.

B(egin), I(n), L(ast), U(nit), O(ut) per token; "-" marks a token whose entity annotation is
unknown (missing), which is not the same as "O".
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import BiluoError, GoldError, MisalignedEntityWarning

MISSING = "-"
Offsets = tuple[int, int, str]


def token_offsets(doc: Any) -> list[tuple[int, int]]:
    """The (start_char, end_char) of every token of a Doc, or the pairs themselves if given pairs."""
    if isinstance(doc, (list, tuple)) and (not doc or isinstance(doc[0], (tuple, list))):
        return [(int(s), int(e)) for s, e in doc]
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def tag_entity(tags: list, first: int, last: int, label: str) -> None:
    """Write the BILUO tags of one entity over tokens first..last (inclusive) into `tags` (the
    one place a span becomes B/I/L/U tags: readers, Example alignment and the NER presets)."""
    if first == last:
        tags[first] = f"U-{label}"
        return
    tags[first] = f"B-{label}"
    for i in range(first + 1, last):
        tags[i] = f"I-{label}"
    tags[last] = f"L-{label}"


def biluo_tags_from_offsets(
    doc: Any, entities: Iterable[Sequence], missing: str = "O", *, where: str = ""
) -> list[str]:
    """BILUO tags for the tokens of `doc` from `(start_char, end_char, label)` entities.

    `doc` is a Doc or a list of token (start_char, end_char) pairs. Tokens outside every entity get
    `missing` ("O", or "-" for partial annotation). An entity that does not start and end on token
    boundaries cannot be expressed: its tokens become "-" and a MisalignedEntityWarning names it.
    Overlapping entities raise GoldError.
    """
    spans = token_offsets(doc)
    starts = {s: i for i, (s, _) in enumerate(spans)}
    ends = {e: i for i, (_, e) in enumerate(spans)}
    tags = [missing] * len(spans)
    prefix = f"{where}: " if where else ""
    ents = sorted((int(e[0]), int(e[1]), str(e[2])) for e in entities)
    prev = None
    misaligned = []
    for start, end, label in ents:
        if start >= end or not label:
            raise GoldError(f"{prefix}invalid entity {(start, end, label)!r}: needs start < end and a label")
        if prev is not None and start < prev[1]:
            raise GoldError(f"{prefix}overlapping entities {prev!r} and {(start, end, label)!r}")
        prev = (start, end, label)
        first = starts.get(start)
        last = ends.get(end)
        if first is not None and last is not None and first <= last:
            tag_entity(tags, first, last, label)
        else:
            misaligned.append((start, end, label))
            for i, (s, e) in enumerate(spans):
                if s < end and e > start:
                    tags[i] = MISSING
    if misaligned:
        warnings.warn(
            f"{prefix}entities not on token boundaries, their tokens set to '-': {misaligned!r}",
            MisalignedEntityWarning,
            stacklevel=2,
        )
    return tags


def _split(tag: str, pos: int, where: str) -> tuple[str, str]:
    if tag in ("O", MISSING, ""):
        return (tag or MISSING), ""
    if len(tag) > 2 and tag[1] == "-" and tag[0] in "BILU":
        return tag[0], tag[2:]
    prefix = f"{where}: " if where else ""
    raise BiluoError(f"{prefix}invalid BILUO tag {tag!r} at position {pos}", pos)


def tags_to_entities(tags: Sequence[str], *, where: str = "") -> list[tuple[str, int, int]]:
    """Token-level entities `(label, start, end)` (end exclusive) of a valid BILUO sequence.

    Raises BiluoError naming the position of the first invalid transition.
    """
    prefix = f"{where}: " if where else ""
    entities = []
    open_label = None
    open_start = 0
    for i, tag in enumerate(tags):
        if tag is None:
            tag = MISSING
        action, label = _split(tag, i, where)
        if open_label is not None:
            if action in ("I", "L") and label == open_label:
                if action == "L":
                    entities.append((label, open_start, i + 1))
                    open_label = None
                continue
            raise BiluoError(f"{prefix}invalid BILUO sequence: {tag!r} at position {i} inside an open {open_label} entity", i)
        if action == "B":
            open_label, open_start = label, i
        elif action == "U":
            entities.append((label, i, i + 1))
        elif action in ("I", "L"):
            raise BiluoError(f"{prefix}invalid BILUO sequence: {tag!r} at position {i} outside an entity", i)
    if open_label is not None:
        raise BiluoError(f"{prefix}invalid BILUO sequence: entity {open_label} opened at position {open_start} is never closed",
                         open_start)
    return entities


def offsets_from_biluo_tags(doc: Any, tags: Sequence[str], *, where: str = "") -> list[Offsets]:
    """Character-offset entities `(start_char, end_char, label)` from BILUO tags over `doc`'s tokens."""
    spans = token_offsets(doc)
    if len(spans) != len(tags):
        raise GoldError(f"{where + ': ' if where else ''}{len(tags)} BILUO tags for {len(spans)} tokens")
    return [(spans[s][0], spans[e - 1][1], label) for label, s, e in tags_to_entities(tags, where=where)]


def spans_from_biluo_tags(doc: Any, tags: Sequence[str]) -> list:
    """Labelled Span objects of a Doc from BILUO tags."""
    spans = []
    for start, end, label in offsets_from_biluo_tags(doc, tags):
        span = doc.char_span(start, end, label=label)
        spans.append(span)
    return spans


def iob_to_biluo(tags: Sequence[str], *, where: str = "") -> list[str]:
    """Convert IOB tags (IOB1 or IOB2, read the same way) to BILUO.

    An "I-X" that does not continue an X entity starts one (IOB1); "B-X" always starts one. "-"
    (missing) passes through.
    """
    prefix = f"{where}: " if where else ""
    out = []
    n = len(tags)
    labels = []
    begins = []
    for i, tag in enumerate(tags):
        if tag in ("O", MISSING):
            labels.append(None)
            begins.append(False)
            continue
        if len(tag) < 3 or tag[1] != "-" or tag[0] not in "IB":
            raise BiluoError(f"{prefix}invalid IOB tag {tag!r} at position {i}", i)
        label = tag[2:]
        labels.append(label)
        begins.append(tag[0] == "B" or i == 0 or labels[i - 1] != label)
    for i, tag in enumerate(tags):
        label = labels[i]
        if label is None:
            out.append(tag)
            continue
        ends = i + 1 == n or labels[i + 1] != label or begins[i + 1]
        if begins[i]:
            out.append(("U-" if ends else "B-") + label)
        else:
            out.append(("L-" if ends else "I-") + label)
    return out


def biluo_to_iob(tags: Sequence[str], *, where: str = "") -> list[str]:
    """Convert BILUO tags to IOB2 (B- starts every entity)."""
    out = []
    for i, tag in enumerate(tags):
        action, label = _split(tag if tag is not None else MISSING, i, where)
        if action in ("B", "U"):
            out.append("B-" + label)
        elif action in ("I", "L"):
            out.append("I-" + label)
        else:
            out.append(action)
    return out


def iob2_to_iob1(tags: Sequence[str]) -> list[str]:
    """Convert IOB2 tags to IOB1, where B- is used only between adjacent entities of one type."""
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("B-") and not (prev[2:] == tag[2:] and prev[:2] in ("B-", "I-")):
            out.append("I-" + tag[2:])
        else:
            out.append(tag)
        prev = tag
    return out
