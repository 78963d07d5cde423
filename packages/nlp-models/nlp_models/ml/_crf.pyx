# cython: infer_types=True
"""Linear-chain CRF kernels over a batch of tag sequences (nogil C loops, log space, float64).

Every function reads the same lattice: `emit` (N, L), the emission scores of the N tokens of
all sequences end to end (`lengths` says where each ends); `trans` (L, L), the score of tag j
after tag i; `allowed` (L, L), which of those transitions exist (a forbidden one has score
-inf: it is skipped, never added); `start_ok` / `end_ok` (L,), the tags a sequence may begin
and end with; `mask` (N, L), the tags each token may take (all ones: no constraint; one tag:
the gold, or a preset). A token costs O(L^2): each (t, j) cell takes one max and one log over
its L predecessors.

`alpha[t, j]`: log of the summed scores of the prefixes ending in tag j at t, emission of t
included; `beta[t, j]`: the same for the suffixes after t given tag j at t; log Z of a
sequence is logsumexp over j of alpha[last, j] + beta[last, j] (-inf: no path fits the mask).
"""

from libc.math cimport INFINITY, exp, log
from libc.stdint cimport int64_t

import numpy

cdef double NEG_INF = -INFINITY


cdef struct Lattice:
    const double* emit
    const double* trans
    const unsigned char* allowed
    const unsigned char* start_ok
    const unsigned char* end_ok
    const unsigned char* mask
    int n_tags


cdef Lattice _lattice(const double[:, ::1] emit, const double[:, ::1] trans,
                      const unsigned char[:, ::1] allowed, const unsigned char[::1] start_ok,
                      const unsigned char[::1] end_ok, const unsigned char[:, ::1] mask) except *:
    cdef int L = trans.shape[0]
    if trans.shape[1] != L or allowed.shape[0] != L or allowed.shape[1] != L:
        raise ValueError(f"crf: trans and allowed must be ({L}, {L})")
    if emit.shape[1] != L or mask.shape[1] != L or mask.shape[0] != emit.shape[0]:
        raise ValueError(f"crf: emit and mask must have {L} columns and the same rows")
    if start_ok.shape[0] != L or end_ok.shape[0] != L:
        raise ValueError(f"crf: start_ok and end_ok must have {L} entries")
    cdef Lattice lat
    lat.emit = &emit[0, 0] if emit.shape[0] else NULL
    lat.mask = &mask[0, 0] if mask.shape[0] else NULL
    lat.trans = &trans[0, 0]
    lat.allowed = &allowed[0, 0]
    lat.start_ok = &start_ok[0]
    lat.end_ok = &end_ok[0]
    lat.n_tags = L
    return lat


cdef long _offsets(const int64_t[::1] lengths, long n_rows) except -1:
    """Check that the lengths are >= 0 and add up to the rows; their sum."""
    cdef long total = 0
    for k in range(lengths.shape[0]):
        if lengths[k] < 0:
            raise ValueError(f"crf: sequence {k} has negative length {lengths[k]}")
        total += lengths[k]
    if total != n_rows:
        raise ValueError(f"crf: lengths add up to {total} but there are {n_rows} scored tokens")
    return total


cdef void _forward(const Lattice* lat, long o, long T, double* alpha, int* back) noexcept nogil:
    """alpha of a sequence (sum-product); with `back`, the Viterbi scores instead (max-product),
    each cell's best predecessor in back (-1: none)."""
    cdef int L = lat.n_tags
    cdef int i, j, best
    cdef long t, row, prev
    cdef double m, s, v
    for j in range(L):
        alpha[o * L + j] = lat.emit[o * L + j] if lat.start_ok[j] and lat.mask[o * L + j] else NEG_INF
    for t in range(1, T):
        row = (o + t) * L
        prev = row - L
        for j in range(L):
            alpha[row + j] = NEG_INF
            if back != NULL:
                back[row + j] = -1
            if not lat.mask[row + j]:
                continue
            m = NEG_INF
            best = -1
            for i in range(L):
                if lat.allowed[i * L + j] and alpha[prev + i] > NEG_INF:
                    v = alpha[prev + i] + lat.trans[i * L + j]
                    if v > m:
                        m = v
                        best = i
            if best < 0:
                continue
            if back != NULL:
                alpha[row + j] = m + lat.emit[row + j]
                back[row + j] = best
                continue
            s = 0.0
            for i in range(L):
                if lat.allowed[i * L + j] and alpha[prev + i] > NEG_INF:
                    s += exp(alpha[prev + i] + lat.trans[i * L + j] - m)
            alpha[row + j] = m + log(s) + lat.emit[row + j]


