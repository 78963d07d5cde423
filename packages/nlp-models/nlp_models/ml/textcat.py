"""Text classifiers: sparse bag-of-ngrams, a CNN over token vectors, and their ensemble.

All take the list of per-doc feature arrays and return (n_docs, n_labels) scores: softmax
probabilities for mutually exclusive classes, sigmoids for multilabel. The backward pass takes
`scores - truth` (the logit gradient of cross-entropy / binary cross-entropy; see textcat_loss).
"""

from collections.abc import Callable, Iterable
from typing import Any

import numpy
from thinc.api import (
    Linear,
    Maxout,
    Model,
    NumpyOps,
    SparseLinear_v2,
    chain,
    zero_init,
)
from thinc.layers.resizable import resizable, resize_linear_weighted

from .featurize import check_features
from .ops import model_ops
from .registry import architectures
from .tok2vec import set_ops

_CPU_OPS = NumpyOps()  # n-gram hashing and SparseLinear's inputs stay on the CPU


def bow_features(ngram_size: int, column: int) -> Model:
    """Per doc, the hashed 1..ngram_size-grams of `column` with sublinear counts (1 + log tf)."""
    if ngram_size < 1:
        raise ValueError(f"bow: ngram_size must be >= 1, got {ngram_size}")
    return Model("bow_features", _bow_forward, attrs={"ngram_size": ngram_size, "column": column})


def doc_ngrams(ids: Any, ngram_size: int) -> tuple[Any, Any]:
    """(the distinct hashed 1..ngram_size-grams of one doc's token `ids`, sorted; their counts)."""
    ids = numpy.ascontiguousarray(ids, dtype="uint64")
    grams = [ids]
    for n in range(2, ngram_size + 1):
        if len(ids) >= n:
            grams.append(_CPU_OPS.ngrams(n, ids))
    return numpy.unique(numpy.concatenate(grams), return_counts=True)


def _bow_forward(model: Model, Xs: list, is_train: bool) -> tuple[tuple, Callable]:
    column = model.attrs["column"]
    check_features(Xs, column + 1, "bow")
    ops = model.ops
    keys_per_doc, values_per_doc, lengths = [], [], []
    for X in Xs:
        uniq, counts = doc_ngrams(ops.to_numpy(X[:, column]), model.attrs["ngram_size"])
        keys_per_doc.append(uniq)
        values_per_doc.append(1.0 + numpy.log(counts.astype("float32")))
        lengths.append(len(uniq))
    keys = numpy.concatenate(keys_per_doc) if keys_per_doc else numpy.zeros(0, "uint64")
    values = numpy.concatenate(values_per_doc).astype("float32") if values_per_doc else numpy.zeros(0, "f")
    out = (keys.astype("uint64"), values, numpy.asarray(lengths, dtype="int32"))

    def backprop(d_out: Any) -> list:
        return Xs

    return out, backprop


def resize_sparse_linear(layer: Model, new_nO: int) -> Model:
    """A SparseLinear with `new_nO` outputs whose first outputs keep `layer`'s weights."""
    length = layer.get_dim("length")
    if not layer.has_dim("nO") or not layer.has_param("W"):
        layer.set_dim("nO", new_nO, force=True)
        return layer
    old_nO = layer.get_dim("nO")
    if new_nO == old_nO:
        return layer
    new = SparseLinear_v2(new_nO, length)
    new.ops = layer.ops
    new.attrs["cpu_only"] = layer.attrs.get("cpu_only", False)
    new.initialize()
    # v2 indexing stores output c's weights in W[c * length:(c + 1) * length].
    W = new.get_param("W")
    W[: old_nO * length] = layer.get_param("W")
    b = new.get_param("b")
    b[:old_nO] = layer.get_param("b")
    new.set_param("W", W)
    new.set_param("b", b)
    return new


def mean_max_pool() -> Model:
    """Per doc, [mean, max] of its token vectors (n_docs, 2*width); empty docs give zeros."""
    return Model("mean_max_pool", _pool_forward)


def _pool_forward(model: Model, Xs: list, is_train: bool) -> tuple[Any, Callable]:
    ops = model.ops
    width = Xs[0].shape[1] if Xs else 0
    lengths = numpy.asarray([len(X) for X in Xs], dtype="int32")
    nonempty = numpy.flatnonzero(lengths)
    lengths_nz = ops.asarray1i(lengths[nonempty])
    out = ops.alloc2f(len(Xs), 2 * width)
    if len(nonempty):
        data = ops.as_contig(ops.xp.concatenate([ops.asarray2f(Xs[i]) for i in nonempty]))
        means = ops.reduce_mean(data, lengths_nz)
        maxes, which = ops.reduce_max(data, lengths_nz)
        out[ops.asarray1i(nonempty)] = ops.xp.hstack([means, maxes])

    def backprop(d_out: Any) -> list:
        d_Xs = [ops.alloc2f(len(X), width) for X in Xs]
        if len(nonempty):
            d_nz = d_out[ops.asarray1i(nonempty)]
            d_data = ops.backprop_reduce_mean(ops.as_contig(d_nz[:, :width]), lengths_nz)
            d_data += ops.backprop_reduce_max(ops.as_contig(d_nz[:, width:]), which, lengths_nz)
            start = 0
            for i in nonempty:
                d_Xs[i] = d_data[start : start + lengths[i]]
                start += lengths[i]
        return d_Xs

    return out, backprop


