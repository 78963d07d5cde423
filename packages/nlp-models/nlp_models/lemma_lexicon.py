"""What the training words settle about lemmas, beside the edit trees the lemmatizer predicts.

Two facts, each read by a rule of the lemmatizer (see `nlp_models.pipes.lemmatizer`):

- ``exact``: the (form, UPOS) pairs whose every training occurrence had one and the same lemma.
  Such a word gets that lemma before any tree is tried: a classifier over trees can still miss a
  word the training data settles ("driven"/VERB -> "drive", "troops"/NOUN -> "troops").
- ``known``: the lemmas seen in training, lowercased. Of the best trees that fit a form, the
  first whose lemma is a known one wins over a better-scored one whose lemma the training never
  saw ("festering" -> "fester" before "festere", "depicting" -> "depict" before "depicte").
- ``cased``: the UPOS whose training words keep the form's casing in their lemma (at least
  `CASED_SHARE` of at least `CASED_MIN` words written with a capital that a cased rule lemmatizes:
  PROPN in English and Finnish). A word tagged with one keeps its casing when the best tree
  lowercases it: the tagger's PROPN is the better half of a split decision ("Holocaust" ->
  "Holocaust", not "holocaust").

Saved as plain JSON data beside the lookup table in the component's labels file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .lemma_lookup import _is_triple
from .lemma_rules import build_rule

#: The share of a UPOS's capitalised training words whose lemma keeps the form's casing, and
#: how many there must be, for the UPOS to be a cased one.
CASED_SHARE = 0.9
CASED_MIN = 20


class LemmaLexicon:
    """`exact_lemma(form, pos)`, `knows(lemma)` and `keeps_case(pos)` (see the module
    docstring); empty: no rule changes anything."""

    def __init__(self, exact: dict[tuple[str, str], str] | None = None, known: Iterable[str] = (),
                 cased: Iterable[str] = ()) -> None:
        self.exact: dict[tuple[str, str], str] = dict(exact or {})
        self.known: frozenset[str] = frozenset(known)
        self.cased: frozenset[str] = frozenset(cased)

    def __len__(self) -> int:
        return len(self.exact) + len(self.known)

    @classmethod
    def learn(cls, words: Iterable[tuple[str, str | None, str]]) -> LemmaLexicon:
        """The lexicon of (form, UPOS or None, lemma) triples (a word without UPOS adds its lemma
        to the known ones only)."""
        lemmas: dict[tuple[str, str], set[str]] = defaultdict(set)
        known = set()
        casings: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # UPOS -> [kept, lowered]
        for form, pos, lemma in words:
            known.add(lemma.lower())
            if pos:
                lemmas[form, pos].add(lemma)
                casing = build_rule(form, lemma)[0] if form != form.lower() else ""
                if casing:
                    casings[pos][casing == "lower"] += 1
        exact = {pair: next(iter(seen)) for pair, seen in lemmas.items() if len(seen) == 1}
        cased = [pos for pos, (kept, lowered) in casings.items()
                 if kept + lowered >= CASED_MIN and kept >= CASED_SHARE * (kept + lowered)]
        return cls(exact, known, cased)

    def exact_lemma(self, form: str, pos: str) -> str | None:
        """The one lemma training gave `form` as `pos`, or None (unseen, or seen with several)."""
        return self.exact.get((form, pos)) if pos else None

    def knows(self, lemma: str) -> bool:
        """Whether `lemma` (in any casing) is a lemma of the training words."""
        return lemma.lower() in self.known

    def keeps_case(self, pos: str) -> bool:
        """Whether the lemmas of words tagged `pos` keep the form's casing (a cased UPOS)."""
        return pos in self.cased

    def to_msg(self) -> dict[str, Any]:
        """JSON-able data: {"exact": [[form, pos, lemma], ...], "known": [lemma, ...], "cased":
        [UPOS, ...]}."""
        exact = [[form, pos, lemma] for (form, pos), lemma in sorted(self.exact.items())]
        return {"exact": exact, "known": sorted(self.known), "cased": sorted(self.cased)}

    @classmethod
    def from_msg(cls, msg: Any) -> LemmaLexicon:
        """The lexicon `to_msg` wrote (one saved before "cased" has none); a ValueError saying
        what is wrong with other data."""
        if not isinstance(msg, dict) or not {"exact", "known"} <= set(msg) <= {"exact", "known", "cased"}:
            raise ValueError('the lexicon must be an object with "exact", "known" and, optionally, "cased"')
        exact, known, cased = msg["exact"], msg["known"], msg.get("cased", [])
        if not isinstance(exact, list) or not all(_is_triple(row) for row in exact):
            raise ValueError('lexicon "exact" must be a list of [form, pos, lemma] non-empty strings')
        if not isinstance(known, list) or not all(isinstance(v, str) and v for v in known):
            raise ValueError('lexicon "known" must be a list of non-empty lemma strings')
        if not isinstance(cased, list) or not all(isinstance(v, str) and v for v in cased):
            raise ValueError('lexicon "cased" must be a list of non-empty UPOS strings')
        return cls({(form, pos): lemma for form, pos, lemma in exact}, known, cased)
