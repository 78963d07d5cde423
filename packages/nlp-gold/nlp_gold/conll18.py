"""The CoNLL 2018 shared task's evaluation (Zeman et al. 2018) of a system that parses raw text.

A raw-text system makes its own tokens, words and sentences, so nothing can be scored per gold
word. Both sides are laid over the characters of their tokens with whitespace removed (those
texts must be equal); a token or a sentence is right when its character span is a gold one's;
words are aligned: a word outside every multiword token by its span, the words inside one by the
longest common subsequence of their lowercased forms within the smallest stretch of words that
holds whole every multiword token it touches, gold or system. The other metrics count the aligned
words whose values agree. Each metric has P (over the system's words), R (over the gold's) and
F1, the main figure, in percent; 0 where neither side has anything to count.

The definitions follow the official script (conll18_ud_eval.py), so figures compare:
- UFeats keeps the universal features only (UNIVERSAL_FEATURES, sorted); AllTags is UPOS, XPOS
  and those features together;
- a relation is compared on its universal part (before ":");
- a head is right when the system's head word is aligned to the gold head word (a root to a root);
- CLAS, MLAS and BLEX count content words only (CONTENT_DEPRELS): MLAS adds UPOS, UFeats and every
  functional child's (FUNCTIONAL_DEPRELS) head, relation, UPOS and UFeats; BLEX adds the lemma;
- where the gold lemma is "_" (unknown), any system lemma is right.

Input: one annotation dict per sentence, as `read_conllu(path, multiword_tokens=True)` yields:
`words` and, where known, `pos` (UPOS), `tags` (XPOS), `morphs`, `lemmas`, `heads`, `deps` and
`multiword_tokens` ([(first word, last word, surface form)], 0-based, inclusive); without that
key each word is a token of its own. A missing value (None) compares as "_". Our reader puts UPOS
in `tags` where XPOS is "_", so XPOS is then scored on those UPOS values (on both sides).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .alignment import CONTEXT, _first_difference, _strip
from .conllu import read_conllu
from .errors import AlignmentError, GoldError

#: The metrics, in the official script's order.
CONLL18_METRICS = ("Tokens", "Sentences", "Words", "UPOS", "XPOS", "UFeats", "AllTags", "Lemmas",
                   "UAS", "LAS", "CLAS", "MLAS", "BLEX")

CONTENT_DEPRELS = frozenset((
    "nsubj", "obj", "iobj", "csubj", "ccomp", "xcomp", "obl", "vocative", "expl", "dislocated",
    "advcl", "advmod", "discourse", "nmod", "appos", "nummod", "acl", "amod", "conj", "fixed", "flat",
    "compound", "list", "parataxis", "orphan", "goeswith", "reparandum", "root", "dep",
))
FUNCTIONAL_DEPRELS = frozenset(("aux", "cop", "mark", "det", "clf", "case", "cc"))
UNIVERSAL_FEATURES = frozenset((
    "PronType", "NumType", "Poss", "Reflex", "Foreign", "Abbr", "Gender", "Animacy", "Number", "Case",
    "Definite", "Degree", "VerbForm", "Mood", "Tense", "Aspect", "Voice", "Evident", "Polarity",
    "Person", "Polite",
))

#: Head references that are not word indices.
ROOT = "<root>"
UNKNOWN = "_"
UNALIGNED = "<unaligned>"


@dataclass(slots=True)
class _Word:
    """A syntactic word: its form, its characters (its whole token's when part of a multiword
    token), the values the metrics compare, and its head and functional children as indices into
    its side's words."""

    form: str
    start: int
    end: int
    multiword: bool
    upos: str
    xpos: str
    feats: str
    lemma: str
    deprel: str
    head: int | str = UNKNOWN
    children: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Side:
    """One side (gold or system): its text without whitespace, token and sentence spans over it,
    its words, and where each sentence comes from (for error messages)."""

    name: str
    pieces: list[str] = field(default_factory=list)
    length: int = 0
    tokens: list[tuple[int, int]] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    words: list[_Word] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def origin_of(self, offset: int) -> str:
        """Which sentence holds character `offset` (or ends just before it)."""
        if not self.sentences:
            return f"{self.name} has no words"
        k = bisect.bisect_right([start for start, _ in self.sentences], offset) - 1
        return self.origins[max(k, 0)]


