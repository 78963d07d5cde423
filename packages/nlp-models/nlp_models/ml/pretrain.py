"""Pretraining heads and objectives: predict each token's static vector, or its first/last
characters, from the tok2vec's output; with `mask_tokens`, only for tokens whose every feature
was hidden, so they must be predicted from their context (a masked objective).

An objective (`VectorsObjective`, `CharactersObjective`, made by name with `make_objective`)
builds its output layer on a tok2vec and turns the layer's output for a batch of docs into a
loss and its gradient (`pretrain_loss`); `nlp_models.pretraining.Pretrainer` trains the pair on
nlp_train's loop.
"""

from collections.abc import Sequence
from typing import Any

import numpy
from thinc.api import Linear, Maxout, Model, chain, with_array

from .losses import N_CHARACTER_CLASSES, character_targets, characters_loss, vectors_loss
from .registry import architectures
from .tok2vec import UNKNOWN_WORD, set_ops
from .vectors import VectorTable, static_vector_targets

#: The names `make_objective` knows.
OBJECTIVES = ("vectors", "characters")
#: The losses of the vectors objective.
VECTOR_LOSSES = ("cosine", "L2")


def _head(tok2vec: Model, n_out: int, hidden_width: int, pieces: int) -> Model:
    width = tok2vec.get_dim("nO")
    head = chain(Maxout(hidden_width, width, nP=pieces, normalize=True), Linear(n_out, hidden_width))
    model = chain(tok2vec, with_array(head))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", head)
    model.set_dim("nO", n_out, force=True)
    return set_ops(model, tok2vec.ops)


@architectures("nlp.PretrainVectors.v1")
def build_pretrain_vectors_model(
    tok2vec: Model, vector_width: int, hidden_width: int = 300, pieces: int = 3
) -> Model[list, list]:
    """tok2vec -> Maxout -> Linear(vector_width): per token, a guess of its static vector."""
    return _head(tok2vec, vector_width, hidden_width, pieces)


@architectures("nlp.PretrainCharacters.v1")
def build_pretrain_characters_model(
    tok2vec: Model, n_characters: int = 4, hidden_width: int = 300, pieces: int = 3
) -> Model[list, list]:
    """tok2vec -> Maxout -> logits for the first and last `n_characters` bytes of each token.

    Output per token: 2*n_characters groups of 257 logits (256 byte values + "none");
    train with `character_targets` and `characters_loss`.
    """
    if n_characters < 1:
        raise ValueError(f"pretrain characters: n_characters must be >= 1, got {n_characters}")
    model = _head(tok2vec, 2 * n_characters * N_CHARACTER_CLASSES, hidden_width, pieces)
    model.attrs["n_characters"] = n_characters
    return model


class PretrainObjective:
    """What pretraining teaches a tok2vec to predict. Subclasses build the output layer
    (`build_model`), score its output for a batch (`get_loss`) and describe themselves (`cfg`,
    saved beside the weights so a folder is only loaded into the objective that wrote it)."""

    name = ""

    def build_model(self, tok2vec: Model) -> Model[list, list]:
        """tok2vec -> output layer: per doc, one row of predictions per token."""
        raise NotImplementedError

    def get_loss(self, docs: Sequence[Any], features: list, predicted: Any, ops: Any,
                 weights: Any = None) -> tuple[Any, float]:
        """(d_predicted, summed loss) of `predicted`, the output rows of all docs' tokens in order;
        `weights` (one per row, e.g. 1 for masked tokens and 0 for the rest) scales each row."""
        raise NotImplementedError

    @property
    def cfg(self) -> dict[str, Any]:
        """JSON-ready settings (with "objective": the name)."""
        raise NotImplementedError


class VectorsObjective(PretrainObjective):
    """Predict each token's static vector (looked up by its NORM hash); tokens without one are
    left out. `loss`: "cosine" (1 - cos) or "L2" (squared error)."""

    name = "vectors"

    def __init__(self, table: VectorTable, loss: str = "cosine", hidden_width: int = 300, pieces: int = 3):
        if loss not in VECTOR_LOSSES:
            raise ValueError(f"vectors objective: loss must be one of {VECTOR_LOSSES}, got {loss!r}")
        if not len(table):
            raise ValueError("vectors objective: the vector table is empty")
        self.table, self.loss = table, loss
        self.hidden_width, self.pieces = hidden_width, pieces

    def build_model(self, tok2vec: Model) -> Model[list, list]:
        return build_pretrain_vectors_model(tok2vec, self.table.width, self.hidden_width, self.pieces)

    def get_loss(self, docs: Sequence[Any], features: list, predicted: Any, ops: Any,
                 weights: Any = None) -> tuple[Any, float]:
        targets, masks = static_vector_targets(self.table, features, 0, ops)
        mask = _join(masks, ops)
        return vectors_loss(predicted, _join(targets, ops), mask if weights is None else mask * weights,
                            objective=self.loss)

    @property
    def cfg(self) -> dict[str, Any]:
        return {"objective": self.name, "loss": self.loss, "vector_width": self.table.width,
                "hidden_width": self.hidden_width, "pieces": self.pieces}


