"""Scoring predictions against gold with the conventions of DESIGN.md ("Scoring conventions").

Every figure is a percentage (0-100), or None when the gold has nothing of that kind. Gold words
are the unit: a word whose token does not align one-to-one is wrong for tags and attachment.

`morph_acc` compares whole FEATS values; `ufeats_acc` compares their universal features only
(the CoNLL 2018 shared task's UFeats, as nlp_gold.conll18 scores raw text: Typo, NumForm, ExtPos
and other treebank-specific features are left out), so it is the figure published UD results
report for gold words.

Per label: `tag_per_label` and `dep_per_label` ({label: {p, r, f}}) cover every label seen in the
gold or the prediction; a predicted tag counts against the gold tag of its aligned word, a
dependency label is right when its head is right too (labelled attachment). `tag_confusions` and
`dep_confusions` are the most frequent [gold, predicted, count] pairs that differ on aligned words
(for dependency labels, whatever the head), at most TOP_CONFUSIONS of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from .alignment import _strip
from .biluo import MISSING, tags_to_entities
from .conll18 import universal_feats
from .docdata import doc_to_annotations, sentence_starts

PUNCT_LABELS = frozenset(("punct", "p"))

#: How many (gold, predicted) confusions the scores keep, most frequent first.
TOP_CONFUSIONS = 20


class PRFScore:
    """Counts of true positives, false positives and false negatives, with P/R/F as fractions."""

    __slots__ = ("tp", "fp", "fn")

    def __init__(self, tp: int = 0, fp: int = 0, fn: int = 0):
        self.tp, self.fp, self.fn = tp, fp, fn

    def score_set(self, cand: set, gold: set) -> None:
        """Add the counts of one prediction set against one gold set."""
        hits = len(cand & gold)
        self.tp += hits
        self.fp += len(cand) - hits
        self.fn += len(gold) - hits

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0.0 when the gold is empty."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fscore(self) -> float:
        """Harmonic mean of precision and recall; 0.0 when both are 0."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        """P, R and F as percentages."""
        return {"p": 100 * self.precision, "r": 100 * self.recall, "f": 100 * self.fscore}


class _LabelCounts:
    """Counts of one kind of label (tags, dependency labels): gold, predicted and right per label,
    and the (gold, predicted) pairs that differ."""

    __slots__ = ("gold", "pred", "tp", "confused")

    def __init__(self) -> None:
        self.gold: Counter[str] = Counter()
        self.pred: Counter[str] = Counter()
        self.tp: Counter[str] = Counter()
        self.confused: Counter[tuple[str, str]] = Counter()

    def per_label(self, labels: Iterable[str] | None = None) -> dict[str, dict[str, float]] | None:
        """{label: {p, r, f}} for `labels` (default: every gold or predicted label), sorted;
        None without gold labels."""
        if not self.gold:
            return None
        keys = self.gold.keys() | self.pred.keys() if labels is None else labels
        return {k: PRFScore(self.tp[k], self.pred[k] - self.tp[k], self.gold[k] - self.tp[k]).as_dict()
                for k in sorted(keys)}

    def top_confusions(self) -> list[list] | None:
        """[gold, predicted, count] of the most frequent confusions (ties by label); None without
        gold labels."""
        if not self.gold:
            return None
        ranked = sorted(self.confused.items(), key=lambda item: (-item[1], item[0]))
        return [[g, p, n] for (g, p), n in ranked[:TOP_CONFUSIONS]]


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve (the Mann-Whitney statistic, ties averaged); None without both
    classes."""
    pairs = sorted(zip(scores, labels))
    n_pos = sum(1 for y in labels if y)
    n_neg = len(pairs) - n_pos
    if not n_pos or not n_neg:
        return None
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2.0
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _pct(num: int, den: int) -> float | None:
    return 100.0 * num / den if den else None


def _stripped_spans(words: Sequence[str]) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for w in words:
        k = len(_strip(w))
        out.append((pos, pos + k))
        pos += k
    return out


def _sentence_spans(annot: dict, spans: list[tuple[int, int]]) -> set | None:
    starts = sentence_starts(annot)
    if starts is None:
        return None
    out = set()
    n = len(starts)
    begin = 0
    for i in range(1, n + 1):
        if i == n or starts[i]:
            out.add((spans[begin][0], spans[i - 1][1]))
            begin = i
    return out


def _score_values(g_values, p_values, y2x_one, c, name: str, counts: _LabelCounts | None = None) -> None:
    """Add `name`_total/`name`_correct over gold words with a value (tags, POS, morphs, lemmas),
    and per-label counts when `counts` is given: a word without a token of its own is a miss, and
    its pieces' values are not counted as predictions."""
    for j, value in enumerate(g_values):
        if value is None:
            continue
        c[name + "_total"] += 1
        i = y2x_one[j]
        guess = p_values[i] if i >= 0 else None
        if guess == value:
            c[name + "_correct"] += 1
        if counts is None:
            continue
        counts.gold[value] += 1
        if guess is None:
            continue
        counts.pred[guess] += 1
        if guess == value:
            counts.tp[value] += 1
        else:
            counts.confused[value, guess] += 1


