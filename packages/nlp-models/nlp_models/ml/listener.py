"""A tok2vec shared by several components: the upstream's batch and the listeners' layer.

The upstream (the `Tok2Vec` pipeline component) runs its CNN once per training batch and keeps
the outputs in a `SharedBatch`. Each downstream model holds a `tok2vec_listener` layer in place of
its own CNN: in training it takes the rows of the batch's outputs that belong to its inputs and
adds its gradient into the batch's accumulator; once every expected listener has sent its
gradient, the batch runs the upstream's backward pass (and optimizer step) once, on the sum.
At inference the listener reads the vectors the upstream stored on each Doc (`doc.tensor`).

A listener's inputs are Docs or Spans of Docs (a Span gets the rows start:end of its Doc, so a
parser's training chunks get the slice of their doc's vectors, and their gradients go back to
those rows). Docs are matched to the upstream's batch by identity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from thinc.api import Model

from .ops import model_ops


class ListenerLink:
    """Where a component's listener layer finds its upstream (set when the pipeline links them).

    `owner` is the listening component (its `name` and `listens_to` name both sides in
    error messages); `upstream` the Tok2Vec component, or None while it is not linked.
    `grad_factor` multiplies the gradient the listener sends back: a component whose loss is a
    mean over its batch sets it to the batch size while it backpropagates, so every listener
    sends the gradient of a summed loss and none is drowned out in the upstream's sum.
    """

    def __init__(self, owner: Any) -> None:
        self.owner = owner
        self.upstream: Any = None
        self.grad_factor = 1.0

    @property
    def key(self) -> int:
        """What a `SharedBatch` knows this listener by (its `expected` and `accumulate` keys)."""
        return id(self)

    @property
    def owner_name(self) -> str:
        return str(self.owner.name)

    @property
    def upstream_name(self) -> str:
        return str(self.owner.listens_to or "?")

    def require_upstream(self) -> Any:
        if self.upstream is None:
            raise ValueError(
                f"Component '{self.owner_name}' reads its token vectors from the tok2vec component "
                f"'{self.upstream_name}', which is not in its pipeline: add a 'tok2vec' component named "
                f"'{self.upstream_name}' before '{self.owner_name}' (or build '{self.owner_name}' without "
                "cfg tok2vec)"
            )
        return self.upstream


def _doc_rows(item: Any) -> tuple[Any, int, int]:
    """(doc, start, end) of a Doc (all its rows) or a Span (its rows of its Doc)."""
    doc = getattr(item, "doc", None)
    if doc is None:
        return item, 0, len(item)
    return doc, int(item.start), int(item.end)


class SharedBatch:
    """The upstream's outputs for one training batch and the gradient its listeners send back.

    `expected` holds the keys of the listeners that will send a gradient; when the last one
    has, `backprop` runs once on the summed gradient (`on_done(d_outputs)` does the upstream's
    backward pass and optimizer step). `finish()` runs it early with what has arrived.
    """

    def __init__(
        self,
        name: str,
        docs: Sequence[Any],
        outputs: list,
        on_done: Callable[[list], None],
        expected: set,
        ops: Any,
    ) -> None:
        self.name = name
        self.docs = list(docs)  # keeps the docs alive, so their ids stay theirs
        self.index = {id(doc): i for i, doc in enumerate(self.docs)}
        self.outputs = outputs
        self.ops = ops
        self.d_outputs: list | None = None
        self.waiting = set(expected)
        self.done = False
        self._on_done = on_done

    def rows(self, items: Sequence[Any], who: str) -> list[tuple[int, int, int]]:
        """(batch doc index, start, end) of each input; a clear error for docs not in the batch."""
        if self.done:
            raise ValueError(
                f"Component '{who}' asked '{self.name}' for the token vectors of a batch whose update "
                f"'{self.name}' has already applied: call '{self.name}'.update() on the batch again first"
            )
        out = []
        for j, item in enumerate(items):
            doc, start, end = _doc_rows(item)
            i = self.index.get(id(doc))
            if i is None:
                raise ValueError(
                    f"Component '{who}' listens to '{self.name}', but its input {j} is not one of the "
                    f"{len(self.docs)} docs '{self.name}' saw in its last update: update '{self.name}' "
                    f"on the same examples first (nlp.update does, in pipeline order)"
                )
            if not 0 <= start <= end <= len(self.outputs[i]):
                raise ValueError(f"Component '{who}': input {j} reads rows {start}:{end} of a {len(self.outputs[i])}-token doc")
            out.append((i, start, end))
        return out

    def accumulate(self, key: Any, rows: Sequence[tuple[int, int, int]], d_items: Sequence[Any], who: str) -> None:
        """Add a listener's gradient for `rows`; run the backward pass once all have sent theirs."""
        if self.done:
            raise ValueError(f"Component '{who}' sent a gradient to '{self.name}' after its update was applied")
        if len(d_items) != len(rows):
            raise ValueError(f"Component '{who}': {len(d_items)} gradients for {len(rows)} inputs")
        if self.d_outputs is None:
            self.d_outputs = [self.ops.alloc2f(*out.shape) for out in self.outputs]
        for (i, start, end), d in zip(rows, d_items):
            if len(d):
                self.d_outputs[i][start:end] += self.ops.asarray2f(d)
        self.waiting.discard(key)
        if not self.waiting:
            self.finish()

    def finish(self) -> bool:
        """Apply the update now with the gradient received so far; False if none came or
        it was applied already."""
        if self.done:
            return False
        self.done = True
        d_outputs, self.d_outputs = self.d_outputs, None
        on_done, self._on_done = self._on_done, None
        self.outputs = []
        if d_outputs is None:
            return False
        on_done(d_outputs)
        return True


