"""Pretraining heads: predict each token's static vector, or its first/last characters."""

from thinc.api import Linear, Maxout, Model, chain, with_array

from .losses import N_CHARACTER_CLASSES
from .registry import architectures
from .tok2vec import set_ops


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
