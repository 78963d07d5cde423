"""`nlp convert`: corpora in CoNLL-U, CoNLL-2003/IOB columns, `word|POS|TAG` lines or JSONL to the
JSON training format, JSONL (a JSON-training-format document a line) or a DocBin file."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import plac

from ._corpus import DOCBIN_SUFFIX, class_labels, file_format, read_file
from ._errors import fail, require_file
from ._models import require_language
from .segment import model_sent_starts, rule_sent_starts

FILE_TYPES = {"json": ".json", "jsonl": ".jsonl", "docbin": DOCBIN_SUFFIX}
CONVERTER_CHOICES = ("auto", "conllu", "iob", "ner", "jsonl", "json")


class ConvertStats:
    """What a conversion wrote: counts of documents, sentences, words and entities."""

    def __init__(self) -> None:
        self.docs = self.sents = self.words = self.ents = 0

    def add(self, annot: dict) -> None:
        self.docs += 1
        words = annot["words"]
        self.words += len(words)
        starts = annot.get("sent_starts")
        self.sents += sum(1 for i, s in enumerate(starts) if s or i == 0) if starts else 1
        ents = annot.get("entities") or []
        if ents and isinstance(ents[0], str):
            self.ents += sum(1 for t in ents if t[:2] in ("B-", "U-"))
        else:
            self.ents += len(ents)


def _has_parse(annot: dict) -> bool:
    heads = annot.get("heads")
    return bool(heads) and any(h is not None for h in heads)


def _tokenize(annot: dict, tokenizer: Any) -> dict:
    doc = tokenizer(annot["text"])
    out = dict(annot)
    out["words"] = doc.words
    out["spaces"] = doc.spaces
    out["sent_starts"] = [i == 0 for i in range(len(doc))]
    return out


def prepare(annots: Iterator[dict], *, n_sents: int, seg_sents: bool, morphology: bool,
            tokenizer: Any, segmenter: Any) -> Iterator[dict]:
    """Tokenize text records, segment sentences (-s), append morphology to tags (-m) and group
    `n_sents` sentences per document (-n), never across a `-DOCSTART-`."""
    from nlp_gold.corpus import group_sentences

    def prepared() -> Iterator[dict]:
        for annot in annots:
            if "words" not in annot:
                annot = _tokenize(annot, tokenizer)
            if seg_sents and annot["words"] and not _has_parse(annot):
                annot["sent_starts"] = segmenter(annot["words"], annot.get("spaces") or [True] * len(annot["words"]))
            if morphology and annot.get("tags") and annot.get("morphs"):
                annot["tags"] = [
                    t if t is None or m in (None, "", "_") else f"{t}__{m}" for t, m in zip(annot["tags"], annot["morphs"])
                ]
            yield annot

    return group_sentences(prepared(), n_sents)


def _docs(annots: Iterator[dict], vocab: Any, stats: ConvertStats, source: Path) -> Iterator[Any]:
    from nlp_gold import doc_from_annotations

    for annot in annots:
        stats.add(annot)
        where = f"{source}:{annot.get('line', '?')}"
        yield doc_from_annotations(vocab, {k: v for k, v in annot.items() if k != "text"}, where)


def write_docs(docs: Iterator[Any], file_type: str, output: IO[str] | Path,
               check: Callable[[], None] | None = None) -> None:
    """Write Docs as the JSON training format (one array), JSONL of its documents, or a DocBin.
    A file is written atomically (a temporary file, flushed, then renamed into place): a full
    disk, a bad record part-way or a `check` that raises once everything is written leaves no
    truncated output, and an older file as it was."""
    if not isinstance(output, Path):
        _write_stream(docs, file_type, output)
        if check is not None:
            check()
        return
    from nlp_train.storage import atomic_write_file

    def write(tmp: Path) -> None:
        _write_file(docs, file_type, tmp)
        if check is not None:
            check()

    atomic_write_file(output, write)


def _write_file(docs: Iterator[Any], file_type: str, path: Path) -> None:
    if file_type == "docbin":
        from nlp_vocab import DocBin

        docbin = DocBin()
        for doc in docs:
            docbin.add(doc)
        docbin.to_disk(path)
        return
    with open(path, "w", encoding="utf8") as stream:
        _write_stream(docs, file_type, stream)


def _write_stream(docs: Iterator[Any], file_type: str, stream: IO[str]) -> None:
    from nlp_gold import docs_to_json, write_json

    if file_type == "json":
        write_json((docs_to_json(doc, i) for i, doc in enumerate(docs)), stream)
    else:
        for i, doc in enumerate(docs):
            stream.write(json.dumps(docs_to_json(doc, i), ensure_ascii=False) + "\n")


@plac.annotations(
    input_file=("Input file (CoNLL-U, CoNLL-2003/IOB columns, word|POS|TAG lines, JSONL)", "positional", None, str),
    output_dir=("Output folder ('-' writes json/jsonl to stdout)", "positional", None, str),
    converter=("Input format: auto, conllu, iob (word|POS|TAG), ner (columns), jsonl, json", "option", "c", str, CONVERTER_CHOICES),
    n_sents=("Sentences per output document", "option", "n", int),
    seg_sents=("Segment sentences (with -b MODEL, or a punctuation rule) where the input has none", "flag", "s"),
    lang=("Language code, for tokenizing JSONL text", "option", "l", str),
    morphology=("Append the morphology to the tags (TAG__Feats)", "flag", "m"),
    file_type=("Output type: json, jsonl, docbin", "option", "t", str, tuple(FILE_TYPES)),
    model=("Model folder used by -s to segment sentences", "option", "b", str),
)
def convert(input_file: str, output_dir: str, converter: str = "auto", n_sents: int = 1, seg_sents: bool = False,
            lang: str | None = None, morphology: bool = False, file_type: str = "json", model: str | None = None) -> int:
    """Convert a corpus to the JSON training format, JSONL or the binary DocBin format."""
    from nlp_vocab import Tokenizer, Vocab

    source = require_file(input_file)
    if n_sents < 1:
        fail(f"-n/--n-sents must be at least 1, got {n_sents}")
    fmt = file_format(source, converter)
    to_stdout = output_dir == "-"
    if to_stdout and file_type == "docbin":
        fail("-t docbin needs an output folder, not '-'")
    vocab = Vocab(require_language(lang or "xx"))
    tokenizer = Tokenizer.for_language(vocab)
    if seg_sents and model:
        from ._models import load_model

        nlp = load_model(model)
        segmenter = lambda words, spaces: model_sent_starts(nlp, words, spaces)  # noqa: E731
    else:
        segmenter = lambda words, spaces: rule_sent_starts(words)  # noqa: E731
    stats = ConvertStats()
    records = read_file(source, fmt, class_labels([(source, fmt)]))
    annots = prepare(records, n_sents=n_sents, seg_sents=seg_sents, morphology=morphology, tokenizer=tokenizer,
                     segmenter=segmenter)
    docs = _docs(annots, vocab, stats, source)

    def require_docs() -> None:  # before the rename: an empty input never replaces an output
        if stats.docs == 0:
            fail(f"no sentences or records found in {source}")

    if to_stdout:
        write_docs(docs, file_type, sys.stdout, require_docs)
        target = "stdout"
    else:
        out_dir = Path(output_dir)
        if out_dir.exists() and not out_dir.is_dir():
            fail(f"output folder is a file: {out_dir}")
        out_dir.mkdir(parents=True, exist_ok=True)
        name = source.name[:-3] if source.name.endswith(".gz") else source.name
        out_path = out_dir / (Path(name).stem + FILE_TYPES[file_type])
        if out_path.resolve() == source.resolve():
            fail(f"output file would overwrite the input: {out_path}")
        try:
            write_docs(docs, file_type, out_path, require_docs)
        except OSError as err:
            if not _is_output(err.filename, out_path):  # the input's error: the reader names it
                raise
            fail(f"cannot write {out_path}: {err.strerror or err} (nothing was written)")
        target = str(out_path)
    print(f"✔ Converted {stats.sents} sentences ({stats.words} words, {stats.ents} entities) "
          f"in {stats.docs} documents -> {target}", file=sys.stderr if to_stdout else sys.stdout)
    return 0


def _is_output(filename: Any, out_path: Path) -> bool:
    """Whether an OSError's filename is the output or its temporary file (None: a write
    failure with no name, such as a full disk, which is the output's too)."""
    if filename is None:
        return True
    name = Path(str(filename)).name
    return name == out_path.name or name.startswith(f".{out_path.name}.tmp-")
