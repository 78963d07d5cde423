"""nlp-models: thinc models, pipeline components, the Language object, save/load, GPU ops."""

from .about import __version__
from .language import Language
from .pipes import FACTORIES, Tagger, TextCategorizer, TrainablePipe
from .util import blank, load, prefer_gpu, require_gpu

try:  # written by the parser work stream; absent until it lands
    from .pipes.parser import DependencyParser
except ImportError:  # pragma: no cover
    DependencyParser = None  # type: ignore[assignment,misc]
try:
    from .pipes.ner import EntityRecognizer
except ImportError:  # pragma: no cover
    EntityRecognizer = None  # type: ignore[assignment,misc]

__all__ = [
    "FACTORIES",
    "DependencyParser",
    "EntityRecognizer",
    "Language",
    "Tagger",
    "TextCategorizer",
    "TrainablePipe",
    "__version__",
    "blank",
    "load",
    "prefer_gpu",
    "require_gpu",
]
