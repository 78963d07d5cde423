"""nlp-models: thinc models, pipeline components, the Language object, save/load, GPU ops."""

from .about import __version__
from .language import Language
from .pipes import (
    FACTORIES,
    DependencyParser,
    EntityRecognizer,
    Tagger,
    TextCategorizer,
    Tok2Vec,
    TrainablePipe,
)
from .util import blank, load, prefer_gpu, require_gpu

__all__ = [
    "FACTORIES",
    "DependencyParser",
    "EntityRecognizer",
    "Language",
    "Tagger",
    "TextCategorizer",
    "Tok2Vec",
    "TrainablePipe",
    "__version__",
    "blank",
    "load",
    "prefer_gpu",
    "require_gpu",
]
