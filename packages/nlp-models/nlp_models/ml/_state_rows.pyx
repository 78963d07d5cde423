# cython: infer_types=True
"""Gather-sum and scatter-add over a precomputed (n_tokens+1, n_slots, n_cols) float32 table."""

cimport numpy as np

import numpy

np.import_array()


cdef void sum_state_rows(float* out, const float* table, const float* bias, const int* ids,
                         int n_states, int n_slots, int n_cols, int pad_row) noexcept nogil:
    cdef int s, f, j
    cdef const float* row
    cdef float* dest
    for s in range(n_states):
        dest = out + <long>s * n_cols
        for j in range(n_cols):
            dest[j] = bias[j]
        for f in range(n_slots):
            row = table + (row_of(ids[<long>s * n_slots + f], pad_row) * n_slots + f) * n_cols
            for j in range(n_cols):
                dest[j] += row[j]


cdef void scatter_state_rows(float* d_table, const float* d_out, const int* ids,
                             int n_states, int n_slots, int n_cols, int pad_row) noexcept nogil:
    cdef int s, f, j
    cdef float* row
    cdef const float* src
    for s in range(n_states):
        src = d_out + <long>s * n_cols
        for f in range(n_slots):
            row = d_table + (row_of(ids[<long>s * n_slots + f], pad_row) * n_slots + f) * n_cols
            for j in range(n_cols):
                row[j] += src[j]


def _check(np.ndarray table, np.ndarray ids, str who):
    if table.ndim != 3 or table.dtype != numpy.float32 or not table.flags.c_contiguous:
        raise ValueError(f"{who}: table must be a C-contiguous float32 3d array")
    if ids.ndim != 2 or ids.dtype != numpy.int32 or not ids.flags.c_contiguous:
        raise ValueError(f"{who}: ids must be a C-contiguous int32 2d array")
    if ids.shape[1] != table.shape[1]:
        raise ValueError(f"{who}: ids have {ids.shape[1]} slots, the table {table.shape[1]}")
    if ids.size and ids.max() >= table.shape[0] - 1:
        raise IndexError(f"{who}: token id {ids.max()} out of range (n_tokens={table.shape[0] - 1})")


def gather_sum(np.ndarray table, np.ndarray ids, np.ndarray bias):
    """out[s] = bias + sum_f table[ids[s, f], f] (ids < 0 read the padding row table[-1, f])."""
    _check(table, ids, "gather_sum")
    cdef int n_states = ids.shape[0]
    cdef int n_slots = table.shape[1]
    cdef int n_cols = table.shape[2]
    cdef int pad_row = table.shape[0] - 1
    bias = numpy.ascontiguousarray(bias, dtype="float32").reshape(-1)
    if bias.shape[0] != n_cols:
        raise ValueError(f"gather_sum: bias has {bias.shape[0]} entries, the table rows {n_cols}")
    cdef np.ndarray out = numpy.empty((n_states, n_cols), dtype="float32")
    with nogil:
        sum_state_rows(<float*>out.data, <const float*>table.data, <const float*>bias.data,
                       <const int*>ids.data, n_states, n_slots, n_cols, pad_row)
    return out


def scatter_add(np.ndarray d_table, np.ndarray ids, np.ndarray d_out):
    """d_table[ids[s, f], f] += d_out[s] for every state and slot (in place)."""
    _check(d_table, ids, "scatter_add")
    cdef int n_states = ids.shape[0]
    cdef int n_slots = d_table.shape[1]
    cdef int n_cols = d_table.shape[2]
    cdef int pad_row = d_table.shape[0] - 1
    d_out = numpy.ascontiguousarray(d_out, dtype="float32")
    if d_out.shape[0] != n_states or d_out.size != <long>n_states * n_cols:
        raise ValueError(f"scatter_add: d_out shape {(<object>d_out).shape} != ({n_states}, {n_cols})")
    with nogil:
        scatter_state_rows(<float*>d_table.data, <const float*>d_out.data, <const int*>ids.data,
                           n_states, n_slots, n_cols, pad_row)
