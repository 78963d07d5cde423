"""The loop knows components only through their ComponentInfos: nlp-train's source names none,
and a made-up component's info drives the table, the best model, the batches and the report."""

import io
import re
import tokenize
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from nlp_train_standin import ToyPipeline, build, make_corpus

import nlp_train
from nlp_train import (
    ComponentInfo,
    ScoreColumn,
    ScoreCurve,
    ScoreWeight,
    TrainConfig,
    TrainingRun,
    read_log,
    train,
    write_report,
)

SOURCE = Path(nlp_train.__file__).resolve().parent
#: The built-in components of nlp-models, and a few of spaCy's: nlp-train must not name them.
COMPONENT_NAMES = re.compile(r"\b(tagger|parser|ner|textcat|tok2vec|senter|lemmatizer|"
                             r"entity_linker|morphologizer)\b", re.IGNORECASE)
SVG = "{http://www.w3.org/2000/svg}"

TRAIN = make_corpus(40, 1)
DEV = make_corpus(10, 2)
SHAPE = ComponentInfo(
    "shape", loss_header="Shape Loss", columns=(ScoreColumn("Shape %", ("shape_acc",), ".1f"),),
    score_weights=(ScoreWeight(("shape_acc",)),), max_batch_size=16,
    curves=(ScoreCurve("Word shapes", (("shape_acc", "Shape %"),)),), tables=("shape_confusions",))
#: The dev scores the shape pipeline reports per epoch: epoch 2 is the best.
SHAPE_SCORES = (10.0, 30.0, 20.0)


def literals_and_comments(path):
    with open(path, "rb") as file:
        for token in tokenize.tokenize(file.readline):
            if token.type in (tokenize.STRING, tokenize.COMMENT):
                yield token.start[0], token.string


def test_nlp_train_names_no_component():
    found = [f"{path.name}:{line}: {text.strip()[:80]}"
             for path in sorted(SOURCE.glob("*.py"))
             for line, text in literals_and_comments(path) if COMPONENT_NAMES.search(text)]
    assert found == []
    assert not hasattr(nlp_train, "MAX_BATCH_SIZES")


class ShapePipeline(ToyPipeline):
    """The stand-in's model under a component of a kind nlp-train was never told about."""

    def __init__(self) -> None:
        super().__init__()
        self.pipe_names = ["shape"]
        self.batch_sizes: list[int] = []

    def component_info(self):
        return [SHAPE]

    def update(self, examples, *, drop, sgd, losses):
        self.batch_sizes.append(len(examples))
        own: dict[str, float] = {}
        super().update(examples, drop=drop, sgd=sgd, losses=own)
        losses["shape"] = losses.get("shape", 0.0) + own["tagger"]

    def evaluate(self, examples):
        self.calls["evaluate"] += 1
        return {"shape_acc": SHAPE_SCORES[self.calls["evaluate"] - 1], "wps": 1000.0,
                "shape_confusions": [["Xxx", "xxx", self.calls["evaluate"]]]}


@pytest.fixture(scope="module")
def shape_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("shape")
    nlp, stream = ShapePipeline(), io.StringIO()
    result = train(nlp, TRAIN, DEV, out, n_epochs=3, seed=0, batch_compound=2.0, stream=stream)
    return nlp, result, out, stream.getvalue()


def test_a_components_info_drives_the_table(shape_run):
    _, _, _, printed = shape_run
    lines = printed.splitlines()
    assert lines[0].split() == ["Itn", "Shape", "Loss", "Shape", "%", "CPU", "WPS"]  # no Token %
    assert [line.split()[2] for line in lines[1:4]] == ["10.0", "30.0", "20.0"]


def test_a_components_info_drives_the_best_model_and_the_batches(shape_run):
    nlp, result, out, _ = shape_run
    assert result.best_epoch == 2 and result.best_score == 30.0
    assert [r["best"] for r in read_log(out)] == [True, True, False]
    # its maximum of 16, halved twice below 500 examples: 1, 2, then 4 at most
    assert nlp.batch_sizes[:3] == [1, 2, 4] and max(nlp.batch_sizes) == 4


def test_the_log_keeps_the_infos_and_the_report_draws_them(shape_run):
    _, _, out, _ = shape_run
    log = read_log(out)
    assert all([ComponentInfo.from_dict(c) for c in r["components"]] == [SHAPE] for r in log)
    path = write_report(out)
    first = path.read_bytes()
    root = ET.fromstring(first)
    charts = {f.get("data-component"): f for f in root.iter("figure")}
    assert list(charts) == ["Word shapes", "Losses"]  # no token score: no tokenization chart
    series = [g.get("data-name") for g in charts["Word shapes"].iter(f"{SVG}g")
              if g.get("class") == "series"]
    assert series == ["Shape %"]
    confusions = next(t for t in root.iter("table") if t.get("class") == "shape_confusions")
    assert [[td.text for td in tr.iter("td")] for tr in confusions.find("tbody")] == \
        [["Xxx", "xxx", "2"]]  # the best epoch's
    assert write_report(out).read_bytes() == first


def test_a_pipeline_without_infos_needs_score_weights(tmp_path):
    class Unknown(ToyPipeline):
        def __init__(self) -> None:
            super().__init__()
            self.pipe_names = ["mystery"]

    with pytest.raises(ValueError, match=r"no main metric .*\['mystery'\].*pass score_weights"):
        train(Unknown(), TRAIN, DEV, tmp_path / "a", n_epochs=1, batch_to=4, quiet=True)
    stream = io.StringIO()
    result = train(Unknown(), TRAIN, DEV, tmp_path / "b", n_epochs=1, batch_to=4, stream=stream,
                   score_weights={"tag_acc": 1.0})
    assert result.best_epoch == 1
    assert stream.getvalue().splitlines()[0].split() == ["Itn", "mystery", "loss", "CPU", "WPS"]


def test_component_info_must_give_component_infos(tmp_path):
    class Wrong(ToyPipeline):
        def component_info(self):
            return [{"name": "tagger"}]

    with pytest.raises(TypeError, match="component_info\\(\\) item 0 is a dict"):
        train(Wrong(), TRAIN, DEV, tmp_path, n_epochs=1, quiet=True)


def test_the_steps_drive_a_run_as_train_does(tmp_path):
    """Another driver can call the named steps itself: here two epochs, as train() would."""
    opts = {"n_epochs": 2, "seed": 0, "batch_from": 4, "batch_to": 4}
    reference = build(0)
    train(reference, TRAIN, DEV, tmp_path / "ref", quiet=True, **opts)
    nlp = build(0)
    run = TrainingRun.prepare(nlp, TRAIN, DEV, tmp_path / "steps", TrainConfig(**opts))
    run.make_schedules()
    for epoch in run.epochs():
        stats = run.train_epoch(epoch)
        assert stats.n_batches == 10 and stats.n_words == sum(len(e) for e in TRAIN)
        run.record(epoch, stats, run.evaluate_and_save(epoch))
    result = run.finish()
    assert result.epochs == 2 and nlp.weights() == reference.weights()
    assert untimed(read_log(tmp_path / "steps")) == untimed(read_log(tmp_path / "ref"))


def untimed(records):
    """The log records without the measured speeds and seconds."""
    timings = ("train_seconds", "train_wps", "eval_seconds")
    return [{**{k: v for k, v in r.items() if k not in timings},
             "scores": {k: v for k, v in r["scores"].items() if k != "wps"}} for r in records]
