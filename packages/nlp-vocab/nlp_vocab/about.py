"""Version of the nlp-vocab package."""

__version__ = "0.4.1"
