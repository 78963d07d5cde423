"""What the parser and the entity recognizer share: the batched transition loop.

One batch runs: featurize -> tok2vec -> precompute the lower layer once; then, until every
state is final: the states' feature token ids (`set_features`), one score matrix for all live
states, (training) validity, costs and the loss gradient of that step, the chosen action per
state, and `apply_batch`. At the end one backward pass goes into the lower layer and tok2vec.

That loop is `_transition_loop.run_transitions`, the only one: predict, update, rehearse,
oracle_scores, get_loss and long docs differ only in the chooser they give it.
Arrays are allocated once per batch; the only Python work per step is a handful of numpy calls
over all states at once (no per-token or per-state Python objects).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy
from thinc.api import Model, Optimizer

from ..ml import build_transition_model, resize_output
from ._beam import BeamLearner, beam_decode
from ._transition_loop import (
    Chooser,
    GoldCosts,
    Greedy,
    Learner,
    Mimic,
    OracleRecorder,
    OracleReplay,
    run_transitions,
)
from ._windowed_table import MIN_WINDOW, WindowedTable
from .base import TOK2VEC_DEFAULTS, TrainablePipe, check_drop


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
    words; 0: never), seed, beam_width (1: greedy; above 1, `predict` keeps that many
    histories per doc, see _beam; a doc longer than chunk_tokens is still parsed greedily),
    beam_update (False: `update` trains greedily, as above, whatever beam_width; True: it
    trains beam_width histories per doc with the global beam loss instead).
    """

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "explore": 1.0,
        "max_train_length": 100,
        "seed": 0,
        "beam_width": 1,
        "beam_update": False,
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

    def example_spans(self, example: Any) -> list[tuple[int, int]]:
        """The (start, end) of each training chunk of one example, as `example_chunks` cuts
        them, without building their gold or adding a label (none: no gold to learn)."""
        raise NotImplementedError

    def cut_example(self, example: Any, n: int) -> list[tuple[int, int]]:
        """An example's n words cut at its gold sentence starts into pieces of at most cfg
        max_train_length words (0: one piece)."""
        max_len = int(self.cfg.get("max_train_length", 0))
        if max_len <= 0 or n <= max_len:
            return [(0, n)]
        return sentence_cuts([bool(s) for s in example.get_aligned_sent_starts()], max_len)

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
        lengths = [len(d) for d in docs]
        if self.beam_width > 1:
            return beam_decode(self.system, states, lengths, step.predict_scores, self.beam_width, self.name)
        self._run(step, states, lengths)
        return states

    @property
    def beam_width(self) -> int:
        """Histories kept per doc by `predict` and `update` (cfg beam_width; 1: greedy)."""
        width = int(self.cfg.get("beam_width", 1))
        if width < 1:
            raise ValueError(f"{self.name}: beam_width must be >= 1, got {width}")
        return width

    def _run(self, step: Any, states: Any, lengths: Sequence[int], on_step: Chooser | None = None) -> None:
        """Advance `states` to the end (`run_transitions`): each live state takes the action
        `on_step(live, ids, valid)` returns, by default its best valid one under `step`."""
        run_transitions(self.system, states, lengths, on_step or Greedy(step), self.name)

    def _best_actions(self, step: Any, ids: Any, valid: Any) -> numpy.ndarray:
        """The best-scoring valid action of each state."""
        return Greedy(step)(None, ids, valid)

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
        n = self.batch_count(len(chunks))
        lengths = [len(f) for f in feats]
        if self.cfg.get("beam_update") and self.beam_width > 1:
            learner: Any = BeamLearner(self.system, states, [c.gold for c in chunks], lengths, step, self.beam_width, 1.0 / n)
            learner.run()
            learner.finish()
        else:
            costs = GoldCosts(self.system, states, [c.gold for c in chunks])
            learner = Learner(step, model.ops, costs, float(self.cfg.get("explore", 1.0)), self._rng, 1.0 / n)
            self._run(step, states, lengths, learner)
        # The loss is a mean over chunks; a shared tok2vec gets the gradient of the sum (as a
        # tagger's is), so the parser's share of the shared vectors is not scaled down by n.
        self._listener_link.grad_factor = float(n)
        try:
            finish()
        finally:
            self._listener_link.grad_factor = 1.0
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += learner.loss
        return losses

    def loss_normalizer(self, examples: Sequence[Any]) -> float:
        """The chunks (sentences, or pieces of long docs) `update` trains on: its loss is their
        mean. Counted from the chunks' bounds alone (no gold built, no label added), so it adds
        up over the shards of a batch."""
        return float(sum(1 for example in examples
                         for start, end in self.example_spans(example) if end > start))

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
        mimic = Mimic(step, tutor, model.ops, 1.0 / len(docs))
        self._run(step, states, [len(d) for d in docs], mimic)
        finish()
        if sgd is not None:
            model.finish_update(sgd)
        losses[self.name] += mimic.loss
        return losses

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """(loss, d_scores) of per-step score matrices along the oracle's path.

        `scores` is a list with one (n_chunks, n_actions) array per step, as produced by
        `oracle_scores(examples)`; rows of chunks already finished at that step are ignored,
        and steps after every chunk finished get zero gradients. A ValueError if the path
        needs more steps than `scores` has.
        """
        chunks, _ = self._training_units(examples)
        states = self.init_chunk_states(chunks)
        replay = OracleReplay(scores, GoldCosts(self.system, states, [c.gold for c in chunks]), self.name)
        self._run(None, states, [c.end - c.start for c in chunks], replay)
        return replay.finish()

    def oracle_scores(self, examples: Sequence[Any]) -> list:
        """The model's (n_chunks, n_actions) score matrix at each step while following the
        best-scoring lowest-cost action (the path `get_loss` replays; rows of chunks already
        finished are 0)."""
        chunks, feats = self._training_units(examples)
        step = self.require_model().predict(feats)
        states = self.init_chunk_states(chunks)
        recorder = OracleRecorder(step, GoldCosts(self.system, states, [c.gold for c in chunks]))
        self._run(step, states, [len(f) for f in feats], recorder)
        return recorder.scores

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
