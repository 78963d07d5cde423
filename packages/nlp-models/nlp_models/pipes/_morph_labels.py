"""The morphologizer's labels: a word's UPOS and FEATS as one label, or as one label per feature.

- Combined (one softmax over every combination seen in training): "POS=NOUN|Case=Nom|Number=Sing",
  the UPOS, then the features in UD's order (by name, ignoring case), so that the FEATS part is
  what a CoNLL-U file writes.
- Per feature (a softmax per feature, and one for UPOS): "POS=NOUN" for the UPOS, "Case=Nom" for
  a feature's value and "Case=_" for a word without that feature. The labels of one feature
  form a group (`FeatureGroups`); a word's prediction joins each group's best label, so it may
  be a combination never seen in training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy

from ..ml import categorical_loss

#: The name of the UPOS part of a label.
POS_FEATURE = "POS"
#: The FEATS of a word without features (CoNLL-U's empty field, as nlp_gold reads it).
EMPTY_FEATS = "_"
#: The per-feature value of a word that does not have the feature.
ABSENT = "_"

#: A word's (UPOS, FEATS); None where unknown.
Morphology = tuple[str | None, str | None]


def feature_name(item: str) -> str:
    """The name of a "Name=Value" item (the whole item if it has no "=")."""
    return item.partition("=")[0]


def _ud_order(name: str) -> tuple[str, str]:
    return name.lower(), name


@lru_cache(maxsize=1 << 16)
def feature_items(feats: str) -> tuple[str, ...]:
    """The "Name=Value" items of a FEATS string in UD's order (by name, ignoring case); none for
    "_" or ""."""
    if not feats or feats == EMPTY_FEATS:
        return ()
    items = (item for item in feats.split("|") if item)
    return tuple(sorted(items, key=lambda item: (*_ud_order(feature_name(item)), item)))


def aligned_morphology(example: Any) -> list[Morphology]:
    """The gold (UPOS, FEATS) of each predicted token of an nlp_gold Example (None: unknown)."""
    return list(zip(example.get_aligned("POS"), example.get_aligned("MORPH")))


def combined_label(pos: str | None, feats: str | None) -> str | None:
    """The combined label of a word, or None unless both its UPOS and FEATS are known."""
    if pos is None or feats is None:
        return None
    return "|".join((f"{POS_FEATURE}={pos}", *feature_items(feats)))


def split_combined(label: str) -> tuple[str, str]:
    """(UPOS, FEATS) of a combined label; FEATS is "_" when it has no features."""
    head, _, feats = label.partition("|")
    return head.partition("=")[2], feats or EMPTY_FEATS


def is_combined_label(label: str) -> bool:
    """Whether `label` reads as a combined label ("POS=X" first, X not empty)."""
    head = label.partition("|")[0]
    return head.startswith(f"{POS_FEATURE}=") and len(head) > len(POS_FEATURE) + 1


def feature_labels(pos: str | None, feats: str | None) -> list[str]:
    """The per-feature labels a word teaches: its UPOS and, for each of its features, the value
    and the feature's "absent" label (so that every feature's group can say "none")."""
    out = [] if pos is None else [f"{POS_FEATURE}={pos}"]
    for item in () if feats is None else feature_items(feats):
        out += (f"{feature_name(item)}={ABSENT}", item)
    return out


class FeatureGroups:
    """Per-feature labels grouped by feature: UPOS first, then the features in UD's order.

    Each group is one softmax over its labels' scores: `loss` trains them from gold, `best`
    and `annotation` read a prediction back as (UPOS, FEATS).
    """

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.index = {label: i for i, label in enumerate(self.labels)}
        members: dict[str, list[int]] = {}
        for i, label in enumerate(self.labels):
            members.setdefault(feature_name(label), []).append(i)
        self.names = sorted(members, key=lambda name: (name != POS_FEATURE, *_ud_order(name)))
        self.members = [numpy.asarray(members[name], dtype="int64") for name in self.names]
        self.column = {name: g for g, name in enumerate(self.names)}
        self.place = numpy.zeros(len(self.labels), dtype="int64")  # each label's place in its group
        for ids in self.members:
            self.place[ids] = numpy.arange(len(ids))
        self._rows: dict[Morphology, numpy.ndarray] = {}

    def targets(self, values: Iterable[Morphology]) -> numpy.ndarray:
        """(n_words, n_groups) int64: each group's gold label id for each (UPOS, FEATS) pair
        (-1: unknown); a KeyError naming a gold label that is not among the labels."""
        rows = []
        for value in values:
            row = self._rows.get(value)
            if row is None:
                row = self._rows[value] = self._target_row(*value)
            rows.append(row)
        return numpy.asarray(rows, dtype="int64").reshape((-1, len(self.names)))

    def _target_row(self, pos: str | None, feats: str | None) -> numpy.ndarray:
        row = numpy.full(len(self.names), -1, dtype="int64")
        if pos is not None:
            self._put(row, POS_FEATURE, f"{POS_FEATURE}={pos}")
        if feats is not None:
            given = {feature_name(item): item for item in feature_items(feats)}
            for name in self.names:
                if name != POS_FEATURE:
                    self._put(row, name, given.pop(name, f"{name}={ABSENT}"))
            for item in given.values():
                raise KeyError(item)  # a feature no label has
        return row

    def _put(self, row: numpy.ndarray, name: str, label: str) -> None:
        if label not in self.index or name not in self.column:
            raise KeyError(label)
        row[self.column[name]] = self.index[label]

    def loss(self, ops: Any, logits: Any, targets: numpy.ndarray, smoothing: float = 0.0) -> tuple[Any, float]:
        """d(logits) and the cross-entropy summed over groups: each group's softmax against its
        column of `targets` (-1 rows cost nothing), with label `smoothing` (`categorical_loss`)."""
        d_logits = ops.alloc2f(*logits.shape)
        total = 0.0
        for g, ids in enumerate(self.members):
            cols = ops.xp.asarray(ids)
            gold = targets[:, g]
            local = numpy.where(gold >= 0, self.place[gold], -1)
            d_group, loss = categorical_loss(ops.softmax(logits[:, cols]), ops.asarray(local), smoothing=smoothing)
            d_logits[:, cols] = d_group
            total += loss
        return d_logits, total

    def best(self, logits: numpy.ndarray) -> numpy.ndarray:
        """(n_words, n_groups) int64: each group's best label id for each row of `logits`."""
        out = numpy.empty((len(logits), len(self.names)), dtype="int64")
        for g, ids in enumerate(self.members):
            out[:, g] = ids[logits[:, ids].argmax(axis=1)]
        return out

    def annotation(self, choice: Sequence[int]) -> tuple[str | None, str]:
        """(UPOS, FEATS) of one word's label per group (`best`'s row): UPOS None without a UPOS
        group, FEATS "_" when every feature is absent."""
        pos = None
        feats = []
        for name, i in zip(self.names, choice):
            label = self.labels[int(i)]
            if name == POS_FEATURE:
                pos = label.partition("=")[2]
            elif label.partition("=")[2] != ABSENT:
                feats.append(label)
        return pos, "|".join(feats) or EMPTY_FEATS
