"""nlp-vocab: Strings, lexemes, vectors, tag maps, Doc/Token/Span and the rule-based tokenizer."""

from .about import __version__

__all__ = ["__version__"]
