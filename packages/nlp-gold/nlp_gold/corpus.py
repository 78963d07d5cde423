"""Corpus: Examples streamed lazily from a file or a folder of files in any supported format.

Formats: CoNLL-U (.conllu), CoNLL-2003-style columns, `word|POS|TAG` lines, classification/NER
JSONL and the JSON training format (.json, or JSONL of such documents). The format comes from the
extension or, for .txt/.iob and the like, from the first lines.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .biluo import MISSING
from .columns import read_columns, read_word_tag_lines
from .conllu import read_conllu
from .example import Example
from .json_format import read_json
from .jsonl import read_jsonl
from .multiword import shifted_ranges
from .paths import open_text, walk_files

FORMATS = ("conllu", "columns", "word_tag", "jsonl", "json")
_LIST_KEYS = ("tags", "pos", "morphs", "lemmas", "deps")


def detect_format(path: str | Path) -> str:
    """The corpus format of one file, from its extension or its first non-blank lines."""
    path = Path(path)
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in ("conllu", "conll"):
        return "conllu"
    if ext == "json":
        return "json"
    with open_text(path) as file:
        lines = []
        for line in file:
            if line.strip():
                lines.append(line.rstrip("\n"))
            if len(lines) >= 5:
                break
    if not lines:
        return "columns"
    first = lines[0].lstrip()
    if first.startswith("{") or first.startswith("["):
        try:
            record = json.loads(lines[0])
        except (ValueError, RecursionError):  # not one JSON line (or nested past Python's limit)
            return "json"
        return "json" if isinstance(record, dict) and "paragraphs" in record else "jsonl"
    if ext == "jsonl":
        return "jsonl"
    body = [ln for ln in lines if not ln.startswith("#")]
    if body and all(len(ln.split("\t")) == 10 for ln in body):
        return "conllu"
    if all(len(ln.split()) > 1 and all("|" in tok for tok in ln.split()) for ln in lines):
        return "word_tag"
    return "columns"


def read_annotations(path: str | Path, format: str | None = None, labels: Sequence[str] | None = None,
                     multiword_tokens: bool = False) -> Iterator[dict]:
    """Annotation dicts from one file, streaming, in its (given or detected) format;
    `multiword_tokens` concerns CoNLL-U only: keep its range lines (for training: see
    nlp_gold.multiword); the JSON format's ranges, written by `nlp convert`, are always kept."""
    fmt = format or detect_format(path)
    if fmt == "conllu":
        return read_conllu(path, multiword_tokens)
    if fmt == "columns":
        return read_columns(path)
    if fmt == "word_tag":
        return read_word_tag_lines(path)
    if fmt == "jsonl":
        return read_jsonl(path, labels)
    if fmt == "json":
        return read_json(path)
    raise ValueError(f"unknown corpus format {fmt!r}; use one of {FORMATS}")


def merge_annotations(group: list[dict]) -> dict:
    """One annotation dict for several sentences (one Doc of N sentences): words concatenated,
    heads shifted, sentence starts kept, missing values filled as unknown."""
    if len(group) == 1:
        return group[0]
    out: dict = {"words": [], "spaces": [], "heads": [], "sent_starts": []}
    lists: dict[str, list] = {key: [] for key in _LIST_KEYS if any(key in a for a in group)}
    has_ents = any(a.get("entities") is not None for a in group)
    ents: list[str] = []
    for a in group:
        n = len(a["words"])
        offset = len(out["words"])
        out["words"].extend(a["words"])
        spaces = list(a.get("spaces") or [True] * n)
        if spaces:
            spaces[-1] = True
        out["spaces"].extend(spaces)
        heads = a.get("heads") or [None] * n
        out["heads"].extend(None if h is None else h + offset for h in heads)
        starts = a.get("sent_starts") or [None] * n
        out["sent_starts"].extend(starts)
        if n:
            out["sent_starts"][offset] = True
        for key, values in lists.items():
            values.extend(a.get(key) or [None] * n)
        if has_ents:
            ents.extend(a.get("entities") or [MISSING] * n)
    if group[-1].get("spaces"):
        out["spaces"][-1] = bool(group[-1]["spaces"][-1])
    out.update(lists)
    if has_ents:
        out["entities"] = ents
    if any("text" in a for a in group):
        out["text"] = " ".join(a.get("text", "") for a in group)
    ranges = shifted_ranges(group)
    if ranges is not None:
        out["multiword_tokens"] = ranges
    for key in ("line", "cats"):
        if key in group[0]:
            out[key] = group[0][key]
    return out


