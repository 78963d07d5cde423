"""A biaffine graph-based dependency parser on a tok2vec (Dozat & Manning 2017).

The encoder (tok2vec, then one ReLU layer split four ways, and a linear sentence-start logit)
gives every token an arc-dependent and an arc-head representation, a label-dependent and a
label-head one, and a logit for "a sentence starts here". Per sentence the arc scorer gives
`scores[d, h] = dep_d U head_h + head_h w` for every word d and every candidate head h (h = 0
is a learned root vector), plus `dep_d E[h - d] + e[h - d]`, a learned preference for each
offset (a window CNN's vectors do not know where in the sentence they are; Dozat & Manning's
BiLSTM did); the label scorer gives, for each word and one head,
`dep U_k head + V_k [dep; head] + b_k` for every label k (both in `biaffine_scorers.py`).
In training the labels are scored
against the gold heads; at inference the sentences come from the start logits and the heads
from maximum spanning tree decoding (`mst.py`), so non-projective trees come out directly.

The model reads a `ParseBatch` (or a plain list of the docs' inputs: everything predicted) and
returns `ParseScores`; its backward pass takes `ParseGrads` (see `parse_loss`). Sentences are
scored in groups of similar length padded to one (B, L, L+1) tensor: a few matrix products per
group, no Python loop over tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from thinc.api import Linear, Model, Relu, chain, concatenate, get_array_module, with_array

from .biaffine_scorers import (
    ArcGroup,
    build_biaffine_arc_scorer,
    build_biaffine_label_scorer,
    length_groups,
)
from .losses import categorical_loss
from .mst import mst_heads
from .registry import architectures
from .tok2vec import set_ops

#: Longest sentence decoded whole, unless the input says otherwise (see `split_sentences`).
MAX_SENTENCE_LENGTH = 200


@dataclass
class ParseBatch:
    """The model's input: each doc's model input, and what to score instead of predicting it.

    `spans`: the sentences, as [start, end) rows over all the docs' tokens in order (None: cut
    where the start logits say, none longer than `max_length`). `heads`: (n_tokens,) the row
    of each token's head, -1 for the root, that its labels are scored against (None: the
    decoded tree's)."""

    X: list
    spans: list[tuple[int, int]] | None = None
    heads: Any = None
    max_length: int = MAX_SENTENCE_LENGTH


@dataclass
class ParseScores:
    """The model's output: `lengths` (tokens per doc), `spans` (sentences), `sent_logits`
    (n_tokens,), `groups` with their `arcs` (B, L, L+1: column 0 the root, j the group's
    word j-1 of the sentence), the `heads` the `labels` (n_tokens, n_labels) were scored for."""

    lengths: list[int]
    spans: list[tuple[int, int]]
    sent_logits: Any
    groups: list[ArcGroup]
    arcs: list
    heads: Any
    labels: Any


@dataclass
class ParseGrads:
    """The gradient of a `ParseScores`' sent_logits, arcs and labels."""

    sent_logits: Any
    arcs: list
    labels: Any


# ---- sentences -------------------------------------------------------------------------------


