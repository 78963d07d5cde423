"""Tok2Vec: one token-to-vector CNN that several downstream components share.

At inference it computes the vectors of a batch once and stores them on each Doc
(`doc.tensor`, float32 (n_tokens, width)); its listeners (components built with cfg
`tok2vec` = this component's name) read them from there. In training, `update` runs the
forward pass and keeps it as a `SharedBatch`: each listener's update takes its rows and sends
its gradient back, and once all linked listeners have, the backward pass and the optimizer step
run once on the sum. Listeners that did not send one (e.g. a parser whose batch had no trees)
are not waited for past `flush_update()`, which `Language.update` calls after every component;
the next `update` flushes too, so no gradient is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from thinc.api import Model, Optimizer

from ..component_registry import register_component
from ..ml import SharedBatch
from ._chunks import windows
from .base import TOK2VEC_DEFAULTS, TrainablePipe, check_drop, has_tokens


@register_component("tok2vec", annotation=None, label_kind="labels", can_listen=False)
class Tok2Vec(TrainablePipe):
    """The shared hashed-embedding tok2vec (cfg: width, depth, window, pieces, embed_rows,
    dropout, pretrained_vectors, vectors_attr, attrs, chars, char_len, char_dim, char_edges,
    char_window, encoder, as the other components' own tok2vec). It has no labels."""

    default_cfg: dict[str, Any] = dict(TOK2VEC_DEFAULTS)

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        if cfg.get("tok2vec"):
            raise ValueError(f"tok2vec component '{name or self.factory}' cannot itself listen to '{cfg['tok2vec']}'")
        super().__init__(vocab, name, **cfg)
        self._listeners: list[Any] = []
        self._batch: SharedBatch | None = None

    # ---- listeners -----------------------------------------------------------------------------

    @property
    def listeners(self) -> tuple[Any, ...]:
        """The linked components that read this one's vectors (in pipeline order)."""
        return tuple(self._listeners)

    def add_listener(self, component: Any) -> None:
        """Link `component` (whose cfg tok2vec names this one) as a listener."""
        if component.listens_to != self.name:
            raise ValueError(
                f"Component '{component.name}' listens to {component.listens_to!r}, not to '{self.name}'"
            )
        if not any(other is component for other in self._listeners):
            component.set_upstream(self)
            self._listeners.append(component)

    def remove_listener(self, component: Any) -> None:
        self._listeners = [other for other in self._listeners if other is not component]
        if component.upstream is self:
            component.set_upstream(None)

    def clear_listeners(self) -> None:
        for component in list(self._listeners):
            self.remove_listener(component)

    def shared_batch(self) -> SharedBatch | None:
        """The training batch of the last `update` (listeners take their rows from it)."""
        return self._batch

    # ---- model and inference -------------------------------------------------------------------

    def _check_labels(self) -> None:
        """A tok2vec has no labels."""

    def build_model(self) -> Model:
        return self.build_tok2vec()

    def predict(self, docs: Sequence[Any]) -> list:
        """Each doc's (n_tokens, width) token vectors (a batch with no tokens skips the model)."""
        model = self.require_model()
        if not sum(len(doc) for doc in docs):
            width = model.get_dim("nO")
            return [model.ops.alloc2f(len(doc), width) for doc in docs]
        return model.predict(self.model_input(docs))

    def set_annotations(self, docs: Sequence[Any], vectors: Any) -> None:
        """Store each doc's token vectors as `doc.tensor` (float32 (n_tokens, width))."""
        for doc, array in zip(docs, vectors):
            doc.tensor = array

    def annotate_long(self, doc: Any) -> None:
        """Fill a long doc's `doc.tensor` window by window (the same vectors as for the whole
        doc at once: see _chunks), so only one window's activations are held at a time (a
        BiLSTM encoder's long doc does not come here: `annotate` runs it whole)."""
        model = self.require_model()
        source = self.row_source(doc)
        tensor = model.ops.alloc2f(len(doc), model.get_dim("nO"), zeros=False)
        for start, end in windows(len(doc), self.chunk_tokens):
            tensor[start:end] = self.predict_rows(model, doc, source, start, end)
        doc.tensor = tensor

    # ---- training ------------------------------------------------------------------------------

    def update(
        self,
        examples: Sequence[Any],
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """Run the forward pass on the examples' predicted docs and hand it to the listeners;
        the backward pass and the step on `sgd` run when they have all sent their gradients.
        The loss entry is the sum of squares of the gradient received."""
        check_drop(drop, f"{self.name}.update")
        losses = self._losses(losses)
        self.flush_update()
        examples = list(examples)
        if not has_tokens(eg.predicted for eg in examples) or not self._listeners:
            return losses  # no tokens, or nobody to send a gradient: nothing to learn
        docs = [eg.predicted for eg in examples]
        model = self._learning_model(drop)
        outputs, backprop = model.begin_update(self.model_input(docs))
        name = self.name

        def on_done(d_outputs: list) -> None:
            backprop(d_outputs)
            if sgd is not None:
                model.finish_update(sgd)
            losses[name] = losses.get(name, 0.0) + float(sum(float((d**2).sum()) for d in d_outputs))

        expected = {component.listener_link.key for component in self._listeners}
        self._batch = SharedBatch(name, docs, outputs, on_done, expected, model.ops)
        return losses

    def flush_update(self) -> bool:
        """Apply the last batch's update now with the gradients received so far (listeners
        that skipped the batch are not waited for). True if an update was applied."""
        batch, self._batch = self._batch, None
        return batch.finish() if batch is not None else False

    def _refuse_shared_rehearsal(self) -> None:
        """Rehearsal is not supported while components listen (it would need a shared batch)."""
        if self._listeners:
            names = ", ".join(f"'{c.name}'" for c in self._listeners)
            raise ValueError(
                f"Component '{self.name}' is a shared tok2vec (listeners: {names}): rehearse() does not "
                "support shared tok2vec components"
            )
        super()._refuse_shared_rehearsal()
