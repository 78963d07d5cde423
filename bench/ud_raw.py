"""Raw-text scoring of the UD tasks: both systems on the dev split's raw text, as `nlp evaluate
--raw` scores a model (nlp_cli/_raw_eval.py), so the bench's figures are that command's.

The texts are the treebank's own (`raw_texts`: each paragraph's `# text` lines, `# newpar` or
`# newdoc` to the next, joined by a space). A system annotates them with its own tokenizer and
sentence splitter; each output Doc (spaCy's first copied onto one of ours, word by word) becomes
CoNLL-U sentences with `nlp_gold.doc_conllu.doc_sentences` (whitespace tokens left out, multiword
tokens from the system tokenizer's own special cases), which are written as CoNLL-U, read back
and scored against the gold with `nlp_gold.conll18_scores`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from tasks import Task


def dev_texts(task: Task) -> tuple[list[str], list[dict]]:
    """The dev split's raw texts and its gold sentences (multiword tokens kept)."""
    from nlp_cli._raw_eval import raw_texts
    from nlp_gold import read_conllu

    gold = list(read_conllu(task.path("dev"), multiword_tokens=True))
    return [text.text for text in raw_texts(gold)], gold


def doc_sentences(docs: Iterable[Any], fused: Collection[tuple[str, ...]]) -> list[dict]:
    """The CoNLL-U sentence dicts of our Docs, in order (`fused`: the tokenizer's fused forms)."""
    from nlp_gold.doc_conllu import doc_sentences as sentences_of

    return [sent for doc in docs for sent in sentences_of(doc, fused)]


def raw_text_scores(task: Task, parse: Callable[[list[str]], list[dict]]) -> dict:
    """The CoNLL 2018 scores ({metric: {p, r, f}}, percentages) of a system on the dev split's
    raw text; `parse` maps the texts to the system's CoNLL-U sentence dicts (`doc_sentences`)."""
    from nlp_cli._raw_eval import system_conllu
    from nlp_gold import CONLL18_METRICS, conll18_scores

    texts, gold = dev_texts(task)
    _, system = system_conllu(parse(texts))  # what is scored is what a CoNLL-U file holds
    scores = conll18_scores(gold, system, names=(str(task.path("dev")), "the system output"))
    return {metric: scores[metric] for metric in CONLL18_METRICS}
