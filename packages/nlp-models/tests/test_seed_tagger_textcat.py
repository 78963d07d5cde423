"""The seed's tagger, text classification and pipeline examples, run as written (our names).

Training data is our own tiny invented set (no corpus sentences).
"""

import random

import pytest
from thinc.api import fix_random_seed

from nlp_models import blank, load
from nlp_train import compounding, decaying, minibatch

# "Updating the Part-of-speech Tagger": a custom tag map onto Universal POS tags.
TAG_MAP = {"N": {"pos": "NOUN"}, "V": {"pos": "VERB"}, "J": {"pos": "ADJ"}}
TAGGER_TRAIN = [
    ("I like green eggs", {"tags": ["N", "V", "J", "N"]}),
    ("Eat blue ham", {"tags": ["V", "J", "N"]}),
]

CLASSIFY = [
    ("what a wonderful happy day", {"cats": {"POSITIVE": 1.0}}),
    ("such a lovely kind gift", {"cats": {"POSITIVE": 1.0}}),
    ("a happy and wonderful story", {"cats": {"POSITIVE": 1.0}}),
    ("the kind staff were lovely", {"cats": {"POSITIVE": 1.0}}),
    ("what a horrible sad day", {"cats": {"POSITIVE": 0.0}}),
    ("such an awful rude reply", {"cats": {"POSITIVE": 0.0}}),
    ("a sad and horrible story", {"cats": {"POSITIVE": 0.0}}),
    ("the rude staff were awful", {"cats": {"POSITIVE": 0.0}}),
]


def test_seed_tagger_with_custom_tag_map(tmp_path):
    fix_random_seed(0)
    random.seed(0)
    nlp = blank("en")
    tagger = nlp.create_pipe("tagger")
    for tag, values in TAG_MAP.items():
        tagger.add_label(tag, values)
    nlp.add_pipe(tagger)
    optimizer = nlp.begin_training()
    for _ in range(25):
        random.shuffle(TAGGER_TRAIN)
        losses = {}
        for text, annotations in TAGGER_TRAIN:
            nlp.update([text], [annotations], sgd=optimizer, losses=losses)
    assert losses["tagger"] < 0.5
    test_text = "I like blue eggs"
    doc = nlp(test_text)
    assert [(t.text, t.tag_, t.pos_) for t in doc] == [
        ("I", "N", "NOUN"), ("like", "V", "VERB"), ("blue", "J", "ADJ"), ("eggs", "N", "NOUN"),
    ]
    nlp.to_disk(tmp_path / "tagger_model")
    nlp2 = load(tmp_path / "tagger_model")
    assert [(t.tag_, t.pos_) for t in nlp2(test_text)] == [(t.tag_, t.pos_) for t in doc]


def test_seed_textcat_with_minibatch_compounding_and_averages(tmp_path):
    fix_random_seed(0)
    random.seed(0)
    nlp = blank("en")
    textcat = nlp.create_pipe("textcat", config={"exclusive_classes": False, "architecture": "ensemble"})
    nlp.add_pipe(textcat, last=True)
    textcat.add_label("POSITIVE")
    nlp.add_pipe(lambda doc: doc, name="other_component")
    other_pipes = [pipe for pipe in nlp.pipe_names if pipe != "textcat"]
    train = list(CLASSIFY)
    dropout = decaying(0.6, 0.2, 1e-4)
    with nlp.disable_pipes(*other_pipes):
        assert nlp.pipe_names == ["textcat"]
        optimizer = nlp.begin_training()
        for _ in range(25):
            losses = {}
            random.shuffle(train)
            for batch in minibatch(train, size=compounding(4.0, 32.0, 1.001)):
                texts, annotations = zip(*batch)
                nlp.update(texts, annotations, sgd=optimizer, drop=next(dropout), losses=losses)
    assert nlp.pipe_names == ["textcat", "other_component"]
    with textcat.model.use_params(optimizer.averages):
        scores = nlp.evaluate([("a wonderful kind day", {"cats": {"POSITIVE": 1.0}}),
                               ("a horrible rude day", {"cats": {"POSITIVE": 0.0}})])
    assert scores["textcat_acc"] == 100.0
    test_text = "a lovely happy gift"
    with nlp.use_params(optimizer.averages):
        expected = nlp(test_text).cats
        nlp.to_disk(tmp_path / "textcat_model")
    assert expected["POSITIVE"] > 0.5
    nlp2 = load(tmp_path / "textcat_model")
    assert nlp2.pipe_names == ["textcat"]
    assert nlp2(test_text).cats == pytest.approx(expected, abs=0.0)


def test_seed_tagger_and_textcat_in_one_pipeline_share_update():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", {"width": 32, "depth": 1}))
    nlp.add_pipe(nlp.create_pipe("textcat", {"architecture": "bow"}))
    data = [
        ("I like green eggs", {"tags": ["N", "V", "J", "N"], "cats": {"FOOD": 1.0, "OTHER": 0.0}}),
        ("Eat blue ham", {"tags": ["V", "J", "N"], "cats": {"FOOD": 1.0, "OTHER": 0.0}}),
        ("They want red cars", {"tags": ["N", "V", "J", "N"], "cats": {"FOOD": 0.0, "OTHER": 1.0}}),
    ]
    optimizer = nlp.begin_training(lambda: data)
    assert sorted(nlp.get_pipe("textcat").labels) == ["FOOD", "OTHER"]
    losses = {}
    for _ in range(3):
        losses = nlp.update([t for t, _ in data], [a for _, a in data], sgd=optimizer, drop=0.2)
    assert set(losses) == {"tagger", "textcat"}
    doc = nlp("I want red eggs")
    assert len(doc.cats) == 2 and all(t.tag_ in ("N", "V", "J") for t in doc)
