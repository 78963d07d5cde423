"""Version of the nlp-train package."""

__version__ = "0.5.0"
