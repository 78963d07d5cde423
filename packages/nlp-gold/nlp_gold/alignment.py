"""Alignment of predicted tokens to gold words by characters, whitespace ignored.

Both tokenizations must spell the same text once whitespace is removed. A token and a word are
aligned when they share a character. One-to-one pairs carry annotation directly; a gold word split
into several tokens, or several words merged into one token, need the rules in `example.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import AlignmentError

CONTEXT = 20


def _strip(word: str) -> str:
    return "".join(word.split()) if not word.isalnum() else word


def spells(text: str, words: Sequence[str]) -> bool:
    """Whether `text` holds the characters of `words` in order, whitespace aside: only then can
    a tokenizer's tokens of `text` be aligned with the words (an expanded contraction, "al" read
    as "a" + "el", cannot; a gold Doc made with its multiword token holds the pieces "a" + "l"
    instead, which can: see nlp_gold.multiword)."""
    return "".join(text.split()) == "".join(_strip(w) for w in words)


def _spaces_from_text(words: Sequence[str], text: str | None) -> list[bool]:
    """Whether each word is followed by whitespace in `text`, found by matching the words in
    order; a single space after every word when the text is empty or the words do not match it."""
    if not text:
        return [True] * len(words)
    spaces = []
    pos = 0
    for word in words:
        found = text.find(word, pos)
        if found < 0 or text[pos:found].strip():
            return [True] * len(words)
        pos = found + len(word)
        spaces.append(pos < len(text) and text[pos].isspace())
    return spaces


def _ends(parts: list[str]) -> list[int]:
    ends = []
    total = 0
    for part in parts:
        total += len(part)
        ends.append(total)
    return ends


def _first_difference(a: str, b: str) -> int:
    n = min(len(a), len(b))
    for k in range(n):
        if a[k] != b[k]:
            return k
    return n


class Alignment:
    """Maps between predicted tokens (x) and gold words (y).

    `x2y[i]` lists the gold words that share characters with token i, `y2x[j]` the tokens of word
    j; `x2y_one[i]` is the word aligned one-to-one with token i, or -1 (and `y2x_one` likewise).
    """

    __slots__ = ("x2y", "y2x", "x2y_one", "y2x_one", "identity")

    def __init__(self, x2y: list[list[int]], y2x: list[list[int]], identity: bool = False):
        self.x2y = x2y
        self.y2x = y2x
        self.identity = identity
        self.x2y_one = [ys[0] if len(ys) == 1 and len(y2x[ys[0]]) == 1 else -1 for ys in x2y]
        self.y2x_one = [xs[0] if len(xs) == 1 and len(x2y[xs[0]]) == 1 else -1 for xs in y2x]

    @classmethod
    def from_words(cls, x_words: Sequence[str], y_words: Sequence[str], where: str = "") -> Alignment:
        """Align two tokenizations of one text; raises AlignmentError if the texts differ."""
        if list(x_words) == list(y_words):
            x2y = [[] if not _strip(w) else [i] for i, w in enumerate(x_words)]
            return cls(x2y, [list(v) for v in x2y], identity=all(x2y))
        xs = [_strip(w) for w in x_words]
        ys = [_strip(w) for w in y_words]
        x_text = "".join(xs)
        y_text = "".join(ys)
        if x_text != y_text:
            k = _first_difference(x_text, y_text)
            prefix = f"{where}: " if where else ""
            raise AlignmentError(
                f"{prefix}predicted and gold texts differ at non-space character {k}: "
                f"predicted {x_text[max(0, k - CONTEXT):k + CONTEXT]!r} vs gold {y_text[max(0, k - CONTEXT):k + CONTEXT]!r}"
            )
        x2y: list[list[int]] = [[] for _ in xs]
        y2x: list[list[int]] = [[] for _ in ys]
        x_ends = _ends(xs)
        y_ends = _ends(ys)
        i = j = 0
        nx, ny = len(xs), len(ys)
        while i < nx and j < ny:
            if not xs[i]:
                i += 1
                continue
            if not ys[j]:
                j += 1
                continue
            x2y[i].append(j)
            y2x[j].append(i)
            if x_ends[i] < y_ends[j]:
                i += 1
            elif y_ends[j] < x_ends[i]:
                j += 1
            else:
                i += 1
                j += 1
        return cls(x2y, y2x)

    def __len__(self) -> int:
        return len(self.x2y)
