"""What `nlp.update`, `nlp.begin_training` and `nlp.evaluate` accept as training data, turned
into Examples: Examples; texts or Docs paired with a GoldParse, an Example, an annotation dict or
a gold Doc; and spaCy v2's gold tuples `(raw_text, [(sentence tuple, brackets), ...])`.

Bad input is one ValueError line naming the example index (a TypeError for a value of the wrong
type).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nlp_gold import Example, GoldError, GoldParse
from nlp_gold.errors import AlignmentError
from nlp_gold.goldparse import annotations_from_gold_tuples
from nlp_vocab import Doc

AsDoc = Callable[[Any, str], Doc]


def to_example(item: Any, gold: Any, as_doc: AsDoc, label: str) -> Example:
    """One Example from an item (an Example, a text, a Doc or a (text/Doc, gold) pair) and its
    gold (None, a GoldParse, an Example, an annotation dict or a gold Doc)."""
    if isinstance(item, Example):
        if gold is not None:
            raise ValueError(f"{label}: an Example carries its own gold; pass golds=None")
        return item
    if isinstance(item, tuple) and len(item) == 2 and gold is None:
        item, gold = item
    predicted = as_doc(item, label)
    if gold is None:
        raise ValueError(f"{label}: no gold annotation (give golds, or pass Examples)")
    try:
        if isinstance(gold, dict):
            return Example.from_dict(predicted, gold, where=label)
        if isinstance(gold, GoldParse):
            gold = gold.example
        if isinstance(gold, Example):
            example = gold.with_predicted(predicted)
            example.where = label
        elif isinstance(gold, Doc):
            example = Example(predicted, gold, where=label)
        else:
            raise TypeError(
                f"{label}: gold must be a GoldParse, an Example, an annotation dict or a gold Doc, "
                f"got {type(gold).__name__}"
            )
        example.alignment  # noqa: B018 - texts that differ fail now, naming the example
    except (GoldError, AlignmentError) as err:
        raise ValueError(str(err)) from None
    return example


def examples_from_gold_tuple(item: Any, vocab: Any, make_doc: Callable[[str], Doc], label: str) -> list[Example]:
    """The Examples of one v2 gold tuple: the raw text tokenized by `make_doc` against all its
    sentences, or (without raw text) one Example per sentence with the gold words."""
    try:
        examples = []
        for annot in annotations_from_gold_tuples(item, label):
            example = Example.from_annotations(vocab, annot, make_doc if "text" in annot else None, where=label)
            example.alignment  # noqa: B018 - fail now if the raw text does not spell the words
            examples.append(example)
    except (GoldError, AlignmentError) as err:
        raise ValueError(str(err)) from None
    return examples
