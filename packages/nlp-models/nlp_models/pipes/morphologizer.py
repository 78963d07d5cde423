"""Morphologizer: predicts each word's universal POS (UPOS) and morphological features (FEATS).

cfg `label_mode` chooses the labels (see `_morph_labels`):
- "combined" (the default): one softmax over every UPOS+FEATS combination seen in training,
  the labels reading "POS=NOUN|Number=Sing" (spaCy's morphologizer's approach); a word learns
  where both its UPOS and its FEATS are known.
- "per_feature": a softmax per feature over its values and "absent", and one over UPOS, all
  from one linear layer; UPOS and FEATS learn separately where either is known, and a word may
  get a combination never seen in training.

It sets `token.pos_` and `token.morph_`: the FEATS string in UD's order, "_" for a word without
features, as nlp_gold reads CoNLL-U gold, so the scorer's `morph_acc` (whole-FEATS accuracy over
the words with gold FEATS; `ufeats_acc` keeps the CoNLL 2018 universal features only) compares
like with like and the CoNLL-U writer writes "_".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy
from thinc.api import Model

from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight

from ..component_registry import register_component
from ..ml import build_token_scores_model
from ._morph_labels import (
    FeatureGroups,
    aligned_morphology,
    combined_label,
    feature_labels,
    is_combined_label,
    split_combined,
)
from ._token_classifier import TokenClassifier
from .base import TOK2VEC_DEFAULTS

LABEL_MODES = ("combined", "per_feature")


def check_label_mode(mode: Any, name: str) -> str:
    """`mode` if it is one of LABEL_MODES, else a ValueError naming the component."""
    if mode not in LABEL_MODES:
        raise ValueError(f"{name}: cfg label_mode must be one of {list(LABEL_MODES)}, got {mode!r}")
    return mode


def gold_morphology(example: Any) -> list[str]:
    """The combined labels of an Example's gold words whose UPOS and FEATS are both known."""
    return [label for label in (combined_label(*value) for value in aligned_morphology(example)) if label]


