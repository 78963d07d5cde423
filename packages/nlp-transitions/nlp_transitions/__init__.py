"""nlp-transitions: Cython transition systems (arc-eager parser, BILUO NER) with dynamic oracles."""

from .about import __version__
from .arc_eager import ArcEager, ParseGold
from .batch import StateBatch
from .ner import BiluoPushDown, NerGold
from .system import INVALID_COST, Gold, TransitionSystem

__all__ = [
    "__version__",
    "ArcEager",
    "BiluoPushDown",
    "Gold",
    "INVALID_COST",
    "NerGold",
    "ParseGold",
    "StateBatch",
    "TransitionSystem",
]
