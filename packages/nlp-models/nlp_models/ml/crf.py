"""A linear-chain CRF over BILUO entity tags: the tag lattice, the transition layer, the loss,
Viterbi decoding and each decoded entity's probability.

Tags: "O", then B-, I-, L-, U- of each entity label in label order (adding a label appends
four tags, so trained rows keep their place). Sequences that are not valid BILUO (an I after
an O, an entity left open at the end) are forbidden transitions: they score -inf and no path
takes them, in training, decoding and the marginals alike.

The kernels (forward-backward, Viterbi: `_crf.pyx`) run on numpy float64 arrays; emission
scores computed on a GPU are copied to the host for them, and gradients copied back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from thinc.api import Model

from ._crf import expected_counts, forward_backward
from .registry import architectures
from .tagger import build_token_scores_model
from .tok2vec import set_ops

PREFIXES = ("B", "I", "L", "U")
TRANSITIONS = "transitions"


class BiluoLattice:
    """The BILUO tags of `labels` and which tag may follow which."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = tuple(labels)
        self.tags = ("O", *(f"{p}-{label}" for label in self.labels for p in PREFIXES))
        self.index = {tag: i for i, tag in enumerate(self.tags)}
        n = len(self.tags)
        kind = ["O", *(p for _ in self.labels for p in PREFIXES)]
        owner = [-1, *(k for k in range(len(self.labels)) for _ in PREFIXES)]
        self.allowed = numpy.zeros((n, n), dtype="uint8")
        for i in range(n):
            for j in range(n):
                if kind[i] in ("B", "I"):  # inside an entity: continue or close the same one
                    self.allowed[i, j] = kind[j] in ("I", "L") and owner[j] == owner[i]
                else:
                    self.allowed[i, j] = kind[j] in ("O", "B", "U")
        self.start_ok = numpy.asarray([k in ("O", "B", "U") for k in kind], dtype="uint8")
        self.end_ok = numpy.asarray([k in ("O", "L", "U") for k in kind], dtype="uint8")

    def __len__(self) -> int:
        return len(self.tags)

    def mask(self, tag_ids: Sequence[int]) -> numpy.ndarray:
        """(len(tag_ids), n_tags) uint8: one-hot rows for known tags, all ones for -1."""
        ids = numpy.asarray(tag_ids, dtype="int64").reshape((-1,))
        out = numpy.ones((len(ids), len(self.tags)), dtype="uint8")
        known = ids >= 0
        out[known] = 0
        out[numpy.flatnonzero(known), ids[known]] = 1
        return out

    def entities(self, tag_ids: Sequence[int]) -> list[tuple[int, int, str]]:
        """(start, end, label) of the entities of a valid tag sequence."""
        out = []
        start = -1
        for t, tag_id in enumerate(tag_ids):
            tag = self.tags[int(tag_id)]
            if tag[0] in ("B", "U"):
                start = t
            if tag[0] in ("L", "U") and start >= 0:
                out.append((start, t + 1, tag[2:]))
                start = -1
        return out

    def span_tags(self, start: int, end: int, label: str) -> list[int]:
        """The tag ids that label tokens [start, end) as one entity of `label`."""
        if end - start == 1:
            return [self.index[f"U-{label}"]]
        inner = [self.index[f"I-{label}"]] * (end - start - 2)
        return [self.index[f"B-{label}"], *inner, self.index[f"L-{label}"]]


def crf_transitions(n_tags: int | None = None) -> Model:
    """The layer holding the learned (n_tags, n_tags) transition scores: it passes the emission
    scores through unchanged (the loss and the decoder read its parameter)."""
    return Model("crf", _identity, init=_init_transitions, dims={"nO": n_tags}, params={TRANSITIONS: None})


def _identity(model: Model, X: Any, is_train: bool) -> tuple[Any, Any]:
    return X, lambda dY: dY


def _init_transitions(model: Model, X: Any = None, Y: Any = None) -> None:
    n = model.get_dim("nO")
    model.set_param(TRANSITIONS, model.ops.alloc2f(n, n))


def resize_transitions(model: Model, n_tags: int) -> None:
    """Grow the transition scores of a `build_crf_tagger_model` model to n_tags, keeping the
    trained block (a new layer replaces the old: thinc fixes a layer's dims once it has params)."""
    old = model.get_ref("crf")
    n_old = old.get_dim("nO") if old.has_dim("nO") else None
    if n_old is not None and n_tags < n_old:
        raise ValueError(f"resize_transitions: cannot shrink from {n_old} to {n_tags}")
    new = crf_transitions(n_tags)
    new.ops = old.ops
    if old.has_param(TRANSITIONS):
        grown = new.ops.alloc2f(n_tags, n_tags)
        grown[:n_old, :n_old] = old.get_param(TRANSITIONS)
        new.set_param(TRANSITIONS, grown)
    model.layers[model.layers.index(old)] = new
    model.set_ref("crf", new)


@architectures("nlp.CrfTagger.v1")
def build_crf_tagger_model(tok2vec: Model, n_tags: int | None = None) -> Model[list, list]:
    """tok2vec, a linear layer of emission scores per token, and the CRF's transition scores:
    list of (n_tokens, n_tags) emissions. Refs: tok2vec, output_layer (resize_output grows
    it), crf (resize_transitions)."""
    scores = build_token_scores_model(tok2vec, n_tags)
    crf = crf_transitions(n_tags)
    model = Model("crf_tagger", _chain_forward, layers=[scores, crf], dims={"nO": n_tags},
                  init=_chain_init, refs={"tok2vec": tok2vec, "output_layer": scores.get_ref("output_layer"), "crf": crf})
    return set_ops(model, tok2vec.ops)


