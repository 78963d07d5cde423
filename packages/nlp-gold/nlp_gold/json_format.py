"""The JSON training format of the seed: documents -> paragraphs -> raw text + sentences -> tokens.

```
[{"id": 0, "paragraphs": [{"raw": "...", "cats": [{"label": "X", "value": 1.0}],
  "sentences": [{"tokens": [{"id": 0, "orth": "I", "tag": "PRP", "pos": "PRON", "morph": "...",
                             "lemma": "I", "head": 1, "dep": "nsubj", "ner": "O"}], "brackets": []}]}]}]
```
`head` is relative (the head's index minus the token's), `ner` a BILUO tag ("-" for unknown).
A paragraph may add `"multiword_tokens": [[first, last, "al"], ...]` (token ids, inclusive; our
addition, as CoNLL-U's range lines): its tokens are then the word forms ("a" "el"), `raw` the real
text, and the annotation dict gets the ranges (see nlp_gold.multiword).
A file holds one JSON array of documents (read one document at a time, never whole) or one
document per line (JSONL). Each paragraph reads into one annotation dict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .alignment import _spaces_from_text
from .biluo import MISSING, tags_to_entities
from .checks import check_cats, is_int
from .errors import BiluoError, CorpusError, GoldError
from .multiword import checked_ranges, token_forms, word_spaces
from .nonproj import find_cycle
from .paths import open_text

CHUNK = 1 << 16
_decoder = json.JSONDecoder()


def json_problem(err: Exception) -> str:
    """What is wrong with a JSON text that failed to decode, in a few words."""
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} (column {err.colno})"
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return str(err).split(";")[0]


def iter_json_array(file: IO[str], path: Any = None) -> Iterator[tuple[Any, int]]:
    """Yield `(value, line)` for each element of a top-level JSON array (or each JSON value of a
    JSON-lines file), holding at most one element and a read chunk in memory."""
    buf = ""
    pos = 0
    line = 1  # line number at buf[pos]
    eof = False
    in_array = None

    def fill() -> bool:
        nonlocal buf, pos, eof
        chunk = file.read(CHUNK)
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    while True:
        while True:  # skip whitespace and separators
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not fill():
                break
        if pos >= len(buf):
            if in_array:
                raise CorpusError(path, line, "unexpected end of file: the JSON array is not closed")
            return
        if in_array is None:
            in_array = buf[pos] == "["
            if in_array:
                pos += 1
                continue
        if in_array and buf[pos] == "]":
            return
        while True:
            try:
                value, end = _decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as err:
                if not eof and fill():
                    continue
                err_line = line + buf.count("\n", pos, err.pos)
                raise CorpusError(path, err_line, f"invalid JSON: {err.msg}") from None
            except (RecursionError, ValueError) as err:
                raise CorpusError(path, line, f"invalid JSON: {json_problem(err)}") from None
            if end == len(buf) and not eof and buf[pos] not in "{[\"":
                if fill():  # a number might continue in the next chunk
                    continue
            break
        yield value, line
        line += buf.count("\n", pos, end)
        pos = end


#: Token values that must be strings when given.
_STRING_KEYS = ("tag", "pos", "morph", "lemma", "dep", "ner")
_LIST_KEYS = ("words", "tags", "pos", "morphs", "lemmas", "heads", "deps", "ner", "sent_starts")


def _token_head(tok: Any, k: int, n: int, path: Any, line: int, where: str) -> int | None:
    """The relative head of token `k` of a sentence of `n` tokens, after checking the token's types."""
    if not isinstance(tok, dict) or not isinstance(tok.get("orth"), str) or not tok["orth"]:
        raise CorpusError(path, line, f"token {k} of {where} has no 'orth' string")
    name = f"token {k} ({tok['orth']!r}) of {where}"
    for key in _STRING_KEYS:
        value = tok.get(key)
        if value is not None and not isinstance(value, str):
            raise CorpusError(path, line, f"{name}: '{key}' {value!r} is not a string")
    head = tok.get("head")
    if head is not None and not is_int(head):
        raise CorpusError(path, line, f"{name}: head {head!r} is not an integer")
    if head is not None and not 0 <= k + head < n:
        raise CorpusError(path, line, f"{name}: head {head!r} is out of its sentence")
    return head


def _add_sentence(out: dict, sent: Any, path: Any, line: int, where: str) -> None:
    """Append the tokens of one sentence to the per-word lists of `out`, checked."""
    tokens = sent.get("tokens", []) if isinstance(sent, dict) else None
    if not isinstance(tokens, list):
        raise CorpusError(path, line, f"{where} must be an object with a 'tokens' list")
    offset = len(out["words"])
    for k, tok in enumerate(tokens):
        head = _token_head(tok, k, len(tokens), path, line, where)
        dep = tok.get("dep")
        out["words"].append(tok["orth"])
        for key, name in (("tags", "tag"), ("pos", "pos"), ("morphs", "morph"), ("lemmas", "lemma")):
            out[key].append(tok.get(name) or None)
        out["heads"].append(None if head is None else offset + k + head)
        out["deps"].append(None if head is None or dep in (None, "", "-") else dep)
        out["ner"].append(tok.get("ner"))
        out["sent_starts"].append(k == 0)
    local = [None if h is None else h - offset for h in out["heads"][offset:]]
    cycle = find_cycle(local)
    if cycle is not None:
        raise CorpusError(path, line, f"the heads of {where} contain a cycle through tokens {cycle}")


