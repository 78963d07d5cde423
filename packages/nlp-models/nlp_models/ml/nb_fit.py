"""Fitting an NB-weighted n-gram classifier (nb_textcat.py) to its training data, a batch at a
time, so a corpus streamed from disk is never held whole: one pass counts every n-gram's docs
per label and side (memory grows with the distinct n-grams, not the docs), the ratios follow,
and a second pass scores each doc under naive Bayes to calibrate the start (one number per doc
and label kept).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy
from thinc.api import Model

from .nb_textcat import KEYS, RATIOS, known_rows, nb_layer

#: One batch of training docs: (each doc's distinct n-gram keys, truth, mask), truth and mask
#: (n_docs, n_labels) as TextCategorizer.gold_arrays gives them.
Batch = tuple[Sequence[Any], Any, Any]


class NgramCounts:
    """Per n-gram key: how many docs hold it, and per label the gold-weighted count of those
    docs on the label's yes side and on its no side (a doc counts for neither side of a label
    its gold does not give; a soft value counts in part for both)."""

    def __init__(self, n_labels: int) -> None:
        self.n_labels = n_labels
        self.keys = numpy.zeros(0, "uint64")
        self.counts = numpy.zeros((0, 1 + 2 * n_labels), "float64")  # df, yes..., no...
        self._pending: list[tuple[Any, Any]] = []
        self._pending_rows = 0

    def add(self, key_sets: Sequence[Any], truth: Any, mask: Any) -> None:
        """Count one batch of docs."""
        lengths = [len(keys) for keys in key_sets]
        if not sum(lengths):
            return
        docs = numpy.repeat(numpy.arange(len(lengths)), lengths)
        mask = numpy.asarray(mask, dtype="float64")
        truth = numpy.asarray(truth, dtype="float64") * mask
        per_doc = numpy.hstack([numpy.ones((len(lengths), 1)), truth, mask - truth])
        self._pending.append((numpy.concatenate(key_sets).astype("uint64"), per_doc[docs]))
        self._pending_rows += len(docs)
        if self._pending_rows > max(len(self.keys), 1 << 20):  # merged in doubling sizes
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        keys = numpy.concatenate([self.keys, *(keys for keys, _ in self._pending)])
        counts = numpy.vstack([self.counts, *(counts for _, counts in self._pending)])
        self.keys, inverse = numpy.unique(keys, return_inverse=True)
        self.counts = numpy.zeros((len(self.keys), counts.shape[1]), "float64")
        for column in range(counts.shape[1]):
            self.counts[:, column] = numpy.bincount(inverse, weights=counts[:, column], minlength=len(self.keys))
        self._pending, self._pending_rows = [], 0

    def ratios(self, alpha: float = 1.0, min_count: int = 1) -> tuple[Any, Any]:
        """(the vocabulary: the sorted keys of at least `min_count` docs; r, (n_keys, n_labels)
        float32): r = log((p / |p|_1) / (q / |q|_1)), p = alpha + the yes side's counts, q =
        alpha + the no side's, over the vocabulary."""
        if alpha <= 0:
            raise ValueError(f"nb_bow: alpha (the count smoothing) must be > 0, got {alpha}")
        self._merge()
        kept = self.counts[:, 0] >= max(1, int(min_count))
        counts = self.counts[kept]
        p = alpha + counts[:, 1 : 1 + self.n_labels]
        q = alpha + counts[:, 1 + self.n_labels :]
        r = numpy.log(p / p.sum(axis=0)) - numpy.log(q / q.sum(axis=0))
        return self.keys[kept], r.astype("float32")


def log_count_ratios(key_sets: Sequence[Any], truth: Any, mask: Any, alpha: float = 1.0,
                     min_count: int = 1) -> tuple[Any, Any]:
    """(vocabulary, r) of these docs (`key_sets`: each doc's distinct n-gram keys; `truth` and
    `mask`, (n_docs, n_labels): each label's gold value and whether the gold gives it); see
    NgramCounts.ratios."""
    counts = NgramCounts(numpy.asarray(truth).shape[1])
    counts.add(key_sets, truth, mask)
    return counts.ratios(alpha, min_count)


