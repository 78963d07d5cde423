"""nlp-models: thinc models, pipeline components, the Language object, save/load, GPU ops."""

from .about import __version__

__all__ = ["__version__"]
