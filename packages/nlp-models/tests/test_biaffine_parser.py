"""BiaffineParser: non-projective gold trees learnt as they are, sentence boundaries from raw
text, save/load, a shared tok2vec, long docs window by window, label growth, partial gold and
rehearsal (a toy treebank written here)."""

import random

import numpy
import pytest
from thinc.api import Adam, fix_random_seed

from nlp_gold import Example
from nlp_models import BiaffineParser, blank, load
from nlp_models.pipes import batched

SMALL = {"width": 32, "depth": 2, "embed_rows": 1000, "arc_width": 32, "label_width": 16, "dropout": 0.1}
SUBJECTS = ["hearing", "meeting", "talk", "vote"]
VERBS = ["scheduled", "held", "planned", "announced"]
TOPICS = ["issue", "budget", "plan", "law"]  # "on the TOPIC" modifies the subject: a crossing arc
PLACES = ["table", "floor", "stage", "agenda"]  # "on the PLACE" modifies the verb
TIMES = ["today", "yesterday", "monday"]


def sentence(rng):
    """(words, heads, labels) of "a SUBJECT was VERB on the NOUN TIME ."; with a topic noun the
    tree is non-projective (the arc hearing -> issue spans the verb, hearing's head)."""
    noun = rng.choice(TOPICS + PLACES)
    words = ["a", rng.choice(SUBJECTS), "was", rng.choice(VERBS), "on", "the", noun, rng.choice(TIMES), "."]
    topic = noun in TOPICS
    heads = [1, 3, 3, 3, 6, 6, 1 if topic else 3, 3, 3]
    labels = ["det", "nsubj", "aux", "root", "case", "det", "nmod" if topic else "obl", "tmod", "punct"]
    return words, heads, labels


def document(rng, n_sents):
    words, heads, labels = [], [], []
    for _ in range(n_sents):
        w, h, d = sentence(rng)
        heads += [x + len(words) for x in h]
        words += w
        labels += d
    return words, heads, labels


def treebank(seed, n_docs):
    """Docs of one or two sentences (the second teaches where sentences start)."""
    rng = random.Random(seed)
    return [document(rng, 1 + i % 2) for i in range(n_docs)]


def examples_of(nlp, data):
    return [Example.from_dict(nlp.make_doc(" ".join(w)), {"words": w, "heads": h, "deps": d}) for w, h, d in data]


def is_projective(heads):
    for dep, head in enumerate(heads):
        lo, hi = sorted((dep, head))
        for k in range(lo + 1, hi):
            v = k
            while heads[v] != v and v != head:
                v = heads[v]
            if v != head:
                return False
    return True


def parse(nlp, words):
    doc = nlp(" ".join(words))
    return [t.head.i for t in doc], [t.dep_ for t in doc], [s.start for s in doc.sents]


def train(nlp, examples, epochs, seed=0):
    """Batches of 4 in a seeded order each epoch: the optimizer and the last epoch's losses."""
    fix_random_seed(seed)
    rng, optimizer = random.Random(seed), Adam(0.005)
    for _ in range(epochs):
        losses = {}
        for batch in batched(rng.sample(examples, len(examples)), 4):
            nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
    return optimizer, losses


def biaffine_pipeline(config=SMALL):
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("biaffine_parser", config))
    return nlp


@pytest.fixture(scope="module")
def trained():
    data = treebank(0, 40)
    nlp = biaffine_pipeline()
    examples = examples_of(nlp, data)
    fix_random_seed(0)
    nlp.begin_training(lambda: examples)
    train(nlp, examples, 8)
    return nlp, data


def test_non_projective_trees_are_learnt(trained):
    nlp, data = trained
    assert sum(not is_projective(heads) for _, heads, _ in data) >= 10
    parser = nlp.get_pipe("biaffine_parser")
    assert sorted(parser.labels) == sorted(["det", "nsubj", "aux", "root", "case", "nmod", "obl", "tmod", "punct"])
    arcs = correct = 0
    for words, heads, labels in data:
        got_heads, got_labels, _ = parse(nlp, words)
        arcs += len(heads)
        correct += sum(g == h and gl == dl for g, h, gl, dl in zip(got_heads, heads, got_labels, labels))
    assert correct / arcs >= 0.99  # LAS on the training trees
    # A new sentence (not in the treebank): its crossing arc comes out directly.
    words, heads, labels = ["a", "vote", "was", "held", "on", "the", "law", "monday", "."], [1, 3, 3, 3, 6, 6, 1, 3, 3], \
        ["det", "nsubj", "aux", "root", "case", "det", "nmod", "tmod", "punct"]
    assert (" ".join(words)) not in {" ".join(w) for w, _, _ in data}
    got_heads, got_labels, _ = parse(nlp, words)
    assert (got_heads, got_labels) == (heads, labels)
    assert not is_projective(got_heads)