cdef void _backward(const Lattice* lat, long o, long T, double* beta) noexcept nogil:
    cdef int L = lat.n_tags
    cdef int i, j
    cdef long t, row, nxt
    cdef double m, s, v
    row = (o + T - 1) * L
    for i in range(L):
        beta[row + i] = 0.0 if lat.end_ok[i] else NEG_INF
    for t in range(T - 2, -1, -1):
        row = (o + t) * L
        nxt = row + L
        for i in range(L):
            m = NEG_INF
            for j in range(L):
                if lat.allowed[i * L + j] and lat.mask[nxt + j] and beta[nxt + j] > NEG_INF:
                    v = lat.trans[i * L + j] + lat.emit[nxt + j] + beta[nxt + j]
                    if v > m:
                        m = v
            if m == NEG_INF:
                beta[row + i] = NEG_INF
                continue
            s = 0.0
            for j in range(L):
                if lat.allowed[i * L + j] and lat.mask[nxt + j] and beta[nxt + j] > NEG_INF:
                    s += exp(lat.trans[i * L + j] + lat.emit[nxt + j] + beta[nxt + j] - m)
            beta[row + i] = m + log(s)


cdef double _log_z(const Lattice* lat, long o, long T, const double* alpha, const double* beta) noexcept nogil:
    cdef int L = lat.n_tags
    cdef long row = (o + T - 1) * L
    cdef int j
    cdef double m = NEG_INF, s = 0.0
    for j in range(L):
        if alpha[row + j] + beta[row + j] > m:
            m = alpha[row + j] + beta[row + j]
    if m == NEG_INF:
        return NEG_INF
    for j in range(L):
        s += exp(alpha[row + j] + beta[row + j] - m)
    return m + log(s)


cdef void _pair_counts(const Lattice* lat, long o, long T, double log_z, const double* alpha,
                       const double* beta, double* pairs) noexcept nogil:
    """Add each transition's expected count in the sequence to pairs (L, L)."""
    cdef int L = lat.n_tags
    cdef int i, j
    cdef long t, row, prev
    cdef double base
    for t in range(1, T):
        row = (o + t) * L
        prev = row - L
        for j in range(L):
            if not lat.mask[row + j] or beta[row + j] == NEG_INF:
                continue
            base = lat.emit[row + j] + beta[row + j] - log_z
            for i in range(L):
                if lat.allowed[i * L + j] and alpha[prev + i] > NEG_INF:
                    pairs[i * L + j] += exp(alpha[prev + i] + lat.trans[i * L + j] + base)


