"""A bidirectional LSTM over Ragged token vectors: each doc read left to right and right to left.

thinc 8.3's `LSTM` loses gradient: its CPU backward pass skips the first time step of every
sequence (no gradient reaches the first token's input or the weights through it), and the
generic one (CupyOps) never fills the gate gradient, so its weights get none. This layer is
written from the equations with `ops`/`xp` calls only, so the same code runs on numpy and cupy:

    i, f, o = sigmoid(x Wx + h_prev Wh + b) blocks; g = tanh(the fourth block)
    c = f * c_prev + i * g;   h = o * tanh(c)

Both directions step together: the docs are sorted by length and their tokens laid out time
step by time step ("packed"), so step t is one batched product over the docs still running
(two directions x their count), never a loop over docs or tokens. The input products (x Wx) for
all tokens are one gemm per direction before the loop, and the weight gradients one gemm per
direction after it.

Its output at a token depends on the whole doc, so a component with this layer annotates a long
doc in one call (`_chunks.context_width` is None: see `WHOLE_DOC`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
from thinc.api import Model, glorot_uniform_init
from thinc.types import Ragged

#: attrs key marking a layer whose output at a token depends on the whole doc.
WHOLE_DOC = "whole_doc_context"


class Packing:
    """The time-major order of a batch's tokens: for the forward direction, step t holds the
    t-th token of each doc at least t+1 long (longest docs first); for the backward direction,
    the t-th token from the end. `fwd`/`bwd`: token row of each packed position; `sizes[t]`:
    how many docs run at step t; `offsets[t]`: where step t starts; `prev`: packed position of
    the same doc's previous step (-1 at step 0)."""

    def __init__(self, lengths: numpy.ndarray) -> None:
        lengths = numpy.asarray(lengths, dtype="int64")
        starts = numpy.cumsum(lengths) - lengths
        order = numpy.argsort(-lengths, kind="stable")
        lens, firsts = lengths[order], starts[order]
        n = int(lengths.sum())
        doc = numpy.repeat(numpy.arange(len(lens)), lens)  # sorted doc of each doc-major token
        step = numpy.arange(n) - numpy.repeat(numpy.cumsum(lens) - lens, lens)
        packed = numpy.argsort(step, kind="stable")  # step-major, sorted doc order within a step
        doc, step = doc[packed], step[packed]
        self.fwd = firsts[doc] + step
        self.bwd = firsts[doc] + lens[doc] - 1 - step
        n_steps = int(lens[0]) if len(lens) else 0
        counts = numpy.bincount(lens, minlength=n_steps + 1)
        self.sizes = (len(lens) - numpy.cumsum(counts))[:n_steps]
        self.offsets = numpy.cumsum(self.sizes) - self.sizes
        self.prev = numpy.arange(n) - numpy.concatenate([[0], self.sizes])[step]
        self.prev[step == 0] = -1


def BiLSTM(nO: int, nI: int) -> Model[Ragged, Ragged]:
    """One bidirectional LSTM layer: (n_tokens, nI) -> (n_tokens, nO), the forward direction's
    nO/2 outputs then the backward one's. Params Wx (2, 4H, nI), Wh (2, 4H, H), b (2, 4H)."""
    if nO < 2 or nO % 2:
        raise ValueError(f"bilstm: the output width must be even (two directions of width/2), got {nO}")
    return Model("bilstm", _forward, init=_init, dims={"nO": nO, "nI": nI},
                 params={"Wx": None, "Wh": None, "b": None}, attrs={WHOLE_DOC: True})


def _init(model: Model, X: Any = None, Y: Any = None) -> None:
    nO, nI = model.get_dim("nO"), model.get_dim("nI")
    H = nO // 2
    ops = model.ops
    Wx = ops.xp.stack([glorot_uniform_init(ops, (4 * H, nI)) for _ in range(2)])
    Wh = ops.xp.stack([glorot_uniform_init(ops, (4 * H, H)) for _ in range(2)])
    b = ops.alloc2f(2, 4 * H)
    b[:, H : 2 * H] = 1.0  # forget gates start open: early gradients reach far back
    model.set_param("Wx", ops.as_contig(Wx))
    model.set_param("Wh", ops.as_contig(Wh))
    model.set_param("b", b)


def _sigmoid_(xp: Any, X: Any) -> None:
    """The logistic function in place, as tanh (no overflow for large negative X)."""
    X *= 0.5
    xp.tanh(X, out=X)
    X *= 0.5
    X += 0.5


