"""Multiword tokens whose words do not spell their surface form: Spanish "al" = "a" + "el",
Finnish "ettei" = "että" + "ei".

A Doc's tokens always spell its text, so such a token is stored as one token per word, each
holding a piece of the surface form ("a" + "l") and its word form ("el"); `split_surface` chooses
the pieces. The MULTIWORD attribute groups the words of one multiword token: its first word holds
the number of words k, the others -1 .. -(k - 1), their distance from the first; 0 outside any.
A group cut short (a span, a merge) is seen as incomplete by `complete_groups` and dropped.

The tokenizer's expansions (surface form -> words) are data: `check_expansions` validates them,
`cased_words` carries a capitalised or upper-case surface form over to the words ("Al" ->
"A" "el").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy

#: Longest surface form searched exhaustively for its best pieces (longer: by word lengths).
_SEARCHED = 32


def _shared_ends(piece: str, word: str) -> int:
    """Characters a piece shares with its word at the start plus at the end (case ignored)."""
    a, b = piece.lower(), word.lower()
    n = min(len(a), len(b))
    start = 0
    while start < n and a[start] == b[start]:
        start += 1
    end = 0
    while end < n and a[-1 - end] == b[-1 - end]:
        end += 1
    return start + end


def can_split(surface: str, words: Sequence[str]) -> bool:
    """Whether `surface` can hold `words` as pieces: at least two words, no whitespace, and a
    character or more for each."""
    return (len(words) >= 2 and len(surface) >= len(words) and all(words)
            and not any(ch.isspace() for ch in surface))


def split_surface(surface: str, words: Sequence[str]) -> list[str]:
    """The pieces of `surface`, one non-empty piece per word in order, that best match the
    words: each piece shares as many characters as it can with its word at both ends ("al",
    ["a", "el"] -> ["a", "l"]; "ettei", ["että", "ei"] -> ["ett", "ei"]); on a tie the earlier
    words keep longer pieces ("del" -> "de" "l"). Words that spell the surface are their own
    pieces. ValueError when `can_split` says no."""
    if not can_split(surface, words):
        raise ValueError(f"multiword token {surface!r} cannot be split into the {len(words)} words {list(words)!r}")
    if "".join(words) == surface:
        return list(words)
    if len(surface) > _SEARCHED:
        return _proportional(surface, words)
    return _best_pieces(surface, words)


def _best_pieces(surface: str, words: Sequence[str]) -> list[str]:
    """The dynamic programme of `split_surface`: best[k][i] = best score of words[:k] on
    surface[:i], choosing the latest cut on ties."""
    n, length = len(words), len(surface)
    best = [[-1] * (length + 1) for _ in range(n + 1)]
    cut = [[0] * (length + 1) for _ in range(n + 1)]
    best[0][0] = 0
    for k in range(1, n + 1):
        for i in range(k, length - (n - k) + 1):
            for j in range(k - 1, i):
                if best[k - 1][j] < 0:
                    continue
                score = best[k - 1][j] + _shared_ends(surface[j:i], words[k - 1])
                if score >= best[k][i]:
                    best[k][i], cut[k][i] = score, j
    pieces = []
    end = length
    for k in range(n, 0, -1):
        start = cut[k][end]
        pieces.append(surface[start:end])
        end = start
    return pieces[::-1]


def _proportional(surface: str, words: Sequence[str]) -> list[str]:
    """Pieces of a long surface form in proportion to the words' lengths (each at least one
    character)."""
    total = sum(len(w) for w in words)
    pieces = []
    start = 0
    for k, word in enumerate(words[:-1]):
        left = len(words) - k - 1  # characters the later words need at least
        end = max(start + 1, min(len(surface) - left, start + round(len(surface) * len(word) / total)))
        pieces.append(surface[start:end])
        start = end
    pieces.append(surface[start:])
    return pieces


def cased_words(surface: str, words: Sequence[str]) -> list[str] | None:
    """The words of an expansion given for the lower-case form of `surface`, in the case of
    `surface`: all upper case ("AL" -> "A" "EL") or a capital first letter ("Al" -> "A" "el");
    None for any other mix ("aL")."""
    if surface.isupper():
        return [w.upper() for w in words]
    if surface[:1].isupper() and not surface[1:].isupper() and surface[1:] == surface[1:].lower():
        first = words[0]
        return [first[:1].upper() + first[1:], *words[1:]]
    return None


def check_expansions(expansions: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Expansions as surface form -> tuple of words; ValueError naming the first bad entry."""
    table = {}
    for surface, words in (expansions or {}).items():
        if not isinstance(surface, str) or not surface:
            raise ValueError(f"Tokenizer: expansion key must be a non-empty string, got {surface!r}")
        if isinstance(words, str) or not isinstance(words, Sequence) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"Tokenizer: expansion {surface!r}: the words must be a list of strings, got {words!r}")
        if any(ch.isspace() for w in words for ch in w):
            raise ValueError(f"Tokenizer: expansion {surface!r}: a word contains whitespace: {list(words)!r}")
        if not can_split(surface, words):
            raise ValueError(f"Tokenizer: expansion {surface!r}: needs two or more non-empty words, no more than "
                             f"its characters, and no whitespace in it; got {list(words)!r}")
        table[surface] = tuple(words)
    return table


