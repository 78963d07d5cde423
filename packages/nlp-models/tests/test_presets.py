"""Presets through the component cfg: the resolution order (default_cfg < preset < explicit cfg),
one clear error for an unknown name, what a preset gives a user's component, the sharing plan,
the factory a preset gives a name (accuracy's ner is a crf_ner), and each preset training, saving, loading with no preset named and predicting the same, with the
same weights from the same seed (tiny hand-written data)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import (
    DEFAULT_PRESET,
    PRESETS,
    BiaffineParser,
    Tagger,
    TrainablePipe,
    blank,
    get_component_spec,
    get_preset,
    load,
    preset_names,
    register_component,
)
from nlp_models.ml import build_tagger_model
from nlp_models.pipes.base import TOK2VEC_DEFAULTS
from nlp_models.presets import ACCURACY, can_share, resolve_cfg

#: The accuracy preset's character CNN width.
ACCURACY_CHARS = ACCURACY.tok2vec["chars"]
#: The accuracy parser's state layer: (hidden width, maxout pieces).
ACCURACY_STATE_LAYER = (ACCURACY.components["parser"]["hidden_width"], ACCURACY.components["parser"]["maxout_pieces"])

DATA = [
    ("Ada sold the old boat .", [1, 1, 4, 4, 1, 1], ["nsubj", "root", "det", "amod", "obj", "punct"],
     ["N", "V", "D", "J", "N", "."], [(0, 3, "PER")]),
    ("Ben wrote a letter in Oslo .", [1, 1, 3, 1, 5, 1, 1], ["nsubj", "root", "det", "obj", "case", "obl", "punct"],
     ["N", "V", "D", "N", "P", "N", "."], [(0, 3, "PER"), (22, 26, "LOC")]),
    ("Cleo painted the green lamp .", [1, 1, 4, 4, 1, 1], ["nsubj", "root", "det", "amod", "obj", "punct"],
     ["N", "V", "D", "J", "N", "."], [(0, 4, "PER")]),
]
TEXTS = ["Ada wrote the old letter .", "Ben sold a lamp in Oslo .", "Cleo painted ."]


class PlainComponent(TrainablePipe):
    """A user's component without a tok2vec: a preset leaves its cfg alone."""

    default_cfg: dict[str, Any] = {"threshold": 0.5}


class UserTagger(TrainablePipe):
    """A user's component with a tok2vec of its own (its default cfg is TOK2VEC_DEFAULTS)."""

    default_cfg: dict[str, Any] = dict(TOK2VEC_DEFAULTS)

    def build_model(self):
        return build_tagger_model(self.build_tok2vec(), n_tags=max(1, len(self.labels)))


@pytest.fixture
def user_components(monkeypatch):
    """The two user components registered for one test only (the registry is global)."""
    import nlp_models.component_registry as registry
    import nlp_train.components as infos

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(infos, "_KNOWN", dict(infos._KNOWN))
    register_component("preset_probe", annotation=None)(PlainComponent)
    register_component("preset_tagger", annotation="tags")(UserTagger)


def test_the_table_names_efficiency_first_and_it_is_the_default():
    assert preset_names() == ["efficiency", "accuracy"] and DEFAULT_PRESET == "efficiency"
    assert set(PRESETS) == set(preset_names()) and get_preset("accuracy").name == "accuracy"


def test_resolution_order_default_then_preset_then_explicit():
    nlp = blank("en")
    plain = nlp.create_pipe("tagger")
    assert (plain.cfg["width"], plain.cfg["depth"], plain.cfg["chars"]) == (96, 4, 0) and "preset" not in plain.cfg
    accurate = nlp.create_pipe("tagger", {"preset": "accuracy"})
    assert (accurate.cfg["width"], accurate.cfg["depth"], list(accurate.cfg["embed_rows"])) == (
        128, 6, [10000, 5000, 5000, 5000])
    assert (accurate.cfg["chars"], accurate.cfg["char_len"], accurate.cfg["char_dim"], accurate.cfg["encoder"]) == (
        ACCURACY_CHARS, 16, 32, "cnn")
    assert accurate.cfg["normalize_loss"] is False  # the default cfg's own entries stay
    mine = nlp.create_pipe("tagger", {"preset": "accuracy", "width": 64, "chars": 0})
    assert (mine.cfg["width"], mine.cfg["chars"], mine.cfg["depth"]) == (64, 0, 6)
    assert Tagger(nlp.vocab, preset="efficiency").cfg["depth"] == 2  # the class itself resolves it too


