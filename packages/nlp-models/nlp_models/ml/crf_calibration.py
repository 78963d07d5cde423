"""Temperature scaling of a linear-chain CRF: one scalar T that divides every path's score, fitted
after training so that the CRF's probabilities match how often it is right on held-out data.

A CRF trained to fit its training set closely is over-confident: its span probabilities sit
near 1 for entities that are often wrong. Dividing the emissions and the transitions by the same
T > 1 flattens the distribution over paths without changing their order, so the Viterbi path
(and the F score) stays as it is while the probabilities become calibrated (Guo et al. 2017 for
classifiers; here the negative log-likelihood is the CRF's own, of the gold tag sequences).
"""

from __future__ import annotations

import math

import numpy

from .crf import BiluoLattice, CrfBatch, log_partition

#: The range T is searched in (log-spaced): wide enough for any model we have trained, and
#: bounded so that a degenerate held-out set cannot send it to 0 or infinity.
MIN_TEMPERATURE = 0.25
MAX_TEMPERATURE = 16.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def gold_fits(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice,
              gold_mask: numpy.ndarray) -> numpy.ndarray:
    """Per sequence, whether some valid path fits its gold (the same at every T)."""
    return numpy.isfinite(log_partition(batch, trans, lattice, gold_mask))


def scaled_nll(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice, gold_mask: numpy.ndarray,
               temperature: float, fits: numpy.ndarray | None = None) -> float:
    """The summed negative log-likelihood of the gold (the tags `gold_mask` allows each token)
    under the CRF with every path score divided by `temperature`; a sequence whose gold no
    valid path fits is left out (`fits`: :func:`gold_fits`, when known already)."""
    scaled, scaled_trans = batch.scaled(temperature), trans / temperature
    log_z = log_partition(scaled, scaled_trans, lattice, numpy.ones_like(gold_mask))
    gold_z = log_partition(scaled, scaled_trans, lattice, gold_mask)
    fits = numpy.isfinite(gold_z) if fits is None else fits
    return float((log_z[fits] - gold_z[fits]).sum())


def fit_temperature(batch: CrfBatch, trans: numpy.ndarray, lattice: BiluoLattice, gold_mask: numpy.ndarray,
                    tolerance: float = 5e-3) -> float:
    """The T in [MIN_TEMPERATURE, MAX_TEMPERATURE] that minimises `scaled_nll`: a golden-section
    search over log T (to `tolerance` in log T), one forward pass over the batch per step.
    1.0 (no scaling) when no sequence's gold fits a valid path: there is nothing to fit."""
    fits = gold_fits(batch, trans, lattice, gold_mask)
    if not fits.any():
        return 1.0

    def loss(log_t: float) -> float:
        return scaled_nll(batch, trans, lattice, gold_mask, math.exp(log_t), fits)

    lo, hi = math.log(MIN_TEMPERATURE), math.log(MAX_TEMPERATURE)
    a, b = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    loss_a, loss_b = loss(a), loss(b)
    while hi - lo > tolerance:
        if loss_a <= loss_b:
            hi, b, loss_b = b, a, loss_a
            a = hi - _GOLDEN * (hi - lo)
            loss_a = loss(a)
        else:
            lo, a, loss_a = a, b, loss_b
            b = lo + _GOLDEN * (hi - lo)
            loss_b = loss(b)
    return math.exp((lo + hi) / 2.0)