class CharactersObjective(PretrainObjective):
    """Predict the first and last `n_characters` UTF-8 bytes of each token (no vectors needed)."""

    name = "characters"

    def __init__(self, n_characters: int = 4, hidden_width: int = 300, pieces: int = 3):
        self.n_characters, self.hidden_width, self.pieces = n_characters, hidden_width, pieces

    def build_model(self, tok2vec: Model) -> Model[list, list]:
        return build_pretrain_characters_model(tok2vec, self.n_characters, self.hidden_width, self.pieces)

    def get_loss(self, docs: Sequence[Any], features: list, predicted: Any, ops: Any,
                 weights: Any = None) -> tuple[Any, float]:
        words = [word for doc in docs for word in doc.words]
        return characters_loss(predicted, ops.asarray(character_targets(words, self.n_characters)), weights)

    @property
    def cfg(self) -> dict[str, Any]:
        return {"objective": self.name, "n_characters": self.n_characters,
                "hidden_width": self.hidden_width, "pieces": self.pieces}


def make_objective(name: str, vectors: Any = None, loss: str = "cosine") -> PretrainObjective:
    """The objective `name` ("vectors": needs `vectors`, a Vectors-like table with `.data` and
    `.key2row`, e.g. `nlp.vocab.vectors`; "characters"); a ValueError naming what is wrong."""
    if name == "characters":
        return CharactersObjective()
    if name != "vectors":
        raise ValueError(f"unknown pretraining objective {name!r} (known: {', '.join(OBJECTIVES)})")
    if vectors is None or not vectors.shape[0]:
        raise ValueError("the vectors objective needs static vectors (the vocab has none)")
    if getattr(vectors, "attr", None) not in (None, "NORM"):
        raise ValueError(f"the vectors objective looks vectors up by NORM, but these are keyed by {vectors.attr} "
                         "(make them with `nlp init-vectors --attr NORM`)")
    return VectorsObjective(VectorTable.from_vectors(vectors), loss)


def mask_tokens(features: list, rate: float, rng: Any) -> tuple[list, Any]:
    """Copies of the per-doc feature arrays with `rate` of the tokens (drawn with the numpy
    generator `rng`) hidden: every column, characters included, reads UNKNOWN_WORD, so the
    tok2vec sees nothing of those words but their place. Returns (the copies, a float32 weight
    per token of all docs in order: 1 where hidden, else 0)."""
    if not 0.0 < rate < 1.0:
        raise ValueError(f"mask_tokens: the rate must be between 0 and 1, got {rate}")
    masked, weights = [], []
    for doc_features in features:
        hidden = rng.uniform(size=len(doc_features)) < rate
        copy = numpy.array(doc_features, copy=True)
        copy[hidden] = UNKNOWN_WORD
        masked.append(copy)
        weights.append(hidden.astype("float32"))
    return masked, numpy.concatenate(weights) if weights else numpy.zeros(0, dtype="float32")


def pretrain_loss(objective: PretrainObjective, docs: Sequence[Any], features: list, outputs: list,
                  ops: Any, weights: Any = None) -> tuple[list, float]:
    """The objective's loss over a batch and its gradient split back per doc (as `outputs`);
    `weights` (one per token, see `mask_tokens`) restricts it to the tokens that were hidden.
    `features` are the unmasked ones (the vectors objective reads its targets from them)."""
    weights = None if weights is None else ops.asarray(weights, dtype="float32")
    d_predicted, loss = objective.get_loss(docs, features, _join(outputs, ops), ops, weights)
    grads, start = [], 0
    for out in outputs:
        grads.append(d_predicted[start:start + len(out)])
        start += len(out)
    return grads, float(loss)


def _join(arrays: list, ops: Any) -> Any:
    return arrays[0] if len(arrays) == 1 else ops.xp.concatenate(arrays)
