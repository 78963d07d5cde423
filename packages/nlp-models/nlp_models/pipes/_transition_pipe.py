"""What the parser and the entity recognizer share: the batched transition loop.

One batch runs: featurize -> tok2vec -> precompute the lower layer once; then, until every
state is final: the states' feature token ids (`set_features`), one score matrix for all live
states, (training) validity, costs and the loss gradient of that step, the chosen action per
state, and `apply_batch`. At the end one backward pass goes into the lower layer and tok2vec.

Arrays are allocated once per batch; the only Python work per step is a handful of numpy calls
over all states at once (no per-token or per-state Python objects).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy
from thinc.api import Model, Optimizer

from ..ml import build_transition_model, resize_output, transition_loss
from ._windowed_table import MIN_WINDOW, WindowedTable
from .base import TOK2VEC_DEFAULTS, TrainablePipe, check_drop

NEG_INF = numpy.float32(-1e30)


class TrainChunk:
    """One training unit: rows [start, end) of an example's doc with its gold for the system."""

    __slots__ = ("doc_index", "start", "end", "gold", "preset")

    def __init__(self, doc_index: int, start: int, end: int, gold: Any, preset: Any = None):
        self.doc_index = doc_index
        self.start = start
        self.end = end
        self.gold = gold
        self.preset = preset


def sentence_cuts(starts: Sequence[Any], max_length: int) -> list[tuple[int, int]]:
    """Cut [0, n) into pieces of at most `max_length` words at sentence starts (True entries),
    packing whole sentences greedily; a sentence longer than `max_length` stays whole."""
    n = len(starts)
    if max_length <= 0 or n <= max_length:
        return [(0, n)]
    bounds = [i for i in range(1, n) if starts[i]] + [n]
    pieces = []
    begin = 0
    last = 0
    for b in bounds:
        if b - begin > max_length and last > begin:
            pieces.append((begin, last))
            begin = last
        last = b
    pieces.append((begin, n))
    return pieces


