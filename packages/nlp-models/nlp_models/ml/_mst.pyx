# cython: infer_types=True
"""Chu-Liu/Edmonds maximum spanning arborescence over a dense float64 score matrix (nogil C).

`scores[d, h]` is the score of word d taking head h; node 0 is the root, so row 0 and the
diagonal are never read. Every word takes its best head; while that makes a cycle, the cycle
is contracted into one node (an edge entering it is scored relative to the cycle edge it
replaces) and the smaller graph is solved the same way. The levels are then expanded in
reverse: each cycle is broken where the edge chosen to enter it lands. A level costs O(n^2)
and removes at least one node: O(n^3) time at worst, O(n^2) memory (only the current matrix
and a few ints per node and level are kept). The single-root constraint is the caller's (see
`mst.py`): it reweights the root's column.
"""

from libc.stdlib cimport free, malloc

import numpy


cdef struct Level:
    int n          # nodes at this level (node 0 the root)
    int m          # nodes outside the cycle; the contracted cycle is node m of the next level
    int* heads     # each node's best head here (a cycle's edges are kept on expansion)
    int* new_id    # node -> its id at the next level (-1: on the cycle)
    int* old_id    # next level's id -> node, for the m nodes outside the cycle
    int* out_c     # per node outside the cycle: its best head on the cycle
    int* in_c      # per node h outside the cycle: the cycle node best entered from h


cdef void best_heads(const double* S, int n, int* heads) noexcept nogil:
    """heads[d] = the best-scoring head of each word d >= 1 (never d itself); heads[0] = -1."""
    cdef int d, h, best
    heads[0] = -1
    for d in range(1, n):
        best = 0
        for h in range(1, n):
            if h != d and S[<long>d * n + h] > S[<long>d * n + best]:
                best = h
        heads[d] = best


cdef int find_cycle(const int* heads, int n, int* mark) noexcept nogil:
    """A node on a cycle of `heads`, or -1 when they form a tree (mark: n ints of scratch)."""
    cdef int start, v
    for v in range(n):
        mark[v] = 0
    for start in range(1, n):
        if mark[start]:
            continue
        v = start
        while v > 0 and mark[v] == 0:
            mark[v] = start
            v = heads[v]
        if v > 0 and mark[v] == start:
            return v
    return -1


cdef int number_nodes(Level* lvl, int on_cycle) noexcept nogil:
    """Fill new_id/old_id for the cycle through `on_cycle`; the next level's size."""
    cdef int v, m = 0
    for v in range(lvl.n):
        lvl.new_id[v] = 0
    v = on_cycle
    while lvl.new_id[v] == 0:
        lvl.new_id[v] = -1
        v = lvl.heads[v]
    for v in range(lvl.n):
        if lvl.new_id[v] == 0:
            lvl.new_id[v] = m
            lvl.old_id[m] = v
            m += 1
    lvl.m = m
    return m + 1


cdef void contract(const double* S, Level* lvl, double* S2, int n2) noexcept nogil:
    """S2 (n2 x n2): S with the cycle of `lvl` as node n2 - 1 (row 0, diagonal unused)."""
    cdef int n = lvl.n, m = lvl.m, d, h, c
    cdef double value
    for d in range(n2 * n2):
        S2[d] = 0.0
    for d in range(1, n):
        if lvl.new_id[d] < 0:
            continue
        lvl.out_c[d] = -1
        for h in range(n):
            if lvl.new_id[h] >= 0:
                S2[<long>lvl.new_id[d] * n2 + lvl.new_id[h]] = S[<long>d * n + h]
            elif lvl.out_c[d] < 0 or S[<long>d * n + h] > S[<long>d * n + lvl.out_c[d]]:
                lvl.out_c[d] = h
        S2[<long>lvl.new_id[d] * n2 + m] = S[<long>d * n + lvl.out_c[d]]
    for h in range(n):
        if lvl.new_id[h] < 0:
            continue
        lvl.in_c[h] = -1
        for c in range(1, n):
            if lvl.new_id[c] >= 0:
                continue
            value = S[<long>c * n + h] - S[<long>c * n + lvl.heads[c]]
            if lvl.in_c[h] < 0 or value > S2[<long>m * n2 + lvl.new_id[h]]:
                S2[<long>m * n2 + lvl.new_id[h]] = value
                lvl.in_c[h] = c


