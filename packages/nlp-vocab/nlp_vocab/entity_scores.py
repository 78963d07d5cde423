"""Entity confidences on a Doc: `doc.user_data["ent_scores"]`, read by `Span.score` and the
entity pictures (`render(style="ent")`).

The value is either a dict mapping `(start_token, end_token, label)` to a score in [0, 1], or a
list of `[start, end, label, score]` rows: plain data, so the scores survive `Doc.to_bytes`,
`Doc.copy` and a DocBin (which is why a recognizer writes rows: `set_entity_scores`). A score
belongs to that exact span with that label; an entity without one has none.
"""

from __future__ import annotations

from collections.abc import Iterable
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
