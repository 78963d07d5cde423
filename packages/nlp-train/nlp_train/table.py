"""The per-epoch table printed during training, and the in-epoch progress bar."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class Column:
    """One column: its header, where its value comes from, and its format."""

    header: str
    source: str  # "itn", "loss", "score"
    keys: tuple[str, ...]  # first key present wins
    fmt: str

    def cell(self, epoch: int, losses: Mapping[str, float], scores: Mapping[str, float]) -> str:
        if self.source == "itn":
            return str(epoch)
        table = losses if self.source == "loss" else scores
        for key in self.keys:
            if key in table:
                return format(float(table[key]), self.fmt)
        return "-"


_TOKEN_LEVEL = ("tagger", "parser", "ner")


def table_columns(pipe_names: Sequence[str], on_gpu: bool = False) -> list[Column]:
    """The seed's columns that apply to ``pipe_names``, in the seed's order."""
    names = set(pipe_names)
    cols = [Column("Itn", "itn", (), "")]
    for pipe, header in (("parser", "Dep Loss"), ("ner", "NER Loss"), ("tagger", "Tag Loss"),
                         ("textcat", "Textcat Loss")):
        if pipe in names:
            cols.append(Column(header, "loss", (pipe,), ".3f"))
    if "parser" in names:
        cols += [Column("UAS", "score", ("uas",), ".3f"), Column("LAS", "score", ("las",), ".3f")]
    if "ner" in names:
        cols += [Column("NER P", "score", ("ents_p",), ".3f"),
                 Column("NER R", "score", ("ents_r",), ".3f"),
                 Column("NER F", "score", ("ents_f",), ".3f")]
    if "tagger" in names:
        cols.append(Column("Tag %", "score", ("tag_acc",), ".3f"))
    if names.intersection(_TOKEN_LEVEL):
        cols.append(Column("Token %", "score", ("token_acc",), ".3f"))
    if "textcat" in names:
        cols.append(Column("Textcat", "score", ("textcat_macro_f", "textcat_acc"), ".3f"))
    cols.append(Column("GPU WPS" if on_gpu else "CPU WPS", "score", ("wps",), ".0f"))
    return cols


class Table:
    """Prints the header once and one aligned row per epoch."""

    def __init__(self, columns: Sequence[Column], stream: IO[str] | None) -> None:
        self.columns = list(columns)
        self.stream = stream
        self.widths = [max(len(c.header), 8 if c.source != "itn" else 3) for c in self.columns]

    def header(self) -> None:
        self._write("  ".join(c.header.rjust(w) for c, w in zip(self.columns, self.widths)))

    def row(self, epoch: int, losses: Mapping[str, float], scores: Mapping[str, float]) -> str:
        cells = [c.cell(epoch, losses, scores) for c in self.columns]
        line = "  ".join(cell.rjust(w) for cell, w in zip(cells, self.widths))
        self._write(line)
        return line

    def _write(self, line: str) -> None:
        if self.stream is not None:
            self.stream.write(line + "\n")
            self.stream.flush()


class ProgressBar:
    """A one-line progress bar over the examples of an epoch.

    Drawn only when ``stream`` is a terminal (so logs and pipes stay clean),
    redrawn at most ten times a second, and erased by :meth:`close`.
    """

    def __init__(self, total: int, stream: IO[str] | None, enabled: bool | None = None,
                 width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream
        if enabled is None:
            isatty = getattr(stream, "isatty", None)
            enabled = bool(stream is not None and isatty is not None and isatty())
        self.enabled = enabled
        self.width = width
        self.done = 0
        self._last_draw = 0.0
        self._start = time.perf_counter()

    def advance(self, n: int, losses: Mapping[str, float] | None = None) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last_draw < 0.1 and self.done < self.total:
            return
        self._last_draw = now
        filled = int(self.width * min(self.done, self.total) / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        loss = "  ".join(f"{k} {v:.2f}" for k, v in sorted((losses or {}).items()))
        rate = self.done / max(now - self._start, 1e-9)
        assert self.stream is not None
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}  {rate:.0f} ex/s  {loss}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
