"""The fused C step (loss and choice of a training step) agrees with the numpy rules it replaces."""

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_models.ml import _transition_choice, transition_loss
from nlp_models.pipes._transition_loop import explore_actions


def _batch(seed: int, n: int, n_actions: int):
    rng = numpy.random.default_rng(seed)
    scores = rng.normal(scale=3.0, size=(n, n_actions)).astype("float32")
    valid = rng.random((n, n_actions)) < 0.6
    valid[numpy.arange(n), rng.integers(0, n_actions, n)] = True  # live states: one valid at least
    costs = rng.integers(0, 3, (n, n_actions)).astype("float32")
    return scores, valid, costs


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40), st.integers(1, 12), st.sampled_from([0.0, 0.3, 1.0]))
def test_fused_step_matches_the_numpy_loss_and_choice(seed, n, n_actions, explore):
    scores, valid, costs = _batch(seed, n, n_actions)
    draws = numpy.random.default_rng(seed + 1).random(n)
    d_fused, loss_fused, actions = _transition_choice.learn_and_choose(
        scores, valid, costs, explore, draws if 0 < explore < 1 else None
    )
    d_numpy, loss_numpy = transition_loss(scores, valid, costs)
    numpy.testing.assert_allclose(d_fused, d_numpy, rtol=1e-5, atol=1e-6)
    assert abs(loss_fused - loss_numpy) <= 1e-4 * max(1.0, abs(loss_numpy))
    expected = explore_actions(scores, valid, costs, explore, numpy.random.default_rng(seed + 1))
    assert actions.tolist() == expected.tolist()


def test_a_state_without_valid_actions_adds_no_loss_or_gradient():
    scores = numpy.asarray([[1.0, 2.0], [0.5, 0.1]], "float32")
    valid = numpy.asarray([[False, False], [True, True]])
    costs = numpy.asarray([[0, 0], [1, 0]], "float32")
    d, loss, actions = _transition_choice.learn_and_choose(scores, valid, costs, 0.0)
    assert not d[0].any()
    assert actions[1] == 1  # the zero-cost action, though it scores lower
    assert loss > 0
