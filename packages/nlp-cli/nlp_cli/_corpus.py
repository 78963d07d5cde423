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
    """Annotation dicts (one per sentence or record) of one file in nlp_gold format `fmt`, with
    CoNLL-U's multiword token ranges (training, evaluation and conversion all keep them);
    `labels`: every text class, for classification JSONL (a class a record omits gets 0.0)."""
    if fmt == "docbin":
        return _docbin_annotations(path)
    return read_annotations(path, fmt, labels, multiword_tokens=True)


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


#: The data files of a corpus with their formats, and the text classes of its classification JSONL.
CorpusFiles = tuple[list[tuple[Path, str]], list[str] | None]


def corpus_files(path: str | Path, what: str, converter: str = "auto") -> CorpusFiles:
    """The files at `path` with their nlp_gold formats, and every text class their classification
    JSONL names (a UserError for an empty file)."""
    files = []
    for file in files_of(path, what):
        if file.stat().st_size == 0:
            fail(f"{what} is empty: {file}")
        files.append((file, file_format(file, converter)))
    return files, class_labels(files)


def iter_annotations(path: str | Path, what: str, converter: str = "auto", n_sents: int = 1,
                     found: CorpusFiles | None = None) -> Iterator[tuple[dict, str]]:
    """(annotation dict, "file:line") of every file at `path` (`found`: its `corpus_files`, when
    known), `n_sents` sentences merged into one document (never across a `-DOCSTART-`); a
    UserError when nothing is read."""
    count = 0
    files, labels = corpus_files(path, what, converter) if found is None else found
    for file, fmt in files:
        for annot in group_sentences(read_file(file, fmt, labels), n_sents):
            yield annot, f"{file}:{annot.get('line', '?')}"
            count += 1
    if count == 0:
        fail(f"{what} holds no sentences or records: {path}")


def raw_text_mode(annots: list[dict], what: str) -> bool:
    """Whether to score on our tokenizer's tokens of the raw text: yes when every record with
    words has its text (CoNLL-U `# text`, the JSON format's `raw`); says so once when not."""
    worded = [a for a in annots if "words" in a]
    missing = sum(1 for a in worded if not a.get("text"))
    if missing:
        some = "" if missing == len(worded) else f"{missing} of {len(worded)} examples have "
        print(f"ℹ {what}: {some}no raw text: scoring on the gold words (Token % is 100)")
    return not missing


def describe_tokenization(examples: list, what: str, unspelled: int = 0) -> None:
    """One line on how our tokenizer's tokens compare with the gold words: Token % and the gold
    entities they cannot align with, which the NER scores leave out (the guide's note);
    `unspelled`: how many records' text did not spell their words (tokenized from the words)."""
    from nlp_gold import Scorer

    scores = Scorer().score(examples)
    if scores["token_acc"] is None:
        return
    excluded = scores["ents_excluded"]
    notes = [f"Token % {scores['token_acc']:.2f}"]
    if excluded:
        notes.append(f"{excluded} gold entit{'y' if excluded == 1 else 'ies'} off our token boundaries, "
                     "left out of the NER scores")
    if unspelled:
        notes.append(f"{unspelled} texts that do not spell their words tokenized from the words")
    print(f"ℹ {what}: our tokenizer runs on the raw text and is scored against the gold words "
          f"({'; '.join(notes)}); -G/--gold-words uses the gold words")


def load_examples(path: str | Path, vocab: Any, make_doc: Callable[[str], Any], what: str,
                  n_sents: int = 1, limit: int = 0, raw_text: bool = False) -> list:
    """Examples of every record at `path`: the predicted Doc has the gold words where the data
    gives words, and `make_doc(text)` for text-only records (JSONL). With `raw_text` (data to
    score), it is `make_doc(text)` for every record when `raw_text_mode` says so."""
    from nlp_gold.alignment import spells

    records = _cleaned_records(path, what, n_sents, limit)
    if not raw_text:  # built as read: the annotation dicts are not all held at once
        return [_example(vocab, annot, where, make_doc, False) for annot, where in records]
    annots = list(records)
    tokenize = raw_text_mode([a for a, _ in annots], what)
    examples = [_example(vocab, annot, where, make_doc, tokenize) for annot, where in annots]
    worded = [(a, eg) for (a, _), eg in zip(annots, examples) if "words" in a]
    if tokenize and worded:  # a text respelled by the reader: the reference's multiword tokens give it back
        describe_tokenization(examples, what, sum(1 for a, eg in worded if not spells(a["text"], eg.reference.words)
                                                  and not eg.reference.multiword_tokens))
    return examples


