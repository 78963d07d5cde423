"""Entity confidences on a Doc: `doc.user_data["ent_scores"]`, read by `Span.score` and the
entity pictures (`render(style="ent")`).

The value is either a dict mapping `(start_token, end_token, label)` to a score in [0, 1], or a
list of `[start, end, label, score]` rows: plain data, so the scores survive `Doc.to_bytes`,
`Doc.copy` and a DocBin (which is why a recognizer writes rows: `set_entity_scores`). A score
belongs to that exact span with that label; an entity without one has none.

The scores follow the doc: merging tokens (`Doc.retokenize`) moves each score to its span's new
token indices (`remap_entity_scores`), or drops it when a merge cuts into the span, and setting
the entities (`Doc.ents`, `Doc.set_ents`) drops the scores of spans that are no longer entities
(`keep_entity_scores`), so a score is never read off another span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

#: The `doc.user_data` key of the entity confidences.
ENT_SCORES = "ent_scores"


def entity_scores(doc: Any) -> dict[tuple[int, int, str], Any]:
    """The doc's confidences as {(start, end, label): score} ({} when it has none); a ValueError
    when the value has neither shape."""
    value = doc.user_data.get(ENT_SCORES)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(row, (list, tuple)) and len(row) == 4 for row in value):
        return {(row[0], row[1], row[2]): row[3] for row in value}
    raise ValueError(f"user_data['{ENT_SCORES}'] must be a dict mapping (start, end, label) to a score "
                     f"or a list of [start, end, label, score] rows, not {type(value).__name__}")


def set_entity_scores(doc: Any, rows: Iterable[tuple[int, int, str, float]]) -> None:
    """Store the (start, end, label, score) of each scored entity as plain rows."""
    doc.user_data[ENT_SCORES] = [[int(s), int(e), str(label), float(p)] for s, e, label, p in rows]


def keep_entity_scores(doc: Any) -> None:
    """Drop the scores of spans that are not among the doc's entities (after they were set)."""
    if doc.user_data.get(ENT_SCORES) is None:
        return
    entities = {(ent.start, ent.end, ent.label_) for ent in doc.ents}
    _rekey(doc, lambda key: key if key in entities else None)


def remap_entity_scores(doc: Any, new_index: Sequence[int]) -> None:
    """Move the scores to the token indices of a retokenized doc: `new_index` maps each old token
    to its new one (the tokens of a merged span to the same one). A span whose first or last
    token was merged with a token outside it has no score any more."""
    if doc.user_data.get(ENT_SCORES) is None:
        return
    n = len(new_index)

    def moved(key: tuple[int, int, str]) -> tuple[int, int, str] | None:
        start, end, label = key
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= n) or (start and new_index[start - 1] == new_index[start]) or (
                end < n and new_index[end] == new_index[end - 1]):
            return None
        return new_index[start], new_index[end - 1] + 1, label

    _rekey(doc, moved)


def _rekey(doc: Any, new_key: Callable[[tuple[int, int, str]], tuple[int, int, str] | None]) -> None:
    """Replace each score's key by `new_key(key)`, dropping those it maps to None; the value keeps
    its shape (a dict, or rows). A value of neither shape is left for `entity_scores` to name."""
    value = doc.user_data[ENT_SCORES]
    try:
        scores = entity_scores(doc)
    except ValueError:
        return
    kept = {}
    for key, score in scores.items():
        key = new_key(tuple(key)) if isinstance(key, (list, tuple)) and len(key) == 3 else None
        if key is not None:
            kept[key] = score
    if isinstance(value, dict):
        doc.user_data[ENT_SCORES] = kept
    else:
        doc.user_data[ENT_SCORES] = [[start, end, label, score] for (start, end, label), score in kept.items()]