def split_sentences(starts: Any, offset: int, max_length: int, priority: Any = None) -> list[tuple[int, int]]:
    """The sentences of one doc whose tokens are rows offset.. (`starts`: bool per token; the
    first token always starts one). A sentence longer than `max_length` is cut where
    `priority` (e.g. the start logits) is highest in its middle half, until none is: the
    decoder's cost grows with the cube of the length."""
    if max_length < 1:
        raise ValueError(f"split_sentences: max_length must be >= 1, got {max_length}")
    n = len(starts)
    if not n:
        return []
    bounds = numpy.flatnonzero(numpy.asarray(starts, dtype=bool)).tolist()
    if not bounds or bounds[0] != 0:
        bounds.insert(0, 0)
    pending = list(zip(bounds, bounds[1:] + [n]))[::-1]
    out = []
    while pending:
        start, end = pending.pop()
        if end - start <= max_length:
            out.append((start + offset, end + offset))
            continue
        lo, hi = start + max(1, (end - start) // 4), end - (end - start) // 4
        cut = lo + (int(numpy.argmax(priority[lo:hi])) if priority is not None else 0)
        pending += [(cut, end), (start, cut)]
    return out


def sentence_spans(logits: Any, lengths: Sequence[int], max_length: int) -> list[tuple[int, int]]:
    """The sentences of every doc from the start logits (n_tokens,) of all of them."""
    logits = numpy.asarray(logits, dtype="float32")
    out: list[tuple[int, int]] = []
    offset = 0
    for n in lengths:
        doc_logits = logits[offset : offset + n]
        out += split_sentences(doc_logits > 0, offset, max_length, doc_logits)
        offset += n
    return out


# ---- the parser model ----------------------------------------------------------------------


@architectures("nlp.BiaffineParser.v1")
def build_biaffine_parser_model(
    tok2vec: Model,
    arc_width: int = 128,
    label_width: int = 64,
    n_labels: int | None = None,
    dropout: float | None = None,
    distance: int = 20,
) -> Model:
    """ParseBatch (or a list of the docs' model inputs) -> ParseScores (see the module doc).

    Refs: tok2vec, encoder (tok2vec + the token layers: list in, (n, 2*arc_width +
    2*label_width + 1) arrays out), arc_scorer, label_scorer."""
    for name, value in (("arc_width", arc_width), ("label_width", label_width)):
        if value < 1:
            raise ValueError(f"biaffine parser: {name} must be >= 1, got {value}")
    width = tok2vec.get_dim("nO")
    token_layers = concatenate(Relu(2 * arc_width + 2 * label_width, width, dropout=dropout), Linear(1, width))
    encoder = chain(tok2vec, with_array(token_layers))
    arcs = build_biaffine_arc_scorer(arc_width, distance)
    labels = build_biaffine_label_scorer(label_width, n_labels)
    model = Model(
        "biaffine_parser", _forward, init=_init, layers=[encoder, arcs, labels], dims={"nO": n_labels},
        refs={"tok2vec": tok2vec, "encoder": encoder, "arc_scorer": arcs, "label_scorer": labels},
        attrs={"arc_width": arc_width, "label_width": label_width},
    )
    return set_ops(model, tok2vec.ops)


def _init(model: Model, X: Any = None, Y: Any = None) -> None:
    if not model.get_ref("label_scorer").has_dim("nO"):
        raise ValueError("biaffine parser: set the number of labels before initialize")
    model.get_ref("encoder").initialize(X=X.X if isinstance(X, ParseBatch) else X)
    model.get_ref("arc_scorer").initialize()
    model.get_ref("label_scorer").initialize()


def _forward(model: Model, batch: Any, is_train: bool) -> tuple[ParseScores, Callable]:
    if not isinstance(batch, ParseBatch):
        batch = ParseBatch(list(batch))
    ops = model.ops
    encoded, backprop_encoder = model.get_ref("encoder")(batch.X, is_train)
    lengths = [len(rows) for rows in encoded]
    rows = ops.xp.concatenate(encoded) if encoded else ops.alloc2f(0, _row_width(model))
    spans = batch.spans
    if spans is None:
        spans = sentence_spans(ops.to_numpy(rows[:, -1]), lengths, batch.max_length)
    scores, backprop_rows = score_rows(model, rows, lengths, spans, batch.heads, is_train)

    def backprop(d_scores: ParseGrads) -> Any:
        d_rows = backprop_rows(d_scores)
        return backprop_encoder(list(ops.xp.split(d_rows, numpy.cumsum(lengths)[:-1].tolist())) if lengths else [])

    return scores, backprop


def _row_width(model: Model) -> int:
    return 2 * model.attrs["arc_width"] + 2 * model.attrs["label_width"] + 1


def score_rows(
    model: Model, rows: Any, lengths: Sequence[int], spans: Sequence[tuple[int, int]], heads: Any = None,
    is_train: bool = False,
) -> tuple[ParseScores, Callable]:
    """Score the encoder's rows (n_tokens, width) of docs of `lengths` tokens, cut into the
    sentences `spans`: labels for `heads`, or for the decoded trees' heads."""
    ops = model.ops
    A, L = model.attrs["arc_width"], model.attrs["label_width"]
    groups = length_groups(spans, ops.xp)
    arcs, backprop_arcs = model.get_ref("arc_scorer")((rows[:, :A], rows[:, A : 2 * A], groups), is_train)
    if heads is None:
        heads = decode_heads(ops, arcs, groups, len(rows))
    heads = ops.xp.asarray(heads, dtype="int64")
    label_rows = (rows[:, 2 * A : 2 * A + L], rows[:, 2 * A + L : 2 * A + 2 * L], heads)
    labels, backprop_labels = model.get_ref("label_scorer")(label_rows, is_train)

    def backprop(d: ParseGrads) -> Any:
        d_rows = ops.alloc2f(*rows.shape)
        d_rows[:, -1] = d.sent_logits
        d_rows[:, :A], d_rows[:, A : 2 * A] = backprop_arcs(d.arcs)
        d_rows[:, 2 * A : 2 * A + L], d_rows[:, 2 * A + L : 2 * A + 2 * L] = backprop_labels(d.labels)
        return d_rows

    return ParseScores(list(lengths), list(spans), rows[:, -1], groups, arcs, heads, labels), backprop


def decode_heads(ops: Any, arcs: list, groups: list[ArcGroup], n_tokens: int) -> numpy.ndarray:
    """(n_tokens,) int64: each token's head row in its sentence's maximum spanning tree (-1:
    the root), from the arc scores of each group."""
    heads = numpy.full(n_tokens, -1, dtype="int64")
    for group, scores in zip(groups, arcs):
        scores = ops.to_numpy(scores)
        rows, sizes = ops.to_numpy(group.rows), ops.to_numpy(group.mask).sum(axis=1)
        for b, m in enumerate(sizes.tolist()):
            matrix = numpy.zeros((m + 1, m + 1), dtype="float32")
            matrix[1:] = scores[b, :m, : m + 1]
            tree = mst_heads(matrix)[1:]
            heads[rows[b, :m]] = numpy.where(tree > 0, rows[b, 0] + tree - 1, -1)
    return heads


# ---- the loss ------------------------------------------------------------------------------


def parse_loss(scores: ParseScores, heads: Any, labels: Any, starts: Any) -> tuple[float, ParseGrads]:
    """Summed cross-entropies of the heads, the labels and the sentence starts, and their
    gradient. `heads` (n_tokens,): the gold head row (-1: the root; -2: unknown, as is a head
    outside the token's sentence in `scores.spans`); `labels`: gold label ids (-1 unknown; a
    label is only learnt where `scores.heads` is the gold head); `starts`: 1, 0, or -1 unknown."""
    xp = get_array_module(scores.sent_logits)
    heads = xp.asarray(heads, dtype="int64")
    loss = 0.0
    d_arcs = []
    columns = _gold_columns(scores.spans, heads, xp)
    for group, arc_scores in zip(scores.groups, scores.arcs):
        B, L, _ = arc_scores.shape
        gold = xp.where(group.mask, columns[group.rows], -1).reshape(-1)
        d, part = categorical_loss(_softmax(arc_scores.reshape(B * L, L + 1), xp), gold)
        d_arcs.append(d.reshape(B, L, L + 1))
        loss += part
    labels = xp.where(scores.heads == heads, xp.asarray(labels, dtype="int64"), -1)
    d_labels, part = categorical_loss(_softmax(scores.labels, xp), labels)
    d_starts, start_loss = _start_loss(scores.sent_logits, xp.asarray(starts), xp)
    return loss + part + start_loss, ParseGrads(d_starts, d_arcs, d_labels)


def _gold_columns(spans: Sequence[tuple[int, int]], heads: Any, xp: Any) -> Any:
    """(n_tokens,) the column of each token's gold head in its sentence's arc scores (0: the
    root, j: the sentence's word j-1; -1: unknown or outside the sentence)."""
    first = numpy.zeros(len(heads), dtype="int64")
    last = numpy.zeros(len(heads), dtype="int64")
    for start, end in spans:
        first[start:end] = start
        last[start:end] = end
    first, last = xp.asarray(first), xp.asarray(last)
    inside = (heads >= first) & (heads < last)
    return xp.where(heads == -1, 0, xp.where(inside, heads - first + 1, -1))


def _softmax(scores: Any, xp: Any) -> Any:
    exp = xp.exp(scores - scores.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def _start_loss(logits: Any, gold: Any, xp: Any) -> tuple[Any, float]:
    """Logistic loss of the sentence-start logits against gold 1/0 (-1: not learnt)."""
    known = gold >= 0
    target = (gold == 1).astype("float32")
    probs = 0.5 * (1.0 + xp.tanh(0.5 * logits))  # the sigmoid, without overflow
    d = ((probs - target) * known).astype("float32")
    loss = xp.logaddexp(0.0, -logits * (2 * target - 1)) * known
    return d, float(loss.sum())
