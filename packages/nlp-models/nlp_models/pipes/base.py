"""TrainablePipe: the plumbing every trainable component shares.

A subclass says how to build its thinc model (`build_model`), what the model reads
(`model_input`, token feature arrays by default), how to score it against gold (`get_loss`),
how to write predictions onto docs (`set_annotations`) and which labels an example carries
(`labels_of_example`). This base keeps the rest: cfg, labels, the lazily built model,
`update`/`rehearse`, `use_params`, batching in `pipe`, and save/load that needs no training code.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import srsly
from thinc.api import Model, Optimizer

from ..component_registry import find_component_spec
from ..ml import (
    FEATURE_ATTRS,
    ListenerLink,
    VectorTable,
    build_hash_embed_cnn_tok2vec,
    build_tok2vec_listener,
    featurize_docs,
    resize_output,
)
from ..ml.chars import DEFAULT_CHAR_WINDOW
from ..ml.tok2vec import DEFAULT_ROWS, vectors_column
from ..model_files import read_json_file
from ..presets import resolve_cfg
from ._chunks import CHUNK_TOKENS, RowSource, context_width, predict_rows, row_source, token_groups

CFG_FILE = "cfg.json"
LABELS_FILE = "labels.json"
MODEL_FILE = "model.bin"

#: Default cfg of a component's hashed-embedding CNN tok2vec: Tok2Vec, Tagger, TextCategorizer and
#: the transition components build their `default_cfg` from it, and `nlp pretrain` its defaults, so
#: pretrained weights fit every component's own tok2vec as it is. `chars` > 0 adds a character
#: CNN of that width (`char_len` characters a word, `char_dim`-wide embeddings, `char_edges`
#: learned rows beyond a word's start and end, `char_window` characters a filter: ml/chars.py);
#: `encoder` "bilstm" replaces the window CNN by `depth` BiLSTM layers (ml/bilstm.py).
#: `vectors_attr` is the attribute static vectors are looked up by: one of cfg `attrs` (the
#: feature columns, FEATURE_ATTRS by default), and the attribute the table says its keys are.
#: `word_dropout` hides the word's identity of that share of the tokens while training.
TOK2VEC_DEFAULTS: dict[str, Any] = {
    "width": 96,
    "depth": 4,
    "window": 1,
    "pieces": 3,
    "embed_rows": DEFAULT_ROWS,
    "dropout": 0.1,
    "pretrained_vectors": False,
    "chars": 0,
    "char_len": 16,
    "char_dim": 32,
    "char_edges": False,
    "char_window": DEFAULT_CHAR_WINDOW,
    "encoder": "cnn",
    "vectors_attr": "NORM",
    "word_dropout": 0.0,
}
#: tok2vec cfg keys added after models were first saved, with the value those models were built
#: with: a saved cfg without one loads with it, not with what a preset gave the component.
ADDED_TOK2VEC_CFG: dict[str, Any] = {"char_edges": False, "char_window": DEFAULT_CHAR_WINDOW, "word_dropout": 0.0}


def vectors_lookup_cfg(cfg: Mapping[str, Any], attr: str) -> dict[str, Any]:
    """The cfg entries that make a tok2vec of (resolved) `cfg` look static vectors up by `attr`
    (what a table keyed by `attr` needs): cfg `vectors_attr`, and, when `attr` is not one of its
    attrs, the attrs with `attr` appended and embed_rows with a 0 for it (a column read only to
    look the vectors up, not embedded)."""
    attrs = list(cfg.get("attrs", FEATURE_ATTRS))
    entries: dict[str, Any] = {"vectors_attr": attr}
    if attr not in attrs:
        rows = cfg.get("embed_rows", TOK2VEC_DEFAULTS["embed_rows"])
        rows = [rows] * len(attrs) if isinstance(rows, numbers.Integral) else list(rows)
        entries.update(attrs=[*attrs, attr], embed_rows=[*rows, 0])
    return entries


def set_dropout(model: Model, rate: float) -> None:
    """Set the rate of every Dropout layer of `model` (the `drop=` of an update)."""
    for node in model.walk():
        if node.name == "dropout":
            node.attrs["dropout_rate"] = float(rate)


def check_drop(drop: Any, where: str) -> float:
    """`drop` as a float, or a ValueError naming `where` and the value unless 0 <= drop < 1
    (a rate of 1 or more would zero every activation; a negative one is meaningless)."""
    if isinstance(drop, bool) or not isinstance(drop, numbers.Real) or not 0.0 <= drop < 1.0:
        raise ValueError(f"{where}: drop must be a number with 0 <= drop < 1, got {drop!r}")
    return float(drop)


def has_tokens(docs: Iterable[Any]) -> bool:
    """Whether any of `docs` has a token (a batch with none has nothing to learn from)."""
    return any(len(doc) for doc in docs)


def batched(items: Iterable[Any], size: int) -> Iterator[list]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"batch_size must be >= 1, got {size}")
    iterator = iter(items)
    while True:
        batch = list(islice(iterator, size))
        if not batch:
            return
        yield batch


def check_cfg(cfg: Any, defaults: dict[str, Any]) -> None:
    """A ValueError unless `cfg` is an object whose entries with a default have its type or
    are null (a saved cfg.json is data: a wrong type must not reach the model builder)."""
    if not isinstance(cfg, dict):
        raise ValueError(f"expected a JSON object, got {type(cfg).__name__}")
    for key, value in cfg.items():
        default = defaults.get(key)
        if default is None or value is None:
            continue
        kinds = _CFG_KINDS.get(type(default), (type(default),))
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, kinds):
            raise ValueError(f"{key!r} must be {_CFG_NAMES.get(type(default), type(default).__name__)}, got {value!r}")


# Accepted types per default's type: a number for a float, one or several sizes for a list.
_CFG_KINDS: dict[type, tuple[type, ...]] = {
    int: (numbers.Integral,), float: (numbers.Real,), tuple: (list, tuple, numbers.Integral),
    list: (list, tuple, numbers.Integral),
}
_CFG_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
              tuple: "a list or an integer", list: "a list or an integer", dict: "an object"}


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class TrainablePipe:
    """A pipeline component with a thinc model that learns from nlp_gold Examples.

    `Cls(vocab, name=None, **cfg)`: cfg holds hyperparameters (saved in cfg.json); unknown
    keys are kept and passed through, so a subclass reads what it needs from `self.cfg`.

    cfg `tok2vec` (the name of an upstream `Tok2Vec` component; absent/None: the component
    has its own tok2vec): the model reads the upstream's token vectors through a listener
    layer instead (`nlp_models.ml.listener`); the pipeline links the two by name
    (`nlp_models.listeners`), and cfg width follows the upstream's. The model then reads Docs
    (or Spans), not feature arrays.
    """

    factory: str = "pipe"
    #: Subclasses list their hyperparameters and defaults here.
    default_cfg: dict[str, Any] = {}
    #: Most tokens a model call reads when annotating (set on an instance to change it; not
    #: saved): memory stays bounded whatever the length of the docs.
    chunk_tokens: int = CHUNK_TOKENS

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        self.vocab = vocab
        self.name = name or self.factory
        labels = cfg.pop("labels", ())
        merged = copy.deepcopy(self.default_cfg)
        merged.update(resolve_cfg(self.factory, type(self), cfg))  # a cfg `preset` fills in its values
        try:
            check_cfg(merged, self.default_cfg)  # now, not at the first save after an epoch
        except ValueError as err:
            raise ValueError(f"{self.name}: cfg {err}") from None
        self.cfg: dict[str, Any] = merged
        self._labels: list[str] = []
        self.model: Model | None = None
        self._rehearsal_model: Model | None = None
        self._listener_link = ListenerLink(self)
        for label in labels:
            self.add_label(label)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, labels={len(self.labels)})"

    # ---- subclass hooks ------------------------------------------------------------------------

    def build_model(self) -> Model:
        """A new, uninitialised thinc model for the current cfg and labels."""
        raise NotImplementedError(f"{type(self).__name__} must define build_model()")

    def model_input(self, docs: Sequence[Any]) -> Any:
        """What the model reads for these docs: one uint64 feature array per doc by default;
        the docs themselves when the component listens to a shared tok2vec."""
        if self.listens_to:
            return list(docs)
        return featurize_docs(docs, self.cfg.get("attrs", FEATURE_ATTRS), self.char_columns)

    @property
    def char_columns(self) -> int:
        """How many code point columns the feature arrays carry: cfg `char_len` when cfg
        `chars` turns the character CNN on, else 0."""
        cfg = self.cfg
        return int(cfg.get("char_len", TOK2VEC_DEFAULTS["char_len"])) if cfg.get("chars") else 0

    def training_input(self, examples: Sequence[Any]) -> Any:
        """What the model reads in `update`: `model_input` of the examples' predicted docs by
        default; a model that also reads gold (the biaffine parser scores the labels of the
        gold heads) takes it from the examples here."""
        return self.model_input([eg.predicted for eg in examples])

    def rehearsal_input(self, X: Any, target: Any) -> Any:
        """What the model reads in `rehearse`, given `model_input` X and the snapshot's output
        on it: X by default; a model whose output's shape follows its own predictions (the
        biaffine parser's sentences and trees) is told the snapshot's here."""
        return X

    def predict(self, docs: Sequence[Any]) -> Any:
        """The model's scores for `docs` (no annotation is set)."""
        return self.require_model().predict(self.model_input(docs))

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define set_annotations()")

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """(loss, d_scores) of `scores` against the examples' gold."""
        raise NotImplementedError(f"{type(self).__name__} must define get_loss()")

    def labels_of_example(self, example: Any) -> Iterable[str]:
        """The labels an nlp_gold Example carries for this component (for begin_training): its
        registered `gold_labels` (none for an unregistered class)."""
        spec = find_component_spec(self.factory)
        return spec.gold_labels(example) if spec is not None and spec.gold_labels is not None else ()

    def check_examples(self, examples: Sequence[Any]) -> None:
        """A ValueError naming the example if its gold is something this component cannot
        learn (run by `update` on every batch, before anything is learnt; none by default)."""

    def loss_of_checked(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """`get_loss` for examples `check_examples` has passed (what `update` calls): a
        component whose `get_loss` checks its input too overrides this to check only once."""
        return self.get_loss(examples, scores)

    def init_sample(self, examples: Sequence[Any]) -> tuple[Any, Any]:
        """(X, Y) handed to `model.initialize` to infer shapes; Y None by default (and X None
        for a listener: its width comes from the upstream, and docs carry no vectors yet)."""
        if self.listens_to:
            return None, None
        docs = [eg.predicted for eg in examples if len(eg.predicted)]
        if not docs:
            from nlp_vocab import Doc

            docs = [Doc(self.vocab, words=["init"])]
        return self.model_input(docs[:16]), None

    def build_tok2vec(self) -> Model:
        """The hashed-embedding tok2vec from cfg: width, depth, window, pieces, embed_rows,
        attrs, dropout, chars, char_len, char_dim, char_edges, char_window, encoder, word_dropout; with
        cfg `pretrained_vectors` true, the vocab's static vectors, looked up by cfg `vectors_attr`, are concatenated in. With
        cfg `tok2vec` set, a listener of that upstream component instead."""
        cfg = self.cfg
        if self.listens_to:
            return build_tok2vec_listener(self._listener_link, int(cfg.get("width", 96)))
        defaults = TOK2VEC_DEFAULTS
        return build_hash_embed_cnn_tok2vec(
            width=cfg.get("width", defaults["width"]),
            depth=cfg.get("depth", defaults["depth"]),
            window=cfg.get("window", defaults["window"]),
            pieces=cfg.get("pieces", defaults["pieces"]),
            rows=cfg.get("embed_rows", defaults["embed_rows"]),
            attrs=cfg.get("attrs", FEATURE_ATTRS),
            vectors=self.static_vectors(),
            dropout=cfg.get("dropout"),
            **{key: cfg.get(key, defaults[key]) for key in ("chars", "char_len", "char_dim", "char_edges", "char_window",
                                                            "encoder", "vectors_attr", "word_dropout")},
        )

    def static_vectors(self) -> VectorTable | None:
        """The vocab's static vectors for the tok2vec when cfg `pretrained_vectors` is set (else
        None). A ValueError naming this component when the vocab has none, when cfg
        `vectors_attr` is not one of cfg `attrs`, or when the table says its keys are another
        attribute (ORTH-keyed vectors looked up by NORM would find almost no row)."""
        cfg = self.cfg
        if not cfg.get("pretrained_vectors"):
            return None
        table = getattr(self.vocab, "vectors", None)
        if table is None:
            raise ValueError(f"{self.name}: cfg pretrained_vectors is set but the vocab has no vectors")
        attr = cfg.get("vectors_attr", TOK2VEC_DEFAULTS["vectors_attr"])
        vectors_column(cfg.get("attrs", FEATURE_ATTRS), attr, self.name)  # named here, before the model's check
        keyed_by = getattr(table, "attr", None)
        if keyed_by is not None and keyed_by != attr:
            raise ValueError(f"{self.name}: the vocab's static vectors are keyed by {keyed_by}, but cfg vectors_attr "
                             f"is {attr!r}: set cfg vectors_attr to {keyed_by!r} (and add it to cfg attrs)")
        return VectorTable.from_vectors(table)

    # ---- a shared tok2vec -----------------------------------------------------------------------

    @classmethod
    def can_listen_with(cls, cfg: Mapping[str, Any]) -> bool:
        """Whether a component of this class made with `cfg` (its default cfg filling the rest)
        has a tok2vec, so that it can read a shared one instead (`nlp train -st`): yes by
        default; a class whose cfg can choose a model without one says no for that cfg."""
        return True

    @property
    def listens_to(self) -> str | None:
        """The name of the upstream Tok2Vec component this one reads vectors from, or None."""
        return self.cfg.get("tok2vec") or None

    @property
    def upstream(self) -> Any:
        """The linked upstream Tok2Vec component (None when not linked)."""
        return self._listener_link.upstream

    @property
    def listener_link(self) -> ListenerLink:
        """Where this component's listener layer finds its upstream (the upstream's shared
        batch waits for a gradient from each of its listeners' links)."""
        return self._listener_link

    def set_upstream(self, upstream: Any) -> None:
        """Link this listener to its upstream Tok2Vec (None: unlink). An unbuilt model takes the
        upstream's width; a built one must already have it."""
        if upstream is not None:
            if not self.listens_to:
                raise ValueError(f"Component '{self.name}' has no cfg tok2vec: it does not listen to '{upstream.name}'")
            width = int(upstream.cfg.get("width", 96))
            if self.model is None:
                self.cfg["width"] = width
            else:
                ours = self.model.get_ref("tok2vec").get_dim("nO") if self.model.has_ref("tok2vec") else width
                if ours != width:
                    raise ValueError(
                        f"Component '{self.name}' was built for token vectors of width {ours}, but its "
                        f"upstream '{upstream.name}' gives width {width}"
                    )
        self._listener_link.upstream = upstream

    def listen_to(self, name: str) -> None:
        """Read the token vectors of the tok2vec component called `name` from now on (what
        `rename_pipe` does when the upstream is renamed): only the name changes, so only a
        component that listens already can; a link to an upstream of another name is undone."""
        if not self.listens_to:
            raise ValueError(f"Component '{self.name}' has no cfg tok2vec: it was built with its own "
                             f"tok2vec and cannot listen to '{name}'")
        self.cfg["tok2vec"] = name
        upstream = self.upstream
        if upstream is not None and upstream.name != name:
            upstream.remove_listener(self)

    def _refuse_shared_rehearsal(self) -> None:
        if self.listens_to:
            raise ValueError(
                f"Component '{self.name}' listens to the shared tok2vec '{self.listens_to}': rehearse() "
                "does not support shared tok2vec components (train without -rt, or give each "
                "component its own tok2vec)"
            )

    # ---- labels --------------------------------------------------------------------------------

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._labels)

    def add_label(self, label: str) -> int:
        """Add a label; 1 if it is new, else 0. A built model grows its output layer."""
        if not isinstance(label, str) or not label:
            raise ValueError(f"{self.name}: a label must be a non-empty string, got {label!r}")
        if label in self._labels:
            return 0
        self._labels.append(label)
        self.vocab.strings.add(label)
        if self.model is not None:
            self.resize_model(len(self._labels))
        return 1

    def resize_model(self, n_labels: int) -> None:
        """Grow the output layer of the built model to `n_labels`, keeping trained rows."""
        assert self.model is not None
        resize_output(self.model, n_labels)

    # ---- the model ---------------------------------------------------------------------------

    def require_model(self) -> Model:
        if self.model is None:
            raise ValueError(
                f"Component '{self.name}' has no model yet: call nlp.begin_training() "
                "(or load a trained pipeline) before using it"
            )
        return self.model

    def _check_labels(self) -> None:
        if not self._labels:
            raise ValueError(
                f"Component '{self.name}' has no labels: add some with add_label() or give "
                "begin_training examples to infer them from"
            )

    def begin_training(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        sgd: Optimizer | None = None,
        pipeline: Any = None,
    ) -> None:
        """Infer labels from `get_examples()` (if given), then build and initialise the model."""
        sample: list = []
        if get_examples is not None:
            for example in get_examples():
                for label in self.labels_of_example(example):
                    if label and label not in self._labels:
                        self.add_label(label)
                if len(sample) < 16:
                    sample.append(example)
        self._check_labels()
        if self.listens_to and self.upstream is not None:
            self.cfg["width"] = int(self.upstream.cfg.get("width", 96))
        self.model = self.build_model()
        X, Y = self.init_sample(sample)
        self.model.initialize(X=X, Y=Y)

    @contextlib.contextmanager
    def use_params(self, params: dict) -> Iterator[None]:
        """Swap in `params` (e.g. optimizer.averages) for the block; restore on exit."""
        if self.model is None:
            yield
            return
        with self.model.use_params(params):
            yield

    def copy_model(self) -> Model:
        """An independent copy of the built model with the same weights (rehearsal snapshot)."""
        model = self.require_model()
        other = self.build_model()
        other.from_bytes(model.to_bytes())
        return other

    def snapshot_for_rehearsal(self) -> None:
        """Keep a frozen copy of the current model: `rehearse` pulls the outputs towards it
        (what `Language.resume_training` does for every component)."""
        self._rehearsal_model = self.copy_model()

    def drop_rehearsal_snapshot(self) -> None:
        """Forget the snapshot: `rehearse` does nothing until the next one."""
        self._rehearsal_model = None

    @property
    def has_rehearsal_snapshot(self) -> bool:
        """Whether `rehearse` has a snapshot to pull towards (`Language.rehearse` needs one)."""
        return self._rehearsal_model is not None

    def score_options(self) -> dict[str, Any]:
        """Keyword options of `nlp_gold.Scorer` that scoring this component's predictions
        needs (none by default; a text classifier says whether its classes exclude each other)."""
        return {}

    def get_random_state(self) -> Any:
        """The state of the component's own random generator, saved by training checkpoints so a
        resumed run continues the same draws; None: it keeps none (the default)."""
        return None

    def set_random_state(self, state: Any) -> None:
        """Restore a state from `get_random_state`; a ValueError for a component keeping none."""
        raise ValueError(f"{self.name}: keeps no random generator, so it has no state to set")

    # ---- running -------------------------------------------------------------------------------

    def __call__(self, doc: Any) -> Any:
        self.annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 256) -> Iterator[Any]:
        """Annotate docs in batches of `batch_size` (a model call per `chunk_tokens` tokens)."""
        for batch in batched(docs, batch_size):
            self.annotate(batch)
            yield from batch

    def annotate(self, docs: Sequence[Any]) -> None:
        """Predict and set annotations with bounded memory: docs in groups of at most
        `chunk_tokens` tokens, and a longer doc alone, by `annotate_long`; but in one call
        when the model's tokens see their whole doc (a BiLSTM tok2vec: no window gives its
        output, see _chunks), so memory then grows with the longest doc."""
        for group in token_groups(docs, self.chunk_tokens):
            if len(group) == 1 and len(group[0]) > self.chunk_tokens and self.windows_long_docs:
                self.annotate_long(group[0])
            else:
                self.set_annotations(group, self.predict(group))

    @property
    def windows_long_docs(self) -> bool:
        """Whether a long doc is annotated window by window (`annotate_long`): yes unless a
        layer of the model reads the whole doc (`context_width` None)."""
        return context_width(self.require_model()) is not None

    def annotate_long(self, doc: Any) -> None:
        """Annotate a doc of more than `chunk_tokens` tokens; components whose memory grows
        with the doc's length override this to work window by window (this default runs the
        whole doc at once)."""
        self.set_annotations([doc], self.predict([doc]))

    def row_source(self, doc: Any) -> RowSource:
        """The model input of tokens lo..hi of `doc` as `source(lo, hi)` (see _chunks)."""
        return row_source(self.model_input([doc])[0], doc)

    def predict_rows(self, model: Model, doc: Any, source: RowSource, start: int, end: int) -> Any:
        """`model`'s per-token output for tokens [start, end) of `doc`, as for the whole doc."""
        return predict_rows(model, source, len(doc), start, end, context_width(model))

    # ---- learning ------------------------------------------------------------------------------

    def _losses(self, losses: dict[str, float] | None) -> dict[str, float]:
        """The losses dict to add to (a new one when None), holding this component's entry."""
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        return losses

    def _learning_model(self, drop: float) -> Model:
        """The model, its dropout rate set to `drop` for this update or rehearsal step."""
        model = self.require_model()
        set_dropout(model, drop)
        return model

    def update(
        self,
        examples: Sequence[Any],
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """One gradient step on `examples`; adds the loss under this component's name.
        Empty docs add nothing; a batch with no tokens at all makes no step."""
        check_drop(drop, f"{self.name}.update")
        losses = self._losses(losses)
        examples = list(examples)
        self.check_examples(examples)
        if not has_tokens(eg.predicted for eg in examples):
            return losses
        model = self._learning_model(drop)
        scores, backprop = model.begin_update(self.training_input(examples))
        loss, d_scores = self.loss_of_checked(examples, scores)
        backprop(d_scores)
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += float(loss)
        return losses

    def flush_update(self) -> bool:
        """Apply an update held back for other components now (`Language.update` calls it
        after every batch): True if one was applied. Nothing is held back by default; a shared
        tok2vec waits for its listeners' gradients."""
        return False

    def rehearse(
        self,
        examples: Sequence[Any],
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """Pull the outputs towards those of the snapshot made by `Language.resume_training`.

        `examples` may be Examples or Docs: only the (predicted) docs are used, no gold.
        """
        check_drop(drop, f"{self.name}.rehearse")
        losses = self._losses(losses)
        if self._rehearsal_model is None:
            return losses
        self._refuse_shared_rehearsal()
        docs = [getattr(eg, "predicted", eg) for eg in examples]
        if not has_tokens(docs):
            return losses
        model = self._learning_model(drop)
        X = self.model_input(docs)
        target = self._rehearsal_model.predict(X)
        scores, backprop = model.begin_update(self.rehearsal_input(X, target))
        d_scores, loss = self._rehearsal_gradient(scores, target)
        backprop(d_scores)
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += loss
        return losses

    @staticmethod
    def _rehearsal_gradient(scores: Any, target: Any) -> tuple[Any, float]:
        if isinstance(scores, list):
            grads = [s - t for s, t in zip(scores, target)]
            return grads, float(sum(float((g**2).sum()) for g in grads))
        grad = scores - target
        return grad, float((grad**2).sum())

    # ---- a batch split across workers ----------------------------------------------------------

    #: The count `normalized_by` gave, which `update` divides the loss by instead of its own.
    _loss_count: float | None = None

    def loss_normalizer(self, examples: Sequence[Any]) -> float | None:
        """What `update` divides this component's loss by on `examples` (a count of tokens or
        sentences, summed over the examples: 0 counts too), or None when its loss is a sum over
        the batch (the default). It adds no label. In data-parallel training every worker counts
        the whole batch and divides its update on its shard by that (`normalized_by`), so the
        workers' gradients add up to the whole batch's."""
        return None

    def new_labels(self, examples: Sequence[Any]) -> list[str]:
        """The labels `update` on `examples` would add, in the order it adds them, without
        adding them (none by default): data-parallel training has every replica add the
        labels the batch brings before the workers update."""
        return []

    @contextlib.contextmanager
    def normalized_by(self, count: float | None) -> Iterator[None]:
        """Within the block, `update` divides the loss by `count` (the whole batch's
        `loss_normalizer`) instead of counting its own batch; None: its own count."""
        previous, self._loss_count = self._loss_count, count
        try:
            yield
        finally:
            self._loss_count = previous

    def batch_count(self, own: float) -> float:
        """The count to divide this batch's loss by: `own`, or the one `normalized_by` set."""
        return own if self._loss_count is None else self._loss_count

    # ---- serialization -------------------------------------------------------------------------

    def labels_to_msg(self) -> Any:
        """The labels as saved (subclasses with richer label data override both methods)."""
        return list(self._labels)

    def labels_from_msg(self, msg: Any) -> None:
        if not isinstance(msg, list) or not all(isinstance(label, str) and label for label in msg):
            raise ValueError("expected a list of non-empty label strings")
        if len(set(msg)) != len(msg):
            raise ValueError("a label is listed twice")
        self._labels = list(msg)
        for label in self._labels:
            self.vocab.strings.add(label)

    def to_bytes(self) -> bytes:
        msg = {
            "cfg": _jsonable(self.cfg),
            "labels": self.labels_to_msg(),
            "model": self.model.to_bytes() if self.model is not None else None,
        }
        return srsly.msgpack_dumps(msg)

    def from_bytes(self, data: bytes) -> TrainablePipe:
        try:
            msg = srsly.msgpack_loads(data)
        except Exception as err:  # noqa: BLE001 - any decoding failure means bad bytes
            raise ValueError(f"{self.name}: cannot read component bytes ({err})") from err
        for key in ("cfg", "labels", "model"):
            if not isinstance(msg, dict) or key not in msg:
                raise ValueError(f"{self.name}: component bytes lack the '{key}' entry")
        self._load(msg["cfg"], msg["labels"], msg["model"], lambda part: f"{self.name} (bytes, {part})")
        return self

    def to_disk(self, path: str | Path) -> None:
        """Write cfg.json, labels.json and (once built) model.bin into the folder `path`."""
        path = Path(path)
        try:
            check_cfg(self.cfg, self.default_cfg)  # what loading would refuse is not saved
        except ValueError as err:
            raise ValueError(f"{self.name}: cfg {err}") from None
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / CFG_FILE, _jsonable(self.cfg))
        srsly.write_json(path / LABELS_FILE, self.labels_to_msg())
        if self.model is not None:
            (path / MODEL_FILE).write_bytes(self.model.to_bytes())
        elif (path / MODEL_FILE).exists():
            (path / MODEL_FILE).unlink()

    def from_disk(self, path: str | Path) -> TrainablePipe:
        """Read what `to_disk` wrote; without model.bin the component has no model (see
        `Language.from_disk`, which requires it unless the component was saved untrained)."""
        path = Path(path)
        for name in (CFG_FILE, LABELS_FILE):
            if not (path / name).is_file():
                raise FileNotFoundError(f"{path / name}: missing file of component '{self.name}'")
        cfg = read_json_file(path / CFG_FILE)
        labels = read_json_file(path / LABELS_FILE)
        model_bytes = (path / MODEL_FILE).read_bytes() if (path / MODEL_FILE).exists() else None
        self._load(cfg, labels, model_bytes, lambda part: str(path / part))
        return self

    def _load(self, cfg: Any, labels: Any, model_bytes: bytes | None, where: Callable[[str], str]) -> None:
        """Set cfg, labels and weights; a ValueError naming the part (`where(file name)`) that
        is malformed or does not fit the others."""
        try:
            check_cfg(cfg, self.default_cfg)
        except ValueError as err:
            raise ValueError(f"{where(CFG_FILE)}: {err}") from None
        self.cfg.update({key: value for key, value in ADDED_TOK2VEC_CFG.items() if key in self.default_cfg}, **cfg)
        try:
            self.labels_from_msg(labels)
        except ValueError as err:
            raise ValueError(f"{where(LABELS_FILE)}: {err}") from None
        if model_bytes is None:
            self.model = None
            return
        try:
            model = self.build_model()
        except Exception as err:  # noqa: BLE001 - any failure here comes from the cfg or labels
            raise ValueError(f"{where(CFG_FILE)}: cannot build component '{self.name}' ({_one_line(err)})") from None
        try:
            model.from_bytes(model_bytes)
        except Exception as err:  # noqa: BLE001 - report which component failed to load
            raise ValueError(
                f"{where(MODEL_FILE)}: cannot load the weights of component '{self.name}' ({_one_line(err)})"
            ) from None
        self.model = model