def _chain_forward(model: Model, X: Any, is_train: bool) -> tuple[Any, Any]:
    return model.layers[0](X, is_train)


def _chain_init(model: Model, X: Any = None, Y: Any = None) -> None:
    scores, crf = model.layers
    scores.initialize(X=X)
    if model.has_dim("nO"):
        crf.set_dim("nO", model.get_dim("nO"), force=True)
    crf.initialize()


@dataclass
class CrfBatch:
    """Emission scores of a batch as the kernels read them: (N, L) float64 and each length."""

    emit: numpy.ndarray
    lengths: numpy.ndarray

    @classmethod
    def of(cls, ops: Any, scores: Sequence[Any], n_tags: int) -> CrfBatch:
        """The batch of each sequence's (n, L) scores."""
        arrays = [ops.to_numpy(s) for s in scores]
        emit = numpy.concatenate(arrays) if arrays else numpy.zeros((0, n_tags))
        return cls.joined(ops, emit, [len(a) for a in arrays], n_tags)

    @classmethod
    def joined(cls, ops: Any, flat: Any, lengths: Sequence[int], n_tags: int) -> CrfBatch:
        """The batch of the sequences' scores already joined into one (N, L) array (on any
        device: copied to the host once), with each sequence's length."""
        emit = ops.to_numpy(flat) if len(flat) else numpy.zeros((0, n_tags))
        return cls(numpy.ascontiguousarray(emit, dtype="float64"), numpy.asarray(lengths, dtype="int64"))

    def scaled(self, temperature: float) -> CrfBatch:
        """The batch with every emission score divided by `temperature`."""
        return self if temperature == 1.0 else CrfBatch(self.emit / temperature, self.lengths)


def _kernel_args(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice, mask: numpy.ndarray) -> tuple:
    return (batch.emit, batch.lengths, numpy.ascontiguousarray(trans, dtype="float64"), lattice.allowed,
            lattice.start_ok, lattice.end_ok, numpy.ascontiguousarray(mask, dtype="uint8"))


def crf_loss(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice,
             gold_mask: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(loss per sequence, d_emit (N, L), d_trans (L, L)) of the negative log-likelihood of the
    gold: log Z of all paths minus log Z of the paths the gold mask allows (a token whose gold
    is unknown may take any tag, so partial annotation sums over what it leaves open). A
    sequence whose gold no valid path fits has loss +inf (the caller names it)."""
    free = numpy.ones_like(gold_mask)
    log_z, marg, pairs = expected_counts(*_kernel_args(batch, trans, lattice, free))
    gold_z, gold_marg, gold_pairs = expected_counts(*_kernel_args(batch, trans, lattice, gold_mask))
    return log_z - gold_z, marg - gold_marg, pairs - gold_pairs


def log_partition(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice,
                  mask: numpy.ndarray) -> numpy.ndarray:
    """log Z of each sequence over the valid paths the mask allows (-inf where none fits)."""
    return forward_backward(*_kernel_args(batch, trans, lattice, mask))[2]


def crf_decode(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice,
               mask: numpy.ndarray | None = None, temperature: float = 1.0) -> list[list[tuple[int, int, str, float]]]:
    """Per sequence, its Viterbi path's entities as (start, end, label, probability): the
    probability, under the CRF (and the mask, e.g. preset entities), that tokens [start, end)
    are exactly one entity of that label, i.e. the summed probability of every path tagging
    them B- I-... L- (or U-); the paths' tags around the span are free, but a valid path
    cannot extend the entity past its ends. `temperature` divides every path's score (its
    emissions and transitions) before the probabilities are taken: it calibrates them (see
    crf_calibration) and leaves the Viterbi path as it is."""
    batch, trans = batch.scaled(temperature), trans / temperature
    if mask is None:
        mask = numpy.ones(batch.emit.shape, dtype="uint8")
    args = _kernel_args(batch, trans, lattice, mask)
    alpha, beta, log_z, paths = forward_backward(*args, paths=True)
    out = []
    offset = 0
    for k, n in enumerate(batch.lengths.tolist()):
        ents = lattice.entities(paths[offset : offset + n]) if n and paths[offset] >= 0 else []
        scored = [(s, e, label, _span_probability(batch.emit, args[2], lattice, alpha, beta,
                                                  float(log_z[k]), offset, s, e, label))
                  for s, e, label in ents]
        out.append(scored)
        offset += n
    return out


def _span_probability(emit: numpy.ndarray, trans: numpy.ndarray, lattice: BiluoLattice, alpha: numpy.ndarray,
                      beta: numpy.ndarray, log_z: float, offset: int, start: int, end: int, label: str) -> float:
    """exp(alpha at the span's first tag + the fixed chain inside it + beta at its last - log Z)."""
    tags = lattice.span_tags(start, end, label)
    first, last = offset + start, offset + end - 1
    score = alpha[first, tags[0]]
    for k in range(1, len(tags)):
        score += trans[tags[k - 1], tags[k]] + emit[first + k, tags[k]]
    score += beta[last, tags[-1]]
    return float(min(1.0, max(0.0, numpy.exp(score - log_z))))
