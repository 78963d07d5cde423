"""Version of the nlp-models package."""

__version__ = "0.5.0"
