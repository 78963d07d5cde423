"""Pretraining as a pipeline that nlp_train's loop trains: a tok2vec plus a pretraining
objective's output layer (`nlp_models.ml.pretrain`), learning from raw text.

`Pretrainer` implements nlp_train's TrainablePipeline protocol with one component, "pretrain":
its examples are Docs, `update` is one gradient step of the objective, `evaluate` reports the
objective's loss per word on held-out docs, and `to_disk` writes the tok2vec's weights as
`tok2vec.bin` (the bytes `nlp train -t2v` and a component's `model.tok2vec.from_bytes` load)
beside the output layer's. So `nlp pretrain` needs no training loop of its own.

With a `mask_rate`, that share of the tokens is hidden from the tok2vec (every feature) and the
objective is scored on those tokens alone, so it learns to predict words from their context (a
masked objective, as BERT's).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy
import srsly
from thinc.api import Model, Optimizer

from nlp_train.components import ComponentInfo, ScoreColumn, ScoreCurve, ScoreWeight

from .ml import build_hash_embed_cnn_tok2vec, featurize_for, mask_tokens, pretrain_loss
from .ml.pretrain import PretrainObjective
from .ml.vectors import VectorTable
from .pipes.base import TOK2VEC_DEFAULTS, check_drop, set_dropout

#: The component name: the key of the loss in `losses` and of the table's columns.
PRETRAIN = "pretrain"
#: The score keys of `Pretrainer.evaluate`: the held-out loss per word, and its negation.
LOSS_SCORE, BEST_SCORE = "pretrain_loss", "pretrain_score"
#: The files `Pretrainer.to_disk` writes.
TOK2VEC_FILE = "tok2vec.bin"
OUTPUT_LAYER_FILE = "output_layer.bin"
CONFIG_FILE = "pretrain.json"
#: Docs per prediction batch in `evaluate` (bounds its memory, not its result).
EVAL_BATCH_DOCS = 64
#: Seed of the tokens `evaluate` hides under a mask rate: the same ones every epoch.
EVAL_MASK_SEED = 1

AfterUpdate = Callable[["Pretrainer", Sequence[Any], Optimizer], None]


#: The tok2vec cfg keys besides the sizes that `build_pretrain_tok2vec` takes (None: the default).
PRETRAIN_TOK2VEC_KEYS = ("chars", "char_len", "char_dim", "char_edges", "char_window", "encoder")


def pretrain_tok2vec_sizes(width: int | None = None, depth: int | None = None,
                           embed_rows: int | Sequence[int] | None = None, **features: Any) -> dict[str, Any]:
    """The settings `build_pretrain_tok2vec` builds with, without building it (what `nlp
    pretrain --resume` compares before reading any text): those given, TOK2VEC_DEFAULTS' for
    the rest; a ValueError naming an unknown one."""
    unknown = sorted(set(features) - set(PRETRAIN_TOK2VEC_KEYS))
    if unknown:
        raise ValueError(f"build_pretrain_tok2vec: unknown setting(s) {', '.join(unknown)}")
    given = {"width": width, "depth": depth, "embed_rows": embed_rows, **features}
    return {key: TOK2VEC_DEFAULTS[key] if given.get(key) is None else given[key]
            for key in ("width", "depth", "embed_rows", "window", "pieces", *PRETRAIN_TOK2VEC_KEYS)}


def build_pretrain_tok2vec(width: int | None = None, depth: int | None = None,
                           embed_rows: int | Sequence[int] | None = None, vectors: VectorTable | None = None,
                           **features: Any) -> tuple[Model, dict[str, Any]]:
    """The tok2vec every component builds by default (TOK2VEC_DEFAULTS, its dropout layers
    included: their rate is set per batch) with the sizes given, so that pretrained weights fit
    a component's own tok2vec; `features` may set chars, char_len, char_dim, char_edges,
    char_window and encoder (as a component's cfg). With `vectors` (NORM-keyed) it reads them as
    a component's tok2vec reads `nlp train -v`'s (cfg pretrained_vectors). Returns (the model,
    its sizes: width, depth, embed_rows, window, pieces, and those six)."""
    sizes = pretrain_tok2vec_sizes(width, depth, embed_rows, **features)
    tok2vec = build_hash_embed_cnn_tok2vec(width=sizes["width"], depth=sizes["depth"], window=sizes["window"],
                                           pieces=sizes["pieces"], rows=sizes["embed_rows"],
                                           dropout=TOK2VEC_DEFAULTS["dropout"], vectors=vectors,
                                           **{key: sizes[key] for key in PRETRAIN_TOK2VEC_KEYS})
    return tok2vec, sizes


class Pretrainer:
    """A tok2vec and `objective`'s output layer, trained together as the one component
    "pretrain" of a pipeline (see the module docstring). `after_update(pretrainer, docs, sgd)`,
    if given, runs after each update (e.g. to save snapshots of the weights). `mask_rate` (0:
    none) is the share of tokens hidden and scored in each batch."""

    name = PRETRAIN

    def __init__(self, tok2vec: Model, objective: PretrainObjective, after_update: AfterUpdate | None = None,
                 mask_rate: float = 0.0):
        if not 0.0 <= mask_rate < 1.0:
            raise ValueError(f"Pretrainer: mask_rate must be in [0, 1), got {mask_rate}")
        self.tok2vec = tok2vec
        self.objective = objective
        self.model = objective.build_model(tok2vec)
        self.after_update = after_update
        self.mask_rate = mask_rate

    @property
    def pipe_names(self) -> list[str]:
        return [self.name]

    def initialize(self, docs: Sequence[Any]) -> None:
        """Set the models' shapes and initial weights from a sample of `docs` (one at least)."""
        if not docs:
            raise ValueError("Pretrainer.initialize: needs at least one doc")
        self.model.initialize(X=featurize_for(self.tok2vec, list(docs[:8])))

    def update(self, examples: Sequence[Any], *, drop: float, sgd: Optimizer,
               losses: dict[str, float]) -> dict[str, float]:
        """One gradient step of the objective on the docs `examples`; adds the summed loss
        into `losses["pretrain"]`."""
        docs = list(examples)
        set_dropout(self.model, check_drop(drop, "Pretrainer.update"))
        features = featurize_for(self.tok2vec, docs)
        inputs, weights = self._masked(features, numpy.random)
        outputs, backprop = self.model.begin_update(inputs)
        grads, loss = pretrain_loss(self.objective, docs, features, outputs, self.model.ops, weights)
        backprop(grads)
        self.model.finish_update(sgd)
        losses[self.name] = losses.get(self.name, 0.0) + loss
        if self.after_update is not None:
            self.after_update(self, docs, sgd)
        return losses

    def evaluate(self, examples: Sequence[Any]) -> dict[str, float]:
        """The objective on the docs `examples`, without dropout: `pretrain_loss` (per word
        scored: per hidden word under a mask rate, the same words each time), `pretrain_score`
        (its negation: higher is better, what picks `model-best`) and `wps`."""
        docs = list(examples)
        started = time.perf_counter()
        rng = numpy.random.RandomState(EVAL_MASK_SEED)
        loss, n_scored = 0.0, 0.0
        for start in range(0, len(docs), EVAL_BATCH_DOCS):
            batch = docs[start:start + EVAL_BATCH_DOCS]
            features = featurize_for(self.tok2vec, batch)
            inputs, weights = self._masked(features, rng)
            outputs = self.model.predict(inputs)
            loss += pretrain_loss(self.objective, batch, features, outputs, self.model.ops, weights)[1]
            n_scored += sum(len(doc) for doc in batch) if weights is None else float(weights.sum())
        seconds = time.perf_counter() - started
        n_words = sum(len(doc) for doc in docs)
        per_word = loss / max(1.0, n_scored)
        return {LOSS_SCORE: per_word, BEST_SCORE: -per_word,
                "wps": n_words / seconds if seconds > 0 else 0.0}

    def _masked(self, features: list, rng: Any) -> tuple[list, Any]:
        """(the tok2vec's input, per-token loss weights or None): `features` as they are
        without a mask rate, else with `mask_rate` of the tokens hidden (`mask_tokens`)."""
        if not self.mask_rate:
            return features, None
        return mask_tokens(features, self.mask_rate, rng)

    def component_info(self) -> list[ComponentInfo]:
        """How the loop shows and judges pretraining: the epoch's summed loss, the held-out
        loss per word, and `model-best` chosen on the held-out loss."""
        return [ComponentInfo(
            name=self.name, loss_header="Loss",
            columns=(ScoreColumn("Dev loss/word", (LOSS_SCORE,), ".4f"),),
            score_weights=(ScoreWeight((BEST_SCORE,)),),
            curves=(ScoreCurve("Held-out loss per word", ((LOSS_SCORE, self.objective.name),)),),
        )]

    def use_params(self, params: Any) -> Any:
        """A context manager swapping `params` (e.g. the optimizer's averages) in."""
        return self.model.use_params(params)

    def param_keys(self) -> list[tuple[int, str]]:
        """The optimizer keys of every parameter, in a stable order (for resuming)."""
        keys: list[tuple[int, str]] = []
        for node in self.model.walk():
            keys.extend((node.id, name) for name in node.param_names if (node.id, name) not in keys)
        return keys

    def tok2vec_bytes(self, params: Any = None) -> bytes:
        """The tok2vec's weights as `nlp pretrain` saves them; with `params` swapped in if given."""
        with self._params(params):
            return self.tok2vec.to_bytes()

    def to_disk(self, path: str | Path) -> None:
        """Write `tok2vec.bin`, `output_layer.bin` and `pretrain.json` (the objective) into `path`."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / CONFIG_FILE, {"objective": self.objective.cfg})
        (path / TOK2VEC_FILE).write_bytes(self.tok2vec.to_bytes())
        (path / OUTPUT_LAYER_FILE).write_bytes(self.model.get_ref("output_layer").to_bytes())

    def from_disk(self, path: str | Path) -> Pretrainer:
        """Load what `to_disk` wrote into this pretrainer; a ValueError naming the file when it
        was written for another objective."""
        path = Path(path)
        saved = srsly.read_json(path / CONFIG_FILE).get("objective")
        if saved != self.objective.cfg:
            raise ValueError(f"{path / CONFIG_FILE}: written for the objective {saved}, "
                             f"not {self.objective.cfg}")
        self.tok2vec.from_bytes((path / TOK2VEC_FILE).read_bytes())
        self.model.get_ref("output_layer").from_bytes((path / OUTPUT_LAYER_FILE).read_bytes())
        return self

    def _params(self, params: Any) -> AbstractContextManager[Any]:
        return self.use_params(params) if params else nullcontext()
