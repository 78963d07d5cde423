"""The records `nlp apply` writes, one per input text, each a whole string ending in a newline
(what a restart cuts at).

JSONL: one object a line, the input's other fields first (a JSONL input's "id", "meta", ...;
"line" for plain text; "file" for a folder), then "text", "tokens" (text, start and end character
offsets, and tag, pos, morph, lemma, head (a token index), dep where the pipeline set them),
"sents" ([first, end) token ranges, where the pipeline set sentence boundaries), "ents" (where a
component recognizes entities: start and end character offsets, label, and "score", the entity's
confidence in [0, 1], where the recognizer gives one, as crf_ner does) and "cats" (where a
component classifies the text).

CoNLL-U: the text's sentences with every column (nlp_gold.doc_conllu: multiword-token ranges,
`# text`), the first opened by `# newdoc id = ID` (a JSONL input's "id", else its line number, or
a folder file's name) and each named `# sent_id = ID-N`. A text of whitespace only has no sentence
and writes nothing (JSONL keeps it).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from ._apply_input import Item

OUTPUT_FORMATS = ("jsonl", "conllu")
#: (key in the JSONL token, key of nlp_gold's annotation dict) of the per-token columns.
TOKEN_COLUMNS = (("tag", "tags"), ("pos", "pos"), ("morph", "morphs"), ("lemma", "lemmas"),
                 ("head", "heads"), ("dep", "deps"))

Renderer = Callable[[Item, Any], str]


def format_of_suffix(suffix: str) -> str | None:
    """The output format an OUTPUT suffix names (".jsonl", ".conllu"), None for another."""
    fmt = suffix.lower().lstrip(".")
    return fmt if fmt in OUTPUT_FORMATS else None


def renderer(fmt: str, nlp: Any) -> Renderer:
    """The function (item, doc) -> record of output format `fmt` for docs of `nlp`."""
    if fmt == "jsonl":
        return jsonl_record
    from nlp_gold.doc_conllu import fused_forms

    fused = fused_forms(nlp.tokenizer.exceptions)
    return lambda item, doc: conllu_record(item, doc, fused)


def jsonl_record(item: Item, doc: Any) -> str:
    """The JSONL line of an input item and its annotated Doc."""
    from nlp_gold.docdata import doc_to_annotations
    from nlp_vocab import entity_scores

    annot = doc_to_annotations(doc)
    record = dict(item.fields)
    record["text"] = item.text
    offsets, text = [(t.idx, t.idx + len(t)) for t in doc], doc.text  # a multiword token's words are pieces of it
    record["tokens"] = [_token(annot, k, start, end, text) for k, (start, end) in enumerate(offsets)]
    if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
        record["sents"] = [[sent.start, sent.end] for sent in doc.sents]
    if doc.has_annotation("ENT_IOB"):
        scores = entity_scores(doc)  # once per doc: Span.score reads the whole table each time
        record["ents"] = [_entity(ent, scores) for ent in doc.ents]
    if doc.cats:
        record["cats"] = {label: float(score) for label, score in doc.cats.items()}
    return json.dumps(record, ensure_ascii=False) + "\n"


def _entity(ent: Any, scores: dict) -> dict:
    """An entity's JSONL object: character offsets, label, and its confidence ("score", in
    [0, 1]) where the recognizer gives one (`scores`: the doc's `entity_scores`)."""
    out = {"start": ent.start_char, "end": ent.end_char, "label": ent.label_}
    score = scores.get((ent.start, ent.end, out["label"]))
    if score is not None:
        out["score"] = round(float(score), 6)
    return out


def _token(annot: dict, k: int, start: int, end: int, text: str) -> dict:
    """Token `k`'s JSONL object: its text, offsets, its word form where that differs ("el" for the
    "l" of "al" = "a" + "el") and the columns it has a value for."""
    token: dict = {"text": text[start:end], "start": start, "end": end}
    if annot["words"][k] != token["text"]:
        token["form"] = annot["words"][k]
    for key, column in TOKEN_COLUMNS:
        value = annot[column][k]
        if value is not None and value != "":
            token[key] = value
    return token


def conllu_record(item: Item, doc: Any, fused: Any = frozenset()) -> str:
    """The CoNLL-U sentences of an input item's annotated Doc ("" when it has none)."""
    from nlp_gold.conllu import write_conllu
    from nlp_gold.doc_conllu import doc_sentences

    sentences = doc_sentences(doc, fused)
    doc_id = " ".join(item.doc_id.split())
    for n, sent in enumerate(sentences, 1):
        sent["sent_id"] = f"{doc_id}-{n}"
    if sentences:
        sentences[0]["newdoc"] = doc_id
    buffer = io.StringIO()
    write_conllu(sentences, buffer)
    return buffer.getvalue()