def annotated_examples(path: str | Path, vocab: Any, make_doc: Callable[[str], Any],
                       what: str) -> Iterator[tuple[dict, str, Any]]:
    """(annotation dict, "file:line", Example) of every record at `path`, the Example built as
    `load_examples` builds a training one (for checks that need both: `nlp debug-data`)."""
    for annot, where in _cleaned_records(path, what, 1, 0):
        yield annot, where, _example(vocab, annot, where, make_doc, False)


def _cleaned_records(path: str | Path, what: str, n_sents: int, limit: int,
                     found: CorpusFiles | None = None) -> Iterator[tuple[dict, Any]]:
    """(annotation, where) per record, at most `limit`, without empty heads/deps/sent_starts."""
    for i, (annot, where) in enumerate(iter_annotations(path, what, n_sents=n_sents, found=found)):
        if limit and i >= limit:
            return
        if annot.get("heads") is None:
            annot.pop("heads", None)
            annot.pop("deps", None)
        if annot.get("sent_starts") is None:
            annot.pop("sent_starts", None)
        yield annot, where


class ExampleStream:
    """The training Examples of every record at `path` (built as `load_examples` builds them),
    read afresh, file by file and in order, each time it is iterated: what `nlp train
    --shuffle-buffer` trains on without holding the corpus. `len()` is the number of examples
    (one pass to count them, unless a complete pass has counted them already); `n_words` is
    their words once a pass is complete."""

    def __init__(self, path: str | Path, vocab: Any, make_doc: Callable[[str], Any], what: str,
                 limit: int = 0) -> None:
        self.path, self.vocab, self.make_doc, self.what, self.limit = path, vocab, make_doc, what, limit
        self.found = corpus_files(path, what)  # the files, their formats and text classes, once
        self.n_examples: int | None = None
        self.n_words = 0

    def __iter__(self) -> Iterator[Any]:
        n_examples = n_words = 0
        for annot, where in _cleaned_records(self.path, self.what, 1, self.limit, self.found):
            example = _example(self.vocab, annot, where, self.make_doc, False)
            n_examples += 1
            n_words += len(example)
            yield example
        self.n_examples, self.n_words = n_examples, n_words

    def __len__(self) -> int:
        if self.n_examples is None:
            for _ in self:
                pass
        assert self.n_examples is not None
        return self.n_examples


def training_examples(path: str | Path, vocab: Any, make_doc: Callable[[str], Any], limit: int = 0,
                      shuffle_buffer: int = 0) -> list | ExampleStream:
    """`nlp train`'s training Examples: all loaded, or with `shuffle_buffer` an `ExampleStream`
    (nlp_train reads it afresh each epoch through a shuffle buffer of that many examples)."""
    if shuffle_buffer:
        return ExampleStream(path, vocab, make_doc, "training data", limit)
    return load_examples(path, vocab, make_doc, "training data", limit=limit)


def word_count(examples: list | ExampleStream) -> int:
    """The words of the training Examples (of a stream: as its last complete pass counted)."""
    if isinstance(examples, ExampleStream):
        return examples.n_words
    return sum(len(eg) for eg in examples)


def _example(vocab: Any, annot: dict, where: Any, make_doc: Callable[[str], Any], tokenize: bool) -> Any:
    """The Example of one record: the predicted Doc from the gold words, or from `make_doc` for
    text-only records and when the raw text is tokenized."""
    from nlp_gold import Example

    return Example.from_annotations(vocab, annot, make_doc if tokenize or "words" not in annot else None,
                                    where=where)