def output_activation(exclusive_classes: bool) -> Model:
    """Softmax or sigmoid; backward passes d_scores through as the logit gradient."""
    name = "softmax_out" if exclusive_classes else "sigmoid_out"
    return Model(name, _activation_forward, attrs={"exclusive": exclusive_classes})


def _activation_forward(model: Model, X: Any, is_train: bool) -> tuple[Any, Callable]:
    if model.attrs["exclusive"]:
        Y = model.ops.softmax(X)
    else:
        Y = model.ops.sigmoid(X)

    def backprop(dY: Any) -> Any:
        return dY

    return Y, backprop


class TextCatModel(Model):
    """A text classifier's thinc Model that also answers spaCy v2's `model.tok2vec`, so v2's
    pretrained-weights example (`textcat.model.tok2vec.from_bytes(data)`) works as written."""

    __slots__ = ()

    @property
    def tok2vec(self) -> Model:
        """The token-to-vector layer (the `tok2vec` ref); an AttributeError for a bag of words."""
        if not self.has_ref("tok2vec"):
            raise AttributeError(
                "a bag-of-n-grams text classifier ('bow' or 'nb_bow') has no tok2vec, so it cannot "
                "take pretrained tok2vec weights; use architecture 'simple_cnn', 'ensemble' or 'nb_ensemble'"
            )
        return self.get_ref("tok2vec")


def _finish(model: Model, n_labels: int | None, ops: Any) -> Model:
    """The built classifier with its output width set, on `ops`, answering `model.tok2vec`."""
    if n_labels is not None:
        model.set_dim("nO", n_labels, force=True)
    model.__class__ = TextCatModel  # same slots: the object, its layers and refs are unchanged
    return set_ops(model, ops)


def _bow_logits(n_labels: int | None, ngram_size: int, column: int, length: int,
                featurizer: Model | None = None) -> tuple[Model, Model]:
    output_layer = resizable(cpu_only(SparseLinear_v2(n_labels, length)), resize_layer=resize_sparse_linear)
    layers = [featurizer] if featurizer is not None else []
    return chain(*layers, bow_features(ngram_size, column), output_layer, to_model_device()), output_layer


def cpu_only(layer: Model) -> Model:
    """`layer` kept on the CPU's ops whatever device the rest uses: thinc's SparseLinear has no
    GPU kernel (its weights must be numpy arrays), and the n-gram hashing feeding it is on the CPU."""
    layer.ops = _CPU_OPS
    layer.attrs["cpu_only"] = True
    return layer


def to_model_device() -> Model:
    """The CPU scores of a `cpu_only` layer as arrays of this model's ops (cupy on a GPU), and
    their gradient back as numpy."""
    return Model("to_model_device", _to_device_forward)


def _to_device_forward(model: Model, X: Any, is_train: bool) -> tuple[Any, Callable]:
    def backprop(dY: Any) -> Any:
        return _CPU_OPS.asarray2f(model.ops.to_numpy(dY))

    return model.ops.asarray2f(X), backprop


def _cnn_logits(
    tok2vec: Model, n_labels: int | None, hidden_width: int, pieces: int, dropout: float | None
) -> tuple[Model, Model, Model]:
    """(the CNN branch, its hidden layer, its output layer)."""
    width = tok2vec.get_dim("nO")
    output_layer = resizable(
        Linear(n_labels, hidden_width, init_W=zero_init), resize_layer=resize_linear_weighted
    )
    hidden = Maxout(hidden_width, 2 * width, nP=pieces, normalize=True, dropout=dropout)
    pooled = chain(tok2vec, mean_max_pool(), hidden, output_layer)
    return pooled, hidden, output_layer


def pool_windows(windows: Iterable[Any], ops: Any) -> Any:
    """(1, 2*width) [mean, max] over the rows of all `windows` (a doc's token vectors, a window
    at a time): what mean_max_pool gives for their concatenation, holding one at a time."""
    total = best = None
    n = 0
    for X in windows:
        if not len(X):
            continue
        total = X.sum(axis=0) if total is None else total + X.sum(axis=0)
        best = X.max(axis=0) if best is None else ops.xp.maximum(best, X.max(axis=0))
        n += len(X)
    if total is None:
        raise ValueError("pool_windows: no token vectors to pool")
    return ops.asarray2f(ops.xp.concatenate([total / n, best])[None, :])


