"""A Tok2Vec shared by listening components: training (one backward per update on the summed
gradient, chunked parser training), inference from doc.tensor (one CNN pass per batch),
save/load and linking, averages, dropout, and the clear errors (tiny hand-written data)."""

import numpy
import pytest
from thinc.api import Model, fix_random_seed

from nlp_gold import Example
from nlp_models import Tok2Vec, blank, get_component_spec, load
from nlp_models.ml import SharedBatch, get_cpu_ops

T2V = {"width": 32, "depth": 2, "embed_rows": 500, "dropout": 0.1}
SHARE = {"tok2vec": "tok2vec"}
# Words, heads (absolute), labels, tags; the first doc holds two sentences.
DATA = [
    ("she reads books . he writes letters .", [1, 1, 1, 1, 5, 5, 5, 5],
     ["nsubj", "root", "obj", "punct", "nsubj", "root", "obj", "punct"], ["P", "V", "N", ".", "P", "V", "N", "."]),
    ("they like green tea .", [1, 1, 3, 1, 1], ["nsubj", "root", "amod", "obj", "punct"], ["P", "V", "J", "N", "."]),
    ("we saw old films .", [1, 1, 3, 1, 1], ["nsubj", "root", "amod", "obj", "punct"], ["P", "V", "J", "N", "."]),
    ("you want red apples .", [1, 1, 3, 1, 1], ["nsubj", "root", "amod", "obj", "punct"], ["P", "V", "J", "N", "."]),
]
TEXTS = ["they saw red tea .", "we like old books .", "", "she writes .", "he reads green letters ."] * 3


def examples(nlp):
    return [Example.from_dict(nlp.make_doc(t), {"heads": h, "deps": d, "tags": g}) for t, h, d, g in DATA]


def fresh(nlp, egs):
    """The same gold with new predicted docs (a training loop's batches)."""
    return [Example(nlp.make_doc(eg.predicted.text), eg.reference) for eg in egs]


def shared_pipeline(max_train_length=100, order=("tok2vec", "tagger", "parser")):
    nlp = blank("en")
    configs = {
        "tok2vec": T2V,
        "tagger": SHARE,
        "parser": {**SHARE, "hidden_width": 32, "max_train_length": max_train_length},
    }
    for name in order:
        position = {"first": True} if name == "tok2vec" else {}
        nlp.add_pipe(nlp.create_pipe(name, configs[name]), **position)
    return nlp


def params_of(model):
    return [node.get_param(k).copy() for node in model.walk() for k in node.param_names if node.has_param(k)]


def train(nlp, egs, n_iter, optimizer, drop=0.1):
    history = []
    for _ in range(n_iter):
        losses = {}
        for eg in fresh(nlp, egs):
            nlp.update([eg], sgd=optimizer, drop=drop, losses=losses)
        history.append(losses)
    return history


def parses(docs):
    return [[(t.tag_, t.head.i, t.dep_) for t in doc] for doc in docs]


class Counter:
    """Wraps a model in a layer that counts forward and backward passes."""

    def __init__(self, model):
        self.forward = 0
        self.backward = 0
        self.d_outputs = []

        def forward(wrapper, X, is_train):
            self.forward += 1
            Y, backprop = model(X, is_train)

            def counted(dY):
                self.backward += 1
                self.d_outputs.append([d.copy() for d in dY])
                return backprop(dY)

            return Y, counted

        self.model = Model("counter", forward, layers=[model], dims={"nO": model.get_dim("nO")})


@pytest.fixture(scope="module")
def trained():
    fix_random_seed(0)
    nlp = shared_pipeline()
    egs = examples(nlp)
    optimizer = nlp.begin_training(lambda: egs)
    before = params_of(nlp.get_pipe("tok2vec").model)
    history = train(nlp, egs, 25, optimizer)
    return nlp, optimizer, egs, before, history


def test_factory_and_linking():
    assert get_component_spec("tok2vec").cls is Tok2Vec
    nlp = shared_pipeline(order=("tagger", "parser", "tok2vec"))  # tok2vec added last, first=True
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser"]
    tok2vec = nlp.get_pipe("tok2vec")
    assert [c.name for c in tok2vec.listeners] == ["tagger", "parser"]
    assert nlp.get_pipe("tagger").upstream is tok2vec
    assert nlp.get_pipe("tagger").cfg["width"] == 32  # follows the upstream
    nlp.rename_pipe("tok2vec", "shared")
    assert nlp.get_pipe("parser").cfg["tok2vec"] == "shared"
    assert nlp.get_pipe("parser").upstream is tok2vec and len(tok2vec.listeners) == 2


