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
    states: dict[str, Any] = {
        "python": saved_state(random.getstate()),
        "shuffle": saved_state(shuffle_rng.getstate()),
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
    random.setstate(loaded_state(states["python"]))
    shuffle_rng.setstate(loaded_state(states["shuffle"]))
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


def saved_state(state: tuple[Any, ...]) -> list[Any]:
    """A python generator's ``getstate()``, msgpack-ready."""
    version, internal, gauss = state
    return [version, list(internal), gauss]


def loaded_state(saved: list[Any]) -> tuple[Any, ...]:
    """Inverse of :func:`saved_state`: what ``setstate()`` takes."""
    version, internal, gauss = saved
    return (version, tuple(internal), gauss)


def seed_device(seed: int, epoch: int, position: int = 0) -> None:
    """Seed cupy's global generator from ``seed``, ``epoch`` and ``position`` (examples done in
    the epoch; when cupy is loaded), so the dropout masks drawn on a GPU are the same in a run
    resumed at this point of the epoch."""
    cupy = sys.modules.get("cupy")
    if cupy is None:
        return
    entropy = [int(seed) % 2**32, int(epoch)] + ([int(position)] if position else [])
    derived = numpy.random.SeedSequence(entropy).generate_state(1)[0]
    cupy.random.seed(int(derived))
