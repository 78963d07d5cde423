"""Opening corpus files and walking folders of them."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

from .errors import CorpusError

#: What reading a truncated or corrupt .gz file raises.
_DAMAGED_GZIP = (EOFError, gzip.BadGzipFile, zlib.error)


def _open(path: Path, mode: str, **kwargs) -> IO:
    if path.suffix == ".gz":
        return gzip.open(path, mode, **kwargs)
    return open(path, mode, **kwargs)


def bad_utf8_line(path: str | Path) -> CorpusError:
    """The CorpusError for the first line of `path` whose bytes are not UTF-8 (its number and the
    column of the bad byte); a line is decoded alone, as no UTF-8 sequence holds a newline."""
    path = Path(path)
    with _open(path, "rb") as file:
        for lineno, raw in enumerate(file, 1):
            try:
                raw.decode("utf8")
            except UnicodeDecodeError as err:
                column = len(raw[: err.start].decode("utf8")) + 1
                return CorpusError(path, lineno, f"not UTF-8: byte 0x{raw[err.start]:02x} at column {column} "
                                                 "(save the file as UTF-8)")
    return CorpusError(path, None, "not UTF-8 (save the file as UTF-8)")


class TextFile:
    """A UTF-8 text file (gzipped if it ends in .gz) read as lines or chunks.

    A leading byte-order mark is dropped. Bytes that are not UTF-8 raise a CorpusError naming the
    line, found by re-reading the file only when that happens, so good files read at full speed.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file = _open(self.path, "rt", encoding="utf-8-sig")

    @contextmanager
    def _named_errors(self) -> Iterator[None]:
        try:
            yield
        except UnicodeDecodeError:
            raise bad_utf8_line(self.path) from None
        except _DAMAGED_GZIP as err:
            raise CorpusError(self.path, None, f"damaged gzip file: {err}") from None

    def __iter__(self) -> Iterator[str]:
        with self._named_errors():
            yield from self._file

    def read(self, size: int = -1) -> str:
        with self._named_errors():
            return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> TextFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def open_text(path: str | Path) -> TextFile:
    """Open a (possibly gzipped) UTF-8 text file for streaming reads (see TextFile)."""
    return TextFile(path)


def walk_files(path: str | Path) -> Iterator[Path]:
    """The file itself, or every non-hidden file below a folder, in sorted order."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"corpus path not found: {path}")
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
            yield child
