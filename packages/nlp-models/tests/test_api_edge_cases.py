"""API edge cases, for every component alone and in pipelines: empty texts in `nlp()`, `pipe`,
`update` and `evaluate`; `add_label` on a trained component, then save and load; `drop` outside
[0, 1); a textcat label in `update` that the component does not have."""

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_models import blank, component_factories, load
from nlp_models.ml import build_hash_embed_cnn_tok2vec

SMALL = {"width": 32, "depth": 1, "embed_rows": 300}
ALL = ["tagger", "parser", "ner", "textcat"]
#: Pipelines as (component factories, whether they share one tok2vec component).
PIPELINES = {
    "tagger": (["tagger"], False),
    "parser": (["parser"], False),
    "ner": (["ner"], False),
    "textcat": (["textcat"], False),
    "textcat-listener": (["textcat"], True),
    "all": (ALL, False),
    "all-shared": (ALL, True),
}
TRAIN = [
    ("Ada likes green eggs", {
        "tags": ["N", "V", "J", "N"], "heads": [1, 1, 3, 1], "deps": ["nsubj", "ROOT", "amod", "dobj"],
        "entities": [(0, 3, "PER")], "cats": {"POS": 1.0, "NEG": 0.0},
    }),
    ("Ben hates blue ham", {
        "tags": ["N", "V", "J", "N"], "heads": [1, 1, 3, 1], "deps": ["nsubj", "ROOT", "amod", "dobj"],
        "entities": [(0, 3, "PER")], "cats": {"POS": 0.0, "NEG": 1.0},
    }),
]
EMPTY_GOLD = {"tags": [], "heads": [], "deps": [], "entities": [], "cats": {"POS": 1.0, "NEG": 0.0}}


def _pipeline(names, shared=False, seed=0, **cfg):
    """A blank English pipeline of `names` (tiny networks), initialised on TRAIN."""
    fix_random_seed(seed)
    nlp = blank("en")
    if shared:
        nlp.add_pipe(nlp.create_pipe("tok2vec", SMALL))
    for name in names:
        nlp.add_pipe(nlp.create_pipe(name, {**SMALL, **cfg, **({"tok2vec": "tok2vec"} if shared else {})}))
    nlp.begin_training(lambda: TRAIN)
    return nlp


def _annotations(doc):
    """What a doc carries that any component sets: tags, heads, entities and cats."""
    return (
        [t.tag_ for t in doc],
        [t.head.i for t in doc],
        [(e.start, e.end, e.label_) for e in doc.ents],
        {k: round(v, 5) for k, v in doc.cats.items()},
    )


def _weights(nlp):
    """Every parameter of every component's model, as bytes (attrs such as dropout rates aside)."""
    return {
        name: [node.get_param(p).tobytes() for node in proc.model.walk() for p in node.param_names if node.has_param(p)]
        for name, proc in nlp.pipeline
    }


# ---- empty texts -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(PIPELINES))
def test_empty_texts_are_annotated_like_any_other(key):
    nlp = _pipeline(*PIPELINES[key])
    doc = nlp("")
    assert len(doc) == 0 and doc.text == "" and not doc.ents
    if nlp.has_pipe("textcat"):
        assert set(doc.cats) == {"POS", "NEG"}
        assert sum(doc.cats.values()) == pytest.approx(1.0, abs=1e-5)  # exclusive classes
    empty, word = nlp.pipe(["", "eggs"])
    assert _annotations(empty) == _annotations(doc)  # alone or in a batch: the same result
    assert _annotations(word) == _annotations(nlp("eggs"))
    assert [d.text for d in nlp.pipe(["", "", ""], batch_size=2)] == ["", "", ""]


@pytest.mark.parametrize("key", list(PIPELINES))
def test_empty_texts_add_nothing_to_an_update(key):
    names, shared = PIPELINES[key]
    with_empty, without = _pipeline(names, shared), _pipeline(names, shared)
    texts, golds = zip(*TRAIN)
    losses = with_empty.update(["", texts[0], "", texts[1]], [EMPTY_GOLD, golds[0], EMPTY_GOLD, golds[1]])
    expected = without.update(list(texts), list(golds))
    assert losses == pytest.approx(expected)
    assert all(loss > 0 for name, loss in losses.items() if name != "tok2vec")
    probe = "Ada hates green ham"
    assert _annotations(with_empty(probe)) == _annotations(without(probe))


