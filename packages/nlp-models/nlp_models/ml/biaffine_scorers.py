"""The biaffine parser's scoring layers (see `biaffine.py`): arc scores of every candidate head
of padded groups of sentences, and label scores of each word for one head."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from thinc.api import Model

from .registry import architectures

#: The score of a padding column: no probability, no gradient.
NEG = -1e9
#: Most sentences scored in one padded group.
GROUP_SIZE = 32


@dataclass
class ArcGroup:
    """Sentences scored together: `rows` (B, L) their token rows (padding: 0), `mask` (B, L)
    which entries are tokens."""

    rows: Any
    mask: Any


def length_groups(spans: Sequence[tuple[int, int]], xp: Any = numpy) -> list[ArcGroup]:
    """The sentences sorted by length in groups of at most GROUP_SIZE, each padded to its
    longest (so little is padding)."""
    if not spans:
        return []
    starts = numpy.asarray([s for s, _ in spans], dtype="int64")
    sizes = numpy.asarray([e - s for s, e in spans], dtype="int64")
    order = numpy.argsort(sizes, kind="stable")
    groups = []
    for i in range(0, len(order), GROUP_SIZE):
        chosen = order[i : i + GROUP_SIZE]
        width = numpy.arange(int(sizes[chosen].max()))
        mask = width[None, :] < sizes[chosen, None]
        rows = numpy.where(mask, starts[chosen, None] + width[None, :], 0)
        groups.append(ArcGroup(xp.asarray(rows), xp.asarray(mask)))
    return groups


# ---- the arc scorer ------------------------------------------------------------------------


@architectures("nlp.BiaffineArcs.v1")
def build_biaffine_arc_scorer(width: int, distance: int = 20) -> Model:
    """(dep (N, width), head (N, width), groups) -> one (B, L, L+1) score tensor per group:
    `dep U head + head w` (column 0: a learned root) plus a relative-position term
    `dep E[h - d] + e[h - d]` (offsets clipped to +-`distance`), which tells a window-CNN
    tok2vec's position-blind vectors how far each candidate head is."""
    if distance < 1:
        raise ValueError(f"biaffine arcs: distance must be >= 1, got {distance}")
    n_offsets = 2 * distance + 1
    shapes = {"U": [width, width], "w": [width], "root": [width], "E": [n_offsets, width], "e": [n_offsets]}
    return Model("biaffine_arcs", _arc_forward, init=_zero_params, dims={"nI": width}, params=dict.fromkeys(shapes),
                 attrs={"shapes": shapes, "distance": distance})


def _zero_params(model: Model, X: Any = None, Y: Any = None) -> None:
    """Every parameter zero (the ReLU layers below are random), of the shape attrs `shapes`
    gives it ("nO": the number of labels)."""
    for name, shape in model.attrs["shapes"].items():
        dims = [model.get_dim(d) if isinstance(d, str) else d for d in shape]
        model.set_param(name, model.ops.alloc(tuple(dims), dtype="float32"))


def _with_root(root: Any, rows: Any, xp: Any) -> Any:
    """(B, L+1, n): the root vector, then rows (B, L, n)."""
    lead = xp.broadcast_to(root, (rows.shape[0], 1, rows.shape[2]))
    return xp.concatenate([lead, rows], axis=1)


def _offsets(length: int, distance: int, xp: Any) -> Any:
    """(L, L): the clipped offset h - d of every head h from every dependent d, from 0."""
    steps = xp.arange(length)
    return xp.clip(steps[None, :] - steps[:, None], -distance, distance) + distance


def _arc_forward(model: Model, inputs: tuple, is_train: bool) -> tuple[list, Callable]:
    dep, head, groups = inputs
    xp = model.ops.xp
    U, w, root, E, e = (model.get_param(name) for name in ("U", "w", "root", "E", "e"))
    dep_U, dep_E = dep @ U, dep @ E.T + e
    out, saved = [], []
    for group in groups:
        D = dep_U[group.rows]
        H = _with_root(root, head[group.rows], xp)
        S = xp.matmul(D, H.transpose(0, 2, 1)) + (H @ w)[:, None, :]
        offsets = _offsets(D.shape[1], model.attrs["distance"], xp)
        S[:, :, 1:] += dep_E[group.rows][:, xp.arange(D.shape[1])[:, None], offsets]
        S[:, :, 1:] = xp.where(group.mask[:, None, :], S[:, :, 1:], NEG)
        out.append(S)
        saved.append((D, H, offsets))

    def backprop(d_arcs: list) -> tuple[Any, Any]:
        d_dep_U, d_dep_E = model.ops.alloc2f(*dep_U.shape), model.ops.alloc2f(*dep_E.shape)
        d_head = model.ops.alloc2f(*head.shape)
        for group, dS, (D, H, offsets) in zip(groups, d_arcs, saved):
            dS = dS * group.mask[:, :, None]
            dS[:, :, 1:] *= group.mask[:, None, :]
            d_bias = dS.sum(axis=1)
            dH = xp.matmul(dS.transpose(0, 2, 1), D) + d_bias[:, :, None] * w
            model.inc_grad("w", xp.tensordot(d_bias, H, axes=([0, 1], [0, 1])))
            model.inc_grad("root", dH[:, 0].sum(axis=0))
            d_dep_U[group.rows[group.mask]] = xp.matmul(dS, H)[group.mask]
            d_dep_E[group.rows[group.mask]] = _offset_grad(dS[:, :, 1:], offsets, dep_E.shape[1], xp)[group.mask]
            d_head[group.rows[group.mask]] = dH[:, 1:][group.mask]
        model.inc_grad("U", dep.T @ d_dep_U)
        model.inc_grad("E", d_dep_E.T @ dep)
        model.inc_grad("e", d_dep_E.sum(axis=0))
        return d_dep_U @ U.T + d_dep_E @ E, d_head

    return out, backprop


