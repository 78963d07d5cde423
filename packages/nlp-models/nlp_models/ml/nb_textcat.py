"""Naive-Bayes-weighted bags of n-grams (NBSVM-style, Wang & Manning 2012; Mesnil et al. 2015).

Each doc is the set of its distinct 1..ngram_size-grams (binarized: present or not). Every
n-gram of the training data's vocabulary has, per label, a log-count ratio

    r = log((p / |p|_1) / (q / |q|_1)),  p = alpha + sum of the label's docs' features,
                                         q = alpha + sum of the other docs' features,

computed once from the training examples (`nb_fit.fit_log_count_ratios`, called by the text
classifier's begin_training). The logits are a linear layer over the binarized features scaled
by r: logit_c = b_c + sum_j W[j, c] r[j, c]. W and b start as the naive Bayes classifier,
calibrated on the training docs, and are learnt (the layer's params); r is data, a host array
in the layer's attrs saved with the model, so no optimizer keeps state for it and data-parallel
training exchanges no gradient of it. The vocabulary (the n-grams' hash keys, sorted) is an attr
of the layer too, so lookups are exact: no hash collisions (IMDB's 20k training reviews hold 4.3M
distinct uni+bi+trigrams: 2**22 hashed rows would put 64% of them in a shared row), and an
n-gram the training data never had (no ratio to weigh it by) is ignored.
"""

from collections.abc import Callable
from typing import Any

import numpy
from thinc.api import Model, chain
from thinc.layers.resizable import resizable

from .featurize import check_features
from .ops import model_ops
from .registry import architectures
from .textcat import _finish, doc_ngrams, ensemble_with_cnn, output_activation

#: The layer attr holding the sorted uint64 n-gram keys (the vocabulary rows of W and r).
KEYS = "keys"
#: The layer attr holding r, the (n_keys, n_labels) float32 log-count ratios (host memory).
RATIOS = "ratios"


def ngram_sets(ngram_size: int, column: int) -> Model:
    """Per doc, its distinct hashed 1..ngram_size-grams of feature `column`: the output is
    (keys of all docs concatenated (uint64), how many each doc has (int32))."""
    if ngram_size < 1:
        raise ValueError(f"nb_bow: ngram_size must be >= 1, got {ngram_size}")
    return Model("ngram_sets", _sets_forward, attrs={"ngram_size": ngram_size, "column": column})


def _sets_forward(model: Model, Xs: list, is_train: bool) -> tuple[tuple, Callable]:
    column = model.attrs["column"]
    check_features(Xs, column + 1, "nb_bow")
    sets = [doc_ngrams(model.ops.to_numpy(X[:, column]), model.attrs["ngram_size"])[0] for X in Xs]
    keys = numpy.concatenate(sets) if sets else numpy.zeros(0, "uint64")
    lengths = numpy.asarray([len(keys) for keys in sets], dtype="int32")

    def backprop(d_out: Any) -> list:
        return Xs

    return (keys.astype("uint64"), lengths), backprop


def nb_linear(n_labels: int | None = None) -> Model:
    """The linear layer over binarized n-grams scaled by their log-count ratios (params W,
    (n_keys, n_labels), and b, (n_labels,); the ratios r, shaped like W, are the attr RATIOS);
    an empty vocabulary until `fit_log_count_ratios`."""
    return Model("nb_linear", _nb_forward, init=_nb_init, dims={"nO": n_labels}, params={"W": None, "b": None},
                 attrs={KEYS: numpy.zeros(0, "uint64"), RATIOS: numpy.zeros((0, n_labels or 0), "float32")})


def _nb_init(model: Model, X: Any = None, Y: Any = None) -> None:
    n_keys, n_out = len(model.attrs[KEYS]), model.get_dim("nO")
    model.set_param("W", model.ops.alloc2f(n_keys, n_out))
    model.set_param("b", model.ops.alloc1f(n_out))
    if model.attrs[RATIOS].shape != (n_keys, n_out):
        model.attrs[RATIOS] = numpy.zeros((n_keys, n_out), "float32")


def known_rows(vocabulary: Any, keys: Any, lengths: Any) -> tuple[Any, Any]:
    """(the vocabulary rows of those `keys` it holds; how many each doc keeps)."""
    lengths = numpy.asarray(lengths, dtype="int64")
    if not len(vocabulary):
        return numpy.zeros(0, "int64"), numpy.zeros(len(lengths), "int32")
    rows = numpy.searchsorted(vocabulary, keys).clip(0, len(vocabulary) - 1)
    known = vocabulary[rows] == keys
    docs = numpy.repeat(numpy.arange(len(lengths)), lengths)
    return rows[known], numpy.bincount(docs[known], minlength=len(lengths)).astype("int32")


