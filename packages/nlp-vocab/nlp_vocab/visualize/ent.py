"""Entity style: the doc's own text (spaces and newlines kept) with each entity in a
`<mark class="entity" data-label="ORG">…<span class="label">ORG</span></mark>`, and, where
`doc.user_data["ent_scores"]` has the entity's confidence, `data-score` and the score shown.

`ent_scores` maps `(start_token, end_token, label)` to a float in [0, 1], or holds
`[start, end, label, score]` rows (nlp_vocab.entity_scores); a model that knows its confidence
fills it (crf_ner does; an entity it has no score for is simply shown without one).
"""

from __future__ import annotations

import zlib
from numbers import Real
from typing import Any

from ..entity_scores import entity_scores
from ._markup import element, escape, style

#: Background colours of common entity types; others get a pale colour from their name's hash.
PALETTE = {
    "PER": "#cdbdfb", "PERSON": "#cdbdfb", "ORG": "#93e2e0", "LOC": "#ffb98f", "GPE": "#ffd585",
    "MISC": "#dcdcdc", "NORP": "#f4c4d7", "FAC": "#d6c7a8", "PRODUCT": "#b9e3a1", "EVENT": "#f7e08a",
    "DATE": "#c4e6f7", "TIME": "#c4e6f7", "MONEY": "#d3efb8", "PERCENT": "#d3efb8", "QUANTITY": "#e5e1b8",
    "CARDINAL": "#e5e1b8", "ORDINAL": "#e5e1b8", "LANGUAGE": "#f0c8a8", "LAW": "#e0c8f0", "WORK_OF_ART": "#f5c2bd",
}
MARK_STYLE = style(padding="0.15em 0.35em", margin="0 0.1em", border_radius="0.35em", line_height="1",
                   color="#111", box_decoration_break="clone")
LABEL_STYLE = style(font_size="0.65em", font_weight="700", margin_left="0.45em", vertical_align="middle",
                    letter_spacing="0.03em")
SCORE_STYLE = style(font_size="0.65em", margin_left="0.35em", vertical_align="middle", opacity="0.75")
TEXT_STYLE = style(white_space="pre-wrap", line_height="2.4", overflow_wrap="anywhere")


def label_color(label: str, colors: dict[str, str]) -> str:
    """The background of `label`: the caller's colour, ours, or a stable pale hue of its own."""
    if label in colors:
        return colors[label]
    if label in PALETTE:
        return PALETTE[label]
    return f"hsl({zlib.crc32(label.encode('utf8')) % 360}, 75%, 84%)"


def scores_of(doc: Any, index: int) -> dict:
    """`doc.user_data["ent_scores"]` as {(start, end, label): score}, or {} when the doc has none
    (nlp_vocab.entity_scores: a dict, or the rows a recognizer writes)."""
    try:
        return entity_scores(doc)
    except ValueError as err:
        raise ValueError(f"render: doc {index}: {err}") from None


def score_of(scores: dict, ent: Any, index: int) -> float | None:
    """The confidence of entity `ent` in `scores` (None when it has none); a ValueError naming
    the doc and entity when it is not a number in [0, 1]."""
    key = (ent.start, ent.end, ent.label_)
    if key not in scores:
        return None
    value = scores[key]
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"render: doc {index}: user_data['ent_scores'][{key!r}] = {value!r} "
                         "is not a number in [0, 1]")
    return float(value)


def mark(text: str, label: str, score: float | None, color: str) -> str:
    """One entity: its text, then its label and score."""
    shown = f"{score:.2f}" if score is not None else None
    content = escape(text) + element("span", {"class": "label", "style": LABEL_STYLE}, escape(label))
    if shown is not None:
        content += element("span", {"class": "score", "style": SCORE_STYLE}, shown)
    attrs = {"class": "entity", "data-label": label, "data-score": shown,
             "style": f"background:{color};{MARK_STYLE}"}
    return element("mark", attrs, content)


def doc_markup(doc: Any, index: int, labels: frozenset[str] | None, colors: dict[str, str]) -> str:
    """One doc's text with its entities marked (only those of `labels`, when given)."""
    text = doc.text_with_ws
    scores = scores_of(doc, index)
    pieces, done = [], 0
    for ent in doc.ents:
        label = ent.label_
        if labels is not None and label not in labels:
            continue
        start, end = ent.start_char, ent.end_char
        pieces.append(escape(text[done:start]))
        pieces.append(mark(text[start:end], label, score_of(scores, ent, index), label_color(label, colors)))
        done = end
    pieces.append(escape(text[done:]))
    return element("div", {"class": "entities", "data-doc": index, "style": TEXT_STYLE}, "".join(pieces))


def render_ent(docs: list[Any], options: dict[str, Any]) -> str:
    """The entity markup of `docs`: a <div class="entities"> per doc."""
    labels = options["labels"]
    return "\n".join(doc_markup(doc, i, labels, options["colors"]) for i, doc in enumerate(docs))