def test_training_reduces_losses_and_trains_the_shared_tok2vec(trained):
    nlp, _, egs, before, history = trained
    for name in ("tagger", "parser"):
        assert history[-1][name] < 0.2 * history[0][name], (name, history[0], history[-1])
    assert history[-1]["tok2vec"] > 0.0
    after = params_of(nlp.get_pipe("tok2vec").model)
    assert all(not numpy.allclose(a, b) for a, b in zip(before, after))
    # The listeners own no CNN: every embedding table is the tok2vec's.
    for name in ("tagger", "parser"):
        assert not [n for n in nlp.get_pipe(name).model.walk() if n.name.startswith("hashembed")]
    assert parses(nlp.pipe(eg.predicted.text for eg in egs)) == [
        list(zip(g, [int(h) for h in hs], d)) for _, hs, d, g in DATA
    ]


def test_one_backward_per_update_with_the_summed_gradient():
    fix_random_seed(1)
    nlp = shared_pipeline()
    egs = examples(nlp)
    optimizer = nlp.begin_training(lambda: egs)
    tok2vec = nlp.get_pipe("tok2vec")
    counter = Counter(tok2vec.model)
    tok2vec.model = counter.model
    train(nlp, egs, 2, optimizer)
    assert counter.forward == counter.backward == 2 * len(egs)
    # The gradient the tok2vec gets is the sum of what each listener sends for the batch.
    parts = []
    for name in ("tagger", "parser"):
        fix_random_seed(2)
        batch = fresh(nlp, egs[:2])
        tok2vec.update(batch, sgd=None)
        tok2vec.shared_batch().waiting = {"never"}  # keep it open: collect one listener's part
        nlp.get_pipe(name).update(batch, sgd=None)
        parts.append(tok2vec.shared_batch().d_outputs)
        tok2vec._batch = None
    fix_random_seed(2)
    batch = fresh(nlp, egs[:2])
    counter.d_outputs.clear()
    tok2vec.update(batch, sgd=None)
    nlp.get_pipe("tagger").update(batch, sgd=None)
    assert counter.backward == 2 * len(egs)  # waits for the parser
    nlp.get_pipe("parser").update(batch, sgd=None)
    (summed,) = counter.d_outputs
    for i, d in enumerate(summed):
        numpy.testing.assert_allclose(d, parts[0][i] + parts[1][i], rtol=1e-5, atol=1e-6)


def test_inference_runs_the_tok2vec_once_per_batch_and_stores_vectors(trained):
    nlp = trained[0]
    tok2vec = nlp.get_pipe("tok2vec")
    original = tok2vec.model
    counter = Counter(original)
    tok2vec.model = counter.model
    try:
        docs = list(nlp.pipe(TEXTS, batch_size=4))
    finally:
        tok2vec.model = original
    assert counter.forward == 4  # 15 texts in batches of 4
    for doc in docs:
        assert doc.tensor.dtype == numpy.float32 and doc.tensor.shape == (len(doc), 32)
    assert parses(docs) == parses(nlp(t) for t in TEXTS)


def test_save_load_round_trip_gives_identical_predictions(trained, tmp_path):
    nlp = trained[0]
    expected = parses(nlp.pipe(TEXTS))
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model")
    assert loaded.pipe_names == ["tok2vec", "tagger", "parser"]
    assert [c.name for c in loaded.get_pipe("tok2vec").listeners] == ["tagger", "parser"]
    assert parses(loaded.pipe(TEXTS)) == expected
    from_bytes = blank("en").from_bytes(nlp.to_bytes())
    assert parses(from_bytes.pipe(TEXTS)) == expected
    docs = [from_bytes(t) for t in TEXTS[:3]]
    for doc, vectors in zip(docs, [nlp(t).tensor for t in TEXTS[:3]]):
        numpy.testing.assert_array_equal(doc.tensor, vectors)


