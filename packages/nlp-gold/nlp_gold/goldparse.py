"""spaCy v2's gold API under our names: `GoldParse` and the "gold tuples" of v2's training format.

`GoldParse(doc, tags=..., heads=..., deps=..., entities=..., cats=...)` is a view over an
`Example`: the annotation is validated and aligned to the doc by the Example's rules (see
`example.py`), and the v2 attributes (`words`, `tags`, `heads`, `labels`, `ner`, `cats`, ...)
read the gold per doc token from it. v2's gold tuples, `(raw_text, [((ids, words, tags, heads,
deps, ner), brackets), ...])`, become annotation dicts with `annotations_from_gold_tuples`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .corpus import merge_annotations
from .errors import GoldError
from .example import Example
from .nonproj import is_nonproj_tree

#: The fields of one sentence of a v2 gold tuple, in order.
SENTENCE_FIELDS = ("ids", "words", "tags", "heads", "deps", "ner")


class GoldParse:
    """The gold annotation of one Doc, as spaCy v2 users build it.

    `entities` are BILUO tags (one per word, None or "-" for unknown) or `(start_char, end_char,
    label)` offsets into the doc's text; `None` leaves entities unknown, `[]` says there are none.
    `heads` are absolute word indices (a root's head is itself). With `words`, the gold tokenization
    may differ from the doc's and is aligned by characters. Bad annotation raises GoldError (a
    ValueError) naming `where`.
    """

    def __init__(
        self,
        doc: Any,
        words: Sequence[str] | None = None,
        tags: Sequence[str | None] | None = None,
        heads: Sequence[int | None] | None = None,
        deps: Sequence[str | None] | None = None,
        entities: Sequence[Any] | None = None,
        cats: dict[str, float] | None = None,
        morphology: Sequence[Any] | None = None,
        make_projective: bool = False,
        where: str = "GoldParse",
        **annotations: Any,
    ) -> None:
        given = {"words": words, "tags": tags, "heads": heads, "deps": deps, "entities": entities,
                 "cats": cats, "morphs": _morph_strings(morphology), **annotations}
        annot = {key: value for key, value in given.items() if value is not None}
        self.example = Example.from_dict(doc, annot, where=where)
        self.make_projective = make_projective

    @classmethod
    def from_annot_tuples(cls, doc: Any, annot_tuples: Sequence[Any], make_projective: bool = False,
                          where: str = "GoldParse") -> GoldParse:
        """A GoldParse from one v2 annotation tuple `(ids, words, tags, heads, deps, ner)`."""
        annot = sentence_annotations(annot_tuples, where)
        return cls(doc, make_projective=make_projective, where=where, **annot)

    # ---- v2's attributes, per doc token ---------------------------------------------------------

    def __len__(self) -> int:
        return len(self.example.predicted)

    def __repr__(self) -> str:
        return f"GoldParse({len(self)} tokens, {len(self.example.reference)} gold words)"

    @property
    def length(self) -> int:
        """The number of doc tokens."""
        return len(self)

    @property
    def words(self) -> list[str | None]:
        """The gold word each token is part of (None for a token spanning several gold words)."""
        gold = self.example.reference.words
        return [gold[ys[0]] if len(ys) == 1 else None for ys in self.example.alignment.x2y]

    @property
    def tags(self) -> list[str | None]:
        return self.example.get_aligned("TAG")

    @property
    def morphology(self) -> list[str | None]:
        return self.example.get_aligned("MORPH")

    @property
    def heads(self) -> list[int | None]:
        """Absolute token indices (None where unknown); lifted to a projective tree if asked."""
        return self.example.get_aligned_parse(projectivize=self.make_projective)[0]

    @property
    def labels(self) -> list[str | None]:
        """The dependency labels (decorated `dep||headdep` where a projective lift moved a word)."""
        return self.example.get_aligned_parse(projectivize=self.make_projective)[1]

    @property
    def ner(self) -> list[str]:
        """BILUO tags, "-" where unknown."""
        return self.example.get_aligned_ner()

    @property
    def cats(self) -> dict[str, float]:
        return dict(self.example.cats)

    @property
    def is_projective(self) -> bool:
        return not is_nonproj_tree(self.heads)

    @property
    def cand_to_gold(self) -> list[int | None]:
        """Per token, the gold word aligned one-to-one with it (None otherwise)."""
        return [j if j >= 0 else None for j in self.example.alignment.x2y_one]

    @property
    def gold_to_cand(self) -> list[int | None]:
        """Per gold word, the token aligned one-to-one with it (None otherwise)."""
        return [i if i >= 0 else None for i in self.example.alignment.y2x_one]

    @property
    def orig_annot(self) -> list[tuple]:
        """Per gold word, `(id, word, tag, head, dep, ner)` as given (before alignment)."""
        gold = self.example.gold
        fields = (gold["words"], gold["tags"], gold["heads"], gold["deps"], gold["entities"])
        return [(i, *values) for i, values in enumerate(zip(*fields))]


def _morph_strings(morphology: Sequence[Any] | None) -> list[str | None] | None:
    """v2 gave morphology as feature lists per word; we keep one "A=b|C=d" string per word."""
    if morphology is None:
        return None
    return [m if m is None or isinstance(m, str) else "|".join(m) for m in morphology]


def sentence_annotations(annot_tuples: Sequence[Any], where: str) -> dict:
    """The annotation dict of one v2 sentence tuple `(ids, words, tags, heads, deps, ner)`."""
    if not isinstance(annot_tuples, (list, tuple)) or len(annot_tuples) != len(SENTENCE_FIELDS):
        raise GoldError(f"{where}: a v2 annotation tuple is ({', '.join(SENTENCE_FIELDS)}), "
                        f"got {_describe(annot_tuples)}")
    _ids, words, tags, heads, deps, ner = annot_tuples
    if not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
        raise GoldError(f"{where}: the words of a v2 annotation tuple must be a list of strings")
    annot = {"words": list(words), "tags": tags, "heads": heads, "deps": deps}
    if ner is not None and any(tag is not None for tag in ner):
        annot["entities"] = list(ner)
    return {key: value for key, value in annot.items() if value is not None}


def is_gold_tuple(item: Any) -> bool:
    """Whether `item` looks like one entry of v2's gold tuples: `(raw_text, [(sentence, brackets),
    ...])`, optionally with a third element of cats."""
    if not isinstance(item, (list, tuple)) or len(item) not in (2, 3):
        return False
    raw, paragraphs = item[0], item[1]
    if not (raw is None or isinstance(raw, str)) or not isinstance(paragraphs, (list, tuple)) or not paragraphs:
        return False
    first = paragraphs[0]
    return isinstance(first, (list, tuple)) and len(first) == 2 and isinstance(first[0], (list, tuple))


def annotations_from_gold_tuples(item: Sequence[Any], where: str) -> list[dict]:
    """Annotation dicts from one v2 gold tuple `(raw_text, [(sentence, brackets), ...][, cats])`:
    one dict for the whole text when there is raw text (its `text` is the raw text, to be
    tokenized), else one per sentence. Brackets are ignored."""
    raw, paragraphs = item[0], item[1]
    cats = item[2] if len(item) == 3 else None
    sentences = []
    for k, entry in enumerate(paragraphs):
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise GoldError(f"{where}: sentence {k} of a v2 gold tuple must be (annotation tuple, brackets)")
        sentences.append(sentence_annotations(entry[0], f"{where} sentence {k}"))
    if raw:
        merged = dict(merge_annotations(sentences))
        merged.pop("spaces", None)  # the raw text says where the spaces are
        merged["text"] = raw
        sentences = [merged]
    if cats is not None and not isinstance(cats, dict):
        raise GoldError(f"{where}: the cats of a v2 gold tuple must be a dict of label -> score")
    if cats:
        sentences[0]["cats"] = dict(cats)
    return sentences


def _describe(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"