@pytest.mark.parametrize("key", list(PIPELINES))
def test_a_batch_of_empty_texts_makes_no_step(key):
    nlp = _pipeline(*PIPELINES[key])
    before = _weights(nlp)
    losses = nlp.update([""], [EMPTY_GOLD])
    losses = nlp.update(["", ""], [{}, {}], losses=losses)
    assert losses and all(loss == 0.0 for loss in losses.values())
    assert _weights(nlp) == before


@pytest.mark.parametrize("key", ["all", "all-shared"])
def test_evaluate_with_empty_examples(key):
    nlp = _pipeline(*PIPELINES[key])
    scores = nlp.evaluate(TRAIN)
    with_empty = nlp.evaluate([("", {}), TRAIN[0], ("", {}), TRAIN[1]])
    assert {k: v for k, v in with_empty.items() if k != "wps"} == {k: v for k, v in scores.items() if k != "wps"}
    only_empty = nlp.evaluate([("", {})])
    assert only_empty["wps"] == 0.0


def test_the_tok2vec_model_keeps_its_width_on_a_batch_without_tokens():
    model = build_hash_embed_cnn_tok2vec(width=16, depth=2, rows=100)
    model.initialize(X=[numpy.ones((3, 4), dtype="uint64")])
    empty = numpy.zeros((0, 4), dtype="uint64")
    assert [y.shape for y in model.predict([empty, empty])] == [(0, 16), (0, 16)]


def test_tok2vec_weights_saved_with_thincs_window_and_residual_layers_still_load(monkeypatch):
    """The conv block's own window/residual layers stand in for thinc's: same nodes, same bytes."""
    import thinc.api

    import nlp_models.ml.tok2vec as tok2vec_module

    X = [numpy.arange(20, dtype="uint64").reshape((5, 4))]
    with monkeypatch.context() as patch:
        patch.setattr(tok2vec_module, "ragged_window", thinc.api.expand_window)
        patch.setattr(tok2vec_module, "ragged_residual", thinc.api.residual)
        old = build_hash_embed_cnn_tok2vec(width=16, depth=2, rows=100)
        old.initialize(X=X)
    new = build_hash_embed_cnn_tok2vec(width=16, depth=2, rows=100).from_bytes(old.to_bytes())
    assert [node.name for node in new.walk()] == [node.name for node in old.walk()]
    numpy.testing.assert_array_equal(new.predict(X)[0], old.predict(X)[0])


# ---- add_label on a trained component ------------------------------------------------------------

#: Per component: its pipeline cfg, a label to add after training, and TRAIN-like data that has it.
NEW_LABELS = {
    "tagger": ({}, "X", ("Ada likes xylo", {"tags": ["N", "V", "X"]})),
    "textcat-ensemble": ({}, "MEH", ("so so", {"cats": {"POS": 0.0, "NEG": 0.0, "MEH": 1.0}})),
    "textcat-bow": ({"architecture": "bow"}, "MEH", ("so so", {"cats": {"POS": 0.0, "NEG": 0.0, "MEH": 1.0}})),
    "textcat-cnn": ({"architecture": "cnn"}, "MEH", ("so so", {"cats": {"POS": 0.0, "NEG": 0.0, "MEH": 1.0}})),
    "parser": ({}, "xcomp", None),
    "ner": ({}, "ORG", None),
}


def _trained(key):
    cfg, _, _ = NEW_LABELS[key]
    name = key.split("-")[0]
    nlp = _pipeline([name], **cfg)
    optimizer = nlp.resume_training()
    for _ in range(5):
        nlp.update(TRAIN, sgd=optimizer)
    return nlp, nlp.get_pipe(name)


@pytest.mark.parametrize("key", list(NEW_LABELS))
def test_add_label_after_training_saves_a_folder_that_loads(key, tmp_path):
    nlp, proc = _trained(key)
    label = NEW_LABELS[key][1]
    assert proc.add_label(label) == 1
    probe = ["Ada likes blue eggs", "Ben hates ham", ""]
    expected = [_annotations(doc) for doc in nlp.pipe(probe)]
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model")
    assert label in loaded.get_pipe(proc.name).labels
    assert loaded.get_pipe(proc.name).labels == proc.labels
    assert [_annotations(doc) for doc in loaded.pipe(probe)] == expected
    assert loaded.from_bytes(nlp.to_bytes()).pipe_names == nlp.pipe_names