def test_use_params_swaps_the_tok2vec_averages(trained):
    nlp, optimizer = trained[:2]
    model = nlp.get_pipe("tok2vec").model
    embed = next(n for n in model.walk() if n.name.startswith("hashembed"))
    current = embed.get_param("E").copy()
    assert (embed.id, "E") in optimizer.averages
    with nlp.use_params(optimizer.averages):
        numpy.testing.assert_array_equal(embed.get_param("E"), optimizer.averages[(embed.id, "E")])
        assert not numpy.array_equal(embed.get_param("E"), current)
        averaged = parses(nlp.pipe(TEXTS[:5]))
    numpy.testing.assert_array_equal(embed.get_param("E"), current)
    assert len(averaged) == 5


def test_dropout_reaches_the_shared_tok2vec():
    nlp = shared_pipeline()
    egs = examples(nlp)
    optimizer = nlp.begin_training(lambda: egs)
    nlp.update(fresh(nlp, egs), drop=0.35, sgd=optimizer)
    rates = [n.attrs["dropout_rate"] for n in nlp.get_pipe("tok2vec").model.walk() if n.name == "dropout"]
    assert rates and all(rate == 0.35 for rate in rates)


def test_chunked_parser_training_gets_and_returns_each_pieces_rows():
    fix_random_seed(3)
    nlp = shared_pipeline(max_train_length=4)  # the two-sentence doc is cut in two
    egs = examples(nlp)
    optimizer = nlp.begin_training(lambda: egs)
    parser = nlp.get_pipe("parser")
    chunks, inputs = parser._training_units(egs[:1])
    assert [(c.start, c.end) for c in chunks] == [(0, 4), (4, 8)]
    assert all(item.doc is egs[0].predicted for item in inputs)
    train(nlp, egs, 2, optimizer)  # the zero-initialised output layer passes no gradient at first
    with nlp.disable_pipes("tagger"):
        tok2vec = nlp.get_pipe("tok2vec")
        counter = Counter(tok2vec.model)
        tok2vec.model = counter.model
        batch = fresh(nlp, egs[:1])
        nlp.update(batch, sgd=optimizer)
        (d_doc,) = counter.d_outputs[0]
        assert d_doc.shape == (8, 32)
        row_norms = numpy.abs(d_doc).sum(axis=1)
        assert (row_norms[:4] > 0).any() and (row_norms[4:] > 0).any()
        tok2vec.model = counter.model.layers[0]
    history = train(nlp, egs, 25, optimizer)
    assert history[-1]["parser"] < 0.1 * history[0]["parser"]
    for text in ("she reads books .", "he writes letters ."):  # the two training pieces
        assert [t.head.i for t in nlp(text)] == [1, 1, 1, 1]


def test_ner_and_textcat_listen_too():
    fix_random_seed(4)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tok2vec", T2V))
    nlp.add_pipe(nlp.create_pipe("ner", {**SHARE, "hidden_width": 16}))
    nlp.add_pipe(nlp.create_pipe("textcat", {**SHARE, "architecture": "ensemble"}), name="tc_ens")
    nlp.add_pipe(nlp.create_pipe("textcat", {**SHARE, "architecture": "cnn"}), name="tc_cnn")
    assert len(nlp.get_pipe("tok2vec").listeners) == 3
    data = [
        ("Ada visited Oslo", {"entities": [(0, 3, "PER"), (12, 16, "LOC")], "cats": {"travel": 1.0, "work": 0.0}}),
        ("Ben wrote reports", {"entities": [(0, 3, "PER")], "cats": {"travel": 0.0, "work": 1.0}}),
    ]
    egs = [Example.from_dict(nlp.make_doc(t), a) for t, a in data]
    optimizer = nlp.begin_training(lambda: egs)
    before = params_of(nlp.get_pipe("tok2vec").model)
    history = train(nlp, egs, 30, optimizer)
    for name in ("ner", "tc_ens", "tc_cnn"):
        assert history[-1][name] < history[0][name], name
    assert all(not numpy.allclose(a, b) for a, b in zip(before, params_of(nlp.get_pipe("tok2vec").model)))
    doc = nlp("Ada visited Oslo")
    assert [(e.text, e.label_) for e in doc.ents] == [("Ada", "PER"), ("Oslo", "LOC")]
    assert doc.cats["travel"] > 0.5
    with pytest.raises(ValueError, match="'bow' has no tok2vec"):
        nlp.create_pipe("textcat", {**SHARE, "architecture": "bow"})


