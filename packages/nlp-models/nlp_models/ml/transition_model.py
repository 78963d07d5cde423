"""Parser / NER model: tok2vec, precomputed lower layer, maxout, output layer over actions.

A batch runs: tok2vec forward once, one product to precompute the lower layer, then K cheap
steps (a gather-sum per state, maxout, one small product), then one backward at the end.

    step, finish = model.begin_update(features)   # or step = model.predict(features)
    scores, backprop_step = step.begin_step(token_ids)   # token_ids: int32 (n_states, n_slots)
    backprop_step(d_scores)                          # per step; kept until the batch ends
    finish()                                         # once per batch: into W, pad, b, tok2vec

The steps' backward passes are deferred: each step keeps its ids, hidden activations, maxout
choices and d_scores, and `flush` (run by `finish`) backpropagates all of them at once, with two
large products through the output layer instead of two small ones a step. The weights do not
change within a batch, so this is the same gradient, summed in another order.
"""

from collections.abc import Callable
from typing import Any

import numpy
from thinc.api import Linear, Model, noop, zero_init
from thinc.layers.resizable import resizable, resize_linear_weighted
from thinc.types import Floats2d

from .ops import model_ops
from .precomputable import (
    PrecomputableAffine,
    backprop_precomputed,
    gather_sum,
    precompute,
    scatter_add,
)
from .registry import architectures
from .tok2vec import set_ops


@architectures("nlp.TransitionModel.v1")
def build_transition_model(
    tok2vec: Model | None,
    n_slots: int,
    hidden_width: int = 64,
    pieces: int = 2,
    n_actions: int | None = None,
    width: int | None = None,
) -> Model:
    """Chen & Manning style transition scorer over `n_slots` token features per state.

    With `tok2vec` None the input is already a list of (n_tokens, width) token vectors and the
    backward pass returns their gradient (for a tok2vec shared by several components).
    """
    if tok2vec is not None:
        width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else width
    if not width:
        raise ValueError("transition model: give `width` when the tok2vec has no nO dim")
    if n_slots < 1 or hidden_width < 1 or pieces < 1:
        raise ValueError(
            f"transition model: n_slots, hidden_width, pieces must be >= 1, got "
            f"{n_slots}, {hidden_width}, {pieces}"
        )
    ops = model_ops()
    lower = PrecomputableAffine(nO=hidden_width, nI=width, nF=n_slots, nP=pieces)
    upper = resizable(
        Linear(nO=n_actions, nI=hidden_width, init_W=zero_init),
        resize_layer=resize_linear_weighted,
    )
    layers = [tok2vec if tok2vec is not None else noop(), lower, upper]
    model = Model(
        "transition_model",
        _forward,
        init=_init,
        layers=layers,
        refs={"tok2vec": layers[0], "lower": lower, "output_layer": upper},
        dims={"nO": n_actions, "nI": width, "nF": n_slots, "nH": hidden_width, "nP": pieces},
        attrs={"has_tok2vec": tok2vec is not None},
    )
    return set_ops(model, ops)


def _init(model: Model, X: Any = None, Y: Any = None) -> None:
    if not model.has_dim("nO"):
        raise ValueError("transition model: set the number of actions (resize_output) before initialize")
    if model.attrs["has_tok2vec"]:
        model.get_ref("tok2vec").initialize(X=X)
    model.get_ref("lower").initialize()
    model.get_ref("output_layer").initialize()


def _forward(model: Model, Xs: list, is_train: bool) -> tuple["ParserStepModel", Callable]:
    ops = model.ops
    tokvecs_list, bp_tok2vec = model.get_ref("tok2vec")(Xs, is_train)
    lengths = [len(x) for x in tokvecs_list]
    nI = model.get_dim("nI")
    if sum(lengths):
        tokvecs = ops.as_contig(ops.xp.concatenate([ops.asarray2f(x) for x in tokvecs_list if len(x)]))
    else:
        tokvecs = ops.alloc2f(0, nI)
    if tokvecs.shape[1] != nI:
        raise ValueError(f"transition model: token vectors have width {tokvecs.shape[1]}, expected {nI}")
    lower = model.get_ref("lower")
    step = ParserStepModel(model, precompute(lower, tokvecs), lengths, is_train)
    if not is_train:
        # Nothing may keep the batch's activations alive: bp_tok2vec holds every layer's.
        return step, _no_backprop

    # The step must never hold `finish`: a step <-> closure cycle would keep the batch's tables
    # and activations until a full garbage collection (hundreds of MB).
    def finish(_: Any = None) -> Any:
        step.flush()
        d_tokvecs = backprop_precomputed(lower, tokvecs, step.d_table, step.d_bias)
        step.d_table = None  # one backward per batch
        return bp_tok2vec(_unflatten(ops, d_tokvecs, lengths))

    return step, finish


def predict_step(model: Model, tokvecs: Floats2d) -> "ParserStepModel":
    """The inference step model of one doc's token vectors computed outside the model (a
    window of a long doc, whose vectors the component computes window by window)."""
    ops = model.ops
    X = ops.as_contig(ops.asarray2f(tokvecs))
    if X.shape[1] != model.get_dim("nI"):
        raise ValueError(f"transition model: token vectors have width {X.shape[1]}, expected {model.get_dim('nI')}")
    return ParserStepModel(model, precompute(model.get_ref("lower"), X), [len(X)], False)


