"""Language: pipeline editing, custom components, update inputs and errors, evaluate, pipe with
worker processes, save/load (folder, bytes, installed package), resume_training + rehearse."""

import json
import sys

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import Language, Tagger, blank, load
from nlp_train import TrainablePipeline
from nlp_vocab import Doc

SMALL = {"width": 32, "depth": 2, "embed_rows": 500}
TAGS = {"N": {"pos": "NOUN"}, "V": {"pos": "VERB"}, "J": {"pos": "ADJ"}}
TRAIN = [
    ("I like green eggs", {"tags": ["N", "V", "J", "N"]}),
    ("Eat blue ham", {"tags": ["V", "J", "N"]}),
    ("They want red apples", {"tags": ["N", "V", "J", "N"]}),
]
TEXTS = ["I want blue eggs", "Eat red apples", "They like ham", "", "green ham", "I eat"] * 3


@pytest.fixture(scope="module")
def trained():
    """A tagger pipeline trained on TRAIN, and its optimizer."""
    fix_random_seed(0)
    nlp = blank("en")
    tagger = nlp.create_pipe("tagger", SMALL)
    nlp.add_pipe(tagger, last=True)
    for tag, values in TAGS.items():
        tagger.add_label(tag, values)
    optimizer = nlp.begin_training()
    for _ in range(25):
        losses = {}
        for text, annotations in TRAIN:
            nlp.update([text], [annotations], sgd=optimizer, drop=0.2, losses=losses)
    return nlp, optimizer


def _tags(docs):
    return [[t.tag_ for t in doc] for doc in docs]


def test_blank_language_tokenizes_and_has_an_empty_pipeline():
    nlp = blank("en")
    assert isinstance(nlp, Language) and nlp.lang == "en"
    assert nlp.pipe_names == [] and nlp.pipeline == []
    doc = nlp("Hello, world!")
    assert [t.text for t in doc] == ["Hello", ",", "world", "!"]
    assert nlp.make_doc("a b").words == ["a", "b"]
    with pytest.raises(TypeError, match="str"):
        nlp.make_doc(3)


def test_language_satisfies_the_training_loop_protocol():
    assert isinstance(blank("en"), TrainablePipeline)


def test_pipeline_editing():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger"))
    nlp.add_pipe(nlp.create_pipe("textcat"), first=True)

    def marker(doc):
        doc.user_data["seen"] = True
        return doc

    nlp.add_pipe(marker, after="textcat")
    assert nlp.pipe_names == ["textcat", "marker", "tagger"]
    assert nlp.has_pipe("marker") and nlp.get_pipe("marker") is marker
    nlp.rename_pipe("tagger", "pos_tagger")
    assert nlp.get_pipe("pos_tagger").name == "pos_tagger"
    name, component = nlp.remove_pipe("marker")
    assert name == "marker" and component is marker
    nlp.replace_pipe("textcat", lambda doc: doc)
    assert nlp.pipe_names == ["textcat", "pos_tagger"]
    with pytest.raises(KeyError, match="nope"):
        nlp.get_pipe("nope")
    with pytest.raises(ValueError, match="already"):
        nlp.add_pipe(marker, name="pos_tagger")


def test_unknown_factory_and_string_components_are_refused():
    nlp = blank("en")
    with pytest.raises(KeyError, match="'taggr'.*tagger"):
        nlp.create_pipe("taggr")
    with pytest.raises(ValueError, match="create_pipe"):
        nlp.add_pipe("tagger")
    with pytest.raises(ValueError, match="not callable"):
        nlp.add_pipe(42, name="x")


def test_custom_callable_components_run_in_order():
    nlp = blank("en")
    order = []

    def first(doc):
        order.append("first")
        doc.user_data["n"] = len(doc)
        return doc

    class Second:
        name = "second"

        def __call__(self, doc):
            order.append("second")
            doc.cats["LONG"] = float(doc.user_data["n"] > 2)
            return doc

    nlp.add_pipe(Second())
    nlp.add_pipe(first, before="second")
    doc = nlp("one two three")
    assert order == ["first", "second"]
    assert doc.cats == {"LONG": 1.0}
    assert [d.cats["LONG"] for d in nlp.pipe(["a", "a b c d"])] == [0.0, 1.0]
    nlp.add_pipe(lambda doc: None, name="broken")
    with pytest.raises(ValueError, match="'broken' returned None"):
        nlp("text")


