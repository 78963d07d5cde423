"""Column formats for NER: CoNLL-2003-style columns and one-sentence-per-line `word|POS|TAG`.

Both read into the plain annotation dicts of this package: `words`, `spaces`, optional `tags`
(POS) and `entities` as BILUO tags. IOB1 and IOB2 both read right (an `I-X` that does not continue
an X entity starts one). `-DOCSTART-` lines mark document boundaries: the first sentence after
one gets `doc_start: True`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from .biluo import biluo_to_iob, iob2_to_iob1, iob_to_biluo, tags_to_entities
from .errors import BiluoError, CorpusError, _line_of
from .paths import open_text

TAG_RE = re.compile(r"^(O|[BILUE]-\S+|-)$")
DOCSTART = "-DOCSTART-"
SNIFF_TOKENS = 2000


def _is_tag(value: str) -> bool:
    return TAG_RE.match(value) is not None


def _is_entity_tag(value: str) -> bool:
    """A tag that names an entity (B-X, I-X, ...), not just O or unknown."""
    return value not in ("O", "-") and _is_tag(value)


def find_ner_column(rows: Sequence[list[str]], lines: Sequence[int] | None = None, path: Any = None) -> int:
    """Index of the NER column: the last one when every value is an IOB/BILUO tag, or -1 when no
    column holds entity tags (a file without entities).

    The NER column is never guessed: when the last column is not all tags but holds some, or an
    earlier column (such as CoNLL-2003's chunks) holds them, a CorpusError names the line of the
    first value that is not a tag (`lines` gives each row's line).
    """
    if not rows or len(rows[0]) < 2:
        return -1
    last = len(rows[0]) - 1
    bad = next((k for k, r in enumerate(rows) if not _is_tag(r[last])), None)
    if bad is None:
        return last
    line = lines[bad] if lines else None
    value = rows[bad][last]
    earlier = [c for c in range(1, last) if all(_is_tag(r[c]) for r in rows) and any(_is_entity_tag(r[c]) for r in rows)]
    if earlier:
        raise CorpusError(path, line, f"column {last + 1}, the last, must hold the NER tags but has {value!r}, not an "
                                      f"IOB/BILUO tag (column {earlier[-1] + 1} holds IOB tags, such as chunks; it is "
                                      "not read as NER)")
    if any(_is_entity_tag(r[last]) for r in rows):
        raise CorpusError(path, line, f"invalid NER tag {value!r} in column {last + 1}")
    return -1


def _sentence(rows: list[list[str]], lines: list[int], ner_col: int, path: Any, doc_start: bool) -> dict:
    words = [r[0] for r in rows]
    out: dict = {"words": words, "spaces": [True] * len(words)}
    if ner_col >= 2 or (ner_col == -1 and len(rows[0]) >= 2):
        out["tags"] = [r[1] for r in rows]
    if ner_col > 0:
        iob = []
        for r, line in zip(rows, lines):
            tag = r[ner_col]
            if not _is_tag(tag):
                raise CorpusError(path, line, f"invalid NER tag {tag!r} in column {ner_col + 1}")
            iob.append(tag)
        try:
            if any(t[:2] in ("L-", "U-") for t in iob):
                tags_to_entities(iob)
                iob = biluo_to_iob(iob)
            out["entities"] = iob_to_biluo(iob)
        except BiluoError as err:
            raise CorpusError(path, _line_of(lines, err.position, lines[0]), str(err)) from None
    out["sent_starts"] = [i == 0 for i in range(len(words))]
    out["doc_start"] = doc_start
    out["line"] = lines[0]
    return out


def read_columns_file(file: IO[str], path: Any = None, ner_column: int | None = None) -> Iterator[dict]:
    """Yield one annotation dict per sentence of an open column file (blank lines between sentences).

    The NER column is found from the first tokens unless `ner_column` (0-based) is given; the
    sentences read while sniffing are held back until it is known.
    """
    ner_col = ner_column
    width = None
    sniffed: list[list[str]] = []
    sniffed_lines: list[int] = []
    held: list[tuple[list[list[str]], list[int], bool]] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    doc_start = False

    def sentences_ready() -> Iterator[dict]:
        for r, ls, ds in held:
            yield _sentence(r, ls, ner_col, path, ds)
        held.clear()

    for lineno, line in enumerate(file, 1):
        cols = line.split()
        if not cols:
            if rows:
                held.append((rows, lines, doc_start))
                doc_start = False
                rows, lines = [], []
                if ner_col is None and len(sniffed) >= SNIFF_TOKENS:
                    ner_col = find_ner_column(sniffed, sniffed_lines, path)
                if ner_col is not None:
                    yield from sentences_ready()
            continue
        if cols[0] == DOCSTART:
            if rows:
                raise CorpusError(path, lineno, f"{DOCSTART} inside a sentence (a blank line must come before it)")
            doc_start = True
            continue
        if width is None:
            width = len(cols)
            if ner_column is not None and not 0 < ner_column < width:
                raise CorpusError(path, lineno, f"there is no NER column {ner_column + 1}: the lines have {width} columns")
        elif len(cols) != width:
            raise CorpusError(path, lineno, f"expected {width} columns like the lines before, found {len(cols)}")
        rows.append(cols)
        lines.append(lineno)
        if ner_col is None:
            sniffed.append(cols)
            sniffed_lines.append(lineno)
    if rows:
        held.append((rows, lines, doc_start))
    if ner_col is None:
        ner_col = find_ner_column(sniffed, sniffed_lines, path)
    yield from sentences_ready()


def read_columns(path: str | Path, ner_column: int | None = None) -> Iterator[dict]:
    """Yield one annotation dict per sentence of a CoNLL-2003-style column file, streaming."""
    with open_text(path) as file:
        yield from read_columns_file(file, path, ner_column)


def write_columns(
    sentences: Iterable[dict], file: IO[str], scheme: str = "iob2", docstart: bool = True
) -> int:
    """Write annotation dicts as space-separated columns `word [POS] NER`; returns the sentence count.

    `scheme` is "iob2", "iob1" or "biluo". A `-DOCSTART-` line precedes sentences with `doc_start`.
    """
    if scheme not in ("iob2", "iob1", "biluo"):
        raise ValueError(f"unknown tag scheme {scheme!r}: use 'iob2', 'iob1' or 'biluo'")
    count = 0
    for annot in sentences:
        words = annot["words"]
        tags = annot.get("tags")
        ents = annot.get("entities")
        if ents is None:
            ents = ["O"] * len(words)
        if scheme == "iob2":
            ents = biluo_to_iob(ents)
        elif scheme == "iob1":
            ents = iob2_to_iob1(biluo_to_iob(ents))
        width = 2 if tags is None else 3
        if docstart and annot.get("doc_start"):
            file.write(" ".join([DOCSTART] + ["-X-"] * (width - 2) + ["O"]) + "\n\n")
        for k, word in enumerate(words):
            row = [word] if tags is None else [word, tags[k] or "-"]
            row.append(ents[k] or "-")
            file.write(" ".join(row) + "\n")
        file.write("\n")
        count += 1
    return count


def read_word_tag_lines_file(file: IO[str], path: Any = None) -> Iterator[dict]:
    """Yield one annotation dict per line of `word|POS|TAG` (or `word|TAG`) tokens separated by spaces."""
    for lineno, line in enumerate(file, 1):
        tokens = line.split()
        if not tokens:
            continue
        parts = [t.rsplit("|", 2) for t in tokens]
        width = len(parts[0])
        for k, p in enumerate(parts):
            if len(p) != width or width < 2:
                raise CorpusError(path, lineno, f"token {k + 1} {tokens[k]!r} should be word|POS|TAG or word|TAG like the first")
            if not p[0]:
                raise CorpusError(path, lineno, f"token {k + 1} {tokens[k]!r} has an empty word")
            if not _is_tag(p[-1]):
                raise CorpusError(path, lineno, f"token {k + 1} {tokens[k]!r} has an invalid NER tag {p[-1]!r}")
        iob = [p[-1] for p in parts]
        try:
            if any(t[:2] in ("L-", "U-") for t in iob):
                tags_to_entities(iob)
                iob = biluo_to_iob(iob)
            ents = iob_to_biluo(iob)
        except BiluoError as err:
            raise CorpusError(path, lineno, str(err)) from None
        out = {"words": [p[0] for p in parts], "spaces": [True] * len(parts), "entities": ents}
        if width == 3:
            out["tags"] = [p[1] for p in parts]
        out["sent_starts"] = [i == 0 for i in range(len(parts))]
        out["line"] = lineno
        yield out


def read_word_tag_lines(path: str | Path) -> Iterator[dict]:
    """Yield one annotation dict per line of a `word|POS|TAG` file, streaming."""
    with open_text(path) as file:
        yield from read_word_tag_lines_file(file, path)
