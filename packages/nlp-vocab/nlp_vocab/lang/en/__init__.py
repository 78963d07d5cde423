"""English language data."""

from .norm_exceptions import NORM_EXCEPTIONS
from .stop_words import STOP_WORDS

__all__ = ["NORM_EXCEPTIONS", "STOP_WORDS"]
