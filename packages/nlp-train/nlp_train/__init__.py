"""nlp-train: The optimization recipe, schedules, batching and the training loop."""

from .about import __version__

__all__ = ["__version__"]
