"""Restartable output of `nlp apply`: whole records appended to OUTPUT, and a progress file beside
it (OUTPUT.progress, JSON) saying how far the input is done and how long OUTPUT then was.

After a batch (at most every `save_every` seconds: a flush to disk costs) the records are flushed
to disk and then the progress file is replaced atomically, so whenever the run stops (Ctrl-C, kill -9, a full disk) the progress file describes
whole records that are on disk. A restart cuts OUTPUT (and OUTPUT.rejected) back to the recorded
lengths, which removes a half-written last record and any record written after the last save,
and reads the input on from the recorded cursor: no record is lost or written twice.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ._apply_input import Cursor, Item
from ._errors import fail

PROGRESS_SUFFIX = ".progress"
REJECTED_SUFFIX = ".rejected"
VERSION = 1


@dataclass
class Progress:
    """What a run has done: the settings it was started with (a restart must match them), the
    input cursor, the counts, and the lengths of OUTPUT and OUTPUT.rejected that hold it."""

    settings: dict[str, str]
    cursor: Cursor = field(default_factory=Cursor)
    texts: int = 0
    words: int = 0
    rejected: int = 0
    output_bytes: int = 0
    rejected_bytes: int = 0
    finished: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"version": VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any, where: Path) -> Progress:
        """The progress of a progress file's JSON; a UserError naming the file if it is not one."""
        try:
            if not isinstance(data, dict) or data.pop("version", None) != VERSION:
                raise TypeError("not a version-1 progress file")
            progress = cls(**data)
            progress.cursor = Cursor(**data["cursor"])
            numbers = (*asdict(progress.cursor).values(), progress.texts, progress.words,
                       progress.rejected, progress.output_bytes, progress.rejected_bytes)
            if not all(isinstance(n, int) and n >= 0 for n in numbers) or not isinstance(progress.settings, dict):
                raise TypeError("a count is not a whole number")
        except (TypeError, KeyError) as err:
            fail(f"{where} is not a progress file of nlp apply ({err}); use --overwrite to start over")
        return progress


def progress_path(output: Path) -> Path:
    return output.with_name(output.name + PROGRESS_SUFFIX)


def rejected_path(output: Path) -> Path:
    return output.with_name(output.name + REJECTED_SUFFIX)


def read_run(output: Path, settings: dict[str, str], overwrite: bool) -> Progress:
    """The progress to go on from: a new run's (with `overwrite`, or when there is no OUTPUT) or
    the interrupted (or finished) run's of OUTPUT.progress. Changes no file. A UserError when
    OUTPUT is not an `nlp apply` run's, was started with other settings, or is shorter than
    recorded."""
    side = progress_path(output)
    if overwrite or not output.exists():
        return Progress(settings)
    if not side.exists():
        fail(f"{output} exists and is not an interrupted nlp apply run (no {side.name}): "
             "use --overwrite to replace it")
    try:
        progress = Progress.from_json(json.loads(side.read_text(encoding="utf8")), side)
    except (ValueError, UnicodeError) as err:
        fail(f"{side} is not a progress file of nlp apply ({err}); use --overwrite to start over")
    _check_resumable(output, progress, settings)
    return progress


def prepare_files(output: Path, progress: Progress) -> None:
    """Before writing: a new run removes OUTPUT and its side files; one going on cuts OUTPUT
    and OUTPUT.rejected back to the lengths its progress records."""
    if progress.cursor == Cursor():
        for path in (output, progress_path(output), rejected_path(output)):
            path.unlink(missing_ok=True)
        return
    _cut(output, progress.output_bytes)
    _cut(rejected_path(output), progress.rejected_bytes)


def _check_resumable(output: Path, progress: Progress, settings: dict[str, str]) -> None:
    """A UserError if the run in OUTPUT cannot be continued by a run with `settings`."""
    for key, value in settings.items():
        if progress.settings.get(key) != value:
            fail(f"{output} was started with {key} {progress.settings.get(key)}, not {value}: run it "
                 "with the same settings to go on, or use --overwrite to start over")
    size = output.stat().st_size
    if size < progress.output_bytes:
        fail(f"{output} is shorter ({size} bytes) than its progress file records "
             f"({progress.output_bytes}): it was changed; use --overwrite to start over")


def _cut(path: Path, size: int) -> None:
    """Truncate `path` to `size` bytes (created empty if missing and `size` is 0)."""
    if size == 0 and not path.exists():
        return
    with path.open("r+b") as file:
        file.truncate(size)


class RecordWriter:
    """Appends records to OUTPUT and rejected units to OUTPUT.rejected, and saves the progress
    (`commit`) once they are on disk. A context manager; closing does not commit."""

    def __init__(self, output: Path, progress: Progress, save_every: float = 0.0) -> None:
        self.output = output
        self.progress = progress
        self.file: IO[bytes] = output.open("ab")
        self.rejected_file: IO[bytes] | None = None
        self.pending = 0
        self.save_every = save_every
        self.saved_at = time.monotonic()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        if self.rejected_file is not None:
            self.rejected_file.close()

    def write(self, item: Item, record: str, words: int) -> None:
        """Append the record of `item`, a text of `words` words."""
        self.file.write(record.encode("utf8"))
        self.progress.texts += 1
        self.progress.words += words
        self._advance(item)

    def reject(self, item: Item) -> None:
        """Set the unreadable unit `item` aside (its bytes as read, one a line)."""
        if self.rejected_file is None:
            self.rejected_file = rejected_path(self.output).open("ab")
        raw = item.raw if item.raw.endswith(b"\n") else item.raw + b"\n"
        self.rejected_file.write(raw)
        self.progress.rejected += 1
        self._advance(item)

    def _advance(self, item: Item) -> None:
        self.progress.cursor = item.cursor
        self.pending += 1

    def commit_batch(self, batch_size: int) -> None:
        """`commit` if a batch is pending and `save_every` seconds have passed since the last."""
        if self.pending >= batch_size and time.monotonic() - self.saved_at >= self.save_every:
            self.commit()

    def commit(self, finished: bool = False) -> None:
        """Put what was written on disk, then record the progress atomically."""
        from nlp_train.storage import atomic_write_file

        self.progress.output_bytes = _sync(self.file)
        if self.rejected_file is not None:
            self.progress.rejected_bytes = _sync(self.rejected_file)
        self.progress.finished = finished
        data = json.dumps(self.progress.to_json(), indent=1)
        atomic_write_file(progress_path(self.output), lambda tmp: tmp.write_text(data, encoding="utf8"))
        self.pending = 0
        self.saved_at = time.monotonic()


def _sync(file: IO[bytes]) -> int:
    """Flush `file` to disk; its length."""
    file.flush()
    os.fsync(file.fileno())
    return file.tell()
