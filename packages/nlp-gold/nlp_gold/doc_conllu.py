"""A Doc's predictions as CoNLL-U sentences: the annotation dicts `write_conllu` writes and
`read_conllu(..., multiword_tokens=True)` reads back, with every column the Doc has (lemma, UPOS,
XPOS, features, head, relation, entities) and its sentence boundaries.

Multiword tokens. The Doc's own multiword tokens (a tokenizer expansion: Spanish "al" = "a" + "el",
Finnish "ettei" = "että" + "ei"; see nlp_vocab.multiword) are written as they are: the range line
with the surface form, the word lines with the word forms. Beside them, what our tokenizer splits
inside one whitespace-free chunk is written as UD writes it: the pieces of a fused form (a special
case of several pieces: "don't" -> "do" "n't", "gonna", "cannot") and a word with the clitics
split off after it by an apostrophe ("Arafat's", "we'll") make one multiword token, whose surface
form is their concatenation; punctuation split off a word ("Hello,") stays a token of its own.
The sentence dicts follow the reader's conventions, so that it reads back what is written.

Whitespace tokens (a run of spaces or a newline in the raw text) are not words: they are left
out, their words' spacing says there was whitespace, and a word attached to one is attached to
its head instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

from .biluo import MISSING
from .conllu import EMPTY_FEATS, raw_text, sentence_text
from .docdata import doc_to_annotations

#: An apostrophe clitic split off the end of a word: 's 're 'll 've 'm 'd and n't.
CLITIC = re.compile(r"(?i:['’‘`](?:s|re|ll|ve|m|d)|n['’‘`]t)")
_WORD_KEYS = ("tags", "pos", "lemmas", "deps")
_ENTITY_OPEN = ("B-", "I-")
_ENTITY_CLOSE = ("I-", "L-")


def fused_forms(exceptions: Mapping[str, Sequence[Mapping[str, str]]]) -> frozenset[tuple[str, ...]]:
    """The pieces of each special case of several pieces of a tokenizer (`tokenizer.exceptions`):
    the fused forms whose words make one multiword token."""
    return frozenset(tuple(piece["ORTH"] for piece in pieces) for pieces in exceptions.values() if len(pieces) > 1)


def _fused_end(words: Sequence[str], spaces: Sequence[bool], i: int, fused: Collection[tuple[str, ...]],
               longest: int) -> int:
    """The last word of the longest fused form starting at word `i` (`i` when none does)."""
    for size in range(min(longest, len(words) - i), 1, -1):
        if not any(spaces[i : i + size - 1]) and tuple(words[i : i + size]) in fused:
            return i + size - 1
    return i


def _clitic_end(words: Sequence[str], spaces: Sequence[bool], i: int) -> int:
    """The last of the clitics glued after word `i` (`i` when none is, or word `i` has no letter)."""
    if not any(c.isalpha() for c in words[i]):
        return i
    end = i
    while end + 1 < len(words) and not spaces[end] and CLITIC.fullmatch(words[end + 1]):
        end += 1
    return end


@lru_cache(maxsize=16)
def _longest(fused: frozenset[tuple[str, ...]]) -> int:
    """The most words of a fused form (computed once per tokenizer's forms, not per sentence)."""
    return max((len(form) for form in fused), default=0)


def multiword_ranges(words: Sequence[str], spaces: Sequence[bool],
                     fused: Collection[tuple[str, ...]] = frozenset()) -> list[tuple[int, int]]:
    """(first, last) word of each multiword token (0-based, inclusive): runs of words with no
    space between them that are a fused form (`fused_forms`) or a word and its apostrophe
    clitics (see the module docstring)."""
    longest = _longest(fused) if isinstance(fused, frozenset) else _longest(frozenset(fused))
    out = []
    i = 0
    while i < len(words) - 1:
        end = _fused_end(words, spaces, i, fused, longest)
        if end == i:
            end = _clitic_end(words, spaces, i)
        if end > i:
            out.append((i, end))
        i = end + 1
    return out


def has_sentences(doc: Any) -> bool:
    """Whether the Doc has sentence boundaries (sentence starts, or a parse)."""
    return len(doc) > 0 and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP"))


def doc_sentences(doc: Any, fused: Collection[tuple[str, ...]] = frozenset()) -> list[dict]:
    """The CoNLL-U sentence dicts of a Doc: one per sentence of `doc.sents` (the whole Doc is one
    sentence when it has no boundaries), multiword tokens found with `fused` (`fused_forms` of
    the tokenizer that made the Doc)."""
    starts = [sent.start for sent in doc.sents] if has_sentences(doc) else [0]
    return annotation_sentences(doc_to_annotations(doc), starts, fused)


def annotation_sentences(annot: Mapping[str, Any], starts: Sequence[int],
                         fused: Collection[tuple[str, ...]] = frozenset()) -> list[dict]:
    """Cut the annotation dict of a whole Doc (`doc_to_annotations`'s keys; heads absolute)
    into CoNLL-U sentence dicts at the word indices `starts`; sentences of whitespace only are
    left out."""
    n = len(annot["words"])
    bounds = sorted(set(starts) | {0})
    out = []
    for start, end in zip(bounds, bounds[1:] + [n]):
        kept = [k for k in range(start, end) if not annot["words"][k].isspace()]
        if kept:
            out.append(_sentence(annot, kept, range(start, end), fused))
    return out


def _sentence(annot: Mapping[str, Any], kept: list[int], span: range, fused: Collection[tuple[str, ...]]) -> dict:
    """The sentence dict of the words `kept` (whitespace left out) of the sentence `span`."""
    words = annot["words"]
    new = {old: i for i, old in enumerate(kept)}
    spaces = [bool(annot["spaces"][k]) or (k + 1 < len(words) and words[k + 1].isspace()) for k in kept]
    spaces[-1] = False  # as the reader: a sentence's text ends at its last word
    out: dict = {"words": [words[k] for k in kept], "spaces": spaces}
    for key in _WORD_KEYS:
        values = annot.get(key)
        out[key] = [None if values is None or values[k] in (None, "") else values[k] for k in kept]
    morphs = annot.get("morphs")
    out["morphs"] = [EMPTY_FEATS if morphs is None or morphs[k] in (None, "") else morphs[k] for k in kept]
    out["heads"] = [_head(annot.get("heads"), words, k, span, new) for k in kept]
    out["sent_starts"] = [i == 0 for i in range(len(kept))]
    entities = _entities([(annot.get("entities") or [MISSING] * len(words))[k] for k in kept])
    if entities is not None:
        out["entities"] = entities
    out["multiword_tokens"] = _ranges(annot, new, out["words"], spaces, fused)
    respelled = any("".join(out["words"][a : b + 1]) != form for a, b, form in out["multiword_tokens"])
    out["text"] = sentence_text(out) if respelled else raw_text(out)  # the reader's `text`
    return out


def _ranges(annot: Mapping[str, Any], new: Mapping[int, int], words: Sequence[str], spaces: Sequence[bool],
            fused: Collection[tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """The sentence's multiword tokens: the Doc's own (`annot["multiword_tokens"]`, renumbered
    by `new`), and the fused forms and clitics found among the other words."""
    own = [(new[a], new[b], form) for a, b, form in annot.get("multiword_tokens") or () if a in new]
    taken = {k for a, b, _ in own for k in range(a, b + 1)}
    found = [(a, b, "".join(words[a : b + 1])) for a, b in multiword_ranges(words, spaces, fused)
             if not taken.intersection(range(a, b + 1))]
    return sorted(own + found)


def _head(heads: Sequence[int | None] | None, words: Sequence[str], k: int, span: range,
          new: Mapping[int, int]) -> int | None:
    """The head of word `k` among the kept words: past whitespace tokens to their head (a word
    under a whitespace root becomes a root); None when unknown or outside the sentence."""
    if heads is None or heads[k] is None:
        return None
    h = heads[k]
    for _ in range(len(span)):
        if h not in span or h in new or heads[h] is None or heads[h] == h:
            break
        h = heads[h]
    if h in new:
        return new[h]
    if h in span and words[h].isspace() and heads[h] == h:
        return new[k]
    return None


def _entities(tags: list[str | None]) -> list[str] | None:
    """The sentence's BILUO tags made whole again where the sentence boundary or a left-out
    whitespace token cut an entity; None when it has no entity ("-" reads as "O")."""
    tags = ["O" if t in (None, MISSING) else t for t in tags]
    if all(t == "O" for t in tags):
        return None
    links = [_continues(a, b) for a, b in zip(tags, tags[1:])] + [False]
    out = []
    for k, tag in enumerate(tags):
        if tag == "O":
            out.append(tag)
            continue
        inside, goes_on = k > 0 and links[k - 1], links[k]
        prefix = ("I-" if goes_on else "L-") if inside else ("B-" if goes_on else "U-")
        out.append(prefix + tag[2:])
    return out


def _continues(tag: str, following: str) -> bool:
    """Whether `following` continues the entity of `tag` (same label, an open then a closing tag)."""
    return tag[:2] in _ENTITY_OPEN and following[:2] in _ENTITY_CLOSE and tag[2:] == following[2:]
