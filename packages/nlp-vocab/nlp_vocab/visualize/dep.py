"""Dependency style: one SVG per sentence (per doc when it has no sentence boundaries), the words
in a row with their tags under them and one arc per token whose head is another token, drawn from
the head to the dependent (arrowhead at the dependent, the label on the arc).

Arcs are stacked by length: each arc sits one level above every shorter arc it overlaps, so
nested arcs never touch; where several arcs meet at a word their ends are spread apart, longer
arcs on the outside, so a projective tree draws without crossings. The size follows the words:
each column is as wide as its word, tag and short-arc label need, the height as the levels do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._markup import element, escape, style

WORD_FONT, TAG_FONT, LABEL_FONT = 16, 12, 12
#: Average glyph width as a share of the font size: generous for proportional sans-serif fonts.
GLYPH = 0.62
LEVEL_HEIGHT = 30
#: Room under the lowest arc level for the arrowheads, then the word and tag baselines.
WORD_GAP, TAG_GAP, BOTTOM = 22, 41, 50
PAD = 10
ARROW = 7
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class Arc:
    """A head -> child arc between two words of one picture (indices within it)."""

    head: int
    child: int
    label: str

    @property
    def left(self) -> int:
        return min(self.head, self.child)

    @property
    def right(self) -> int:
        return max(self.head, self.child)

    @property
    def length(self) -> int:
        return self.right - self.left


def segments(doc: Any) -> list[tuple[int, int]]:
    """The token ranges drawn as one picture each: the sentences, or the whole doc when it has
    no sentence boundaries or one of its arcs leaves its sentence."""
    whole = [(0, len(doc))]
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return whole
    bounds = [(sent.start, sent.end) for sent in doc.sents]
    for start, end in bounds:
        if any(not start <= doc[i].head.i < end for i in range(start, end)):
            return whole
    return bounds


def arcs_of(doc: Any, start: int, end: int) -> list[Arc]:
    """One Arc per token of doc[start:end] whose head is another token."""
    arcs = []
    for i in range(start, end):
        token = doc[i]
        if token.head.i != i:
            arcs.append(Arc(token.head.i - start, i - start, token.dep_))
    return arcs


def levels(arcs: list[Arc]) -> dict[Arc, int]:
    """Each arc's level (1 = lowest): one above the highest shorter (or earlier equal-length)
    arc whose span overlaps its own by more than an end word."""
    # Two spans overlap by more than an end word exactly when they share a gap between two
    # words: keep the highest level drawn over each gap.
    gap_top = [0] * (max((a.right for a in arcs), default=0) + 1)
    placed: dict[Arc, int] = {}
    for arc in sorted(arcs, key=lambda a: (a.length, a.left, a.right)):
        level = 1 + max(gap_top[arc.left:arc.right])
        gap_top[arc.left:arc.right] = [level] * arc.length
        placed[arc] = level
    return placed


def end_offsets(arcs: list[Arc], n_words: int) -> dict[tuple[Arc, int], float]:
    """Horizontal offset of each arc end from its word's centre: arcs reaching a word from the
    left end left of the centre, those leaving to the right start right of it, the shortest
    outermost, so nested arcs do not cross."""
    ending: list[list[Arc]] = [[] for _ in range(n_words)]
    starting: list[list[Arc]] = [[] for _ in range(n_words)]
    for arc in arcs:
        ending[arc.right].append(arc)
        starting[arc.left].append(arc)
    offsets: dict[tuple[Arc, int], float] = {}
    for word in range(n_words):
        from_left = sorted(ending[word], key=lambda a: a.length)
        to_right = sorted(starting[word], key=lambda a: a.length)
        step = 5.0 if max(len(from_left), len(to_right)) < 4 else 15.0 / max(len(from_left), len(to_right))
        for k, arc in enumerate(from_left):
            offsets[arc, word] = -(len(from_left) - k) * step
        for k, arc in enumerate(to_right):
            offsets[arc, word] = (len(to_right) - k) * step
    return offsets


def _text_width(text: str, font: int) -> float:
    return len(text) * font * GLYPH


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shown_word(text: str) -> str:
    """A word as drawn: whitespace tokens get a visible sign."""
    if text.strip():
        return text
    return "⏎" if "\n" in text else "␣"


def tag_of(token: Any, which: str) -> str:
    """The tag under a word: "tag" (tag_), "pos" (pos_), "none", or "auto" (tag_, else pos_)."""
    if which == "none":
        return ""
    if which == "tag":
        return token.tag_
    if which == "pos":
        return token.pos_
    return token.tag_ or token.pos_


def column_centres(words: list[str], tags: list[str], arcs: list[Arc], distance: int) -> tuple[list[float], float]:
    """x of each word's centre and the total width: a column is as wide as `distance`, its
    word, its tag and the labels of the one-word arcs beside it need."""
    widths = [max(distance, _text_width(w, WORD_FONT) + 16, _text_width(t, TAG_FONT) + 16)
              for w, t in zip(words, tags)]
    for arc in arcs:
        if arc.length == 1:
            need = _text_width(arc.label, LABEL_FONT) + 2 * ARROW + 12
            for i in (arc.left, arc.right):
                widths[i] = max(widths[i], need)
    centres, x = [], PAD
    for width in widths:
        centres.append(x + width / 2)
        x += width
    return centres, x + PAD


def arc_markup(arc: Arc, level: int, x_head: float, x_child: float, base: float, names: tuple[str, str],
               ids: tuple[int, int]) -> str:
    """One arc as an SVG group: its line, arrowhead, label and a <title> for screen readers."""
    top = base - level * LEVEL_HEIGHT
    sign = 1 if x_child > x_head else -1
    r = min(8.0, abs(x_child - x_head) / 2)
    line = (f"M{_n(x_head)},{_n(base)} V{_n(top + r)} Q{_n(x_head)},{_n(top)} {_n(x_head + sign * r)},{_n(top)} "
            f"H{_n(x_child - sign * r)} Q{_n(x_child)},{_n(top)} {_n(x_child)},{_n(top + r)} V{_n(base - ARROW + 1)}")
    arrow = (f"M{_n(x_child - 4)},{_n(base - ARROW - 1)} L{_n(x_child)},{_n(base)} "
             f"L{_n(x_child + 4)},{_n(base - ARROW - 1)} Z")
    title = f"{arc.label or 'dependent'}: {names[0]} → {names[1]}"
    parts = [element("title", None, escape(title)),
             element("path", {"class": "arc-line", "d": line, "fill": "none", "stroke": "currentColor",
                              "stroke-width": "1.5"}),
             element("path", {"class": "arrow", "d": arrow, "fill": "currentColor"})]
    if arc.label:
        parts.append(element("text", {"class": "label", "x": _n((x_head + x_child) / 2), "y": _n(top + 4),
                                      "text-anchor": "middle", "font-size": LABEL_FONT, "fill": "currentColor",
                                      "stroke": "#fff", "stroke-width": "4", "paint-order": "stroke"},
                             escape(arc.label)))
    return element("g", {"class": "arc", "data-label": arc.label, "data-head": ids[0], "data-child": ids[1]},
                   "".join(parts))


def word_markup(word: str, tag: str, x: float, base: float) -> str:
    """A word and, under it, its tag."""
    parts = element("tspan", {"class": "word-text", "x": _n(x), "y": _n(base + WORD_GAP)}, escape(word))
    if tag:
        parts += element("tspan", {"class": "tag", "x": _n(x), "y": _n(base + TAG_GAP), "font-size": TAG_FONT,
                                   "fill": "#555"}, escape(tag))
    return element("text", {"class": "word", "text-anchor": "middle", "font-size": WORD_FONT,
                            "fill": "currentColor"}, parts)


def sentence_svg(doc: Any, start: int, end: int, distance: int, tag: str) -> str:
    """The SVG of doc[start:end]."""
    tokens = [doc[i] for i in range(start, end)]
    words = [shown_word(t.text) for t in tokens]
    tags = [tag_of(t, tag) for t in tokens]
    arcs = arcs_of(doc, start, end)
    arc_levels = levels(arcs)
    offsets = end_offsets(arcs, len(tokens))
    centres, width = column_centres(words, tags, arcs, distance)
    base = PAD + LABEL_FONT + max(arc_levels.values(), default=0) * LEVEL_HEIGHT
    height = base + BOTTOM
    body = [element("title", None, escape("Dependency parse: " + doc[start:end].text))]
    body += [word_markup(w, t, x, base) for w, t, x in zip(words, tags, centres)]
    for arc in arcs:
        x_head = centres[arc.head] + offsets[arc, arc.head]
        x_child = centres[arc.child] + offsets[arc, arc.child]
        body.append(arc_markup(arc, arc_levels[arc], x_head, x_child, base, (words[arc.head], words[arc.child]),
                               (start + arc.head, start + arc.child)))
    attrs = {"xmlns": "http://www.w3.org/2000/svg", "class": "dep", "role": "img",
             "aria-label": "Dependency parse: " + doc[start:end].text, "width": _n(width), "height": _n(height),
             "viewBox": f"0 0 {_n(width)} {_n(height)}", "font-family": FONT_FAMILY,
             "style": style(color="#111", background="#fff", max_width="none")}
    return element("svg", attrs, "".join(body))


def render_dep(docs: list[Any], options: dict[str, Any]) -> str:
    """The dependency pictures of `docs`: a <div class="parse"> per doc holding its SVGs."""
    out = []
    for i, doc in enumerate(docs):
        svgs = [sentence_svg(doc, start, end, options["distance"], options["tag"])
                for start, end in segments(doc) if end > start]
        out.append(element("div", {"class": "parse", "data-doc": i, "style": style(overflow_x="auto")},
                           "".join(svgs)))
    return "\n".join(out)
