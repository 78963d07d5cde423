"""The libraries' INFO log lines, shown by the `nlp` command as "ℹ message" on stdout.

nlp_train logs (logger "nlp_train") a setting taken from a spaCy v2 environment variable, e.g.
"learn_rate=0.002 (from SPACY_learn_rate)": the user should see which value training uses.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: The loggers whose INFO lines a command shows.
SHOWN = ("nlp_train",)


class _InfoLine(logging.Handler):
    """Prints a record as one "ℹ" line on the current sys.stdout (so redirection works)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"ℹ {' '.join(self.format(record).split())}", file=sys.stdout, flush=True)


@contextmanager
def info_lines() -> Iterator[None]:
    """Show the INFO lines of the `SHOWN` loggers for the block; restore them after."""
    handler = _InfoLine(logging.INFO)
    saved = []
    for name in SHOWN:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
