"""Token-to-vector: hashed embeddings of lexical features (+ static vectors, + a character CNN),
then a context encoder: residual window-CNN blocks, or bidirectional LSTM layers.

Input: a list of uint64 (n_tokens, n_attrs [+ char_len]) feature arrays, one per doc (see
featurize.py). Output: a list of float32 (n_tokens, width) arrays.
"""

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from thinc.api import (
    Dropout,
    HashEmbed,
    Model,
    chain,
    clone,
    concatenate,
    noop,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ragged

from .bilstm import BiLSTM
from .chars import DEFAULT_CHAR_WINDOW, CharEmbed
from .featurize import FEATURE_ATTRS, check_features
from .maxout import FastMaxout
from .ops import model_ops
from .ragged import ragged_residual, ragged_window
from .registry import architectures
from .vectors import StaticVectors, VectorTable

DEFAULT_ROWS = (5000, 2500, 2500, 2500)
#: The attrs that say which word a token is (hidden by `word_dropout`, as is the static vectors'
#: column): prefix, suffix, shape and characters say what kind of word it is.
WORD_ATTRS = ("NORM", "ORTH", "LOWER")
#: The feature value a dropped word's WORD_ATTRS columns read: one learned "unknown word" row of
#: each hash table, and no static vector (no string hashes to it).
UNKNOWN_WORD = 0
#: The context encoders `build_hash_embed_cnn_tok2vec` knows.
ENCODERS = ("cnn", "bilstm")


def features_to_ragged(n_columns: int, word_columns: Sequence[int] = (), word_dropout: float = 0.0) -> Model[list, Ragged]:
    """Concatenate per-doc feature arrays into one Ragged (checking them first). While training,
    `word_dropout` of the tokens, drawn anew each batch, have their `word_columns` (the features
    that say which word it is) set to UNKNOWN_WORD (see `build_hash_embed_cnn_tok2vec`). The
    rate lives in the forward, not in attrs, so weights loaded from elsewhere (`nlp pretrain`'s,
    a saved model's) never carry theirs in."""
    if not 0.0 <= word_dropout < 1.0:
        raise ValueError(f"tok2vec: word_dropout must be in [0, 1), got {word_dropout}")
    forward = partial(_features_forward, word_columns=tuple(word_columns), word_dropout=word_dropout)
    return Model("features2ragged", forward, attrs={"n_columns": n_columns})


def _features_forward(model: Model, Xs: list, is_train: bool, word_columns: tuple[int, ...] = (),
                      word_dropout: float = 0.0) -> tuple[Ragged, Callable]:
    check_features(Xs, model.attrs["n_columns"], "tok2vec")
    ops = model.ops
    lengths = ops.asarray1i([len(X) for X in Xs])
    if len(Xs) and sum(len(X) for X in Xs):
        data = ops.xp.concatenate([ops.asarray(X, dtype="uint64") for X in Xs if len(X)])
    else:
        data = ops.alloc((0, model.attrs["n_columns"]), dtype="uint64")
    data = ops.as_contig(data)
    if is_train and word_dropout and word_columns and len(data):  # data is a copy: Xs stay as given
        dropped = ops.xp.nonzero(ops.xp.random.uniform(size=len(data)) < word_dropout)[0]
        data[ops.xp.ix_(dropped, ops.xp.asarray(word_columns))] = UNKNOWN_WORD

    def backprop(dY: Ragged) -> list:
        return Xs  # integer features have no gradient

    return Ragged(data, lengths), backprop


def _per_feature(value: int | Sequence[int], n: int, what: str) -> list[int]:
    if isinstance(value, int):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"tok2vec: {what} has {len(values)} entries for {n} attrs")
    return values


def vectors_column(attrs: Sequence[str], vectors_attr: str, owner: str = "tok2vec") -> int:
    """The feature column static vectors are looked up by: that of `vectors_attr`; a ValueError
    naming `owner` when it is not one of `attrs`."""
    if vectors_attr not in attrs:
        raise ValueError(f"{owner}: vectors_attr {vectors_attr!r} is not one of attrs {list(attrs)}: add it to "
                         "attrs (with embed_rows 0 for it to only look the vectors up)")
    return list(attrs).index(vectors_attr)


