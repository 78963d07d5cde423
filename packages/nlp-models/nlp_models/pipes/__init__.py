"""The built-in pipeline components: each module registers its class with
`nlp_models.component_registry.register_component` when imported here."""

from .base import ADDED_TOK2VEC_CFG, TrainablePipe, batched, set_dropout, vectors_lookup_cfg
from .biaffine_parser import BiaffineParser
from .crf_ner import CrfEntityRecognizer
from .lemmatizer import Lemmatizer
from .morphologizer import Morphologizer
from .ner import EntityRecognizer
from .parser import DependencyParser
from .tagger import Tagger
from .textcat import TextCategorizer
from .tok2vec import Tok2Vec

__all__ = ["ADDED_TOK2VEC_CFG", "BiaffineParser", "CrfEntityRecognizer", "DependencyParser", "EntityRecognizer", "Lemmatizer", "Morphologizer", "Tagger", "TextCategorizer", "Tok2Vec", "TrainablePipe", "batched", "set_dropout", "vectors_lookup_cfg"]
