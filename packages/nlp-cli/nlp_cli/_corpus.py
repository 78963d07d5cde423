"""Reading training and evaluation data for the commands: every format `convert` reads or writes,
one file or a folder of files.

Formats (the `-c` names of `nlp convert`): `conllu`; `ner` (CoNLL-2003 / IOB columns); `iob`
(`word|POS|TAG` tokens, a sentence a line); `jsonl` (`{"text", "entities"/"cats"/"label"}`, or
JSON-training-format documents a line); `json` (the JSON training format); `docbin` (`.nlpdocs`,
nlp_vocab's DocBin). `auto` picks by extension and content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nlp_gold import detect_format, read_annotations
from nlp_gold.corpus import group_sentences

from ._errors import fail, require_path

#: `-c` name -> nlp_gold reader format.
CONVERTERS = {"conllu": "conllu", "ner": "columns", "iob": "word_tag", "jsonl": "jsonl", "json": "json", "docbin": "docbin"}
DOCBIN_SUFFIX = ".nlpdocs"


def file_format(path: Path, converter: str = "auto") -> str:
    """The nlp_gold format name of one file for the `-c` choice `converter`."""
    if converter != "auto":
        if converter not in CONVERTERS:
            fail(f"unknown converter {converter!r}: use one of auto, {', '.join(CONVERTERS)}")
        return CONVERTERS[converter]
    if path.suffix == DOCBIN_SUFFIX:
        return "docbin"
    return detect_format(path)


def _docbin_annotations(path: Path) -> Iterator[dict]:
    from nlp_gold import doc_to_annotations
    from nlp_gold.checks import check_cats
    from nlp_vocab import DocBin, Vocab

    docs = DocBin().from_disk(path)
    for i, doc in enumerate(docs.get_docs(Vocab())):
        annot = doc_to_annotations(doc)
        if annot["cats"]:  # the text readers' checks, so debug-data and train agree on every format
            annot["cats"] = check_cats(annot["cats"], path, i + 1)
        else:
            del annot["cats"]
        if all(h is None for h in annot["heads"]):
            annot["heads"] = annot["deps"] = None
        if all(s is None for s in annot["sent_starts"]):
            annot["sent_starts"] = None
        annot["line"] = i + 1
        yield annot


def read_file(path: Path, fmt: str, labels: list[str] | None = None) -> Iterator[dict]:
    """Annotation dicts (one per sentence or record) of one file in nlp_gold format `fmt`;
    `labels`: every text class, for classification JSONL (a class a record omits gets 0.0)."""
    if fmt == "docbin":
        return _docbin_annotations(path)
    return read_annotations(path, fmt, labels)


def class_labels(files: list[tuple[Path, str]]) -> list[str] | None:
    """Every text class named in the classification JSONL files (None if there are none)."""
    from nlp_gold.jsonl import jsonl_labels

    labels: set[str] = set()
    for file, fmt in files:
        if fmt == "jsonl":
            labels.update(jsonl_labels(file))
    return sorted(labels) or None


def files_of(path: str | Path, what: str) -> list[Path]:
    """The data files at `path` (the file, or the non-hidden files below a folder)."""
    path = require_path(path, what)
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(path).parts))
    if not files:
        fail(f"{what} folder holds no files: {path}")
    return files


def iter_annotations(path: str | Path, what: str, converter: str = "auto", n_sents: int = 1) -> Iterator[tuple[dict, str]]:
    """(annotation dict, "file:line") of every file at `path`, `n_sents` sentences merged into one
    document (never across a `-DOCSTART-`); a UserError when nothing is read."""
    count = 0
    files = []
    for file in files_of(path, what):
        if file.stat().st_size == 0:
            fail(f"{what} is empty: {file}")
        files.append((file, file_format(file, converter)))
    labels = class_labels(files)
    for file, fmt in files:
        for annot in group_sentences(read_file(file, fmt, labels), n_sents):
            yield annot, f"{file}:{annot.get('line', '?')}"
            count += 1
    if count == 0:
        fail(f"{what} holds no sentences or records: {path}")


def load_examples(path: str | Path, vocab: Any, make_doc: Callable[[str], Any], what: str,
                  n_sents: int = 1, limit: int = 0) -> list:
    """Examples of every record at `path`: the predicted Doc has the gold words where the data
    gives words, and `make_doc(text)` for text-only records (JSONL)."""
    from nlp_gold import Example

    out = []
    for annot, where in iter_annotations(path, what, n_sents=n_sents):
        if limit and len(out) >= limit:
            break
        if annot.get("heads") is None:
            annot.pop("heads", None)
            annot.pop("deps", None)
        if annot.get("sent_starts") is None:
            annot.pop("sent_starts", None)
        out.append(Example.from_annotations(vocab, annot, make_doc if "words" not in annot else None, where=where))
    return out
