"""JSON-lines corpora: `{"text", "cats"}` or `{"text", "label"}` for text classification and
`{"text", "entities"}` (character offsets) for NER, one object a line, read one line at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from .errors import CorpusError
from .paths import open_text


def _entities(value: Any, path: Any, lineno: int, n_chars: int) -> list[tuple[int, int, str]]:
    out = []
    if not isinstance(value, list):
        raise CorpusError(path, lineno, f"'entities' must be a list, not {type(value).__name__}")
    for ent in value:
        if isinstance(ent, dict):
            ent = (ent.get("start"), ent.get("end"), ent.get("label"))
        if (
            not isinstance(ent, (list, tuple))
            or len(ent) != 3
            or not isinstance(ent[0], int)
            or not isinstance(ent[1], int)
            or not isinstance(ent[2], str)
        ):
            raise CorpusError(path, lineno, f"entity {ent!r} is not [start, end, label]")
        if not 0 <= ent[0] < ent[1] <= n_chars:
            raise CorpusError(path, lineno, f"entity {list(ent)!r} is outside the text's {n_chars} characters "
                                            "(needs 0 <= start < end <= length)")
        out.append((ent[0], ent[1], ent[2]))
    return out


def parse_jsonl_record(record: Any, path: Any, lineno: int, labels: Sequence[str] | None = None) -> dict:
    """An annotation dict (`text`, and `cats` and/or `entities`) from one decoded JSON line."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise CorpusError(path, lineno, 'expected an object with a "text" string')
    out: dict = {"text": record["text"], "line": lineno}
    cats: dict[str, float] | None = None
    if "cats" in record:
        if not isinstance(record["cats"], dict):
            raise CorpusError(path, lineno, '"cats" must be an object of label -> score')
        try:
            cats = {str(k): float(v) for k, v in record["cats"].items()}
        except (TypeError, ValueError):
            raise CorpusError(path, lineno, '"cats" values must be numbers') from None
    elif "label" in record or "labels" in record:
        value = record.get("label", record.get("labels"))
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in names):
            raise CorpusError(path, lineno, '"label" must be a string (or "labels" a list of strings)')
        cats = {v: 1.0 for v in names}
    if cats is not None:
        for label in labels or ():
            cats.setdefault(label, 0.0)
        out["cats"] = cats
    if "entities" in record:
        out["entities"] = _entities(record["entities"], path, lineno, len(record["text"]))
    if "cats" not in out and "entities" not in out:
        raise CorpusError(path, lineno, 'no annotation: expected "cats", "label" or "entities"')
    return out


def read_jsonl_file(file: IO[str], path: Any = None, labels: Sequence[str] | None = None) -> Iterator[dict]:
    """Yield an annotation dict per non-blank line of an open JSONL file.

    `labels` lists every class: labels a line does not mention get 0.0 (for `{"text", "label"}`).
    """
    for lineno, line in enumerate(file, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(path, lineno, f"invalid JSON: {err.msg} (column {err.colno})") from None
        yield parse_jsonl_record(record, path, lineno, labels)


def read_jsonl(path: str | Path, labels: Sequence[str] | None = None) -> Iterator[dict]:
    """Yield an annotation dict per line of a JSONL corpus, streaming."""
    with open_text(path) as file:
        yield from read_jsonl_file(file, path, labels)


def jsonl_labels(path: str | Path) -> list[str]:
    """Every class label of a classification JSONL file, sorted (one streaming pass)."""
    seen: set[str] = set()
    for annot in read_jsonl(path):
        seen.update(annot.get("cats", {}))
    return sorted(seen)


def write_jsonl(records: Iterable[dict], file: IO[str]) -> int:
    """Write `{"text", "cats"/"entities"}` objects one per line; returns the count."""
    count = 0
    for rec in records:
        out = {"text": rec["text"]}
        if rec.get("cats") is not None:
            out["cats"] = rec["cats"]
        if rec.get("entities") is not None:
            out["entities"] = [list(e) for e in rec["entities"]]
        file.write(json.dumps(out, ensure_ascii=False) + "\n")
        count += 1
    return count
