"""Error and warning types of nlp-gold.

Every error says where the problem is (file and line, or example index) and what is wrong, so a bad
line in a million-line corpus can be found and fixed without a debugger.
"""

from __future__ import annotations

from pathlib import Path


class GoldError(ValueError):
    """Invalid gold annotation (overlapping entities, bad heads, a cycle, lengths that disagree)."""


class AlignmentError(ValueError):
    """The predicted and the gold text differ (whitespace ignored), so they cannot be aligned."""


class BiluoError(ValueError):
    """An invalid BILUO or IOB tag sequence; the message names the position, and `position` holds
    it (the token index), so a reader can turn it into the line of the bad tag."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


class CorpusError(ValueError):
    """A malformed line in a corpus file; the message names the file and the line number."""

    def __init__(self, path: str | Path | None, line: int | None, message: str):
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        where = f"{self.path or '<input>'}"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {message}")


def _line_of(lines: list[int], position: int | None, default: int) -> int:
    """The file line of token `position` of a sentence whose tokens sit on `lines`."""
    if position is not None and 0 <= position < len(lines):
        return lines[position]
    return default


class CorpusWarning(UserWarning):
    """A corpus line that reads but looks wrong (e.g. a sentence with several roots); the message
    names the file and the line."""


class MisalignedEntityWarning(UserWarning):
    """An entity's character offsets do not fall on token boundaries; its tokens become missing."""
