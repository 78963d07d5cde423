"""Moving annotation between plain dicts (the readers' output, the simple training style) and Docs.

The dict keys are those of the seed's simple training style plus the tokenization: `words`,
`spaces`, `tags`, `pos`, `morphs`, `lemmas`, `heads` (absolute indices, a root's head is itself),
`deps`, `entities` (BILUO tags or `(start_char, end_char, label)` offsets), `cats`, `sent_starts`.
`None` or "-" means unknown (for lemmas only `None` or "": "-" is the lemma of "-"). Readers add bookkeeping keys (`text`, `sent_id`, `line`, ...).
`multiword_tokens` ((first word, last word, surface form) ranges, as CoNLL-U's) makes the words
of each range one token of the Doc (see `nlp_gold.multiword`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy

from .biluo import MISSING, biluo_tags_from_offsets, tags_to_entities
from .checks import class_score
from .errors import BiluoError, GoldError
from .multiword import annotation_words, doc_ranges
from .nonproj import check_heads

ANNOT_ATTRS = ("TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "SENT_START")
STRING_KEYS = (("tags", 0), ("pos", 1), ("morphs", 2), ("lemmas", 3))
PER_WORD_KEYS = ("spaces", "tags", "pos", "morphs", "lemmas", "heads", "deps", "sent_starts")
ANNOTATION_KEYS = frozenset(("words", "entities", "cats", "multiword_tokens") + PER_WORD_KEYS)
META_KEYS = frozenset(("text", "sent_id", "line", "n_words", "doc_start", "path", "newdoc", "newpar"))
IOB_CODES = {"B": 3, "U": 3, "I": 1, "L": 1, "O": 2}


def _unknown(value: Any) -> bool:
    return value is None or value == MISSING or value == ""


def _unknown_lemma(value: Any) -> bool:
    """A lemma is unknown when None or empty: "-" is the lemma of the word "-" (UD writes it)."""
    return value is None or value == ""


def token_offsets_from_words(words: Sequence[str], spaces: Sequence[bool]) -> list[tuple[int, int]]:
    """Character (start, end) of each word in the text the words and spaces spell."""
    out = []
    pos = 0
    for word, space in zip(words, spaces):
        out.append((pos, pos + len(word)))
        pos += len(word) + (1 if space else 0)
    return out


def validate_annotations(annot: dict, n_words: int, where: str) -> None:
    """Raise GoldError naming `where` for unknown keys, lengths that disagree or invalid heads."""
    unknown = set(annot) - ANNOTATION_KEYS - META_KEYS
    if unknown:
        raise GoldError(f"{where}: unknown annotation keys {sorted(unknown)}; expected some of {sorted(ANNOTATION_KEYS)}")
    for key in PER_WORD_KEYS:
        values = annot.get(key)
        if values is not None and len(values) != n_words:
            raise GoldError(f"{where}: '{key}' has {len(values)} values for {n_words} words")
    heads = annot.get("heads")
    if heads is not None:
        clean = []
        for i, h in enumerate(heads):
            if _unknown(h):
                clean.append(None)
            elif isinstance(h, (int, numpy.integer)) and not isinstance(h, bool):
                clean.append(int(h))
            else:
                raise GoldError(f"{where}: head {h!r} of word {i} is not an integer")
        check_heads(clean, where)
    ents = annot.get("entities")
    if ents is not None and len(ents) and isinstance(ents[0], str) and len(ents) != n_words:
        raise GoldError(f"{where}: 'entities' has {len(ents)} BILUO tags for {n_words} words")
    cats = annot.get("cats")
    if cats is not None and not isinstance(cats, dict):
        raise GoldError(f"{where}: 'cats' must be a dict of label -> number, got {type(cats).__name__}")
    for label, value in (cats or {}).items():
        score = class_score(value)
        if score is None:
            raise GoldError(f"{where}: cats[{label!r}] = {value!r} is not a number (give a float, int or bool)")
        if not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise GoldError(f"{where}: cats[{label!r}] = {value!r} is not in [0, 1]")


def entity_tags(annot: dict, words: Sequence[str], spaces: Sequence[bool], where: str) -> list[str] | None:
    """BILUO tags (with "-" for unknown) from `entities` given as tags or character offsets."""
    ents = annot.get("entities")
    if ents is None:
        return None
    if len(ents) and all(isinstance(e, str) or e is None for e in ents):
        tags = [MISSING if e is None else e for e in ents]
        try:
            tags_to_entities(tags, where=where)
        except BiluoError as err:
            raise GoldError(str(err)) from None
        return tags
    return biluo_tags_from_offsets(token_offsets_from_words(words, spaces), ents, missing="O", where=where)


def annotations_to_array(strings: Any, annot: dict, words: Sequence[str], spaces: Sequence[bool], where: str) -> numpy.ndarray:
    """The ANNOT_ATTRS array of a Doc with `words` carrying the annotation dict `annot`."""
    n = len(words)
    arr = numpy.zeros((n, len(ANNOT_ATTRS)), dtype=numpy.uint64)
    cache: dict[str, int] = {}

    def intern(value: Any) -> int:
        key = cache.get(value)
        if key is None:
            key = cache[value] = strings.add(value)
        return key

    for key, col in STRING_KEYS:
        values = annot.get(key)
        if values is not None:
            unknown = _unknown_lemma if key == "lemmas" else _unknown
            arr[:, col] = [0 if unknown(v) else intern(v) for v in values]
    heads = annot.get("heads")
    deps = annot.get("deps")
    rel = numpy.zeros(n, dtype=numpy.int64)
    dep_ids = numpy.zeros(n, dtype=numpy.uint64)
    if deps is not None:
        dep_ids[:] = [0 if _unknown(d) else intern(d) for d in deps]
    if heads is not None:
        for i, h in enumerate(heads):
            if not _unknown(h):
                rel[i] = int(h) - i
    if heads is None:
        dep_ids[:] = 0
    else:
        for i, h in enumerate(heads):
            if _unknown(h):
                dep_ids[i] = 0
    arr[:, 4] = rel.view(numpy.uint64)
    arr[:, 5] = dep_ids
    tags = entity_tags(annot, words, spaces, where)
    if tags is not None:
        for i, tag in enumerate(tags):
            if tag != MISSING:
                arr[i, 6] = IOB_CODES[tag[0]]
                if tag != "O":
                    arr[i, 7] = intern(tag[2:])
    starts = annot.get("sent_starts")
    if starts is not None:
        col = numpy.zeros(n, dtype=numpy.int64)
        for i, s in enumerate(starts):
            col[i] = 0 if s is None or s == MISSING else (1 if s and s != -1 else -1)
        arr[:, 8] = col.view(numpy.uint64)
    return arr


def doc_from_annotations(vocab: Any, annot: dict, where: str = "annotation") -> Any:
    """A Doc of `annot["words"]`/`annot["spaces"]` carrying the dict's annotation (validated)."""
    from nlp_vocab import Doc

    words = annot["words"]
    spaces = annot.get("spaces")
    if spaces is None:
        spaces = [True] * len(words)
    validate_annotations(annot, len(words), where)
    doc = Doc(vocab, words=list(words), spaces=[bool(s) for s in spaces], multiword_tokens=doc_ranges(annot, where))
    if len(words):
        doc.from_array(list(ANNOT_ATTRS), annotations_to_array(vocab.strings, annot, words, spaces, where))
    if annot.get("cats"):
        doc.cats = {str(k): class_score(v) for k, v in annot["cats"].items()}
    return doc


