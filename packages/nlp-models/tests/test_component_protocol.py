"""The component protocol: any callable runs in the pipeline; a trainable component (here a
user's TrainablePipe subclass registered in this file) also trains, scores with its registered
scorer and saves by name; evaluate leaves the pipeline and its meta as they were."""

import json

import numpy
import pytest
from thinc.api import Sigmoid, chain, fix_random_seed, list2ragged, reduce_mean

import nlp_train.components
from nlp_gold import Example, Scorer
from nlp_models import Tok2Vec, TrainablePipe, blank, component_registry, load, register_component
from nlp_models.component_protocol import (
    BatchComponent,
    Listener,
    SavedComponent,
    TrainableComponent,
    Upstream,
    implements,
)
from nlp_models.pipes.base import TOK2VEC_DEFAULTS
from nlp_train.components import ScoreColumn, ScoreWeight

QUESTIONS = [("is it here ?", 1.0), ("it is here", 0.0), ("can you see ?", 1.0), ("you can see", 0.0),
             ("where is it ?", 1.0), ("we like it", 0.0)]


def question_scorer(examples):
    """The share of docs whose QUESTION flag (score >= 0.5) matches the gold's."""
    right = [(eg.predicted.cats.get("QUESTION", 0.0) >= 0.5) == (eg.cats.get("QUESTION", 0.0) >= 0.5)
             for eg in examples]
    return {"question_acc": 100.0 * sum(right) / len(right)} if right else {}


class QuestionFlag(TrainablePipe):
    """A user's component: one sigmoid per label over the mean of its own tok2vec's vectors."""

    default_cfg = {**TOK2VEC_DEFAULTS, "width": 16, "depth": 1, "embed_rows": 300}

    def build_model(self):
        self._check_labels()
        return chain(self.build_tok2vec(), list2ragged(), reduce_mean(), Sigmoid(len(self.labels)))

    def set_annotations(self, docs, scores):
        for doc, row in zip(docs, self.require_model().ops.to_numpy(scores)):
            doc.cats.update({label: float(score) for label, score in zip(self.labels, row)})

    def get_loss(self, examples, scores):
        truth = numpy.array([[eg.cats.get(label, 0.0) for label in self.labels] for eg in examples], "f")
        d_scores = scores - self.require_model().ops.asarray(truth)
        return float((d_scores**2).sum()), d_scores


