"""Version of the nlp-gold package."""

__version__ = "0.5.3"
