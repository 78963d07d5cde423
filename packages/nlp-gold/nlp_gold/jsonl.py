"""JSON-lines corpora: `{"text", "cats"}` or `{"text", "label"}` for text classification and
`{"text", "entities"}` (character offsets) for NER, one object a line, read one line at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from .checks import check_cats, check_entity_offsets
from .errors import CorpusError
from .json_format import json_problem
from .paths import open_text


def parse_jsonl_record(record: Any, path: Any, lineno: int, labels: Sequence[str] | None = None) -> dict:
    """An annotation dict (`text`, and `cats` and/or `entities`) from one decoded JSON line."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise CorpusError(path, lineno, 'expected an object with a "text" string')
    if not record["text"].strip():
        raise CorpusError(path, lineno, '"text" is empty' if not record["text"] else '"text" is only whitespace')
    out: dict = {"text": record["text"], "line": lineno}
    cats: dict[str, float] | None = None
    if "cats" in record:
        if not isinstance(record["cats"], dict):
            raise CorpusError(path, lineno, '"cats" must be an object of label -> score')
        cats = check_cats(record["cats"], path, lineno)
    elif "label" in record or "labels" in record:
        value = record.get("label", record.get("labels"))
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in names):
            raise CorpusError(path, lineno, '"label" must be a string (or "labels" a list of strings)')
        cats = check_cats({v: 1.0 for v in names}, path, lineno)
    if cats is not None:
        for label in labels or ():
            cats.setdefault(label, 0.0)
        out["cats"] = cats
    if "entities" in record:
        out["entities"] = check_entity_offsets(record["entities"], len(record["text"]), path, lineno)
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
        except (RecursionError, ValueError) as err:
            raise CorpusError(path, lineno, f"invalid JSON: {json_problem(err)}") from None
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
