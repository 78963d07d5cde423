"""Beam search in the arc-eager parser (cfg beam_width): the global beam update learns trees,
sentence breaks and non-projective arcs; beam decoding returns well-formed trees; the width
is saved with the model (tiny hand-written data)."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parser_testing import (
    NONPROJECTIVE,
    SMALL,
    SYNTAX,
    assert_parses_syntax,
    nonprojective_example,
    train,
    tree,
)

from nlp_gold import Example
from nlp_models import DependencyParser, blank
from nlp_vocab import Doc, Vocab


def syntax_examples(vocab):
    return [Example.from_dict(Doc(vocab, words=t.split()), {"heads": h, "deps": d}) for t, h, d in SYNTAX]


def test_beam_update_learns_trees_and_sentence_breaks():
    vocab = Vocab()
    examples = syntax_examples(vocab)
    parser = DependencyParser(vocab, beam_width=4, beam_update=True, **SMALL)
    parser.begin_training(lambda: examples)
    first = parser.update(examples[:1], sgd=None)["parser"]
    losses = train(parser, examples, 40)
    assert first > 0.0 and losses["parser"] < 0.05
    assert_parses_syntax(parser, vocab)


def test_beam_parser_learns_a_nonprojective_tree():
    vocab = Vocab()
    words, heads, deps = NONPROJECTIVE
    example = nonprojective_example(vocab)
    parser = DependencyParser(vocab, decorated_cutoff=1, beam_width=3, beam_update=True, **SMALL)
    parser.begin_training(lambda: [example])
    train(parser, [example], 60)
    assert tree(parser(Doc(vocab, words=words))) == (heads, deps)


def test_beam_width_is_saved_and_one_is_greedy(tmp_path):
    vocab = Vocab()
    examples = syntax_examples(vocab)
    parser = DependencyParser(vocab, beam_width=2, **SMALL)
    parser.begin_training(lambda: examples)
    train(parser, examples, 10)
    texts = [t for t, _, _ in SYNTAX] + ["she likes old tea .", "books ."]
    docs = lambda p: [Doc(p.vocab, words=t.split()) for t in texts]  # noqa: E731
    beam = [tree(d) for d in parser.pipe(docs(parser), batch_size=3)]
    parser.to_disk(tmp_path / "parser")
    loaded = DependencyParser(Vocab()).from_disk(tmp_path / "parser")
    assert loaded.cfg["beam_width"] == 2
    assert [tree(d) for d in loaded.pipe(docs(loaded), batch_size=3)] == beam
    # Width 1 through the beam search is the greedy parse.
    loaded.cfg["beam_width"] = 1
    greedy = [tree(d) for d in loaded.pipe(docs(loaded))]
    from nlp_models.pipes._beam import beam_decode

    states = loaded.init_states(docs(loaded))
    step = loaded.require_model().predict(loaded.model_input(docs(loaded)))
    lengths = [len(t.split()) for t in texts]
    one = beam_decode(loaded.system, states, lengths, step.predict_scores, 1, "parser")
    assert [list(h) for h, _, _ in loaded.system.get_arcs(one)] == [h for h, _ in greedy]


def is_forest(heads):
    """Every word reaches a root (a word that heads itself) without a cycle."""
    for i in range(len(heads)):
        seen, j = set(), i
        while heads[j] != j:
            if j in seen:
                return False
            seen.add(j)
            j = heads[j]
    return True


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=5), st.integers(1, 5), st.integers(0, 2**16))
def test_beam_decoding_returns_trees_on_untrained_models(lengths, width, seed):
    nlp = blank("en")
    parser = nlp.create_pipe("parser", {**SMALL, "beam_width": width, "seed": seed})
    nlp.add_pipe(parser)
    for label in ("nsubj", "obj", "amod"):
        parser.add_label(label)
    nlp.begin_training()
    rng = numpy.random.default_rng(seed)
    output = parser.model.get_ref("output_layer").layers[0]  # zero-initialised: make scores differ
    output.set_param("W", rng.normal(0, 1, output.get_param("W").shape).astype("float32"))
    docs = [Doc(nlp.vocab, words=[f"w{rng.integers(50)}" for _ in range(n)]) for n in lengths]
    for doc in parser.pipe(docs, batch_size=len(docs)):
        heads = [t.head.i for t in doc]
        assert is_forest(heads)
        for sent in doc.sents:
            assert sum(1 for t in sent if t.head.i == t.i) == 1
            assert all(sent.start <= t.head.i < sent.end for t in sent)


def test_beam_loss_gradient_matches_finite_differences():
    """The global beam loss's gradient (through every history's steps and the log-softmax of
    each step) is the derivative of the loss `update` reports, checked on output weights."""
    from thinc.api import fix_random_seed

    fix_random_seed(0)
    vocab = Vocab()
    examples = syntax_examples(vocab)
    parser = DependencyParser(vocab, beam_width=3, beam_update=True, **{**SMALL, "dropout": 0.0})
    parser.begin_training(lambda: examples)
    output = parser.model.get_ref("output_layer").layers[0]
    rng = numpy.random.default_rng(0)
    output.set_param("W", rng.normal(0, 0.3, output.get_param("W").shape).astype("float32"))

    def loss_and_grad():
        for node in parser.model.walk():
            for name in node.param_names:
                if node.has_grad(name):
                    node.set_grad(name, node.get_grad(name) * 0)
        loss = parser.update(examples[:1], drop=0.0, sgd=None)["parser"]
        return loss, output.get_grad("W").copy()

    loss, grad = loss_and_grad()
    assert loss > 0
    weights = output.get_param("W").copy()
    for index in map(tuple, numpy.argwhere(numpy.abs(grad) > 1e-3)[:4]):
        moved = []
        for eps in (1e-2, -1e-2):
            changed = weights.copy()
            changed[index] += eps
            output.set_param("W", changed)
            moved.append(loss_and_grad()[0])
        output.set_param("W", weights)
        assert (moved[0] - moved[1]) / 2e-2 == pytest.approx(grad[index], rel=1e-2, abs=1e-4)
