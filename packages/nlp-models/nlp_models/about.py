"""Version of the nlp-models package."""

__version__ = "0.8.9"
