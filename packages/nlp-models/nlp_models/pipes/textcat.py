"""TextCategorizer: scores every label for a whole doc and writes them to `doc.cats`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy
from thinc.api import Model

from nlp_gold.checks import class_score
from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight

from ..component_registry import register_component
from ..ml import (
    FEATURE_ATTRS,
    build_bow_text_classifier,
    build_cnn_text_classifier,
    build_nb_ensemble_classifier,
    build_nb_text_classifier,
    build_text_classifier,
    doc_features,
    fit_log_count_ratios,
    pool_windows,
    predict_pooled,
    textcat_loss,
)
from ..presets import resolve_cfg
from ._chunks import row_source, windows
from .base import TOK2VEC_DEFAULTS, TrainablePipe, batched

#: spaCy v2's architecture names, then the NB-weighted n-grams alone and with the CNN.
ARCHITECTURES = ("ensemble", "simple_cnn", "bow", "nb_bow", "nb_ensemble")
#: The architectures without a tok2vec (bags of n-grams).
BAGS = ("bow", "nb_bow")
#: The architectures whose n-gram weights are log-count ratios of the training data.
NB_WEIGHTED = ("nb_bow", "nb_ensemble")
#: Other names accepted for them ("cnn": the name saved by models of earlier versions).
ALIASES = {"cnn": "simple_cnn"}


def architecture_name(name: Any) -> str:
    """The architecture `name` stands for (an alias resolved); a ValueError for any other name."""
    resolved = ALIASES.get(name, name) if isinstance(name, str) else name
    if resolved not in ARCHITECTURES:
        raise ValueError(f"textcat: unknown architecture {name!r}; expected one of {', '.join(ARCHITECTURES)}")
    return resolved


def gold_classes(example: Any) -> list[str]:
    """The classes an Example's gold names, whatever their values."""
    return list(example.cats)


