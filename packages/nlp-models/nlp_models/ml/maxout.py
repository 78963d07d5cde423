"""Maxout with piece-major weights: the max over pieces is a few elementwise `maximum`s.

thinc's Maxout stores W as (nO, nP, nI), so its max runs over a short inner axis; storing the
pieces as the outer axis, (nP, nO, nI), turns it into nP-1 vectorised passes over contiguous
column blocks, which on our shapes is several times faster at inference.
"""

from collections.abc import Callable
from typing import Any

from thinc.api import Dropout, LayerNorm, Model, chain, glorot_uniform_init
from thinc.types import Floats2d


def FastMaxout(
    nO: int, nI: int, nP: int = 3, *, normalize: bool = False, dropout: float | None = None
) -> Model[Floats2d, Floats2d]:
    """Maxout(nO outputs, nI inputs, nP pieces), optionally + LayerNorm and Dropout."""
    model: Model = Model(
        "maxout_pm",
        _forward,
        init=_init,
        dims={"nO": nO, "nI": nI, "nP": nP},
        params={"W": None, "b": None},
    )
    if normalize:
        model = chain(model, LayerNorm(nI=nO))
    if dropout:
        model = chain(model, Dropout(dropout))
    return model


def _init(model: Model, X: Any = None, Y: Any = None) -> None:
    nO, nI, nP = (model.get_dim(d) for d in ("nO", "nI", "nP"))
    W = glorot_uniform_init(model.ops, (nP * nO, nI))
    model.set_param("W", W)
    model.set_param("b", model.ops.alloc1f(nP * nO))


def _forward(model: Model, X: Floats2d, is_train: bool) -> tuple[Floats2d, Callable]:
    nO, nI, nP = (model.get_dim(d) for d in ("nO", "nI", "nP"))
    ops = model.ops
    xp = ops.xp
    if X.shape[1] != nI:
        raise ValueError(f"maxout: input width {X.shape[1]}, expected {nI}")
    W = model.get_param("W")
    Y = ops.gemm(X, W, trans2=True)
    Y += model.get_param("b")
    best = Y[:, :nO].copy()
    which = xp.zeros(best.shape, dtype="int8") if is_train else None
    for p in range(1, nP):
        piece = Y[:, p * nO : (p + 1) * nO]
        if which is not None:
            which[piece > best] = p
        xp.maximum(best, piece, out=best)

    def backprop(d_best: Floats2d) -> Floats2d:
        dY = ops.alloc2f(d_best.shape[0], nP * nO)
        for p in range(nP):
            dY[:, p * nO : (p + 1) * nO] = d_best * (which == p)
        model.inc_grad("b", dY.sum(axis=0))
        model.inc_grad("W", ops.gemm(dY, X, trans1=True))
        return ops.gemm(dY, W)

    return best, backprop