def predict_pooled(model: Model, X: list, pooled: Any) -> Any:
    """The scores of a CNN or ensemble classifier for one doc, its CNN branch starting from
    the pooled token vectors `pooled` (see pool_windows); X is the doc's model input, read by
    the bag-of-ngrams branch of an ensemble."""
    hidden = model.get_ref("cnn_hidden").predict(pooled)
    ensemble = model.has_ref("bow_logits")
    logits = model.get_ref("output_layer_cnn" if ensemble else "output_layer").predict(hidden)
    if ensemble:
        logits = logits + model.get_ref("bow_logits").predict(X)
    return model.get_ref("activation").predict(logits)


@architectures("nlp.TextCatBOW.v1")
def build_bow_text_classifier(
    exclusive_classes: bool = True,
    ngram_size: int = 2,
    n_labels: int | None = None,
    column: int = 0,
    length: int = 2**18,
) -> Model[list, Any]:
    """Sparse linear model over hashed n-grams of feature `column` (NORM by default)."""
    ops = model_ops()
    logits, output_layer = _bow_logits(n_labels, ngram_size, column, length)
    model = chain(logits, output_activation(exclusive_classes))
    model.set_ref("output_layer", output_layer)
    return _finish(model, n_labels, ops)


@architectures("nlp.TextCatCNN.v1")
def build_cnn_text_classifier(
    tok2vec: Model,
    exclusive_classes: bool = True,
    n_labels: int | None = None,
    hidden_width: int = 64,
    pieces: int = 3,
    dropout: float | None = None,
) -> Model[list, Any]:
    """Mean+max pooled token vectors, a Maxout hidden layer, then the output layer."""
    logits, hidden, output_layer = _cnn_logits(tok2vec, n_labels, hidden_width, pieces, dropout)
    activation = output_activation(exclusive_classes)
    model = chain(logits, activation)
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    model.set_ref("cnn_hidden", hidden)
    model.set_ref("activation", activation)
    return _finish(model, n_labels, tok2vec.ops)


def sum_logits(first: Model, second: Model) -> Model:
    """Add two models' outputs over the same input (an additive ensemble of logits)."""
    return Model("sum_logits", _sum_forward, init=_sum_init, layers=[first, second])


def _sum_init(model: Model, X: Any = None, Y: Any = None) -> None:
    for layer in model.layers:
        layer.initialize(X=X)


def _sum_forward(model: Model, X: Any, is_train: bool) -> tuple[Any, Callable]:
    Y1, bp1 = model.layers[0](X, is_train)
    Y2, bp2 = model.layers[1](X, is_train)

    def backprop(dY: Any) -> Any:
        bp1(dY)
        bp2(dY)
        return X

    return Y1 + Y2, backprop


@architectures("nlp.TextCatEnsemble.v1")
def build_text_classifier(
    tok2vec: Model,
    exclusive_classes: bool = True,
    n_labels: int | None = None,
    ngram_size: int = 2,
    hidden_width: int = 64,
    pieces: int = 3,
    dropout: float | None = None,
    column: int = 0,
    length: int = 2**18,
    featurizer: Model | None = None,
) -> Model[list, Any]:
    """Ensemble: bag-of-ngrams logits + CNN logits, then softmax (exclusive) or sigmoid.

    `featurizer` (e.g. `doc_features()`) turns the input into feature arrays for the
    bag-of-ngrams part when the input is Docs (a `tok2vec` listener reads Docs)."""
    bow, bow_out = _bow_logits(n_labels, ngram_size, column, length, featurizer)
    model = ensemble_with_cnn(bow, tok2vec, exclusive_classes, n_labels, hidden_width, pieces, dropout)
    model.set_ref("output_layer", bow_out)
    return _finish(model, n_labels, tok2vec.ops)


def ensemble_with_cnn(ngrams: Model, tok2vec: Model, exclusive_classes: bool, n_labels: int | None,
                      hidden_width: int, pieces: int, dropout: float | None) -> Model:
    """The logits of the n-gram branch `ngrams` plus those of a CNN over `tok2vec`, then softmax
    or sigmoid; refs `tok2vec`, `bow_logits` (the n-gram branch), `cnn_hidden`,
    `output_layer_cnn` and `activation` (what predict_pooled reads). The caller names the
    n-gram branch's `output_layer`."""
    cnn, hidden, cnn_out = _cnn_logits(tok2vec, n_labels, hidden_width, pieces, dropout)
    activation = output_activation(exclusive_classes)
    model = chain(sum_logits(ngrams, cnn), activation)
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer_cnn", cnn_out)
    model.set_ref("bow_logits", ngrams)
    model.set_ref("cnn_hidden", hidden)
    model.set_ref("activation", activation)
    return model