@register_component(
    "textcat", annotation="text classes", label_kind="text classes", gold_labels=gold_classes,
    max_batch_size=64, loss_header="Textcat Loss", rare_label_count=20,
    columns=(ScoreColumn("Textcat", ("textcat_macro_f", "textcat_acc")),),
    score_weights=(ScoreWeight(("textcat_macro_f", "textcat_acc")),),
    curves=(ScoreCurve("Text classifier", (("textcat_macro_f", "Macro F"), ("textcat_acc", "Accuracy"),
                                           ("textcat_macro_auc", "Macro AUC"))),),
    tables=("textcat_f_per_type",),
    evaluate_rows=(("textcat_acc", "Textcat acc"), ("textcat_macro_f", "Textcat F"),
                   ("textcat_macro_auc", "Textcat AUC")),
)
class TextCategorizer(TrainablePipe):
    """Document labels: mutually exclusive classes (softmax) or multilabel (sigmoid).

    cfg `architecture` (spaCy v2's names): "ensemble" (bag-of-ngrams + CNN, the default),
    "simple_cnn" (also "cnn") or "bow"; or "nb_bow" (binarized n-grams weighted by their
    NBSVM-style log-count ratios, computed from the examples given to begin_training: ml/
    nb_textcat.py; `nb_alpha` smooths the counts, `nb_min_count` is the fewest training docs
    an n-gram must be in to be kept) and "nb_ensemble" (that plus the CNN). `exclusive_classes`
    (default False, as in v2: each label an independent yes/no); `ngram_size` for the n-grams;
    `tok2vec` (the name of a shared Tok2Vec component, for the architectures with a CNN only).
    The own tok2vec has the defaults of every component's (and of `nlp pretrain`), so
    pretrained weights fit it as they are.
    """

    default_cfg: dict[str, Any] = {
        "architecture": "ensemble",
        "exclusive_classes": False,
        "ngram_size": 2,
        **TOK2VEC_DEFAULTS,
        "hidden_width": 64,
        "nb_alpha": 1.0,
        "nb_min_count": 2,
    }

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        cfg = resolve_cfg(self.factory, type(self), cfg)  # a preset may choose the architecture
        architecture = architecture_name(cfg.get("architecture", self.default_cfg["architecture"]))
        if architecture in BAGS and cfg.get("tok2vec"):
            raise ValueError(
                f"textcat: architecture {architecture!r} has no tok2vec, so it cannot listen to "
                f"{cfg['tok2vec']!r}; use 'simple_cnn', 'ensemble' or 'nb_ensemble', or drop cfg tok2vec"
            )
        super().__init__(vocab, name=name, **cfg)

    @classmethod
    def can_listen_with(cls, cfg: Mapping[str, Any]) -> bool:
        """The bag-of-words architectures have no tok2vec; the others can read a shared one."""
        return architecture_name(cfg.get("architecture", cls.default_cfg["architecture"])) not in BAGS

    def _check_labels(self) -> None:
        """Labels exist, and mutually exclusive classes are at least two (a softmax over one
        class always says 1.0: nothing to learn)."""
        super()._check_labels()
        if self.cfg["exclusive_classes"] and len(self._labels) < 2:
            raise ValueError(
                f"{self.name}: mutually exclusive classes need at least two labels, got only "
                f"{self._labels[0]!r}: add the other class(es), or use exclusive_classes=False"
            )

    def build_model(self) -> Model:
        self._check_labels()
        cfg = self.cfg
        n = len(self._labels)
        exclusive = bool(cfg["exclusive_classes"])
        architecture = architecture_name(cfg["architecture"])
        if architecture == "bow":
            return build_bow_text_classifier(exclusive, ngram_size=cfg["ngram_size"], n_labels=n)
        if architecture == "nb_bow":
            return build_nb_text_classifier(exclusive, ngram_size=cfg["ngram_size"], n_labels=n)
        if architecture == "simple_cnn":
            return build_cnn_text_classifier(
                self.build_tok2vec(), exclusive, n_labels=n, hidden_width=cfg["hidden_width"],
                pieces=cfg["pieces"], dropout=cfg.get("dropout"),
            )
        build = build_nb_ensemble_classifier if architecture == "nb_ensemble" else build_text_classifier
        return build(
            self.build_tok2vec(), exclusive, n_labels=n, ngram_size=cfg["ngram_size"],
            hidden_width=cfg["hidden_width"], pieces=cfg["pieces"], dropout=cfg.get("dropout"),
            featurizer=doc_features(cfg.get("attrs", FEATURE_ATTRS)) if self.listens_to else None,
        )

    def begin_training(self, get_examples: Any = None, sgd: Any = None, pipeline: Any = None) -> None:
        """Infer labels, build the model; an NB-weighted architecture then computes its n-grams'
        log-count ratios from every example of `get_examples()` (which it needs)."""
        nb_weighted = architecture_name(self.cfg["architecture"]) in NB_WEIGHTED
        if nb_weighted and get_examples is None:
            raise ValueError(
                f"{self.name}: architecture {self.cfg['architecture']!r} weighs its n-grams by their "
                "log-count ratios in the training data: pass the training examples to begin_training"
            )
        super().begin_training(get_examples, sgd=sgd, pipeline=pipeline)
        if nb_weighted:
            self.fit_ratios(get_examples)

    def fit_ratios(self, get_examples: Callable[[], Iterable[Any]], batch_size: int = 256) -> None:
        """Set the NB-weighted model's vocabulary and log-count ratios from the examples of
        `get_examples()` (their gold checked; read twice, a batch at a time, so a stream stays
        a stream), and its weights to the calibrated naive Bayes classifier's."""
        model = self.require_model()
        features = model.get_ref("nb_features")

        def batches() -> Iterator[tuple[list, Any, Any]]:
            for batch in batched(get_examples(), batch_size):
                self.check_examples(batch)
                keys, lengths = features.predict(self.model_input([eg.predicted for eg in batch]))
                yield (numpy.split(keys, numpy.cumsum(lengths)[:-1]), *self.gold_arrays(batch))

        fit_log_count_ratios(model, batches, alpha=float(self.cfg["nb_alpha"]),
                             min_count=int(self.cfg["nb_min_count"]))

    def score_options(self) -> dict[str, Any]:
        """Exclusive classes are scored by argmax accuracy, multilabel ones by F."""
        return {"exclusive_classes": bool(self.cfg["exclusive_classes"])}

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        scores = self.require_model().ops.to_numpy(predictions)
        for doc, row in zip(docs, scores):
            for label, score in zip(self._labels, row):
                doc.cats[label] = float(score)

    def annotate_long(self, doc: Any) -> None:
        """Score a long doc with the CNN's token vectors computed and pooled window by window
        (the bag of n-grams, which holds no per-token activations, reads the doc at once)."""
        model = self.require_model()
        if not model.has_ref("cnn_hidden"):
            super().annotate_long(doc)
            return
        X = self.model_input([doc])
        source = row_source(X[0], doc)
        tok2vec = model.get_ref("tok2vec")
        vectors = (
            self.predict_rows(tok2vec, doc, source, start, end)
            for start, end in windows(len(doc), self.chunk_tokens)
        )
        self.set_annotations([doc], predict_pooled(model, X, pool_windows(vectors, model.ops)))

    def check_examples(self, examples: Sequence[Any]) -> None:
        """Every gold `cats` entry names a label of this component and is a number in [0, 1]
        (a bool, int, float or numpy number); and exclusive classes are at least two."""
        if self.cfg["exclusive_classes"] and len(self._labels) == 1:
            self._check_labels()
        known = set(self._labels)
        for i, example in enumerate(examples):
            where = getattr(example, "where", None) or "example"
            for label, value in example.cats.items():
                if label not in known:
                    raise ValueError(
                        f"{self.name}: example {i} ({where}) has the label {label!r}, which is not one "
                        f"of its labels ({', '.join(map(repr, self._labels)) or 'none'}); add it with "
                        "add_label(), or pass examples that have it to begin_training()"
                    )
                score = class_score(value)
                if score is None or not 0.0 <= score <= 1.0:
                    raise ValueError(
                        f"{self.name}: example {i} ({where}) has cats[{label!r}] = {value!r}; "
                        "expected a number in [0, 1]"
                    )

    def get_loss(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """Cross-entropy (exclusive) or binary cross-entropy; labels missing from a gold `cats`
        dict are masked (for exclusive classes, a doc with none of the labels is skipped), and
        so are empty docs (no text: nothing to learn about it). Bad gold is a ValueError."""
        self.check_examples(examples)
        return self.loss_of_checked(examples, scores)

    def loss_of_checked(self, examples: Sequence[Any], scores: Any) -> tuple[float, Any]:
        """`get_loss` without the gold check, which `update` has already run."""
        truth, mask = self.gold_arrays(examples)
        ops = self.require_model().ops
        d_scores, loss = textcat_loss(scores, ops.asarray(truth), ops.asarray(mask),
                                      exclusive=bool(self.cfg["exclusive_classes"]))
        return loss, d_scores

    def gold_arrays(self, examples: Sequence[Any]) -> tuple[Any, Any]:
        """(truth, mask), (n_examples, n_labels) float32: each label's gold value, and which
        count; labels missing from a gold `cats` dict are masked (for exclusive classes, a doc
        with none of the labels is), and so are empty docs (no text: nothing to learn)."""
        n = len(self._labels)
        truth = numpy.zeros((len(examples), n), dtype="float32")
        mask = numpy.zeros((len(examples), n), dtype="float32")
        exclusive = bool(self.cfg["exclusive_classes"])
        for i, example in enumerate(examples):
            if not len(example.predicted):
                continue
            cats = example.cats
            for j, label in enumerate(self._labels):
                if label in cats:
                    truth[i, j] = class_score(cats[label])
                    mask[i, j] = 1.0
            if exclusive and truth[i].sum() >= 1.0:
                mask[i] = 1.0  # an exclusive label set is complete once one label is given
        return truth, mask
