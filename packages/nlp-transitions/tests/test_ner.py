import random

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_transitions import INVALID_COST, BiluoPushDown


def run(ner, n, actions, **kwargs):
    state = ner.init_state(n, **kwargs)
    for name in actions:
        ner.apply(state, name)
    return state


def random_tags(rng, n, labels, starts=None):
    """A random valid BILUO sequence that respects sentence starts."""
    tags = []
    i = 0
    while i < n:
        end = i + 1
        while end < n and not (starts and starts[end]):
            end += 1
        room = end - i
        kind = rng.random()
        if kind < 0.5:
            tags.append("O")
            i += 1
            continue
        length = rng.randint(1, min(4, room))
        label = rng.choice(labels)
        if length == 1:
            tags.append(f"U-{label}")
        else:
            tags.extend([f"B-{label}"] + [f"I-{label}"] * (length - 2) + [f"L-{label}"])
        i += length
    return tags


def test_actions_labels_and_features():
    ner = BiluoPushDown(["PER", "LOC"])
    assert ner.action_names == ["O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC"]
    assert ner.add_label("ORG") and not ner.add_label("PER")
    assert ner.n_actions == 13 and ner.action_id("U-ORG") == 12
    assert ner.n_features == len(ner.feature_names) == 6
    state = run(ner, 5, ["O", "B-PER"])
    feats = numpy.zeros((1, ner.n_features), dtype="int32")
    ner.set_features(state, feats)
    assert dict(zip(ner.feature_names, feats[0].tolist())) == {
        "B0": 2, "B1": 3, "B2": 4, "B0-1": 1, "B0-2": 0, "E0": 1,
    }


def test_validity():
    ner = BiluoPushDown(["PER", "LOC"])
    state = ner.init_state(3, sent_starts=[True, False, True])
    assert not ner.is_valid(state, "I-PER") and not ner.is_valid(state, "L-PER")
    assert ner.is_valid(state, "B-PER")
    ner.apply(state, "B-PER")
    assert [a for a in ner.action_names if ner.is_valid(state, a)] == ["L-PER"]  # sentence ends next
    ner.apply(state, "L-PER")
    assert not ner.is_valid(state, "B-LOC")  # the document ends here
    ner.apply(state, "U-LOC")
    assert state.is_final().all()
    assert ner.get_entities(state) == [[(0, 2, "PER"), (2, 3, "LOC")]]


def test_preset_entities_are_forced():
    ner = BiluoPushDown(["PER", "LOC"])
    preset = [None, "B-LOC", "L-LOC", None, "O"]
    state = ner.init_state(5, preset=preset)
    valid = [a for a in ner.action_names if ner.is_valid(state, a)]
    assert valid == ["O", "U-PER", "U-LOC"]  # word 0 may not open an entity into word 1
    ner.apply(state, "O")
    assert [a for a in ner.action_names if ner.is_valid(state, a)] == ["B-LOC"]
    ner.apply(state, "B-LOC")
    ner.apply(state, "L-LOC")
    ner.apply(state, "U-PER")
    assert [a for a in ner.action_names if ner.is_valid(state, a)] == ["O"]
    with pytest.raises(ValueError, match="document 0: word 2: L-LOC follows a free word"):
        ner.init_state(3, preset=[None, None, "L-LOC"])
    with pytest.raises(ValueError, match="word 0: B-PER ends a sentence or the document"):
        ner.init_batch([3], preset=[["B-PER", "I-PER", "L-PER"]], sent_starts=[[1, 1, 0]])
    with pytest.raises(ValueError, match="entity label 'ORG' is unknown"):
        ner.init_state(2, preset=["U-ORG", None])


def test_make_gold_checks_tags():
    ner = BiluoPushDown(["PER"])
    with pytest.raises(ValueError, match="word 1: L-PER follows O"):
        ner.make_gold(["O", "L-PER"])
    with pytest.raises(ValueError, match="word 1: 'X-PER' is not a BILUO tag"):
        ner.make_gold(["O", "X-PER"])
    with pytest.raises(ValueError, match="word 0: B-PER ends a sentence or the document"):
        ner.make_gold(["B-PER"])
    assert ner.make_gold(["B-PER", "-", None, ""]).tag_ids.tolist() == [1, -1, -1, -1]


def test_static_oracle_and_conflicting_preset():
    ner = BiluoPushDown(["PER", "LOC"])
    tags = ["O", "B-PER", "I-PER", "L-PER", "U-LOC"]
    assert ner.static_oracle(tags) == tags
    # A preset that contradicts the gold: the oracle takes the forced move and loses as little
    # as it can afterwards.
    assert ner.static_oracle(tags, preset=[None, "U-LOC", None, None, None]) == [
        "O", "U-LOC", "B-PER", "L-PER", "U-LOC",
    ]


def _loss(ner, state, gold_tags):
    got = ner.get_tags(state)[0]
    return sum(1 for g, p in zip(gold_tags, got) if g not in (None, "-") and g != p)