@pytest.fixture(scope="module", autouse=True)
def question_flag_registered():
    """Register QuestionFlag while this module's tests run: the registries are process-wide,
    and other modules' tests list the names registered in them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(component_registry, "_REGISTRY", dict(component_registry._REGISTRY))
        patch.setattr(nlp_train.components, "_KNOWN", dict(nlp_train.components._KNOWN))
        register_component(
            "question_flag", annotation="cats", label_kind="flags", gold_labels=lambda eg: list(eg.cats),
            scorer=question_scorer, max_batch_size=8, loss_header="Q Loss",
            columns=(ScoreColumn("Q %", ("question_acc",)),), score_weights=(ScoreWeight(("question_acc",)),),
        )(QuestionFlag)
        yield


def seen(doc):
    """A plain function component: marks the doc and hands it on."""
    doc.user_data["seen"] = doc.user_data.get("seen", 0) + 1
    return doc


def examples(nlp):
    return [Example.from_dict(nlp.make_doc(t), {"cats": {"QUESTION": v}}) for t, v in QUESTIONS]


@pytest.fixture(scope="module")
def trained():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(seen, name="seen")
    nlp.add_pipe(nlp.create_pipe("question_flag"))
    egs = examples(nlp)
    optimizer = nlp.begin_training(lambda: egs)
    for _ in range(30):
        nlp.update(examples(nlp), sgd=optimizer)
    return nlp


def test_what_each_kind_of_component_implements():
    nlp = blank("en")
    for name in ("tagger", "parser", "ner", "textcat", "tok2vec"):
        proc = nlp.create_pipe(name)
        for protocol in (TrainableComponent, SavedComponent, BatchComponent, Listener):
            assert implements(proc, protocol) and isinstance(proc, protocol)
        assert implements(proc, Upstream) == (name == "tok2vec")
    for component in (seen, lambda doc: doc, str.lower):
        assert not any(implements(component, p) for p in (TrainableComponent, SavedComponent, BatchComponent))

    def batched(doc):
        return doc

    batched.pipe = lambda docs, batch_size=256: iter(docs)  # a function given a pipe of its own
    assert implements(batched, BatchComponent) and not implements(seen, BatchComponent)


def test_a_plain_callable_and_a_user_trainable_component_run_in_call_and_pipe(trained):
    nlp = trained
    assert nlp.pipe_names == ["seen", "question_flag"]
    doc = nlp("is it here ?")
    assert doc.user_data["seen"] == 1 and doc.cats["QUESTION"] > 0.5
    docs = list(nlp.pipe([t for t, _ in QUESTIONS], batch_size=4))
    assert [d.user_data["seen"] for d in docs] == [1] * len(QUESTIONS)
    assert [d.cats["QUESTION"] >= 0.5 for d in docs] == [v == 1.0 for _, v in QUESTIONS]
    assert [info.name for info in nlp.component_info()] == ["question_flag"]
    assert nlp.component_info()[0].max_batch_size == 8


def test_evaluate_joins_the_registered_scorer_and_has_no_side_effects(trained):
    nlp = trained
    egs = examples(nlp)
    for eg in egs:
        eg.predicted.cats["QUESTION"] = 0.0  # stale predictions on the given docs are not used
    meta, weights = json.dumps(nlp.meta, sort_keys=True), nlp.get_pipe("question_flag").to_bytes()
    scores = nlp.evaluate(egs)
    assert scores["question_acc"] == 100.0 and scores["textcat_acc"] == 100.0 and scores["wps"] > 0
    assert json.dumps(nlp.meta, sort_keys=True) == meta
    assert nlp.get_pipe("question_flag").to_bytes() == weights
    assert all(eg.predicted.cats["QUESTION"] == 0.0 for eg in egs)


def test_a_registered_user_component_saves_and_loads_by_name(trained, tmp_path):
    nlp = trained
    nlp.to_disk(tmp_path / "model")
    saved = json.loads((tmp_path / "model" / "meta.json").read_text())
    assert saved["pipeline"] == ["question_flag"]  # the plain function is not saved
    assert saved["factories"] == {"question_flag": "question_flag"}
    loaded = load(tmp_path / "model")
    texts = [t for t, _ in QUESTIONS]
    assert [d.cats for d in loaded.pipe(texts)] == [d.cats for d in nlp.pipe(texts)]


@pytest.mark.parametrize("exclusive", [True, False])
def test_the_scorer_options_come_from_the_component(exclusive):
    fix_random_seed(0)
    nlp = blank("en")
    textcat = nlp.create_pipe("textcat", {"architecture": "bow", "exclusive_classes": exclusive})
    nlp.add_pipe(textcat)
    assert textcat.score_options() == {"exclusive_classes": exclusive}
    assert nlp.create_pipe("tagger").score_options() == {}
    data = [("good fun", {"POS": 1.0, "NEG": 0.0}), ("bad day", {"POS": 0.0, "NEG": 1.0})]
    egs = [Example.from_dict(nlp.make_doc(t), {"cats": c}) for t, c in data]
    nlp.begin_training(lambda: egs)
    scored = [eg.with_predicted(doc) for eg, doc in zip(egs, nlp.pipe([t for t, _ in data]))]
    expected = Scorer(exclusive_classes=exclusive).score(scored)
    assert nlp.evaluate(egs)["textcat_acc"] == pytest.approx(expected["textcat_acc"])


def test_random_states_come_from_the_components_that_keep_a_generator():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger"))
    nlp.add_pipe(nlp.create_pipe("parser", {"seed": 3}))
    nlp.add_pipe(Tok2Vec(nlp.vocab), first=True)
    nlp.add_pipe(seen, name="seen")
    states = nlp.random_states()
    assert list(states) == ["parser"]
    nlp.set_random_states(states)
    for name in ("tagger", "seen", "missing"):
        with pytest.raises(ValueError, match=f"a random state is saved for '{name}', but the pipeline .* "
                                             "has no such component with a generator"):
            nlp.set_random_states({name: states["parser"]})
    with pytest.raises(ValueError, match="tagger: keeps no random generator"):
        nlp.get_pipe("tagger").set_random_state(states["parser"])
