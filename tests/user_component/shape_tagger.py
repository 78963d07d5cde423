"""A user's trainable component, outside the packages: the proof that a component is one file.

`shape_tagger` learns each token's coarse part of speech (the UPOS column of CoNLL-U, an
Example's gold "pos") from a tok2vec of its own and writes it to `token.pos_`. Everything the
toolkit needs to know about it is declared once, in the `register_component` call: what it
learns from, its labels, its batch maximum, its table column and score weight, its row in
`nlp evaluate` and its own score, `shape_acc`. Nothing in the packages names it.

Make it available by importing this file (`nlp train --code shape_tagger.py ...`), or install
it with an entry point in the `nlp_models.components` group:

    [project.entry-points."nlp_models.components"]
    shape_tagger = "shape_tagger"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy
from thinc.api import Model

from nlp_models import TrainablePipe, register_component
from nlp_models.ml import build_tagger_model, categorical_loss
from nlp_models.pipes.base import TOK2VEC_DEFAULTS
from nlp_train import ScoreColumn, ScoreCurve, ScoreWeight

SCORE = "shape_acc"


def gold_pos(example: Any) -> list[str]:
    """The coarse POS of an Example's gold, per predicted token (unknown ones left out)."""
    return [pos for pos in example.get_aligned("POS") if pos]


def score_shapes(examples: Sequence[Any]) -> dict[str, float]:
    """`shape_acc`: the percentage of tokens with a known gold POS whose predicted POS is it
    (none when no token has one)."""
    right = known = 0
    for example in examples:
        for token, gold in zip(example.predicted, example.get_aligned("POS")):
            if gold:
                known += 1
                right += token.pos_ == gold
    return {SCORE: 100.0 * right / known} if known else {}


@register_component(
    "shape_tagger", annotation="coarse POS tags", label_kind="POS tags", gold_labels=gold_pos,
    max_batch_size=24, loss_header="Shape Loss", columns=(ScoreColumn("Shape %", (SCORE,)),),
    score_weights=(ScoreWeight((SCORE,)),), token_level=True,
    curves=(ScoreCurve("Shape tagger", ((SCORE, "Shape %"),)),),
    evaluate_rows=((SCORE, "Shape %"),), scorer=score_shapes, rare_label_count=3,
)
class ShapeTagger(TrainablePipe):
    """A softmax over the coarse POS labels, on the component's own tok2vec (or a shared one)."""

    default_cfg: dict[str, Any] = dict(TOK2VEC_DEFAULTS)

    def build_model(self) -> Model:
        if not self.labels:
            raise ValueError(f"{self.name}: no POS labels: give begin_training examples with a UPOS column")
        return build_tagger_model(self.build_tok2vec(), n_tags=len(self.labels))

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        """Write the most probable label of each token to its POS."""
        ops = self.require_model().ops
        ids = numpy.asarray([self.vocab.strings.add(label) for label in self.labels], dtype="uint64")
        for doc, probs in zip(docs, predictions):
            if len(doc):
                best = ops.to_numpy(probs.argmax(axis=1)).astype("int64")
                doc.from_array(["POS"], ids[best].reshape(-1, 1))

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """Cross-entropy against the gold POS; tokens without one (or with a POS the component
        has no label for) are left out."""
        index = {label: i for i, label in enumerate(self.labels)}
        gold = [index.get(pos, -1) if pos else -1 for eg in examples for pos in eg.get_aligned("POS")]
        ops = self.require_model().ops
        flat = ops.xp.concatenate(scores) if len(scores) else ops.alloc2f(0, len(self.labels))
        d_flat, loss = categorical_loss(flat, ops.asarray(numpy.asarray(gold, dtype="int64")))
        bounds = numpy.cumsum([len(s) for s in scores])[:-1]
        return loss, list(ops.xp.split(d_flat, bounds))
