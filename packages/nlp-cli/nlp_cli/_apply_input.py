"""The input of `nlp apply`, read lazily and resumable: plain text (one text a line), JSONL (one
object a line with a "text" string, its other fields kept) or a folder of .txt files (one text a
file, in sorted order).

Each input unit (a line, or a file of a folder) becomes an `Item` that carries the `Cursor` just
past it, so a run can record where it is and a later run can start reading there: a byte offset
and a line number for a file, a file number for a folder. Blank lines are read past and give no
item. A unit that cannot be a text (not UTF-8, not a JSON object, no "text" string) gives an item
whose `error` says why, named by file and line; the caller decides to stop or to go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._corpus import files_of
from ._errors import fail

#: Input file suffixes read as JSONL; any other file is plain text, one text a line.
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: The files of a folder that are read, one text each.
FOLDER_SUFFIX = ".txt"
INPUT_FORMATS = ("text", "jsonl", "folder")


@dataclass(frozen=True)
class Cursor:
    """Where reading resumes: `offset` bytes into a file (0 for a folder) and `count` lines (or
    files) read so far."""

    offset: int = 0
    count: int = 0


@dataclass
class Item:
    """One input unit: its text and the fields kept with it, where it came from ("file:line"),
    the cursor just past it, and why it is not a text (None when it is one). `raw` is the unit as
    read (a line's bytes, or a folder file's name), what --skip-bad sets aside."""

    text: str
    fields: dict[str, Any]
    where: str
    cursor: Cursor
    raw: bytes = b""
    error: str | None = None
    doc_id: str = ""


def input_format(path: Path) -> str:
    """"folder", "jsonl" (by the suffix) or "text"."""
    if path.is_dir():
        return "folder"
    return "jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "text"


def input_size(path: Path, fmt: str) -> int:
    """How far a complete read's cursor goes: the file's bytes, or a folder's file count."""
    return len(folder_files(path)) if fmt == "folder" else path.stat().st_size


def read_items(path: Path, fmt: str, start: Cursor = Cursor()) -> Iterator[Item]:
    """The items of the input at `path` in format `fmt` ("text", "jsonl", "folder"), from the
    cursor `start` on."""
    if fmt == "folder":
        yield from _folder_items(path, start)
    else:
        yield from _line_items(path, fmt == "jsonl", start)


def _line_items(path: Path, jsonl: bool, start: Cursor) -> Iterator[Item]:
    with path.open("rb") as file:
        file.seek(start.offset)
        offset, number = start.offset, start.count
        for raw in file:
            offset += len(raw)
            number += 1
            cursor = Cursor(offset, number)
            if raw.strip():
                yield _line_item(raw, f"{path}:{number}", number, cursor, jsonl)


def _line_item(raw: bytes, where: str, number: int, cursor: Cursor, jsonl: bool) -> Item:
    """The item of one non-blank line (its number `number`)."""
    bad = Item("", {}, where, cursor, raw=raw)
    try:
        line = raw.decode("utf8").rstrip("\r\n")
        if number == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark starting the file is no text
    except UnicodeDecodeError as err:
        bad.error = f"not UTF-8 text (byte {err.start + 1} of the line)"
        return bad
    if not jsonl:
        return Item(line, {"line": number}, where, cursor, raw=raw, doc_id=str(number))
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        bad.error = f"not a JSON object ({err.msg} at column {err.colno})"
        return bad
    if not isinstance(record, dict):
        bad.error = f"expected a JSON object with a \"text\", got {type(record).__name__}"
    elif not isinstance(record.get("text"), str):
        bad.error = "no \"text\" string" if "text" not in record else "\"text\" is not a string"
    if bad.error:
        return bad
    text = record.pop("text")
    doc_id = str(record["id"]) if record.get("id") not in (None, "") else str(number)
    return Item(text, record, where, cursor, raw=raw, doc_id=doc_id)


def folder_files(path: Path) -> list[Path]:
    """The .txt files below folder `path` (hidden ones left out), sorted by their path in it;
    a UserError when there is none."""
    files = [file for file in files_of(path, "input") if file.suffix.lower() == FOLDER_SUFFIX]
    if not files:
        fail(f"input folder holds no {FOLDER_SUFFIX} files: {path}")
    return files


def _folder_items(path: Path, start: Cursor) -> Iterator[Item]:
    files = folder_files(path)
    for number, file in enumerate(files[start.count :], start.count + 1):
        name = file.relative_to(path).as_posix()
        cursor = Cursor(0, number)
        try:
            text = file.read_text(encoding="utf8")
        except UnicodeDecodeError as err:
            yield Item("", {}, str(file), cursor, raw=name.encode("utf8") + b"\n",
                       error=f"not UTF-8 text (byte {err.start + 1})")
            continue
        yield Item(text, {"file": name}, str(file), cursor, doc_id=name)