def _nb_forward(model: Model, inputs: tuple, is_train: bool) -> tuple[Any, Callable]:
    keys, lengths = inputs
    ops = model.ops
    rows, kept = known_rows(model.attrs[KEYS], keys, lengths)
    scale = ops.asarray2f(model.attrs[RATIOS][rows])  # only the batch's rows go to the device
    rows, kept = ops.asarray1i(rows), ops.asarray1i(kept)
    W = model.get_param("W")
    Y = _doc_sums(ops, W[rows] * scale, kept) + model.get_param("b")

    def backprop(dY: Any) -> tuple:
        d_W = ops.alloc2f(*W.shape)
        ops.scatter_add(d_W, rows, ops.backprop_reduce_sum(dY, kept) * scale)
        model.inc_grad("W", d_W)
        model.inc_grad("b", dY.sum(axis=0))
        return inputs

    return Y, backprop


def _doc_sums(ops: Any, values: Any, lengths: Any) -> Any:
    """(n_docs, width): the sums of consecutive runs of `lengths` rows (no rows: zeros)."""
    if not len(values):
        return ops.alloc2f(len(lengths), values.shape[1])
    return ops.reduce_sum(ops.as_contig(values), lengths)


def nb_layer(model: Model) -> Model:
    """The `nb_linear` layer of an NB-weighted classifier (inside its resizable output layer,
    which a resize gives a new one)."""
    return model.get_ref("output_layer").layers[0]


def resize_nb_linear(layer: Model, new_nO: int) -> Model:
    """A layer with `new_nO` outputs, the old ones' weights, ratios and vocabulary kept; a new
    label has no counts, so its ratios are 1 (a plain binary bag of n-grams)."""
    if not layer.has_param("W"):
        layer.set_dim("nO", new_nO, force=True)
        return layer
    old_nO = layer.get_dim("nO")
    if new_nO == old_nO:
        return layer
    ops = layer.ops
    W, b = (ops.to_numpy(layer.get_param(name)) for name in ("W", "b"))
    r = layer.attrs[RATIOS]
    extra = new_nO - old_nO
    new = nb_linear(new_nO)
    new.ops = ops
    new.attrs[KEYS] = layer.attrs[KEYS]
    new.attrs[RATIOS] = numpy.hstack([r, numpy.ones((len(r), extra), "float32")])
    new.set_param("W", ops.asarray2f(numpy.hstack([W, numpy.zeros((len(W), extra), "f")])))
    new.set_param("b", ops.asarray1f(numpy.concatenate([b, numpy.zeros(extra, "f")])))
    return new


def _nb_logits(n_labels: int | None, ngram_size: int, column: int,
               featurizer: Model | None = None) -> tuple[Model, Model, Model, Model]:
    """(the NB branch, its input side (model input -> n-gram sets), its resizable output
    layer)."""
    output_layer = resizable(nb_linear(n_labels), resize_layer=resize_nb_linear)
    features = ngram_sets(ngram_size, column)
    if featurizer is not None:
        features = chain(featurizer, features)
    return chain(features, output_layer), features, output_layer


def _set_nb_refs(model: Model, features: Model, output_layer: Model) -> None:
    model.set_ref("nb_features", features)
    model.set_ref("output_layer", output_layer)


@architectures("nlp.TextCatNB.v1")
def build_nb_text_classifier(
    exclusive_classes: bool = True,
    ngram_size: int = 3,
    n_labels: int | None = None,
    column: int = 0,
) -> Model[list, Any]:
    """NB-weighted binarized 1..ngram_size-grams of feature `column` (NORM by default), then
    softmax (exclusive) or sigmoid; its ratios come from `fit_log_count_ratios`."""
    branch, features, output_layer = _nb_logits(n_labels, ngram_size, column)
    activation = output_activation(exclusive_classes)
    model = chain(branch, activation)
    _set_nb_refs(model, features, output_layer)
    model.set_ref("activation", activation)
    return _finish(model, n_labels, model_ops())


@architectures("nlp.TextCatNBEnsemble.v1")
def build_nb_ensemble_classifier(
    tok2vec: Model,
    exclusive_classes: bool = True,
    n_labels: int | None = None,
    ngram_size: int = 3,
    hidden_width: int = 64,
    pieces: int = 3,
    dropout: float | None = None,
    column: int = 0,
    featurizer: Model | None = None,
) -> Model[list, Any]:
    """The NB-weighted n-gram logits plus the logits of the CNN over `tok2vec` (mean+max pooled,
    a Maxout hidden layer), then softmax or sigmoid. `featurizer` makes feature arrays of Docs
    for the n-gram branch when `tok2vec` is a listener (which reads Docs)."""
    nb, features, output_layer = _nb_logits(n_labels, ngram_size, column, featurizer)
    model = ensemble_with_cnn(nb, tok2vec, exclusive_classes, n_labels, hidden_width, pieces, dropout)
    _set_nb_refs(model, features, output_layer)
    return _finish(model, n_labels, tok2vec.ops)
