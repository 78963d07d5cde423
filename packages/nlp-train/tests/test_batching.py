import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_train import (
    ComponentInfo,
    compounding,
    get_batches,
    max_batch_size,
    minibatch,
    minibatch_by_words,
)


class Sent:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def test_minibatch_fixed_and_scheduled_sizes():
    assert list(minibatch(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    sizes = iter([1, 2, 3.9, 10])
    assert list(minibatch(range(10), sizes)) == [[0], [1, 2], [3, 4, 5], [6, 7, 8, 9]]
    assert [len(b) for b in minibatch(range(20), compounding(1, 8, 2))] == [1, 2, 4, 8, 5]


def test_minibatch_rejects_bad_sizes():
    with pytest.raises(ValueError, match="size must be >= 1"):
        list(minibatch(range(3), 0))
    with pytest.raises(TypeError, match="size must be a number or an iterator"):
        list(minibatch(range(3), "4"))
    with pytest.raises(ValueError, match="ran out of values"):
        list(minibatch(range(3), iter([1])))


def test_minibatch_by_words_groups_in_order():
    lengths = [3, 4, 2, 6, 1, 1, 5]
    batches = list(minibatch_by_words([Sent(n) for n in lengths], size=6, tolerance=0.2))
    assert [[s.n for s in b] for b in batches] == [[3, 4], [2], [6], [1, 1, 5]]
    flat = [s for b in batches for s in b]
    assert [s.n for s in flat] == lengths


def test_minibatch_by_words_oversize_examples_alone_or_dropped():
    lengths = [2, 30, 2, 2]
    batches = list(minibatch_by_words([Sent(n) for n in lengths], size=5, tolerance=0.0))
    assert [[s.n for s in b] for b in batches] == [[2], [30], [2, 2]]
    kept = list(minibatch_by_words([Sent(n) for n in lengths], size=5, tolerance=0.0,
                                   discard_oversize=True))
    assert [[s.n for s in b] for b in kept] == [[2], [2, 2]]


def test_minibatch_by_words_count_words_and_errors():
    texts = ["a b c", "d e", "f g h i"]
    batches = list(minibatch_by_words(texts, size=5, count_words=lambda t: len(t.split())))
    assert batches == [["a b c", "d e"], ["f g h i"]]
    with pytest.raises(TypeError, match="cannot count the words of example 0"):
        list(minibatch_by_words([object()], size=5))


@given(lengths=st.lists(st.integers(min_value=0, max_value=40), max_size=60),
       size=st.integers(min_value=1, max_value=30),
       tolerance=st.sampled_from([0.0, 0.1, 0.2, 0.5]))
def test_minibatch_by_words_never_exceeds_the_limit(lengths, size, tolerance):
    batches = list(minibatch_by_words([Sent(n) for n in lengths], size, tolerance))
    assert [s.n for b in batches for s in b] == lengths
    for batch in batches:
        words = sum(s.n for s in batch)
        assert batch
        assert words <= size * (1 + tolerance) or len(batch) == 1


def test_max_batch_size_is_the_seed_heuristic():
    assert max_batch_size("tagger", 5000) == 32
    assert max_batch_size("tagger", 999) == 16
    assert max_batch_size("tagger", 499) == 8
    assert max_batch_size("textcat", 800) == 32
    assert max_batch_size("parser", 1000) == 16
    assert max_batch_size(["tagger", "parser", "ner"], 3000) == 16
    with pytest.raises(ValueError, match=r"no component named 'entity_linker' is registered "
                                         r"\(known: .*ner, parser, tagger, textcat"):
        max_batch_size(["tagger", "entity_linker"], 10)


def test_the_batch_maximum_is_the_components_own():
    """A component's info says its maximum: no name needs to be known to nlp-train."""
    shape = ComponentInfo("shape", max_batch_size=12)
    free = ComponentInfo("free")  # declares no maximum: does not limit the batches
    assert max_batch_size(shape, 5000) == 12 and max_batch_size([free, shape], 700) == 6
    assert max_batch_size([shape, "tagger"], 300) == 3
    sizes = [len(b) for b in get_batches(list(range(40)), [free, shape], env={"NLP_BATCH_FROM": "3"})]
    assert sizes == [3] * 13 + [1]  # 12 halved twice below 500 examples
    with pytest.raises(ValueError, match=r"no component in \['free'\] has a batch-size maximum"):
        max_batch_size(free, 10)
    assert max_batch_size(["mine", "other"], 2000, sizes={"mine": 24}) == 24


def test_get_batches_compounds_from_one_to_the_maximum():
    data = list(range(3000))
    batches = list(itertools.islice(get_batches(data, "tagger", env={}), 2000))
    sizes = [len(b) for b in batches]
    assert sizes[0] == 1 and sizes[692] == 1 and sizes[694] == 2
    assert max(sizes) <= 32
    small = [len(b) for b in get_batches(list(range(400)), "ner", env={})]
    assert max(small) <= 4 and sum(small) == 400


def test_get_batches_env_overrides():
    env = {"NLP_BATCH_FROM": "4", "NLP_BATCH_TO": "6", "NLP_BATCH_COMPOUND": "1.5"}
    sizes = [len(b) for b in get_batches(list(range(30)), "tagger", env=env)]
    assert sizes == [4, 6, 6, 6, 6, 2]
    with pytest.raises(ValueError, match="NLP_BATCH_COMPOUND='fast' is not a number"):
        get_batches(list(range(30)), "tagger", env={"NLP_BATCH_COMPOUND": "fast"})
