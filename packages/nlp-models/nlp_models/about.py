"""Version of the nlp-models package."""

__version__ = "0.6.0"
