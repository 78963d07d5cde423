"""CrfEntityRecognizer: BILUO tags per token from the tok2vec, decoded by a linear-chain CRF, so
that every predicted entity comes with a confidence a user can threshold on.

The model scores each tag of each token (a linear layer over the token vectors) and learns a
score for every tag transition; training maximizes the probability of the gold tag sequence
among all valid BILUO sequences (ml/crf.py; unknown gold tags "-" are summed over, so partial
annotation trains correctly). Prediction takes the best valid sequence (Viterbi); each of its
entities gets the probability that exactly that span carries exactly that label, written to
doc.user_data["ent_scores"] as rows and read as `span.score` (nlp_vocab.entity_scores). Entities already on a doc
are kept as the greedy recognizer keeps them: those of known labels fix the tags of their
tokens, the others are predicted around. The probabilities are taken at cfg `temperature`,
which `calibrate` fits on held-out examples after training (ml/crf_calibration.py; 1.0 until
then): it is saved in cfg.json with the model, and leaves the predicted entities as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy
from thinc.api import Model

from nlp_vocab import set_entity_scores

from ..component_registry import register_component
from ..ml.crf import (
    TRANSITIONS,
    BiluoLattice,
    CrfBatch,
    build_crf_tagger_model,
    crf_decode,
    crf_loss,
    resize_transitions,
)
from ..ml.crf_calibration import fit_temperature
from ._chunks import token_groups, windows
from ._token_classifier import TokenClassifier
from .base import TOK2VEC_DEFAULTS
from .ner import ENTITY_SPEC, MISSING, preset_biluo, write_entities


@register_component("crf_ner", max_batch_size=32, **ENTITY_SPEC)
class CrfEntityRecognizer(TokenClassifier):
    """Predicts `doc.ents` with a confidence each (`span.score`); labels are entity types."""

    default_cfg: dict[str, Any] = {**TOK2VEC_DEFAULTS, "normalize_loss": False, "temperature": 1.0}
    label_noun = "entity label"

    @property
    def lattice(self) -> BiluoLattice:
        """The BILUO tags of the current labels (remade when the labels change)."""
        cached = getattr(self, "_lattice", None)
        if cached is None or cached.labels != tuple(self._labels):
            cached = self._lattice = BiluoLattice(self._labels)
        return cached

    def add_label(self, label: str) -> int:
        """Add an entity type (four tags); a trained model keeps what it knew of the others."""
        if not isinstance(label, str) or not label or label in ("O", MISSING):
            raise ValueError(f"{self.name}: an entity label must be a non-empty string other than 'O' and '-', got {label!r}")
        return super().add_label(label)

    # ---- the model -----------------------------------------------------------------------------

    def build_model(self) -> Model:
        self._check_labels()
        return build_crf_tagger_model(self.build_tok2vec(), n_tags=len(self.lattice))

    def resize_model(self, n_labels: int) -> None:
        """Grow the emission layer and the transition scores to the tags of `n_labels` types."""
        super().resize_model(len(self.lattice))
        resize_transitions(self.require_model(), len(self.lattice))

    def _transitions(self) -> numpy.ndarray:
        crf = self.require_model().get_ref("crf")
        return crf.ops.to_numpy(crf.get_param(TRANSITIONS))

    # ---- learning ------------------------------------------------------------------------------

    def gold_per_token(self, example: Any) -> list[str | None]:
        """The gold BILUO tag of each predicted token (None: unknown)."""
        return [None if tag in (MISSING, None) else tag for tag in example.get_aligned_ner()]

    def gold_index(self) -> Mapping[str, int]:
        """The index of each BILUO tag of the labels."""
        return self.lattice.index

    def label_of_gold(self, gold: str) -> str:
        """The entity label of a BILUO tag ("PER" of "B-PER")."""
        return gold[2:] if gold[1:2] == "-" else gold

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """The CRF's negative log-likelihood of the gold, summed over the examples; the
        transition scores' gradient is added to the model here."""
        gold = self.gold_ids(examples)
        flat, lengths = self.flat_scores(scores, len(gold))  # checks the counts
        model = self.require_model()
        lattice = self.lattice
        batch = CrfBatch.joined(model.ops, flat, lengths, len(lattice))
        losses, d_emit, d_trans = crf_loss(batch, self._transitions(), lattice, lattice.mask(gold))
        bad = numpy.flatnonzero(~numpy.isfinite(losses))
        if len(bad):
            eg = examples[int(bad[0])]
            raise ValueError(f"{self.name}: example {int(bad[0])} ({getattr(eg, 'where', 'example')}) has "
                             "entity tags that are not a valid BILUO sequence")
        crf = model.get_ref("crf")
        crf.inc_grad(TRANSITIONS, crf.ops.asarray2f(d_trans.astype("float32")))
        d_flat = model.ops.asarray2f(d_emit.astype("float32"))
        return float(losses.sum()), self.split_gradient(d_flat, lengths, sum(g >= 0 for g in gold))

    # ---- annotation ----------------------------------------------------------------------------

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        """Set each doc's entities (the Viterbi path's) and their probabilities."""
        docs = list(docs)
        model = self.require_model()
        lattice = self.lattice
        batch = CrfBatch.of(model.ops, predictions, len(lattice))
        masks = [self._preset_mask(doc) for doc in docs]
        mask = numpy.concatenate(masks) if masks else None
        known = set(self._labels)
        for doc, ents in zip(docs, crf_decode(batch, self._transitions(), lattice, mask, self.temperature)):
            if len(doc):
                write_entities(doc, [(s, e, label) for s, e, label, _ in ents], known)
                set_entity_scores(doc, ents)

    def annotate(self, docs: Sequence[Any]) -> None:
        """Emission scores as `_scores_of` computes them (a long doc's window by window, each
        token's as the whole doc gives it: see _chunks), then one CRF decoding: memory grows by
        the docs' (n_tokens, n_tags) scores, not by their activations."""
        docs = list(docs)
        if docs:
            self.set_annotations(docs, self._scores_of(docs))

    def _long_scores(self, doc: Any) -> numpy.ndarray:
        """A long doc's (n_tokens, n_tags) emission scores, window by window."""
        model = self.require_model()
        source = self.row_source(doc)
        parts = [model.ops.to_numpy(self.predict_rows(model, doc, source, start, end))
                 for start, end in windows(len(doc), self.chunk_tokens)]
        return numpy.concatenate(parts)

    def _preset_mask(self, doc: Any) -> numpy.ndarray:
        """The tags the doc's own entities leave each token (all of them where it has none)."""
        preset = preset_biluo(doc, set(self._labels))
        if preset is None:
            return self.lattice.mask([-1] * len(doc))
        index = self.lattice.index
        return self.lattice.mask([-1 if tag is None else index[tag] for tag in preset])

    # ---- calibration ---------------------------------------------------------------------------

    @property
    def temperature(self) -> float:
        """What every path score is divided by before probabilities are taken (cfg)."""
        return float(self.cfg.get("temperature", 1.0))

    def calibrate(self, docs: Iterable[Any], examples: Sequence[Any]) -> dict[str, float]:
        """Fit cfg `temperature` on held-out examples: the one that maximises the CRF's
        likelihood of their gold tags. `docs` are the examples' tokens as the components before
        this one annotated them (a listener reads its tok2vec's output off them); tokens whose
        gold is unknown, or an entity label this model lacks, are left free. Returns what was
        fitted ({} when the examples have no gold entity tag of a known label: all "O" would
        push T to its bound)."""
        docs = list(docs)
        lattice = self.lattice
        tags = [tag for example in examples for tag in self.gold_per_token(example)]
        if not any(tag is not None and tag != "O" and tag in lattice.index for tag in tags):
            return {}
        gold = [lattice.index.get(tag, -1) if tag is not None else -1 for tag in tags]
        scores = self._scores_of(docs)
        if sum(len(s) for s in scores) != len(gold):
            raise ValueError(f"{self.name}: calibrate() got docs of {sum(len(s) for s in scores)} tokens "
                             f"for examples of {len(gold)}")
        batch = CrfBatch.of(self.require_model().ops, scores, len(lattice))
        self.cfg["temperature"] = fit_temperature(batch, self._transitions(), lattice, lattice.mask(gold))
        return {"temperature": self.temperature}

    def _scores_of(self, docs: Sequence[Any]) -> list[numpy.ndarray]:
        """Each doc's emission scores: docs in groups of at most `chunk_tokens` tokens, a longer
        doc alone and window by window (unless the model reads whole docs: see base.annotate)."""
        ops = self.require_model().ops
        out: list[numpy.ndarray] = []
        for group in token_groups(docs, self.chunk_tokens):
            if len(group) == 1 and len(group[0]) > self.chunk_tokens and self.windows_long_docs:
                out.append(self._long_scores(group[0]))
            else:
                out.extend(ops.to_numpy(s) for s in self.predict(group))
        return out
