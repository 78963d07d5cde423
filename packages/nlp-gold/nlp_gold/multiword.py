"""Multiword tokens between annotation dicts, Docs and the tokenizer.

An annotation dict (the readers' output) holds the syntactic words (CoNLL-U's FORM column) and,
under `multiword_tokens`, the range lines as (first word, last word, surface form). Words that
spell their surface form ("do" + "n't") have no space between them; words that do not ("a" + "el"
for "al") are spaced apart, so that words and spaces still spell a text, as spaCy v2's converter
had it. A Doc holds such a token as one token per word, each with a piece of the surface form and
its word form (nlp_vocab.multiword), so its text is the real text and our tokenizer, given the
same expansion, makes the same tokens: the gold words align one to one and are trained as words.

`learn_expansions` reads the tokenizer expansions a treebank teaches off its gold Docs: only
tokens whose words do not spell them. Those that do ("do" + "n't") are our tokenizer rules' job:
learned from English-EWT they would be typos such as "plumbers" = "plumber" + "s" (for
"plumber's"), which would then split every plural.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .errors import GoldError


def doc_ranges(annot: dict, where: str) -> list[tuple[int, int, str]]:
    """The multiword tokens of an annotation dict that a Doc can hold as pieces of their surface
    form, sorted; a range of one word, or whose surface form has fewer characters than it has
    words (or holds whitespace), stays as the words are. A GoldError for a range that is not one."""
    from nlp_vocab.multiword import can_split

    words = annot["words"]
    ranges = checked_ranges(annot.get("multiword_tokens") or (), len(words), where)
    return [(first, last, surface) for first, last, surface in ranges if can_split(surface, words[first : last + 1])]


def checked_ranges(items: Iterable[Any], n_words: int, where: str) -> list[tuple[int, int, str]]:
    """(first word, last word, surface form) of each multiword token of a sentence or document
    of `n_words` words, sorted; a GoldError naming `where` for an item that is not such a range
    inside the words, or for ranges that overlap."""
    out = sorted(_checked_range(item, n_words, where) for item in items)
    for (_, previous, _), (first, _, _) in zip(out, out[1:]):
        if first <= previous:
            raise GoldError(f"{where}: multiword tokens overlap at word {first} (0-based)")
    return out


def word_spaces(words: Sequence[str], ranges: Sequence[tuple[int, int, str]],
                token_spaces: Sequence[bool]) -> list[bool]:
    """Each word's spacing from its token's (`token_spaces`: one per token, a multiword token of
    `ranges` being one): the last word of a token takes the token's, the others the rule of the
    module docstring (no space where the words spell the surface form, else a space)."""
    lasts = {first: (last, surface) for first, last, surface in ranges}
    spaces: list[bool] = []
    for space in token_spaces:
        first = len(spaces)
        last, surface = lasts.get(first, (first, ""))
        apart = "".join(words[first : last + 1]) != surface
        spaces.extend([apart] * (last - first) + [bool(space)])
    return spaces


def token_spans(words: Sequence[str], ranges: Iterable[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    """(first word, last word, surface form) of each token of `words`: a range of `ranges` is
    one token with its own form; every other word is a token alone."""
    lasts = {first: (last, surface) for first, last, surface in ranges}
    k = 0
    while k < len(words):
        last, surface = lasts.get(k, (k, words[k]))
        yield k, last, surface
        k = last + 1


def token_forms(words: Sequence[str], ranges: Sequence[tuple[int, int, str]]) -> list[str]:
    """The text of each token: a multiword token's surface form in place of its words."""
    return [surface for _, _, surface in token_spans(words, ranges)]


def _checked_range(item: Any, n_words: int, where: str) -> tuple[int, int, str]:
    """(first, last, surface) of one `multiword_tokens` item; a GoldError when it is not one."""
    try:
        first, last, surface = item
        if isinstance(surface, str) and 0 <= int(first) <= int(last) < n_words:
            return int(first), int(last), surface
    except (TypeError, ValueError):
        pass
    raise GoldError(f"{where}: multiword token {item!r} is not a (first word, last word, surface form) range "
                    f"inside the {n_words} words")


def annotation_words(doc: Any) -> tuple[list[str], list[bool], list[tuple[int, int, str]]]:
    """(words, spaces, multiword_tokens) of a Doc as an annotation dict has them: the word forms,
    the words of a token that they do not spell spaced apart (see the module docstring)."""
    spans = doc.multiword_tokens
    if not spans:
        return doc.words, doc.spaces, []
    words, spaces = doc.forms, doc.spaces
    ranges = []
    for span in spans:
        first, last = span.start, span.end - 1
        apart = "".join(words[first : last + 1]) != span.text
        for k in range(first, last):
            spaces[k] = apart
        ranges.append((first, last, span.text))
    return words, spaces, ranges


def tokens_of(doc: Any) -> Any:
    """A new Doc with the tokens of `doc` (texts, spaces, word forms, multiword tokens) and no
    annotation: the predicted side of an Example trained on gold words."""
    from nlp_vocab import Doc

    if not doc.multiword_tokens:
        return Doc(doc.vocab, words=doc.words, spaces=doc.spaces)
    ranges = [(span.start, span.end - 1, span.text) for span in doc.multiword_tokens]
    return Doc(doc.vocab, words=doc.forms, spaces=doc.spaces, multiword_tokens=ranges)


def shifted_ranges(sentences: Sequence[dict]) -> list[tuple[int, int, str]] | None:
    """The multiword tokens of consecutive sentences merged into one dict, their word indices
    shifted; None when none of them has the key."""
    if not any("multiword_tokens" in s for s in sentences):
        return None
    out = []
    offset = 0
    for sentence in sentences:
        out.extend((a + offset, b + offset, form) for a, b, form in sentence.get("multiword_tokens") or ())
        offset += len(sentence["words"])
    return out


def learn_expansions(docs: Iterable[Any], min_count: int = 1) -> dict[str, list[str]]:
    """The tokenizer expansions a treebank teaches, from its gold Docs: lower-case surface form ->
    its words (lower-cased), for each multiword token whose words do not spell it, seen at least
    `min_count` times (the default: all), that stands for those words in most of its occurrences
    (more often than it is a word of its own or other words)."""
    seen: Counter = Counter()
    plain: Counter = Counter()
    for doc in docs:
        expanded = _count_multiwords(doc, seen)
        plain.update(word.lower() for i, word in enumerate(doc.words) if i not in expanded)
    per_surface: Counter = Counter()
    for (surface, _), count in seen.items():
        per_surface[surface] += count
    out: dict[str, list[str]] = {}
    for (surface, words), count in seen.most_common():
        if surface not in out and count >= min_count and 2 * count > per_surface[surface] + plain[surface]:
            out[surface] = list(words)
    return dict(sorted(out.items()))


def _count_multiwords(doc: Any, seen: Counter) -> set[int]:
    """Count each multiword token of a Doc whose words do not spell it as (surface, words),
    lower-cased; the token indices of every multiword token."""
    from nlp_vocab.multiword import can_split

    covered: set[int] = set()
    spans = doc.multiword_tokens
    forms = doc.forms if spans else ()
    for span in spans:
        words = tuple(w.lower() for w in forms[span.start : span.end])
        if "".join(words) != span.text.lower() and can_split(span.text.lower(), words):
            seen[span.text.lower(), words] += 1
        covered.update(range(span.start, span.end))
    return covered
