"""`nlp debug-data`: check training and development data before training.

Reports counts of documents, words and labels per component, the train/dev overlap, labels with
few examples, entity spans with whitespace or punctuation at their edges or off token boundaries,
missing annotation and non-projective sentences. Problems that would make training fail are
errors: the command then exits with status 1.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import plac

from ._checks import DEFAULT_PIPELINE, Gap, plan_components
from ._corpus import iter_annotations
from ._errors import fail
from ._models import require_language

COMPONENTS = ("tagger", "parser", "ner", "textcat")
RARE = {"tagger": 5, "parser": 5, "ner": 20, "textcat": 20}
EDGE_PUNCT = frozenset(string.punctuation) - frozenset("$%&@#")


@dataclass
class Stats:
    """What one corpus (train or dev) holds."""

    docs: int = 0
    words: int = 0
    sents: int = 0
    texts: set = field(default_factory=set)
    tags: Counter = field(default_factory=Counter)
    deps: Counter = field(default_factory=Counter)
    ents: Counter = field(default_factory=Counter)
    cats: Counter = field(default_factory=Counter)
    cats_docs: int = 0
    multi_cats: int = 0
    words_no_tag: int = 0
    words_no_head: int = 0
    docs_no_parse: int = 0
    docs_no_ner: int = 0
    words_ner_missing: int = 0
    nonproj_sents: int = 0
    parsed_sents: int = 0
    edge_ws: list = field(default_factory=list)
    edge_punct: list = field(default_factory=list)
    misaligned: list = field(default_factory=list)


def _all_punct(piece: str) -> bool:
    return bool(piece) and all(c in EDGE_PUNCT for c in piece)


def _punct_edge(span: str) -> bool:
    """Whether a span starts or ends with a punctuation word, or ends in `,;:!?` or a lone `.`
    stuck to a word ("Berlin." but not "U.S.")."""
    pieces = span.split()
    if not pieces:
        return False
    if _all_punct(pieces[0]) or _all_punct(pieces[-1]):
        return True
    last = pieces[-1]
    return len(last) > 1 and (last[-1] in ",;:!?" or (last[-1] == "." and last.count(".") == 1))


def _text(annot: dict) -> str:
    if "words" not in annot:
        return annot["text"]
    return "".join(w + (" " if s else "") for w, s in zip(annot["words"], annot.get("spaces") or [True] * len(annot["words"]))).strip()


def _sentences(annot: dict) -> Iterator[tuple[int, int]]:
    n = len(annot["words"])
    starts = annot.get("sent_starts") or [i == 0 for i in range(n)]
    begin = 0
    for i in range(1, n):
        if starts[i]:
            yield begin, i
            begin = i
    if n:
        yield begin, n


def _offset_entities(annot: dict, tokenizer: Any, stats: Stats, where: str) -> None:
    text = annot["text"]
    doc = tokenizer(text)
    starts = {t.idx for t in doc}
    ends = {t.idx + len(t.text) for t in doc}
    for start, end, label in annot["entities"]:
        span = text[start:end]
        stats.ents[label] += 1
        if span != span.strip():
            stats.edge_ws.append(f"{where}: {span!r} ({label})")
        elif _punct_edge(span):
            stats.edge_punct.append(f"{where}: {span!r} ({label})")
        if start not in starts or end not in ends:
            stats.misaligned.append(f"{where}: {span!r} ({label}) at {start}-{end}")


def _tag_entities(annot: dict, stats: Stats, where: str) -> None:
    from nlp_gold import tags_to_entities  # the readers have checked the BILUO sequence

    tags = annot["entities"]
    words = annot["words"]
    missing = sum(1 for t in tags if t in ("-", None, ""))
    stats.words_ner_missing += missing
    if missing == len(tags):
        stats.docs_no_ner += 1
        return
    for label, start, end in tags_to_entities(tags):
        stats.ents[label] += 1
        first, last = words[start], words[end - 1]
        span = " ".join(words[start:end])
        if not first.strip() or not last.strip():
            stats.edge_ws.append(f"{where}: {span!r} ({label})")
        elif end - start > 1 and (_all_punct(first) or _all_punct(last)):
            stats.edge_punct.append(f"{where}: {span!r} ({label})")


def collect(path: str, what: str, tokenizer: Any) -> Stats:
    """Counts and problems of the corpus at `path`."""
    from nlp_gold import is_nonproj_tree

    stats = Stats()
    for annot, where in iter_annotations(path, what):
        stats.docs += 1
        stats.texts.add(_text(annot))
        if "words" not in annot:
            stats.words += len(tokenizer(annot["text"]))
            stats.sents += 1
            stats.docs_no_parse += 1
            if annot.get("entities") is not None:
                _offset_entities(annot, tokenizer, stats, where)
            else:
                stats.docs_no_ner += 1
        else:
            n = len(annot["words"])
            stats.words += n
            tags = annot.get("tags") or [None] * n
            stats.tags.update(t for t in tags if t)
            stats.words_no_tag += sum(1 for t in tags if not t)
            heads = annot.get("heads") or [None] * n
            deps = annot.get("deps") or [None] * n
            stats.words_no_head += sum(1 for h in heads if h is None)
            if all(h is None for h in heads):
                stats.docs_no_parse += 1
            stats.deps.update(d for h, d in zip(heads, deps) if h is not None and d)
            for begin, end in _sentences(annot):
                stats.sents += 1
                sub = heads[begin:end]
                if any(h is not None for h in sub):
                    stats.parsed_sents += 1
                    local = [None if h is None else h - begin for h in sub]
                    if any(h is not None and not 0 <= h < end - begin for h in local):
                        continue  # arcs across sentences: not a per-sentence tree
                    if is_nonproj_tree(local):
                        stats.nonproj_sents += 1
            if annot.get("entities") is not None:
                _tag_entities(annot, stats, where)
            else:
                stats.docs_no_ner += 1
        cats = annot.get("cats")
        if cats:
            stats.cats_docs += 1
            positive = [k for k, v in cats.items() if v >= 0.5]
            stats.cats.update(positive)
            stats.multi_cats += len(positive) > 1
            for label in cats:
                stats.cats.setdefault(label, 0)
    return stats


class Report:
    """Prints sections and lines; counts warnings and errors."""

    def __init__(self) -> None:
        self.warnings = self.errors = self.passed = 0

    def section(self, title: str) -> None:
        print(f"\n=== {title} ===")

    def info(self, text: str) -> None:
        print(f"ℹ {text}")

    def good(self, text: str) -> None:
        self.passed += 1
        print(f"✔ {text}")

    def warn(self, text: str, examples: list | None = None) -> None:
        self.warnings += 1
        print(f"⚠ {text}")
        for example in (examples or [])[:5]:
            print(f"    {example}")

    def error(self, text: str) -> None:
        self.errors += 1
        print(f"✘ {text}")


def _labels(counter: Counter, limit: int = 40) -> str:
    items = counter.most_common()
    shown = ", ".join(f"{k} ({v})" for k, v in items[:limit])
    return shown + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def _check_labels(report: Report, name: str, kind: str, train: Counter, dev: Counter) -> None:
    report.info(f"{name}: {len(train)} {kind} in train: {_labels(train)}")
    rare = sorted(k for k, v in train.items() if v < RARE[name])
    if rare:
        report.warn(f"{name}: {len(rare)} {kind} with fewer than {RARE[name]} training examples: {', '.join(rare[:30])}")
    else:
        report.good(f"{name}: every {kind[:-1] if kind.endswith('s') else kind} has at least {RARE[name]} training examples")
    unseen = sorted(set(dev) - set(train))
    if unseen:
        report.warn(f"{name}: {len(unseen)} {kind} in dev never seen in train: {', '.join(unseen[:30])}")
    if not dev:
        report.warn(f"{name}: no {kind} in the dev data: its scores will be empty")


def _tagger(report: Report, train: Stats, dev: Stats) -> None:
    _check_labels(report, "tagger", "tags", train.tags, dev.tags)
    if train.words_no_tag:
        report.warn(f"tagger: {train.words_no_tag} training words have no tag (missing annotation)")


def _parser(report: Report, train: Stats, dev: Stats) -> None:
    _check_labels(report, "parser", "labels", train.deps, dev.deps)
    missing = (f"{train.docs_no_parse} training documents have no parse" if train.docs_no_parse
               else f"{train.words_no_head} training words have no head" if train.words_no_head else None)
    if missing:
        report.warn(f"parser: {missing} (missing annotation)")
    for which, stats in (("train", train), ("dev", dev)):
        if stats.parsed_sents:
            pct = 100.0 * stats.nonproj_sents / stats.parsed_sents
            report.info(f"parser: {stats.nonproj_sents} non-projective sentences in {which} "
                        f"({pct:.1f}% of {stats.parsed_sents}); trained by pseudo-projective lifting")


def _ner(report: Report, train: Stats, dev: Stats) -> None:
    _check_labels(report, "ner", "entity labels", train.ents, dev.ents)
    if train.docs_no_ner:
        report.warn(f"ner: {train.docs_no_ner} training documents have no entity annotation (missing annotation)")
    if train.words_ner_missing:
        report.warn(f"ner: {train.words_ner_missing} training words have unknown entity tags ('-')")
    for which, stats in (("train", train), ("dev", dev)):
        if stats.edge_ws:
            report.warn(f"ner: {len(stats.edge_ws)} {which} entity spans with whitespace at an edge", stats.edge_ws)
        if stats.edge_punct:
            report.warn(f"ner: {len(stats.edge_punct)} {which} entity spans with punctuation at an edge", stats.edge_punct)
        if stats.misaligned:
            report.warn(f"ner: {len(stats.misaligned)} {which} entity spans not on token boundaries (they will be "
                        "ignored in training)", stats.misaligned)
    if train.ents and not (train.edge_ws or train.edge_punct or train.misaligned):
        report.good("ner: no entity spans with whitespace or punctuation at the edges or off token boundaries")


def _textcat(report: Report, train: Stats, dev: Stats) -> None:
    exclusive = train.multi_cats == 0
    report.info(f"textcat: {len(train.cats)} labels, {train.cats_docs} annotated documents "
                f"({'mutually exclusive' if exclusive else 'multilabel'}): {_labels(train.cats)}")
    if len(train.cats) < 2 and exclusive:
        report.error("textcat: only one label: mutually exclusive classes need at least two")
    rare = sorted(k for k, v in train.cats.items() if v < RARE["textcat"])
    if rare:
        report.warn(f"textcat: labels with fewer than {RARE['textcat']} positive examples: {', '.join(rare)}")
    if train.cats_docs < train.docs:
        report.warn(f"textcat: {train.docs - train.cats_docs} training documents have no categories")
    if not dev.cats:
        report.warn("textcat: no categories in the dev data: its scores will be empty")


#: Each component's section: its title and what it reports.
SECTIONS = {"tagger": ("Tagger", _tagger), "parser": ("Parser", _parser), "ner": ("Named entities", _ner),
            "textcat": ("Text classification", _textcat)}


def _report_gap(report: Report, gap: Gap) -> None:
    if gap.fatal:
        report.error(gap.message)
    else:
        report.warn(gap.message)


def _components(report: Report, names: list[str], train: Stats, dev: Stats, train_path: str, named: bool) -> None:
    """A section per component; one with no annotation in the training data is reported as
    `nlp train` decides it (`plan_components`): skipped with a warning, or an error if named."""
    labels = {"tagger": train.tags, "parser": train.deps, "ner": train.ents, "textcat": train.cats}
    _, gaps = plan_components(names, labels, train_path, named)
    by_name = {gap.name: gap for gap in gaps}
    for name in COMPONENTS:
        if name not in names:
            continue
        title, section = SECTIONS[name]
        report.section(title)
        if name in by_name:
            _report_gap(report, by_name[name])
        else:
            section(report, train, dev)
    if None in by_name:
        _report_gap(report, by_name[None])


@plac.annotations(
    lang=("Language code (for tokenizing text records)", "positional", None, str),
    train_path=("Training data: a file or folder in any format `nlp convert` reads", "positional", None, str),
    dev_path=("Development data: a file or folder", "positional", None, str),
    pipeline=("Components to check, comma-separated: tagger,parser,ner,textcat. Default "
              f"{DEFAULT_PIPELINE}, where, as in `nlp train`, a component without annotation is skipped",
              "option", "p", str),
)
def debug_data(lang: str, train_path: str, dev_path: str, pipeline: str | None = None) -> int:
    """Check training and development data; exit 1 when training would fail."""
    from nlp_vocab import Tokenizer, Vocab

    names = [p.strip() for p in (pipeline or DEFAULT_PIPELINE).split(",") if p.strip()]
    unknown = [p for p in names if p not in COMPONENTS]
    if unknown or not names:
        fail(f"-p/--pipeline: unknown component(s) {unknown or pipeline!r}: use some of {', '.join(COMPONENTS)}")
    tokenizer = Tokenizer.for_language(Vocab(require_language(lang)))
    train = collect(train_path, "training data", tokenizer)
    dev = collect(dev_path, "development data", tokenizer)
    report = Report()

    report.section("Data")
    report.info(f"train: {train.docs} documents, {train.sents} sentences, {train.words} words ({train_path})")
    report.info(f"dev: {dev.docs} documents, {dev.sents} sentences, {dev.words} words ({dev_path})")
    overlap = len(train.texts & dev.texts)
    if overlap:
        report.warn(f"{overlap} dev texts also occur in the training data (dev scores will be optimistic)")
    else:
        report.good("no overlap between training and dev texts")

    _components(report, names, train, dev, train_path, named=pipeline is not None)

    report.section("Summary")
    print(f"✔ {report.passed} checks passed, ⚠ {report.warnings} warnings, ✘ {report.errors} errors")
    return 1 if report.errors else 0