@pytest.mark.parametrize("key", ["tagger", "textcat-ensemble", "textcat-bow", "textcat-cnn"])
def test_a_label_added_after_training_is_learnt_after_loading(key, tmp_path):
    nlp, proc = _trained(key)
    _, label, example = NEW_LABELS[key]
    proc.add_label(label)
    nlp.to_disk(tmp_path / "model")
    nlp = load(tmp_path / "model")
    optimizer = nlp.resume_training()
    for _ in range(20):
        nlp.update([example, *TRAIN], sgd=optimizer)
    doc = nlp(example[0])
    if proc.factory == "tagger":
        assert doc[-1].tag_ == label
        assert [t.tag_ for t in nlp("Ben likes blue ham")] == ["N", "V", "J", "N"]
    else:
        assert max(doc.cats, key=doc.cats.get) == label


# ---- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("drop", [1.0, 1.5, -0.1, float("nan"), "0.2", None])
def test_drop_outside_zero_to_one_is_an_error_naming_the_value(drop):
    nlp = _pipeline(ALL, shared=True)
    nlp.resume_training()
    before = _weights(nlp)
    with pytest.raises(ValueError, match=rf"update: drop must be .*0 <= drop < 1, got {drop!r}"):
        nlp.update(TRAIN, drop=drop)
    with pytest.raises(ValueError, match=r"rehearse: drop must be"):
        nlp.rehearse(["Ada likes ham"], drop=drop)
    for name in ["tok2vec", *ALL]:
        with pytest.raises(ValueError, match=rf"{name}\.update: drop must be"):
            nlp.get_pipe(name).update([], drop=drop)
    assert _weights(nlp) == before


@pytest.mark.parametrize("name,cfg,message", [
    ("textcat", {"exclusive_classes": 1}, "textcat: cfg 'exclusive_classes' must be true or false, got 1"),
    ("textcat", {"width": 64.0}, "textcat: cfg 'width' must be an integer, got 64.0"),
    ("parser", {"explore": "high"}, "parser: cfg 'explore' must be a number, got 'high'"),
    ("tagger", {"embed_rows": "many"}, "tagger: cfg 'embed_rows' must be a list or an integer, got 'many'"),
])
def test_a_mistyped_cfg_is_refused_when_the_component_is_created(name, cfg, message):
    with pytest.raises(ValueError) as info:
        blank("en").create_pipe(name, cfg)
    assert str(info.value) == message


def test_every_default_and_numbers_of_any_kind_make_a_component():
    nlp = blank("en")
    for name in component_factories():
        assert nlp.create_pipe(name).cfg
    textcat = nlp.create_pipe("textcat", {"width": numpy.int64(32), "dropout": 0, "embed_rows": 500,
                                          "exclusive_classes": True, "seed": 3})
    assert textcat.cfg["width"] == 32 and textcat.cfg["dropout"] == 0
    assert nlp.create_pipe("ner", {"explore": 1, "dropout": None}).cfg["explore"] == 1


@pytest.mark.parametrize("name", ["tagger", "parser"])
def test_components_rehearse_refuses_a_bad_drop(name):
    nlp = _pipeline([name])
    nlp.resume_training()
    with pytest.raises(ValueError, match=rf"{name}\.rehearse: drop must be .* got 1"):
        nlp.get_pipe(name).rehearse([nlp("Ada likes ham")], drop=1)
    assert nlp.update(TRAIN, drop=0.0) and nlp.update(TRAIN, drop=0.99)


@pytest.mark.parametrize("key", ["textcat", "textcat-listener"])
def test_an_unseen_textcat_label_in_update_is_an_error(key):
    nlp = _pipeline(*PIPELINES[key])
    before = _weights(nlp)
    batch = [TRAIN[0], ("Ada is here", {"cats": {"POS": 1.0, "MAYBE": 1.0}})]
    with pytest.raises(ValueError) as info:
        nlp.update(batch)
    message = str(info.value)
    assert "\n" not in message
    for part in ("textcat", "example 1", "'MAYBE'", "'POS'", "'NEG'", "add_label"):
        assert part in message
    assert _weights(nlp) == before


def test_begin_training_collects_every_textcat_label():
    nlp = _pipeline(["textcat"])
    nlp.begin_training(lambda: [*TRAIN, ("Ada is here", {"cats": {"POS": 1.0, "MAYBE": 1.0}})])
    assert set(nlp.get_pipe("textcat").labels) == {"POS", "NEG", "MAYBE"}
    assert nlp.update([("Ada is here", {"cats": {"MAYBE": 1.0}})])["textcat"] > 0
