"""Window and residual layers over Ragged token vectors that keep their width with no tokens.

thinc's Ragged stores an array with no rows as (0, 0) in `.data` (only `.dataXd` keeps the
width), and its `expand_window` and `residual` read `.data`; a batch of empty docs then reaches
the convolution's Maxout as width 0 and fails. These two layers read `.dataXd` instead. Their
names, attrs and dims are those of the thinc layers they stand for, so saved weights load
into either.
"""

from collections.abc import Callable
from typing import Any

from thinc.api import Model
from thinc.types import Ragged


def ragged_window(window: int) -> Model[Ragged, Ragged]:
    """Each token's vector concatenated with its `window` neighbours on each side, within its doc."""
    return Model("expand_window", _window_forward, attrs={"window_size": window})


def _window_forward(model: Model, Xr: Ragged, is_train: bool) -> tuple[Ragged, Callable]:
    n_window = model.attrs["window_size"]
    ops = model.ops
    X = Xr.dataXd
    width = X.shape[1]
    if len(X):
        Y = ops.seq2col(X, n_window, lengths=Xr.lengths)
    else:
        Y = ops.alloc2f(0, width * (2 * n_window + 1))

    def backprop(dYr: Ragged) -> Ragged:
        dY = dYr.dataXd
        if not len(dY):
            return Ragged(ops.alloc2f(0, width), Xr.lengths)
        return Ragged(ops.backprop_seq2col(dY, n_window, lengths=Xr.lengths), Xr.lengths)

    return Ragged(Y, Xr.lengths), backprop


def ragged_residual(layer: Model[Ragged, Ragged]) -> Model[Ragged, Ragged]:
    """X + layer(X) for Ragged X (the gradient flows through both paths)."""
    return Model(
        f"residual({layer.name})",
        _residual_forward,
        init=_residual_init,
        layers=[layer],
        dims={
            "nO": layer.get_dim("nO") if layer.has_dim("nO") else None,
            "nI": layer.get_dim("nI") if layer.has_dim("nI") else None,
        },
    )


def _residual_init(model: Model, X: Any = None, Y: Any = None) -> None:
    model.layers[0].initialize(X=X)


def _residual_forward(model: Model, Xr: Ragged, is_train: bool) -> tuple[Ragged, Callable]:
    Yr, backprop_layer = model.layers[0](Xr, is_train)

    def backprop(dYr: Ragged) -> Ragged:
        dXr = backprop_layer(dYr)
        return Ragged(dYr.dataXd + dXr.dataXd, Xr.lengths)

    return Ragged(Xr.dataXd + Yr.dataXd, Xr.lengths), backprop