def _text(value: Any) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


def universal_feats(feats: str | None) -> str:
    """The universal features of a FEATS value, sorted and joined by "|" ("" when none)."""
    kept = [f for f in _text(feats).split("|") if f.partition("=")[0] in UNIVERSAL_FEATURES]
    return "|".join(sorted(kept))


def _token_ranges(annot: dict, n: int, where: str) -> dict[int, tuple[int, str]]:
    """First word -> (last word, surface form) of each multiword token of a sentence."""
    out: dict[int, tuple[int, str]] = {}
    prev_last = -1
    for first, last, form in sorted(annot.get("multiword_tokens") or ()):
        if not prev_last < first <= last < n:
            raise GoldError(f"{where}: multiword token {form!r} (words {first + 1}-{last + 1}) overlaps "
                            f"another or lies outside the sentence's {n} words")
        out[first] = (last, form)
        prev_last = last
    return out


def _columns(annot: dict, n: int, where: str) -> dict[str, list]:
    """The per-word values of a sentence, None where a column is absent."""
    out = {}
    for key in ("pos", "tags", "morphs", "lemmas", "deps", "heads"):
        values = annot.get(key)
        if values is not None and len(values) != n:
            raise GoldError(f"{where}: '{key}' has {len(values)} values for {n} words")
        out[key] = [None] * n if values is None else list(values)
    return out


def _make_word(columns: dict[str, list], k: int, form: str, span: tuple[int, int], multiword: bool) -> _Word:
    return _Word(form=form, start=span[0], end=span[1], multiword=multiword,
                 upos=_text(columns["pos"][k]), xpos=_text(columns["tags"][k]),
                 feats=universal_feats(columns["morphs"][k]), lemma=_text(columns["lemmas"][k]),
                 deprel=_text(columns["deps"][k]).split(":")[0])


def _add_sentence(side: _Side, annot: dict, where: str) -> None:
    """Lay one sentence's tokens and words over the side's text."""
    if "words" not in annot:
        raise GoldError(f"{where}: the sentence has no 'words'")
    words = annot["words"]
    n = len(words)
    if not n:
        return
    columns = _columns(annot, n, where)
    ranges = _token_ranges(annot, n, where)
    base, start = len(side.words), side.length
    k = 0
    while k < n:
        last, surface = ranges.get(k, (k, words[k]))
        chars = _strip(str(surface))
        if not chars:
            raise GoldError(f"{where}: token {k + 1} {surface!r} is empty once whitespace is removed")
        span = (side.length, side.length + len(chars))
        side.pieces.append(chars)
        side.length = span[1]
        side.tokens.append(span)
        multiword = k in ranges
        for j in range(k, last + 1):
            form = _strip(str(words[j])) if multiword else chars
            side.words.append(_make_word(columns, j, form, span, multiword))
        k = last + 1
    side.sentences.append((start, side.length))
    side.origins.append(where)
    _link_heads(side.words, base, columns["heads"], where)


def _link_heads(words: list[_Word], base: int, heads: list, where: str) -> None:
    """Set the heads of a sentence's words (starting at `base`) and their parents' functional children."""
    n = len(heads)
    for k, head in enumerate(heads):
        word = words[base + k]
        try:
            h = None if head is None else operator.index(head)
        except TypeError:
            raise GoldError(f"{where}: head {head!r} of word {k + 1} is not a word index") from None
        if h is None:
            continue
        if not 0 <= h < n:
            raise GoldError(f"{where}: head {h} of word {k + 1} is outside the sentence's {n} words")
        word.head = ROOT if h == k else base + h
    for k in range(n):
        word = words[base + k]
        if isinstance(word.head, int) and word.deprel in FUNCTIONAL_DEPRELS:
            words[word.head].children.append(base + k)


def _read_side(sentences: Iterable[dict], name: str) -> _Side:
    side = _Side(name)
    for index, annot in enumerate(sentences):
        line = annot.get("line")
        _add_sentence(side, annot, f"{name} sentence {index + 1}" + ("" if line is None else f" (line {line})"))
    return side


