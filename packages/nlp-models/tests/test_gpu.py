"""On a GPU (thinc's CupyOps): every component trains there and a model trained on the CPU
predicts the same on the GPU. Skipped without cupy and a CUDA device (CI has none); run on a
machine with one: `pytest packages/nlp-models/tests/test_gpu.py`."""

import random

import numpy
import pytest
from thinc.api import NumpyOps, fix_random_seed, get_current_ops, set_current_ops

from nlp_gold import Example
from nlp_models import blank, load, require_gpu

cupy = pytest.importorskip("cupy")
try:
    HAS_GPU = cupy.cuda.runtime.getDeviceCount() > 0
except Exception:  # no driver: cupy imports but finds no device
    HAS_GPU = False
pytestmark = pytest.mark.skipif(not HAS_GPU, reason="no CUDA device")

SMALL = {"width": 32, "depth": 2, "embed_rows": 500}
CHARS = {"chars": 16, "char_len": 8, "char_dim": 8}
# (word, XPOS, UPOS, FEATS, lemma); the entity words are capitalised names
DETS = [("the", "DT", "DET", "Definite=Def", "the"), ("a", "DT", "DET", "Definite=Ind", "a")]
NOUNS = [("dogs", "NNS", "NOUN", "Number=Plur", "dog"), ("cat", "NN", "NOUN", "Number=Sing", "cat"),
         ("birds", "NNS", "NOUN", "Number=Plur", "bird"), ("horse", "NN", "NOUN", "Number=Sing", "horse")]
VERBS = [("saw", "VBD", "VERB", "Tense=Past", "see"), ("likes", "VBZ", "VERB", "Tense=Pres", "like"),
         ("chased", "VBD", "VERB", "Tense=Past", "chase")]
PLACES = ["Paris", "Oslo", "Lima", "Rome"]


def sentence(rng):
    """A toy sentence "DET NOUN VERB DET NOUN in PLACE ." with every annotation, and whether it
    is about the past (its class)."""
    det1, noun1, verb, det2, noun2 = (rng.choice(DETS), rng.choice(NOUNS), rng.choice(VERBS),
                                      rng.choice(DETS), rng.choice(NOUNS))
    place = rng.choice(PLACES)
    rows = [det1, noun1, verb, det2, noun2, ("in", "IN", "ADP", "_", "in"),
            (place, "NNP", "PROPN", "Number=Sing", place), (".", ".", "PUNCT", "_", ".")]
    annotations = {
        "words": [r[0] for r in rows], "tags": [r[1] for r in rows], "pos": [r[2] for r in rows],
        "morphs": [r[3] for r in rows], "lemmas": [r[4] for r in rows],
        "heads": [1, 2, 2, 4, 2, 6, 2, 2],
        "deps": ["det", "nsubj", "ROOT", "det", "obj", "case", "obl", "punct"],
        "entities": ["O"] * 6 + ["U-LOC", "O"],
        "cats": {"PAST": float(verb[1] == "VBD"), "PRESENT": float(verb[1] != "VBD")},
    }
    return annotations


def examples(nlp, n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        annotations = sentence(rng)
        words = annotations["words"]
        doc = nlp.make_doc(" ".join(words))
        out.append(Example.from_dict(doc, annotations))
    return out


def full_pipeline():
    """A shared tok2vec with characters (windows of five, the accuracy preset's) for tagger,
    morphologizer, lemmatizer and the arc-eager parser; the entity recognizer and the classifier
    with their own."""
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", {**SMALL, **CHARS, "char_window": 5}))
    for factory in ("tagger", "morphologizer", "lemmatizer", "parser"):
        nlp.add_pipe(nlp.create_pipe(factory, {"tok2vec": "tok2vec"}))
    nlp.add_pipe(nlp.create_pipe("ner", dict(SMALL)))
    nlp.add_pipe(nlp.create_pipe("textcat", {"exclusive_classes": True}))
    return nlp


def biaffine_pipeline():
    """The biaffine parser over its own BiLSTM tok2vec with characters (windows of three)."""
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("biaffine_parser", {**SMALL, **CHARS, "encoder": "bilstm"}))
    return nlp


def train(nlp, egs, epochs):
    fix_random_seed(0)
    sgd = nlp.begin_training(lambda: egs)
    for _ in range(epochs):
        for start in range(0, len(egs), 8):
            nlp.update(egs[start:start + 8], sgd=sgd, drop=0.1)
    return nlp


@pytest.fixture
def on_gpu():
    """Run the test body with CupyOps as the current ops, then go back to the CPU's."""
    before = get_current_ops()
    require_gpu(0)
    yield
    set_current_ops(before)


def annotations_of(doc):
    return ([t.tag_ for t in doc], [t.pos_ for t in doc], [str(t.morph) for t in doc],
            [t.lemma_ for t in doc], [t.head.i for t in doc], [t.dep_ for t in doc],
            [(e.start, e.end, e.label_) for e in doc.ents], doc.cats)


@pytest.mark.parametrize("build", [full_pipeline, biaffine_pipeline])
def test_a_pipeline_trains_on_the_gpu_and_learns_the_toy_language(build, on_gpu):
    nlp = build()
    train_egs, dev = examples(nlp, 120, 0), examples(nlp, 30, 1)
    train(nlp, train_egs, 12)
    scores = nlp.evaluate(dev)
    if "tagger" in nlp.pipe_names:
        assert scores["tag_acc"] >= 95.0
        assert scores["pos_acc"] >= 95.0 and scores["morph_acc"] >= 95.0
        assert scores["lemma_acc"] >= 95.0
        assert scores["ents_f"] >= 90.0
    assert scores["las"] >= 90.0


@pytest.mark.parametrize("build", [full_pipeline, biaffine_pipeline])
def test_a_model_trained_on_the_cpu_predicts_the_same_on_the_gpu(build, tmp_path):
    set_current_ops(NumpyOps())
    nlp = build()
    train(nlp, examples(nlp, 120, 0), 8)
    nlp.to_disk(tmp_path / "model")
    texts = [" ".join(sentence(random.Random(seed))["words"]) for seed in range(20)]
    on_cpu = [annotations_of(doc) for doc in load(tmp_path / "model").pipe(texts)]
    before = get_current_ops()
    require_gpu(0)
    try:
        gpu_nlp = load(tmp_path / "model")
        on_device = [annotations_of(doc) for doc in gpu_nlp.pipe(texts)]
    finally:
        set_current_ops(before)
    for cpu_doc, gpu_doc in zip(on_cpu, on_device):
        assert cpu_doc[:-1] == gpu_doc[:-1]
        for label, score in cpu_doc[-1].items():
            assert numpy.isclose(score, gpu_doc[-1][label], atol=1e-3)
