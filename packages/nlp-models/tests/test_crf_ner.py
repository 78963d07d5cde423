"""crf_ner: entities with a confidence each (`span.score`), learnt from tiny hand-written data;
presets, long docs, new labels, bad gold, scores after a merge or hand-set entities, save/load
and worker processes."""

import random
from types import SimpleNamespace

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import CrfEntityRecognizer, blank, load
from nlp_vocab import ENT_SCORES, Doc, DocBin, Span

SMALL = {"width": 32, "depth": 2, "embed_rows": 1000}
PEOPLE = ["Ada", "Ben", "Cleo", "Dev"]
THINGS = ["a boat", "the lamp", "two songs", "a letter"]


def corpus(seed: int, n: int) -> list[tuple[str, list]]:
    """"NAME bought THING in Paris ." with NAME a PER and Paris a LOC; and "we saw Jordan today
    ." where Jordan is a PER half the time and a LOC the other half (a span whose label the
    data leaves uncertain)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        if k % 3 == 2:
            text = "we saw Jordan today ."
            label = "PER" if k % 2 else "LOC"
            out.append((text, [(7, 13, label)]))
            continue
        name, thing = rng.choice(PEOPLE), rng.choice(THINGS)
        text = f"{name} bought {thing} in Paris ."
        out.append((text, [(0, len(name), "PER"), (text.index("Paris"), text.index("Paris") + 5, "LOC")]))
    return out


@pytest.fixture(scope="module")
def trained():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("crf_ner", SMALL))
    train = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in corpus(0, 48)]
    optimizer = nlp.begin_training(lambda: train)
    rng = random.Random(0)
    for _ in range(12):
        rng.shuffle(train)
        for start in range(0, len(train), 8):
            nlp.update(train[start : start + 8], sgd=optimizer, drop=0.1)
    return nlp


def scored(doc) -> list[tuple[str, str, float]]:
    return [(e.text, e.label_, e.score) for e in doc.ents]


def test_confident_entities_score_high_and_uncertain_ones_low(trained):
    doc = trained("Cleo bought a boat in Paris .")
    ents = scored(doc)
    assert [(t, label) for t, label, _ in ents] == [("Cleo", "PER"), ("Paris", "LOC")]
    assert all(score > 0.9 for *_, score in ents)
    uncertain = scored(trained("we saw Jordan today ."))
    assert [t for t, _, _ in uncertain] == ["Jordan"]
    assert 0.2 < uncertain[0][2] < 0.75  # PER or LOC, each about half the time
    unseen = scored(trained("Zorblax bought a lamp in Paris ."))  # a name never seen
    assert dict((t, s) for t, _, s in unseen).get("Zorblax", 0.0) < ents[0][2]


def test_scores_are_probabilities_stored_as_plain_rows(trained):
    docs = list(trained.pipe(["Ben bought two songs in Paris .", "we saw Jordan today .", "", "Paris ."]))
    for doc in docs:
        rows = doc.user_data.get(ENT_SCORES, [])
        assert len(rows) == len(doc.ents)
        for (start, end, label, score), ent in zip(rows, doc.ents):
            assert (start, end, label) == (ent.start, ent.end, ent.label_)
            assert 0.0 <= score <= 1.0 and ent.score == score
    assert docs[2].ents == ()
    from nlp_vocab import render

    assert f'data-score="{docs[0].ents[0].score:.2f}"' in render(docs[0], style="ent")


def test_scores_follow_a_merge_and_entities_set_by_hand(trained):
    doc = trained("Cleo bought a boat in Paris .")
    before = dict(((e.text, e.label_), e.score) for e in doc.ents)
    paris = doc.ents[-1]
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[2:4])  # "a boat": Paris moves from token 5 to 4
    assert [(e.text, e.label_, e.score) for e in doc.ents] == [(t, label, before[t, label]) for t, label in before]
    assert Span(doc, paris.start, paris.end, label="LOC").score is None  # "." now
    doc.ents = [Span(doc, 0, 1, label="LOC"), doc.ents[-1]]  # Cleo relabelled by hand
    assert [(e.text, e.score) for e in doc.ents] == [("Cleo", None), ("Paris", before["Paris", "LOC"])]
    assert Span(doc, 0, 1, label="PER").score is None


def test_scores_survive_a_docbin_and_follow_from_array(trained):
    doc = trained("Cleo bought a boat in Paris .")
    expected = scored(doc)
    assert expected and all(s is not None for *_, s in expected)
    back = next(iter(DocBin(store_user_data=True, docs=[doc]).get_docs(trained.vocab)))
    assert scored(back) == expected
    array = back.to_array(["ENT_IOB", "ENT_TYPE"])
    array[5] = (2, 0)  # Paris no longer an entity: its score goes, Cleo's stays
    back.from_array(["ENT_IOB", "ENT_TYPE"], array)
    assert scored(back) == [e for e in expected if e[0] != "Paris"]
    back.ents = [Span(back, 0, 1, label="PER"), Span(back, 5, 6, label="LOC")]
    assert Span(back, 5, 6, label="LOC").score is None  # not the old span's score


def test_save_load_keeps_predictions_and_scores(trained, tmp_path):
    texts = ["Dev bought a letter in Paris .", "we saw Jordan today ."]
    before = [scored(d) for d in trained.pipe(texts)]
    trained.to_disk(tmp_path / "model")
    nlp2 = load(tmp_path / "model")
    assert isinstance(nlp2.get_pipe("crf_ner"), CrfEntityRecognizer)
    after = [scored(d) for d in nlp2.pipe(texts)]
    assert [[(t, label) for t, label, _ in d] for d in after] == [[(t, label) for t, label, _ in d] for d in before]
    for a, b in zip(after, before):
        numpy.testing.assert_allclose([s for *_, s in a], [s for *_, s in b], rtol=1e-6)
    back = Doc(trained.vocab).from_bytes(trained(texts[0]).to_bytes())
    assert scored(back) == scored(trained(texts[0]))


def test_long_doc_window_by_window_equals_at_once(trained):
    text = " ".join(["Ada bought a boat in Paris ."] * 12)
    whole = scored(trained(text))
    ner = trained.get_pipe("crf_ner")
    ner.chunk_tokens = 10
    try:
        windowed = scored(trained(text))
    finally:
        ner.chunk_tokens = CrfEntityRecognizer.chunk_tokens
    assert [(t, label) for t, label, _ in windowed] == [(t, label) for t, label, _ in whole]
    numpy.testing.assert_allclose([s for *_, s in windowed], [s for *_, s in whole], rtol=1e-5)


def test_preset_entities_are_kept(trained):
    doc = trained.make_doc("Cleo bought a boat in Paris .")
    doc.set_ents([("ORG", 3, 4)], default="missing")  # a label it does not know: predicted around
    doc = trained.get_pipe("crf_ner")(doc)
    assert ("boat", "ORG", None) in scored(doc) and ("Cleo", "PER") in [(t, label) for t, label, _ in scored(doc)]
    doc = trained.make_doc("we saw Jordan today .")
    doc.set_ents([("LOC", 2, 3)], default="missing")  # a known label: the tags are fixed
    doc = trained.get_pipe("crf_ner")(doc)
    assert scored(doc) == [("Jordan", "LOC", pytest.approx(1.0))]


def test_new_label_keeps_what_was_learnt(trained):
    nlp = blank("en")
    nlp.from_bytes(trained.to_bytes())
    before = scored(nlp("Ada bought a lamp in Paris ."))
    assert nlp.get_pipe("crf_ner").add_label("ORG") == 1
    after = scored(nlp("Ada bought a lamp in Paris ."))
    assert [(t, label) for t, label, _ in after] == [(t, label) for t, label, _ in before]
    assert all(a[2] <= b[2] + 1e-6 for a, b in zip(after, before))  # new paths can only take mass


def test_invalid_gold_and_unknown_labels_are_named(trained):
    nlp = blank("en")
    nlp.from_bytes(trained.to_bytes())
    ner = nlp.get_pipe("crf_ner")
    bad = SimpleNamespace(where="bad.jsonl:3", predicted=nlp.make_doc("Ada bought a boat"),
                          get_aligned_ner=lambda: ["B-PER", "O", "O", "O"])  # nlp_gold refuses to make one
    scores = ner.require_model().predict(ner.model_input([bad.predicted]))
    with pytest.raises(ValueError, match=r"example 0 \(bad.jsonl:3\).*not a valid BILUO"):
        ner.get_loss([bad], scores)
    unknown = Example.from_dict(nlp.make_doc("Ada bought a boat"), {"entities": [(0, 3, "ORG")]})
    with pytest.raises(ValueError, match="'ORG'"):
        ner.update([unknown])
    with pytest.raises(ValueError, match="entity label"):
        ner.add_label("O")


def test_learns_from_partial_annotation():
    """Tokens whose gold is missing ("-") are summed over, not taken as "O"."""
    fix_random_seed(1)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("crf_ner", SMALL))
    text = "Ada bought a boat in Paris ."
    full = Example.from_dict(nlp.make_doc(text), {"entities": ["U-PER", "O", "O", "O", "O", "U-LOC", "O"]})
    part = Example.from_dict(nlp.make_doc(text), {"entities": ["U-PER", "-", "-", "-", "-", "-", "-"]})
    train = [full, part, part, part]
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(20):
        nlp.update(train, sgd=optimizer)
    assert [(t, label) for t, label, _ in scored(nlp(text))] == [("Ada", "PER"), ("Paris", "LOC")]


def test_pipe_in_worker_processes_keeps_scores(trained):
    texts = ["Ben bought the lamp in Paris .", "we saw Jordan today ."] * 4
    one = [scored(d) for d in trained.pipe(texts)]
    two = [scored(d) for d in trained.pipe(texts, n_process=2, batch_size=2)]
    assert [[(t, label) for t, label, _ in d] for d in two] == [[(t, label) for t, label, _ in d] for d in one]
    numpy.testing.assert_allclose([s for d in two for *_, s in d], [s for d in one for *_, s in d], rtol=1e-5)


def held_out(nlp, n: int) -> list[Example]:
    """Examples like the training data but where "Paris" is an entity only every other time:
    the model, sure it is a LOC, is over-confident on them."""
    out = []
    for k, (text, ents) in enumerate(corpus(5, n)):
        kept = [e for e in ents if k % 2 == 0 or text[e[0]:e[1]] != "Paris"]
        out.append(Example.from_dict(nlp.make_doc(text), {"entities": kept}))
    return out


def test_calibration_fits_a_temperature_that_changes_scores_not_entities(trained, tmp_path):
    trained.to_disk(tmp_path / "model")
    nlp = load(tmp_path / "model")  # a copy: the fixture stays uncalibrated
    texts = ["Cleo bought a boat in Paris .", "we saw Jordan today .", "Ada bought the lamp in Paris ."]
    before = [scored(d) for d in nlp.pipe(texts)]
    assert nlp.get_pipe("crf_ner").temperature == 1.0
    fitted = nlp.calibrate(held_out(nlp, 40))
    temperature = fitted["crf_ner"]["temperature"]
    assert temperature > 1.5 and nlp.get_pipe("crf_ner").cfg["temperature"] == temperature
    after = [scored(d) for d in nlp.pipe(texts)]
    assert [[e[:2] for e in d] for d in after] == [[e[:2] for e in d] for d in before]
    paris = [(b[2], a[2]) for bd, ad in zip(before, after) for b, a in zip(bd, ad) if b[0] == "Paris"]
    assert paris and all(0.0 <= a < b for b, a in paris)
    assert all(0.0 <= e[2] <= 1.0 for d in after for e in d)
    nlp.to_disk(tmp_path / "calibrated")
    again = load(tmp_path / "calibrated")
    assert again.get_pipe("crf_ner").temperature == pytest.approx(temperature, rel=1e-9)
    numpy.testing.assert_allclose([e[2] for d in again.pipe(texts) for e in scored(d)],
                                  [e[2] for d in after for e in d], rtol=1e-6)


def test_calibrate_runs_the_shared_tok2vec_first_and_skips_examples_without_entities():
    fix_random_seed(2)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", SMALL))
    nlp.add_pipe(nlp.create_pipe("crf_ner", {**SMALL, "tok2vec": "tok2vec"}))
    train = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in corpus(0, 12)]
    nlp.begin_training(lambda: train)
    assert nlp.get_pipe("crf_ner").listens_to == "tok2vec"
    temperature = nlp.calibrate(train)["crf_ner"]["temperature"]
    assert 0.25 <= temperature <= 16.0
    unannotated = [Example.from_dict(nlp.make_doc("Ada bought a boat ."), {})]
    assert nlp.calibrate(unannotated) == {"crf_ner": {}}
    no_entities = [Example.from_dict(nlp.make_doc("we saw a boat ."), {"entities": []})]
    assert nlp.calibrate(no_entities) == {"crf_ner": {}}  # all "O": T would run to its bound
    assert nlp.calibrate(train, exclude=["crf_ner"]) == {}  # a frozen component keeps its own
    assert nlp.get_pipe("crf_ner").temperature == temperature