def expand_words(words: Sequence[str], spaces: Sequence[bool], ranges: Sequence[Sequence]) -> tuple[list, list, list, list]:
    """The tokens of a Doc given its words and multiword tokens `ranges` ((first word, last word,
    surface form), 0-based, inclusive): (texts, spaces, word forms or None, MULTIWORD values).
    A multiword token's words hold the pieces of its surface form, no space inside, the space
    after its last word. ValueError for a range out of order, outside the words or unsplittable."""
    texts, out_spaces = list(words), [bool(s) for s in spaces]
    forms: list = [None] * len(words)
    groups = [0] * len(words)
    previous_end = -1
    for number, item in enumerate(ranges):
        try:
            first, last, surface = item
            first, last = int(first), int(last)
        except (TypeError, ValueError):
            raise ValueError(f"Doc: multiword_tokens[{number}] must be (first word, last word, surface form), got {item!r}") from None
        if not previous_end < first < last < len(words) or not isinstance(surface, str):
            raise ValueError(f"Doc: multiword token {item!r} overlaps another, lies outside the {len(words)} words, "
                             "or has fewer than two words (ranges are 0-based, inclusive, in order)")
        span = list(words[first : last + 1])
        for k, piece in enumerate(split_surface(surface, span)):
            texts[first + k] = piece
            forms[first + k] = None if piece == span[k] else span[k]
            groups[first + k] = len(span) if k == 0 else -k
            out_spaces[first + k] = False if first + k < last else out_spaces[last]
        previous_end = last
    return texts, out_spaces, forms, groups


def group_problem(values: Sequence[int]) -> str | None:
    """What is wrong with a MULTIWORD column (see the module docstring), or None."""
    k = 0
    while k < len(values):
        size = int(values[k])
        if size == 0:
            k += 1
            continue
        if size < 2 or k + size > len(values):
            return f"token {k} starts a multiword token of {size} words, which does not fit"
        for d in range(1, size):
            if int(values[k + d]) != -d:
                return f"token {k + d} has MULTIWORD {int(values[k + d])}, expected {-d} (word {d + 1} of {size})"
        k += size
    return None


def complete_groups(values: numpy.ndarray) -> numpy.ndarray:
    """A copy of a MULTIWORD column (int64) with every incomplete group set to 0."""
    out = numpy.zeros_like(values)
    k, n = 0, len(values)
    while k < n:
        size = int(values[k])
        if size >= 2 and k + size <= n and all(int(values[k + d]) == -d for d in range(1, size)):
            out[k : k + size] = values[k : k + size]
            k += size
        else:
            k += 1
    return out


def drop_incomplete(array: numpy.ndarray, form_col: int, group_col: int) -> None:
    """In a uint64 attribute array, undo every incomplete multiword token (cut by a span or a
    merge): its words lose their MULTIWORD value and their word form (0: the text)."""
    values = array[:, group_col].view(numpy.int64)
    whole = complete_groups(values)
    dropped = (values != 0) & (whole == 0)
    if dropped.any():
        array[:, group_col] = whole.view(numpy.uint64)
        if form_col >= 0:
            array[dropped, form_col] = 0
