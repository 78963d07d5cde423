"""Version of the nlp-models package."""

__version__ = "0.4.0"