def test_efficiency_gives_ner_depth_2_and_textcat_a_bag_of_words():
    nlp = blank("en")
    assert nlp.create_pipe("ner", {"preset": "efficiency"}).cfg["depth"] == 2
    textcat = nlp.create_pipe("textcat", {"preset": "efficiency"})
    assert textcat.cfg["architecture"] == "bow" and textcat.cfg["depth"] == 4  # no tok2vec: its sizes unused
    chosen = nlp.create_pipe("textcat", {"preset": "efficiency", "architecture": "ensemble"})
    assert chosen.cfg["architecture"] == "ensemble" and chosen.cfg["depth"] == 2
    with pytest.raises(ValueError, match="architecture 'bow' has no tok2vec, so it cannot listen"):
        nlp.create_pipe("textcat", {"preset": "efficiency", "tok2vec": "tok2vec"})
    assert not can_share("textcat", {"preset": "efficiency"}) and not can_share("textcat", {"preset": "accuracy"})
    assert can_share("textcat", {"preset": "accuracy", "architecture": "nb_ensemble"})
    assert can_share("tagger") and not can_share("tok2vec")


def test_accuracy_gives_the_shared_cnn_depth_6_and_the_entity_recognizers_depth_4():
    nlp = blank("en")
    assert nlp.create_pipe("tok2vec", {"preset": "accuracy"}).cfg["depth"] == 6
    for factory in ("ner", "crf_ner"):
        assert nlp.create_pipe(factory, {"preset": "accuracy"}).cfg["depth"] == 4, factory


def test_accuracy_puts_a_hidden_layer_before_the_taggers_softmax():
    nlp = blank("en")
    for preset, hidden in (("efficiency", 0), ("accuracy", ACCURACY.components["tagger"]["hidden_width"])):
        tagger = nlp.create_pipe("tagger", {"preset": preset, "width": 32, "depth": 1, "embed_rows": 100})
        for tag in ("N", "V"):
            tagger.add_label(tag)
        tagger.begin_training()
        assert tagger.cfg["hidden_width"] == hidden
        assert tagger.model.get_ref("output_layer").get_dim("nI") == (hidden or 32)  # the softmax reads the hidden layer


def test_accuracy_sizes_both_parsers_and_an_explicit_value_still_wins():
    nlp = blank("en")
    sizes = {preset: nlp.create_pipe("parser", {"preset": preset}).cfg for preset in ("efficiency", "accuracy")}
    assert [(cfg["hidden_width"], cfg["maxout_pieces"]) for cfg in sizes.values()] == [(64, 2), ACCURACY_STATE_LAYER]
    assert nlp.create_pipe("ner", {"preset": "accuracy"}).cfg["hidden_width"] == 64  # the parser's entry only
    assert nlp.create_pipe("parser", {"preset": "accuracy", "hidden_width": 32}).cfg["hidden_width"] == 32
    for preset, widths in (("efficiency", (128, 64)), ("accuracy", (400, 100))):
        biaffine = BiaffineParser(nlp.vocab, preset=preset, labels=["nsubj", "obj"], width=32, depth=1)
        biaffine.begin_training()
        assert (biaffine.model.attrs["arc_width"], biaffine.model.attrs["label_width"]) == widths

@pytest.mark.parametrize("name", ["fast", 3, ""])
def test_an_unknown_preset_is_one_error_listing_the_known_ones(name):
    nlp = blank("en")
    with pytest.raises(ValueError) as info:
        nlp.create_pipe("parser", {"preset": name})
    assert str(info.value) == f"parser: cfg unknown preset {name!r}: choose one of efficiency, accuracy"
    with pytest.raises(ValueError, match="choose one of efficiency, accuracy"):
        Tagger(nlp.vocab, preset=name)


def test_a_users_component_gets_the_generic_tok2vec_settings_or_nothing(user_components):
    nlp = blank("en")
    tagger = nlp.create_pipe("preset_tagger", {"preset": "accuracy"})
    assert (tagger.cfg["width"], tagger.cfg["chars"], tagger.cfg["preset"]) == (128, ACCURACY_CHARS, "accuracy")
    plain = nlp.create_pipe("preset_probe", {"preset": "accuracy"})
    assert plain.cfg == {"threshold": 0.5, "preset": "accuracy"}
    assert resolve_cfg("preset_probe", PlainComponent, {"threshold": 0.9}) == {"threshold": 0.9}


def test_the_sharing_plan_needs_two_components_that_share():
    efficiency = get_preset("efficiency")
    assert efficiency.listeners(["tagger", "parser", "ner", "textcat"]) == ["tagger", "parser"]
    assert efficiency.listeners(["tagger", "morphologizer", "lemmatizer", "parser"]) == [
        "tagger", "morphologizer", "lemmatizer", "parser"]
    assert efficiency.listeners(["tagger", "ner"]) == []  # one alone keeps its own tok2vec
    assert get_preset("accuracy").listeners(["parser", "tagger"]) == ["parser", "tagger"]