def nb_scores(vocabulary: Any, r: Any, key_sets: Sequence[Any]) -> Any:
    """(n_docs, n_labels): each doc's naive Bayes score per label, the sum of r over its
    n-grams of the vocabulary."""
    lengths = [len(keys) for keys in key_sets]
    every = numpy.concatenate(key_sets).astype("uint64") if key_sets else numpy.zeros(0, "uint64")
    rows, kept = known_rows(vocabulary, every, lengths)
    docs = numpy.repeat(numpy.arange(len(lengths)), kept)
    return numpy.stack([numpy.bincount(docs, weights=r[rows, label], minlength=len(lengths))
                        for label in range(r.shape[1])], axis=1)


def platt(scores: Any, truth: Any, steps: int = 25) -> tuple[float, float]:
    """(a, c) minimising the cross-entropy of sigmoid(a * scores + c) against `truth` (values
    in [0, 1]), by Newton steps on the standardized scores (an L2 of 1 keeps separable data
    finite: a unit prior); (1, 0) without data."""
    scores, truth = numpy.asarray(scores, dtype="float64"), numpy.asarray(truth, dtype="float64")
    if not len(scores):
        return 1.0, 0.0
    mean, spread = scores.mean(), scores.std() or 1.0
    X = numpy.stack([(scores - mean) / spread, numpy.ones_like(scores)], axis=1)
    theta = numpy.zeros(2)
    for _ in range(steps):
        p = 1.0 / (1.0 + numpy.exp(-(X @ theta)))
        grad = X.T @ (p - truth) + theta
        hessian = (X * (p * (1 - p))[:, None]).T @ X + numpy.eye(2)
        theta -= numpy.linalg.solve(hessian, grad)
    a = theta[0] / spread
    return float(a), float(theta[1] - a * mean)


def fit_log_count_ratios(model: Model, batches: Callable[[], Iterable[Batch]], alpha: float = 1.0,
                         min_count: int = 1) -> None:
    """Give the NB layer of `model` the vocabulary and ratios of the training docs that
    `batches()` yields (called twice: it must read them afresh each time), and start its
    weights as the naive Bayes classifier: each label's logit a * score + c, with (a, c) the
    logistic fit of the gold on the NB score over the training docs (`platt`)."""
    layer = nb_layer(model)
    counts = NgramCounts(layer.get_dim("nO"))
    for key_sets, truth, mask in batches():
        if numpy.asarray(truth).shape[1] != counts.n_labels:
            raise ValueError(f"nb_bow: gold of {numpy.asarray(truth).shape[1]} labels, the model has {counts.n_labels}")
        counts.add(key_sets, truth, mask)
    vocabulary, r = counts.ratios(alpha, min_count)
    scores, truths, masks = [], [], []
    for key_sets, truth, mask in batches():
        scores.append(nb_scores(vocabulary, r, key_sets))
        truths.append(numpy.asarray(truth))
        masks.append(numpy.asarray(mask) > 0)
    W = numpy.ones(r.shape, dtype="float32")
    b = numpy.zeros(r.shape[1], dtype="float32")
    if scores:
        score, truth, given = numpy.vstack(scores), numpy.vstack(truths), numpy.vstack(masks)
        for label in range(r.shape[1]):
            W[:, label], b[label] = platt(score[given[:, label], label], truth[given[:, label], label])
    layer.attrs[KEYS] = vocabulary
    layer.attrs[RATIOS] = numpy.ascontiguousarray(r, dtype="float32")
    layer.set_param("W", layer.ops.asarray2f(W))
    layer.set_param("b", layer.ops.asarray1f(b))
