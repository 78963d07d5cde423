"""The parser's lower layer, precomputed per token (Chen & Manning 2014).

Params: W (nI, nF, nH, nP), b (nH, nP), pad (nF, nH, nP). For a batch of token vectors X (N, nI)
one product X @ W gives every token's contribution in every feature slot; row N of the table
holds the learned padding rows used by empty (-1) slots. A state's pre-activation is then
b + sum over slots of one table row, computed by `gather_sum` (and undone by `scatter_add`).
"""

from typing import Any

import numpy
from thinc.api import Model
from thinc.types import Floats2d

try:
    from . import _state_rows
except ImportError:  # not compiled: numpy indexing does the same work, more slowly
    _state_rows = None


def PrecomputableAffine(
    nO: int | None = None, nI: int | None = None, nF: int | None = None, nP: int = 2
) -> Model:
    """The lower layer's parameters; use `precompute` / `backprop_precomputed`, not forward."""
    return Model(
        "precomputable_affine",
        _no_forward,
        init=_init,
        dims={"nO": nO, "nI": nI, "nF": nF, "nP": nP},
        params={"W": None, "b": None, "pad": None},
    )


def _no_forward(model: Model, X: Any, is_train: bool) -> Any:
    raise TypeError("precomputable_affine is used through precompute(), not called directly")


def _init(model: Model, X: Any = None, Y: Any = None) -> None:
    nO, nI, nF, nP = (model.get_dim(d) for d in ("nO", "nI", "nF", "nP"))
    # Each hidden unit sums nF slots of nI inputs: scale by that fan-in.
    scale = numpy.sqrt(1.0 / (nF * nI))
    model.set_param("W", model.ops.asarray4f(numpy.random.normal(0.0, scale, (nI, nF, nO, nP))))
    model.set_param("b", model.ops.alloc2f(nO, nP))
    model.set_param("pad", model.ops.asarray3f(numpy.random.normal(0.0, scale, (nF, nO, nP))))


def precompute(model: Model, X: Floats2d) -> Any:
    """The (N+1, nF, nO*nP) table: X @ W for N tokens, then the padding rows."""
    nO, nI, nF, nP = (model.get_dim(d) for d in ("nO", "nI", "nF", "nP"))
    ops = model.ops
    N = X.shape[0]
    W = ops.reshape2f(model.get_param("W"), nI, nF * nO * nP)
    table = ops.alloc2f(N + 1, nF * nO * nP, zeros=False)
    if N:
        ops.gemm(ops.as_contig(X), W, out=table[:N])
    table[N] = model.get_param("pad").reshape(-1)
    return table.reshape((N + 1, nF, nO * nP))


def backprop_precomputed(model: Model, X: Floats2d, d_table: Any, d_bias: Any) -> Floats2d:
    """Push the accumulated table gradient into W, pad and b; return d_X (N, nI)."""
    nO, nI, nF, nP = (model.get_dim(d) for d in ("nO", "nI", "nF", "nP"))
    ops = model.ops
    N = X.shape[0]
    d_rows = ops.reshape2f(d_table[:N], N, nF * nO * nP)
    W = ops.reshape2f(model.get_param("W"), nI, nF * nO * nP)
    model.inc_grad("pad", ops.reshape3f(d_table[N], nF, nO, nP))
    model.inc_grad("b", ops.reshape2f(d_bias, nO, nP))
    if N == 0:
        return ops.alloc2f(0, nI)
    model.inc_grad("W", ops.reshape4f(ops.gemm(X, d_rows, trans1=True), nI, nF, nO, nP))
    return ops.gemm(d_rows, W, trans2=True)


def _use_kernel(*arrays: Any) -> bool:
    return _state_rows is not None and all(isinstance(a, numpy.ndarray) for a in arrays)


def gather_sum(ops: Any, table: Any, ids: Any, bias: Any) -> Floats2d:
    """(n_states, nO*nP): bias + sum over slots f of table[ids[:, f], f] (-1 -> padding row)."""
    if _use_kernel(table, ids):
        return _state_rows.gather_sum(table, ids, bias)
    xp = ops.xp
    rows = xp.where(ids < 0, table.shape[0] - 1, ids)
    slots = xp.arange(table.shape[1])[None, :]
    return table[rows, slots].sum(axis=1) + bias.reshape(1, -1)


def scatter_add(ops: Any, d_table: Any, ids: Any, d_out: Any) -> None:
    """d_table[ids[s, f], f] += d_out[s] for every state s and slot f (in place)."""
    if _use_kernel(d_table, ids, d_out):
        _state_rows.scatter_add(d_table, ids, d_out)
        return
    xp = ops.xp
    rows = xp.where(ids < 0, d_table.shape[0] - 1, ids)
    slots = xp.broadcast_to(xp.arange(d_table.shape[1])[None, :], rows.shape)
    values = xp.broadcast_to(d_out[:, None, :], rows.shape + (d_out.shape[1],))
    if xp is numpy:
        numpy.add.at(d_table, (rows, slots), values)
    else:  # cupy
        import cupyx

        cupyx.scatter_add(d_table, (rows, slots), values)