def embed_features(
    width: int,
    attrs: Sequence[str],
    rows: int | Sequence[int],
    seeds: Sequence[int] | None,
    pieces: int,
    vectors: VectorTable | None,
    vectors_attr: str,
    dropout: float | None,
    char_layer: Model | None = None,
) -> Model[Floats2d, Floats2d]:
    """Concatenate one HashEmbed per attr (rows>0), the static vectors and the character CNN's
    vectors (`char_layer`), mix by Maxout+LayerNorm."""
    n_rows = _per_feature(rows, len(attrs), "rows")
    seed_list = _per_feature(seeds, len(attrs), "seeds") if seeds is not None else [
        11 + 7 * i for i in range(len(attrs))
    ]
    if len(set(seed_list)) != len(seed_list):
        raise ValueError(f"tok2vec: hash seeds must be distinct, got {seed_list}")
    tables: list[Model] = []
    n_in = 0
    for column, (n, seed) in enumerate(zip(n_rows, seed_list)):
        if n < 0:
            raise ValueError(f"tok2vec: rows for {attrs[column]} must be >= 0, got {n}")
        if n > 0:
            tables.append(HashEmbed(width, n, seed=seed, column=column))
            n_in += width
    if vectors is not None:
        tables.append(StaticVectors(vectors, vectors_column(attrs, vectors_attr)))
        n_in += vectors.width
    if char_layer is not None:
        tables.append(char_layer)
        n_in += char_layer.get_dim("nO")
    if not tables:
        raise ValueError("tok2vec: no features to embed (every rows entry is 0 and no vectors)")
    mix = FastMaxout(width, n_in, nP=pieces, normalize=True)
    drop = Dropout(dropout) if dropout else noop()
    return chain(concatenate(*tables), mix, drop)


def conv_block(width: int, window: int, pieces: int, dropout: float | None) -> Model[Ragged, Ragged]:
    """Residual window convolution over Ragged docs: neighbours concatenated, Maxout+LayerNorm
    (a batch with no tokens passes through with its width: see ragged.py)."""
    maxout = FastMaxout(width, width * (2 * window + 1), nP=pieces, normalize=True)
    inner = chain(maxout, Dropout(dropout)) if dropout else maxout
    return ragged_residual(chain(ragged_window(window), with_array(inner)))


def lstm_block(width: int, dropout: float | None) -> Model[Ragged, Ragged]:
    """Residual bidirectional LSTM layer over Ragged docs (each doc read whole, both ways)."""
    lstm = BiLSTM(width, width)
    return ragged_residual(chain(lstm, Dropout(dropout)) if dropout else lstm)


def build_encoder(
    encoder: str, width: int, depth: int, window: int, pieces: int, dropout: float | None
) -> Model[Ragged, Ragged]:
    """`depth` residual blocks of the `encoder`: "cnn" (window convolutions, each token sees
    `window` more neighbours a block) or "bilstm" (each token sees its whole doc)."""
    if encoder not in ENCODERS:
        raise ValueError(f"tok2vec: encoder must be one of {', '.join(map(repr, ENCODERS))}, got {encoder!r}")
    if not depth:
        return noop()
    if encoder == "bilstm":
        return clone(lstm_block(width, dropout), depth)
    return clone(conv_block(width, window, pieces, dropout), depth)