def _universal(morphs: Sequence[str | None]) -> list[str | None]:
    """Each FEATS value cut to the CoNLL 2018 universal features (None stays None)."""
    return [None if value is None else universal_feats(value) for value in morphs]


class Scorer:
    """Scores Examples whose `predicted` Docs hold a system's annotation.

    `exclude_punct=True` leaves words labelled punct/p out of UAS and LAS (spaCy v2's convention);
    by default every word counts (CoNLL 2018). `threshold` decides multilabel category
    predictions; `exclusive_classes` (None: decided from the gold) picks argmax accuracy.
    """

    def __init__(self, exclude_punct: bool = False, threshold: float = 0.5, exclusive_classes: bool | None = None):
        self.exclude_punct = exclude_punct
        self.threshold = threshold
        self.exclusive_classes = exclusive_classes

    def score(self, examples: Iterable[Any]) -> dict:
        """A dict of scores over all examples (see the module docstring)."""
        c: dict[str, int] = defaultdict(int)
        tags = _LabelCounts()
        deps = _LabelCounts()
        tokens = PRFScore()
        sents = PRFScore()
        ents = PRFScore()
        ents_per_type: dict[str, PRFScore] = defaultdict(PRFScore)
        n_sent_docs = n_ent_docs = 0
        excluded = 0
        cats_gold: list[dict] = []
        cats_pred: list[dict] = []
        for eg in examples:
            gold = eg.gold
            pred = doc_to_annotations(eg.predicted)
            align = eg.alignment
            y2x_one = align.y2x_one
            n_pred_tokens = sum(1 for ys in align.x2y if ys)
            n_gold_words = sum(1 for xs in align.y2x if xs)
            n_one = sum(1 for x in align.x2y_one if x >= 0)
            tokens.tp += n_one
            tokens.fp += n_pred_tokens - n_one
            tokens.fn += n_gold_words - n_one
            _score_values(gold["tags"], pred["tags"], y2x_one, c, "tag", tags)
            for key, name in (("pos", "pos"), ("morphs", "morph"), ("lemmas", "lemma")):
                _score_values(gold[key], pred[key], y2x_one, c, name)
            _score_values(_universal(gold["morphs"]), _universal(pred["morphs"]), y2x_one, c, "ufeats")
            self._score_parse(gold, pred, y2x_one, c, deps)
            g_spans = _stripped_spans(eg.reference.words)
            p_spans = _stripped_spans(eg.predicted.words)
            g_sents = _sentence_spans(gold, g_spans)
            if g_sents is not None:
                n_sent_docs += 1
                p_sents = _sentence_spans(pred, p_spans) or set()
                sents.score_set(p_sents, g_sents)
            if any(t != MISSING for t in gold["entities"]):
                n_ent_docs += 1
                excluded += self._score_ents(gold, pred, g_spans, p_spans, ents, ents_per_type)
            if gold["cats"]:
                cats_gold.append(gold["cats"])
                cats_pred.append(dict(eg.predicted.cats))
        out: dict[str, Any] = {
            "token_acc": 100 * tokens.precision if tokens.tp + tokens.fp else None,
            "token_p": 100 * tokens.precision if tokens.tp + tokens.fp else None,
            "token_r": 100 * tokens.recall if tokens.tp + tokens.fn else None,
            "token_f": 100 * tokens.fscore if tokens.tp + tokens.fp + tokens.fn else None,
            "tag_acc": _pct(c["tag_correct"], c["tag_total"]),
            "pos_acc": _pct(c["pos_correct"], c["pos_total"]),
            "morph_acc": _pct(c["morph_correct"], c["morph_total"]),
            "ufeats_acc": _pct(c["ufeats_correct"], c["ufeats_total"]),
            "lemma_acc": _pct(c["lemma_correct"], c["lemma_total"]),
            "uas": _pct(c["uas_correct"], c["uas_total"]),
            "las": _pct(c["las_correct"], c["las_total"]),
            "las_per_type": deps.per_label(deps.gold),
            "tag_per_label": tags.per_label(),
            "dep_per_label": deps.per_label(),
            "tag_confusions": tags.top_confusions(),
            "dep_confusions": deps.top_confusions(),
        }
        for key, prf, present in (("sents", sents, n_sent_docs), ("ents", ents, n_ent_docs)):
            d = prf.as_dict() if present else {"p": None, "r": None, "f": None}
            for k, v in d.items():
                out[f"{key}_{k}"] = v
        out["ents_per_type"] = {label: s.as_dict() for label, s in sorted(ents_per_type.items())} if n_ent_docs else None
        out["ents_excluded"] = excluded
        out.update(self._score_cats(cats_gold, cats_pred))
        return out

    def _score_parse(self, gold, pred, y2x_one, c, deps: _LabelCounts) -> None:
        g_heads, g_deps = gold["heads"], gold["deps"]
        p_heads, p_deps = pred["heads"], pred["deps"]
        for j, h in enumerate(g_heads):
            if h is None:
                continue
            label = g_deps[j].lower() if g_deps[j] is not None else None
            if self.exclude_punct and label in PUNCT_LABELS:
                continue
            i = y2x_one[j]
            c["uas_total"] += 1
            if label is not None:
                c["las_total"] += 1
                deps.gold[label] += 1
            if i < 0:
                continue
            p_label = p_deps[i].lower() if p_deps[i] is not None else None
            if p_label is not None and label is not None:
                deps.pred[p_label] += 1
                if p_label != label:
                    deps.confused[label, p_label] += 1
            p_head = p_heads[i]
            if p_head is None or p_head != y2x_one[h] or y2x_one[h] < 0:
                continue
            c["uas_correct"] += 1
            if label is not None and p_label == label:
                c["las_correct"] += 1
                deps.tp[label] += 1

    @staticmethod
    def _score_ents(gold, pred, g_spans, p_spans, ents, per_type) -> int:
        """Score one example's entities; returns how many gold entities were excluded because
        their boundaries do not fall on predicted token boundaries."""
        starts = {s for s, e in p_spans if e > s}
        ends = {e for s, e in p_spans if e > s}
        gold_set = set()
        blocked: list[tuple[int, int]] = []
        excluded = 0
        for label, s, e in tags_to_entities(gold["entities"]):
            span = (g_spans[s][0], g_spans[e - 1][1])
            if span[0] in starts and span[1] in ends:
                gold_set.add((span[0], span[1], label))
            else:
                excluded += 1
                blocked.append(span)
        for j, tag in enumerate(gold["entities"]):
            if tag == MISSING:
                blocked.append(g_spans[j])
        pred_set = set()
        p_tags = pred["entities"]
        if any(t not in ("O", MISSING) for t in p_tags):
            for label, s, e in tags_to_entities(p_tags):
                span = (p_spans[s][0], p_spans[e - 1][1])
                if any(span[0] < b_end and b_start < span[1] for b_start, b_end in blocked):
                    continue
                pred_set.add((span[0], span[1], label))
        ents.score_set(pred_set, gold_set)
        for label in {x[2] for x in gold_set | pred_set}:
            per_type[label].score_set({x for x in pred_set if x[2] == label}, {x for x in gold_set if x[2] == label})
        return excluded

    def _score_cats(self, cats_gold: list[dict], cats_pred: list[dict]) -> dict:
        keys = ("textcat_acc", "textcat_macro_f", "textcat_macro_auc", "textcat_f_per_type",
                "textcat_auc_per_type")
        if not cats_gold:
            return dict.fromkeys(keys)
        labels = sorted({label for cats in cats_gold for label in cats})
        exclusive = self.exclusive_classes
        if exclusive is None:
            exclusive = all(sum(1 for v in cats.values() if v >= 0.5) == 1 for cats in cats_gold)
        # The argmax of one label is always that label (accuracy 100 whatever the scores): score
        # a single label by its threshold, as an independent yes/no.
        exclusive = exclusive and len(labels) > 1
        per_type = {label: PRFScore() for label in labels}
        correct = 0
        for g, p in zip(cats_gold, cats_pred):
            if exclusive:
                gold_label = max(labels, key=lambda k: g.get(k, 0.0))
                pred_label = max(labels, key=lambda k: p.get(k, 0.0)) if p else None
                correct += gold_label == pred_label
                for label in labels:
                    per_type[label].score_set({label} if pred_label == label else set(), {label} if gold_label == label else set())
            else:
                for label in labels:
                    pp = p.get(label, 0.0) >= self.threshold
                    gg = g.get(label, 0.0) >= 0.5
                    per_type[label].score_set({label} if pp else set(), {label} if gg else set())
                correct += all((p.get(k, 0.0) >= self.threshold) == (g.get(k, 0.0) >= 0.5) for k in labels)
        aucs = {}
        for label in labels:
            auc = roc_auc([int(g.get(label, 0.0) >= 0.5) for g in cats_gold], [p.get(label, 0.0) for p in cats_pred])
            if auc is not None:
                aucs[label] = 100 * auc
        # Labels never seen on either side have no defined F; they stay out of the macro average.
        seen = [s for s in per_type.values() if s.tp + s.fp + s.fn]
        return {
            "textcat_acc": 100.0 * correct / len(cats_gold),
            "textcat_macro_f": 100 * sum(s.fscore for s in seen) / len(seen) if seen else None,
            "textcat_macro_auc": sum(aucs.values()) / len(aucs) if aucs else None,
            "textcat_f_per_type": {k: s.as_dict() for k, s in per_type.items()},
            "textcat_auc_per_type": aucs,
        }