def doc_to_annotations(doc: Any) -> dict:
    """The annotation dict of a Doc: per-token values with None for unknown, BILUO entities with
    "-" for unknown, heads absolute (None when unknown), sent_starts True/False/None; the words
    are the word forms, with `multiword_tokens` when the Doc has some (nlp_gold.multiword)."""
    n = len(doc)
    strings = doc.vocab.strings
    arr = doc.to_array(list(ANNOT_ATTRS)) if n else numpy.zeros((0, len(ANNOT_ATTRS)), dtype=numpy.uint64)
    cache: dict[int, str | None] = {0: None}

    def text(key: int) -> str | None:
        value = cache.get(key, False)
        if value is False:
            value = cache[key] = strings[key]
        return value

    words, spaces, ranges = annotation_words(doc)
    out: dict = {"words": words, "spaces": spaces}
    if ranges:
        out["multiword_tokens"] = ranges
    for key, col in STRING_KEYS:
        out[key] = [text(int(v)) for v in arr[:, col]]
    rel = arr[:, 4].view(numpy.int64)
    dep_ids = arr[:, 5]
    heads: list[int | None] = []
    deps: list[str | None] = []
    for i in range(n):
        r = int(rel[i])
        d = int(dep_ids[i])
        if r == 0 and d == 0:
            heads.append(None)
        else:
            heads.append(i + r)
        deps.append(text(d))
    out["heads"] = heads
    out["deps"] = deps
    iob = arr[:, 6]
    types = arr[:, 7]
    ents: list[str] = []
    for i in range(n):
        code = int(iob[i])
        if code == 0:
            ents.append(MISSING)
        elif code == 2 or types[i] == 0:
            ents.append("O")
        else:
            label = text(int(types[i]))
            cont = i + 1 < n and int(iob[i + 1]) == 1 and types[i + 1] == types[i]
            if code == 3 or i == 0 or ents[i - 1] in ("O", MISSING) or ents[i - 1][0] in "LU":
                ents.append(("B-" if cont else "U-") + label)
            else:
                ents.append(("I-" if cont else "L-") + label)
    out["entities"] = ents
    ss = arr[:, 8].view(numpy.int64)
    out["sent_starts"] = [None if s == 0 else bool(s == 1) for s in ss.tolist()]
    out["cats"] = dict(doc.cats)
    return out


def sentence_starts(annot: dict) -> list[bool] | None:
    """Sentence starts from `sent_starts` if any are known, else from a complete parse, else None.

    From a parse: a sentence boundary falls where no arc crosses between two words.
    """
    starts = annot.get("sent_starts")
    n = len(annot["words"])
    if starts is not None and any(s is not None for s in starts):
        return [i == 0 or bool(s) for i, s in enumerate(starts)]
    heads = annot.get("heads")
    if heads is None or n == 0 or any(h is None for h in heads):
        return None
    cover = [0] * (n + 1)
    for i, h in enumerate(heads):
        lo, hi = min(i, h), max(i, h)
        if hi > lo:
            cover[lo + 1] += 1
            cover[hi + 1] -= 1
    out = []
    running = 0
    for i in range(n):
        running += cover[i]
        out.append(i == 0 or running == 0)
    return out
