"""Lemmatizer: predicts each word's lemma rule (how its form becomes its lemma) and applies it.

The labels are the lemma rules (`nlp_models.lemma_rules`: an edit tree over the lowercased form
and a casing) of the training words seen at least
cfg `min_tree_freq` times; the model and loss are the tagger's (`TokenClassifier`): a softmax
over them from the component's own tok2vec (or a shared one). A word whose gold tree is rarer,
or unknown, teaches nothing (missing gold: no loss). A word's lemma is, in this order:
- with cfg `exact_lookup`, the one lemma training gave its (form, UPOS) when it always gave one
  (`nlp_models.lemma_lexicon`; the UPOS is the morphologizer's, when it runs before);
- of its cfg `top_k` best-scoring trees that fit its form, the first; with cfg `prefer_known`,
  the first whose lemma is a lemma of the training words, if one is;
- when no tree fits, the lookup table learned from the training words ((form, UPOS), then form:
  `nlp_models.lemma_lookup`); failing that, the form itself.
With cfg `pos_casing`, a word whose UPOS is one whose training lemmas keep the form's casing
(PROPN in English and Finnish: `LemmaLexicon.cased`) keeps it when the chosen tree lowercases:
on EWT dev, where the tree and the morphologizer disagree on a capitalised word, keeping the
casing is right more often than lowering it (the lemma errors are mostly that one decision).
The casing is predicted with the tree, so "Laughter" (lowercased) and "Abbas" (kept as it is)
share the trees of "laughter" and "abbas". Applying a rule is cached per (tree, form), so a
corpus lemmatizes at the speed of its model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy
from thinc.api import Optimizer

from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight

from ..component_registry import register_component
from ..edit_trees import TreeTable
from ..lemma_lexicon import LemmaLexicon
from ..lemma_lookup import LemmaLookup
from ..lemma_rules import apply_rule, build_rule, recase, rule_from_key, rule_key
from ._chunks import windows
from ._token_classifier import TokenClassifier
from .base import TOK2VEC_DEFAULTS


def lemma_words(example: Any) -> Iterator[tuple[str, str | None, str]]:
    """(form, gold UPOS or None, gold lemma) of each predicted token of an Example whose gold
    lemma is known."""
    pairs = zip(example.predicted.forms, example.get_aligned("POS"), example.get_aligned("LEMMA"))
    return ((form, pos, lemma) for form, pos, lemma in pairs if lemma)


def gold_trees(example: Any) -> list[str]:
    """The lemma rule keys of an Example's gold lemmas (aligned to its predicted words)."""
    return [rule_key(build_rule(form, lemma)) for form, _, lemma in lemma_words(example)]