@register_component(
    "morphologizer", annotation="morphology (UPOS and features)", label_kind="UPOS+FEATS combinations",
    gold_labels=gold_morphology, max_batch_size=32, loss_header="Morph Loss",
    columns=(ScoreColumn("POS %", ("pos_acc",)), ScoreColumn("Morph %", ("morph_acc",))),
    score_weights=(ScoreWeight(("pos_acc",), 0.5), ScoreWeight(("morph_acc",), 0.5)), token_level=True,
    curves=(ScoreCurve("Morphologizer", (("pos_acc", "POS %"), ("morph_acc", "Morph %"),
                                         ("ufeats_acc", "UFeats %"))),),
    evaluate_rows=(("pos_acc", "POS %"), ("morph_acc", "Morph %"), ("ufeats_acc", "UFeats %")),
)
class Morphologizer(TokenClassifier):
    """UPOS and FEATS per word from the component's own tok2vec or a shared one (cfg tok2vec);
    cfg label_mode "combined" or "per_feature" (see the module docstring)."""

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "normalize_loss": False,
        "label_mode": "combined",
        "label_smoothing": 0.0,
        "hidden_width": 0,
    }
    annotation_attrs = ("POS", "MORPH")
    label_noun = "morphology label"

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        self._feature_groups: FeatureGroups | None = None
        super().__init__(vocab, name=name, **cfg)
        check_label_mode(self.cfg.get("label_mode"), self.name)  # now, not at the first update

    @property
    def per_feature(self) -> bool:
        """Whether cfg label_mode is "per_feature" (a ValueError for an unknown mode)."""
        return check_label_mode(self.cfg.get("label_mode"), self.name) == "per_feature"

    # ---- labels --------------------------------------------------------------------------------

    def add_label(self, label: str) -> int:
        """Add a label of the cfg's label_mode: "POS=NOUN|Number=Sing" when combined, "POS=NOUN"
        or "Number=Sing" (or "Number=_": without the feature) per feature."""
        if isinstance(label, str) and label:
            self._check_label(label)
        return super().add_label(label)

    def _check_label(self, label: str) -> None:
        if self.per_feature:
            if label.startswith("="):
                raise ValueError(f"{self.name}: {label!r} is not a feature label (expected e.g. 'Number=Sing')")
        elif not is_combined_label(label):
            raise ValueError(f"{self.name}: {label!r} is not a morphology label (expected the UPOS, then the "
                             "features, e.g. 'POS=NOUN|Number=Sing')")

    def labels_from_msg(self, msg: Any) -> None:
        if isinstance(msg, list):
            for label in msg:
                if isinstance(label, str) and label:
                    self._check_label(label)
        super().labels_from_msg(msg)

    def labels_of_example(self, example: Any) -> Iterable[str]:
        """The labels an Example's gold teaches in the cfg's label_mode."""
        if not self.per_feature:
            return super().labels_of_example(example)
        return [label for value in aligned_morphology(example) for label in feature_labels(*value)]

    def gold_per_token(self, example: Any) -> list[str | None]:
        """The combined gold label of each predicted token (None: UPOS or FEATS unknown)."""
        return [combined_label(*value) for value in aligned_morphology(example)]

    def _groups(self) -> FeatureGroups:
        """The per-feature groups of the current labels (kept while the labels stay the same)."""
        if self._feature_groups is None or self._feature_groups.labels != self._labels:
            self._feature_groups = FeatureGroups(self._labels)
        return self._feature_groups

    # ---- model and annotation ---------------------------------------------------------------

    def build_model(self) -> Model:
        if not self.per_feature:
            return super().build_model()
        self._check_labels()
        return build_token_scores_model(self.build_tok2vec(), n_scores=len(self._labels))

    def _annotation_table(self) -> Any:
        """Combined: (n_labels, 2) uint64, each label's POS and MORPH string ids. Per feature:
        the feature groups, which `annotation_rows` reads each word's choices through."""
        if self.per_feature:
            return self._groups()
        rows = [self._string_ids(*split_combined(label)) for label in self._labels]
        return numpy.asarray(rows, dtype="uint64").reshape((-1, 2))

    def annotation_rows(self, probs: Any, table: Any) -> numpy.ndarray:
        """The POS and MORPH string ids of each scored word (per feature: each group's best
        label, joined; each distinct combination is interned once)."""
        if not self.per_feature:
            return super().annotation_rows(probs, table)
        choices = table.best(self.require_model().ops.to_numpy(probs))
        if not len(choices):
            return numpy.zeros((0, 2), dtype="uint64")
        unique, inverse = numpy.unique(choices, axis=0, return_inverse=True)
        ids = numpy.asarray([self._string_ids(*table.annotation(row)) for row in unique], dtype="uint64")
        return ids[inverse.reshape(-1)]

    def _string_ids(self, pos: str | None, feats: str) -> tuple[int, int]:
        strings = self.vocab.strings
        return (strings.add(pos) if pos else 0), strings.add(feats)

    # ---- learning ------------------------------------------------------------------------------

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """Cross-entropy against the gold (per feature: summed over the groups' softmaxes);
        unknown gold (None) costs nothing."""
        if not self.per_feature:
            return super().get_loss(examples, scores)
        groups = self._groups()
        gold = self._feature_gold(groups, examples)
        flat, lengths = self.flat_scores(scores, len(gold))
        smoothing = float(self.cfg.get("label_smoothing", 0.0))
        d_flat, loss = groups.loss(self.require_model().ops, flat, gold, smoothing=smoothing)
        return loss, self.split_gradient(d_flat, lengths, int((gold >= 0).any(axis=1).sum()))

    def known_tokens(self, examples: Sequence[Any]) -> int:
        """Per feature: the tokens with a gold value of any feature."""
        if not self.per_feature:
            return super().known_tokens(examples)
        return int((self._feature_gold(self._groups(), examples) >= 0).any(axis=1).sum())

    def _feature_gold(self, groups: FeatureGroups, examples: Sequence[Any]) -> numpy.ndarray:
        """(n_tokens, n_features) gold value ids of every predicted token (-1: unknown)."""
        parts = [self._feature_targets(groups, i, example) for i, example in enumerate(examples)]
        return numpy.concatenate(parts) if parts else numpy.zeros((0, len(groups.names)), dtype="int64")

    def _feature_targets(self, groups: FeatureGroups, i: int, example: Any) -> numpy.ndarray:
        try:
            return groups.targets(aligned_morphology(example))
        except KeyError as err:
            raise self.unknown_label_error(i, example, err.args[0]) from None
