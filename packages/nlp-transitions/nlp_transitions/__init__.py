"""nlp-transitions: Cython transition systems (arc-eager parser, BILUO NER) with dynamic oracles."""

from .about import __version__

__all__ = ["__version__"]