def test_disable_pipes_restores_on_exit():
    nlp = blank("en")
    calls = []
    nlp.add_pipe(lambda doc: calls.append("a") or doc, name="a")
    nlp.add_pipe(lambda doc: calls.append("b") or doc, name="b")
    nlp.add_pipe(lambda doc: calls.append("c") or doc, name="c")
    with nlp.disable_pipes("a", "c") as disabled:
        assert disabled == ["a", "c"]
        assert nlp.pipe_names == ["b"]
        nlp("x")
    assert nlp.pipe_names == ["a", "b", "c"]
    assert calls == ["b"]
    other_pipes = [p for p in nlp.pipe_names if p != "b"]
    disabled = nlp.disable_pipes(*other_pipes)
    assert nlp.pipe_names == ["b"]
    disabled.restore()
    assert nlp.pipe_names == ["a", "b", "c"]


def test_trained_tagger_predicts_training_tags(trained):
    nlp, _ = trained
    doc = nlp("I like green eggs")
    assert [t.tag_ for t in doc] == ["N", "V", "J", "N"]
    assert [t.pos_ for t in doc] == ["NOUN", "VERB", "ADJ", "NOUN"]


def test_update_accepts_examples_docs_and_pairs(trained):
    nlp, optimizer = trained
    with nlp.use_params({}):  # an empty mapping changes nothing
        pass
    doc = nlp.make_doc("Eat green eggs")
    example = Example.from_dict(nlp.make_doc("I like ham"), {"tags": ["N", "V", "N"]})
    for call in (
        lambda: nlp.update([example], sgd=optimizer),
        lambda: nlp.update([doc], [{"tags": ["V", "J", "N"]}], sgd=optimizer),
        lambda: nlp.update([("Eat red ham", {"tags": ["V", "J", "N"]})], sgd=optimizer),
    ):
        losses = call()
        assert set(losses) == {"tagger"}



def test_update_exclude_keeps_those_components_weights():
    fix_random_seed(0)
    nlp = blank("en")
    for name in ("tagger", "tagger2"):
        tagger = Tagger(nlp.vocab, **SMALL)
        nlp.add_pipe(tagger, name=name)
        for tag, values in TAGS.items():
            tagger.add_label(tag, values)
    optimizer = nlp.begin_training()
    before = {name: nlp.get_pipe(name).model.to_bytes() for name in ("tagger", "tagger2")}
    losses = nlp.update([text for text, _ in TRAIN], [annot for _, annot in TRAIN], sgd=optimizer,
                        exclude=["tagger2"])
    assert set(losses) == {"tagger"}
    assert nlp.get_pipe("tagger").model.to_bytes() != before["tagger"]
    assert nlp.get_pipe("tagger2").model.to_bytes() == before["tagger2"]


def test_update_errors_name_the_example_index(trained):
    nlp, _ = trained
    with pytest.raises(ValueError, match="update example 1.*unknown annotation keys.*'tagz'"):
        nlp.update(["a b", "c d"], [{"tags": ["N", "N"]}, {"tagz": ["N", "N"]}])
    with pytest.raises(ValueError, match="update example 0.*"):
        nlp.update(["a b"], [{"tags": ["N"]}])
    with pytest.raises(ValueError, match="2 docs but 1 golds"):
        nlp.update(["a", "b"], [{"tags": ["N"]}])
    with pytest.raises(TypeError, match="update example 0: gold must be"):
        nlp.update(["a"], [["N"]])


