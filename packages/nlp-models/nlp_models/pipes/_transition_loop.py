"""The one stepping loop of the parser and the entity recognizer, and the choosers it runs.

`run_transitions` advances a batch of states to the end: at each step the system marks the
valid actions of every state (a state with none is final), writes the live states' feature
token ids (made global across the batch's docs, as the step model's table holds them), and a
*chooser* returns one action per live state, which the system applies. What differs between
uses is only the chooser:

- `Greedy`: the best-scoring valid action (predict; a long doc's window does the same).
- `Learner`: scores with backprop, the loss against the gold costs, the oracle-guided choice
  with exploration (update).
- `Mimic`: scores pulled towards a frozen copy's, greedy choice (rehearse).
- `OracleRecorder` / `OracleReplay`: the oracle's path, recording the model's scores, or
  replaying recorded scores into a loss (oracle_scores, get_loss).

A batch whose longest doc has n words ends within `step_bound(n)` = 4n + 8 steps (arc-eager
pushes every word once, pops it once and breaks at most once after it; BILUO takes one move a
word); a system or model that does not raises a RuntimeError naming the component instead of
looping forever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy

from ..ml import transition_loss

try:
    from ..ml import _transition_choice
except ImportError:  # not compiled: the numpy rules below do the same, more slowly
    _transition_choice = None

NEG_INF = numpy.float32(-1e30)

#: A chooser: (indices of the live states, their global feature token ids, their validity
#: mask) -> one action id per live state.
Chooser = Callable[[numpy.ndarray, numpy.ndarray, numpy.ndarray], Any]


def step_bound(max_length: int) -> int:
    """The most steps a batch may take when its longest doc has `max_length` words."""
    return 4 * max_length + 8


def run_transitions(system: Any, states: Any, lengths: Sequence[int], choose: Chooser, name: str) -> int:
    """Advance `states` (one per doc of `lengths` words) until every one is final, with the
    actions `choose` picks; returns the number of steps taken."""
    n = len(lengths)
    offsets = numpy.zeros(n, dtype="int32")
    if n > 1:
        numpy.cumsum(numpy.asarray(lengths[:-1], dtype="int32"), out=offsets[1:])
    ids = numpy.empty((n, system.n_features), dtype="int32")
    valid = numpy.zeros((n, system.n_actions), dtype=bool)
    actions = numpy.zeros(n, dtype="int32")
    max_steps = step_bound(max(lengths) if n else 0)
    for n_steps in range(max_steps):
        system.set_valid(states, valid)
        live = numpy.flatnonzero(valid.any(axis=1))
        if not live.size:
            return n_steps
        system.set_features(states, ids)
        live_ids = ids[live]
        numpy.add(live_ids, offsets[live, None], out=live_ids, where=live_ids >= 0)
        actions[live] = choose(live, live_ids, valid[live])
        system.apply_batch(states, actions)
    system.set_valid(states, valid)
    if not valid.any():
        return max_steps
    raise RuntimeError(
        f"{name}: the transition loop did not finish in {max_steps} steps (the bound for docs "
        f"of up to {max(lengths)} words): {int(valid.any(axis=1).sum())} of {n} states are not final"
    )


# ---- action rules -------------------------------------------------------------------------------


def to_numpy(array: Any) -> numpy.ndarray:
    """A score matrix on the host (the step model may hold it on a GPU)."""
    return array if isinstance(array, numpy.ndarray) else array.get()


def best_valid(scores: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
    """Each state's best-scoring valid action."""
    return numpy.where(valid, scores, NEG_INF).argmax(axis=1)


def oracle_actions(scores: numpy.ndarray, valid: numpy.ndarray, costs: numpy.ndarray) -> numpy.ndarray:
    """Each state's best-scoring action among its valid actions of lowest cost (the zero-cost
    ones whenever the oracle offers any)."""
    best_cost = numpy.where(valid, costs, numpy.inf).min(axis=1, keepdims=True)
    return numpy.where(valid & (costs <= best_cost), scores, NEG_INF).argmax(axis=1)


def explore_actions(
    scores: numpy.ndarray, valid: numpy.ndarray, costs: numpy.ndarray, explore: float, rng: Any
) -> numpy.ndarray:
    """Each state follows its best valid action with probability `explore`, else the oracle's
    (one draw per state from `rng` when 0 < explore < 1, none otherwise)."""
    best = best_valid(scores, valid)
    if explore >= 1.0:
        return best
    gold_best = oracle_actions(scores, valid, costs)
    if explore <= 0.0:
        return gold_best
    follow = rng.random(len(best)) < explore
    return numpy.where(follow, best, gold_best)


class GoldCosts:
    """The action costs of a batch's states against their golds, rewritten each step."""

    def __init__(self, system: Any, states: Any, golds: Sequence[Any]) -> None:
        self.system = system
        self.states = states
        self.golds = golds
        self.costs = numpy.empty((len(golds), system.n_actions), dtype="float32")

    def all(self) -> numpy.ndarray:
        """The costs of every state now (final states: the invalid cost)."""
        self.system.set_costs(self.states, self.golds, self.costs)
        return self.costs


