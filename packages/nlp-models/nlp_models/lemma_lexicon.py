"""What the training words settle about lemmas, beside the edit trees the lemmatizer predicts.

Two facts, each read by a rule of the lemmatizer (see `nlp_models.pipes.lemmatizer`):

- ``exact``: the (form, UPOS) pairs whose every training occurrence had one and the same lemma.
  Such a word gets that lemma before any tree is tried: a classifier over trees can still miss a
  word the training data settles ("driven"/VERB -> "drive", "troops"/NOUN -> "troops").
- ``known``: the lemmas seen in training, lowercased. Of the best trees that fit a form, the
  first whose lemma is a known one wins over a better-scored one whose lemma the training never
  saw ("festering" -> "fester" before "festere", "depicting" -> "depict" before "depicte").

Saved as plain JSON data beside the lookup table in the component's labels file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .lemma_lookup import _is_triple


class LemmaLexicon:
    """`exact_lemma(form, pos)` and `knows(lemma)` (see the module docstring); empty: neither
    rule changes anything."""

    def __init__(self, exact: dict[tuple[str, str], str] | None = None, known: Iterable[str] = ()) -> None:
        self.exact: dict[tuple[str, str], str] = dict(exact or {})
        self.known: frozenset[str] = frozenset(known)

    def __len__(self) -> int:
        return len(self.exact) + len(self.known)

    @classmethod
    def learn(cls, words: Iterable[tuple[str, str | None, str]]) -> LemmaLexicon:
        """The lexicon of (form, UPOS or None, lemma) triples (a word without UPOS adds its lemma
        to the known ones only)."""
        lemmas: dict[tuple[str, str], set[str]] = defaultdict(set)
        known = set()
        for form, pos, lemma in words:
            known.add(lemma.lower())
            if pos:
                lemmas[form, pos].add(lemma)
        exact = {pair: next(iter(seen)) for pair, seen in lemmas.items() if len(seen) == 1}
        return cls(exact, known)

    def exact_lemma(self, form: str, pos: str) -> str | None:
        """The one lemma training gave `form` as `pos`, or None (unseen, or seen with several)."""
        return self.exact.get((form, pos)) if pos else None

    def knows(self, lemma: str) -> bool:
        """Whether `lemma` (in any casing) is a lemma of the training words."""
        return lemma.lower() in self.known

    def to_msg(self) -> dict[str, Any]:
        """JSON-able data: {"exact": [[form, pos, lemma], ...], "known": [lemma, ...]}."""
        exact = [[form, pos, lemma] for (form, pos), lemma in sorted(self.exact.items())]
        return {"exact": exact, "known": sorted(self.known)}

    @classmethod
    def from_msg(cls, msg: Any) -> LemmaLexicon:
        """The lexicon `to_msg` wrote; a ValueError saying what is wrong with other data."""
        if not isinstance(msg, dict) or set(msg) != {"exact", "known"}:
            raise ValueError('the lexicon must be an object with "exact" and "known"')
        exact, known = msg["exact"], msg["known"]
        if not isinstance(exact, list) or not all(_is_triple(row) for row in exact):
            raise ValueError('lexicon "exact" must be a list of [form, pos, lemma] non-empty strings')
        if not isinstance(known, list) or not all(isinstance(v, str) and v for v in known):
            raise ValueError('lexicon "known" must be a list of non-empty lemma strings')
        return cls({(form, pos): lemma for form, pos, lemma in exact}, known)
