"""`nlp train`'s checks of its inputs before any training starts.

Errors (one line, via `fail`): network sizes out of range (a MemoryError traceback otherwise;
`nlp pretrain` checks its sizes here too), a component named with -p that has no annotation in the
training data (`-p ner` on data without entities), mutually exclusive text classes with only one
class. Warnings (one line each, training goes on): a component of the default pipeline with no
annotation, which is skipped (`plan_components`, whose decisions `nlp debug-data` reports in the
same words); dev labels the training data never shows, which the model cannot predict.

Labels are counted from the Examples' gold (what training will see), for the components being
trained, in one pass over the training data (`count_labels`: a streamed corpus is read once). What a component learns from, what its labels are
called and how to read them off an Example come from its registered spec (nlp_models'
`register_component`), so a user's component is checked like a built-in one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ._errors import fail
from ._models import registered_specs

#: The largest value of each network size option (by its short flag).
SIZE_LIMITS = {"-cw": 2048, "-cd": 16, "-er": 1_000_000}
#: The most values one hashed embedding table (-er rows of -cw values) may hold: 512 MB of float32.
EMBED_VALUES_LIMIT = 2**27
SHOWN = 10  # labels named in one warning
#: The components `nlp train` trains and `nlp debug-data` checks when -p is not given.
DEFAULT_PIPELINE = "tagger,parser,ner"


def check_sizes(options: dict[str, int | None]) -> None:
    """A UserError for a network size option above its limit, or for an embedding table too
    large to allocate. `options`: {"-cw/--conv-width": value or None, ...}."""
    by_flag = {}
    for option, value in options.items():
        flag = option.split("/")[0]
        if value is None:
            continue
        if value > SIZE_LIMITS[flag]:
            fail(f"{option} {value} is too large: at most {SIZE_LIMITS[flag]:,} (the network would not fit in memory)")
        by_flag[flag] = (option, value)
    if "-cw" in by_flag and "-er" in by_flag and by_flag["-cw"][1] * by_flag["-er"][1] > EMBED_VALUES_LIMIT:
        (width_opt, width), (rows_opt, rows) = by_flag["-cw"], by_flag["-er"]
        fail(f"{rows_opt} {rows} with {width_opt} {width}: each embedding table would hold {rows * width:,} "
             f"values, more than {EMBED_VALUES_LIMIT:,}; lower one of them")


def labelled_spec(name: str) -> Any:
    """The spec of factory `name` if the component learns labels it can read off an Example
    (an annotation and `gold_labels`), else None (a shared tok2vec, an unregistered name)."""
    spec = registered_specs().get(name)
    if spec is None or spec.annotation is None or spec.gold_labels is None:
        return None
    return spec


def component_labels(name: str, examples: Iterable[Any]) -> Counter:
    """How often each label of component `name` occurs in the gold of `examples` (its
    registered `gold_labels`; nothing for a component that learns no labels)."""
    return count_labels([name], examples)[name]


def count_labels(names: Sequence[str], examples: Iterable[Any]) -> dict[str, Counter]:
    """`component_labels` of each of `names`, in one pass over `examples` (so a corpus streamed
    from disk is read once)."""
    specs = [(name, labelled_spec(name)) for name in names]
    counts: dict[str, Counter] = {name: Counter() for name in names}
    for eg in examples:
        for name, spec in specs:
            if spec is not None:
                counts[name].update(label for label in spec.gold_labels(eg) if label)
    return counts


class Gap(NamedTuple):
    """A component the training data gives nothing to learn: `fatal` (an error) when the user
    named it with -p, else it is skipped and `message` is a warning. `name` is None when no
    component is left to train."""

    name: str | None
    fatal: bool
    message: str


def _gap(name: str, annotation: str, train_path: str, named: bool) -> Gap:
    if named:
        return Gap(name, True, f"-p {name}: the training data ({train_path}) has no {annotation}: nothing to "
                               f"train the {name} on (add that annotation, or leave {name} out of -p)")
    return Gap(name, False, f"{name}: the training data ({train_path}) has no {annotation}; skipping it "
                            "(name it with -p to make this an error)")


def plan_components(names: Sequence[str], labels: Mapping[str, Counter], train_path: str,
                    named: bool) -> tuple[list[str], list[Gap]]:
    """The components of `names` to train, and a Gap for each one whose labels (`labels[name]`,
    counted in the training data) are empty. `named`: the user gave -p; without it (the default
    pipeline) such a component is skipped with a warning, so that a treebank without entities
    trains the tagger and parser. When every component is skipped, a last, fatal Gap."""
    kept, gaps = [], []
    specs = {name: labelled_spec(name) for name in names}
    for name in names:
        spec = specs[name]
        if spec is not None and not labels.get(name):
            gaps.append(_gap(name, spec.annotation, train_path, named))
        else:
            kept.append(name)
    if gaps and not any(gap.fatal for gap in gaps) and not any(specs[name] for name in kept):
        missing = ", ".join(gap.name for gap in gaps if gap.name is not None)
        gaps.append(Gap(None, True, f"the training data ({train_path}) has no annotation for any of {missing}: "
                                    "nothing to train (name the components its annotation is for with -p)"))
    return kept, gaps


def annotated_components(names: Sequence[str], labels: Mapping[str, Counter], train_path: str,
                         named: bool) -> list[str]:
    """`nlp train`'s side of `plan_components` on the training data's label counts (`count_labels`):
    a warning line printed for each skipped component, a UserError for a fatal gap; the components
    to train."""
    kept, gaps = plan_components(names, labels, train_path, named)
    for gap in gaps:
        if gap.fatal:
            fail(gap.message)
        print(f"⚠ {gap.message}")
    return kept


def _require_two_classes(proc: Any, labels: Counter, train_path: str) -> None:
    classes = sorted(set(labels) | set(proc.labels))
    if proc.cfg.get("exclusive_classes", True) and len(classes) < 2:
        fail(f"-p textcat: the training data ({train_path}) has one text class only, {classes[0]!r}: mutually "
             "exclusive classes need at least two (add the other classes, or use -tm/--textcat-multilabel)")


#: Checks a built-in component needs beyond its labels, by factory: (component, training label
#: counts, training data path); each fails with one line.
EXTRA_CHECKS: dict[str, Callable[[Any, Counter, str], None]] = {"textcat": _require_two_classes}


def unseen_dev_labels(name: str, train: Counter, dev: Counter, known: Iterable[str], dev_path: str) -> str | None:
    """The warning line for `dev` labels of `name` that neither the training data nor the
    component (`known`, from a base model) has; None when there are none."""
    unseen = sorted(set(dev) - set(train) - set(known))
    if not unseen:
        return None
    shown = ", ".join(unseen[:SHOWN]) + (f", ... ({len(unseen) - SHOWN} more)" if len(unseen) > SHOWN else "")
    spec = labelled_spec(name)
    kind = spec.label_kind if spec is not None else "labels"
    return (f"⚠ {name}: {kind} in the development data ({dev_path}) but never in the training data: "
            f"{shown}; the model cannot predict them, so its dev scores will be lower")


def check_data(nlp: Any, names: Sequence[str], train_labels: Mapping[str, Counter], dev_examples: Sequence[Any],
               train_path: str, dev_path: str) -> None:
    """Errors and warnings (printed) for the trained components `names` of `nlp`, each of which
    has annotation (`annotated_components` ran first on `train_labels`, the training data's
    `count_labels`; see the module docstring)."""
    for name in names:
        if labelled_spec(name) is None:
            continue  # a shared tok2vec learns no labels
        proc = nlp.get_pipe(name)
        train = train_labels[name]
        extra = EXTRA_CHECKS.get(getattr(proc, "factory", name))
        if extra is not None:
            extra(proc, train, train_path)
        warning = unseen_dev_labels(name, train, component_labels(name, dev_examples), proc.labels, dev_path)
        if warning is not None:
            print(warning)