def test_sentence_boundaries_from_raw_text(trained):
    nlp, _ = trained
    doc = nlp("a talk was planned on the stage yesterday . a meeting was announced on the budget today .")
    assert [(s.start, s.end) for s in doc.sents] == [(0, 9), (9, 18)]
    assert [t.i for t in doc if t.dep_ == "root"] == [3, 12]
    assert all(t.head.i == t.i for t in doc if t.dep_ == "root")
    assert doc[15].head.i == 10 and doc[15].dep_ == "nmod"  # budget -> meeting, across the verb
    # Every sentence is one tree: heads stay inside it, one root each.
    for sent in doc.sents:
        assert all(sent.start <= t.head.i < sent.end for t in sent)


def test_scores_and_evaluate(trained):
    nlp, data = trained
    scores = nlp.evaluate(examples_of(nlp, data[:10]))
    assert scores["uas"] >= 99.0 and scores["las"] >= 99.0 and scores["sents_f"] == 100.0


def test_save_load_predicts_identically(trained, tmp_path):
    nlp, data = trained
    nlp.to_disk(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model" / "biaffine_parser").iterdir()) == [
        "cfg.json", "labels.json", "model.bin"]
    loaded = load(tmp_path / "model")
    assert isinstance(loaded.get_pipe("biaffine_parser"), BiaffineParser)
    texts = [" ".join(w) for w, _, _ in data[:6]] + ["a hearing was held on the floor today . a vote was"]
    for text in texts:
        ours, theirs = nlp(text), loaded(text)
        assert [(t.head.i, t.dep_, t.is_sent_start) for t in ours] == [(t.head.i, t.dep_, t.is_sent_start) for t in theirs]
    docs = [nlp.make_doc(t) for t in texts]
    a = nlp.get_pipe("biaffine_parser").predict(docs)
    b = loaded.get_pipe("biaffine_parser").predict(docs)
    numpy.testing.assert_array_equal(a.labels, b.labels)
    for x, y in zip(a.arcs, b.arcs):
        numpy.testing.assert_array_equal(x, y)


def test_long_docs_are_parsed_window_by_window_as_a_whole(trained):
    nlp, _ = trained
    parser = nlp.get_pipe("biaffine_parser")
    words, _, _ = document(random.Random(5), 12)
    text = " ".join(words)
    whole = parse(nlp, words)
    parser.chunk_tokens = 25  # 108 tokens: five windows, sentences cut across them
    try:
        assert parse(nlp, words) == whole
        assert whole[2] == list(range(0, len(words), 9))
    finally:
        parser.chunk_tokens = BiaffineParser.chunk_tokens
    assert nlp(text)[0].is_sent_start


def test_long_sentences_are_cut_before_decoding(trained, tmp_path):
    nlp, _ = trained
    text = " ".join(["on", "the", "table"] * 10)  # no sentence start in sight
    assert max(len(s) for s in nlp(text).sents) > 10
    nlp.to_disk(tmp_path / "model")
    cfg_path = tmp_path / "model" / "biaffine_parser" / "cfg.json"
    cfg_path.write_text(cfg_path.read_text().replace('"max_sentence_length":200', '"max_sentence_length":10'))
    capped = load(tmp_path / "model")
    assert capped.get_pipe("biaffine_parser").max_sentence_length == 10
    doc = capped(text)
    assert max(len(s) for s in doc.sents) <= 10 and len(list(doc.sents)) >= 3
    for sent in doc.sents:
        assert sum(t.head.i == t.i for t in sent) == 1


def test_shared_tok2vec_listener(tmp_path):
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", {"width": 32, "depth": 2, "embed_rows": 1000}), first=True)
    nlp.add_pipe(nlp.create_pipe("tagger", {"tok2vec": "tok2vec"}))
    nlp.add_pipe(nlp.create_pipe("biaffine_parser", {"tok2vec": "tok2vec", "arc_width": 32, "label_width": 16}))
    data = treebank(1, 30)
    examples = []
    for words, heads, labels in data:
        tags = ["N" if w in SUBJECTS + TOPICS + PLACES else "W" for w in words]
        examples.append(Example.from_dict(nlp.make_doc(" ".join(words)),
                                          {"words": words, "heads": heads, "deps": labels, "tags": tags}))
    fix_random_seed(0)
    nlp.begin_training(lambda: examples)
    parser = nlp.get_pipe("biaffine_parser")
    assert parser.upstream is nlp.get_pipe("tok2vec")
    _, losses = train(nlp, examples, 8)
    assert losses["biaffine_parser"] < 50 and losses["tagger"] < 5
    scores = nlp.evaluate(examples)
    assert scores["las"] >= 97.0 and scores["tag_acc"] >= 97.0
    nlp.to_disk(tmp_path / "shared")
    loaded = load(tmp_path / "shared")
    assert loaded.get_pipe("biaffine_parser").upstream is loaded.get_pipe("tok2vec")
    text = " ".join(data[0][0])
    assert [(t.head.i, t.dep_) for t in loaded(text)] == [(t.head.i, t.dep_) for t in nlp(text)]


