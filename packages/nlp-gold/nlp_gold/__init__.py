"""nlp-gold: Gold annotations, alignment, BILUO, (de)projectivization, corpus readers/writers and the scorer."""

from .about import __version__

__all__ = ["__version__"]
