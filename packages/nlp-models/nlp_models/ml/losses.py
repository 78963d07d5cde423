"""Loss helpers returning (d_output, loss): transition scoring and the pretraining objectives."""

from typing import Any

import numpy
from thinc.api import get_array_module


def transition_loss(scores: Any, valid: Any, costs: Any, normalize: bool = False) -> tuple[Any, float]:
    """Softmax cross-entropy towards the probability mass of the best (zero-cost) valid actions.

    scores, costs: (n_states, n_actions); valid: same shape, nonzero where an action is allowed.
    Invalid actions get no probability and no gradient. The gold set of a state is its valid
    actions of lowest cost (the zero-cost ones whenever the oracle offers any); the loss is
    -log of their total probability. States with no valid action contribute nothing.
    With `normalize`, gradient and loss are divided by the number of states.
    """
    xp = get_array_module(scores)
    scores = xp.asarray(scores, dtype="float32")
    if scores.ndim != 2:
        raise ValueError(f"transition_loss: scores must be 2d, got shape {scores.shape}")
    valid = xp.asarray(valid).astype(bool)
    costs = xp.asarray(costs, dtype="float32")
    if valid.shape != scores.shape or costs.shape != scores.shape:
        raise ValueError(
            f"transition_loss: scores {scores.shape}, valid {valid.shape} and costs {costs.shape} differ"
        )
    has_valid = valid.any(axis=1, keepdims=True)
    masked = xp.where(valid, scores, -xp.inf)
    top = xp.where(has_valid, masked.max(axis=1, keepdims=True), 0.0)
    exp = xp.where(valid, xp.exp(xp.minimum(masked - top, 0.0)), 0.0)
    probs = exp / xp.maximum(exp.sum(axis=1, keepdims=True), 1e-30)
    best_cost = xp.where(valid, costs, xp.inf).min(axis=1, keepdims=True)
    gold = valid & (costs <= best_cost)
    gold_mass = (probs * gold).sum(axis=1, keepdims=True)
    safe_mass = xp.maximum(gold_mass, 1e-30)
    d_scores = probs - gold * probs / safe_mass
    d_scores = xp.where(has_valid, d_scores, 0.0).astype("float32")
    loss = float(-(xp.log(safe_mass) * has_valid).sum())
    if normalize and scores.shape[0]:
        d_scores /= scores.shape[0]
        loss /= scores.shape[0]
    return d_scores, loss


def vectors_loss(predicted: Any, target: Any, mask: Any = None, objective: str = "cosine") -> tuple[Any, float]:
    """Gradient and loss of predicting static vectors: "cosine" (1 - cos) or "L2" (squared error).

    `mask` (n,) zeroes rows whose word has no vector. Loss is summed over rows.
    """
    xp = get_array_module(predicted)
    predicted = xp.asarray(predicted, dtype="float32")
    target = xp.asarray(target, dtype="float32")
    if predicted.shape != target.shape:
        raise ValueError(f"vectors_loss: predicted {predicted.shape} and target {target.shape} differ")
    m = xp.ones((predicted.shape[0], 1), dtype="float32") if mask is None else xp.asarray(mask, dtype="float32").reshape(-1, 1)
    if objective == "L2":
        diff = (predicted - target) * m
        return (2.0 * diff).astype("float32"), float((diff**2).sum())
    if objective != "cosine":
        raise ValueError(f"vectors_loss: objective must be 'cosine' or 'L2', got {objective!r}")
    eps = 1e-8
    p_norm = xp.sqrt((predicted**2).sum(axis=1, keepdims=True)) + eps
    t_norm = xp.sqrt((target**2).sum(axis=1, keepdims=True)) + eps
    cos = (predicted * target).sum(axis=1, keepdims=True) / (p_norm * t_norm)
    # d(-cos)/dp = -(t / (|p||t|) - cos * p / |p|^2)
    d_pred = -(target / (p_norm * t_norm) - cos * predicted / (p_norm**2))
    has_target = (t_norm > 2 * eps).astype("float32") * m
    return (d_pred * has_target).astype("float32"), float(((1.0 - cos) * has_target).sum())


def character_targets(words: list, n_characters: int) -> numpy.ndarray:
    """(n_words, 2*n_characters) int32 classes: the first and last n UTF-8 bytes of each word.

    Missing positions of short words are class 256 ("no character"), so there are 257 classes.
    """
    out = numpy.full((len(words), 2 * n_characters), 256, dtype="int32")
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise TypeError(f"character_targets: words[{i}] is {type(word).__name__}, not str")
        data = numpy.frombuffer(word.encode("utf8"), dtype="uint8")
        head = data[:n_characters]
        tail = data[-n_characters:] if len(data) else data
        out[i, : len(head)] = head
        out[i, 2 * n_characters - len(tail) :] = tail
    return out


