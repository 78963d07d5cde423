"""`nlp debug-data`: check training and development data before training.

Reports counts of documents, words and labels per component, the train/dev overlap, labels with
few examples, entity spans with whitespace or punctuation at their edges or off token boundaries,
missing annotation and non-projective sentences. Problems that would make training fail are
errors: the command then exits with status 1.

Any registered component that learns labels gets the label report, from its spec (what it learns
from, what its labels are called, how to read them off an Example, how few examples make a label
rare): a user's component (registered by --code or an entry point) is checked like a built-in.
The built-ins add checks of their own (`EXTRA_SECTIONS`).
"""

from __future__ import annotations

import string
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import plac

from ._checks import DEFAULT_PIPELINE, Gap, component_labels, labelled_spec, plan_components
from ._corpus import annotated_examples
from ._errors import fail
from ._models import CODE_HELP, import_code, registered_specs, require_language

EDGE_PUNCT = frozenset(string.punctuation) - frozenset("$%&@#")


@dataclass
class Stats:
    """What one corpus (train or dev) holds."""

    docs: int = 0
    words: int = 0
    sents: int = 0
    texts: set = field(default_factory=set)
    labels: dict[str, Counter] = field(default_factory=dict)  # per component, read by its spec
    cats: Counter = field(default_factory=Counter)  # documents where a class is positive
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
        first, last = words[start], words[end - 1]
        span = " ".join(words[start:end])
        if not first.strip() or not last.strip():
            stats.edge_ws.append(f"{where}: {span!r} ({label})")
        elif end - start > 1 and (_all_punct(first) or _all_punct(last)):
            stats.edge_punct.append(f"{where}: {span!r} ({label})")


def collect(path: str, what: str, tokenizer: Any, names: Sequence[str]) -> Stats:
    """Counts and problems of the corpus at `path`, with the labels of components `names`
    counted in its Examples (built as `nlp train` builds them)."""
    from nlp_gold.errors import MisalignedEntityWarning

    examples = []
    stats = Stats()
    with warnings.catch_warnings():  # reported below, with the entity spans' edge problems
        warnings.simplefilter("ignore", MisalignedEntityWarning)
        for annot, where, example in annotated_examples(path, tokenizer.vocab, tokenizer, what):
            examples.append(example)
            _count(annot, where, stats, tokenizer)
    stats.labels = {name: component_labels(name, examples) for name in names}
    return stats


def _count(annot: dict, where: str, stats: Stats, tokenizer: Any) -> None:
    """Add one record's counts and problems to `stats`."""
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
        _count_words(annot, stats)
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


def _count_words(annot: dict, stats: Stats) -> None:
    """The words, missing tags and heads, and (non-projective) sentences of a record with words."""
    from nlp_gold import is_nonproj_tree

    n = len(annot["words"])
    stats.words += n
    tags = annot.get("tags") or [None] * n
    stats.words_no_tag += sum(1 for t in tags if not t)
    heads = annot.get("heads") or [None] * n
    stats.words_no_head += sum(1 for h in heads if h is None)
    if all(h is None for h in heads):
        stats.docs_no_parse += 1
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


def _check_labels(report: Report, name: str, spec: Any, train: Stats, dev: Stats) -> None:
    """The label report of any component that learns labels: counts, rare and unseen labels."""
    kind, rare_count = spec.label_kind, spec.rare_label_count
    counts, dev_counts = train.labels.get(name, Counter()), dev.labels.get(name, Counter())
    report.info(f"{name}: {len(counts)} {kind} in train: {_labels(counts)}")
    rare = sorted(k for k, v in counts.items() if v < rare_count)
    if rare:
        report.warn(f"{name}: {len(rare)} {kind} with fewer than {rare_count} training examples: {', '.join(rare[:30])}")
    else:
        report.good(f"{name}: every {kind[:-1] if kind.endswith('s') else kind} has at least {rare_count} training examples")
    unseen = sorted(set(dev_counts) - set(counts))
    if unseen:
        report.warn(f"{name}: {len(unseen)} {kind} in dev never seen in train: {', '.join(unseen[:30])}")
    if not dev_counts:
        report.warn(f"{name}: no {kind} in the dev data: its scores will be empty")


def _tagger(report: Report, name: str, spec: Any, train: Stats, dev: Stats) -> None:
    if train.words_no_tag:
        report.warn(f"{name}: {train.words_no_tag} training words have no tag (missing annotation)")


def _parser(report: Report, name: str, spec: Any, train: Stats, dev: Stats) -> None:
    missing = (f"{train.docs_no_parse} training documents have no parse" if train.docs_no_parse
               else f"{train.words_no_head} training words have no head" if train.words_no_head else None)
    if missing:
        report.warn(f"{name}: {missing} (missing annotation)")
    for which, stats in (("train", train), ("dev", dev)):
        if stats.parsed_sents:
            pct = 100.0 * stats.nonproj_sents / stats.parsed_sents
            report.info(f"{name}: {stats.nonproj_sents} non-projective sentences in {which} "
                        f"({pct:.1f}% of {stats.parsed_sents}); trained by pseudo-projective lifting")