def test_evaluate_scores_on_fresh_docs_and_leaves_meta_alone(trained):
    nlp, _ = trained
    meta_before = json.dumps(nlp.meta, sort_keys=True)
    examples = [Example.from_dict(nlp.make_doc(t), a) for t, a in TRAIN]
    examples[0].predicted[0].tag_ = "V"  # stale annotation on the given doc is not used
    scores = nlp.evaluate(examples)
    assert scores["tag_acc"] == 100.0
    assert scores["token_acc"] == 100.0
    assert scores["wps"] > 0
    assert all(isinstance(v, float) for v in scores.values())
    assert "las_per_type" not in scores
    assert nlp.evaluate(TRAIN, details=True)["tag_acc"] == 100.0
    assert json.dumps(nlp.meta, sort_keys=True) == meta_before  # evaluate has no side effect
    nlp.record_scores(nlp.evaluate(TRAIN, details=True))  # the explicit way to keep them
    assert nlp.meta["accuracy"]["tag_acc"] == 100.0 and "tag_per_label" not in nlp.meta["accuracy"]
    assert nlp.meta["speed"]["wps"] > 0 and nlp.meta["speed"]["device"] in ("cpu", "gpu")
    for key in ("accuracy", "speed"):
        del nlp.meta[key]


def test_pipe_with_worker_processes_matches_one_process(trained):
    nlp, _ = trained
    one = list(nlp.pipe(TEXTS, batch_size=4))
    two = list(nlp.pipe(iter(TEXTS), batch_size=4, n_process=2))
    assert [d.text for d in two] == TEXTS
    assert _tags(two) == _tags(one)
    assert [[t.pos_ for t in d] for d in two] == [[t.pos_ for t in d] for d in one]
    with pytest.raises(ValueError, match="n_process"):
        list(nlp.pipe(TEXTS, n_process=0))


def test_pipe_with_worker_processes_reads_its_input_as_it_goes(trained):
    """A stream is read a few batches ahead of the docs given back, not all at once."""
    nlp, _ = trained
    taken = []

    def stream():
        for i in range(200):
            taken.append(i)
            yield TEXTS[i % len(TEXTS)]

    docs = nlp.pipe(stream(), batch_size=2, n_process=2)
    next(docs)
    assert len(taken) <= 2 * 2 * 2 + 2  # at most 2 * n_process batches given out, and one forming
    assert len(list(docs)) == 199 and len(taken) == 200


def test_use_params_averages_to_disk_and_load_give_identical_predictions(trained, tmp_path):
    nlp, optimizer = trained
    assert optimizer.averages
    with nlp.use_params(optimizer.averages):
        averaged = _tags(nlp.pipe(TEXTS))
        probs = nlp.get_pipe("tagger").predict([nlp.make_doc(t) for t in TEXTS[:3]])
        nlp.to_disk(tmp_path / "model")
    # the weights are restored on exit
    current = nlp.get_pipe("tagger").predict([nlp.make_doc(t) for t in TEXTS[:3]])
    assert any(not numpy.array_equal(a, b) for a, b in zip(probs, current))
    nlp2 = load(tmp_path / "model")
    assert nlp2.pipe_names == ["tagger"] and isinstance(nlp2.get_pipe("tagger"), Tagger)
    assert _tags(nlp2.pipe(TEXTS)) == averaged
    again = nlp2.get_pipe("tagger").predict([nlp2.make_doc(t) for t in TEXTS[:3]])
    for a, b in zip(probs, again):
        numpy.testing.assert_array_equal(a, b)
    assert nlp2.vocab.tag_map.pos_of("J") == "ADJ"


def test_saved_folder_layout_and_meta(trained, tmp_path):
    nlp, _ = trained

    def custom(doc):
        return doc

    nlp.add_pipe(custom)
    try:
        nlp.to_disk(tmp_path / "m")
    finally:
        nlp.remove_pipe("custom")
    names = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert names == ["meta.json", "tagger", "tokenizer", "vocab"]
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["lang"] == "en"
    assert meta["pipeline"] == ["tagger"]  # the custom callable is not saved
    assert sorted(meta["labels"]["tagger"]) == ["J", "N", "V"]
    assert "nlp_models_version" in meta and "version" in meta