N_CHARACTER_CLASSES = 257


def characters_loss(predicted: Any, targets: Any, weights: Any = None) -> tuple[Any, float]:
    """Softmax cross-entropy of (n, 2*n_characters*257) logits against `character_targets`;
    `weights` (n,) scales each row's loss and gradient (0: the row is left out)."""
    xp = get_array_module(predicted)
    targets = xp.asarray(targets, dtype="int32")
    n, n_pos = targets.shape
    if predicted.shape != (n, n_pos * N_CHARACTER_CLASSES):
        raise ValueError(
            f"characters_loss: predicted shape {predicted.shape}, expected ({n}, {n_pos * N_CHARACTER_CLASSES})"
        )
    logits = xp.asarray(predicted, dtype="float32").reshape(n, n_pos, N_CHARACTER_CLASSES)
    logits = logits - logits.max(axis=2, keepdims=True)
    probs = xp.exp(logits)
    probs /= probs.sum(axis=2, keepdims=True)
    rows = xp.arange(n)[:, None]
    cols = xp.arange(n_pos)[None, :]
    gold_p = probs[rows, cols, targets]
    d = probs.copy()
    d[rows, cols, targets] -= 1.0
    row_loss = -xp.log(xp.maximum(gold_p, 1e-30)).sum(axis=1)
    if weights is not None:
        weights = xp.asarray(weights, dtype="float32")
        d *= weights[:, None, None]
        row_loss = row_loss * weights
    return d.reshape(n, -1).astype("float32"), float(row_loss.sum())


def categorical_loss(probs: Any, gold: Any, missing: int = -1, smoothing: float = 0.0) -> tuple[Any, float]:
    """d(logits) = probs - target and summed cross-entropy; rows with gold == missing skip.

    probs: (n, n_classes) softmax outputs (e.g. the tagger's, concatenated); gold: (n,) ids. The
    target is one-hot(gold), or with label `smoothing` s in [0, 1) (1 - s) one-hot + s / n_classes:
    the model is not pushed towards certainty, a regularizer (Szegedy et al. 2016).
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"categorical_loss: label smoothing must be in [0, 1), got {smoothing}")
    xp = get_array_module(probs)
    gold = xp.asarray(gold, dtype="int64").reshape(-1)
    if probs.ndim != 2 or probs.shape[0] != gold.shape[0]:
        raise ValueError(f"categorical_loss: probs {probs.shape} do not match {gold.shape[0]} gold ids")
    if gold.size and gold.max() >= probs.shape[1]:
        raise ValueError(f"categorical_loss: gold id {int(gold.max())} >= n_classes {probs.shape[1]}")
    known = gold != missing
    rows = xp.arange(gold.shape[0])[known]
    d = probs.astype("float32").copy()
    d[rows, gold[known]] -= 1.0 - smoothing
    if smoothing:
        d[rows] -= smoothing / probs.shape[1]
    d[~known] = 0.0
    log_gold = xp.log(xp.maximum(probs[rows, gold[known]], 1e-30))
    if not smoothing:
        return d, float(-log_gold.sum())
    log_all = xp.log(xp.maximum(probs[rows], 1e-30)).mean(axis=1)
    return d, float(-((1.0 - smoothing) * log_gold + smoothing * log_all).sum())


def textcat_loss(
    scores: Any, truth: Any, mask: Any = None, exclusive: bool | None = None
) -> tuple[Any, float]:
    """d(logits) = scores - truth and the loss: cross-entropy for exclusive classes (softmax
    scores), binary cross-entropy for multilabel. `exclusive` None guesses it (one-hot truth
    and scores summing to 1). `mask` (n, n_labels) zeroes missing labels.
    """
    xp = get_array_module(scores)
    truth = xp.asarray(truth, dtype="float32")
    if truth.shape != scores.shape:
        raise ValueError(f"textcat_loss: scores {scores.shape} and truth {truth.shape} differ")
    m = xp.ones_like(truth) if mask is None else xp.asarray(mask, dtype="float32")
    d = ((scores - truth) * m).astype("float32")
    p = xp.clip(scores, 1e-7, 1 - 1e-7)
    if exclusive is None:
        exclusive = bool(truth.size) and bool(xp.all(truth.sum(axis=1) == 1)) and bool(
            xp.allclose(scores.sum(axis=1), 1.0, atol=1e-3)
        )
    if exclusive:
        loss = float(-(truth * xp.log(p) * m).sum())
    else:
        loss = float(-((truth * xp.log(p) + (1 - truth) * xp.log(1 - p)) * m).sum())
    return d, loss
