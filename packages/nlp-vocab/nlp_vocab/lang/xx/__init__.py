"""Generic (multi-language) defaults: no stop words, no norm exceptions."""

STOP_WORDS: frozenset = frozenset()
NORM_EXCEPTIONS: dict = {}