def test_new_labels_partial_gold_and_rehearsal():
    nlp = biaffine_pipeline()
    data = treebank(2, 20)
    examples = examples_of(nlp, data)
    fix_random_seed(0)
    nlp.begin_training(lambda: examples)
    optimizer, _ = train(nlp, examples, 4)
    parser = nlp.get_pipe("biaffine_parser")
    # A label met in training is added (the model grows); words without gold heads are free.
    words = ["a", "talk", "was", "held", "on", "the", "floor", "today", "."]
    partial = Example.from_dict(nlp.make_doc(" ".join(words)), {
        "words": words, "heads": [1, 3, None, 3, 6, 6, 3, 3, 3],
        "deps": ["det", "nsubj", None, "root", "case", "det", "obl", "when", "punct"]})
    assert "when" not in parser.labels
    losses = nlp.update([partial], sgd=optimizer)
    assert "when" in parser.labels and losses["biaffine_parser"] > 0
    assert parser.model.get_ref("label_scorer").get_param("W").shape[0] == len(parser.labels)
    # Rehearsal pulls the outputs towards the snapshot: none to pull right after it.
    nlp.resume_training(sgd=optimizer)
    texts = [" ".join(w) for w, _, _ in data[:4]]
    assert nlp.rehearse(texts, sgd=optimizer)["biaffine_parser"] == pytest.approx(0.0, abs=1e-6)
    nlp.update(examples_of(nlp, treebank(3, 4)), sgd=optimizer)
    assert nlp.rehearse(texts, sgd=optimizer)["biaffine_parser"] > 0.0


def test_get_loss_and_bad_cfg(trained):
    nlp, data = trained
    parser = nlp.get_pipe("biaffine_parser")
    examples = examples_of(nlp, data[:3])
    scores = parser.predict([eg.predicted for eg in examples])
    loss, grads = parser.get_loss(examples, scores)
    assert 0.0 <= loss < 5.0 and grads.labels.shape == scores.labels.shape
    with pytest.raises(ValueError, match="scored tokens"):
        parser.get_loss(examples[:2], scores)
    with pytest.raises(ValueError, match="arc_width"):
        BiaffineParser(nlp.vocab, arc_width="wide")
    bad = BiaffineParser(nlp.vocab, arc_width=0, labels=["dep"])
    with pytest.raises(ValueError, match="arc_width must be >= 1"):
        bad.begin_training()


def test_replicas_learning_different_shards_end_with_the_same_labels():
    """Data-parallel training: each replica names its shard's new labels (first met first,
    none added), every replica learns all of them in worker order, and the updates then add
    none, so the replicas keep one label order and one parameter layout; one process updating
    on the whole batch adds them in that order too."""
    from nlp_train import create_optimizer
    from nlp_train.gradients import ParamLayout

    def replica():
        nlp = biaffine_pipeline()
        fix_random_seed(0)
        nlp.begin_training(lambda: examples_of(nlp, treebank(4, 8)))
        return nlp

    def relabelled(nlp, seed, changes):
        words, heads, labels = treebank(seed, 1)[0]
        for i, label in changes.items():
            labels[i] = label
        return examples_of(nlp, [(words, heads, labels)])[0]

    replicas = [replica(), replica()]
    known = list(replicas[0].get_pipe("biaffine_parser").labels)
    changes = [{7: "when", 2: "auxpass", 8: "when"}, {0: "auxpass", 5: "poss"}]
    shards = [[relabelled(nlp, 5 + i, changes[i])] for i, nlp in enumerate(replicas)]
    posted = [nlp.labels_to_learn(shard) for nlp, shard in zip(replicas, shards)]
    assert posted == [{"biaffine_parser": ["auxpass", "when"]}, {"biaffine_parser": ["auxpass", "poss"]}]
    assert all(list(nlp.get_pipe("biaffine_parser").labels) == known for nlp in replicas)
    for nlp in replicas:
        for found in posted:
            nlp.learn_labels(found)
    assert ParamLayout(replicas[0]).digest() == ParamLayout(replicas[1]).digest()  # weights too
    size = ParamLayout(replicas[0]).size
    for nlp, shard in zip(replicas, shards):
        nlp.update(shard, sgd=create_optimizer())
    expected = known + ["auxpass", "when", "poss"]
    assert [list(nlp.get_pipe("biaffine_parser").labels) for nlp in replicas] == [expected, expected]
    assert ParamLayout(replicas[0]).size == ParamLayout(replicas[1]).size == size
    whole = replica()
    whole.update([relabelled(whole, 5 + i, change) for i, change in enumerate(changes)], sgd=create_optimizer())
    assert list(whole.get_pipe("biaffine_parser").labels) == expected
