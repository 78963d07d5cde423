"""CoNLL-U reading and writing, streaming one sentence at a time.

A sentence is read into the plain "annotation dict" every reader here produces: `words`, `spaces`
and per-word `tags` (XPOS, or UPOS where XPOS is `_`, as spaCy v2's converter did: UD_Spanish-AnCora
has no XPOS), `pos` (UPOS), `morphs`, `lemmas`, `heads` (absolute, 0-based, a root's head is
itself), `deps`, optionally `entities` (BILUO, from `NER=` in MISC), and `text`/`sent_id` (and
`newdoc`/`newpar`, see MARKERS) from the comments. Multiword tokens are expanded into their syntactic words, which carry the annotation, as
v2 did; the range line gives the spacing. Words that spell the surface form stay joined ("can't" =
"ca" + "n't"); words that do not ("al" = "a" + "el") are spaced apart, and the sentence's `text` is
then rebuilt from the words so that text and words agree. Empty nodes (ids like 8.1) are skipped.
With `multiword_tokens=True` each dict also holds `multiword_tokens`: the range lines as
(first word, last word, surface form), 0-based and inclusive, which raw-text scoring needs and
from which a gold Doc holds the real text (nlp_gold.multiword; training reads them).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .biluo import iob_to_biluo, tags_to_entities
from .errors import BiluoError, CorpusError, CorpusWarning, _line_of
from .multiword import token_spans
from .nonproj import find_cycle
from .paths import open_text

EMPTY_FEATS = "_"
#: Comments marking where a document or a paragraph starts: a sentence after `# newdoc id = X`
#: gets `newdoc: "X"` ("" without an id), likewise `newpar`.
MARKERS = ("newdoc", "newpar")


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _field(value: str) -> str | None:
    return None if value == "_" else value


def _misc(value: str) -> dict[str, str]:
    if value == "_":
        return {}
    out = {}
    for item in value.split("|"):
        key, _, val = item.partition("=")
        out[key] = val
    return out


class _Sentence:
    __slots__ = ("comments", "rows", "lines", "mwts", "first_line")

    def __init__(self, first_line: int):
        self.comments: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.mwts: list[tuple[int, int, list[str], int]] = []
        self.first_line = first_line


def _finish(sent: _Sentence, path: Any, multiword_tokens: bool = False) -> dict:
    n = len(sent.rows)
    words = [r[1] for r in sent.rows]
    spaces = [_misc(r[9]).get("SpaceAfter") != "No" for r in sent.rows]
    heads: list[int | None] = []
    for k, row in enumerate(sent.rows):
        raw = row[6]
        if raw == "_":
            heads.append(None)
            continue
        try:
            h = int(raw)
        except ValueError:
            raise CorpusError(path, sent.lines[k], f"HEAD {raw!r} is not an integer") from None
        if not 0 <= h <= n:
            raise CorpusError(path, sent.lines[k], f"HEAD {h} is out of range (0..{n}) for a sentence of {n} words")
        heads.append(k if h == 0 else h - 1)
    _warn_several_roots(sent, heads, path)
    cycle = find_cycle(heads)
    if cycle is not None:
        ids = [int(sent.rows[i][0]) for i in cycle]
        raise CorpusError(path, sent.lines[cycle[0]], f"the HEAD column contains a cycle through words {ids}")
    _check_mwt_ranges(sent, path)
    spaces, respelled = _mwt_spaces(sent, words, spaces)
    has_ner = False
    ner = []
    for row in sent.rows:
        tag = _misc(row[9]).get("NER")
        if tag is not None:
            has_ner = True
        ner.append(tag or "O")
    out = {
        "words": words,
        "spaces": spaces,
        "tags": [_field(r[4]) or _field(r[3]) for r in sent.rows],
        "pos": [_field(r[3]) for r in sent.rows],
        "morphs": [EMPTY_FEATS if r[5] == "_" else r[5] for r in sent.rows],
        "lemmas": [r[2] if r[2] != "_" or r[1] == "_" else None for r in sent.rows],
        "heads": heads,
        "deps": [_field(r[7]) for r in sent.rows],
        "sent_starts": [k == 0 for k in range(n)],
    }
    if has_ner:
        try:
            if any(t[:2] in ("L-", "U-") for t in ner):
                tags_to_entities(ner)
                out["entities"] = ner
            else:
                out["entities"] = iob_to_biluo(ner)
        except BiluoError as err:
            raise CorpusError(path, _line_of(sent.lines, err.position, sent.first_line), f"NER {err}") from None
    if respelled:
        out["text"] = sentence_text(out)
    elif "text" in sent.comments:
        out["text"] = sent.comments["text"]
    if "sent_id" in sent.comments:
        out["sent_id"] = sent.comments["sent_id"]
    for marker in MARKERS:
        if f"{marker} id" in sent.comments:
            out[marker] = sent.comments[f"{marker} id"]
    out["n_words"] = n
    out["line"] = sent.first_line
    if multiword_tokens:
        out["multiword_tokens"] = [(start, end, cols[1]) for start, end, cols, _ in sorted(sent.mwts, key=lambda m: m[:2])]
    return out


def _warn_several_roots(sent: _Sentence, heads: list[int | None], path: Any) -> None:
    """Warn (naming the second root's line) when a sentence has more than one word with HEAD 0:
    UD allows one root; the tree is still read as it is."""
    roots = [k for k, h in enumerate(heads) if h == k]
    if len(roots) > 1:
        ids = ", ".join(str(k + 1) for k in roots)
        warnings.warn(f"{path or '<input>'}:{sent.lines[roots[1]]}: the sentence has {len(roots)} roots (words {ids} "
                      "have HEAD 0) where UD allows one; read as it is", CorpusWarning, stacklevel=2)


def _check_mwt_ranges(sent: _Sentence, path: Any) -> None:
    """A CorpusError for a multiword token range outside the sentence's words or overlapping another."""
    n = len(sent.rows)
    prev = None
    for start, end, cols, line in sorted(sent.mwts, key=lambda mwt: mwt[:2]):
        if start < 0 or end >= n or start > end:
            raise CorpusError(path, line, f"multiword token range {cols[0]} does not match the sentence's words")
        if prev is not None and start <= prev[1]:
            raise CorpusError(path, line, f"multiword token ranges {prev[2][0]} and {cols[0]} overlap")
        if not cols[1]:
            raise CorpusError(path, line, f"multiword token {cols[0]} has an empty FORM")
        prev = (start, end, cols)


def _mwt_spaces(sent: _Sentence, words: list[str], spaces: list[bool]) -> tuple[list[bool], bool]:
    """The words' spacing once multiword tokens are expanded, and whether any token's words do not
    spell its surface form (the sentence's text then no longer matches its words).

    Words that spell the surface form are joined; others keep a space between them. The range
    line's `SpaceAfter` applies to the last word.
    """
    spaces = list(spaces)
    respelled = False
    for start, end, cols, _ in sent.mwts:
        joined = "".join(words[start : end + 1]) == cols[1]
        respelled = respelled or not joined
        for k in range(start, end):
            spaces[k] = not joined
        spaces[end] = _misc(cols[9]).get("SpaceAfter") != "No"
    spaces[-1] = False  # a sentence's text ends at its last word; Docs of several add spaces
    return spaces, respelled


def read_conllu_file(file: IO[str], path: Any = None, multiword_tokens: bool = False) -> Iterator[dict]:
    """Yield one annotation dict per sentence of an open CoNLL-U file (see the module docstring)."""
    sent: _Sentence | None = None
    lineno = 0
    for lineno, line in enumerate(file, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            if sent is not None and sent.rows:
                yield _finish(sent, path, multiword_tokens)
            elif sent is not None and (sent.mwts or sent.comments) and not sent.rows:
                raise CorpusError(path, sent.first_line, "sentence without words")
            sent = None
            continue
        if sent is None:
            sent = _Sentence(lineno)
        if line.startswith("#"):
            key, eq, value = line[1:].partition("=")
            if eq:
                sent.comments[key.strip()] = value.strip()
            elif key.strip() in MARKERS:  # "# newdoc" without an id
                sent.comments[f"{key.strip()} id"] = ""
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise CorpusError(path, lineno, f"expected 10 tab-separated columns, found {len(cols)}")
        ident = cols[0]
        if "." in ident:  # empty node of the enhanced graph
            continue
        if "-" in ident:
            a, _, b = ident.partition("-")
            if not (_is_number(a) and _is_number(b)):
                raise CorpusError(path, lineno, f"invalid multiword token id {ident!r}")
            sent.mwts.append((int(a) - 1, int(b) - 1, cols, lineno))
            continue
        if not _is_number(ident) or int(ident) != len(sent.rows) + 1:
            raise CorpusError(path, lineno, f"word id {ident!r} out of sequence (expected {len(sent.rows) + 1})")
        if not cols[1]:
            raise CorpusError(path, lineno, f"word {ident} has an empty FORM")
        sent.rows.append(cols)
        sent.lines.append(lineno)
    if sent is not None and sent.rows:
        yield _finish(sent, path, multiword_tokens)


def read_conllu(path: str | Path, multiword_tokens: bool = False) -> Iterator[dict]:
    """Yield one annotation dict per sentence of a CoNLL-U file, reading it line by line
    (`multiword_tokens`: also keep the range lines, see the module docstring)."""
    with open_text(path) as file:
        yield from read_conllu_file(file, path, multiword_tokens)


def sentence_text(annot: dict) -> str:
    """The surface text of an annotation dict (words joined by their spacing, trailing space dropped)."""
    parts = []
    for word, space in zip(annot["words"], annot["spaces"]):
        parts.append(word)
        if space:
            parts.append(" ")
    return "".join(parts).rstrip(" ")


def sentence_tokens(annot: dict) -> Iterator[tuple[int, int, str, bool]]:
    """(first word, last word, surface form, space after) of each token of a sentence: a range of
    `multiword_tokens` is one token with its own form; every other word is a token alone."""
    spaces = annot["spaces"]
    for first, last, form in token_spans(annot["words"], annot.get("multiword_tokens") or ()):
        yield first, last, form, bool(spaces[last])


def _squeezed(text: str) -> str:
    return "".join(text.split())


def raw_text(annot: dict) -> str:
    """The raw text of a sentence: its `text` where that spells its tokens (whitespace aside),
    else its tokens joined by their spacing, a multiword token's surface form in place of its
    words ("al", where the reader's `text` says "a el")."""
    built = "".join(form + (" " if space else "") for _, _, form, space in sentence_tokens(annot)).rstrip(" ")
    text = annot.get("text")
    return text if text and _squeezed(text) == _squeezed(built) else built


def _col(annot: dict, key: str, k: int) -> str:
    values = annot.get(key)
    value = None if values is None else values[k]
    return "_" if value is None or value == "" else str(value)


def _comments(annot: dict) -> list[str]:
    """The comment lines of a sentence: the document and paragraph markers, its id, its text."""
    lines = []
    for marker in MARKERS:
        if marker in annot:
            name = annot[marker]
            lines.append(f"# {marker} id = {name}" if name else f"# {marker}")
    if annot.get("sent_id"):
        lines.append(f"# sent_id = {annot['sent_id']}")
    lines.append(f"# text = {raw_text(annot)}")
    return lines


def _word_row(annot: dict, k: int, space_after: bool) -> str:
    """The line of word `k`; `space_after`: False writes SpaceAfter=No."""
    heads = annot.get("heads")
    h = None if heads is None else heads[k]
    head = "_" if h is None else ("0" if h == k else str(h + 1))
    misc = []
    if annot.get("entities") is not None and annot["entities"][k] not in ("O", "-", None):
        misc.append(f"NER={annot['entities'][k]}")
    if not space_after:
        misc.append("SpaceAfter=No")
    row = [str(k + 1), annot["words"][k], _col(annot, "lemmas", k), _col(annot, "pos", k), _col(annot, "tags", k),
           _col(annot, "morphs", k), head, _col(annot, "deps", k), "_", "|".join(misc) or "_"]
    return "\t".join(row)


def sentence_lines(annot: dict) -> list[str]:
    """The CoNLL-U lines of one sentence (without the blank line that ends it)."""
    lines = _comments(annot)
    last_word = len(annot["words"]) - 1
    for first, last, form, space in sentence_tokens(annot):
        space = space or last == last_word  # the reader ends every sentence without a space
        if last > first:
            lines.append("\t".join([f"{first + 1}-{last + 1}", form] + ["_"] * 7 + ["_" if space else "SpaceAfter=No"]))
        for k in range(first, last + 1):
            lines.append(_word_row(annot, k, space or last > first))  # a token's words have no spacing of their own
    return lines


def write_conllu(sentences: Iterable[dict], file: IO[str]) -> int:
    """Write annotation dicts (one per sentence, as `read_conllu` yields) as CoNLL-U; returns the count.

    Every column is written: ID, FORM, LEMMA, UPOS (`pos`), XPOS (`tags`), FEATS (`morphs`),
    HEAD, DEPREL, DEPS ("_") and MISC (`SpaceAfter=No`, BILUO entities as `NER=`); an unknown or
    empty value is "_". A range of `multiword_tokens` gets its line (its surface form and the
    spacing) before its words; `newdoc`/`newpar`, `sent_id` and the text go to the comments.
    `read_conllu(..., multiword_tokens=True)` reads back the dicts written.
    """
    count = 0
    for annot in sentences:
        file.write("\n".join(sentence_lines(annot)) + "\n\n")
        count += 1
    return count
