"""Named presets: one table of the settings a model family uses, chosen by one name.

A preset says, per component factory, the cfg it sets, which factories read one shared
tok2vec when they are trained together, and which factory a component named by its job gets
(`nlp train -p ner` under `accuracy` trains a `crf_ner` called "ner": entities with a
confidence). `efficiency` is what `nlp train` uses when no preset is named; `accuracy` trades
speed for accuracy (provisional: tuned by measurement).

In Python, a component's cfg names its preset: `nlp.create_pipe("tagger", {"preset":
"accuracy"})`. The cfg resolves as default_cfg < the preset's values < the cfg given, so an
explicit value always wins. The preset's `tok2vec` settings go to every component that has a
tok2vec of its own (a built-in, the shared `tok2vec` component, or a user's component whose
default cfg has a tok2vec's width and depth); `components[factory]` adds to them. The resolved
cfg keeps the `preset` key and is saved whole in cfg.json, so loading needs no preset.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .component_registry import get_component_spec

#: The cfg key naming a component's preset.
PRESET_KEY = "preset"
#: The preset `nlp train` uses when none is named.
DEFAULT_PRESET = "efficiency"
#: The default-cfg entries that say a component has a tok2vec of its own.
TOK2VEC_MARKS = ("width", "depth")


@dataclass(frozen=True)
class Preset:
    """One named family of settings.

    - ``tok2vec``: cfg of every tok2vec (a component's own, or the shared `tok2vec` one).
    - ``components``: cfg per factory, over ``tok2vec`` (e.g. the text classifier's architecture).
    - ``shared``: factories that read one shared tok2vec when two or more are trained together.
    - ``factories``: the factory a component named by its job gets under this preset, where it is
      not the factory of that name (accuracy: `ner` is a `crf_ner`). `nlp train -p` and the bench
      name components this way; `nlp.create_pipe` makes the factory it is given. The two learn
      the same annotation and labels, so the data checks (`nlp debug-data`) are the same.
    """

    name: str
    summary: str
    tok2vec: Mapping[str, Any] = field(default_factory=dict)
    components: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    shared: tuple[str, ...] = ()
    factories: Mapping[str, str] = field(default_factory=dict)

    def factory_for(self, name: str) -> str:
        """The factory of a component called `name` under this preset (`name` itself unless
        the preset puts another one in its place)."""
        return self.factories.get(name, name)

    def cfg_for(self, factory: str, cls: type | None = None, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The values this preset sets for a component of `factory` (class `cls`) whose cfg is
        `given`: its `components` entry, and its `tok2vec` settings if it has a tok2vec."""
        own = copy.deepcopy(dict(self.components.get(factory, {})))
        if cls is not None and has_tok2vec(cls, {**own, **(given or {})}):
            own = {**copy.deepcopy(dict(self.tok2vec)), **own}
        return own

    def listeners(self, names: Sequence[str]) -> list[str]:
        """Those of the components `names` that read one shared tok2vec under this preset: the
        ones whose factory it shares, when two or more are there (one alone keeps its own:
        nothing to share)."""
        chosen = [name for name in names if self.factory_for(name) in self.shared]
        return chosen if len(chosen) >= 2 else []


# The bench's settings (bench/ours_runner.py), ahead of spaCy 3.8's efficiency pipelines: a
# depth-2 CNN in every tok2vec (the one the tagger, parser, morphologizer and lemmatizer share,
# and the entity recognizer's own), a bag of uni- and bigrams for the text classifier.
# Every tok2vec reads 40% of the training tokens as an unknown word (cfg word_dropout: no NORM of
# their own, no static vector; nothing changes at inference): CoNLL-2003 ents_f 89.57 against
# 88.51 after 5 epochs (BENCHMARKS.md, "Word dropout"). Both presets share it.
WORD_DROPOUT = 0.4
EFFICIENCY = Preset(
    name="efficiency",
    summary="one shared depth-2 tok2vec, depth-2 NER, bag-of-words text classifier; word dropout",
    tok2vec={"depth": 2, "word_dropout": WORD_DROPOUT},
    components={"textcat": {"architecture": "bow", "ngram_size": 2}},
    shared=("tagger", "parser", "biaffine_parser", "morphologizer", "lemmatizer"),
)

# Provisional: wider and deeper, with character features (the chars/char_len/char_dim/char_window/
# encoder cfg of the tok2vec); the values are to be tuned by measurement (issue #13). The text
# classifier: NB-weighted uni+bi+trigrams of at least two training docs (IMDB dev 92.5 after
# 2 epochs, the bag of uni+bigrams 89.9: BENCHMARKS.md, "#14 text classifier probes"). The
# entity recognizer `-p ner` is a `crf_ner`: it gives each entity a calibrated confidence
# (`Span.score`), which the greedy `ner` cannot (issue #14); on this encoder with vectors it
# scored CoNLL dev F 89.31 after 5 epochs (best 89.76, epoch 3) against the greedy 89.90, one
# seed (BENCHMARKS.md, "#14 entities on the accuracy preset's encoder").
# The arc-eager parser's state layer: hidden width 256 with 2 maxout pieces. 128 x 3 beat 64 x 2
# (EWT dev LAS 83.48 against 82.99 after 5 epochs, with vectors); 256 x 2 beat 128 x 3 on
# Finnish-TDT (model-best LAS +0.61 and +0.56 on two seeds) for about 0.91x the annotation speed,
# where 256 x 3 cost 0.70x (BENCHMARKS.md, "Character CNN width"). The biaffine parser, an option, gets
# Dozat & Manning's MLP widths (arc 400, label 100): on a BiLSTM with vectors it still trailed
# the arc-eager parser after 12 epochs (BENCHMARKS.md, "Model-choice probes", EWT).
# The shared CNN has depth 6: on UD EWT with vectors, depth 6 against 4 at width 128 gained on
# every column (seed 0 at epoch 8: UPOS 95.03 vs 94.92, FEATS 95.32 vs 95.24, lemmas 97.06 vs
# 97.01, LAS 82.86 vs 82.61), and seed 1 held UPOS 95.03-95.07 from epoch 5 (BENCHMARKS.md, "Deeper
# and wider shared CNN"). The entity recognizer's own tok2vec keeps depth 4, the depth its CoNLL
# figures were measured with.
# The character CNN has 128 filters (64 before): on Finnish-TDT dev, without vectors, tag_acc
# peaked at 88.53-88.64 with 128 or 256 filters (char_len 16 or 24) against 87.97 with 64, UPOS
# 86.9-87.0 against 86.7; on UD EWT with vectors (seed 1, epochs 5-11) LAS rose 0.3 (mean 83.28
# against 82.97) and UPOS, UFeats, tags and lemmas stayed within 0.07 (-0.04, -0.07, -0.06, 0.00).
# Learned word edges (cfg char_edges) lost tag accuracy on both and stay off (BENCHMARKS.md,
# "Character CNN width"). Its filters read windows of 5 characters (3 before): on Finnish-TDT,
# three seeds, model-best tag_acc +0.03/+0.82/+0.41, UPOS +0.41/+1.05/+0.58, LAS
# +0.90/+0.99/-0.07; on UD EWT with vectors, two seeds, tag_acc and UPOS -0.06 to -0.08 over
# epochs 5-10, LAS +0.29/0.00 (BENCHMARKS.md, "Character windows of five").
# The tagger has a hidden maxout layer of 128 before its softmax: on Finnish-TDT tag_acc +0.14 to
# +0.49 at model-best on three seeds (LAS -0.22 to +0.04), on UD EWT with vectors level or better
# on every column over epochs 5-10 (tag_acc +0.05, UPOS +0.09, LAS +0.09; BENCHMARKS.md, "Parser
# state layer and tagger hidden layer").
# Word dropout (as in the efficiency preset), at model-best over the preset without it: UD EWT with
# vectors after 10 epochs, seeds 0/1, tag_acc +0.33/+0.40, UPOS +0.18/+0.30, UFeats +0.29/+0.15,
# Lemmas +0.14/+0.18, LAS +0.38/+0.47; Finnish-TDT after 20 epochs tag_acc +1.63/+1.65, UFeats
# +0.90/+1.50, LAS +1.63/+2.38; CoNLL-2003 ents_f 90.34 against 89.58 after 5 epochs
# (BENCHMARKS.md, "Word dropout").
ACCURACY = Preset(
    name="accuracy",
    summary="one shared width-128 depth-6 tok2vec with character features; CRF entity recognizer with "
            "a confidence per entity; NB-weighted n-gram text classifier",
    tok2vec={"width": 128, "depth": 6, "embed_rows": [10000, 5000, 5000, 5000],
             "chars": 128, "char_len": 16, "char_dim": 32, "char_window": 5, "encoder": "cnn",
             "word_dropout": WORD_DROPOUT},
    components={"textcat": {"architecture": "nb_bow", "ngram_size": 3, "nb_min_count": 2},
                "ner": {"depth": 4}, "crf_ner": {"depth": 4},
                "tagger": {"hidden_width": 128},
                "parser": {"hidden_width": 256, "maxout_pieces": 2},
                "biaffine_parser": {"arc_width": 400, "label_width": 100}},
    shared=("tagger", "parser", "biaffine_parser", "morphologizer", "lemmatizer"),
    factories={"ner": "crf_ner"},
)

PRESETS: dict[str, Preset] = {preset.name: preset for preset in (EFFICIENCY, ACCURACY)}


def preset_names() -> list[str]:
    """The known presets' names, the default first."""
    return list(PRESETS)


def get_preset(name: Any) -> Preset:
    """The preset called `name`; a ValueError listing the known ones otherwise."""
    preset = PRESETS.get(name) if isinstance(name, str) else None
    if preset is None:
        raise ValueError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    return preset


def has_tok2vec(cls: type, cfg: Mapping[str, Any]) -> bool:
    """Whether a component of class `cls` made with `cfg` has a tok2vec: its default cfg has a
    tok2vec's width and depth, and the class (if it says) can listen with that cfg (a bag of
    words cannot)."""
    defaults = getattr(cls, "default_cfg", None) or {}
    if not all(key in defaults for key in TOK2VEC_MARKS):
        return False
    can_listen_with = getattr(cls, "can_listen_with", None)
    return bool(can_listen_with({**defaults, **cfg})) if callable(can_listen_with) else True


def resolve_cfg(factory: str, cls: type, cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    """`cfg` over the values of the preset it names (cfg `preset`; none named: `cfg` as given).
    A ValueError naming the factory for an unknown preset."""
    cfg = dict(cfg or {})
    name = cfg.get(PRESET_KEY)
    if name is None:
        return cfg
    try:
        preset = get_preset(name)
    except ValueError as err:
        raise ValueError(f"{factory}: cfg {err}") from None
    return {**preset.cfg_for(factory, cls, cfg), **cfg}


def can_share(factory: str, cfg: Mapping[str, Any] | None = None) -> bool:
    """Whether a component of the registered `factory` made with `cfg` (its preset resolved)
    can read a shared tok2vec instead of its own (not a bag-of-words textcat, nor a tok2vec)."""
    spec = get_component_spec(factory)
    can_listen_with = getattr(spec.cls, "can_listen_with", None)
    resolved = resolve_cfg(factory, spec.cls, cfg)
    return spec.can_listen and (not callable(can_listen_with) or bool(can_listen_with(resolved)))
