"""`nlp.pipe(n_process=N)` and `nlp.pipe_map` with worker processes (this process annotating
beside them): the docs carry every annotation one process gives (tags, pos, morph, lemmas,
heads, deps, entities, sentence starts, multiword word forms, cats, user_data), in input order;
an error is one line naming the item; a worker that dies stops the run; BLAS runs on one thread
in every process during the run, and this one gets its own count back after."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest
from thinc.api import fix_random_seed

from nlp_models import blank
from nlp_train.blas_threads import THREAD_VARIABLES, blas_threads, set_blas_threads

PARENT = os.getpid()  # this process; the workers are forked from it
SMALL = {"width": 32, "depth": 1, "embed_rows": 500}
COMPONENTS = {"tagger": SMALL, "morphologizer": SMALL, "lemmatizer": SMALL, "parser": SMALL, "ner": SMALL,
              "textcat": {"architecture": "bow", "exclusive_classes": True}}
ATTRS = ["ORTH", "SPACY", "TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "SENT_START",
         "FORM", "MULTIWORD"]
PEOPLE, PLACES, NOUNS = ["Ada Moss", "Ben Okafor"], ["Lisbon", "Quito"], ["boat", "lamp", "songs"]
VERBS = {"found": "find", "sold": "sell"}


def sentence(rng: random.Random) -> tuple[str, dict]:
    """"FIRST LAST VERB the NOUN in PLACE ." with every kind of annotation."""
    person, verb, noun, place = rng.choice(PEOPLE), rng.choice(list(VERBS)), rng.choice(NOUNS), rng.choice(PLACES)
    text = f"{person} {verb} the {noun} in {place}."
    number = "Number=Plur" if noun.endswith("s") else "Number=Sing"
    return text, {
        "tags": ["NNP", "NNP", "VBD", "DT", "NN", "IN", "NNP", "."],
        "pos": ["PROPN", "PROPN", "VERB", "DET", "NOUN", "ADP", "PROPN", "PUNCT"],
        "morphs": ["Number=Sing", "Number=Sing", "Tense=Past", "", number, "", "Number=Sing", ""],
        "lemmas": [*person.split(), VERBS[verb], "the", noun.rstrip("s"), "in", place, "."],
        "heads": [2, 0, 2, 4, 2, 6, 2, 2],
        "deps": ["nsubj", "flat", "ROOT", "det", "obj", "case", "obl", "punct"],
        "entities": [(0, len(person), "PER"), (text.index(place), text.index(place) + len(place), "LOC")],
        "cats": {"SELL": float(verb == "sold"), "OTHER": float(verb != "sold")},
    }


def count_words(doc):
    doc.user_data["words"] = len(doc)
    return doc


@pytest.fixture(scope="module")
def nlp():
    """Every kind of annotating component, trained a few steps, a component writing user_data,
    and a tokenizer expansion ("al" = "a" + "el": multiword tokens whose words are not its text)."""
    fix_random_seed(0)
    rng = random.Random(0)
    train_texts, golds = zip(*(sentence(rng) for _ in range(12)))
    nlp = blank("en")
    for name, config in COMPONENTS.items():
        nlp.add_pipe(nlp.create_pipe(name, config))
    nlp.add_pipe(count_words, name="count_words")
    optimizer = nlp.begin_training(lambda: list(zip(train_texts, golds)))
    for _ in range(4):
        nlp.update(list(train_texts), list(golds), sgd=optimizer)
    nlp.tokenizer.add_expansion("al", ["a", "el"])
    return nlp


def texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = [f"{sentence(rng)[0]} {sentence(rng)[0]}" for _ in range(n)]
    for k in range(0, n, 5):
        out[k] = out[k].replace(" in ", " al ", 1)
    out[3] = ""  # no tokens at all
    return out


def everything(doc) -> tuple:
    """Every annotation of a doc, as arrays and as strings (the strings must be known here)."""
    strings = [(t.text, t.whitespace_, t.tag_, t.pos_, t.morph_, t.lemma_, t.head.i, t.dep_, t.ent_iob_,
                t.ent_type_, t.is_sent_start, t.form_) for t in doc]
    multiwords = [(span.start, span.end, span.text) for span in doc.multiword_tokens]
    return doc.text, doc.to_array(ATTRS).tolist(), strings, multiwords, sorted(doc.cats.items()), doc.user_data


def test_workers_give_every_annotation_in_order(nlp):
    inputs = texts(40, seed=1)
    one = [everything(doc) for doc in nlp.pipe(inputs, batch_size=3)]
    two = [everything(doc) for doc in nlp.pipe(iter(inputs), batch_size=3, n_process=2)]
    assert [d[0] for d in two] == inputs
    assert two == one
    docs = list(nlp.pipe(inputs[:10], batch_size=3, n_process=2))
    for attr in ("TAG", "POS", "MORPH", "LEMMA", "DEP", "ENT_IOB", "SENT_START", "MULTIWORD"):
        assert any(doc.has_annotation(attr) for doc in docs), attr  # the comparison covers it
    assert docs[0].multiword_tokens and any(t.form_ == "el" for t in docs[0])
    assert all(doc.cats for doc in docs if len(doc)) and docs[1].user_data == {"words": len(docs[1])}


def slow_in_a_worker(doc):
    if os.getpid() != PARENT:
        time.sleep(0.02)
    doc.user_data["pid"] = os.getpid()
    return doc


def test_this_process_annotates_beside_a_slow_worker_and_the_order_is_kept(nlp):
    inputs = texts(30, seed=3)
    nlp.add_pipe(slow_in_a_worker, name="slow")
    try:
        docs = list(nlp.pipe(inputs, batch_size=2, n_process=2))
    finally:
        nlp.remove_pipe("slow")
    assert [doc.text for doc in docs] == inputs  # later batches of this process were done first
    pids = [doc.user_data["pid"] for doc in docs]
    assert pids[0] != PARENT and PARENT in pids  # the first batch goes to the worker


def test_docs_as_input_keep_their_user_data(nlp):
    docs = [nlp.make_doc(text) for text in texts(6, seed=4)]
    for k, doc in enumerate(docs):
        doc.user_data["k"] = k
    out = list(nlp.pipe(docs, batch_size=2, n_process=2))
    assert [doc.user_data["k"] for doc in out] == list(range(6))
    assert [doc.text for doc in out] == [doc.text for doc in docs]


def render(doc, context):
    return context, os.getpid(), [t.tag_ for t in doc]


def test_pipe_map_runs_its_function_in_the_workers(nlp):
    inputs = texts(12, seed=5)
    pairs = [(text, k) for k, text in enumerate(inputs)]
    one = list(nlp.pipe_map(pairs, render, batch_size=2))
    two = list(nlp.pipe_map(iter(pairs), render, batch_size=2, n_process=2))
    assert [r[0] for r in two] == list(range(12)) and [r[2] for r in two] == [r[2] for r in one]
    assert {r[1] for r in one} == {PARENT} and two[0][1] != PARENT  # the first batch goes to the worker
    with pytest.raises(TypeError, match=r"pipe\(\) item 1: expected a \(text, context\) pair"):
        list(nlp.pipe_map([("a", 0), "b"], render))


class Refuse:
    """A component that fails on one text: with a ValueError, or an error type that cannot be
    rebuilt from a message."""

    def __init__(self, word: str, error: type[Exception]) -> None:
        self.word, self.error = word, error

    def __call__(self, doc):
        if self.word in doc.text:
            raise self.error("cannot annotate this") if self.error is ValueError else self.error(1, 2)
        return doc


class TwoArgumentError(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"codes {a} and {b}")


@pytest.mark.parametrize("error, raised, message", [
    (ValueError, ValueError, "pipe() item 7: cannot annotate this"),
    (TwoArgumentError, RuntimeError, "pipe() item 7: TwoArgumentError: codes 1 and 2"),
])
def test_an_error_in_a_worker_is_one_line_naming_the_item(nlp, error, raised, message):
    inputs = texts(12, seed=6)
    inputs[7] = "zebra " + inputs[7]
    nlp.add_pipe(Refuse("zebra", error), name="refuse")
    try:
        with pytest.raises(raised) as info:
            list(nlp.pipe(inputs, batch_size=3, n_process=2))
    finally:
        nlp.remove_pipe("refuse")
    assert str(info.value) == message


def die_on_poison(doc):
    if "poison" in doc.text and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return doc


def test_a_worker_that_dies_stops_the_run_with_one_line(nlp):
    inputs = texts(8, seed=7)
    inputs[1] = "poison " + inputs[1]  # in the first batch, which goes to the worker
    nlp.add_pipe(die_on_poison, name="die")
    try:
        with pytest.raises(ChildProcessError, match="worker process stopped abruptly") as info:
            list(nlp.pipe(inputs, batch_size=2, n_process=2))
    finally:
        nlp.remove_pipe("die")
    assert "\n" not in str(info.value)


def threads_used(doc):
    doc.user_data["blas"] = sorted(set(blas_threads().values()))
    return doc


def test_blas_runs_on_one_thread_during_the_run_and_this_process_gets_its_own_back(nlp, monkeypatch):
    for variable in THREAD_VARIABLES:  # restored after the test
        monkeypatch.setenv(variable, os.environ.get(variable, ""))
    before = max(blas_threads().values(), default=1)
    set_blas_threads(2)
    nlp.add_pipe(threads_used, name="threads")
    try:
        docs = list(nlp.pipe(texts(4, seed=8), batch_size=1, n_process=2))
        assert set(blas_threads().values()) == {2}
    finally:
        nlp.remove_pipe("threads")
        set_blas_threads(before)
    assert blas_threads(), "numpy's BLAS was not found"
    assert [doc.user_data["blas"] for doc in docs] == [[1]] * 4
