"""Helpers shared by the transition components' tests: the parser's data and checks for
test_parser.py and test_parser_beam.py, and `SMALL` and `train` for test_ner.py too (tests run
in importlib mode, so conftest.py puts this folder on sys.path for them)."""

import random

from thinc.api import Adam, fix_random_seed

from nlp_gold import Example
from nlp_vocab import Doc

SMALL = {"width": 32, "depth": 2, "embed_rows": 1000, "hidden_width": 32, "dropout": 0.1}


def train(pipe, examples, epochs, seed=0, drop=0.1):
    """`epochs` shuffled passes of one-example updates of `pipe` (Adam 0.002); the last epoch's losses."""
    fix_random_seed(seed)
    rng = random.Random(seed)
    optimizer = Adam(0.002)
    examples = list(examples)
    losses = {}
    for _ in range(epochs):
        rng.shuffle(examples)
        losses = {}
        for eg in examples:
            pipe.update([eg], drop=drop, sgd=optimizer, losses=losses)
    return losses


def tree(doc):
    return [t.head.i for t in doc], [t.dep_ for t in doc]


SYNTAX = [
    # Two sentences in one document: the parser must break between them.
    ("she reads books . he writes letters .", [1, 1, 1, 1, 5, 5, 5, 5],
     ["nsubj", "root", "obj", "punct", "nsubj", "root", "obj", "punct"]),
    ("they like green tea .", [1, 1, 3, 1, 1], ["nsubj", "root", "amod", "obj", "punct"]),
    ("we saw old films .", [1, 1, 3, 1, 1], ["nsubj", "root", "amod", "obj", "punct"]),
]


def assert_parses_syntax(parser, vocab):
    """The trained parser gives every SYNTAX tree back, and breaks its two-sentence doc."""
    for text, heads, deps in SYNTAX:
        assert tree(parser(Doc(vocab, words=text.split()))) == (heads, deps)
    doc = parser(Doc(vocab, words="she reads books . he writes letters .".split()))
    assert [s.text for s in doc.sents] == ["she reads books .", "he writes letters ."]


# Arc 4 -> 1 crosses the arc 0 -> 3: non-projective.
NONPROJECTIVE = ("A hearing is scheduled on the issue today".split(), [1, 3, 3, 3, 1, 6, 4, 3],
                 ["det", "nsubj", "aux", "root", "nmod", "det", "obj", "obl"])


def nonprojective_example(vocab):
    words, heads, deps = NONPROJECTIVE
    return Example.from_dict(Doc(vocab, words=words), {"heads": heads, "deps": deps})
