"""Opening corpus files and walking folders of them."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def open_text(path: str | Path) -> IO[str]:
    """Open a (possibly gzipped) UTF-8 text file for streaming reads."""
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf8")
    return open(path, encoding="utf8")


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