def _no_backprop(_: Any = None) -> Any:
    raise ValueError("parser step: no backward pass (model run with is_train=False)")


def _unflatten(ops: Any, X: Floats2d, lengths: list[int]) -> list:
    out, start = [], 0
    for n in lengths:
        out.append(X[start : start + n])
        start += n
    return out


class ParserStepModel:
    """The precomputed table of one batch, and the per-step scoring API over it."""

    def __init__(self, model: Model, table: Any, lengths: list[int], is_train: bool):
        self.model = model
        self.ops = model.ops
        self.table = table
        self.lengths = lengths
        self.offsets = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]]).astype("int32") if lengths else numpy.zeros(0, "int32")
        self.n_tokens = int(sum(lengths))
        self.is_train = is_train
        lower = model.get_ref("lower")
        self.nP = model.get_dim("nP")
        self.bias = self.ops.as_contig(lower.get_param("b").reshape(-1))
        self.d_table = self.ops.alloc(table.shape, dtype="f") if is_train else None
        self.d_bias = self.ops.alloc1f(self.bias.shape[0]) if is_train else None
        self._pending: list[tuple[Any, Any, Any, Any]] = []

    @property
    def n_actions(self) -> int:
        return self.model.get_ref("output_layer").get_dim("nO")

    def token_ids(self, ids: Any, doc_index: Any = None) -> Any:
        """Global int32 ids: doc-relative `ids` plus each state's doc offset (-1 stays -1)."""
        ids = numpy.asarray(self.ops.to_numpy(ids) if not isinstance(ids, numpy.ndarray) else ids)
        n_slots = self.table.shape[1]
        if ids.ndim != 2 or ids.shape[1] != n_slots:
            raise ValueError(f"parser step: token_ids must have shape (n_states, {n_slots}), got {ids.shape}")
        ids = ids.astype("int32", copy=doc_index is not None)
        if doc_index is not None:
            doc_index = numpy.asarray(doc_index, dtype="int64")
            if doc_index.shape != (ids.shape[0],):
                raise ValueError(f"parser step: doc_index must have shape ({ids.shape[0]},), got {doc_index.shape}")
            lengths = numpy.asarray(self.lengths, dtype="int64")
            if ids.size and (ids >= lengths[doc_index][:, None]).any():
                s = int(numpy.argwhere(ids >= lengths[doc_index][:, None])[0][0])
                raise IndexError(
                    f"parser step: state {s} reads token {ids[s].max()} of doc {doc_index[s]} "
                    f"(length {lengths[doc_index[s]]})"
                )
            ids = numpy.where(ids >= 0, ids + self.offsets[doc_index][:, None], -1).astype("int32")
        elif ids.size and ids.max() >= self.n_tokens:
            raise IndexError(f"parser step: token id {ids.max()} >= n_tokens {self.n_tokens}")
        ids = numpy.ascontiguousarray(ids)
        return ids if isinstance(self.table, numpy.ndarray) else self.ops.asarray(ids, dtype="int32")

    def _hidden(self, ids: Any) -> tuple[Any, Any]:
        pre = gather_sum(self.ops, self.table, ids, self.bias)
        n_h = pre.shape[1] // self.nP
        return self.ops.maxout(self.ops.reshape3f(pre, pre.shape[0], n_h, self.nP))

    def predict_scores(self, token_ids: Any, doc_index: Any = None) -> Floats2d:
        """Scores (n_states, n_actions) of states given by their slot token ids."""
        ids = self.token_ids(token_ids, doc_index)
        hidden, _ = self._hidden(ids)
        return self.model.get_ref("output_layer").predict(hidden)

    def begin_step(self, token_ids: Any, doc_index: Any = None) -> tuple[Floats2d, Callable]:
        """Scores and a callback taking d_scores, whose backward `flush` runs with the others."""
        if self.d_table is None:
            raise ValueError("parser step: begin_step needs a model from begin_update (training)")
        ids = self.token_ids(token_ids, doc_index)
        hidden, which = self._hidden(ids)
        scores = self.model.get_ref("output_layer").predict(hidden)

        def backprop_step(d_scores: Floats2d) -> None:
            if self.d_table is None:
                raise ValueError("parser step: backprop after the batch was finished")
            self._pending.append((ids, hidden, which, self.ops.asarray2f(d_scores)))

        return scores, backprop_step

    def flush(self) -> None:
        """Backpropagate the pending steps: into the output layer's W and b, and through the
        maxout into the table gradient (d_table, d_bias)."""
        if not self._pending:
            return
        xp = self.ops.xp
        ids, hidden, which, d_scores = (xp.concatenate(part) for part in zip(*self._pending))
        self._pending = []
        linear = self.model.get_ref("output_layer").layers[0]
        linear.inc_grad("W", self.ops.gemm(d_scores, hidden, trans1=True))
        linear.inc_grad("b", d_scores.sum(axis=0))
        d_hidden = self.ops.gemm(d_scores, linear.get_param("W"))
        d_pre = self.ops.backprop_maxout(d_hidden, which, self.nP)
        d_pre = self.ops.as_contig(self.ops.reshape2f(d_pre, d_pre.shape[0], -1))
        self.d_bias += d_pre.sum(axis=0)
        scatter_add(self.ops, self.d_table, ids, d_pre)
