"""Every random state training reads, saved and restored so a resumed run is exact.

Training draws from: python's ``random`` and numpy's global generator
(thinc's dropout masks and initialisers on the CPU), the loop's shuffling
generator (the epoch order and the rehearsal samples), and any generator a
pipeline's components keep for themselves (e.g. a transition component's exploration),
which the pipeline reports through the optional ``random_states()`` /
``set_random_states(states)`` methods.  On a GPU thinc draws dropout masks
from cupy's generator, whose state cannot be read: :func:`seed_device`
reseeds it at the start of each epoch instead, from the seed and the epoch.
"""

from __future__ import annotations

import random
import sys
from typing import Any

import numpy


def capture_random(shuffle_rng: random.Random, pipeline: Any = None) -> dict[str, Any]:
    """The python, numpy, shuffling and ``pipeline``'s random states, msgpack-ready."""
    kind, keys, pos, has_gauss, cached = numpy.random.get_state(legacy=True)
    py_version, py_state, py_gauss = random.getstate()
    sh_version, sh_state, sh_gauss = shuffle_rng.getstate()
    states: dict[str, Any] = {
        "python": [py_version, list(py_state), py_gauss],
        "shuffle": [sh_version, list(sh_state), sh_gauss],
        "numpy": [kind, numpy.asarray(keys), int(pos), int(has_gauss), float(cached)],
    }
    getter = getattr(pipeline, "random_states", None)
    if callable(getter):
        states["pipeline"] = dict(getter())
    return states


def restore_random(states: dict[str, Any], shuffle_rng: random.Random, pipeline: Any = None,
                   where: str = "checkpoint") -> None:
    """Inverse of :func:`capture_random`; a ValueError naming ``where`` if the saved
    component states do not fit ``pipeline``."""
    version, state, gauss = states["python"]
    random.setstate((version, tuple(state), gauss))
    version, state, gauss = states["shuffle"]
    shuffle_rng.setstate((version, tuple(state), gauss))
    kind, keys, pos, has_gauss, cached = states["numpy"]
    numpy.random.set_state((kind, numpy.asarray(keys, dtype=numpy.uint32), pos, has_gauss, cached))
    saved = states.get("pipeline") or {}
    if not saved:
        return
    setter = getattr(pipeline, "set_random_states", None)
    if not callable(setter):
        raise ValueError(f"{where}: random states saved for components {sorted(saved)}, but the "
                         "pipeline has no set_random_states() to restore them")
    try:
        setter(saved)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


def seed_device(seed: int, epoch: int) -> None:
    """Seed cupy's global generator from ``seed`` and ``epoch`` (when cupy is loaded), so the
    dropout masks drawn on a GPU are the same in a run resumed at this epoch."""
    cupy = sys.modules.get("cupy")
    if cupy is None:
        return
    derived = numpy.random.SeedSequence([int(seed) % 2**32, int(epoch)]).generate_state(1)[0]
    cupy.random.seed(int(derived))
