"""Version of the nlp-transitions package."""

__version__ = "0.1.1"