# ---- choosers -----------------------------------------------------------------------------------


class Greedy:
    """Predict's chooser: the best valid action under `step`'s scores."""

    def __init__(self, step: Any) -> None:
        self.step = step

    def __call__(self, live: Any, ids: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
        return best_valid(to_numpy(self.step.predict_scores(ids)), valid)


class _Learning:
    """Base of the choosers that learn at each step: scores with a backprop callback, and
    d_scores (scaled by `scale`) sent back through it; `loss` sums the steps' losses."""

    def __init__(self, step: Any, ops: Any, scale: float) -> None:
        self.step = step
        self.ops = ops
        self.scale = scale
        self.loss = 0.0
        self._backprop: Any = None

    def begin_step(self, ids: numpy.ndarray) -> numpy.ndarray:
        scores, self._backprop = self.step.begin_step(ids)
        return to_numpy(scores)

    def learn(self, d_scores: numpy.ndarray, loss: float) -> None:
        self.loss += loss
        self._backprop(self.ops.asarray2f(d_scores * self.scale))


class Learner(_Learning):
    """Update's chooser: learns to score the lowest-cost valid actions above the others and
    follows `explore_actions`."""

    def __init__(self, step: Any, ops: Any, costs: GoldCosts, explore: float, rng: Any, scale: float) -> None:
        super().__init__(step, ops, scale)
        self.costs = costs
        self.explore = explore
        self.rng = rng

    def __call__(self, live: Any, ids: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
        scores = self.begin_step(ids)
        costs = self.costs.all()[live]
        if _transition_choice is None:
            self.learn(*transition_loss(scores, valid, costs))
            return explore_actions(scores, valid, costs, self.explore, self.rng)
        draws = self.rng.random(len(scores)) if 0.0 < self.explore < 1.0 else None
        d_scores, loss, actions = _transition_choice.learn_and_choose(scores, valid, costs, self.explore, draws)
        self.learn(d_scores, loss)
        return actions


class Mimic(_Learning):
    """Rehearse's chooser: pulls the scores of the actions `tutor` knows towards the tutor's
    (squared error over valid actions) and follows the best valid action."""

    def __init__(self, step: Any, tutor: Any, ops: Any, scale: float) -> None:
        super().__init__(step, ops, scale)
        self.tutor = tutor

    def __call__(self, live: Any, ids: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
        scores = self.begin_step(ids)
        target = to_numpy(self.tutor.predict_scores(ids))
        n_old = target.shape[1]
        d_scores = numpy.zeros_like(scores)
        diff = numpy.where(valid[:, :n_old], scores[:, :n_old] - target, 0.0)
        d_scores[:, :n_old] = diff
        self.learn(d_scores, float((diff**2).sum()))
        return best_valid(scores, valid)


class OracleRecorder:
    """Oracle_scores' chooser: records `step`'s score matrix of every state at each step (rows
    of final states are 0) and follows `oracle_actions`."""

    def __init__(self, step: Any, costs: GoldCosts) -> None:
        self.step = step
        self.costs = costs
        self.scores: list[numpy.ndarray] = []

    def __call__(self, live: Any, ids: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
        scores = to_numpy(self.step.predict_scores(ids))
        full = numpy.zeros((len(self.costs.golds), scores.shape[1]), dtype=scores.dtype)
        full[live] = scores
        self.scores.append(full)
        return oracle_actions(scores, valid, self.costs.all()[live])


class OracleReplay:
    """Get_loss' chooser: takes the next recorded score matrix (every state's row) at each step,
    adds its loss and d_scores, and follows `oracle_actions` as the recording did."""

    def __init__(self, scores: Sequence[Any], costs: GoldCosts, name: str) -> None:
        self.recorded = scores
        self.costs = costs
        self.name = name
        self.grads: list[numpy.ndarray] = []
        self.loss = 0.0

    def __call__(self, live: Any, ids: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
        step = len(self.grads)
        if step >= len(self.recorded):
            raise ValueError(f"{self.name}: get_loss got {step} score matrices; the oracle's path needs more")
        scores = to_numpy(self.recorded[step])
        costs = self.costs.all()
        all_valid = numpy.zeros(costs.shape, dtype=bool)
        all_valid[live] = valid
        d_scores, loss = transition_loss(scores, all_valid, costs)
        self.grads.append(d_scores)
        self.loss += loss
        return oracle_actions(scores[live], valid, costs[live])

    def finish(self) -> tuple[float, list[numpy.ndarray]]:
        """(loss, d_scores per recorded step): steps after every state was final get zeros."""
        for scores in self.recorded[len(self.grads) :]:
            self.grads.append(numpy.zeros(numpy.shape(scores), dtype="float32"))
        return self.loss, self.grads
