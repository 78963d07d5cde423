"""HTML tables of per-label scores and of the most frequent confusions, shared by the training
report and `nlp evaluate -o report.html`; and the standalone page that holds them.

The tables read the scorer's keys (nlp_gold.Scorer): ``{label: {"p", "r", "f"}}`` per label,
``[[gold, predicted, count], ...]`` per confusion list. Every text is HTML-escaped and the
markup is well-formed XML; the page has inline CSS and no JavaScript.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from .storage import atomic_write_file

#: (scores key, section title) of the scorer's per-label tables, in page order.
PER_LABEL = (("tag_per_label", "Tags"), ("dep_per_label", "Dependency labels"),
             ("ents_per_type", "Entity types"), ("textcat_f_per_type", "Text categories"))
#: (scores key, section title) of the scorer's confusion tables.
CONFUSIONS = (("tag_confusions", "Most frequent tag confusions"),
              ("dep_confusions", "Most frequent dependency label confusions"))

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figcaption { font-weight: 600; margin-bottom: 0.3em; }
.note { color: #666; font-style: italic; }
"""


def _cell(value: Any) -> str:
    """A score as text: two decimals, or "-" when missing or not a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return f"{value:.2f}"
    return "-"


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool],
               css_class: str = "") -> str:
    """A table of text cells (escaped here); ``numeric`` right-aligns a column."""
    cls = f' class="{escape(css_class)}"' if css_class else ""
    align = [' class="num"' if num else "" for num in numeric]
    head = "".join(f"<th{a}>{escape(h)}</th>" for h, a in zip(header, align))
    body = "\n".join("<tr>" + "".join(f"<td{a}>{escape(c)}</td>" for c, a in zip(row, align))
                     + "</tr>" for row in rows)
    return f"<table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def per_label_table(table: Mapping[str, Mapping[str, Any]], css_class: str = "") -> str:
    """Label, P, R and F per label, in the table's order."""
    rows = [(str(label), _cell(prf.get("p")), _cell(prf.get("r")), _cell(prf.get("f")))
            for label, prf in table.items()]
    return html_table(("Label", "P", "R", "F"), rows, (False, True, True, True), css_class)


def confusion_table(confusions: Sequence[Sequence[Any]], css_class: str = "") -> str:
    """Gold label, predicted label and count per row; a note when there is none."""
    if not confusions:
        return '<p class="note">No confusions: every aligned label was right.</p>'
    rows = [(str(gold), str(guess), str(count)) for gold, guess, count in confusions]
    return html_table(("Gold", "Predicted", "Count"), rows, (False, False, True), css_class)


def score_tables(scores: Mapping[str, Any], keys: Collection[str] | None = None) -> str:
    """The per-label and confusion sections for the table keys ``scores`` has ("" if none).

    With ``keys`` (the ``tables`` of the trained components' infos), only those tables: the
    gold may hold annotation that a component the pipeline lacks is scored on. A key the
    scorer does not define shows as a per-label table when its value is ``{label: {p, r,
    f}}``, as a confusion table when it is a list, under its own name, after the scorer's
    (in the order of ``keys``, sorted when it is a set)."""
    known = [*PER_LABEL, *CONFUSIONS]
    sections = [(k, t) for k, t in known if keys is None or k in keys]
    if keys is not None:
        extra = [k for k in dict.fromkeys(keys) if k not in dict(known)]
        sections += [(k, k) for k in (extra if isinstance(keys, Sequence) else sorted(extra))]
    parts = []
    for key, title in sections:
        value = scores.get(key)
        if isinstance(value, Mapping) and value and _is_per_label(value):
            parts.append(f"<h3>{escape(title)}</h3>\n{per_label_table(value, key)}")
        elif isinstance(value, list) and _is_confusions(value):
            parts.append(f"<h3>{escape(title)}</h3>\n{confusion_table(value, key)}")
    return "\n".join(parts)


def _is_per_label(value: Mapping[str, Any]) -> bool:
    return all(isinstance(v, Mapping) for v in value.values())


def _is_confusions(value: Sequence[Any]) -> bool:
    return all(isinstance(row, (list, tuple)) and len(row) == 3 for row in value)


def summary_table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of (name, value) rows."""
    return html_table(("Score", "Value"), rows, (False, True), "summary")


def check_score_tables(scores: Mapping[str, Any]) -> str | None:
    """What is wrong with the per-label or confusion entries of ``scores``, or None."""
    for key, _ in PER_LABEL:
        table = scores.get(key)
        if table is None:
            continue
        if not isinstance(table, Mapping) or not all(isinstance(v, Mapping) for v in table.values()):
            return f"{key!r} must be an object of {{label: {{p, r, f}}}}"
    for key, _ in CONFUSIONS:
        confusions = scores.get(key)
        if confusions is None:
            continue
        if not isinstance(confusions, list) or not all(
                isinstance(row, list) and len(row) == 3 for row in confusions):
            return f"{key!r} must be a list of [gold, predicted, count]"
    return None


def html_page(title: str, body: str) -> str:
    """A complete standalone HTML document: UTF-8, inline CSS, no scripts."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{escape(title)}</h1>\n{body}\n</body>\n</html>\n")


def write_page(path: str | Path, title: str, body: str) -> Path:
    """Write :func:`html_page` to ``path`` atomically (the old file stays on failure)."""
    page = html_page(title, body)
    return atomic_write_file(Path(path), lambda tmp: tmp.write_text(page, encoding="utf8"))
