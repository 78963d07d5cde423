"""Line charts as inline SVG, drawn by our own code: axes with ticks, one polyline per series,
a legend and an optional dashed vertical marker (the best epoch).

The markup is well-formed XML with every text escaped, so a page can embed it as it is and a
test can parse it; it needs no JavaScript and no external resource.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: Series colours, in order (cycled when there are more series).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf")
WIDTH, HEIGHT = 660, 300
#: Margins of the plot area; the legend sits in the right one.
LEFT, RIGHT, TOP, BOTTOM = 58, 170, 16, 46
MARKER_COLOUR = "#555555"


@dataclass(frozen=True)
class Series:
    """One curve: its legend name and its (x, y) points in x order."""

    name: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Axis:
    """A linear axis: the data range [lo, hi] drawn over pixels [start, end], ticks every step."""

    lo: float
    hi: float
    step: float
    start: float
    end: float

    def pixel(self, value: float) -> float:
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)

    def ticks(self) -> list[float]:
        return [self.lo + k * self.step for k in range(round((self.hi - self.lo) / self.step) + 1)]

    def label(self, value: float) -> str:
        """The tick's text, with as many decimals as the step needs."""
        decimals = max(0, -math.floor(math.log10(self.step) + 1e-9))
        return f"{value:.{decimals}f}"


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest 1, 2 or 5 times a power of ten that splits ``span`` into at most
    ``max_ticks`` steps."""
    raw = span / max_ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def make_axis(values: Sequence[float], start: float, end: float, max_ticks: int,
              whole: bool = False, cap: float | None = None) -> Axis:
    """An axis over ``values`` with round bounds; ``whole`` keeps the ticks on whole numbers;
    ``cap`` (e.g. 100 for percentages) is not exceeded when the values stay below it."""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
        if cap is not None and hi > cap >= hi - 1.0:
            hi = cap
    step = nice_step(hi - lo, max_ticks)
    if whole:
        step = max(1.0, round(step))
    return Axis(math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step, step,
                start, end)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _axes(x: Axis, y: Axis, x_label: str, y_label: str) -> list[str]:
    """Grid lines, tick labels, the two axis lines and their titles."""
    out = ['<g class="axes" font-size="11" fill="#333">']
    for value in y.ticks():
        py = _num(y.pixel(value))
        out.append(f'<line x1="{x.start}" y1="{py}" x2="{x.end}" y2="{py}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{x.start - 6}" y="{py}" text-anchor="end" '
                   f'dominant-baseline="middle">{escape(y.label(value))}</text>')
    for value in x.ticks():
        px = _num(x.pixel(value))
        out.append(f'<line x1="{px}" y1="{y.start}" x2="{px}" y2="{y.start + 5}" stroke="#333"/>')
        out.append(f'<text x="{px}" y="{y.start + 18}" text-anchor="middle">'
                   f'{escape(x.label(value))}</text>')
    out.append(f'<line x1="{x.start}" y1="{y.start}" x2="{x.end}" y2="{y.start}" stroke="#333"/>')
    out.append(f'<line x1="{x.start}" y1="{y.start}" x2="{x.start}" y2="{y.end}" stroke="#333"/>')
    out.append(f'<text x="{_num((x.start + x.end) / 2)}" y="{HEIGHT - 8}" '
               f'text-anchor="middle">{escape(x_label)}</text>')
    middle = _num((y.start + y.end) / 2)
    out.append(f'<text x="14" y="{middle}" text-anchor="middle" '
               f'transform="rotate(-90 14 {middle})">{escape(y_label)}</text>')
    out.append("</g>")
    return out


def _curve(series: Series, colour: str, x: Axis, y: Axis) -> list[str]:
    """One polyline, and a dot with a tooltip at each point."""
    coords = [(_num(x.pixel(px)), _num(y.pixel(py))) for px, py in series.points]
    name = escape(series.name)
    out = [f'<g class="series" data-name="{name}">',
           f'<polyline class="curve" fill="none" stroke="{colour}" stroke-width="2" '
           f'points="{" ".join(f"{a},{b}" for a, b in coords)}"><title>{name}</title></polyline>']
    for (a, b), (px, py) in zip(coords, series.points):
        out.append(f'<circle cx="{a}" cy="{b}" r="2.5" fill="{colour}">'
                   f'<title>{name}: {escape(x.label(px))}, {py:.3f}</title></circle>')
    out.append("</g>")
    return out


def _legend(entries: Sequence[tuple[str, str, bool]]) -> list[str]:
    """(name, colour, dashed) per entry, stacked in the right margin."""
    left = WIDTH - RIGHT + 14
    out = ['<g class="legend" font-size="11" fill="#333">']
    for k, (name, colour, dashed) in enumerate(entries):
        top = TOP + 8 + 18 * k
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(f'<line x1="{left}" y1="{top}" x2="{left + 20}" y2="{top}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{left + 26}" y="{top}" dominant-baseline="middle">'
                   f'{escape(name)}</text>')
    out.append("</g>")
    return out


def line_chart(series: Sequence[Series], *, title: str, x_label: str, y_label: str,
               marker: float | None = None, marker_label: str = "",
               y_cap: float | None = None) -> str:
    """An SVG line chart of ``series`` (points whose x or y is not finite are dropped; series
    left without points are not drawn), with a dashed vertical line at x = ``marker``; the
    y axis stops at ``y_cap`` when the values do.

    Raises ValueError when no series has a point to draw.
    """
    kept = [Series(s.name, tuple((float(a), float(b)) for a, b in s.points
                                 if math.isfinite(a) and math.isfinite(b))) for s in series]
    kept = [s for s in kept if s.points]
    if not kept:
        raise ValueError(f"chart {title!r}: no finite points to draw")
    xs = [a for s in kept for a, _ in s.points] + ([marker] if marker is not None else [])
    x = make_axis(xs, LEFT, WIDTH - RIGHT, 10, whole=True)
    y = make_axis([b for s in kept for _, b in s.points], HEIGHT - BOTTOM, TOP, 6, cap=y_cap)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>", *_axes(x, y, x_label, y_label)]
    entries = []
    for k, s in enumerate(kept):
        colour = PALETTE[k % len(PALETTE)]
        out += _curve(s, colour, x, y)
        entries.append((s.name, colour, False))
    if marker is not None:
        px = _num(x.pixel(marker))
        out.append(f'<line class="marker" x1="{px}" y1="{y.start}" x2="{px}" y2="{y.end}" '
                   f'stroke="{MARKER_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3"/>')
        entries.append((marker_label, MARKER_COLOUR, True))
    out += _legend(entries)
    out.append("</svg>")
    return "\n".join(out)
