"""nlp-cli: The nlp command: train, convert, pretrain, evaluate, init-vectors, package, debug-data."""

from .about import __version__

__all__ = ["__version__"]
