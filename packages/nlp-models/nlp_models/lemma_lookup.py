"""The lemmatizer's fallback: lemmas looked up by (form, UPOS), then by form, as training saw them.

Learned from the training words' (form, UPOS, lemma): each (form, UPOS) pair and each form maps to
its most frequent lemma. Only what changes the answer is kept: a form whose lemma is itself is
left out (the lookup of an unknown form is the form), and so is a (form, UPOS) entry that agrees
with its form's. Saved as plain JSON data in the component's labels file.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any


def _most_frequent(counts: Counter) -> str:
    """The most frequent lemma; the alphabetically first of equally frequent ones."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


class LemmaLookup:
    """`lemma(form, pos)`: the (form, pos) entry, else the form's entry, else the form itself."""

    def __init__(self, forms: Mapping[str, str] | None = None,
                 tagged: Mapping[tuple[str, str], str] | None = None) -> None:
        self.forms: dict[str, str] = dict(forms or {})
        self.tagged: dict[tuple[str, str], str] = dict(tagged or {})

    def __len__(self) -> int:
        return len(self.forms) + len(self.tagged)

    @classmethod
    def learn(cls, words: Iterable[tuple[str, str | None, str]]) -> LemmaLookup:
        """The table of (form, UPOS or None, lemma) triples (a word without UPOS counts for
        its form only)."""
        by_form: dict[str, Counter] = defaultdict(Counter)
        by_tagged: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for form, pos, lemma in words:
            by_form[form][lemma] += 1
            if pos:
                by_tagged[form, pos][lemma] += 1
        forms = {form: _most_frequent(counts) for form, counts in by_form.items()}
        forms = {form: lemma for form, lemma in forms.items() if lemma != form}
        tagged = {pair: _most_frequent(counts) for pair, counts in by_tagged.items()}
        tagged = {pair: lemma for pair, lemma in tagged.items() if lemma != forms.get(pair[0], pair[0])}
        return cls(forms, tagged)

    def lemma(self, form: str, pos: str = "") -> str:
        """The lemma of `form` (with UPOS `pos`, "" when unknown) by the table, or the form."""
        if pos:
            lemma = self.tagged.get((form, pos))
            if lemma is not None:
                return lemma
        return self.forms.get(form, form)

    def to_msg(self) -> dict[str, Any]:
        """JSON-able data: {"forms": {form: lemma}, "tagged": [[form, pos, lemma], ...]}."""
        tagged = [[form, pos, lemma] for (form, pos), lemma in sorted(self.tagged.items())]
        return {"forms": dict(sorted(self.forms.items())), "tagged": tagged}

    @classmethod
    def from_msg(cls, msg: Any) -> LemmaLookup:
        """The table `to_msg` wrote; a ValueError saying what is wrong with other data."""
        if not isinstance(msg, dict) or set(msg) != {"forms", "tagged"}:
            raise ValueError('the lookup must be an object with "forms" and "tagged"')
        forms, tagged = msg["forms"], msg["tagged"]
        if not isinstance(forms, dict) or not all(isinstance(v, str) and v for v in forms.values()):
            raise ValueError('lookup "forms" must map forms to non-empty lemma strings')
        if not isinstance(tagged, list) or not all(_is_triple(row) for row in tagged):
            raise ValueError('lookup "tagged" must be a list of [form, pos, lemma] non-empty strings')
        return cls(forms, {(form, pos): lemma for form, pos, lemma in tagged})


def _is_triple(row: Any) -> bool:
    return isinstance(row, list) and len(row) == 3 and all(isinstance(v, str) and v for v in row)