def _ner(report: Report, name: str, spec: Any, train: Stats, dev: Stats) -> None:
    if train.docs_no_ner:
        report.warn(f"{name}: {train.docs_no_ner} training documents have no entity annotation (missing annotation)")
    if train.words_ner_missing:
        report.warn(f"{name}: {train.words_ner_missing} training words have unknown entity tags ('-')")
    for which, stats in (("train", train), ("dev", dev)):
        if stats.edge_ws:
            report.warn(f"{name}: {len(stats.edge_ws)} {which} entity spans with whitespace at an edge", stats.edge_ws)
        if stats.edge_punct:
            report.warn(f"{name}: {len(stats.edge_punct)} {which} entity spans with punctuation at an edge",
                        stats.edge_punct)
        if stats.misaligned:
            report.warn(f"{name}: {len(stats.misaligned)} {which} entity spans not on token boundaries (they will be "
                        "ignored in training)", stats.misaligned)
    if train.labels.get(name) and not (train.edge_ws or train.edge_punct or train.misaligned):
        report.good(f"{name}: no entity spans with whitespace or punctuation at the edges or off token boundaries")


def _textcat(report: Report, name: str, spec: Any, train: Stats, dev: Stats) -> None:
    """Text classes are counted where they are positive, and may exclude each other."""
    exclusive = train.multi_cats == 0
    report.info(f"{name}: {len(train.cats)} labels, {train.cats_docs} annotated documents "
                f"({'mutually exclusive' if exclusive else 'multilabel'}): {_labels(train.cats)}")
    if len(train.cats) < 2 and exclusive:
        report.error(f"{name}: only one label: mutually exclusive classes need at least two")
    rare = sorted(k for k, v in train.cats.items() if v < spec.rare_label_count)
    if rare:
        report.warn(f"{name}: labels with fewer than {spec.rare_label_count} positive examples: {', '.join(rare)}")
    if train.cats_docs < train.docs:
        report.warn(f"{name}: {train.docs - train.cats_docs} training documents have no categories")
    if not dev.cats:
        report.warn(f"{name}: no categories in the dev data: its scores will be empty")


@dataclass(frozen=True)
class Extra:
    """A built-in component's section: its title and the checks it adds (`own_labels`: they
    replace the generic label report)."""

    title: str
    check: Callable[[Report, str, Any, Stats, Stats], None]
    own_labels: bool = False


#: The checks richer than the label report that built-in components get, by factory.
EXTRA_SECTIONS = {"tagger": Extra("Tagger", _tagger), "parser": Extra("Parser", _parser),
                  "ner": Extra("Named entities", _ner), "textcat": Extra("Text classification", _textcat, True)}
#: The section of another factory that learns the same annotation (crf_ner: entities).
ANNOTATION_SECTIONS = {"entities": EXTRA_SECTIONS["ner"]}


def _extra(name: str) -> Extra | None:
    """The extra section of factory `name`: its own, or that of the annotation it learns."""
    spec = labelled_spec(name)
    return EXTRA_SECTIONS.get(name) or (ANNOTATION_SECTIONS.get(spec.annotation) if spec is not None else None)


def _section(report: Report, name: str, train: Stats, dev: Stats) -> None:
    """The report of component `name` (its training data has annotation for it)."""
    spec = labelled_spec(name)
    extra = _extra(name)
    if extra is None or not extra.own_labels:
        _check_labels(report, name, spec, train, dev)
    if extra is not None:
        extra.check(report, name, spec, train, dev)


def _report_gap(report: Report, gap: Gap) -> None:
    if gap.fatal:
        report.error(gap.message)
    else:
        report.warn(gap.message)


def _components(report: Report, names: list[str], train: Stats, dev: Stats, train_path: str, named: bool) -> None:
    """A section per component, in -p order; one with no annotation in the training data is
    reported as `nlp train` decides it (`plan_components`): skipped with a warning, or an error
    if named."""
    _, gaps = plan_components(names, train.labels, train_path, named)
    by_name = {gap.name: gap for gap in gaps}
    for name in names:
        extra = _extra(name)
        report.section(extra.title if extra is not None else f"{name} ({labelled_spec(name).annotation})")
        if name in by_name:
            _report_gap(report, by_name[name])
        else:
            _section(report, name, train, dev)
    if None in by_name:
        _report_gap(report, by_name[None])


def parse_components(pipeline: str) -> list[str]:
    """The names of -p: registered components that learn labels (a UserError naming those for
    an unknown name or none)."""
    names = [p.strip() for p in pipeline.split(",") if p.strip()]
    unknown = [p for p in names if labelled_spec(p) is None]
    if unknown or not names:
        known = [name for name in registered_specs() if labelled_spec(name) is not None]
        fail(f"-p/--pipeline: unknown component(s) {', '.join(unknown) or repr(pipeline)}: use some of "
             f"{', '.join(known)} (a component of your own: register it, and name its file with --code)")
    return list(dict.fromkeys(names))


@plac.annotations(
    lang=("Language code (for tokenizing text records)", "positional", None, str),
    train_path=("Training data: a file or folder in any format `nlp convert` reads", "positional", None, str),
    dev_path=("Development data: a file or folder", "positional", None, str),
    pipeline=("Components to check, comma-separated: tagger,parser,ner,textcat or any registered component "
              f"that learns labels (--code, entry points). Default {DEFAULT_PIPELINE}, where, as in `nlp train`, "
              "a component without annotation is skipped", "option", "p", str),
    code=(CODE_HELP, "option", None, str),
)
def debug_data(lang: str, train_path: str, dev_path: str, pipeline: str | None = None,
               code: str | None = None) -> int:
    """Check training and development data; exit 1 when training would fail."""
    import_code(code)  # first: -p may name its components
    from nlp_vocab import Tokenizer, Vocab

    names = parse_components(pipeline or DEFAULT_PIPELINE)
    tokenizer = Tokenizer.for_language(Vocab(require_language(lang)))
    train = collect(train_path, "training data", tokenizer, names)
    dev = collect(dev_path, "development data", tokenizer, names)
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