def test_to_disk_replaces_an_existing_folder_atomically(trained, tmp_path):
    nlp, _ = trained
    target = tmp_path / "model"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    nlp.to_disk(target)
    assert not (target / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary folders left


def test_bytes_round_trip(trained):
    nlp, _ = trained
    nlp2 = blank("en").from_bytes(nlp.to_bytes())
    assert nlp2.pipe_names == ["tagger"]
    assert _tags(nlp2.pipe(TEXTS)) == _tags(nlp.pipe(TEXTS))
    with pytest.raises(ValueError, match="language 'en'"):
        blank("xx").from_bytes(nlp.to_bytes())


def test_load_errors(tmp_path):
    with pytest.raises(OSError, match="not a folder and not an installed"):
        load("no_such_pipeline_package_xyz")
    with pytest.raises(FileNotFoundError, match="meta.json"):
        load(tmp_path)
    (tmp_path / "meta.json").write_text("{not json")
    with pytest.raises(ValueError, match="meta.json: invalid JSON"):
        load(tmp_path)


def test_load_an_installed_package(trained, tmp_path, monkeypatch):
    nlp, _ = trained
    with_data = tmp_path / "pkgs" / "my_tagger_pkg"
    with_data.mkdir(parents=True)
    (with_data / "__init__.py").write_text("")
    nlp.to_disk(with_data / "my_tagger_pkg-0.0.1")
    with_loader = tmp_path / "pkgs" / "my_loader_pkg"
    with_loader.mkdir()
    (with_loader / "__init__.py").write_text(
        "import nlp_models\n\ndef load(**kwargs):\n    nlp = nlp_models.blank('en')\n"
        "    nlp.meta['loaded_by'] = 'package'\n    return nlp\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    try:
        from_data = load("my_tagger_pkg")
        assert _tags(from_data.pipe(TEXTS)) == _tags(nlp.pipe(TEXTS))
        assert load("my_loader_pkg").meta["loaded_by"] == "package"
    finally:
        sys.modules.pop("my_tagger_pkg", None)
        sys.modules.pop("my_loader_pkg", None)


def test_begin_training_infers_labels_from_examples():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", SMALL))
    optimizer = nlp.begin_training(lambda: TRAIN, width=24)
    assert sorted(nlp.get_pipe("tagger").labels) == ["J", "N", "V"]
    assert nlp.get_pipe("tagger").cfg["width"] == 24
    assert optimizer.averages is not None
    nlp2 = blank("en")
    nlp2.add_pipe(nlp2.create_pipe("tagger"))
    with pytest.raises(ValueError, match="begin_training example 1.*unknown annotation keys"):
        nlp2.begin_training(lambda: [TRAIN[0], ("x", {"tag": ["N"]})])


def test_resume_training_and_rehearse_keep_old_predictions(trained):
    nlp = blank("en").from_bytes(trained[0].to_bytes())
    before = _tags(nlp.pipe(TEXTS))
    optimizer = nlp.resume_training()
    tagger = nlp.get_pipe("tagger")
    assert tagger.has_rehearsal_snapshot
    losses = nlp.rehearse(TEXTS[:4], sgd=optimizer)
    assert losses["tagger"] == pytest.approx(0.0, abs=1e-8)  # snapshot == current weights
    for _ in range(5):
        nlp.update([("green eggs", {"tags": ["J", "N"]})], sgd=optimizer)
        losses = nlp.rehearse([nlp.make_doc(t) for t in TEXTS[:4]], sgd=optimizer)
    assert losses["tagger"] > 0.0
    assert _tags(nlp.pipe(TEXTS)) == before


def test_language_type_errors():
    nlp = blank("en")
    with pytest.raises(TypeError, match="pipe\\(\\) item 1"):
        list(nlp.pipe(["ok", 5]))
    with pytest.raises(ValueError, match="language code"):
        blank("E N")
    assert isinstance(nlp(Doc(nlp.vocab, words=["x"])), Doc)


def test_blank_refuses_unknown_language_codes():
    with pytest.raises(ValueError, match=r"unknown language code 'zz': known codes are .*\bxx\b"):
        blank("zz")
    assert blank("xx").lang == "xx"  # the generic language stays available


def test_gpu_choice_falls_back_to_the_fastest_cpu_ops():
    from thinc.api import get_current_ops

    from nlp_models import prefer_gpu, require_gpu
    from nlp_models.ml import get_cpu_ops

    if prefer_gpu():
        pytest.skip("a GPU is available: the CPU fallback is not exercised")
    assert get_current_ops() is get_cpu_ops()
    nlp = blank("en")
    tagger = nlp.create_pipe("tagger", SMALL)
    nlp.add_pipe(tagger)
    nlp.begin_training(lambda: TRAIN)
    assert all(node.ops is get_cpu_ops() for node in tagger.model.walk())
    with pytest.raises(ValueError, match="GPU"):
        require_gpu()


FULL_TRAIN = [
    ("Ann likes green eggs", {
        "tags": ["N", "V", "J", "N"], "heads": [1, 1, 3, 1], "deps": ["nsubj", "ROOT", "amod", "obj"],
        "entities": [(0, 3, "PERSON")], "cats": {"FOOD": 1.0},
    }),
    ("Bob sells red cars", {
        "tags": ["N", "V", "J", "N"], "heads": [1, 1, 3, 1], "deps": ["nsubj", "ROOT", "amod", "obj"],
        "entities": [(0, 3, "PERSON")], "cats": {"FOOD": 0.0},
    }),
]


def _annotations(docs):
    return [
        ([(t.tag_, t.head.i, t.dep_) for t in doc], [(e.start, e.end, e.label_) for e in doc.ents],
         sorted(doc.cats.items()))
        for doc in docs
    ]


def test_full_pipeline_round_trip_and_workers(tmp_path):
    fix_random_seed(0)
    nlp = blank("en")
    for name in ("tagger", "parser", "ner", "textcat"):
        config = {"architecture": "bow", "exclusive_classes": False} if name == "textcat" else SMALL
        nlp.add_pipe(nlp.create_pipe(name, config))
    nlp.add_pipe(lambda doc: doc, name="custom", last=True)
    optimizer = nlp.begin_training(lambda: FULL_TRAIN)
    assert sorted(nlp.get_pipe("ner").labels) == ["PERSON"]
    for _ in range(10):
        losses = nlp.update([t for t, _ in FULL_TRAIN], [a for _, a in FULL_TRAIN], sgd=optimizer, drop=0.1)
    assert set(losses) == {"tagger", "parser", "ner", "textcat"}
    texts = ["Ann sells green cars", "Bob likes red eggs", "eggs"] * 2
    with nlp.use_params(optimizer.averages):
        expected = _annotations(nlp.pipe(texts))
        nlp.to_disk(tmp_path / "full")
    meta = json.loads((tmp_path / "full" / "meta.json").read_text())
    assert meta["pipeline"] == ["tagger", "parser", "ner", "textcat"]
    nlp2 = load(tmp_path / "full")
    assert nlp2.pipe_names == ["tagger", "parser", "ner", "textcat"]
    assert _annotations(nlp2.pipe(texts)) == expected
    assert _annotations(nlp2.pipe(texts, n_process=2, batch_size=2)) == expected
    scores = nlp2.evaluate(FULL_TRAIN)
    for key in ("tag_acc", "uas", "las", "ents_f", "textcat_macro_auc", "wps"):
        assert key in scores


def test_training_loop_drives_the_language(tmp_path):
    from nlp_train import train

    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", SMALL))
    examples = [Example.from_dict(nlp.make_doc(t), a) for t, a in TRAIN]
    optimizer = nlp.begin_training(lambda: examples)
    result = train(nlp, examples * 4, examples, tmp_path / "out", optimizer=optimizer, n_epochs=3,
                   quiet=True, save_every_epoch=False)
    assert result.epochs == 3 and result.best_epoch is not None
    best = load(tmp_path / "out" / "model-best")
    # the saved (averaged) weights score the dev examples exactly as they did in the loop
    assert best.evaluate(examples)["tag_acc"] == result.history[result.best_epoch - 1]["scores"]["tag_acc"]
