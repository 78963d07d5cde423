"""Version of the nlp-cli package."""

__version__ = "0.7.8"
