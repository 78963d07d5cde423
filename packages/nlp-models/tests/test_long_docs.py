"""Long documents: components annotate them window by window in bounded memory, with the
annotation the whole doc at once gets; `Language.max_length` is a hard limit on request."""

import inspect
import json
import random
import subprocess
import sys

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_models import blank, load

SMALL = {"width": 32, "depth": 2, "embed_rows": 500}
WORDS = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "big", "red", "house", "and", "saw"]
NAMES = ["Alice", "Bob", "Paris", "London"]
UNBOUNDED = 10**9

def sentence(rng):
    """Words of a sentence (no period) and the index of its name (-1: none)."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 14))]
    ent = rng.randrange(len(words)) if rng.random() < 0.5 else -1
    if ent >= 0:
        words[ent] = rng.choice(NAMES)
    words[0] = words[0][0].upper() + words[0][1:]
    return words, ent


def text(rng, n_chars):
    """Sentence-like text of n_chars characters."""
    parts, size = [], 0
    while size < n_chars:
        words, _ = sentence(rng)
        parts.append(" ".join(words) + ". ")
        size += len(parts[-1])
    return "".join(parts)[:n_chars]


def example(rng, n_sents=3):
    """(text, annotations) of a few sentences: a left-branching chain onto the last word
    before the period, the period attached to it; names are PER entities."""
    words, heads, deps, tags, ents = [], [], [], [], []
    for _ in range(n_sents):
        sent, ent = sentence(rng)
        sent = sent + ["."]
        n, off = len(sent), len(words)
        root = off + n - 2
        heads += [off + i + 1 for i in range(n - 2)] + [root, root]
        deps += ["dep"] * (n - 2) + ["ROOT", "punct"]
        tags += ["N" if w in NAMES else "W" for w in sent[:-1]] + ["P"]
        ents += ["U-PER" if i == ent else "O" for i in range(n)]
        words += sent
    spaces = [i + 1 < len(words) and words[i + 1] != "." for i in range(len(words))]
    raw = "".join(w + (" " if s else "") for w, s in zip(words, spaces))
    cats = {"NAMED": float(any(e != "O" for e in ents))}
    return raw, {"words": words, "spaces": spaces, "heads": heads, "deps": deps, "tags": tags,
                 "entities": ents, "cats": cats}


@pytest.fixture(scope="module")
def trained():
    """tagger + parser + ner + textcat trained until the parser splits sentences."""
    fix_random_seed(0)
    rng = random.Random(0)
    nlp = blank("en")
    for name in ("tagger", "parser", "ner"):
        nlp.add_pipe(nlp.create_pipe(name, dict(SMALL, hidden_width=32)))
    nlp.add_pipe(nlp.create_pipe("textcat", dict(SMALL, exclusive_classes=False)))
    train = [example(rng) for _ in range(40)]
    optimizer = nlp.begin_training(lambda: train)
    for i in range(80):
        batch = train[(i * 10) % 40 :][:10]
        nlp.update([t for t, _ in batch], [a for _, a in batch], sgd=optimizer)
    return nlp


@pytest.fixture(scope="module")
def medium(trained):
    doc = trained(text(random.Random(5), 8000))
    # The test means something only if the parser splits sentences and the NER finds names.
    assert len(doc) > 1500 and len(list(doc.sents)) > 100 and len(doc.ents) > 50
    return doc.text


def _set_chunk_tokens(nlp, size):
    for _name, proc in nlp.pipeline:
        proc.chunk_tokens = size


def _annotations(doc):
    return {
        "tags": [t.tag_ for t in doc],
        "heads": [t.head.i for t in doc],
        "deps": [t.dep_ for t in doc],
        "starts": [t.is_sent_start for t in doc],
        "ents": [(e.start, e.end, e.label_) for e in doc.ents],
    }


@pytest.mark.parametrize("size", [40, 97, 500])
def test_windows_give_the_whole_doc_annotation(trained, medium, size):
    _set_chunk_tokens(trained, UNBOUNDED)
    whole = trained(medium)
    _set_chunk_tokens(trained, size)
    try:
        windowed = trained(medium)
    finally:
        _set_chunk_tokens(trained, UNBOUNDED)
    assert _annotations(windowed) == _annotations(whole)
    assert windowed.cats["NAMED"] == pytest.approx(whole.cats["NAMED"], abs=1e-5)


def test_pipe_bounds_tokens_per_call_and_keeps_annotations(trained, medium):
    texts = ["Alice saw the cat.", "", medium, "The dog ran to Paris. Bob sat.", medium[:700]]
    _set_chunk_tokens(trained, UNBOUNDED)
    whole = [_annotations(doc) for doc in trained.pipe(texts, batch_size=3)]
    _set_chunk_tokens(trained, 60)
    try:
        calls = []
        tagger = trained.get_pipe("tagger")
        predict = tagger.predict
        tagger.predict = lambda docs: calls.append(sum(len(d) for d in docs)) or predict(docs)
        windowed = [_annotations(doc) for doc in trained.pipe(texts, batch_size=3)]
    finally:
        del tagger.predict
        _set_chunk_tokens(trained, UNBOUNDED)
    assert windowed == whole
    assert calls and max(calls) <= 60  # groups of short docs; the long ones went by windows


def test_a_sentence_longer_than_half_a_window_is_closed_not_lost():
    # A parser trained on right-branching chains keeps every word on its stack: on 1,500 words
    # without a period its window finds no point to move to, so past half a window the parser
    # closes the sentence. Elsewhere the parse is the whole doc's: each word's head the word
    # before it.
    fix_random_seed(0)
    rng = random.Random(0)
    nlp = blank("en")
    parser = nlp.create_pipe("parser", dict(SMALL, hidden_width=32))
    nlp.add_pipe(parser)
    train = []
    for _ in range(20):
        words = [rng.choice(WORDS) for _ in range(rng.randint(5, 14))]
        heads = [max(0, i - 1) for i in range(len(words))]
        train.append((" ".join(words), {"words": words, "heads": heads, "deps": ["ROOT"] + ["dep"] * (len(words) - 1)}))
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(30):
        nlp.update([t for t, _ in train], [a for _, a in train], sgd=optimizer)
    raw = " ".join(random.Random(3).choice(WORDS) for _ in range(1500))
    whole = nlp(raw)
    assert len(list(whole.sents)) == 1 and all(t.head.i == t.i - 1 for t in whole[1:])
    parser.chunk_tokens = 64
    doc = nlp(raw)
    sents = list(doc.sents)
    assert 1500 // 64 <= len(sents) <= 1500 // 32
    for sent in sents:
        assert [t.i for t in sent if t.head.i == t.i] == [sent.start]
        assert all(t.head.i == t.i - 1 for t in sent[1:])


def test_shared_tok2vec_and_listeners_by_windows():
    fix_random_seed(1)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", SMALL))
    tagger = nlp.create_pipe("tagger", {"tok2vec": "tok2vec"})
    for tag in ("N", "W", "P"):
        tagger.add_label(tag)
    nlp.add_pipe(tagger)
    ner = nlp.create_pipe("ner", {"tok2vec": "tok2vec", "hidden_width": 16})
    ner.add_label("PER")
    nlp.add_pipe(ner)
    textcat = nlp.create_pipe("textcat", {"tok2vec": "tok2vec", "exclusive_classes": False})
    textcat.add_label("NAMED")
    nlp.add_pipe(textcat)
    nlp.begin_training()
    raw = text(random.Random(7), 3000)
    _set_chunk_tokens(nlp, UNBOUNDED)
    whole = nlp(raw)
    _set_chunk_tokens(nlp, 50)
    windowed = nlp(raw)
    assert windowed.tensor.shape == whole.tensor.shape == (len(whole), 32)
    numpy.testing.assert_allclose(windowed.tensor, whole.tensor, rtol=1e-5, atol=1e-5)
    assert [t.tag_ for t in windowed] == [t.tag_ for t in whole]
    assert [(e.start, e.end) for e in windowed.ents] == [(e.start, e.end) for e in whole.ents]
    assert windowed.cats["NAMED"] == pytest.approx(whole.cats["NAMED"], abs=1e-5)


@pytest.mark.parametrize("architecture", ["cnn", "bow"])
def test_textcat_architectures_score_long_docs_as_whole(architecture):
    fix_random_seed(2)
    nlp = blank("en")
    textcat = nlp.create_pipe("textcat", dict(SMALL, architecture=architecture))
    for label in ("A", "B"):
        textcat.add_label(label)
    nlp.add_pipe(textcat)
    nlp.begin_training()
    raw = text(random.Random(8), 2000)
    whole = nlp(raw).cats
    textcat.chunk_tokens = 33
    windowed = nlp(raw).cats
    assert windowed == pytest.approx(whole, abs=1e-5)


def test_chunk_tokens_must_be_positive(trained):
    tagger = trained.get_pipe("tagger")
    tagger.chunk_tokens = 0
    try:
        with pytest.raises(ValueError, match="chunk_tokens must be >= 1, got 0"):
            tagger(trained.make_doc("The cat sat."))
    finally:
        del tagger.chunk_tokens


# ---- max_length ---------------------------------------------------------------------------------


def test_max_length_is_unbounded_by_default_and_a_clear_error_when_set(tmp_path):
    nlp = blank("en")
    assert nlp.max_length is None
    limited = blank("en", max_length=10)
    assert len(limited("The cat.")) == 3
    with pytest.raises(ValueError, match=r"nlp\(\): the text has 11 characters, more than nlp.max_length \(10\)"):
        limited("The cat sat")
    with pytest.raises(ValueError, match=r"pipe\(\) item 1: the text has 1,234 characters"):
        list(limited.pipe(["short", "x" * 1234]))
    with pytest.raises(ValueError, match="update example 0: the text has 12 characters"):
        limited.update(["a" * 12], [{"tags": ["N"]}])
    limited.max_length = None
    assert len(limited("The cat sat")) == 3
    for bad in (0, -5, 2.5, True, "10"):
        with pytest.raises(ValueError, match="max_length must be a positive int or None"):
            blank("en", max_length=bad)
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model", max_length=5)
    assert loaded.max_length == 5
    with pytest.raises(ValueError, match="more than nlp.max_length"):
        loaded.make_doc("abcdef")


# ---- the acceptance test: a 1,000,000-character text in bounded memory --------------------------

MEMORY_SCRIPT = '''
import json, random, sys
WORDS, NAMES = json.loads(sys.argv[2])
{generator}
import nlp_models
nlp = nlp_models.load(sys.argv[1])
doc = nlp(text(random.Random(1), 1_000_000))
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"chars": len(doc.text), "tokens": len(doc), "sents": sum(1 for _ in doc.sents),
                  "ents": len(doc.ents), "cats": doc.cats, "peak_kb": peak}}))
'''


def test_a_million_characters_through_the_pipeline_in_bounded_memory(trained, tmp_path):
    # Unchunked, tagger+parser+ner peaked at 4.1 GB on such a text, growing with its length.
    trained.to_disk(tmp_path / "model")
    script = MEMORY_SCRIPT.format(generator=inspect.getsource(sentence) + inspect.getsource(text))
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "model"), json.dumps([WORDS, NAMES])],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["chars"] == 1_000_000 and out["tokens"] > 200_000
    assert out["sents"] > 10_000 and out["ents"] > 5_000 and 0.0 <= out["cats"]["NAMED"] <= 1.0
    assert out["peak_kb"] < 500 * 1024, f"peak RSS {out['peak_kb'] / 1024:.0f} MB"
