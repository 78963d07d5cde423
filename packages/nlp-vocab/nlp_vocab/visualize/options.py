"""The options of `render`, checked: an unknown name or a bad value is one ValueError line
naming the option, not a broken picture later."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

DEFAULTS: dict[str, dict[str, Any]] = {
    "dep": {"title": "Dependency parses", "distance": 90, "tag": "auto"},
    "ent": {"title": "Entities", "labels": None, "colors": {}},
}
TAG_CHOICES = ("auto", "tag", "pos", "none")
#: CSS colours we accept: #rgb[a] / #rrggbb[aa], a name, or rgb()/hsl() with plain arguments
#: (nothing that could end the declaration or load a resource).
COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9a-z.,%/ ]{1,60}\)")


def _title(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"render: option 'title' must be a str, not {type(value).__name__}")
    return value


def _distance(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 20 <= value <= 1000:
        raise ValueError(f"render: option 'distance' must be a whole number of pixels in 20-1000, not {value!r}")
    return value


def _tag(value: Any) -> str:
    if value not in TAG_CHOICES:
        raise ValueError(f"render: option 'tag' must be one of {', '.join(TAG_CHOICES)}, not {value!r}")
    return value


def _labels(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"render: option 'labels' must be a list of entity labels, not {value!r}")
    labels = list(value)
    if not all(isinstance(label, str) for label in labels):
        raise ValueError(f"render: option 'labels' must hold strings only, not {labels!r}")
    return frozenset(labels)


def _colors(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"render: option 'colors' must be a dict of label -> CSS colour, not {value!r}")
    for label, color in value.items():
        if not isinstance(label, str) or not isinstance(color, str) or not COLOR.fullmatch(color):
            raise ValueError(f"render: option 'colors': {label!r} -> {color!r} is not a label and a CSS colour "
                             "(#hex, a name, rgb(...) or hsl(...))")
    return dict(value)


CHECKS = {"title": _title, "distance": _distance, "tag": _tag, "labels": _labels, "colors": _colors}


def resolve_options(style: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults of `style` updated with `options`, every value checked."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError(f"render: options must be a dict, not {type(options).__name__}")
    known = DEFAULTS[style]
    unknown = sorted(set(options) - set(known), key=str)
    if unknown:
        raise ValueError(f"render: unknown option {unknown[0]!r} for style {style!r}: use {', '.join(known)}")
    settings = {**known, **options}
    return {name: CHECKS[name](value) for name, value in settings.items()}
