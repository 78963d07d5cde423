"""EntityRecognizer: BILUO transitions over a precomputed Chen & Manning state model.

Entities already on a Doc (set by a rule-based component, or by hand) are kept: words inside
them are forced to reproduce them, words marked outside stay outside, and entities whose type
the recognizer does not know are kept as they are and predicted around. Gold words whose
annotation is missing ("-", None) cost nothing, so partially annotated data trains correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy

from nlp_gold.biluo import tag_entity
from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight
from nlp_transitions import BiluoPushDown
from nlp_transitions.ner import FEATURE_NAMES

from ..component_registry import register_component
from ._transition_pipe import TrainChunk, TransitionPipe

MISSING = "-"
_B0, _E0 = FEATURE_NAMES.index("B0"), FEATURE_NAMES.index("E0")


def _unknown_types(tags: Sequence[str], known: set) -> list[str]:
    """The entity types of BILUO `tags` not in `known`, in order (each added to `known`)."""
    found = []
    for tag in tags:
        if tag not in ("O", MISSING) and tag[2:] not in known:
            known.add(tag[2:])
            found.append(tag[2:])
    return found


def gold_entity_labels(example: Any) -> list[str]:
    """The label of each entity of an Example's gold."""
    return [tag[2:] for tag in example.gold["entities"] if tag and tag[:2] in ("B-", "U-")]


#: What every entity recognizer registers (`ner`, `crf_ner`): its annotation and labels, scores,
#: table columns, report charts and `nlp evaluate` rows.
ENTITY_SPEC: dict[str, Any] = dict(
    annotation="entities", label_kind="entity labels", gold_labels=gold_entity_labels,
    loss_header="NER Loss", rare_label_count=20,
    columns=(ScoreColumn("NER P", ("ents_p",)), ScoreColumn("NER R", ("ents_r",)),
             ScoreColumn("NER F", ("ents_f",))),
    score_weights=(ScoreWeight(("ents_f",)),), token_level=True,
    curves=(ScoreCurve("Entity recognizer", (("ents_p", "NER P"), ("ents_r", "NER R"), ("ents_f", "NER F"))),),
    tables=("ents_per_type",),
    evaluate_rows=(("ents_p", "NER P"), ("ents_r", "NER R"), ("ents_f", "NER F"),
                   ("ents_excluded", "NER excluded")),
)


