"""DependencyParser: arc-eager transitions over a precomputed Chen & Manning state model.

Labels are any strings (custom semantics such as ROOT/PLACE/QUALITY or "-" work as well as
Universal Dependencies). Non-projective gold trees are trained projectivized (decorated labels
`dep||headdep`, rare decorations backed off to the plain label) and parses are deprojectivized
when they are written to the Doc. The parser also finds sentence boundaries (its BREAK move).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy
from thinc.api import Optimizer

from nlp_gold.nonproj import decompose, deprojectivize, is_decorated
from nlp_transitions import ArcEager
from nlp_transitions.arc_eager import FEATURE_NAMES

from ..component_registry import register_component
from ._dependencies import DEPENDENCY_SPEC, write_parse
from ._transition_pipe import TrainChunk, TransitionPipe

NO_LABEL = "-"
_S0, _S1, _B0, _B0L1, _B0L2 = (FEATURE_NAMES.index(name) for name in ("S0", "S1", "B0", "B0L1", "B0L2"))


@register_component("parser", max_batch_size=16, **DEPENDENCY_SPEC)
class DependencyParser(TransitionPipe):
    """Predicts heads, dependency labels and sentence starts.

    cfg: root_label ("ROOT"; begin_training takes the commonest label of gold roots),
    repair_label ("dep", given to arcs made by the parser's repair move), decorated_cutoff
    (decorated labels seen fewer times in begin_training's examples are backed off).
    A word whose gold has a head but no label (None, or "-" in the data) is trained towards
    the label "-" when the parser has that label (the seed's intent parser), else its label
    is left free. explore is 0.9 (EWT dev LAS after 8 minutes: 82.20 at 0.9, 81.44 at 1.0;
    after 3 minutes 81.27 and 81.72, 80.88 at 0.0: bench/rehearsal.py --parser-explore).
    """

    default_cfg: dict[str, Any] = {
        **TransitionPipe.default_cfg,
        "explore": 0.9,
        "root_label": "ROOT",
        "repair_label": "dep",
        "decorated_cutoff": 5,
    }

    def make_system(self) -> ArcEager:
        return ArcEager(
            self._labels,
            root_label=self.cfg.get("root_label", "ROOT"),
            repair_label=self.cfg.get("repair_label", "dep"),
        )

    def add_label(self, label: str) -> int:
        """Add a dependency label (any non-empty string); 1 if new. A trained model grows its
        output layer and keeps what it knew."""
        if not isinstance(label, str) or not label:
            raise ValueError(f"{self.name}: a label must be a non-empty string, got {label!r}")
        if label in self._labels:
            return 0
        if self._system is not None:
            self._system.add_label(label)
        return super().add_label(label)

    # ---- labels from examples ------------------------------------------------------------------

    def begin_training(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        sgd: Optimizer | None = None,
        pipeline: Any = None,
    ) -> None:
        """Labels from the examples' projectivized trees (decorated labels seen fewer than
        cfg decorated_cutoff times are backed off), the root label from their roots; then the
        model is built and initialised."""
        sample: list = []
        if get_examples is not None:
            counts: Counter = Counter()
            roots: Counter = Counter()
            for example in get_examples():
                heads, deps = example.get_aligned_parse(projectivize=True)
                for i, (head, dep) in enumerate(zip(heads, deps)):
                    if head is None or dep is None:
                        continue
                    if head == i:
                        roots[dep] += 1
                    else:
                        counts[dep] += 1
                if len(sample) < 16:
                    sample.append(example)
            if roots:
                self.cfg["root_label"] = roots.most_common(1)[0][0]
                self._system = None
            cutoff = int(self.cfg.get("decorated_cutoff", 5))
            root = self.cfg.get("root_label", "ROOT")
            for label, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                if label == root or (is_decorated(label) and count < cutoff):
                    continue
                self.add_label(label)
            for label in counts:
                if is_decorated(label) and counts[label] < cutoff and label != root:
                    self.add_label(decompose(label)[0])
        super().begin_training(lambda: sample, sgd, pipeline)

    def labels_of_example(self, example: Any) -> Iterable[str]:
        """None: `begin_training` reads the labels off the projectivized trees itself, and
        `update` adds a label it meets later (the gold's plain labels are `gold_dep_labels`)."""
        return ()

    def _gold_label(self, label: str | None) -> str | None:
        """The label the parser trains towards for a gold label (None: free), added if new."""
        target, new = self._target_label(label, self._label_set())
        if new:
            self.add_label(target)
        return target

    def _target_label(self, label: str | None, known: set) -> tuple[str | None, bool]:
        """The label the parser trains towards for a gold label, given the labels `known`, and
        whether it is new (a decorated label whose base is known backs off to the base)."""
        if label is None:
            return (NO_LABEL if NO_LABEL in known else None), False
        if label == self.system.root_label or label in known:
            return label, False
        if is_decorated(label):
            label = decompose(label)[0]
            if label in known:
                return label, False
        return label, True

    def new_labels(self, examples: Sequence[Any]) -> list[str]:
        """The labels `update` on `examples` would add (the projectivized gold's, backed off as
        `_gold_label` does), in the order it adds them; none is added here."""
        known = set(self._label_set())
        found = []
        for example in examples:
            heads, deps = example.get_aligned_parse(projectivize=True)
            for head, dep in zip(heads, deps):
                target, new = (None, False) if head is None else self._target_label(dep, known)
                if new:
                    known.add(target)
                    found.append(target)
        return found

    def _label_set(self) -> set:
        if getattr(self, "_label_cache", None) is None or len(self._label_cache) != len(self._labels):
            self._label_cache = set(self._labels)
        return self._label_cache

    # ---- training data -------------------------------------------------------------------------

    def example_spans(self, example: Any) -> list[tuple[int, int]]:
        return self._spans(example, example.get_aligned_parse(projectivize=True)[0])

    def _spans(self, example: Any, heads: Sequence[int | None]) -> list[tuple[int, int]]:
        """The chunks' bounds: none when no head is known, else the sentences packed up to cfg
        max_train_length words (0: the whole doc)."""
        return [] if all(h is None for h in heads) else self.cut_example(example, len(heads))

    def example_chunks(self, index: int, example: Any) -> list[TrainChunk]:
        heads, deps = example.get_aligned_parse(projectivize=True)
        spans = self._spans(example, heads)
        if not spans:
            return []
        labels = [None if h is None else self._gold_label(d) for h, d in zip(heads, deps)]
        out = []
        for start, end in spans:
            c_heads = []
            c_labels = []
            for i in range(start, end):
                h = heads[i]
                if h is None or not start <= h < end:
                    c_heads.append(-1)
                    c_labels.append(None)
                else:
                    c_heads.append(h - start)
                    c_labels.append(labels[i])
            try:
                gold = self.system.make_gold(c_heads, c_labels)
            except ValueError as err:
                raise ValueError(f"{self.name}: example {index} ({getattr(example, 'where', '')}): {err}") from None
            out.append(TrainChunk(index, start, end, gold))
        return out

    # ---- long documents (see _windowed_table) --------------------------------------------------

    def slide_point(self, ids: numpy.ndarray) -> tuple[int, list[int]] | None:
        """With an empty stack the state never reads a word before the first buffer word again
        but that word's two leftmost children (final: only stack words become left children,
        and the word is shifted next)."""
        if ids[_S0] >= 0 or ids[_B0] < 0:
            return None
        return int(ids[_B0]), [int(w) for w in ids[[_B0L1, _B0L2]] if w >= 0]

    def forced_action(self, ids: numpy.ndarray) -> int | None:
        """Close the sentence: REDUCE down to one stack word, then BREAK (the stack empties)."""
        return self.system.action_id("REDUCE" if ids[_S1] >= 0 else "BREAK")

    # ---- annotation ----------------------------------------------------------------------------

    def set_annotations(self, docs: Sequence[Any], states: Any) -> None:
        """Write heads, labels (deprojectivized) and sentence starts onto the docs."""
        strings = self.vocab.strings
        ids: dict[str, int] = {}
        for doc, (heads, labels, starts) in zip(docs, self.system.get_arcs(states)):
            n = len(doc)
            if not n:
                continue
            if any("||" in label for label in set(labels)):
                heads, labels = deprojectivize([int(h) for h in heads], labels)
                heads = numpy.asarray(heads, dtype="int64")
            dep_col = []
            for label in labels:
                key = ids.get(label)
                if key is None:
                    key = ids[label] = strings.add(label) if label else 0
                dep_col.append(key)
            write_parse(doc, heads, dep_col, starts)