@register_component(
    "lemmatizer", annotation="lemmas", label_kind="edit trees", gold_labels=gold_trees, max_batch_size=32,
    loss_header="Lemma Loss", columns=(ScoreColumn("Lemma %", ("lemma_acc",)),),
    score_weights=(ScoreWeight(("lemma_acc",), 1.0),), token_level=True,
    curves=(ScoreCurve("Lemmatizer", (("lemma_acc", "Lemma %"),)),),
    evaluate_rows=(("lemma_acc", "Lemma %"),), rare_label_count=3,
)
class Lemmatizer(TokenClassifier):
    """Edit-tree lemmatizer (see the module docstring): the tagger's model and loss over edit
    rules. Its labels are rule keys (`nlp_models.lemma_rules.rule_key`); labels.json also holds
    the lookup table."""

    default_cfg: dict[str, Any] = {
        **TOK2VEC_DEFAULTS,
        "min_tree_freq": 3,
        "top_k": 5,
        "exact_lookup": True,
        "prefer_known": True,
        "pos_casing": True,
    }
    annotation_attrs = ("LEMMA",)
    label_noun = "edit tree"

    def __init__(self, vocab: Any, name: str | None = None, **cfg: Any) -> None:
        self._trees = TreeTable(apply_rule)
        self._lookup = LemmaLookup()
        self._lexicon = LemmaLexicon()
        self._frequent: set[str] | None = None  # while begin_training infers labels
        super().__init__(vocab, name, **cfg)

    @property
    def lookup(self) -> LemmaLookup:
        """The fallback table learned by `begin_training` (empty before)."""
        return self._lookup

    @property
    def lexicon(self) -> LemmaLexicon:
        """The exact (form, UPOS) lemmas and known lemmas learned by `begin_training`."""
        return self._lexicon

    # ---- labels: edit trees --------------------------------------------------------------------

    def add_label(self, label: str) -> int:
        """Add the lemma rule whose key is `label` (a ValueError if it is not one); 1 if new."""
        try:
            tree = rule_from_key(label)
        except ValueError as err:
            raise ValueError(f"{self.name}: {err}") from None
        if self._trees.id_of(tree) is not None:
            return 0
        self._trees.add(tree)
        return super().add_label(rule_key(tree))

    def labels_of_example(self, example: Any) -> Iterable[str]:
        """The example's gold trees; while `begin_training` infers labels, only the frequent."""
        labels = super().labels_of_example(example)
        if self._frequent is None:
            return labels
        return [label for label in labels if label in self._frequent]

    def _check_labels(self) -> None:
        if not self._labels:
            raise ValueError(
                f"Component '{self.name}' has no edit trees: no lemma of the training data gives a tree seen "
                f"min_tree_freq ({self.cfg['min_tree_freq']}) times; give begin_training examples with "
                "lemmas (or more of them), or lower cfg min_tree_freq"
            )

    def labels_to_msg(self) -> Any:
        return {"trees": list(self._labels), "lookup": self._lookup.to_msg(), "lexicon": self._lexicon.to_msg()}

    def labels_from_msg(self, msg: Any) -> None:
        """Trees, lookup and lexicon (a model saved before the lexicon has none: an empty one)."""
        if not isinstance(msg, dict) or not {"trees", "lookup"} <= set(msg) <= {"trees", "lookup", "lexicon"}:
            raise ValueError('expected an object with "trees" (edit tree keys), "lookup" and, optionally, "lexicon"')
        if not isinstance(msg["trees"], list):
            raise ValueError('"trees" must be a list of edit tree keys')
        lookup = LemmaLookup.from_msg(msg["lookup"])
        lexicon = LemmaLexicon.from_msg(msg["lexicon"]) if "lexicon" in msg else LemmaLexicon()
        trees = [rule_from_key(key) for key in msg["trees"]]
        super().labels_from_msg([rule_key(tree) for tree in trees])
        self._trees = TreeTable(apply_rule)
        for tree in trees:
            self._trees.add(tree)
        self._lookup = lookup
        self._lexicon = lexicon

    # ---- training ------------------------------------------------------------------------------

    def begin_training(self, get_examples: Callable[[], Iterable[Any]] | None = None,
                       sgd: Optimizer | None = None, pipeline: Any = None) -> None:
        """Learn the lookup table and the frequent trees from `get_examples()` (if given), take
        those trees as labels, then build and initialise the model."""
        if get_examples is not None:
            self._learn_words(get_examples())
        try:
            super().begin_training(get_examples, sgd, pipeline)
        finally:
            self._frequent = None

    def _learn_words(self, examples: Iterable[Any]) -> None:
        words = [word for example in examples for word in lemma_words(example)]
        self._lookup = LemmaLookup.learn(words)
        self._lexicon = LemmaLexicon.learn(words)
        counts = Counter(rule_key(build_rule(form, lemma)) for form, _, lemma in words)
        least = int(self.cfg["min_tree_freq"])
        self._frequent = {key for key, n in counts.items() if n >= least}

    def gold_ids(self, examples: Sequence[Any]) -> list[int]:
        """The label index of every predicted token's gold tree, in order; -1 (missing: no
        loss, no gradient) for a token without a lemma or whose tree is not a label."""
        ids = []
        for example in examples:
            for form, lemma in zip(example.predicted.forms, example.get_aligned("LEMMA")):
                tree_id = self._trees.id_of(build_rule(form, lemma)) if lemma else None
                ids.append(-1 if tree_id is None else tree_id)
        return ids

    # ---- annotation ----------------------------------------------------------------------------

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None:
        """Set LEMMA of every token (see the module docstring for how it is chosen)."""
        for doc, probs in zip(docs, predictions):
            if len(doc):
                self._write(doc, self._lemmas(self._words(doc), probs))

    def annotate_long(self, doc: Any) -> None:
        """Lemmatize a long doc window by window (the scores are those of the whole doc)."""
        model = self.require_model()
        source = self.row_source(doc)
        words = self._words(doc)
        lemmas: list[str] = []
        for start, end in windows(len(doc), self.chunk_tokens):
            lemmas += self._lemmas(words[start:end], self.predict_rows(model, doc, source, start, end))
        self._write(doc, lemmas)

    def lemmatize(self, form: str, pos: str, ranked: Iterable[int],
                  switches: tuple[bool, bool, bool] | None = None) -> str:
        """The lemma of `form` (UPOS `pos`, "" if unknown) given its label indices best first
        (see the module docstring for the order of the rules); `switches`: `_switches()`,
        read once per batch by the caller (None: read here)."""
        exact_lookup, prefer_known, pos_casing = self._switches() if switches is None else switches
        exact = self._lexicon.exact_lemma(form, pos) if exact_lookup else None
        if exact is not None:
            return exact
        keep_case = pos_casing and self._lexicon.keeps_case(pos)
        first = None
        for tree_id in ranked:
            lemma = self._apply(int(tree_id), form, keep_case)
            if lemma and (not prefer_known or self._lexicon.knows(lemma)):
                return lemma
            first = first or lemma
        return first or self._lookup.lemma(form, pos)

    def _apply(self, tree_id: int, form: str, keep_case: bool) -> str | None:
        """Tree `tree_id`'s lemma of `form`; with `keep_case`, a lowercasing rule's lemma takes
        the form's casing instead (as the same tree with casing `form` would give)."""
        lemma = self._trees.apply(tree_id, form)
        if keep_case and lemma and self._trees[tree_id][0] == "lower":
            return recase(form, lemma)
        return lemma

    def _words(self, doc: Any) -> list[tuple[str, str]]:
        """(form, UPOS or "") of each token: what `lemmatize` reads besides the scores."""
        strings = self.vocab.strings
        tags = doc.to_array("POS").tolist()
        return [(form, strings[pos] if pos else "") for form, pos in zip(doc.forms, tags)]

    def _lemmas(self, words: list[tuple[str, str]], probs: Any) -> list[str]:
        """The lemmas of `words` from their rows of scores `probs`."""
        ranked = self._ranked(probs).tolist()
        switches = self._switches()
        return [self.lemmatize(form, pos, row, switches) for (form, pos), row in zip(words, ranked)]

    def _switches(self) -> tuple[bool, bool, bool]:
        """cfg exact_lookup, prefer_known and pos_casing; prefer_known only with known lemmas to
        prefer (a model saved before the lexicon has none: trying every tree could change
        nothing), pos_casing only with cased UPOS learned (none before they were)."""
        prefer_known = bool(self.cfg.get("prefer_known")) and bool(self._lexicon.known)
        pos_casing = bool(self.cfg.get("pos_casing")) and bool(self._lexicon.cased)
        return bool(self.cfg.get("exact_lookup")), prefer_known, pos_casing

    def _ranked(self, probs: Any) -> numpy.ndarray:
        """(n_tokens, k) label indices of each row's k best scores, best first (k: cfg top_k)."""
        probs = self.require_model().ops.to_numpy(probs)
        k = max(1, min(int(self.cfg["top_k"]), probs.shape[1]))
        top = numpy.argpartition(-probs, k - 1, axis=1)[:, :k]
        order = numpy.argsort(-numpy.take_along_axis(probs, top, axis=1), axis=1, kind="stable")
        return numpy.take_along_axis(top, order, axis=1)

    def _write(self, doc: Any, lemmas: list[str]) -> None:
        strings = self.vocab.strings
        ids = numpy.fromiter((strings.add(lemma) for lemma in lemmas), dtype="uint64", count=len(lemmas))
        doc.from_array(["LEMMA"], ids.reshape((-1, 1)))