@register_component("ner", max_batch_size=16, **ENTITY_SPEC)
class EntityRecognizer(TransitionPipe):
    """Predicts `doc.ents` (one B/I/L/U action per entity type, plus O)."""

    default_cfg: dict[str, Any] = dict(TransitionPipe.default_cfg)

    def make_system(self) -> BiluoPushDown:
        return BiluoPushDown(self._labels)

    def add_label(self, label: str) -> int:
        """Add an entity type; 1 if new. A trained model grows its output layer and keeps
        what it knew about the other types."""
        if not isinstance(label, str) or not label or label in ("O", MISSING):
            raise ValueError(f"{self.name}: an entity label must be a non-empty string other than 'O' and '-', got {label!r}")
        if label in self._labels:
            return 0
        if self._system is not None:
            self._system.add_label(label)
        return super().add_label(label)

    def labels_of_example(self, example: Any) -> Iterable[str]:
        return [tag[2:] for tag in example.get_aligned_ner() if tag not in ("O", MISSING)]

    # ---- presets -------------------------------------------------------------------------------

    def _preset(self, doc: Any) -> tuple[list | None, list | None]:
        """(preset BILUO tags or None, sentence starts or None) from what the doc carries."""
        n = len(doc)
        preset = preset_biluo(doc, set(self._labels))
        starts = None
        if n and doc.has_annotation("SENT_START"):
            starts = (numpy.asarray(doc.to_array("SENT_START")).view("int64") == 1).tolist()
        return preset, starts

    def init_states(self, docs: Sequence[Any]) -> Any:
        presets, starts = [], []
        for doc in docs:
            p, s = self._preset(doc)
            presets.append(p)
            starts.append(s)
        has_p = any(p is not None for p in presets)
        has_s = any(s is not None for s in starts)
        try:
            return self.system.init_batch(
                [len(d) for d in docs], preset=presets if has_p else None, sent_starts=starts if has_s else None
            )
        except ValueError:
            if not has_s:
                raise
            # A preset entity crossing a predicted sentence start: presets win.
            return self.system.init_batch([len(d) for d in docs], preset=presets if has_p else None)

    def init_chunk_states(self, chunks: Sequence[TrainChunk]) -> Any:
        presets = [c.preset for c in chunks]
        return self.system.init_batch(
            [c.end - c.start for c in chunks], preset=presets if any(p is not None for p in presets) else None
        )

    # ---- training data -------------------------------------------------------------------------

    def new_labels(self, examples: Sequence[Any]) -> list[str]:
        """The entity types `update` on `examples` would add, in the order it adds them; none
        is added here."""
        known = set(self._labels)
        return [label for example in examples for label in _unknown_types(example.get_aligned_ner(), known)]

    def example_spans(self, example: Any) -> list[tuple[int, int]]:
        return self._spans(example, example.get_aligned_ner())

    def _spans(self, example: Any, tags: Sequence[str]) -> list[tuple[int, int]]:
        """The chunks' bounds: none when every tag is missing, else the sentences packed up to
        cfg max_train_length words (0: the whole doc)."""
        return [] if all(t == MISSING for t in tags) else self.cut_example(example, len(tags))

    def example_chunks(self, index: int, example: Any) -> list[TrainChunk]:
        tags = example.get_aligned_ner()
        spans = self._spans(example, tags)
        if not spans:
            return []
        for label in _unknown_types(tags, set(self._labels)):
            self.add_label(label)
        preset, _ = self._preset(example.predicted)
        out = []
        for start, end in spans:
            piece = list(tags[start:end])
            _clean_edges(piece)
            try:
                gold = self.system.make_gold(piece)
            except ValueError as err:
                raise ValueError(f"{self.name}: example {index} ({getattr(example, 'where', '')}): {err}") from None
            chunk_preset = preset[start:end] if preset is not None else None
            if chunk_preset is not None:
                _clean_edges(chunk_preset, missing=None)
            out.append(TrainChunk(index, start, end, gold, preset=chunk_preset))
        return out

    # ---- long documents (see _windowed_table) --------------------------------------------------

    def slide_point(self, ids: numpy.ndarray) -> tuple[int, list[int]] | None:
        """Any step: the state only ever reads the two words before the first buffer word, the
        words after it, and the first word of the open entity (pinned if it lies before)."""
        if ids[_B0] < 0:
            return None
        lo = max(0, int(ids[_B0]) - 2)
        first = int(ids[_E0])
        return lo, [first] if 0 <= first < lo else []

    # ---- annotation ----------------------------------------------------------------------------

    def set_annotations(self, docs: Sequence[Any], states: Any) -> None:
        """Set doc.ents: the predicted entities plus preset ones of types this recognizer does
        not know (those of known types are reproduced by the forced actions)."""
        known = set(self._labels)
        for doc, ents in zip(docs, self.system.get_entities(states)):
            if len(doc):
                write_entities(doc, ents, known)


def write_entities(doc: Any, ents: Iterable[tuple[int, int, str]], known: set[str]) -> None:
    """Set doc.ents to the predicted (start, end, label) entities plus the doc's entities of
    labels not in `known` (those of known labels were presets the prediction reproduces)."""
    triples = [(label, start, end) for start, end, label in ents]
    if doc.has_annotation("ENT_TYPE"):
        triples.extend((e.label_, e.start, e.end) for e in doc.ents if e.label_ not in known)
    doc.set_ents(triples, default="outside")


def preset_biluo(doc: Any, known: set[str]) -> list | None:
    """The BILUO tag of each token of `doc` that its entities already fix (None: free; "O"
    outside), or None when the doc carries no entity annotation. Entities of labels not in
    `known` read as "O": the recognizer predicts around them and puts them back afterwards."""
    if not len(doc) or not doc.has_annotation("ENT_IOB"):
        return None
    iob = numpy.asarray(doc.to_array("ENT_IOB"))
    preset = [None if code == 0 else "O" for code in iob.tolist()]
    for ent in doc.ents:
        if ent.label_ in known:
            tag_entity(preset, ent.start, ent.end - 1, ent.label_)
    return preset


def _clean_edges(tags: list, missing: Any = MISSING) -> None:
    """Make a cut piece valid BILUO: an entity broken by the cut becomes unknown at the edges."""
    i = 0
    while i < len(tags) and tags[i] is not None and tags[i][:2] in ("I-", "L-"):
        tags[i] = missing
        i += 1
    j = len(tags) - 1
    while j >= 0 and tags[j] is not None and tags[j][:2] in ("B-", "I-"):
        tags[j] = missing
        j -= 1
