"""The one transition loop of the parser and the entity recognizer: a system that never reaches
a final state fails with one clear error in every use of the loop (no endless loop), the
oracle's path and its replay agree, and exploration draws from the component's generator
exactly when it mixes the model's and the oracle's actions (tiny hand-written data)."""

import pytest
from thinc.api import Adam, fix_random_seed

from nlp_gold import Example
from nlp_models import DependencyParser, EntityRecognizer
from nlp_vocab import Doc, Vocab

SMALL = {"width": 32, "depth": 2, "embed_rows": 1000, "hidden_width": 32}

NER_DATA = [
    ("Nora visited Kyoto", ["U-PER", "O", "U-LOC"]),
    ("Omar flew from Quito to Lima today", ["U-PER", "O", "O", "U-LOC", "O", "U-LOC", "O"]),
    ("Lena slept", ["U-PER", "O"]),
]
PARSE_DATA = [
    ("she reads books .", [1, 1, 1, 1], ["nsubj", "root", "obj", "punct"]),
    ("they like green tea .", [1, 1, 3, 1, 1], ["nsubj", "root", "amod", "obj", "punct"]),
]


class Stuck:
    """A transition system whose moves do nothing, so no state ever becomes final."""

    def __init__(self, system):
        self._system = system

    def __getattr__(self, name):
        return getattr(self._system, name)

    def apply_batch(self, states, actions):
        pass


class StuckRecognizer(EntityRecognizer):
    def make_system(self):
        return Stuck(super().make_system())


class StuckParser(DependencyParser):
    def make_system(self):
        return Stuck(super().make_system())


def ner_examples(vocab):
    return [Example.from_dict(Doc(vocab, words=t.split()), {"entities": tags}) for t, tags in NER_DATA]


def parse_examples(vocab):
    return [
        Example.from_dict(Doc(vocab, words=t.split()), {"heads": h, "deps": d}) for t, h, d in PARSE_DATA
    ]


@pytest.mark.parametrize("cls,make", [(StuckRecognizer, ner_examples), (StuckParser, parse_examples)])
def test_a_system_that_never_finishes_raises_instead_of_looping(cls, make):
    fix_random_seed(0)
    vocab = Vocab()
    examples = make(vocab)
    pipe = cls(vocab, name="stuck", **SMALL)
    pipe.begin_training(lambda: examples)
    # The bound: 4 steps a word of the longest doc, plus 8.
    bound = f"did not finish in {4 * max(len(eg.predicted) for eg in examples) + 8} steps"
    with pytest.raises(RuntimeError, match=f"stuck: the transition loop {bound}") as info:
        pipe.predict([eg.predicted for eg in examples])
    assert f"{len(examples)} of {len(examples)} states are not final" in str(info.value)
    with pytest.raises(RuntimeError, match="did not finish in 20 steps .* up to 3 words"):
        pipe(Doc(vocab, words=["one", "two", "three"]))
    with pytest.raises(RuntimeError, match=bound):
        pipe.update(examples)
    with pytest.raises(RuntimeError, match=bound):
        pipe.oracle_scores(examples)
    pipe.snapshot_for_rehearsal()
    with pytest.raises(RuntimeError, match=bound):
        pipe.rehearse([eg.predicted for eg in examples])


def test_oracle_path_and_its_replay_agree():
    fix_random_seed(0)
    vocab = Vocab()
    examples = ner_examples(vocab)
    ner = EntityRecognizer(vocab, **SMALL)
    ner.begin_training(lambda: examples)
    ner.update(examples, sgd=Adam(0.01))  # scores off their zero start
    lengths = [len(eg.predicted) for eg in examples]
    scores = ner.oracle_scores(examples)
    # One action per word: the path takes as many steps as the longest doc has words, and a
    # doc's row is zero once it is done.
    assert len(scores) == max(lengths)
    for step, matrix in enumerate(scores):
        assert matrix.shape == (len(examples), ner.system.n_actions)
        done = [i for i, n in enumerate(lengths) if step >= n]
        assert not matrix[done].any()
        assert all(matrix[i].any() for i, n in enumerate(lengths) if step < n)
    loss, grads = ner.get_loss(examples, scores)
    assert loss > 0
    for step, d in enumerate(grads):
        assert d.shape == scores[step].shape
        assert not d[[i for i, n in enumerate(lengths) if step >= n]].any()
    # A step past the end adds nothing; a path cut short is refused in one line.
    more_loss, more_grads = ner.get_loss(examples, scores + [scores[-1]])
    assert more_loss == loss and len(more_grads) == len(scores) + 1 and not more_grads[-1].any()
    with pytest.raises(ValueError, match="ner: get_loss got 6 score matrices; the oracle's path needs more"):
        ner.get_loss(examples, scores[:-1])


def explored_update(explore, seed=3):
    """(loss, generator state before, generator state after) of one update from scratch."""
    fix_random_seed(0)
    vocab = Vocab()
    examples = ner_examples(vocab)
    ner = EntityRecognizer(vocab, explore=explore, seed=seed, **SMALL)
    ner.begin_training(lambda: examples)
    ner.update(examples, sgd=Adam(0.01))  # scores off their zero start
    before = ner.get_random_state()
    loss = ner.update(examples)["ner"]
    return loss, before, ner.get_random_state()


@pytest.mark.parametrize("explore,draws", [(1.0, False), (0.0, False), (0.5, True)])
def test_exploration_draws_only_when_it_mixes(explore, draws):
    loss, before, after = explored_update(explore)
    assert (after != before) is draws
    # The same start gives the same update and leaves the generator at the same draw.
    assert explored_update(explore) == (loss, before, after)