def build_tok2vec_listener(link: ListenerLink, width: int) -> Model[list, list]:
    """A layer that stands for the upstream's tok2vec: Docs/Spans in, (n, width) vectors out."""
    if width < 1:
        raise ValueError(f"tok2vec listener: width must be >= 1, got {width}")

    def forward(model: Model, items: list, is_train: bool) -> tuple[list, Callable]:
        # The link lives in this closure, not in attrs: attrs are serialized, links are not.
        if is_train:
            return _from_batch(model, link, items)
        return _from_docs(model, link, items), lambda d: items

    model = Model("tok2vec_listener", forward, dims={"nO": width})
    model.ops = model_ops()
    return model


def _from_batch(model: Model, link: ListenerLink, items: list) -> tuple[list, Callable]:
    upstream = link.require_upstream()
    who = link.owner_name
    batch = upstream.shared_batch()
    if batch is None:
        raise ValueError(
            f"Component '{who}' listens to '{upstream.name}' and is training, but '{upstream.name}' has "
            f"no training batch: call '{upstream.name}'.update() on the same examples first (nlp.update "
            "does, in pipeline order)"
        )
    rows = batch.rows(items, who)
    width = model.get_dim("nO")
    outputs = [batch.outputs[i][start:end] for i, start, end in rows]
    for out in outputs:
        if out.shape[1] != width:
            raise ValueError(f"Component '{who}' expects vectors of width {width}, '{upstream.name}' gives {out.shape[1]}")

    def backprop(d_outputs: list) -> list:
        factor = link.grad_factor
        if factor != 1.0:
            d_outputs = [d * factor for d in d_outputs]
        batch.accumulate(link.key, rows, d_outputs, who)
        return items

    return outputs, backprop


def _from_docs(model: Model, link: ListenerLink, items: list) -> list:
    width = model.get_dim("nO")
    ops = model.ops
    out = []
    for j, item in enumerate(items):
        doc, start, end = _doc_rows(item)
        tensor = getattr(doc, "tensor", None)
        if tensor is None or getattr(tensor, "ndim", 0) != 2 or tensor.shape[0] != len(doc):
            raise ValueError(
                f"Component '{link.owner_name}' reads the token vectors that '{link.upstream_name}' stores "
                f"on each doc, but doc {j} has none: run '{link.upstream_name}' first (is it disabled, "
                "or was the doc made after it ran?)"
            )
        if tensor.shape[1] != width:
            raise ValueError(
                f"Component '{link.owner_name}' expects token vectors of width {width}, doc {j} holds "
                f"width {tensor.shape[1]} (from '{link.upstream_name}')"
            )
        out.append(ops.asarray2f(tensor[start:end]))
    return out