@architectures("nlp.HashEmbedCNN.v1")
def build_hash_embed_cnn_tok2vec(
    width: int = 96,
    depth: int = 4,
    window: int = 1,
    pieces: int = 3,
    rows: int | Sequence[int] = DEFAULT_ROWS,
    attrs: Sequence[str] = FEATURE_ATTRS,
    seeds: Sequence[int] | None = None,
    vectors: VectorTable | None = None,
    vectors_attr: str = "NORM",
    dropout: float | None = None,
    chars: int = 0,
    char_len: int = 16,
    char_dim: int = 32,
    encoder: str = "cnn",
    char_edges: bool = False,
    char_window: int = DEFAULT_CHAR_WINDOW,
    word_dropout: float = 0.0,
) -> Model[list, list]:
    """Hashed-embedding token-to-vector model (list of feature arrays -> vectors), with a
    window-CNN (encoder "cnn") or BiLSTM (encoder "bilstm", even `width`) context encoder.

    `attrs` names the columns of the feature arrays; `rows` gives each its hash-table size
    (0: column not embedded, e.g. one only used to look up static `vectors` by `vectors_attr`).
    `chars` > 0 adds a character CNN of that width (see chars.py) reading the `char_len` code
    point columns after the attrs' (featurize_docs(..., char_len=...)); `attrs["char_len"]` of
    the model says how many it reads (0 without). `char_edges` gives it learned word-start and
    word-end rows, `char_window` the characters each of its filters reads (odd). `word_dropout`
    is the share of the tokens whose identity (their WORD_ATTRS and static-vector columns) reads
    UNKNOWN_WORD while training (word dropout, as Kiperwasser & Goldberg 2016 and Lample et al.
    2016 replace words by an unknown one): the model learns to read rare and unseen words from
    their prefix, suffix, shape, characters and context. Inference reads every word, and the
    layers and weights are the same with or without it.
    """
    for name, value in (("width", width), ("pieces", pieces)):
        if value < 1:
            raise ValueError(f"tok2vec: {name} must be >= 1, got {value}")
    if depth < 0 or window < 0 or chars < 0:
        raise ValueError(f"tok2vec: depth, window and chars must be >= 0, got {depth}, {window}, {chars}")
    ops = model_ops()
    char_layer = CharEmbed(chars, char_len, char_dim, column=len(attrs), edges=char_edges,
                           window=char_window) if chars else None
    embed = embed_features(width, attrs, rows, seeds, pieces, vectors, vectors_attr, dropout, char_layer)
    encode = build_encoder(encoder, width, depth, window, pieces, dropout)
    n_columns = len(attrs) + (char_len if chars else 0)
    word_columns = sorted({i for i, attr in enumerate(attrs) if attr in WORD_ATTRS}
                          | ({vectors_column(attrs, vectors_attr)} if vectors is not None else set()))
    model = chain(features_to_ragged(n_columns, word_columns, word_dropout), with_array(embed), encode, ragged2list())
    model.set_ref("embed", embed)
    model.set_ref("encode", encode)
    model.attrs["attrs"] = list(attrs)
    model.attrs["char_len"] = char_len if chars else 0
    model.set_dim("nO", width, force=True)
    set_ops(model, ops)
    return model


def set_ops(model: Model, ops: Any) -> Model:
    """Give every node of `model` the same ops (our fastest CPU ops unless a GPU is in use), but
    those whose attrs say `cpu_only` (a layer with no GPU kernel, e.g. thinc's SparseLinear)."""
    for node in model.walk():
        if not node.attrs.get("cpu_only"):
            node.ops = ops
    return model


#: Dims a tok2vec layer gained after weights were first saved, with the value older weights were
#: built with (a character CNN without nW read windows of three): `saved_tok2vec_layers` fills them.
ADDED_LAYER_DIMS: dict[str, dict[str, Any]] = {"char_embed": {"nW": DEFAULT_CHAR_WINDOW}}


def saved_tok2vec_layers(nodes: Sequence[Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, dims) of each layer of saved tok2vec weights (their msgpack "nodes"), as
    `tok2vec_settings` and a fit check read them: a malformed entry reads as a nameless layer, a
    dim added since the weights were saved (ADDED_LAYER_DIMS) as the value they were built with."""
    layers = []
    for node in nodes:
        node = node if isinstance(node, dict) else {}
        name = str(node.get("name", ""))
        dims = node["dims"] if isinstance(node.get("dims"), dict) else {}
        layers.append((name, {**ADDED_LAYER_DIMS.get(name, {}), **dims}))
    return layers


#: The settings `tok2vec_settings` reads off a tok2vec's layers, in the order they are named.
SHAPE_SETTINGS = ("width", "depth", "encoder", "embed_rows", "chars", "char_len", "char_dim", "char_edges",
                  "char_window", "pieces", "vectors")


def tok2vec_settings(layers: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The settings a `build_hash_embed_cnn_tok2vec` model was built with (SHAPE_SETTINGS;
    `vectors`: the static vectors' width, 0 without), read off its layers as (name, dims) in
    walk order, which a live model and its saved bytes (`saved_tok2vec_layers`) both give: so an
    error can say which settings make saved weights not fit a model."""
    if not layers:
        return {}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for name, dims in layers:
        by_name.setdefault(name, []).append(dims)
    blocks = [name for name, _ in layers if name.startswith("residual(") and ")>>residual(" not in name]
    chars = by_name.get("char_embed", [{}])[0]
    maxout = by_name.get("maxout_pm", [{}])[0]
    return {"width": layers[0][1].get("nO"), "depth": len(blocks),
            "encoder": "bilstm" if "bilstm" in by_name else "cnn",
            "embed_rows": [dims.get("nV") for dims in by_name.get("hashembed", [])],
            "chars": chars.get("nO", 0), "char_len": chars.get("nL", 0), "char_dim": chars.get("nD", 0),
            "char_edges": bool(chars.get("nB", 0)), "char_window": chars.get("nW", 0),
            "pieces": maxout.get("nP"), "vectors": by_name.get("static_vectors", [{}])[0].get("nO", 0)}
