"""Pictures of annotated docs for a browser: `render(docs, style="dep"|"ent", page=True)`.

"dep" draws each sentence's dependency tree as an SVG (words, tags, labelled arcs); "ent" shows
the running text with its entities marked, with their confidence where the doc has one
(`doc.user_data["ent_scores"]`). Every text is escaped; the page needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..doc import Doc
from .dep import render_dep
from .ent import render_ent
from .options import resolve_options
from .page import page as html_page

__all__ = ["render"]

RENDERERS = {"dep": render_dep, "ent": render_ent}


def _as_docs(docs: Doc | Iterable[Doc]) -> list[Doc]:
    if isinstance(docs, Doc):
        return [docs]
    if isinstance(docs, (str, bytes)) or not isinstance(docs, Iterable):
        raise TypeError(f"render: expected a Doc or an iterable of Docs, got {type(docs).__name__} "
                        "(make Docs first, e.g. nlp(text))")
    items = list(docs)
    for i, doc in enumerate(items):
        if not isinstance(doc, Doc):
            raise TypeError(f"render: item {i} is a {type(doc).__name__}, not a Doc")
    return items


def render(docs: Doc | Iterable[Doc], style: str = "dep", page: bool = True,
           options: dict[str, Any] | None = None) -> str:
    """The pictures of `docs` (a Doc or an iterable of Docs) in `style` "dep" or "ent": a whole
    HTML page when `page` is true, the markup alone (to embed) otherwise. `options`: for "dep"
    `distance` (the least column width, px) and `tag` ("auto", "tag", "pos" or "none"); for "ent"
    `labels` (mark only these) and `colors` (label -> CSS colour); for both `title`."""
    if style not in RENDERERS:
        raise ValueError(f"render: unknown style {style!r}: use one of {', '.join(RENDERERS)}")
    items = _as_docs(docs)
    settings = resolve_options(style, options)
    markup = RENDERERS[style](items, settings)
    if not page:
        return markup
    lang = items[0].vocab.lang if items and items[0].vocab.lang != "xx" else None
    return html_page(markup, settings["title"], lang)
