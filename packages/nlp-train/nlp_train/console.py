"""Where the training loop writes: one-line messages (wasabi's Printer), the per-epoch table and
the progress bar, all to one stream, or nowhere when quiet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from wasabi import Printer

from .table import Column, ProgressBar, Table, is_terminal


class Console:
    """The loop's output on ``stream`` (None: quiet). Messages get wasabi's icons and colours
    on a terminal only, so a log file or a pipe reads as plain lines."""

    def __init__(self, stream: IO[str] | None) -> None:
        self.stream = stream
        self.printer = Printer(pretty=is_terminal(stream), no_print=True)

    def info(self, message: str) -> None:
        """A note on what the loop is doing (recovering, resuming)."""
        self._write(self.printer.info(message))

    def good(self, message: str) -> None:
        """A result (the best epoch)."""
        self._write(self.printer.good(message))

    def table(self, columns: Sequence[Column]) -> Table:
        """The per-epoch table on this console's stream."""
        return Table(columns, self.stream)

    def progress(self, total: int, enabled: bool | None) -> ProgressBar:
        """A progress bar over ``total`` examples (on a terminal, or as ``enabled`` says)."""
        return ProgressBar(total, self.stream, enabled)

    def _write(self, text: str | None) -> None:
        if self.stream is not None and text is not None:
            self.stream.write(text + "\n")
            self.stream.flush()
