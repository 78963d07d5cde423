"""Version of the nlp-models package."""

__version__ = "0.7.0"
