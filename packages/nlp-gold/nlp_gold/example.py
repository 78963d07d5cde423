"""Example: a predicted Doc paired with its gold (reference) Doc, and the gold annotation seen
through the predicted tokenization.

Rules for tokens that do not align one-to-one (DESIGN.md, "Gold and alignment"):
- tags, POS, morphology, lemmas: a token merging several gold words keeps a value all of them
  share, otherwise unknown; the pieces of a split gold word are unknown.
- parse: a merged token takes the head and label of the one word of its group whose head lies
  outside the group (unknown if there is not exactly one); the pieces of a split word attach to
  its last piece with the label "subtok" and the last piece carries the word's head and label;
  an arc into a split word points to its last piece.
- entities: through character spans; an entity that does not start and end on token boundaries
  makes its tokens unknown ("-").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .alignment import Alignment, _spaces_from_text, _strip, spells
from .biluo import MISSING, tag_entity, tags_to_entities
from .docdata import (
    ANNOTATION_KEYS,
    META_KEYS,
    doc_from_annotations,
    doc_to_annotations,
    sentence_starts,
)
from .errors import GoldError
from .multiword import annotation_words, tokens_of
from .nonproj import projectivize as _projectivize

SUBTOK = "subtok"
_ATTR_KEYS = {"TAG": "tags", "POS": "pos", "MORPH": "morphs", "LEMMA": "lemmas", "DEP": "deps"}


class Example:
    """The predicted Doc and the reference (gold) Doc of one training or evaluation item."""

    def __init__(self, predicted: Any, reference: Any, *, where: str = "example"):
        self.predicted = predicted
        self.reference = reference
        self.where = where
        self._alignment: Alignment | None = None
        self._ref: dict | None = None
        self._proj: tuple | None = None

    # ---- construction ----------------------------------------------------------------------

    @classmethod
    def from_dict(cls, predicted: Any, annotations: dict, *, where: str = "example") -> Example:
        """An Example from a predicted Doc and a dict in the simple training style.

        Without `words` the gold annotation is per predicted token; with `words` (and optionally
        `spaces`) the gold tokenization may differ and is aligned by characters.
        """
        if not isinstance(annotations, dict):
            raise GoldError(f"{where}: annotations must be a dict, not {type(annotations).__name__}")
        if not hasattr(predicted, "words") or not hasattr(predicted, "vocab"):
            raise TypeError(
                f"{where}: from_dict needs the predicted Doc, not a {type(predicted).__name__}; for a "
                "text use Example.from_annotations(vocab, {'text': ..., ...}, make_doc=tokenizer)"
            )
        unknown = set(annotations) - ANNOTATION_KEYS - META_KEYS
        if unknown:
            raise GoldError(f"{where}: unknown annotation keys {sorted(unknown)}; expected some of {sorted(ANNOTATION_KEYS)}")
        annot = dict(annotations)
        if "words" not in annot:
            annot["words"], annot["spaces"], ranges = annotation_words(predicted)
            if ranges:
                annot["multiword_tokens"] = ranges
        elif "spaces" not in annot:
            annot["spaces"] = _spaces_from_text(annot["words"], predicted.text)
        reference = doc_from_annotations(predicted.vocab, annot, where)
        example = cls(predicted, reference, where=where)
        if annot["words"] is not predicted.words and list(annot["words"]) != predicted.words:
            example.alignment  # noqa: B018 - fail now, naming the example, if the texts differ
        return example

    @classmethod
    def from_gold_doc(cls, reference: Any, make_doc: Callable[[str], Any] | None = None, *, where: str = "example") -> Example:
        """An Example whose predicted Doc has the reference's words (gold tokenization) and no
        annotation, or is `make_doc(reference.text)` when a tokenizer callable is given."""
        if make_doc is None:
            predicted = tokens_of(reference)
        else:
            predicted = make_doc(reference.text)
        predicted.cats = {}
        return cls(predicted, reference, where=where)

    @classmethod
    def from_annotations(
        cls, vocab: Any, annot: dict, make_doc: Callable[[str], Any] | None = None, *, where: str = "example"
    ) -> Example:
        """An Example from a reader's annotation dict: the reference carries the annotation, the
        predicted Doc has the gold words, or is `make_doc(text)`: the dict's raw `text` when it
        spells the words (see `alignment.spells`), else the text the gold words make (with
        `multiword_tokens`, the real text: see nlp_gold.multiword)."""
        if "words" not in annot:  # text-only records (JSONL): the tokenizer makes both sides
            if make_doc is None:
                raise GoldError(f"{where}: a record without words needs a make_doc tokenizer")
            predicted = make_doc(annot["text"])
            return cls.from_dict(predicted, {k: v for k, v in annot.items() if k != "text"}, where=where)
        if "spaces" not in annot and annot.get("text"):  # entity offsets count the text's spaces
            annot = {**annot, "spaces": _spaces_from_text(annot["words"], annot["text"])}
        reference = doc_from_annotations(vocab, annot, where)
        if make_doc is None:
            predicted = tokens_of(reference)
        else:
            text = annot.get("text")
            predicted = make_doc(text if text and spells(text, reference.words) else reference.text)
        return cls(predicted, reference, where=where)

    def with_predicted(self, predicted: Any) -> Example:
        """This gold against another predicted Doc (e.g. the pipeline's output on the same words).

        The reference's annotation dict is shared, and so is the alignment when `predicted` has
        the same words as this example's predicted Doc: scoring a dev set every epoch then builds
        them once instead of once per evaluation.
        """
        other = Example(predicted, self.reference, where=self.where)
        other._ref = self.gold
        if predicted is self.predicted or predicted.words == self.predicted.words:
            other._alignment = self.alignment
            other._proj = self._proj
        return other

    # ---- basic views ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The reference text (the predicted Doc spells the same characters)."""
        return self.reference.text

    @property
    def cats(self) -> dict:
        """The gold text categories ({label: score})."""
        return self.reference.cats

    def __len__(self) -> int:
        return len(self.reference)

    def __repr__(self) -> str:
        return f"Example({self.where}: {len(self.predicted)} predicted tokens, {len(self.reference)} gold words)"

    @property
    def alignment(self) -> Alignment:
        """Predicted tokens (x) to gold words (y); raises AlignmentError naming the example."""
        if self._alignment is None:
            self._alignment = Alignment.from_words(self.predicted.words, self.reference.words, self.where)
        return self._alignment

    @property
    def gold(self) -> dict:
        """The reference's annotation dict (per gold word; see `docdata.doc_to_annotations`)."""
        if self._ref is None:
            self._ref = doc_to_annotations(self.reference)
        return self._ref

    # ---- gold per predicted token -----------------------------------------------------------

    def get_aligned(self, attr: str, as_string: bool = True) -> list:
        """Per predicted token, the gold TAG, POS, MORPH, LEMMA or DEP (None where unknown)."""
        key = _ATTR_KEYS.get(attr.upper())
        if key is None:
            raise ValueError(f"get_aligned: unknown attribute {attr!r}; use one of {sorted(_ATTR_KEYS)}")
        values = self.gold[key]
        align = self.alignment
        if align.identity:
            out = list(values)
        else:
            out = []
            for i, ys in enumerate(align.x2y):
                if align.x2y_one[i] >= 0:
                    out.append(values[ys[0]])
                elif len(ys) > 1 and all(len(align.y2x[j]) == 1 for j in ys):
                    first = values[ys[0]]
                    out.append(first if all(values[j] == first for j in ys) else None)
                else:
                    out.append(None)
        if not as_string:
            strings = self.predicted.vocab.strings
            out = [None if v is None else strings.add(v) for v in out]
        return out

    def _gold_tree(self, projectivize: bool) -> tuple[list, list]:
        gold = self.gold
        if not projectivize:
            return gold["heads"], gold["deps"]
        if self._proj is None:
            heads, deps = gold["heads"], gold["deps"]
            if any(h is not None for h in heads) and all(d is not None for d, h in zip(deps, heads) if h is not None):
                self._proj = _projectivize(heads, deps)
            else:
                self._proj = (heads, deps)
        return self._proj

    def get_aligned_parse(self, projectivize: bool = True) -> tuple[list, list]:
        """Per predicted token, (head as an absolute predicted index, label); None where unknown.

        With `projectivize`, non-projective gold trees are lifted and labels decorated first.
        """
        heads, deps = self._gold_tree(projectivize)
        align = self.alignment
        if align.identity:
            return list(heads), list(deps)
        x2y, y2x = align.x2y, align.y2x

        def token_of(word: int) -> int | None:
            xs = y2x[word]
            if not xs:
                return None
            if len(xs) == 1:
                return xs[0]
            if all(x2y[x] == [word] for x in xs):
                return xs[-1]
            return None

        n = len(x2y)
        out_heads: list[int | None] = [None] * n
        out_deps: list[str | None] = [None] * n
        for i, ys in enumerate(x2y):
            if not ys:
                continue
            if len(ys) == 1:
                j = ys[0]
                xs = y2x[j]
                if len(xs) > 1:
                    if not all(x2y[x] == [j] for x in xs):
                        continue
                    if i != xs[-1]:
                        out_heads[i] = xs[-1]
                        out_deps[i] = SUBTOK
                        continue
                h = heads[j]
                if h is None:
                    continue
                out_heads[i] = i if h == j else token_of(h)
                out_deps[i] = deps[j] if out_heads[i] is not None else None
                continue
            if not all(y2x[j] == [i] for j in ys):
                continue
            group = set(ys)
            outside = [j for j in ys if heads[j] is None or heads[j] == j or heads[j] not in group]
            if len(outside) != 1 or heads[outside[0]] is None:
                continue
            j = outside[0]
            h = heads[j]
            out_heads[i] = i if h == j else token_of(h)
            out_deps[i] = deps[j] if out_heads[i] is not None else None
        return out_heads, out_deps

    def get_aligned_ner(self) -> list[str]:
        """Per predicted token, a BILUO tag ("O", "U-PER", ...) or "-" where unknown."""
        tags = self.gold["entities"]
        align = self.alignment
        if align.identity:
            return list(tags)
        x_ends, x_lens = _stripped_ends(self.predicted.words)
        y_ends, _ = _stripped_ends(self.reference.words)
        n = len(x_ends)
        annotated = any(t != MISSING for t in tags)
        out = ["O" if annotated else MISSING] * n
        start_at = {}
        end_at = {}
        for i in range(n):
            if x_lens[i]:
                start_at.setdefault(x_ends[i] - x_lens[i], i)
                end_at[x_ends[i]] = i
        y_starts = [e - len(_strip(w)) for e, w in zip(y_ends, self.reference.words)]
        for j, tag in enumerate(tags):
            if tag == MISSING:
                for i in align.y2x[j]:
                    out[i] = MISSING
        for label, s, e in tags_to_entities(tags):
            c_start, c_end = y_starts[s], y_ends[e - 1]
            first, last = start_at.get(c_start), end_at.get(c_end)
            if first is None or last is None or last < first:
                for i in range(n):
                    lo = x_ends[i] - x_lens[i]
                    if x_lens[i] and lo < c_end and x_ends[i] > c_start:
                        out[i] = MISSING
                continue
            tag_entity(out, first, last, label)
        return out

    def get_aligned_sent_starts(self) -> list[bool | None]:
        """Per predicted token, whether it starts a sentence (None where unknown)."""
        starts = sentence_starts(self.gold)
        align = self.alignment
        n = len(align.x2y)
        if starts is None:
            return [None] * n
        if align.identity:
            return list(starts)
        out: list[bool | None] = [None] * n
        for i, ys in enumerate(align.x2y):
            if not ys:
                continue
            j = ys[0]
            xs = align.y2x[j]
            out[i] = starts[j] if xs[0] == i else False
        return out

    def to_dict(self) -> dict:
        """The reference's annotation dict (words, spaces and every annotation, None for unknown)."""
        return dict(self.gold)


def _stripped_ends(words: Sequence[str]) -> tuple[list[int], list[int]]:
    ends, lens = [], []
    total = 0
    for w in words:
        k = len(_strip(w))
        total += k
        ends.append(total)
        lens.append(k)
    return ends, lens
