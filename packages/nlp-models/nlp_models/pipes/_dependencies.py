"""What the dependency parsers (arc-eager `parser`, graph-based `biaffine_parser`) share: the
labels an Example's gold holds, their registration (scores, table columns, charts) and how a
parse is written onto a Doc."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

from nlp_train.components import ScoreColumn, ScoreCurve, ScoreWeight


def gold_dep_labels(example: Any) -> list[str]:
    """The labels of an Example's gold arcs (words with a head and a label)."""
    gold = example.gold
    return [dep for head, dep in zip(gold["heads"], gold["deps"]) if head is not None and dep]


#: `register_component` keywords of a component predicting dependency trees and sentences: its
#: annotation and labels, UAS/LAS columns (model-best weighs LAS 0.75, UAS 0.25), report
#: charts and tables, and `nlp evaluate`'s rows.
DEPENDENCY_SPEC: dict[str, Any] = {
    "annotation": "dependency arcs",
    "label_kind": "dependency labels",
    "gold_labels": gold_dep_labels,
    "loss_header": "Dep Loss",
    "columns": (ScoreColumn("UAS", ("uas",)), ScoreColumn("LAS", ("las",))),
    "score_weights": (ScoreWeight(("las",), 0.75), ScoreWeight(("uas",), 0.25)),
    "token_level": True,
    "curves": (ScoreCurve("Parser", (("uas", "UAS"), ("las", "LAS"), ("sents_f", "Sentence F"))),),
    "tables": ("dep_per_label", "dep_confusions"),
    "evaluate_rows": (("uas", "UAS"), ("las", "LAS"), ("sents_p", "Sent P"), ("sents_r", "Sent R"),
                      ("sents_f", "Sent F")),
}


def write_parse(doc: Any, heads: Sequence[int], dep_ids: Sequence[int], starts: Sequence[bool]) -> None:
    """Set the heads (absolute indices; a root is its own head), DEP string ids and sentence
    starts (the first token always starts one) of every token of a non-empty `doc`."""
    n = len(doc)
    array = numpy.empty((n, 3), dtype="int64")
    array[:, 0] = numpy.asarray(heads, dtype="int64") - numpy.arange(n)
    array[:, 2] = numpy.where(numpy.asarray(starts, dtype=bool), 1, -1)
    array[0, 2] = 1
    out = array.view("uint64")
    out[:, 1] = numpy.asarray(dep_ids, dtype="uint64")
    doc.from_array(["HEAD", "DEP", "SENT_START"], out)
