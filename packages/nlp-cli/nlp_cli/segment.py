"""Sentence segmentation for `convert -s` when the input marks no sentences.

The simple rule: a sentence ends after `.`, `!`, `?` (or a run of them, or `...`), together with
any closing quotes and brackets right after it, when the next word does not start in lower case.
A model (`-b MODEL`) segments with its parser (or whatever sets sentence starts) instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ENDINGS = frozenset((".", "!", "?", "...", "…", "?!", "!?"))
CLOSERS = frozenset(("'", '"', "''", "”", "’", ")", "]", "}", "»"))


def _ends_sentence(word: str) -> bool:
    return word in ENDINGS or (len(word) > 1 and set(word) <= set(".!?"))


def rule_sent_starts(words: Sequence[str]) -> list[bool]:
    """True where a word starts a sentence, by the punctuation rule above."""
    n = len(words)
    starts = [i == 0 for i in range(n)]
    i = 0
    while i < n:
        if _ends_sentence(words[i]):
            j = i + 1
            while j < n and words[j] in CLOSERS:
                j += 1
            if j < n and not words[j][:1].islower():
                starts[j] = True
            i = j
        else:
            i += 1
    return starts


def model_sent_starts(nlp: Any, words: Sequence[str], spaces: Sequence[bool]) -> list[bool]:
    """Sentence starts predicted by running the pipeline `nlp` over a Doc of `words`."""
    from nlp_vocab import Doc

    doc = Doc(nlp.vocab, words=list(words), spaces=[bool(s) for s in spaces])
    for _, component in nlp.pipeline:
        doc = component(doc)
    starts = [i == 0 for i in range(len(doc))]
    for sent in doc.sents:
        starts[sent.start] = True
    return starts