class TransitionPipe(TrainablePipe):
    """Base of DependencyParser and EntityRecognizer (a subclass supplies the system and gold).

    cfg (besides the tok2vec's): hidden_width (64), maxout_pieces (2) of the state layer,
    explore (probability that a training state follows the model's own best valid action even
    when it costs something, else the best-scoring zero-cost one; 1.0 is the dynamic oracle's
    full exploration; the parser uses 0.9, see DependencyParser),
    max_train_length (training docs are cut at sentence starts into pieces of about this many
    words; 0: never), seed.
    """

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "explore": 1.0,
        "max_train_length": 100,
    }

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        self._system: Any = None
        super().__init__(vocab, name, **cfg)
        self._rng = numpy.random.default_rng(self.cfg.get("seed", 0))

    # ---- random state (saved by training checkpoints, not by to_disk) ---------------------------

    def get_random_state(self) -> str:
        """The state of the generator that training's exploration draws from, as JSON text (its
        integers are 128-bit): a resumed run continues the same draws."""
        return json.dumps(self._rng.bit_generator.state)

    def set_random_state(self, state: str) -> None:
        """Restore a state from `get_random_state` (a ValueError, naming this component, if it
        is not one)."""
        try:
            self._rng.bit_generator.state = json.loads(state)
        except (TypeError, ValueError, KeyError) as err:
            raise ValueError(f"{self.name}: not a random generator state ({err})") from None

    # ---- subclass hooks ------------------------------------------------------------------------

    def make_system(self) -> Any:
        """A new transition system holding this component's labels."""
        raise NotImplementedError

    def init_states(self, docs: Sequence[Any]) -> Any:
        """Initial StateBatch for docs (presets and sentence starts the docs carry)."""
        return self.system.init_batch([len(doc) for doc in docs])

    def example_chunks(self, index: int, example: Any) -> list[TrainChunk]:
        """The training chunks (with gold) of one example."""
        raise NotImplementedError

    def init_chunk_states(self, chunks: Sequence[TrainChunk]) -> Any:
        return self.system.init_batch([c.end - c.start for c in chunks])

    # ---- system and model ----------------------------------------------------------------------

    @property
    def system(self) -> Any:
        """The transition system (built on first use, kept in step with the labels)."""
        if self._system is None:
            self._system = self.make_system()
        return self._system

    @property
    def n_actions(self) -> int:
        return self.system.n_actions

    @property
    def move_names(self) -> list[str]:
        """The names of the actions, in the order of the model's outputs ("O", "B-ORG", "I-ORG",
        ... for the entity recognizer): v2's `move_names`, e.g. to check a label was added."""
        return self.system.action_names

    def _check_labels(self) -> None:
        """No labels yet is fine: the first `update` adds the labels its examples carry."""

    def build_model(self) -> Model:
        cfg = self.cfg
        return build_transition_model(
            self.build_tok2vec(),
            self.system.n_features,
            hidden_width=cfg.get("hidden_width", 64),
            pieces=cfg.get("maxout_pieces", 2),
            n_actions=self.system.n_actions,
        )

    def resize_model(self, n_labels: int) -> None:
        """Grow the output layer to the system's action count (old actions keep their rows)."""
        assert self.model is not None
        n = self.system.n_actions
        if self.model.get_ref("output_layer").get_dim("nO") != n:
            resize_output(self.model, n)

    def labels_from_msg(self, msg: Any) -> None:
        super().labels_from_msg(msg)
        self._system = None

    # ---- inference -----------------------------------------------------------------------------

    def predict(self, docs: Sequence[Any]) -> Any:
        """Run the transition loop over `docs` with the model's best valid action; returns the
        final StateBatch (read by `set_annotations`)."""
        docs = list(docs)
        states = self.init_states(docs)
        if not docs or not sum(len(d) for d in docs):
            return states
        model = self.require_model()
        step = model.predict(self.model_input(docs))
        self._run(step, states, [len(d) for d in docs])
        return states

    def _run(
        self,
        step: Any,
        states: Any,
        lengths: Sequence[int],
        on_step: Callable[[Any, Any, Any], Any] | None = None,
    ) -> None:
        """Advance `states` to the end. Without `on_step` each live state takes its best valid
        action; with it, `on_step(live, ids, valid)` (indices of the live states, their global
        feature token ids, their validity mask) scores them and returns their actions."""
        system = self.system
        n = len(lengths)
        n_act = system.n_actions
        offsets = numpy.zeros(n, dtype="int32")
        if n > 1:
            numpy.cumsum(numpy.asarray(lengths[:-1], dtype="int32"), out=offsets[1:])
        ids = numpy.empty((n, system.n_features), dtype="int32")
        valid = numpy.zeros((n, n_act), dtype=bool)
        actions = numpy.zeros(n, dtype="int32")
        max_steps = 4 * (max(lengths) if n else 0) + 8
        for _ in range(max_steps):
            system.set_valid(states, valid)
            live = numpy.flatnonzero(valid.any(axis=1))
            if not live.size:
                return
            system.set_features(states, ids)
            live_ids = ids[live]
            numpy.add(live_ids, offsets[live, None], out=live_ids, where=live_ids >= 0)
            live_valid = valid[live]
            if on_step is None:
                chosen = self._best_actions(step, live_ids, live_valid)
            else:
                chosen = on_step(live, live_ids, live_valid)
            actions[live] = chosen
            system.apply_batch(states, actions)
        raise RuntimeError(f"{self.name}: transition loop did not finish in {max_steps} steps")

    def _best_actions(self, step: Any, ids: Any, valid: Any) -> numpy.ndarray:
        """The best-scoring valid action of each state."""
        return numpy.where(valid, self._to_numpy(step.predict_scores(ids)), NEG_INF).argmax(axis=1)

    @staticmethod
    def _to_numpy(array: Any) -> numpy.ndarray:
        return array if isinstance(array, numpy.ndarray) else array.get()

    # ---- long documents ------------------------------------------------------------------------

    def annotate_long(self, doc: Any) -> None:
        """Annotate a doc of more than `chunk_tokens` words as one state, as `predict` would,
        with the table of the model's lower layer over a moving window of its words (see
        _windowed_table): memory is that of one window, whatever the length of the doc."""
        states = self.init_states([doc])
        table = WindowedTable(self, doc, max(self.chunk_tokens, MIN_WINDOW))
        self._run(None, states, [len(doc)], table.choose)
        self.set_annotations([doc], states)

    def slide_point(self, ids: numpy.ndarray) -> tuple[int, list[int]] | None:
        """For a state whose features read the words `ids` (-1: none): (lo, pinned) if from
        now on the state reads no word before lo but those in `pinned`, else None."""
        return None

    def forced_action(self, ids: numpy.ndarray) -> int | None:
        """An action that leads a state with features `ids` towards a slide point, taken when
        none came for half a window (None: wait for one; see _windowed_table)."""
        return None

    # ---- training ------------------------------------------------------------------------------

    def _training_units(self, examples: Sequence[Any]) -> tuple[list[TrainChunk], list]:
        """Chunks with gold, and the feature arrays of those chunks."""
        examples = list(examples)
        chunks: list[TrainChunk] = []
        for i, example in enumerate(examples):
            chunks.extend(self.example_chunks(i, example))
        feats = self.model_input([eg.predicted for eg in examples])
        chunk_feats = [feats[c.doc_index][c.start : c.end] for c in chunks]
        return chunks, chunk_feats

    def update(
        self,
        examples: Sequence[Any],
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """One gradient step: every state follows its chosen action and learns, at each step,
        to score the zero-cost valid actions above the others (softmax over valid actions)."""
        check_drop(drop, f"{self.name}.update")
        losses = self._losses(losses)
        examples = list(examples)
        if not examples:
            return losses
        chunks, feats = self._training_units(examples)
        chunks_feats = [(c, f) for c, f in zip(chunks, feats) if c.end > c.start]
        if not chunks_feats:
            return losses
        chunks = [c for c, _ in chunks_feats]
        feats = [f for _, f in chunks_feats]
        model = self._learning_model(drop)
        step, finish = model.begin_update(feats)
        states = self.init_chunk_states(chunks)
        golds = [c.gold for c in chunks]
        system = self.system
        n = len(chunks)
        n_act = system.n_actions
        costs = numpy.empty((n, n_act), dtype="float32")
        explore = float(self.cfg.get("explore", 1.0))
        scale = 1.0 / n
        total = [0.0]

        def learn(live: Any, ids: Any, valid: Any) -> Any:
            scores, backprop = step.begin_step(ids)
            scores = self._to_numpy(scores)
            system.set_costs(states, golds, costs)
            live_costs = costs[live]
            d_scores, loss = transition_loss(scores, valid, live_costs)
            total[0] += loss
            backprop(model.ops.asarray2f(d_scores * scale))
            masked = numpy.where(valid, scores, NEG_INF)
            best = masked.argmax(axis=1)
            if explore >= 1.0:
                return best
            best_cost = numpy.where(valid, live_costs, numpy.inf).min(axis=1, keepdims=True)
            gold_best = numpy.where(valid & (live_costs <= best_cost), scores, NEG_INF).argmax(axis=1)
            if explore <= 0.0:
                return gold_best
            follow = self._rng.random(len(best)) < explore
            return numpy.where(follow, best, gold_best)

        self._run(step, states, [len(f) for f in feats], learn)
        # The loss is a mean over chunks; a shared tok2vec gets the gradient of the sum (as a
        # tagger's is), so the parser's share of the shared vectors is not scaled down by n.
        self._listener_link.grad_factor = float(n)
        try:
            finish()
        finally:
            self._listener_link.grad_factor = 1.0
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += total[0]
        return losses

    def rehearse(
        self,
        examples: Sequence[Any],
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """Pseudo-rehearsal: on the docs (no gold needed), move this model's scores of the
        actions the frozen copy (`_rehearsal_model`) knows towards the copy's scores, in the
        states this model reaches. Actions added since the copy was made are left free."""
        check_drop(drop, f"{self.name}.rehearse")
        losses = self._losses(losses)
        if self._rehearsal_model is None:
            return losses
        self._refuse_shared_rehearsal()
        docs = [getattr(eg, "predicted", eg) for eg in examples]
        docs = [d for d in docs if len(d)]
        if not docs:
            return losses
        model = self._learning_model(drop)
        X = self.model_input(docs)
        tutor = self._rehearsal_model.predict(X)
        step, finish = model.begin_update(X)
        states = self.init_states(docs)
        scale = 1.0 / len(docs)
        total = [0.0]

        def mimic(live: Any, ids: Any, valid: Any) -> Any:
            scores, backprop = step.begin_step(ids)
            scores = self._to_numpy(scores)
            target = self._to_numpy(tutor.predict_scores(ids))
            n_old = target.shape[1]
            d_scores = numpy.zeros_like(scores)
            diff = numpy.where(valid[:, :n_old], scores[:, :n_old] - target, 0.0)
            d_scores[:, :n_old] = diff
            total[0] += float((diff**2).sum())
            backprop(model.ops.asarray2f(d_scores * scale))
            return numpy.where(valid, scores, NEG_INF).argmax(axis=1)

        self._run(step, states, [len(d) for d in docs], mimic)
        finish()
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += total[0]
        return losses

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """(loss, d_scores) of per-step score matrices along the oracle's path.

        `scores` is a list with one (n_chunks, n_actions) array per step, as produced by
        `oracle_scores(examples)`; rows of chunks already finished at that step are ignored.
        """
        chunks, _ = self._training_units(examples)
        states = self.init_chunk_states(chunks)
        golds = [c.gold for c in chunks]
        system = self.system
        n = len(chunks)
        valid = numpy.zeros((n, system.n_actions), dtype="int8")
        costs = numpy.empty((n, system.n_actions), dtype="float32")
        total = 0.0
        grads = []
        for step_scores in scores:
            step_scores = self._to_numpy(step_scores)
            system.set_valid(states, valid)
            system.set_costs(states, golds, costs)
            d, loss = transition_loss(step_scores, valid, costs)
            grads.append(d)
            total += loss
            actions = numpy.where(valid.astype(bool) & (costs <= 0), step_scores, NEG_INF).argmax(axis=1)
            system.apply_batch(states, actions)
        return total, grads

    def oracle_scores(self, examples: Sequence[Any]) -> list:
        """The model's score matrix at each step while following the best-scoring zero-cost
        action (the path `get_loss` replays)."""
        chunks, feats = self._training_units(examples)
        model = self.require_model()
        step = model.predict(feats)
        states = self.init_chunk_states(chunks)
        golds = [c.gold for c in chunks]
        system = self.system
        n = len(chunks)
        offsets = numpy.concatenate([[0], numpy.cumsum([len(f) for f in feats])[:-1]]).astype("int32")
        ids = numpy.empty((n, system.n_features), dtype="int32")
        valid = numpy.zeros((n, system.n_actions), dtype="int8")
        costs = numpy.empty((n, system.n_actions), dtype="float32")
        out = []
        while True:
            system.set_valid(states, valid)
            if not valid.any():
                return out
            system.set_features(states, ids)
            gids = numpy.where(ids >= 0, ids + offsets[:, None], -1).astype("int32")
            scores = self._to_numpy(step.predict_scores(gids))
            system.set_costs(states, golds, costs)
            out.append(scores)
            actions = numpy.where(valid.astype(bool) & (costs <= 0), scores, NEG_INF).argmax(axis=1)
            system.apply_batch(states, actions)

    # ---- labels from examples ------------------------------------------------------------------

    def begin_training(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        sgd: Optimizer | None = None,
        pipeline: Any = None,
    ) -> None:
        """Infer labels from the examples, then build and initialise the model."""
        self._system = None
        super().begin_training(get_examples, sgd, pipeline)
