"""The standalone page around rendered markup: one UTF-8 HTML document with its CSS inline, no
JavaScript and no external resource, so it opens the same from a file, a mail or a server."""

from __future__ import annotations

from ._markup import element, escape

CSS = """
:root { color-scheme: light; }
body { margin: 0; padding: 1.5rem 1.5rem 3rem; background: #fff; color: #111;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.05rem; font-weight: 600; color: #444; margin: 0 0 1.25rem; }
.parse { margin: 0 0 1.5rem; }
.parse svg { display: block; margin: 0 0 1rem; }
.entities { font-size: 1.1rem; max-width: 60rem; margin: 0 0 1.25rem; padding: 0 0 1.25rem;
            border-bottom: 1px solid #e5e5e5; }
.entities:last-child { border-bottom: none; }
""".strip()


def page(body: str, title: str, lang: str | None = None) -> str:
    """A complete HTML document showing `body` (markup) under the heading `title` (text)."""
    head = ('<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>\n{CSS}\n</style>")
    content = f"<h1>{escape(title)}</h1>\n{body}"
    document = element("html", {"lang": lang}, f"\n<head>\n{head}\n</head>\n<body>\n<main>\n{content}\n</main>\n</body>\n")
    return f"<!DOCTYPE html>\n{document}\n"
