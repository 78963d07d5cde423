"""Tagger: predicts each token's fine-grained tag; the tag map gives its POS and features."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy

from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight

from ..component_registry import register_component
from ._token_classifier import TokenClassifier
from .base import TOK2VEC_DEFAULTS


def gold_tags(example: Any) -> list[str]:
    """The tags of an Example's gold (aligned to its predicted words)."""
    return [tag for tag in example.get_aligned("TAG") if tag]


@register_component(
    "tagger", annotation="tags", label_kind="tags", gold_labels=gold_tags, max_batch_size=32,
    loss_header="Tag Loss", columns=(ScoreColumn("Tag %", ("tag_acc",)),),
    score_weights=(ScoreWeight(("tag_acc",)),), token_level=True,
    curves=(ScoreCurve("Tagger", (("tag_acc", "Tag %"), ("pos_acc", "POS %"), ("morph_acc", "Morph %"))),),
    tables=("tag_per_label", "tag_confusions"),
    evaluate_rows=(("tag_acc", "Tag %"), ("pos_acc", "POS %"), ("morph_acc", "Morph %")),
)
class Tagger(TokenClassifier):
    """Softmax over fine-grained tags from the component's own tok2vec.

    `add_label(tag, values)` also puts `values` (e.g. {"pos": "NOUN"}) into `vocab.tag_map`,
    so predicted tokens get `pos_` and `morph_` as well as `tag_`.
    """

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "normalize_loss": False,
        "label_smoothing": 0.0,
        "hidden_width": 0,
    }
    annotation_attrs = ("TAG", "POS", "MORPH")
    label_noun = "tag"

    def add_label(self, label: str, values: Mapping[str, str] | None = None) -> int:
        """Add tag `label`; with `values` (a tag map entry), add it to the vocab's tag map too."""
        if values is not None:
            if self.vocab.tag_map is None:
                from nlp_vocab import TagMap

                self.vocab.tag_map = TagMap()
            try:
                self.vocab.tag_map.add_label(label, values)
            except ValueError as err:
                raise ValueError(f"{self.name}.add_label({label!r}): {err}") from None
        return super().add_label(label)

    def gold_per_token(self, example: Any) -> list[str | None]:
        """The gold tag of each predicted token (None: unknown)."""
        return example.get_aligned("TAG")

    def _annotation_table(self) -> numpy.ndarray:
        """(n_labels, 3) uint64: the TAG, POS and MORPH string ids of each label (0: unknown)."""
        strings = self.vocab.strings
        tag_map = self.vocab.tag_map
        rows = []
        for label in self._labels:
            pos = morph = 0
            if tag_map is not None and label in tag_map:
                pos = strings.add(tag_map.pos_of(label))
                feats = tag_map.morph_of(label)
                morph = strings.add(feats) if feats else 0
            rows.append((strings.add(label), pos, morph))
        return numpy.asarray(rows, dtype="uint64").reshape((-1, 3))