def _check_same_text(gold: _Side, system: _Side) -> None:
    """An AlignmentError naming the first character where the two texts (whitespace removed) differ."""
    g_text, s_text = gold.text, system.text
    if g_text == s_text:
        return
    k = _first_difference(g_text, s_text)
    around = slice(max(0, k - CONTEXT), k + CONTEXT)
    raise AlignmentError(f"{gold.name} and {system.name} texts differ at non-space character {k} ({gold.origin_of(k)}; "
                         f"{system.origin_of(k)}): gold {g_text[around]!r} vs system {s_text[around]!r}")


def _lcs_pairs(gold: list[str], system: list[str]) -> list[tuple[int, int]]:
    """The (gold, system) index pairs of one longest common subsequence of two lists of forms:
    a table of the suffixes' LCS lengths, walked from the front, taking equal forms at once and
    otherwise skipping a gold form whenever that loses nothing."""
    ng, ns = len(gold), len(system)
    best = [[0] * (ns + 1) for _ in range(ng + 1)]
    for g in range(ng - 1, -1, -1):
        for s in range(ns - 1, -1, -1):
            best[g][s] = best[g + 1][s + 1] + 1 if gold[g] == system[s] else max(best[g + 1][s], best[g][s + 1])
    pairs = []
    g = s = 0
    while g < ng and s < ns:
        if gold[g] == system[s]:
            pairs.append((g, s))
            g, s = g + 1, s + 1
        elif best[g + 1][s] >= best[g][s + 1]:
            g += 1
        else:
            s += 1
    return pairs


def _inside(words: list[_Word], i: int, end: int) -> bool:
    """Whether word i belongs to a multiword stretch ending at `end`: a multiword token's word if it
    starts before the end, any other word if it ends by then."""
    if i >= len(words):
        return False
    word = words[i]
    return word.start < end if word.multiword else word.end <= end


def _multiword_stretch(gold: list[_Word], system: list[_Word], gi: int, si: int) -> tuple[int, int, int, int]:
    """The smallest stretch of words from gold word gi and system word si (one of them inside a
    multiword token) that holds whole every multiword token in it: (gold start, system start,
    gold end, system end). A plain word that starts before the first token stays outside."""
    if gold[gi].multiword:
        end = gold[gi].end
        if not system[si].multiword and system[si].start < gold[gi].start:
            si += 1
    else:
        end = system[si].end
        if gold[gi].start < system[si].start:
            gi += 1
    gs, ss = gi, si
    while _inside(gold, gi, end) or _inside(system, si, end):
        if gi < len(gold) and (si >= len(system) or gold[gi].start <= system[si].start):
            word, gi = gold[gi], gi + 1
        else:
            word, si = system[si], si + 1
        if word.multiword:
            end = max(end, word.end)
    return gs, ss, gi, si


def _align(gold: list[_Word], system: list[_Word]) -> dict[int, int]:
    """System word index -> gold word index, for every aligned pair of words."""
    pairs: dict[int, int] = {}
    gi = si = 0
    while gi < len(gold) and si < len(system):
        g, s = gold[gi], system[si]
        if g.multiword or s.multiword:
            gs, ss, gi, si = _multiword_stretch(gold, system, gi, si)
            forms = ([w.form.lower() for w in gold[gs:gi]], [w.form.lower() for w in system[ss:si]])
            for a, b in _lcs_pairs(*forms):
                pairs[ss + b] = gs + a
        elif (g.start, g.end) == (s.start, s.end):
            pairs[si] = gi
            gi, si = gi + 1, si + 1
        elif g.start <= s.start:
            gi += 1
        else:
            si += 1
    return pairs


def _prf(correct: int, n_gold: int, n_system: int) -> dict[str, float]:
    return {
        "p": 100.0 * correct / n_system if n_system else 0.0,
        "r": 100.0 * correct / n_gold if n_gold else 0.0,
        "f": 200.0 * correct / (n_gold + n_system) if n_gold + n_system else 0.0,
    }


def _span_score(gold: list[tuple[int, int]], system: list[tuple[int, int]]) -> dict[str, float]:
    return _prf(len(set(gold) & set(system)), len(gold), len(system))


