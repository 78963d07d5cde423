"""The biaffine parser's thinc layers: the arc and label scorers' gradients against finite
differences, sentence cutting, padded length groups, and what the loss leaves unlearnt."""

import numpy
import pytest

from nlp_models.ml.biaffine import ParseScores, parse_loss, split_sentences
from nlp_models.ml.biaffine_scorers import (
    NEG,
    build_biaffine_arc_scorer,
    build_biaffine_label_scorer,
    length_groups,
)

SPANS = [(0, 4), (4, 5), (5, 9)]


def randomize(layer, rng):
    for name in layer.param_names:
        layer.set_param(name, rng.standard_normal(layer.get_param(name).shape).astype("float32"))


def check_gradients(layer, inputs, weights_of, numeric_gradient):
    """The layer's input and parameter gradients of sum(output * weights) against numbers
    (`numeric_gradient`: the fixture of conftest.py)."""
    output, backprop = layer(inputs, is_train=True)
    weights = weights_of(output)

    def f():
        out, _ = layer(inputs, is_train=False)
        if isinstance(out, list):
            return sum(float((o * w).sum()) for o, w in zip(out, weights))
        return float((out * weights).sum())

    d_inputs = backprop(weights)
    for array, grad in zip(inputs[:2], d_inputs):
        numpy.testing.assert_allclose(grad, numeric_gradient(f, array), atol=2e-3, rtol=2e-3)
    for name in layer.param_names:
        param = layer.get_param(name)
        numpy.testing.assert_allclose(layer.get_grad(name), numeric_gradient(f, param), atol=2e-3, rtol=2e-3)


def test_arc_scorer_gradients(numeric_gradient):
    rng = numpy.random.default_rng(0)
    scorer = build_biaffine_arc_scorer(5)
    scorer.initialize()
    randomize(scorer, rng)
    groups = length_groups(SPANS)
    dep, head = (rng.standard_normal((9, 5)).astype("float32") for _ in range(2))
    # Padding rows and columns get no weight: a loss never reads them.
    check_gradients(scorer, (dep, head, groups),
                    lambda out: [rng.standard_normal(o.shape).astype("float32") * (o > NEG / 2)
                                 * g.mask[:, :, None] for o, g in zip(out, groups)], numeric_gradient)


def test_label_scorer_gradients(numeric_gradient):
    rng = numpy.random.default_rng(1)
    scorer = build_biaffine_label_scorer(4, 3)
    scorer.initialize()
    randomize(scorer, rng)
    dep, head = (rng.standard_normal((9, 4)).astype("float32") for _ in range(2))
    heads = numpy.array([1, -1, 1, 1, -1, 6, -1, 6, 6])  # several words share a head
    check_gradients(scorer, (dep, head, heads), lambda out: rng.standard_normal(out.shape).astype("float32"),
                    numeric_gradient)


def test_arc_scores_of_a_group():
    rng = numpy.random.default_rng(2)
    scorer = build_biaffine_arc_scorer(3, distance=2)
    scorer.initialize()
    randomize(scorer, rng)
    dep, head = (rng.standard_normal((9, 3)).astype("float32") for _ in range(2))
    groups = length_groups(SPANS)
    assert len(groups) == 1 and groups[0].rows.tolist() == [[4, 0, 0, 0], [0, 1, 2, 3], [5, 6, 7, 8]]
    scores = scorer((dep, head, groups), is_train=False)[0][0]
    U, w, root, E, e = (scorer.get_param(n) for n in ("U", "w", "root", "E", "e"))
    # The sentence (5, 9): word 6 (its row 1) taking word 8 (column 4, offset +2), word 8
    # taking word 5 (offset -3, clipped to -2), and word 6 taking the root (column 0).
    assert scores[2, 1, 4] == pytest.approx(dep[6] @ U @ head[8] + head[8] @ w + dep[6] @ E[4] + e[4], rel=1e-5)
    assert scores[2, 3, 1] == pytest.approx(dep[8] @ U @ head[5] + head[5] @ w + dep[8] @ E[0] + e[0], rel=1e-5)
    assert scores[2, 1, 0] == pytest.approx(dep[6] @ U @ root + root @ w, rel=1e-5)
    assert (scores[0, 0, 2:] == NEG).all()  # the one-word sentence has one candidate word


def test_split_sentences():
    starts = numpy.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    assert split_sentences(starts, 10, 100) == [(10, 13), (13, 22)]
    priority = numpy.zeros(12, dtype="float32")
    priority[8] = 5.0
    # The second sentence (9 words) is cut where a start is likeliest, down to 4 words at most.
    pieces = split_sentences(starts, 0, 4, priority)
    assert pieces[0] == (0, 3) and (3, 8) not in pieces and any(s == 8 for s, _ in pieces)
    assert all(0 < e - s <= 4 for s, e in pieces) and [p for q in pieces for p in range(*q)] == list(range(12))
    assert split_sentences(numpy.zeros(5, dtype=bool), 0, 1) == [(i, i + 1) for i in range(5)]
    assert split_sentences(numpy.zeros(0, dtype=bool), 0, 3) == []
    with pytest.raises(ValueError, match="max_length must be >= 1"):
        split_sentences(starts, 0, 0)


def test_loss_leaves_unknown_gold_free():
    rng = numpy.random.default_rng(3)
    groups = length_groups(SPANS)
    arcs = [rng.standard_normal((3, 4, 5)).astype("float32")]
    labels = rng.standard_normal((9, 2)).astype("float32")
    heads_scored = numpy.array([1, -1, -1, 6, -1, 6, -1, 6, 6])
    scores = ParseScores([9], SPANS, rng.standard_normal(9).astype("float32"), groups, arcs, heads_scored, labels)
    # Word 2's head is unknown; word 3's lies in another sentence (its label is still learnt);
    # word 8's differs from the head its label was scored for; word 0's start is unknown.
    gold_heads = numpy.array([1, -1, -2, 6, -1, 6, -1, 6, 7])
    gold_labels = numpy.array([0, 1, 0, 0, 1, 0, 1, 0, 1])
    gold_starts = numpy.array([-1, 0, 0, 0, 1, 1, 0, 0, 0])
    loss, grads = parse_loss(scores, gold_heads, gold_labels, gold_starts)
    assert loss > 0
    d_arcs = grads.arcs[0]
    assert not d_arcs[1, 2].any() and not d_arcs[1, 3].any()  # words 2 and 3 (sentence (0, 4))
    assert d_arcs[1, 0].any() and d_arcs[2, 3].any()
    assert not grads.labels[2].any() and not grads.labels[8].any() and grads.labels[3].any()
    assert grads.sent_logits[0] == 0 and grads.sent_logits[1] != 0
    # Each known head's row sums to zero (softmax minus one-hot), padding gets nothing.
    assert d_arcs[1, 0].sum() == pytest.approx(0.0, abs=1e-6) and not d_arcs[0, 1:].any()