def _paragraph_cats(cats: Any, path: Any, line: int, where: str) -> dict[str, float]:
    """The `{label: score}` of a paragraph's `[{"label", "value"}]` list, checked."""
    pairs = []
    for entry in cats if isinstance(cats, list) else [cats]:
        if not isinstance(entry, dict) or "label" not in entry or "value" not in entry:
            raise CorpusError(path, line, f"'cats' of {where} must be a list of {{\"label\": ..., \"value\": ...}} "
                                          f"objects, found {entry!r}")
        pairs.append((entry["label"], entry["value"]))  # pairs: an unhashable label gets check_cats' error
    return check_cats(pairs, path, line)


def paragraph_to_annotations(para: Any, path: Any, line: int, where: str = "paragraph 0") -> dict:
    """One annotation dict from a paragraph of the JSON training format; `where` names the
    paragraph in error messages, which give the line of its document."""
    if not isinstance(para, dict) or not isinstance(para.get("sentences", []), list):
        raise CorpusError(path, line, f"{where} must be an object with a 'sentences' list")
    raw = para.get("raw")
    if raw is not None and not isinstance(raw, str):
        raise CorpusError(path, line, f"'raw' of {where} is {raw!r}, not a string")
    out: dict = {key: [] for key in _LIST_KEYS}
    for s, sent in enumerate(para.get("sentences", [])):
        _add_sentence(out, sent, path, line, f"{where}, sentence {s}")
    ner = out.pop("ner")
    ranges = _paragraph_ranges(para.get("multiword_tokens"), len(out["words"]), path, line, where)
    if ranges:
        out["multiword_tokens"] = ranges
        out["spaces"] = word_spaces(out["words"], ranges, _spaces_from_text(token_forms(out["words"], ranges), raw))
    else:
        out["spaces"] = _spaces_from_text(out["words"], raw)
    out["line"] = line
    if any(tag is not None for tag in ner):
        ner = [tag or MISSING for tag in ner]
        try:
            tags_to_entities(ner)
        except BiluoError as err:
            raise CorpusError(path, line, f"{where}: NER {err}") from None
        out["entities"] = ner
    if raw:
        out["text"] = raw
    if para.get("cats"):
        out["cats"] = _paragraph_cats(para["cats"], path, line, where)
    return out


def _paragraph_ranges(items: Any, n_words: int, path: Any, line: int, where: str) -> list[tuple[int, int, str]]:
    """The checked `multiword_tokens` of a paragraph ([] without them)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise CorpusError(path, line, f"'multiword_tokens' of {where} must be a list of [first, last, surface] ranges")
    try:
        return checked_ranges(items, n_words, where)
    except GoldError as err:
        raise CorpusError(path, line, str(err)) from None


def read_json_file(file: IO[str], path: Any = None) -> Iterator[dict]:
    """Yield one annotation dict per paragraph of an open JSON-training-format file."""
    for doc, line in iter_json_array(file, path):
        if not isinstance(doc, dict) or not isinstance(doc.get("paragraphs"), list):
            raise CorpusError(path, line, "a document must be an object with a 'paragraphs' list")
        for p, para in enumerate(doc["paragraphs"]):
            yield paragraph_to_annotations(para, path, line, f"paragraph {p}")


def read_json(path: str | Path) -> Iterator[dict]:
    """Yield one annotation dict per paragraph of a JSON-training-format file, streaming."""
    with open_text(path) as file:
        yield from read_json_file(file, path)


def docs_to_json(docs: Iterable[Any] | Any, doc_id: int = 0) -> dict:
    """One document of the JSON training format from Doc objects (one paragraph per Doc).

    Unknown values are left out of a token (tag, pos, morph, lemma) or written as "-" (ner).
    A Doc's multiword tokens are written as the paragraph's `multiword_tokens`, its tokens as
    their word forms.
    """
    if not isinstance(docs, (list, tuple)):
        docs = [docs]
    paragraphs = []
    for doc in docs:
        para: dict = {"raw": doc.text, "sentences": []}
        if doc.cats:
            para["cats"] = [{"label": k, "value": v} for k, v in doc.cats.items()]
        spans = doc.multiword_tokens
        if spans:
            para["multiword_tokens"] = [[span.start, span.end - 1, span.text] for span in spans]
        has_parse = doc.has_annotation("DEP")
        has_ner = doc.has_annotation("ENT_IOB")
        for sent in _sentences(doc):
            tokens = []
            for tok in sent:
                entry: dict = {"id": tok.i, "orth": tok.form_ if spans else tok.text}
                for key, value in (("tag", tok.tag_), ("pos", tok.pos_), ("morph", tok.morph_), ("lemma", tok.lemma_)):
                    if value:
                        entry[key] = value
                if has_parse:
                    entry["head"] = tok.head.i - tok.i
                    entry["dep"] = tok.dep_ or "-"
                if has_ner:
                    iob = tok.ent_iob_
                    if not iob:
                        entry["ner"] = MISSING
                    elif iob == "O":
                        entry["ner"] = "O"
                    else:
                        entry["ner"] = _biluo_of(tok, iob)
                tokens.append(entry)
            para["sentences"].append({"tokens": tokens, "brackets": []})
        paragraphs.append(para)
    return {"id": doc_id, "paragraphs": paragraphs}


def _sentences(doc: Any) -> list:
    if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
        return list(doc.sents)
    return [doc[0 : len(doc)]]


def _biluo_of(tok: Any, iob: str) -> str:
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    continues = nxt is not None and nxt.ent_iob_ == "I"
    label = tok.ent_type_
    if iob == "B":
        return ("B-" if continues else "U-") + label
    return ("I-" if continues else "L-") + label


def write_json(docs: Iterable[dict], file: IO[str]) -> int:
    """Write JSON-training-format documents (from `docs_to_json`) as one JSON array, one per line."""
    file.write("[")
    count = 0
    for doc in docs:
        file.write(",\n" if count else "\n")
        file.write(json.dumps(doc, ensure_ascii=False))
        count += 1
    file.write("\n]\n")
    return count
