"""Bounded memory at inference: token-bounded groups of docs, and windows over a long doc.

A model call holds activations for every token it reads (a 1,000,000-character text through
tagger+parser+ner peaked at 4.1 GB). Components therefore read at most `CHUNK_TOKENS` tokens
per call: a batch is split into groups of docs that fit, and a doc longer than that is
annotated window by window (`TrainablePipe.annotate_long`).

A window's token vectors equal those of the whole doc: the CNN tok2vec sees `context_width`
tokens on each side, so each window is computed with that many extra tokens of context on
either side, which are then dropped. A model whose tokens see their whole doc (a BiLSTM
encoder) has no such width (`context_width` is None): windows cannot give its output, so a
component with one annotates a long doc in one call (`TrainablePipe.annotate`); its memory
then grows with the doc.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from thinc.api import Model

from ..ml.bilstm import WHOLE_DOC

#: Most tokens one inference call of a component reads (a window of the parser's lower layer
#: costs about 20 kB a token with the default widths: ~80 MB).
CHUNK_TOKENS = 4096

RowSource = Callable[[int, int], Any]


def token_groups(docs: Iterable[Any], limit: int) -> Iterator[list]:
    """Consecutive groups of docs with at most `limit` tokens in all; a doc longer than
    `limit` comes alone (its component annotates it window by window)."""
    if limit < 1:
        raise ValueError(f"chunk_tokens must be >= 1, got {limit}")
    group: list = []
    size = 0
    for doc in docs:
        if group and size + len(doc) > limit:
            yield group
            group, size = [], 0
        group.append(doc)
        size += len(doc)
    if group:
        yield group


def windows(n: int, size: int) -> Iterator[tuple[int, int]]:
    """[start, end) windows of `size` tokens covering n tokens."""
    for start in range(0, n, size):
        yield start, min(n, start + size)


def context_width(model: Model) -> int | None:
    """How many tokens on each side of a token its output may depend on: the sum of the
    window sizes of the model's convolutions (0 for a model that reads one token at a time,
    or the token vectors a shared tok2vec stored on the doc); None when a layer reads the
    whole doc (a BiLSTM: attrs `whole_doc_context`)."""
    nodes = list(model.walk())
    if any(node.attrs.get(WHOLE_DOC) for node in nodes):
        return None
    return sum(int(node.attrs.get("window_size", 0)) for node in nodes if node.name == "expand_window")


def predict_rows(model: Model, source: RowSource, n: int, start: int, end: int, margin: int | None) -> Any:
    """The model's per-token output for tokens [start, end) of an n-token doc, equal to that
    of the whole doc: it reads `margin` (>= context_width) more tokens on each side, from
    `source(lo, hi)` (the model's input for tokens lo..hi), and drops their rows (margin
    None: the whole doc, for a model whose tokens see all of it)."""
    margin = n if margin is None else margin
    lo, hi = max(0, start - margin), min(n, end + margin)
    out = model.predict([source(lo, hi)])[0]
    return out[start - lo : end - lo]


def row_source(whole: Any, doc: Any) -> RowSource:
    """`source(lo, hi)` for `predict_rows`: rows of `whole`, a model input for all of `doc`
    (a feature array), or the span doc[lo:hi] when the model reads the doc itself."""
    if whole is doc:
        return lambda lo, hi: doc[lo:hi]
    return lambda lo, hi: whole[lo:hi]
