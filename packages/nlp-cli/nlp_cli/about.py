"""Version of the nlp-cli package."""

__version__ = "0.5.0"