def _offset_grad(d_words: Any, offsets: Any, n_offsets: int, xp: Any) -> Any:
    """(B, L, n_offsets): the gradient (B, L, L) of each dependent's scores summed by offset
    (clipped offsets share a slot)."""
    B, L, _ = d_words.shape
    slots = (xp.arange(B * L).reshape(B, L, 1) * n_offsets + offsets[None]).ravel()
    summed = xp.bincount(slots, weights=d_words.ravel(), minlength=B * L * n_offsets)
    return summed.reshape(B, L, n_offsets).astype("float32")


# ---- the label scorer ----------------------------------------------------------------------


@architectures("nlp.BiaffineLabels.v1")
def build_biaffine_label_scorer(width: int, n_labels: int | None = None) -> Model:
    """(dep (N, width), head (N, width), heads (N,)) -> (N, n_labels) scores of each token's
    labels for the head `heads` gives it (a row of `head`, or -1: a learned root)."""
    shapes = {"W": ["nO", width, width], "V": ["nO", 2 * width], "b": ["nO"], "root": [width]}
    return Model("biaffine_labels", _label_forward, init=_zero_params, dims={"nI": width, "nO": n_labels},
                 params=dict.fromkeys(shapes), attrs={"shapes": shapes, "per_label": ["W", "V", "b"]})


def _label_forward(model: Model, inputs: tuple, is_train: bool) -> tuple[Any, Callable]:
    dep, head, heads = inputs
    xp = model.ops.xp
    W, V, b, root = (model.get_param(name) for name in ("W", "V", "b", "root"))
    n_labels, width = W.shape[0], W.shape[1]
    is_root = heads < 0
    H = xp.where(is_root[:, None], root[None, :], head[xp.maximum(heads, 0)])
    W_flat = W.transpose(1, 0, 2).reshape(width, n_labels * width)
    T = (dep @ W_flat).reshape(-1, n_labels, width)
    scores = xp.matmul(T, H[:, :, None])[:, :, 0] + xp.concatenate([dep, H], axis=1) @ V.T + b

    def backprop(d_scores: Any) -> tuple[Any, Any]:
        DH = xp.concatenate([dep, H], axis=1)
        model.inc_grad("b", d_scores.sum(axis=0))
        model.inc_grad("V", d_scores.T @ DH)
        d_DH = d_scores @ V
        dT = d_scores[:, :, None] * H[:, None, :]
        model.inc_grad("W", (dep.T @ dT.reshape(len(dep), -1)).reshape(width, n_labels, width).transpose(1, 0, 2))
        d_dep = d_DH[:, :width] + dT.reshape(len(dep), -1) @ W_flat.T
        dH = d_DH[:, width:] + xp.matmul(d_scores[:, None, :], T)[:, 0, :]
        model.inc_grad("root", dH[is_root].sum(axis=0))
        d_head = model.ops.alloc2f(*head.shape)
        model.ops.scatter_add(d_head, heads[~is_root].astype("int32"), dH[~is_root])
        return d_dep, d_head

    return scores, backprop


def resize_labels(model: Model, n_labels: int) -> None:
    """Grow the label scorer of a biaffine parser model to `n_labels`: a new layer (so an
    optimizer keeps no state of the old shapes) whose new labels start at zero and whose
    trained ones keep their weights."""
    old = model.get_ref("label_scorer")
    n_old = old.get_dim("nO") if old.has_dim("nO") else None
    if n_old is not None and n_labels < n_old:
        raise ValueError(f"resize_labels: cannot shrink the labels from {n_old} to {n_labels}")
    new = build_biaffine_label_scorer(old.get_dim("nI"), n_labels)
    new.ops = old.ops
    if old.has_param("W"):
        new.initialize()
        for name in new.attrs["per_label"]:
            grown = new.get_param(name)
            grown[:n_old] = old.get_param(name)
            new.set_param(name, grown)
        new.set_param("root", old.get_param("root"))
    model.layers[model.layers.index(old)] = new
    model.set_ref("label_scorer", new)
    model.set_dim("nO", n_labels, force=True)
