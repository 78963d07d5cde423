"""Tagger head: a softmax over tags for every token vector."""


from thinc.api import Model, Softmax, chain, with_array
from thinc.layers.resizable import resizable, resize_linear_weighted

from .registry import architectures
from .tok2vec import set_ops


@architectures("nlp.Tagger.v1")
def build_tagger_model(tok2vec: Model, n_tags: int | None = None) -> Model[list, list]:
    """tok2vec, then Softmax per token -> list of (n_tokens, n_tags) probabilities.

    The backward pass takes d(probabilities) as d(logits), i.e. `probs - gold` for
    cross-entropy (see `categorical_loss`). `resize_output(model, n)` adds tags, keeping rows.
    """
    width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    output_layer = resizable(Softmax(nO=n_tags, nI=width), resize_layer=resize_linear_weighted)
    model = chain(tok2vec, with_array(output_layer))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    if n_tags is not None:
        model.set_dim("nO", n_tags, force=True)
    return set_ops(model, tok2vec.ops)