def _check_exact(ner, gold_tags, preset=None, starts=None):
    gold = ner.make_gold(gold_tags)
    memo = {}

    def best(state, path):
        key = tuple(path)
        if key not in memo:
            if state.is_final()[0]:
                memo[key] = _loss(ner, state, gold_tags)
            else:
                costs = ner.costs(state, gold)
                children = {}
                for name in ner.action_names:
                    if ner.is_valid(state, name):
                        child = state.copy()
                        ner.apply(child, name)
                        children[name] = best(child, path + [name])
                    else:
                        assert costs[name] == INVALID_COST
                assert children, "a non-final state must have a valid move"
                here = min(children.values())
                for name, value in children.items():
                    assert costs[name] == value - here, (path, name, costs, children)
                memo[key] = here
        return memo[key]

    best(ner.init_state(len(gold_tags), preset=preset, sent_starts=starts), [])


@settings(max_examples=80)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), p_unknown=st.sampled_from([0.0, 0.3, 0.7]),
       use_preset=st.booleans(), use_starts=st.booleans())
def test_brute_force_cost_is_exact(seed, n, p_unknown, use_preset, use_starts):
    rng = random.Random(seed)
    labels = ["A", "B"]
    ner = BiluoPushDown(labels)
    starts = [i == 0 or rng.random() < 0.3 for i in range(n)] if use_starts else None
    gold = [None if rng.random() < p_unknown else t for t in random_tags(rng, n, labels)]
    preset = None
    if use_preset:
        # Preset: whole entities (or O) from another random tagging, elsewhere free.
        other = random_tags(rng, n, labels, starts)
        preset = [None] * n
        i = 0
        while i < n:
            j = i
            while other[j][0] in "BI":
                j += 1
            if rng.random() < 0.4:
                preset[i:j + 1] = other[i:j + 1]
            i = j + 1
    _check_exact(ner, gold, preset, starts)


@settings(max_examples=200)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40))
def test_unknown_spans_cost_nothing(seed, n):
    """Hide whole entities and O runs: inside a hidden run every valid move costs nothing, and
    the known part still comes out exactly."""
    rng = random.Random(seed)
    labels = ["A", "B", "C"]
    ner = BiluoPushDown(labels)
    full = random_tags(rng, n, labels)
    tags = list(full)
    i = 0
    while i < n:  # hide entity-aligned runs at random
        j = i
        while full[j][0] in "BI":
            j += 1
        if rng.random() < 0.4:
            tags[i:j + 1] = [None] * (j + 1 - i)
        i = j + 1
    gold = ner.make_gold(tags)
    state = ner.init_state(n)
    while not state.is_final()[0]:
        w = state.buffer_start()
        costs = ner.costs(state, gold)
        free = [a for a, c in costs.items() if c == 0]
        assert free and all(ner.is_valid(state, a) for a in free)
        if tags[w] is None:
            # Every valid move consistent with the known part is free: anything that closes
            # here, or keeps an entity open into another hidden word.
            next_hidden = w + 1 < n and tags[w + 1] is None
            for a in ner.action_names:
                if ner.is_valid(state, a) and (a[0] not in "BI" or next_hidden):
                    assert costs[a] == 0, (tags, w, a)
        ner.apply(state, rng.choice(free))
    got = ner.get_tags(state)[0]
    assert all(t is None or t == g for t, g in zip(tags, got))


def test_batch_api():
    ner = BiluoPushDown(["A", "B"])
    rng = random.Random(7)
    docs = [random_tags(rng, rng.randint(0, 15), ["A", "B"]) for _ in range(5)]
    golds = [ner.make_gold(tags) for tags in docs]
    states = ner.init_batch([len(t) for t in docs], preset=[None] * 5)
    valid = numpy.zeros((5, ner.n_actions), dtype="bool")
    costs = numpy.zeros((5, ner.n_actions), dtype="float32")
    feats = numpy.zeros((5, ner.n_features), dtype="int32")
    while states.n_final < 5:
        ner.set_valid(states, valid)
        ner.set_costs(states, golds, costs)
        ner.set_features(states, feats)
        assert ((costs == 0) <= valid).all()
        ner.apply_batch(states, numpy.where(valid, costs, numpy.inf).argmin(axis=1))
    assert ner.get_tags(states) == docs


def test_per_document_arguments_must_match_the_batch():
    """init_batch indexes presets and sentence starts per document in C: a short list raises."""
    ner = BiluoPushDown(["PER"])
    with pytest.raises(ValueError, match="init_batch: 1 sent_starts for 3 documents"):
        ner.init_batch([2, 2, 2], sent_starts=[[True, False]])
    with pytest.raises(ValueError, match="init_batch: 2 presets for 3 documents"):
        ner.init_batch([2, 2, 2], preset=[None, ["O", "O"]])
    states = ner.init_batch([2, 2], preset=[None, ["U-PER", None]], sent_starts=[None, [True, True]])
    assert ner.is_valid(states, "U-PER", 1) and not ner.is_valid(states, "O", 1)
    gold = ner.make_gold(["O", "O"])
    with pytest.raises(TypeError, match="NoneType, not made by BiluoPushDown.make_gold"):
        ner.oracle_action(states, None)
    assert ner.oracle_action(states, gold, 1) == "U-PER"