cdef void expand(Level* lvl, const int* heads2) noexcept nogil:
    """Turn the next level's heads into this level's: the cycle loses the edge into the node
    the chosen entering edge lands on."""
    cdef int d, h
    for d in range(1, lvl.n):
        if lvl.new_id[d] >= 0:
            h = heads2[lvl.new_id[d]]
            lvl.heads[d] = lvl.out_c[d] if h == lvl.m else lvl.old_id[h]
    h = lvl.old_id[heads2[lvl.m]]
    lvl.heads[lvl.in_c[h]] = h


cdef int descend(const double* S0, int n0, Level* levels) noexcept nogil:
    """Contract cycles level by level until the best heads form a tree; the number of levels
    filled (their buffers are the caller's to free), or -(levels + 1) when memory runs out."""
    cdef const double* S = S0
    cdef double* S2 = NULL
    cdef int n = n0, n2, on_cycle, depth = 0
    cdef Level* lvl
    cdef int* buf
    while True:
        buf = <int*>malloc(5 * n * sizeof(int))
        if buf == NULL:
            depth = -(depth + 1)
            break
        lvl = &levels[depth]
        lvl.n, lvl.heads, lvl.new_id, lvl.old_id, lvl.out_c, lvl.in_c = n, buf, buf + n, buf + 2 * n, buf + 3 * n, buf + 4 * n
        depth += 1
        best_heads(S, n, lvl.heads)
        on_cycle = find_cycle(lvl.heads, n, lvl.new_id) if n >= 3 else -1
        if on_cycle < 0:
            break
        n2 = number_nodes(lvl, on_cycle)
        S2 = <double*>malloc(<long>n2 * n2 * sizeof(double))
        if S2 == NULL:
            depth = -(depth + 1)
            break
        contract(S, lvl, S2, n2)
        if S != S0:
            free(<void*>S)
        S, n = S2, n2
    if S != S0:
        free(<void*>S)
    return depth


cdef int solve(const double* S, int n, int* heads) noexcept nogil:
    """The maximum spanning arborescence rooted at node 0 of the n x n matrix S, into
    heads; 0, or -1 when memory runs out."""
    cdef Level* levels = <Level*>malloc(n * sizeof(Level))
    cdef int depth, k, status = 0
    if levels == NULL:
        return -1
    depth = descend(S, n, levels)
    if depth < 0:
        depth, status = -depth - 1, -1
    else:
        for k in range(depth - 2, -1, -1):
            expand(&levels[k], levels[k + 1].heads)
        for k in range(n):
            heads[k] = levels[0].heads[k]
    for k in range(depth):
        free(levels[k].heads)
    free(levels)
    return status


def chu_liu_edmonds(double[:, ::1] scores):
    """The heads (int64, heads[0] = -1) of the maximum spanning arborescence rooted at node 0
    of the square matrix `scores[dependent, head]` (row 0 and the diagonal are not read)."""
    cdef int n = scores.shape[0]
    if scores.shape[1] != n:
        raise ValueError(f"chu_liu_edmonds: scores must be square, got {scores.shape[0]}x{scores.shape[1]}")
    out = numpy.full(max(n, 1), -1, dtype=numpy.intc)
    cdef int[::1] heads = out
    cdef int status = 0
    if n > 1:
        with nogil:
            status = solve(&scores[0, 0], n, &heads[0])
    if status < 0:
        raise MemoryError("chu_liu_edmonds: out of memory")
    return out[:n].astype(numpy.int64)
