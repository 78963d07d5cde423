"""Version of the nlp-vocab package."""

__version__ = "0.1.0"
