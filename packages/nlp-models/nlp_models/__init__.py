"""nlp-models: thinc models, pipeline components, the Language object, save/load, GPU ops."""

from .about import __version__
from .component_protocol import (
    Calibrated,
    LearnsLabels,
    Listener,
    NormalizedLoss,
    TrainableComponent,
    Upstream,
    implements,
)
from .component_registry import (
    ComponentSpec,
    component_factories,
    get_component_spec,
    register_component,
)
from .language import Language
from .pipes import (
    BiaffineParser,
    CrfEntityRecognizer,
    DependencyParser,
    EntityRecognizer,
    Lemmatizer,
    Morphologizer,
    Tagger,
    TextCategorizer,
    Tok2Vec,
    TrainablePipe,
)
from .presets import DEFAULT_PRESET, PRESETS, Preset, get_preset, preset_names
from .util import blank, load, prefer_gpu, require_gpu

__all__ = [
    "Calibrated",
    "ComponentSpec",
    "DEFAULT_PRESET",
    "PRESETS",
    "Preset",
    "Listener",
    "LearnsLabels",
    "NormalizedLoss",
    "TrainableComponent",
    "Upstream",
    "component_factories",
    "get_component_spec",
    "get_preset",
    "implements",
    "register_component",
    "BiaffineParser",
    "CrfEntityRecognizer",
    "DependencyParser",
    "EntityRecognizer",
    "Language",
    "Lemmatizer",
    "Morphologizer",
    "Tagger",
    "TextCategorizer",
    "Tok2Vec",
    "TrainablePipe",
    "__version__",
    "blank",
    "load",
    "prefer_gpu",
    "preset_names",
    "require_gpu",
]
