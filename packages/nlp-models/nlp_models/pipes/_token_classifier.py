"""TokenClassifier: a softmax over labels for every token, the machinery the tagger and the
morphologizer share.

A subclass says which gold label each predicted token has (`gold_per_token`), which doc
attributes a label sets and their string ids (`annotation_attrs`, `_annotation_table`); this
base builds the model (the tagger architecture: tok2vec, then a softmax per token, with cfg
`hidden_width` a maxout layer between them), scores it (cross-entropy, towards targets smoothed
by cfg `label_smoothing`; a token whose gold is unknown costs nothing) and writes the best
label's attributes onto docs, window by window for a long doc so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy
from thinc.api import Model

from ..ml import build_tagger_model, categorical_loss
from ._chunks import windows
from .base import TrainablePipe


class TokenClassifier(TrainablePipe):
    """A per-token softmax over `labels`, from the component's own tok2vec or a shared one."""

    #: The doc attributes a label sets, in the column order of `_annotation_table`.
    annotation_attrs: tuple[str, ...] = ()
    #: What one gold label is called in errors ("tag").
    label_noun: str = "label"

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        super().__init__(vocab, name=name, **cfg)
        check_head_cfg(self.cfg, self.name)  # now, not at the first update

    # ---- subclass hooks ------------------------------------------------------------------------

    def gold_per_token(self, example: Any) -> list[str | None]:
        """The gold label of each predicted token of `example` (None: unknown)."""
        raise NotImplementedError(f"{type(self).__name__} must define gold_per_token()")

    def _annotation_table(self) -> Any:
        """What `annotation_rows` reads the annotation from, made once per call (interning
        strings costs): by default an (n_labels, len(annotation_attrs)) uint64 array of the
        string ids each label sets (0: unset)."""
        raise NotImplementedError(f"{type(self).__name__} must define _annotation_table()")

    # ---- model and annotation ---------------------------------------------------------------

    def build_model(self) -> Model:
        self._check_labels()
        hidden = int(self.cfg.get("hidden_width", 0))
        return build_tagger_model(self.build_tok2vec(), n_tags=len(self._labels), hidden_width=hidden)

    def annotation_rows(self, probs: Any, table: Any) -> numpy.ndarray:
        """The `annotation_attrs` values of each scored token: its best label's row of `table`
        (what `_annotation_table` made)."""
        return table[self._best(probs)]

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        """Write each token's `annotation_attrs` from its scores."""
        attrs = list(self.annotation_attrs)
        table = self._annotation_table()
        for doc, probs in zip(docs, predictions):
            if len(doc):
                doc.from_array(attrs, self.annotation_rows(probs, table))

    def annotate_long(self, doc: Any) -> None:
        """Annotate a long doc window by window (each token's scores are the ones the whole doc
        gives it: see _chunks); only the annotation of each window is kept between windows."""
        model = self.require_model()
        source = self.row_source(doc)
        table = self._annotation_table()
        rows = numpy.zeros((len(doc), len(self.annotation_attrs)), dtype="uint64")
        for start, end in windows(len(doc), self.chunk_tokens):
            rows[start:end] = self.annotation_rows(self.predict_rows(model, doc, source, start, end), table)
        doc.from_array(list(self.annotation_attrs), rows)

    def _best(self, probs: Any) -> numpy.ndarray:
        """The index of each row's best label, as an int64 numpy array."""
        return self.require_model().ops.to_numpy(probs.argmax(axis=1)).astype("int64")

    # ---- learning ------------------------------------------------------------------------------

    def gold_ids(self, examples: Sequence[Any]) -> list[int]:
        """The label index of every predicted token of `examples` in order (-1: unknown); a
        ValueError naming the example for a gold label the component does not have."""
        index = self.gold_index()
        gold: list[int] = []
        for i, example in enumerate(examples):
            for label in self.gold_per_token(example):
                if label is None:
                    gold.append(-1)
                elif label in index:
                    gold.append(index[label])
                else:
                    raise self.unknown_label_error(i, example, self.label_of_gold(label))
        return gold

    def gold_index(self) -> Mapping[str, int]:
        """The index of each value `gold_per_token` gives: the labels' by default."""
        return {label: i for i, label in enumerate(self._labels)}

    def label_of_gold(self, gold: str) -> str:
        """The label a gold value names, for errors: the value itself by default."""
        return gold

    def unknown_label_error(self, i: int, example: Any, label: str) -> ValueError:
        """The error for example `i`, whose gold has `label`, which the component lacks."""
        return ValueError(
            f"{self.name}: example {i} ({getattr(example, 'where', 'example')}) has "
            f"{self.label_noun} {label!r} that is not a label of the {self.factory} "
            f"{list(self._labels)}; add it with add_label() or pass the examples to "
            "begin_training()"
        )

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """Categorical cross-entropy, towards targets smoothed by cfg `label_smoothing` (0: one-hot);
        tokens whose gold label is unknown (None) are masked."""
        gold = self.gold_ids(examples)
        flat, lengths = self.flat_scores(scores, len(gold))
        ops = self.require_model().ops
        smoothing = float(self.cfg.get("label_smoothing", 0.0))
        d_flat, loss = categorical_loss(flat, ops.asarray(numpy.asarray(gold, dtype="int64")), smoothing=smoothing)
        return loss, self.split_gradient(d_flat, lengths, sum(g >= 0 for g in gold))

    def flat_scores(self, scores: Any, n_gold: int) -> tuple[Any, list[int]]:
        """The per-doc `scores` as one array, and each doc's length; a ValueError unless they
        hold `n_gold` tokens."""
        ops = self.require_model().ops
        lengths = [len(s) for s in scores]
        if sum(lengths) != n_gold:
            raise ValueError(f"{self.name}: {sum(lengths)} scored tokens but {n_gold} gold {self.label_noun}s")
        return (ops.xp.concatenate(scores) if scores else ops.alloc2f(0, len(self._labels))), lengths

    def split_gradient(self, d_flat: Any, lengths: Sequence[int], n_known: int) -> list[Any]:
        """The gradient of `flat_scores` per doc; divided by the `n_known` tokens with gold
        when cfg normalize_loss is set (or by the whole batch's count: `normalized_by`)."""
        if self.cfg.get("normalize_loss"):
            d_flat /= max(1.0, self.batch_count(n_known))
        return split_rows(d_flat, lengths)

    def loss_normalizer(self, examples: Sequence[Any]) -> float | None:
        """The tokens with gold when cfg normalize_loss is set (the loss is their mean); else
        None (a sum)."""
        if not self.cfg.get("normalize_loss"):
            return None
        return float(self.known_tokens(examples))  # 0 too: the shards' counts add up (update divides by at least 1)

    def known_tokens(self, examples: Sequence[Any]) -> int:
        """How many predicted tokens of `examples` have a gold label."""
        return sum(g >= 0 for g in self.gold_ids(examples))


def split_rows(flat: Any, lengths: Sequence[int]) -> list[Any]:
    """`flat` cut into consecutive blocks of `lengths` rows (one per doc)."""
    out = []
    start = 0
    for n in lengths:
        out.append(flat[start : start + n])
        start += n
    return out


def check_head_cfg(cfg: dict[str, Any], name: str) -> None:
    """A ValueError naming component `name` unless cfg label_smoothing is in [0, 1) and
    hidden_width is a whole number >= 0 (None is taken as 0: no hidden layer)."""
    smoothing = cfg.get("label_smoothing", 0.0)
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or not 0.0 <= smoothing < 1.0:
        raise ValueError(f"{name}: cfg label_smoothing must be a number in [0, 1), got {smoothing!r}")
    if "hidden_width" in cfg and cfg["hidden_width"] is None:
        cfg["hidden_width"] = 0
    width = cfg.get("hidden_width", 0)
    if isinstance(width, bool) or not isinstance(width, int) or width < 0:
        raise ValueError(f"{name}: cfg hidden_width must be a whole number >= 0, got {width!r}")
