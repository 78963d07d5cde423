"""Tagger heads: a softmax over tags for every token vector, or raw scores for a component that
normalizes groups of them itself."""


from thinc.api import Linear, Model, Softmax, chain, with_array, zero_init
from thinc.layers.resizable import resizable, resize_linear_weighted

from .maxout import FastMaxout
from .registry import architectures
from .tok2vec import set_ops


@architectures("nlp.Tagger.v1")
def build_tagger_model(tok2vec: Model, n_tags: int | None = None, hidden_width: int = 0) -> Model[list, list]:
    """tok2vec, then Softmax per token -> list of (n_tokens, n_tags) probabilities; with
    `hidden_width`, a layer-normalized maxout layer of that width between them (the head's own
    features, for many labels such as the morphologizer's UPOS+FEATS combinations).

    The backward pass takes d(probabilities) as d(logits), i.e. `probs - gold` for
    cross-entropy (see `categorical_loss`). `resize_output(model, n)` adds tags, keeping rows.
    """
    width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    if not hidden_width:
        return _per_token(tok2vec, Softmax(nO=n_tags, nI=width), n_tags)
    if width is None:
        raise ValueError("build_tagger_model: a hidden layer needs the tok2vec's output width (nO)")
    hidden = FastMaxout(nO=hidden_width, nI=width, nP=3, normalize=True)
    return _per_token(tok2vec, Softmax(nO=n_tags, nI=hidden_width), n_tags, hidden)


@architectures("nlp.TokenScores.v1")
def build_token_scores_model(tok2vec: Model, n_scores: int | None = None) -> Model[list, list]:
    """tok2vec, then a linear layer per token -> list of (n_tokens, n_scores) unnormalized
    scores (logits), for a component with several softmaxes over groups of its labels (the
    morphologizer's one per feature); it takes d(logits). Resized like the tagger's."""
    width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    return _per_token(tok2vec, Linear(nO=n_scores, nI=width, init_W=zero_init), n_scores)


def _per_token(tok2vec: Model, layer: Model, n_out: int | None, hidden: Model | None = None) -> Model[list, list]:
    """tok2vec, then (after the `hidden` layer, if any) the resizable output `layer` on every
    token vector."""
    output_layer = resizable(layer, resize_layer=resize_linear_weighted)
    head = output_layer if hidden is None else chain(hidden, output_layer)
    model = chain(tok2vec, with_array(head))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    if n_out is not None:
        model.set_dim("nO", n_out, force=True)
    return set_ops(model, tok2vec.ops)
