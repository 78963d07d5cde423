"""The per-epoch table printed during training (wasabi's rows), and the in-epoch progress bar
(tqdm). The columns come from the pipeline's `ComponentInfo`s: nlp-train names no component."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from tqdm import tqdm
from wasabi import row

from .components import ComponentInfo


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


ITERATION = Column("Itn", "itn", (), "")
#: Shown after the columns of the last component that annotates tokens.
TOKENS = Column("Token %", "score", ("token_acc",), ".3f")


def table_columns(infos: Sequence[ComponentInfo], on_gpu: bool = False) -> list[Column]:
    """The epoch number, each component's loss, the components' score columns in pipeline
    order (Token % after the last token-level one's), then the evaluation speed."""
    cols = [ITERATION]
    cols += [Column(info.loss_header, "loss", (info.name,), ".3f")
             for info in infos if info.loss_header]
    last_token_level = max((k for k, info in enumerate(infos) if info.token_level), default=-1)
    for k, info in enumerate(infos):
        for column in info.columns:
            col = Column(column.header, "score", column.keys, column.fmt)
            if col not in cols:  # two components of one kind share their scores
                cols.append(col)
        if k == last_token_level:
            cols.append(TOKENS)
    cols.append(Column("GPU WPS" if on_gpu else "CPU WPS", "score", ("wps",), ".0f"))
    return cols


class Table:
    """Prints the header once and one row per epoch, right-aligned under the headers."""

    def __init__(self, columns: Sequence[Column], stream: IO[str] | None) -> None:
        self.columns = list(columns)
        self.stream = stream
        self.widths = [max(len(c.header), 8 if c.source != "itn" else 3) for c in self.columns]

    def header(self) -> str:
        return self._write([c.header for c in self.columns])

    def row(self, epoch: int, losses: Mapping[str, float], scores: Mapping[str, float]) -> str:
        return self._write([c.cell(epoch, losses, scores) for c in self.columns])

    def _write(self, cells: Sequence[str]) -> str:
        line = row(cells, widths=self.widths, spacing=2, aligns="r")
        if self.stream is not None:
            self.stream.write(line + "\n")
            self.stream.flush()
        return line


def is_terminal(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is an interactive terminal (progress bars and colours go there only)."""
    isatty = getattr(stream, "isatty", None)
    return bool(stream is not None and isatty is not None and isatty())


class ProgressBar:
    """tqdm's bar over the examples of an epoch, with the losses so far.

    Drawn only when ``stream`` is a terminal (so logs and pipes stay clean) unless ``enabled``
    forces it, and erased when closed (``leave=False``) so the table row takes its place.
    """

    def __init__(self, total: int, stream: IO[str] | None, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = is_terminal(stream)
        self.bar = tqdm(total=total, file=stream, leave=False, unit="ex", dynamic_ncols=True,
                        disable=stream is None or not enabled)

    def advance(self, n: int, losses: Mapping[str, float] | None = None) -> None:
        if losses:
            self.bar.set_postfix({k: f"{v:.2f}" for k, v in sorted(losses.items())},
                                 refresh=False)
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()
