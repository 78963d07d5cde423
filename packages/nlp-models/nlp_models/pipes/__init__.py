"""Pipeline components and the factory table `Language.create_pipe` reads.

Each component module registers itself below with one import line and one FACTORIES entry.
"""

from .base import TrainablePipe, batched, set_dropout
from .ner import EntityRecognizer
from .parser import DependencyParser
from .tagger import Tagger
from .textcat import TextCategorizer

FACTORIES: dict[str, type] = {
    "parser": DependencyParser,
    "ner": EntityRecognizer,
    "tagger": Tagger,
    "textcat": TextCategorizer,
}

__all__ = ["DependencyParser", "EntityRecognizer", "FACTORIES", "Tagger", "TextCategorizer", "TrainablePipe", "batched", "set_dropout"]
