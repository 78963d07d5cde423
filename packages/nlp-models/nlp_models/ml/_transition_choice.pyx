# cython: infer_types=True
"""One training step's loss and choice for a batch of parser / NER states, in one C pass.

The same arithmetic as `losses.transition_loss` (softmax cross-entropy towards the valid actions
of lowest cost) and `_transition_loop.explore_actions` (follow the best valid action with
probability `explore`, else the best of the lowest-cost ones), fused so that a transition step
pays one call instead of some twenty numpy calls: that fixed cost, paid at every step whatever the
number of live states, was most of the loop's time on small batches.
"""

cimport numpy as np
from libc.math cimport expf, log

import numpy

np.import_array()


cdef double choose_row(const float* scores, const np.npy_bool* valid, const float* costs,
                       float* d_scores, int n_actions, double draw, double explore,
                       int* action) noexcept nogil:
    """Fill one state's d_scores and action; return its loss (0 with no valid action)."""
    cdef int a, best = -1, gold_best = -1
    cdef float top = 0, best_cost = 0, gold_top = 0
    cdef double total = 0, gold_mass = 0, p
    for a in range(n_actions):  # the top valid score and the lowest valid cost
        d_scores[a] = 0
        if not valid[a]:
            continue
        if best < 0:
            top, best_cost, best = scores[a], costs[a], a
        elif scores[a] > top:
            top, best = scores[a], a
        if costs[a] < best_cost:
            best_cost = costs[a]
    if best < 0:
        action[0] = 0
        return 0.0
    for a in range(n_actions):
        if not valid[a]:
            continue
        d_scores[a] = expf(scores[a] - top)
        total += d_scores[a]
        if costs[a] <= best_cost:
            gold_mass += d_scores[a]
            if gold_best < 0 or scores[a] > gold_top:
                gold_top = scores[a]
                gold_best = a
    if total < 1e-30:
        total = 1e-30
    gold_mass /= total
    if gold_mass < 1e-30:
        gold_mass = 1e-30
    for a in range(n_actions):
        if valid[a]:
            p = d_scores[a] / total
            d_scores[a] = <float>(p - p / gold_mass) if costs[a] <= best_cost else <float>p
    action[0] = best if draw < explore else gold_best
    return -log(gold_mass)


def learn_and_choose(np.ndarray scores, np.ndarray valid, np.ndarray costs, double explore,
                     draws=None):
    """(d_scores, loss, actions) of live states: the loss of `losses.transition_loss` and the
    choice of `explore_actions` (`draws`: one uniform draw per state, needed when
    0 < explore < 1; state s follows its best valid action when draws[s] < explore)."""
    if scores.ndim != 2 or scores.dtype != numpy.float32:
        raise ValueError("learn_and_choose: scores must be a 2d float32 array")
    cdef int n = scores.shape[0]
    cdef int n_actions = scores.shape[1]
    scores = numpy.ascontiguousarray(scores)
    valid = numpy.ascontiguousarray(valid, dtype=numpy.bool_)
    costs = numpy.ascontiguousarray(costs, dtype=numpy.float32)
    if (<object>valid).shape != (<object>scores).shape or (<object>costs).shape != (<object>scores).shape:
        raise ValueError(f"learn_and_choose: scores {(<object>scores).shape}, valid "
                         f"{(<object>valid).shape} and costs {(<object>costs).shape} differ")
    cdef np.ndarray d_scores = numpy.empty((n, n_actions), dtype=numpy.float32)
    cdef np.ndarray actions = numpy.empty(n, dtype=numpy.int32)
    cdef np.ndarray u
    if 0.0 < explore < 1.0:
        if draws is None or len(draws) != n:
            raise ValueError("learn_and_choose: 0 < explore < 1 needs one draw per state")
        u = numpy.ascontiguousarray(draws, dtype=numpy.float64)
    else:
        u = numpy.zeros(n, dtype=numpy.float64)
    cdef double loss = 0
    cdef int s
    cdef const float* S = <const float*>scores.data
    cdef const np.npy_bool* V = <const np.npy_bool*>valid.data
    cdef const float* C = <const float*>costs.data
    cdef float* D = <float*>d_scores.data
    cdef int* A = <int*>actions.data
    cdef const double* U = <const double*>u.data
    with nogil:
        for s in range(n):
            loss += choose_row(S + <long>s * n_actions, V + <long>s * n_actions,
                               C + <long>s * n_actions, D + <long>s * n_actions, n_actions,
                               U[s], explore, A + s)
    return d_scores, loss, actions
