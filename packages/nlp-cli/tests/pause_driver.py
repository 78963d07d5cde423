"""Run `nlp ARGS...`, but stop for good before the N-th pipeline update of the process.

    PAUSE_AT_UPDATE=N PAUSE_MARKER=FILE python pause_driver.py train ...

Before update N it writes FILE and sleeps: a known point (mid-epoch, after some checkpoint) at
which a test kills the process with SIGKILL. Without PAUSE_AT_UPDATE it is `nlp` itself.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nlp_models
from nlp_cli.__main__ import main


def pause_before_update(n: int, marker: Path) -> None:
    """Make the `n`-th call of Language.update write `marker` and then sleep."""
    original = nlp_models.Language.update
    calls = 0

    def update(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == n:
            marker.write_text(f"{n}\n", encoding="utf8")
            time.sleep(600)
        return original(self, *args, **kwargs)

    nlp_models.Language.update = update


if __name__ == "__main__":
    if os.environ.get("PAUSE_AT_UPDATE"):
        pause_before_update(int(os.environ["PAUSE_AT_UPDATE"]), Path(os.environ["PAUSE_MARKER"]))
    main(sys.argv[1:])
