"""Beam search for the transition components: decoding, and the global beam update.

A beam keeps, for each doc, the `width` best action sequences (histories) found so far, scored
by the sum of the model's action log-probabilities along them (a softmax over each state's
valid actions, as the greedy update trains them: so a greedily trained model decodes with a
beam as it is, and a beam update can start from one). Each step scores every live history's
state at once (one matrix, as the greedy loop does), extends each by every valid action, and
keeps each doc's `width` best extensions; a final history stays in the beam as it is.

Training (Zhang & Clark 2008's early update, with the globally normalised loss of Andor et al.
2016): a second beam per doc holds the best *gold* histories (every action of zero cost under
the dynamic oracle). When the predicted beam of a doc holds no gold history any more, or when
both beams are final, the doc's loss is -log of the probability of its gold histories among
all histories of both beams, under a softmax over their summed log-probabilities; the
gradient goes to every step's scores along each history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy

from ._transition_loop import step_bound, to_numpy

NEG_INF = -numpy.inf
#: Multiplier of the rolling history hash (two histories with the same hash are the same).
_HASH_MUL = numpy.uint64(1000003)


def _doc_offsets(lengths: Sequence[int]) -> numpy.ndarray:
    offsets = numpy.zeros(len(lengths), dtype="int32")
    if len(lengths) > 1:
        numpy.cumsum(numpy.asarray(lengths[:-1], dtype="int32"), out=offsets[1:])
    return offsets


class _Beams:
    """The histories of a batch: `groups` beams of `width` entries each, entry e of beam g at
    row g * width + e of `states`, with its summed score (-inf: empty slot)."""

    def __init__(self, system: Any, states: Any, n_groups: int, width: int) -> None:
        self.system = system
        self.width = width
        self.n_groups = n_groups
        self.states = states.gather(numpy.repeat(numpy.arange(len(states), dtype="int32"), width))
        scores = numpy.full((n_groups, width), NEG_INF)
        scores[:, 0] = 0.0
        self.scores = scores.ravel()
        self.valid = numpy.zeros((len(self.scores), system.n_actions), dtype=bool)

    @property
    def alive(self) -> numpy.ndarray:
        return numpy.isfinite(self.scores)

    def mark_valid(self) -> numpy.ndarray:
        """Refresh `valid`; returns which entries are alive and not final."""
        self.system.set_valid(self.states, self.valid)
        return self.alive & self.valid.any(axis=1)

    def candidates(self, live: numpy.ndarray, action_scores: numpy.ndarray, allowed: numpy.ndarray) -> numpy.ndarray:
        """(n_groups, width * (n_actions + 1)) scores of every extension: entry score plus the
        action's score where `allowed`, and in the last column of each entry the entry
        itself when it is alive and final (-inf elsewhere)."""
        n_act = self.system.n_actions
        cand = numpy.full((len(self.scores), n_act + 1), NEG_INF)
        cand[live, :n_act] = numpy.where(allowed, self.scores[live, None] + action_scores, NEG_INF)
        final = self.alive & ~live
        cand[final, n_act] = self.scores[final]
        return cand.reshape(self.n_groups, -1)

    def select(self, cand: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Keep each group's `width` best candidates, best first (ties: the lower index
        first); moves the states. Returns (parent row, action; n_actions for a kept final
        entry) per new row. Slots left without a candidate are empty (-inf)."""
        k, n_act = self.width, self.system.n_actions
        top = numpy.argpartition(-cand, k - 1, axis=1)[:, :k]  # a row has k * (n_act + 1) > k
        vals = numpy.take_along_axis(cand, top, axis=1)
        order = numpy.lexsort((top, -vals), axis=1)
        top = numpy.take_along_axis(top, order, axis=1)
        vals = numpy.take_along_axis(vals, order, axis=1)
        parent = (top // (n_act + 1) + numpy.arange(self.n_groups)[:, None] * k).ravel()
        action = (top % (n_act + 1)).ravel()
        self.scores = vals.ravel()
        first_valid = self.valid.argmax(axis=1)[parent]
        moves = numpy.where((action < n_act) & self.alive, action, first_valid).astype("int32")
        self.states = self.states.gather(parent)
        self.system.apply_batch(self.states, moves)
        return parent, action

    def reorder(self, source: numpy.ndarray) -> None:
        """Entry i becomes a copy of entry `source[i]` (states and scores)."""
        self.states = self.states.gather(source.astype("int32"))
        self.scores = self.scores[source]


def log_probs(scores: Any, valid: numpy.ndarray) -> numpy.ndarray:
    """Log-softmax of each row of `scores` over its valid actions (-inf elsewhere), float64."""
    scores = numpy.where(valid, to_numpy(scores).astype("float64"), NEG_INF)
    top = scores.max(axis=1, keepdims=True)
    top[~numpy.isfinite(top)] = 0.0
    shifted = scores - top
    return shifted - numpy.log(numpy.maximum(numpy.exp(shifted).sum(axis=1, keepdims=True), 1e-300))


def _step_ids(beams: _Beams, live: numpy.ndarray, ids: numpy.ndarray, entry_offsets: numpy.ndarray) -> numpy.ndarray:
    beams.system.set_features(beams.states, ids)
    live_ids = ids[live]
    numpy.add(live_ids, entry_offsets[live, None], out=live_ids, where=live_ids >= 0)
    return live_ids


def beam_decode(system: Any, states: Any, lengths: Sequence[int], score: Callable[[numpy.ndarray], Any], width: int, name: str) -> Any:
    """The best final state per doc under beam search of `width` (a new StateBatch in the
    order of `states`); `score(global_ids)` returns the live states' action scores."""
    n = len(lengths)
    beams = _Beams(system, states, n, width)
    entry_offsets = numpy.repeat(_doc_offsets(lengths), width)
    ids = numpy.empty((n * width, system.n_features), dtype="int32")
    max_steps = step_bound(max(lengths) if n else 0)
    for _ in range(max_steps + 1):
        live = beams.mark_valid()
        if not live.any():
            return beams.states.gather(numpy.arange(n, dtype="int32") * width)
        valid = beams.valid[live]
        beams.select(beams.candidates(live, log_probs(score(_step_ids(beams, live, ids, entry_offsets)), valid), valid))
    raise RuntimeError(f"{name}: beam search did not finish in {max_steps} steps (longest doc: {max(lengths)} words)")


class BeamLearner:
    """The global beam update of one batch of chunks (see the module docstring).

    Beam g * 2 is chunk g's predicted beam, g * 2 + 1 its gold beam. `run` advances both to the
    end or the violation, recording each step's scores and back pointers; `finish` sends the
    gradient of every history's summed score back to its steps (scaled by `scale`).
    """

    def __init__(self, system: Any, states: Any, golds: Sequence[Any], lengths: Sequence[int], step: Any, width: int, scale: float) -> None:
        n = len(golds)
        self.system, self.step, self.width, self.scale, self.n = system, step, width, scale, n
        self.beams = _Beams(system, states.gather(numpy.repeat(numpy.arange(n, dtype="int32"), 2)), 2 * n, width)
        self.entry_golds = [golds[e // (2 * width)] for e in range(2 * n * width)]
        self.entry_offsets = numpy.repeat(_doc_offsets(lengths), 2 * width)
        self.is_gold_beam = numpy.tile(numpy.repeat([False, True], width), n)
        self.zero_cost = numpy.ones(2 * n * width, dtype=bool)
        self.hashes = numpy.zeros(2 * n * width, dtype="uint64")
        self.open = numpy.ones(n, dtype=bool)
        self.history: list[tuple[Any, ...]] = []
        self.loss = 0.0
        self.max_steps = step_bound(max(lengths) if n else 0)

    def run(self) -> None:
        beams, system = self.beams, self.system
        ids = numpy.empty((len(beams.scores), system.n_features), dtype="int32")
        costs = numpy.empty((len(beams.scores), system.n_actions), dtype="float32")
        for _ in range(self.max_steps + 1):
            live = beams.mark_valid()
            if not live.any():
                self._close(self.open.copy(), self._last_inject())
                return
            scores, backprop = self.step.begin_step(_step_ids(beams, live, ids, self.entry_offsets))
            scores = log_probs(scores, beams.valid[live])
            system.set_costs(beams.states, self.entry_golds, costs)
            free = costs[live] <= 0
            allowed = beams.valid[live] & (free | ~self.is_gold_beam[live, None])
            rows = numpy.full(len(beams.scores), -1, dtype="int64")
            rows[live] = numpy.arange(int(live.sum()))
            parent, action = beams.select(beams.candidates(live, scores, allowed))
            moved = action < system.n_actions
            step_free = numpy.ones(len(parent), dtype=bool)
            step_free[moved] = costs[parent[moved], action[moved]] <= 0
            self.zero_cost = self.zero_cost[parent] & step_free
            self.hashes = self.hashes[parent] * _HASH_MUL + numpy.where(moved, action + 1, 0).astype("uint64")
            inject = numpy.zeros(len(parent))
            self.history.append((rows[parent], action, parent, (backprop, numpy.exp(scores)), inject))
            self._check_violations(inject)
        raise RuntimeError(f"beam update did not finish in {self.max_steps} steps")

    def _last_inject(self) -> numpy.ndarray:
        """The gradient slot of the histories as they are now (after the last step)."""
        if not self.history:
            self.history.append((numpy.full(len(self.beams.scores), -1), numpy.full(len(self.beams.scores), self.system.n_actions),
                                 numpy.arange(len(self.beams.scores)), None, numpy.zeros(len(self.beams.scores))))
        return self.history[-1][4]

    def _entries(self, doc: int) -> numpy.ndarray:
        return numpy.arange(2 * self.width) + doc * 2 * self.width

    def _check_violations(self, inject: numpy.ndarray) -> None:
        """For each open doc whose predicted beam lost every gold history: the loss over both
        beams now, then the predicted beam restarts from the gold beam (LaSO, Daume & Marcu
        2005), so every part of a sentence is learnt; a doc whose gold beam is empty too closes
        (no loss)."""
        alive = self.beams.alive
        gold_alive = (alive & self.zero_cost).reshape(self.n, 2, self.width)
        lost = self.open & ~gold_alive[:, 0].any(axis=1)
        if not lost.any():
            return
        stuck = lost & ~gold_alive[:, 1].any(axis=1)
        self._close(stuck, inject)
        restart = lost & ~stuck
        for doc in numpy.flatnonzero(restart):
            self._add_loss(self._entries(doc), inject)
        remap = numpy.arange(len(alive))
        pred = (numpy.flatnonzero(restart)[:, None] * 2 * self.width + numpy.arange(self.width)).ravel()
        remap[pred] += self.width
        self.beams.reorder(remap)
        self.zero_cost = self.zero_cost[remap]
        self.hashes = self.hashes[remap]
        no_move = numpy.full(len(remap), self.system.n_actions)
        self.history.append((numpy.full(len(remap), -1), no_move, remap, None, numpy.zeros(len(remap))))

    def _add_loss(self, entries: numpy.ndarray, inject: numpy.ndarray) -> None:
        """-log P(gold histories) over the alive histories of `entries` (a gold history in both
        beams counts once); its gradient per history goes to `inject`."""
        keep = entries[self.beams.alive[entries]]
        pred_hashes = set(self.hashes[keep[~self.is_gold_beam[keep]]].tolist())
        keep = numpy.asarray([e for e in keep if not (self.is_gold_beam[e] and int(self.hashes[e]) in pred_hashes)], dtype="int64")
        gold = self.zero_cost[keep]
        if not keep.size or not gold.any() or gold.all():
            return
        scores = self.beams.scores[keep]
        probs = numpy.exp(scores - scores.max())
        probs /= probs.sum()
        gold_mass = probs[gold].sum()
        inject[keep] += probs - numpy.where(gold, probs / gold_mass, 0.0)
        self.loss -= float(numpy.log(max(gold_mass, 1e-30)))

    def _close(self, docs: numpy.ndarray, inject: numpy.ndarray) -> None:
        """The loss of each doc in `docs` over its current histories, its gradient written to
        `inject`; then the doc's entries are emptied."""
        for doc in numpy.flatnonzero(docs):
            entries = self._entries(doc)
            self._add_loss(entries, inject)
            self.beams.scores[entries] = NEG_INF
        self.open &= ~docs

    def finish(self) -> None:
        """Backpropagate: every history's gradient to the action scores of its steps."""
        grad = numpy.zeros(len(self.beams.scores))
        n_act = self.system.n_actions
        for rows, action, parent, step, inject in reversed(self.history):
            grad = grad + inject
            hit = (grad != 0) & (action < n_act)
            if step is not None and hit.any():
                backprop, probs = step
                d_logp = numpy.zeros(probs.shape)
                numpy.add.at(d_logp, (rows[hit], action[hit]), grad[hit] * self.scale)
                # log-softmax: d score_b = d logp_b - p_b * sum_a d logp_a
                backprop((d_logp - probs * d_logp.sum(axis=1, keepdims=True)).astype("float32"))
            grad_prev = numpy.zeros(len(grad))
            numpy.add.at(grad_prev, parent, grad)
            grad = grad_prev