def test_errors_name_both_components(trained):
    nlp = shared_pipeline()
    egs = examples(nlp)
    nlp.begin_training(lambda: egs)
    with nlp.disable_pipes("tok2vec"):
        with pytest.raises(ValueError, match="'tagger' reads .* 'tok2vec', which is disabled"):
            nlp("they like tea")
        with pytest.raises(ValueError, match="'tagger' reads .* 'tok2vec', which is disabled"):
            nlp.update(fresh(nlp, egs))
        with pytest.raises(ValueError, match="'tagger' reads .* 'tok2vec', which is disabled"):
            list(nlp.pipe(["they like tea"]))
    with pytest.raises(ValueError, match="'tagger' .* 'tok2vec', which is disabled"):
        nlp("they like tea", disable=["tok2vec"])
    with nlp.disable_pipes("tok2vec", "tagger", "parser"):
        nlp("they like tea")  # listeners disabled along with their upstream: fine
    nlp("they like tea")  # fine again once restored
    tagger = nlp.get_pipe("tagger")
    with pytest.raises(ValueError, match="doc 0 has none: run 'tok2vec' first"):
        tagger(nlp.make_doc("no vectors here"))
    with pytest.raises(ValueError, match="'tagger' listens to 'tok2vec' and is training, but 'tok2vec' has no"):
        tagger.update(fresh(nlp, egs))
    nlp.get_pipe("tok2vec").update(fresh(nlp, egs))
    with pytest.raises(ValueError, match="input 0 is not one of the 4 docs 'tok2vec' saw"):
        tagger.update(fresh(nlp, egs))
    nlp.get_pipe("tok2vec").flush_update()
    nlp.remove_pipe("tok2vec")
    assert tagger.upstream is None
    with pytest.raises(ValueError, match="'tagger' reads .* 'tok2vec', which is not in the pipeline"):
        nlp("they like tea")
    with pytest.raises(ValueError, match="'tok2vec', which is not in its pipeline"):
        tagger.update(fresh(nlp, egs))
    with pytest.raises(ValueError, match="runs after it"):
        nlp.add_pipe(Tok2Vec(nlp.vocab, **T2V), name="tok2vec", last=True)
        nlp("they like tea")
    with pytest.raises(ValueError, match="cannot itself listen"):
        Tok2Vec(nlp.vocab, tok2vec="other")


def test_width_mismatch_and_rehearse_are_refused(trained):
    nlp = trained[0]
    other = blank("en")
    other.add_pipe(other.create_pipe("tok2vec", {**T2V, "width": 48}))
    with pytest.raises(ValueError, match="built for token vectors of width 32, but its upstream 'tok2vec' gives width 48"):
        other.add_pipe(nlp.get_pipe("tagger").__class__(nlp.vocab, **SHARE).from_bytes(nlp.get_pipe("tagger").to_bytes()))
    assert other.pipe_names == ["tok2vec"]
    copy = blank("en").from_bytes(nlp.to_bytes())
    copy.resume_training()
    with pytest.raises(ValueError, match="rehearse\\(\\) does not support shared tok2vec"):
        copy.rehearse(TEXTS[:2])


def test_shared_batch_sums_and_applies_once():
    ops = get_cpu_ops()
    outputs = [numpy.ones((3, 2), dtype="f"), numpy.ones((2, 2), dtype="f")]
    docs = [object(), object()]
    applied = []
    batch = SharedBatch("t2v", docs, outputs, applied.append, {"a", "b"}, ops)

    class Span:
        def __init__(self, doc, start, end):
            self.doc, self.start, self.end = doc, start, end

    rows = batch.rows([Span(docs[0], 1, 3), Span(docs[1], 0, 2)], "a")
    assert rows == [(0, 1, 3), (1, 0, 2)]
    batch.accumulate("a", rows, [numpy.full((2, 2), 1.0, "f"), numpy.full((2, 2), 2.0, "f")], "a")
    assert not applied
    batch.accumulate("b", [(0, 0, 3)], [numpy.full((3, 2), 0.5, "f")], "b")
    (d_outputs,) = applied
    numpy.testing.assert_array_equal(d_outputs[0][:, 0], [0.5, 1.5, 1.5])
    numpy.testing.assert_array_equal(d_outputs[1][:, 0], [2.0, 2.0])
    assert batch.finish() is False  # once only
    with pytest.raises(ValueError, match="already applied"):
        batch.rows([docs[0]], "c")
