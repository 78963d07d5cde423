"""Helpers several nlp-models test modules share. The tests run in importlib mode, where a
test module cannot import a sibling: small helpers are fixtures here, and this folder goes on
sys.path so that helper modules with unique names (parser_testing.py) can be imported."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


def central_differences(f: Callable[[], float], array: Any, eps: float = 1e-2) -> numpy.ndarray:
    """d f / d array by central differences: `f()` reads `array`, which is changed in place
    (a parameter, or a view of one) and restored."""
    grad = numpy.zeros(array.shape, dtype="float64")
    for index in numpy.ndindex(array.shape):
        keep = array[index]
        array[index] = keep + eps
        up = f()
        array[index] = keep - eps
        down = f()
        array[index] = keep
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.fixture
def numeric_gradient() -> Callable[..., numpy.ndarray]:
    """`numeric_gradient(f, array, eps=1e-2)`: see `central_differences`."""
    return central_differences
