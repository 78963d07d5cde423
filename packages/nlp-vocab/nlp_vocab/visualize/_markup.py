"""Escaping and element building shared by the renderers: every text and attribute value that
reaches the markup goes through `escape`, so a word like `<script>` is shown, never run."""

from __future__ import annotations

import html
import re

#: Characters XML 1.0 forbids (C0 controls other than tab/newline/CR, and DEL): an SVG holding
#: one would not parse, so they are shown as U+FFFD.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: object) -> str:
    """`text` as HTML/XML character data or attribute value (quotes escaped too)."""
    return html.escape(_FORBIDDEN.sub("\ufffd", str(text)), quote=True)


def element(name: str, attrs: dict[str, object] | None = None, content: str = "") -> str:
    """`<name a="v" ...>content</name>`; attribute values are escaped, `content` is markup
    already (escape text before passing it). Attributes whose value is None are left out."""
    pairs = "".join(f' {key}="{escape(value)}"' for key, value in (attrs or {}).items() if value is not None)
    return f"<{name}{pairs}>{content}</{name}>"


def style(**properties: object) -> str:
    """A CSS declaration list from keyword arguments (`font_size="12px"` -> `font-size:12px`)."""
    return ";".join(f"{key.replace('_', '-')}:{value}" for key, value in properties.items())
