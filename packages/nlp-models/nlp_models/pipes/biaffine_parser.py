"""BiaffineParser: a graph-based dependency parser (Dozat & Manning 2017) with maximum spanning
tree decoding, beside the arc-eager `parser`.

Every word scores every candidate head of its sentence at once (`ml/biaffine.py`); the best
tree with one root is decoded by Chu-Liu/Edmonds (`ml/mst.py`), so non-projective trees come
out directly and the gold trees are learnt as they are (no projectivization). A logistic
sentence-start head on the same token vectors, trained from the gold sentences, splits raw
text into the sentences that are decoded, so the component also sets sentence boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from thinc.api import Model

from ..component_registry import register_component
from ..ml.biaffine import (
    MAX_SENTENCE_LENGTH,
    ParseBatch,
    ParseGrads,
    ParseScores,
    build_biaffine_parser_model,
    parse_loss,
    score_rows,
    sentence_spans,
    split_sentences,
)
from ..ml.biaffine_scorers import resize_labels
from ._dependencies import DEPENDENCY_SPEC, write_parse
from .base import TOK2VEC_DEFAULTS, TrainablePipe


@dataclass
class ParseGold:
    """The gold of a batch, one entry per token of all its docs in order: `heads` (the head's
    row, -1 for a root, -2 unknown), `labels` (label ids, -1 unknown), `starts` (1 starts a
    sentence, 0 not, -1 unknown), and the gold sentences `spans`."""

    heads: numpy.ndarray
    labels: numpy.ndarray
    starts: numpy.ndarray
    spans: list[tuple[int, int]]


@register_component("biaffine_parser", max_batch_size=16, **DEPENDENCY_SPEC)
class BiaffineParser(TrainablePipe):
    """Predicts heads, dependency labels and sentence starts with biaffine scores and MST
    decoding.

    cfg (besides the tok2vec's): arc_width (128) and label_width (64), the widths of the
    arc and label representations; arc_distance (20): the arc scores' relative-position term
    tells offsets up to this far apart (see `build_biaffine_arc_scorer`); max_sentence_length
    (200): a longer sentence is cut where a sentence start is likeliest before it is decoded
    (decoding costs up to the cube of the length). Labels are the gold's; one met later in
    training is added. Sentence starts are learnt from training docs of several sentences.
    """

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "arc_width": 128,
        "label_width": 64,
        "arc_distance": 20,
        "max_sentence_length": MAX_SENTENCE_LENGTH,
    }

    def build_model(self) -> Model:
        self._check_labels()
        cfg = self.cfg
        if self.max_sentence_length < 1:
            raise ValueError(f"max_sentence_length must be >= 1, got {self.max_sentence_length}")
        return build_biaffine_parser_model(
            self.build_tok2vec(),
            arc_width=int(cfg["arc_width"]),
            label_width=int(cfg["label_width"]),
            n_labels=len(self._labels),
            dropout=cfg.get("dropout"),
            distance=int(cfg["arc_distance"]),
        )

    def resize_model(self, n_labels: int) -> None:
        assert self.model is not None
        resize_labels(self.model, n_labels)

    @property
    def max_sentence_length(self) -> int:
        return int(self.cfg.get("max_sentence_length", MAX_SENTENCE_LENGTH))

    def predict(self, docs: Sequence[Any]) -> ParseScores:
        """The sentences, trees and scores of `docs` (nothing is set on them)."""
        return self.require_model().predict(ParseBatch(self.model_input(docs), max_length=self.max_sentence_length))

    # ---- gold ----------------------------------------------------------------------------------

    def gold_of(self, examples: Sequence[Any]) -> ParseGold:
        """The gold trees, labels and sentences of `examples` (a label not known yet is added)."""
        parts = []
        offset = 0
        for example in examples:
            parts.append(self._doc_gold(example, offset))
            offset += len(example.predicted)
        if not parts:
            empty = numpy.zeros(0, dtype="int64")
            return ParseGold(empty, empty, empty, [])
        heads, labels, starts, spans = zip(*parts)
        return ParseGold(numpy.concatenate(heads), numpy.concatenate(labels), numpy.concatenate(starts),
                         [span for doc_spans in spans for span in doc_spans])

    def _doc_gold(self, example: Any, offset: int) -> tuple:
        heads, deps = example.get_aligned_parse(projectivize=False)
        n = len(heads)
        for dep in _unknown_labels(heads, deps, set(self._labels)):
            self.add_label(dep)
        index = {label: i for i, label in enumerate(self._labels)}
        tokens = numpy.arange(n)
        head_ids = numpy.asarray([-2 if h is None else h for h in heads], dtype="int64").reshape(n)
        rows = numpy.where(head_ids == tokens, -1, numpy.where(head_ids >= 0, head_ids + offset, -2))
        labels = numpy.asarray([index[d] if h is not None and d else -1 for h, d in zip(heads, deps)], dtype="int64")
        gold_starts = example.get_aligned_sent_starts()
        starts = numpy.asarray([-1 if s is None else int(bool(s)) for s in gold_starts], dtype="int64").reshape(n)
        if n:
            starts[0] = -1  # the first token always starts a sentence: nothing to learn
        spans = split_sentences(starts == 1, offset, self.max_sentence_length)
        return rows, labels.reshape(n), starts, spans

    def new_labels(self, examples: Sequence[Any]) -> list[str]:
        """The labels `update` on `examples` would add (the gold's, as they are), in the order
        it adds them (first seen first); none is added here."""
        known = set(self._labels)
        found: list[str] = []
        for example in examples:
            found.extend(_unknown_labels(*example.get_aligned_parse(projectivize=False), known))
        return found

    # ---- learning ------------------------------------------------------------------------------

    def training_input(self, examples: Sequence[Any]) -> ParseBatch:
        """The docs' inputs with their gold sentences, and the gold heads to score labels for
        (an unknown head: the root, its label is not learnt)."""
        gold = self.gold_of(examples)
        X = self.model_input([eg.predicted for eg in examples])
        return ParseBatch(X, spans=gold.spans, heads=numpy.maximum(gold.heads, -1))

    def get_loss(self, examples: Sequence[Any], scores: ParseScores) -> tuple[float, ParseGrads]:
        """Cross-entropy of each word's head among its sentence's words and the root, of its
        label, and of the sentence starts, summed (unknown gold costs nothing)."""
        gold = self.gold_of(examples)
        if len(gold.heads) != len(scores.heads):
            raise ValueError(f"{self.name}: {len(scores.heads)} scored tokens but {len(gold.heads)} gold ones")
        return parse_loss(scores, gold.heads, gold.labels, gold.starts)

    def rehearsal_input(self, X: Any, target: ParseScores) -> ParseBatch:
        """Score the snapshot's sentences and trees, so the two outputs have one shape."""
        return ParseBatch(X, spans=target.spans, heads=target.heads)

    @staticmethod
    def _rehearsal_gradient(scores: ParseScores, target: ParseScores) -> tuple[ParseGrads, float]:
        grads = ParseGrads(scores.sent_logits - target.sent_logits,
                           [s - t for s, t in zip(scores.arcs, target.arcs)], scores.labels - target.labels)
        parts = [grads.sent_logits, grads.labels, *grads.arcs]
        return grads, float(sum(float((g**2).sum()) for g in parts))

    # ---- annotation ----------------------------------------------------------------------------

    def set_annotations(self, docs: Sequence[Any], scores: ParseScores) -> None:
        """Write heads, labels and sentence starts (the decoded sentences) onto the docs."""
        ops = self.require_model().ops
        heads = ops.to_numpy(scores.heads)
        labels = self._label_ids()[ops.to_numpy(scores.labels.argmax(axis=1))]
        starts = numpy.zeros(len(heads), dtype=bool)
        starts[[start for start, _ in scores.spans]] = True
        offset = 0
        for doc, n in zip(docs, scores.lengths):
            if n:
                self._write(doc, heads[offset : offset + n] - offset, labels[offset : offset + n],
                            starts[offset : offset + n])
            offset += n

    def _label_ids(self) -> numpy.ndarray:
        strings = self.vocab.strings
        return numpy.asarray([strings.add(label) for label in self._labels], dtype="uint64")

    @staticmethod
    def _write(doc: Any, heads: numpy.ndarray, dep_ids: numpy.ndarray, starts: numpy.ndarray) -> None:
        """`heads`: each token's head index in `doc` (negative: a root)."""
        write_parse(doc, numpy.where(heads < 0, numpy.arange(len(heads)), heads), dep_ids, starts)

    def annotate_long(self, doc: Any) -> None:
        """Annotate a doc longer than `chunk_tokens` window by window: each window's token
        vectors are those of the whole doc (see _chunks); its sentences but the last, which
        may go on, are decoded, and the next window starts at that last sentence."""
        model = self.require_model()
        encoder, source, n = model.get_ref("encoder"), self.row_source(doc), len(doc)
        heads = numpy.zeros(n, dtype="int64")
        labels = numpy.zeros(n, dtype="uint64")
        starts = numpy.zeros(n, dtype=bool)
        label_ids = self._label_ids()
        start = 0
        while start < n:
            end = min(n, start + self.chunk_tokens)
            rows = self.predict_rows(encoder, doc, source, start, end)
            spans = sentence_spans(model.ops.to_numpy(rows[:, -1]), [end - start], self.max_sentence_length)
            if end < n and len(spans) > 1:
                spans = spans[:-1]
            stop = spans[-1][1]
            scores, _ = score_rows(model, rows[:stop], [stop], spans)
            local = model.ops.to_numpy(scores.heads)
            heads[start : start + stop] = numpy.where(local < 0, -1, local + start)
            labels[start : start + stop] = label_ids[model.ops.to_numpy(scores.labels.argmax(axis=1))]
            starts[[start + s for s, _ in spans]] = True
            start += stop
        self._write(doc, heads, labels, starts)


def _unknown_labels(heads: Sequence[int | None], deps: Sequence[str | None], known: set) -> list[str]:
    """The labels of the words with a gold head that `known` lacks, each once in the order met
    (so every process adds them alike); they are added to `known`."""
    found = []
    for head, dep in zip(heads, deps):
        if head is not None and dep and dep not in known:
            known.add(dep)
            found.append(dep)
    return found
