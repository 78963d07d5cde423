"""Pipeline components and the factory table `Language.create_pipe` reads.

Each component module registers itself below with one import line and one FACTORIES entry.
"""

from .base import TrainablePipe, batched, set_dropout
from .ner import EntityRecognizer
from .parser import DependencyParser
from .tagger import Tagger
from .textcat import TextCategorizer
from .tok2vec import Tok2Vec

FACTORIES: dict[str, type] = {
    "parser": DependencyParser,
    "ner": EntityRecognizer,
    "tagger": Tagger,
    "textcat": TextCategorizer,
    "tok2vec": Tok2Vec,
}

__all__ = ["DependencyParser", "EntityRecognizer", "FACTORIES", "Tagger", "TextCategorizer", "Tok2Vec", "TrainablePipe", "batched", "set_dropout"]