class _View:
    """One side's words, naming any word (a head, a child) by the gold word it stands for."""

    __slots__ = ("words", "to_gold")

    def __init__(self, words: list[_Word], to_gold: dict[int, int] | None):
        self.words = words
        self.to_gold = to_gold

    def ref(self, index: int | str) -> int | str:
        if isinstance(index, str) or self.to_gold is None:
            return index
        return self.to_gold.get(index, UNALIGNED)


#: What a metric compares: f(view, word, the gold word aligned with it) -> a value.
KeyFn = Callable[[_View, _Word, _Word], Any]


def _lemma(view: _View, word: _Word, gold_word: _Word) -> str:
    return UNKNOWN if gold_word.lemma == UNKNOWN else word.lemma


def _attachment(view: _View, word: _Word, gold_word: _Word) -> tuple:
    return view.ref(word.head), word.deprel


def _morpho_attachment(view: _View, word: _Word, gold_word: _Word) -> tuple:
    children = tuple((view.ref(c), child.deprel, child.upos, child.feats)
                     for c in word.children for child in (view.words[c],))
    return _attachment(view, word, gold_word) + (word.upos, word.feats, children)


def _bilexical_attachment(view: _View, word: _Word, gold_word: _Word) -> tuple:
    return _attachment(view, word, gold_word) + (_lemma(view, word, gold_word),)


#: Metric -> (what it compares, None for the alignment itself; whether content words only count).
_ALIGNED_METRICS: dict[str, tuple[KeyFn | None, bool]] = {
    "Words": (None, False),
    "UPOS": (lambda v, w, g: w.upos, False),
    "XPOS": (lambda v, w, g: w.xpos, False),
    "UFeats": (lambda v, w, g: w.feats, False),
    "AllTags": (lambda v, w, g: (w.upos, w.xpos, w.feats), False),
    "Lemmas": (_lemma, False),
    "UAS": (lambda v, w, g: v.ref(w.head), False),
    "LAS": (_attachment, False),
    "CLAS": (_attachment, True),
    "MLAS": (_morpho_attachment, True),
    "BLEX": (_bilexical_attachment, True),
}


def _aligned_score(gold: _View, system: _View, pairs: dict[int, int], key: KeyFn | None,
                   content_only: bool) -> dict[str, float]:
    def counted(word: _Word) -> bool:
        return not content_only or word.deprel in CONTENT_DEPRELS

    correct = 0
    for s, g in pairs.items():
        g_word, s_word = gold.words[g], system.words[s]
        if counted(g_word) and (key is None or key(gold, g_word, g_word) == key(system, s_word, g_word)):
            correct += 1
    return _prf(correct, sum(map(counted, gold.words)), sum(map(counted, system.words)))


def conll18_scores(gold_sentences: Iterable[dict], system_sentences: Iterable[dict],
                   names: tuple[str, str] = ("gold", "system")) -> dict[str, Any]:
    """Score a system's sentences against the gold ones with the CoNLL 2018 metrics.

    Returns {metric: {"p", "r", "f"}} for each of CONLL18_METRICS, plus "conll18_<metric in lower
    case>" holding that metric's F1 ("conll18_las", "conll18_ufeats", ...). Raises AlignmentError
    (a ValueError) when the two texts differ once whitespace is removed, GoldError for a malformed
    sentence; each names the side (`names`: the files, say), the sentence and its line if known.
    """
    gold = _read_side(gold_sentences, names[0])
    system = _read_side(system_sentences, names[1])
    _check_same_text(gold, system)
    pairs = _align(gold.words, system.words)
    scores: dict[str, Any] = {"Tokens": _span_score(gold.tokens, system.tokens),
                              "Sentences": _span_score(gold.sentences, system.sentences)}
    gold_view, system_view = _View(gold.words, None), _View(system.words, pairs)
    for name, (key, content_only) in _ALIGNED_METRICS.items():
        scores[name] = _aligned_score(gold_view, system_view, pairs, key, content_only)
    for name in CONLL18_METRICS:
        scores[f"conll18_{name.lower()}"] = scores[name]["f"]
    return scores


def conll18_score_files(gold_path: str | Path, system_path: str | Path) -> dict[str, Any]:
    """`conll18_scores` of two CoNLL-U files, multiword tokens included."""
    return conll18_scores(read_conllu(gold_path, multiword_tokens=True),
                          read_conllu(system_path, multiword_tokens=True), names=(str(gold_path), str(system_path)))