def test_the_accuracy_presets_ner_is_a_crf_ner_that_learns_what_ner_learns():
    """A preset puts a factory in a name's place only where both learn the same annotation and
    labels (so counting labels and checking data by the name stays right)."""
    accuracy, efficiency = get_preset("accuracy"), get_preset("efficiency")
    assert accuracy.factory_for("ner") == "crf_ner" and efficiency.factory_for("ner") == "ner"
    assert accuracy.factory_for("tagger") == "tagger" and accuracy.factory_for("crf_ner") == "crf_ner"
    for preset in PRESETS.values():
        for name, factory in preset.factories.items():
            named, made = get_component_spec(name), get_component_spec(factory)
            assert (named.annotation, named.gold_labels) == (made.annotation, made.gold_labels)
    with_ner = ["tagger", "parser", "ner"]
    assert accuracy.listeners(with_ner) == efficiency.listeners(with_ner) == ["tagger", "parser"]


def preset_pipeline(preset: str, seed: int = 0):
    """tok2vec + tagger + parser (the preset's sharing plan) and ner (of the preset's factory:
    accuracy's is a crf_ner), trained 2 epochs."""
    fix_random_seed(seed)
    nlp = blank("en")
    table = get_preset(preset)
    listening = table.listeners(["tagger", "parser", "ner"])
    if listening:
        nlp.add_pipe(nlp.create_pipe("tok2vec", {"preset": preset}))
    for name in ("tagger", "parser", "ner"):
        cfg = {"preset": preset, **({"tok2vec": "tok2vec"} if name in listening else {})}
        nlp.add_pipe(nlp.create_pipe(table.factory_for(name), cfg), name=name)
    examples = [Example.from_dict(nlp.make_doc(text), {"heads": heads, "deps": deps, "tags": tags,
                                                       "entities": ents})
                for text, heads, deps, tags, ents in DATA]
    optimizer = nlp.begin_training(lambda: examples)
    for _ in range(2):
        for example in examples:
            nlp.update([example], sgd=optimizer, drop=0.1, losses={})
    return nlp


def as_json(cfg: dict) -> Any:
    return json.loads(json.dumps(cfg))  # a tuple of the defaults reads back as a list


def annotations(nlp) -> list:
    return [([t.tag_ for t in doc], [t.head.i for t in doc], [t.dep_ for t in doc],
             [(e.start, e.end, e.label_) for e in doc.ents]) for doc in nlp.pipe(TEXTS)]


@pytest.mark.parametrize("preset", ["efficiency", "accuracy"])
def test_each_preset_trains_saves_and_loads_with_no_preset_named(tmp_path, preset):
    nlp = preset_pipeline(preset)
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    assert nlp.get_pipe("ner").factory == {"efficiency": "ner", "accuracy": "crf_ner"}[preset]
    assert nlp.get_pipe("ner").listens_to is None and nlp.get_pipe("parser").listens_to == "tok2vec"
    before = annotations(nlp)
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model")
    assert annotations(loaded) == before and loaded.get_pipe("ner").factory == nlp.get_pipe("ner").factory
    for name in nlp.pipe_names:
        assert as_json(loaded.get_pipe(name).cfg) == as_json(nlp.get_pipe(name).cfg)  # cfg.json: the values
        assert loaded.get_pipe(name).cfg["preset"] == preset
    lower = loaded.get_pipe("parser").model.get_ref("lower")
    assert (lower.get_dim("nO"), lower.get_dim("nP")) == {"efficiency": (64, 2), "accuracy": ACCURACY_STATE_LAYER}[preset]
    expected = {"efficiency": (96, 2, 0), "accuracy": (128, 6, ACCURACY_CHARS)}[preset]
    t2v = loaded.get_pipe("tok2vec").cfg
    assert (t2v["width"], t2v["depth"], t2v["chars"]) == expected
    ner = loaded.get_pipe("ner").cfg
    assert (ner["width"], ner["depth"], ner["chars"]) == {"efficiency": (96, 2, 0), "accuracy": (128, 4, ACCURACY_CHARS)}[preset]


def test_the_same_seed_gives_the_same_weights():
    first, second = preset_pipeline("accuracy", seed=4), preset_pipeline("accuracy", seed=4)
    assert [p.model.to_bytes() for _, p in first.pipeline] == [p.model.to_bytes() for _, p in second.pipeline]
    other = preset_pipeline("accuracy", seed=5)
    assert other.get_pipe("tok2vec").model.to_bytes() != first.get_pipe("tok2vec").model.to_bytes()
