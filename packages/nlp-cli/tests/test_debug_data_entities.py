"""`nlp debug-data` reads entities given as BILUO/IOB tags (CoNLL columns): it counts each label
and names the spans that start or end with punctuation. Run in-process through `main`."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_cli.__main__ import main

# word NER per line; sentences separated by a blank line (IOB2, read as BILUO).
TRAIN = """\
Anna B-PER
lives O
in O
New B-LOC
York I-LOC
. O

( B-ORG
Acme I-ORG
met O
Bo B-PER
Li I-PER
, O
Paris B-LOC
. I-LOC

Mo B-PER
! B-MISC
and O
Jo B-PER
"""

DEV = """\
Anna B-PER
saw O
Paris B-LOC
. O
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf8")
    return path


def _debug_data(capsys, tmp_path: Path) -> str:
    train = _write(tmp_path / "train.iob", TRAIN)
    dev = _write(tmp_path / "dev.iob", DEV)
    with pytest.raises(SystemExit):
        main(["debug-data", "en", str(train), str(dev), "-p", "ner"])
    return capsys.readouterr().out


def test_entities_from_tags_are_counted_per_label(capsys, tmp_path):
    out = _debug_data(capsys, tmp_path)
    assert "ner: 4 entity labels in train: PER (4), LOC (2), ORG (1), MISC (1)" in out


def test_multiword_entities_with_punctuation_at_an_edge_are_named(capsys, tmp_path):
    out = _debug_data(capsys, tmp_path)
    assert "⚠ ner: 2 train entity spans with punctuation at an edge" in out
    assert "'( Acme' (ORG)" in out and "'Paris .' (LOC)" in out
    assert "'!' (MISC)" not in out  # a one-word entity is never flagged for its edges
    assert "dev entity spans with punctuation" not in out