def forward_backward(const double[:, ::1] emit, const int64_t[::1] lengths, const double[:, ::1] trans,
                     const unsigned char[:, ::1] allowed, const unsigned char[::1] start_ok,
                     const unsigned char[::1] end_ok, const unsigned char[:, ::1] mask, bint paths=False):
    """(alpha (N, L), beta (N, L), log_z (n_sequences,)) of every sequence of the batch; with
    `paths`, also the Viterbi tag of every token (N,) int32: each sequence's highest-scoring
    path among those the lattice allows (-1 throughout a sequence no path fits)."""
    lat = _lattice(emit, trans, allowed, start_ok, end_ok, mask)
    cdef long N = emit.shape[0]
    _offsets(lengths, N)
    alpha_arr = numpy.full((N, lat.n_tags), -numpy.inf, dtype="float64")
    beta_arr = numpy.full((N, lat.n_tags), -numpy.inf, dtype="float64")
    log_z_arr = numpy.full(lengths.shape[0], -numpy.inf, dtype="float64")
    n_best = N if paths else 1
    delta_arr = numpy.empty((n_best, lat.n_tags), dtype="float64")
    back_arr = numpy.empty((n_best, lat.n_tags), dtype="int32")
    best_arr = numpy.full(n_best, -1, dtype="int32")
    cdef double[:, ::1] alpha = alpha_arr
    cdef double[:, ::1] beta = beta_arr
    cdef double[::1] log_z = log_z_arr
    cdef double[:, ::1] delta = delta_arr
    cdef int[:, ::1] back = back_arr
    cdef int[::1] best = best_arr
    cdef long k, o = 0, T
    with nogil:
        for k in range(lengths.shape[0]):
            T = lengths[k]
            if T > 0:
                _forward(&lat, o, T, &alpha[0, 0], NULL)
                _backward(&lat, o, T, &beta[0, 0])
                log_z[k] = _log_z(&lat, o, T, &alpha[0, 0], &beta[0, 0])
                if paths:
                    _viterbi(&lat, o, T, &delta[0, 0], &back[0, 0], &best[0])
            else:
                log_z[k] = 0.0
            o += T
    if paths:
        return alpha_arr, beta_arr, log_z_arr, best_arr
    return alpha_arr, beta_arr, log_z_arr


def expected_counts(const double[:, ::1] emit, const int64_t[::1] lengths, const double[:, ::1] trans,
                    const unsigned char[:, ::1] allowed, const unsigned char[::1] start_ok,
                    const unsigned char[::1] end_ok, const unsigned char[:, ::1] mask):
    """(log_z (n_sequences,), marginals (N, L), pairs (L, L)): each token's tag probabilities
    and the expected count of every transition over the batch (the gradients of the summed
    log Z by emit and by trans). A sequence no path fits (log_z -inf) adds nothing."""
    alpha_arr, beta_arr, log_z_arr = forward_backward(emit, lengths, trans, allowed, start_ok, end_ok, mask)
    lat = _lattice(emit, trans, allowed, start_ok, end_ok, mask)
    cdef double[:, ::1] alpha = alpha_arr
    cdef double[:, ::1] beta = beta_arr
    cdef double[::1] log_z = log_z_arr
    pairs_arr = numpy.zeros((lat.n_tags, lat.n_tags), dtype="float64")
    cdef double[:, ::1] pairs = pairs_arr
    cdef long k, o = 0, T
    with nogil:
        for k in range(lengths.shape[0]):
            T = lengths[k]
            if T > 0 and log_z[k] > NEG_INF:
                _pair_counts(&lat, o, T, log_z[k], &alpha[0, 0], &beta[0, 0], &pairs[0, 0])
            o += T
    starts = numpy.repeat(numpy.arange(lengths.shape[0]), numpy.asarray(lengths))
    z = numpy.asarray(log_z_arr)[starts][:, None]
    with numpy.errstate(invalid="ignore"):
        marginals = numpy.exp(alpha_arr + beta_arr - z)
    marginals[~numpy.isfinite(z[:, 0])] = 0.0
    return log_z_arr, marginals, pairs_arr


cdef void _viterbi(const Lattice* lat, long o, long T, double* delta, int* back, int* out) noexcept nogil:
    """The best path of a sequence into out (-1 throughout when none fits)."""
    cdef int L = lat.n_tags
    cdef int j, best = -1
    cdef long t, row = (o + T - 1) * L
    cdef double m = NEG_INF
    _forward(lat, o, T, delta, back)
    for j in range(L):
        if lat.end_ok[j] and delta[row + j] > m:
            m = delta[row + j]
            best = j
    for t in range(T - 1, -1, -1):
        out[o + t] = best
        if best >= 0 and t > 0:
            best = back[(o + t) * L + best]
