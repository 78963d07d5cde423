"""Tagger: predicts each token's fine-grained tag; the tag map gives its POS and features."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy
from thinc.api import Model

from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight

from ..component_registry import register_component
from ..ml import build_tagger_model, categorical_loss
from ._chunks import windows
from .base import TOK2VEC_DEFAULTS, TrainablePipe


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
class Tagger(TrainablePipe):
    """Softmax over fine-grained tags from the component's own tok2vec.

    `add_label(tag, values)` also puts `values` (e.g. {"pos": "NOUN"}) into `vocab.tag_map`,
    so predicted tokens get `pos_` and `morph_` as well as `tag_`.
    """

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "normalize_loss": False,
    }

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

    def build_model(self) -> Model:
        self._check_labels()
        return build_tagger_model(self.build_tok2vec(), n_tags=len(self._labels))

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        """Set TAG (the argmax) and, for tags in the tag map, POS and MORPH."""
        table = self._annotation_table()
        for doc, probs in zip(docs, predictions):
            if len(doc):
                doc.from_array(["TAG", "POS", "MORPH"], table[self._best(probs)])

    def annotate_long(self, doc: Any) -> None:
        """Tag a long doc window by window (each token's tag is the one the whole doc gives it:
        see _chunks); only the best tag of each token is kept between windows."""
        model = self.require_model()
        source = self.row_source(doc)
        best = numpy.empty(len(doc), dtype="int64")
        for start, end in windows(len(doc), self.chunk_tokens):
            best[start:end] = self._best(self.predict_rows(model, doc, source, start, end))
        doc.from_array(["TAG", "POS", "MORPH"], self._annotation_table()[best])

    def _best(self, probs: Any) -> numpy.ndarray:
        """The index of each row's best tag, as an int64 numpy array."""
        return self.require_model().ops.to_numpy(probs.argmax(axis=1)).astype("int64")

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

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """Categorical cross-entropy; tokens whose gold tag is unknown (None) are masked."""
        index = {label: i for i, label in enumerate(self._labels)}
        gold: list[int] = []
        for i, example in enumerate(examples):
            for tag in example.get_aligned("TAG"):
                if tag is None:
                    gold.append(-1)
                elif tag in index:
                    gold.append(index[tag])
                else:
                    raise ValueError(
                        f"{self.name}: example {i} ({getattr(example, 'where', 'example')}) has tag "
                        f"{tag!r} that is not a label of the tagger {list(self._labels)}; add it with "
                        "add_label() or pass the examples to begin_training()"
                    )
        ops = self.require_model().ops
        lengths = [len(s) for s in scores]
        if sum(lengths) != len(gold):
            raise ValueError(f"{self.name}: {sum(lengths)} scored tokens but {len(gold)} gold tags")
        flat = ops.xp.concatenate(scores) if scores else ops.alloc2f(0, len(self._labels))
        d_flat, loss = categorical_loss(flat, ops.asarray(numpy.asarray(gold, dtype="int64")))
        if self.cfg.get("normalize_loss"):
            d_flat /= max(1, sum(g >= 0 for g in gold))
        d_scores = []
        start = 0
        for n in lengths:
            d_scores.append(d_flat[start : start + n])
            start += n
        return loss, d_scores