def _forward(model: Model, Xr: Ragged, is_train: bool) -> tuple[Ragged, Callable]:
    ops = model.ops
    X = Xr.dataXd
    nO = model.get_dim("nO")
    if X.shape[1] != model.get_dim("nI"):
        raise ValueError(f"bilstm: input width {X.shape[1]}, expected {model.get_dim('nI')}")
    if not len(X):
        return Ragged(ops.alloc2f(0, nO), Xr.lengths), lambda dYr: Ragged(ops.alloc2f(0, X.shape[1]), Xr.lengths)
    pack = Packing(ops.to_numpy(Xr.lengths))
    fwd, bwd = ops.asarray1i(pack.fwd), ops.asarray1i(pack.bwd)
    Wx, Wh, b = model.get_param("Wx"), model.get_param("Wh"), model.get_param("b")
    inputs = (X[fwd], X[bwd])
    G = ops.alloc3f(2, len(X), Wx.shape[1], zeros=False)
    for d in range(2):  # (products written in place: stacking copies cost more than the gemms)
        ops.gemm(inputs[d], Wx[d], trans2=True, out=G[d])
    G += b[:, None, :]
    A, C, Hs = _run_steps(ops, G, Wh, pack)
    H = nO // 2
    Y = ops.alloc2f(len(X), nO, zeros=False)
    Y[fwd, :H] = Hs[0]
    Y[bwd, H:] = Hs[1]

    def backprop(dYr: Ragged) -> Ragged:
        dY = dYr.dataXd
        dHs = ops.alloc3f(2, len(X), H, zeros=False)
        dHs[0], dHs[1] = dY[fwd, :H], dY[bwd, H:]
        dG = _backprop_steps(ops, dHs, A, C, Wh, pack)
        H_prev = ops.alloc3f(2, len(X), H)
        later = int(pack.sizes[0])
        H_prev[:, later:] = Hs[:, ops.asarray1i(pack.prev[later:])]
        d_Wx, d_Wh = ops.alloc_f(Wx.shape, zeros=False), ops.alloc_f(Wh.shape, zeros=False)
        for d in range(2):
            ops.gemm(dG[d], inputs[d], trans1=True, out=d_Wx[d])
            ops.gemm(dG[d], H_prev[d], trans1=True, out=d_Wh[d])
        model.inc_grad("Wx", d_Wx)
        model.inc_grad("Wh", d_Wh)
        model.inc_grad("b", dG.sum(axis=1))
        dX = ops.alloc2f(*X.shape, zeros=False)
        dX[fwd] = ops.gemm(dG[0], Wx[0])
        dX[bwd] += ops.gemm(dG[1], Wx[1])
        return Ragged(dX, Xr.lengths)

    return Ragged(Y, Xr.lengths), backprop


def _run_steps(ops: Any, G: Any, Wh: Any, pack: Packing) -> tuple[Any, Any, Any]:
    """Step both directions through the packed batch. `G` (2, n, 4H) holds x Wx + b and is
    overwritten with the gate activations; returns them, the cells and the outputs."""
    xp = ops.xp
    H = Wh.shape[2]
    C = ops.alloc3f(*G.shape[:2], H, zeros=False)
    Hs = ops.alloc3f(*G.shape[:2], H, zeros=False)
    WhT = Wh.transpose((0, 2, 1))
    for t, (start, size) in enumerate(zip(pack.offsets.tolist(), pack.sizes.tolist())):
        end = start + size
        gates = G[:, start:end]
        if t:
            before = int(pack.offsets[t - 1])
            gates += xp.matmul(Hs[:, before : before + size], WhT)
        _sigmoid_(xp, gates[..., : 3 * H])
        xp.tanh(gates[..., 3 * H :], out=gates[..., 3 * H :])
        cell = C[:, start:end]
        xp.multiply(gates[..., :H], gates[..., 3 * H :], out=cell)
        if t:
            cell += gates[..., H : 2 * H] * C[:, before : before + size]
        out = Hs[:, start:end]
        xp.tanh(cell, out=out)
        out *= gates[..., 2 * H : 3 * H]
    return G, C, Hs


def _backprop_steps(ops: Any, dHs: Any, A: Any, C: Any, Wh: Any, pack: Packing) -> Any:
    """The gradient of the gates' pre-activations (2, n, 4H), from the outputs' gradient
    `dHs` (which receives the recurrent part in place), gate activations `A` and cells `C`."""
    xp = ops.xp
    H = Wh.shape[2]
    dG = ops.alloc3f(*A.shape, zeros=False)
    d_carry = ops.alloc3f(*C.shape)  # gradient reaching each cell from the next step
    for t in range(len(pack.sizes) - 1, -1, -1):
        start = int(pack.offsets[t])
        end = start + int(pack.sizes[t])
        gates, cell, dh = A[:, start:end], C[:, start:end], dHs[:, start:end]
        i, f, o, g = (gates[..., k * H : (k + 1) * H] for k in range(4))
        tanh_c = xp.tanh(cell)
        dc = d_carry[:, start:end] + dh * o * (1.0 - tanh_c * tanh_c)
        d = dG[:, start:end]
        d[..., :H] = dc * g * i * (1.0 - i)
        d[..., 2 * H : 3 * H] = dh * tanh_c * o * (1.0 - o)
        d[..., 3 * H :] = dc * i * (1.0 - g * g)
        if t:
            before = int(pack.offsets[t - 1])
            size = end - start
            d[..., H : 2 * H] = dc * C[:, before : before + size] * f * (1.0 - f)
            d_carry[:, before : before + size] += dc * f
            dHs[:, before : before + size] += xp.matmul(d, Wh)
        else:
            d[..., H : 2 * H] = 0.0
    return dG