def group_sentences(annotations: Iterable[dict], n_sents: int) -> Iterator[dict]:
    """One merged annotation dict per `n_sents` consecutive sentences, never across a
    `-DOCSTART-`; a record without words (a text of JSONL) is a document alone."""
    group: list[dict] = []
    for annot in annotations:
        if group and (len(group) >= n_sents or annot.get("doc_start") or "words" not in annot or "words" not in group[0]):
            yield merge_annotations(group)
            group = []
        group.append(annot)
    if group:
        yield merge_annotations(group)


class Corpus:
    """Examples from a file or a folder of files, produced lazily.

    `n_sents` sentences make one Doc (not across `-DOCSTART-` boundaries); `shuffle` reorders with
    `seed` (plus the epoch given to the call) over a buffer of `shuffle_buffer` items (0: all,
    held as light annotation dicts); `limit` stops after that many Examples (0: no limit).
    `make_doc` tokenizes raw text for the predicted side; without it the predicted Doc has the
    gold words. `labels` lists the classes of `{"text", "label"}` JSONL. CoNLL-U's multiword
    tokens are kept (see nlp_gold.multiword).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        n_sents: int = 1,
        shuffle: bool = False,
        seed: int = 0,
        limit: int = 0,
        shuffle_buffer: int = 0,
        labels: Sequence[str] | None = None,
        make_doc: Callable[[str], Any] | None = None,
    ):
        if n_sents < 1:
            raise ValueError(f"n_sents must be at least 1, got {n_sents}")
        self.path = Path(path)
        self.files = list(walk_files(self.path))
        self.format = format
        self.n_sents = n_sents
        self.shuffle = shuffle
        self.seed = seed
        self.limit = limit
        self.shuffle_buffer = shuffle_buffer
        self.labels = labels
        self.make_doc = make_doc

    def _grouped(self) -> Iterator[tuple[dict, str]]:
        for path in self.files:
            for annot in group_sentences(read_annotations(path, self.format, self.labels, True), self.n_sents):
                yield annot, f"{path}:{annot.get('line', '?')}"

    def annotations(self, epoch: int = 0) -> Iterator[tuple[dict, str]]:
        """(annotation dict, "file:line") pairs, grouped, shuffled and limited as configured."""
        items = self._grouped()
        if self.shuffle:
            items = _shuffled(items, random.Random(self.seed + epoch), self.shuffle_buffer)
        for count, item in enumerate(items):
            if self.limit and count >= self.limit:
                return
            yield item

    def __call__(self, vocab: Any, epoch: int = 0) -> Iterator[Example]:
        """Yield Examples built with `vocab`; `epoch` varies the shuffle."""
        for annot, where in self.annotations(epoch):
            yield Example.from_annotations(vocab, annot, self.make_doc, where=where)

    def __iter__(self) -> Iterator[dict]:
        for annot, _ in self.annotations():
            yield annot


def _shuffled(items: Iterator, rng: random.Random, buffer: int) -> Iterator:
    if buffer <= 0:
        pool = list(items)
        rng.shuffle(pool)
        yield from pool
        return
    pool = []
    for item in items:
        if len(pool) < buffer:
            pool.append(item)
            continue
        k = rng.randrange(buffer)
        yield pool[k]
        pool[k] = item
    rng.shuffle(pool)
    yield from pool
