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
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import srsly
from thinc.api import Model, Optimizer

from ..ml import (
    FEATURE_ATTRS,
    ListenerLink,
    VectorTable,
    build_hash_embed_cnn_tok2vec,
    build_tok2vec_listener,
    featurize_docs,
    resize_output,
)

CFG_FILE = "cfg.json"
LABELS_FILE = "labels.json"
MODEL_FILE = "model.bin"

#: Default cfg of a component's hashed-embedding CNN tok2vec: Tok2Vec, Tagger and the transition
#: components build their `default_cfg` from it (textcat's own tok2vec is smaller).
TOK2VEC_DEFAULTS: dict[str, Any] = {
    "width": 96,
    "depth": 4,
    "window": 1,
    "pieces": 3,
    "embed_rows": (5000, 2500, 2500, 2500),
    "dropout": 0.1,
}


def set_dropout(model: Model, rate: float) -> None:
    """Set the rate of every Dropout layer of `model` (the `drop=` of an update)."""
    for node in model.walk():
        if node.name == "dropout":
            node.attrs["dropout_rate"] = float(rate)


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
    layer instead (`nlp_models.ml.listener`); the Language links the two by name, and cfg
    width follows the upstream's. The model then reads Docs (or Spans), not feature arrays.
    """

    factory: str = "pipe"
    #: Subclasses list their hyperparameters and defaults here.
    default_cfg: dict[str, Any] = {}

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        self.vocab = vocab
        self.name = name or self.factory
        labels = cfg.pop("labels", ())
        merged = copy.deepcopy(self.default_cfg)
        merged.update(cfg)
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
        return featurize_docs(docs, self.cfg.get("attrs", FEATURE_ATTRS))

    def predict(self, docs: Sequence[Any]) -> Any:
        """The model's scores for `docs` (no annotation is set)."""
        return self.require_model().predict(self.model_input(docs))

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define set_annotations()")

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """(loss, d_scores) of `scores` against the examples' gold."""
        raise NotImplementedError(f"{type(self).__name__} must define get_loss()")

    def labels_of_example(self, example: Any) -> Iterable[str]:
        """The labels an nlp_gold Example carries for this component (for begin_training)."""
        return ()

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
        """The hashed-embedding CNN from cfg: width, depth, window, pieces, embed_rows, dropout;
        with cfg `pretrained_vectors` true, the vocab's static vectors are concatenated in.
        With cfg `tok2vec` set, a listener of that upstream component instead."""
        cfg = self.cfg
        if self.listens_to:
            return build_tok2vec_listener(self._listener_link, int(cfg.get("width", 96)))
        vectors = None
        if cfg.get("pretrained_vectors"):
            if getattr(self.vocab, "vectors", None) is None:
                raise ValueError(f"{self.name}: cfg pretrained_vectors is set but the vocab has no vectors")
            vectors = VectorTable.from_vectors(self.vocab.vectors)
        defaults = TOK2VEC_DEFAULTS
        return build_hash_embed_cnn_tok2vec(
            width=cfg.get("width", defaults["width"]),
            depth=cfg.get("depth", defaults["depth"]),
            window=cfg.get("window", defaults["window"]),
            pieces=cfg.get("pieces", defaults["pieces"]),
            rows=cfg.get("embed_rows", defaults["embed_rows"]),
            attrs=cfg.get("attrs", FEATURE_ATTRS),
            vectors=vectors,
            dropout=cfg.get("dropout"),
        )

    # ---- a shared tok2vec -----------------------------------------------------------------------

    @property
    def listens_to(self) -> str | None:
        """The name of the upstream Tok2Vec component this one reads vectors from, or None."""
        return self.cfg.get("tok2vec") or None

    @property
    def upstream(self) -> Any:
        """The linked upstream Tok2Vec component (None when not linked)."""
        return self._listener_link.upstream

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

    # ---- running -------------------------------------------------------------------------------

    def __call__(self, doc: Any) -> Any:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 256) -> Iterator[Any]:
        """Annotate docs in batches of `batch_size` (one model call per batch)."""
        for batch in batched(docs, batch_size):
            self.set_annotations(batch, self.predict(batch))
            yield from batch

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
        """One gradient step on `examples`; adds the loss under this component's name."""
        losses = self._losses(losses)
        examples = list(examples)
        if not examples:
            return losses
        model = self._learning_model(drop)
        docs = [eg.predicted for eg in examples]
        scores, backprop = model.begin_update(self.model_input(docs))
        loss, d_scores = self.get_loss(examples, scores)
        backprop(d_scores)
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += float(loss)
        return losses

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
        losses = self._losses(losses)
        if self._rehearsal_model is None:
            return losses
        self._refuse_shared_rehearsal()
        docs = [getattr(eg, "predicted", eg) for eg in examples]
        if not docs:
            return losses
        model = self._learning_model(drop)
        X = self.model_input(docs)
        target = self._rehearsal_model.predict(X)
        scores, backprop = model.begin_update(X)
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

    # ---- serialization -------------------------------------------------------------------------

    def labels_to_msg(self) -> Any:
        """The labels as saved (subclasses with richer label data override both methods)."""
        return list(self._labels)

    def labels_from_msg(self, msg: Any) -> None:
        self._labels = [str(label) for label in msg]
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
            if key not in msg:
                raise ValueError(f"{self.name}: component bytes lack the '{key}' entry")
        self._load(msg["cfg"], msg["labels"], msg["model"], f"{self.name} (bytes)")
        return self

    def to_disk(self, path: str | Path) -> None:
        """Write cfg.json, labels.json and (once built) model.bin into the folder `path`."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / CFG_FILE, _jsonable(self.cfg))
        srsly.write_json(path / LABELS_FILE, self.labels_to_msg())
        if self.model is not None:
            (path / MODEL_FILE).write_bytes(self.model.to_bytes())
        elif (path / MODEL_FILE).exists():
            (path / MODEL_FILE).unlink()

    def from_disk(self, path: str | Path) -> TrainablePipe:
        path = Path(path)
        for name in (CFG_FILE, LABELS_FILE):
            if not (path / name).exists():
                raise FileNotFoundError(f"{path / name}: missing file of component '{self.name}'")
        cfg = srsly.read_json(path / CFG_FILE)
        labels = srsly.read_json(path / LABELS_FILE)
        model_bytes = (path / MODEL_FILE).read_bytes() if (path / MODEL_FILE).exists() else None
        self._load(cfg, labels, model_bytes, str(path))
        return self

    def _load(self, cfg: dict, labels: Any, model_bytes: bytes | None, where: str) -> None:
        if not isinstance(cfg, dict):
            raise ValueError(f"{where}: cfg must be a JSON object, got {type(cfg).__name__}")
        self.cfg.update(cfg)
        self.labels_from_msg(labels)
        if model_bytes is None:
            self.model = None
            return
        model = self.build_model()
        try:
            model.from_bytes(model_bytes)
        except Exception as err:  # noqa: BLE001 - report which component failed to load
            raise ValueError(f"{where}: cannot load the weights of component '{self.name}' ({err})") from err
        self.model = model
