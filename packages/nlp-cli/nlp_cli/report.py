"""`nlp report`: rebuild OUTPUT_DIR/report.html, the page `nlp train` writes, from
OUTPUT_DIR/training-log.jsonl: dev score curves per component, losses, and the per-label and
confusion tables of the best epoch. The same log gives the same file."""

from __future__ import annotations

from pathlib import Path

import plac

from ._errors import fail, require_file


@plac.annotations(
    output_dir=("Training output folder (the one given to `nlp train`, holding training-log.jsonl)",
                "positional", None, str),
)
def report(output_dir: str) -> int:
    """Rebuild OUTPUT_DIR/report.html from OUTPUT_DIR/training-log.jsonl."""
    from nlp_train import write_report  # imported here: `nlp --help` need not load thinc
    from nlp_train.report import LOG_NAME

    folder = Path(output_dir)
    if not folder.is_dir():
        fail(f"training output folder not found: {folder}")
    require_file(folder / LOG_NAME, "training log")
    print(f"✔ Saved {write_report(folder)}")
    return 0
