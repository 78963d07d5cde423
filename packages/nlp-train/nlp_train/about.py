"""Version of the nlp-train package."""

__version__ = "0.7.1"
