import random
import sys
from pathlib import Path

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_transitions import INVALID_COST, ArcEager, StateBatch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transitions_testing import parse_loss, random_gold  # noqa: E402

SEMANTIC_LABELS = ["PLACE", "QUALITY", "ATTRIBUTE", "TIME", "LOCATION", "-"]


def run(system, n, actions):
    state = system.init_state(n)
    for name in actions:
        system.apply(state, name)
    return state


def arcs(system, state):
    heads, labels, starts = system.get_arcs(state)[0]
    return heads.tolist(), labels, starts.tolist()


# ---- API and moves ---------------------------------------------------------------------------

def test_actions_and_labels():
    parser = ArcEager(["nsubj", "obj"])
    assert parser.labels == ("nsubj", "obj")
    assert parser.action_names == ["SHIFT", "REDUCE", "BREAK", "L-nsubj", "R-nsubj", "L-obj", "R-obj"]
    assert parser.n_actions == 7
    assert parser.add_label("nmod||obj") is True
    assert parser.add_label("obj") is False
    assert parser.add_label("ROOT") is False  # the root label is the break's, not an arc label
    assert parser.action_names[-2:] == ["L-nmod||obj", "R-nmod||obj"]
    assert parser.action_id("R-obj") == 6
    assert parser.n_features == len(parser.feature_names) == 14
    with pytest.raises(ValueError, match="unknown action"):
        parser.action_id("X-obj")
    with pytest.raises(ValueError, match="non-empty string"):
        parser.add_label("")


def test_custom_semantics_labels_train_like_syntax():
    # "book a quiet room near the beach for tonight": intent semantics, "-" for unlabelled words.
    parser = ArcEager()
    for label in ["ROOT"] + SEMANTIC_LABELS:
        parser.add_label(label)
    heads = [0, 3, 3, 0, 6, 6, 3, 8, 0]
    labels = ["ROOT", "-", "QUALITY", "PLACE", "-", "-", "LOCATION", "-", "TIME"]
    seq = parser.static_oracle(heads, labels)
    assert len(seq) == 2 * len(heads)
    state = run(parser, len(heads), seq)
    assert state.is_final().all()
    got_heads, got_labels, starts = arcs(parser, state)
    assert got_heads == heads
    assert got_labels == labels
    assert starts == [True] + [False] * 8


def test_static_oracle_sequence_is_canonical():
    parser = ArcEager(["nsubj", "obj", "det", "punct"], root_label="root")
    heads = [1, 1, 3, 1, 1]
    labels = ["nsubj", "root", "det", "obj", "punct"]
    assert parser.static_oracle(heads, labels) == [
        "SHIFT", "L-nsubj", "SHIFT", "SHIFT", "L-det", "R-obj", "REDUCE", "R-punct", "REDUCE", "REDUCE",
    ]


def test_break_separates_sentences_at_left_edge():
    parser = ArcEager(["a"])
    # Two sentences: [0 1] rooted at 1, [2 3 4] rooted at 4 with 2 and 3 its left dependents.
    heads = [1, 1, 4, 4, 4]
    labels = ["a", None, "a", "a", None]
    seq = parser.static_oracle(heads, labels)
    state = run(parser, 5, seq)
    got_heads, _, starts = arcs(parser, state)
    assert got_heads == heads
    assert starts == [True, False, True, False, False]
    assert seq.count("BREAK") == 1


def test_repair_reduce_attaches_headless_word_to_the_word_below():
    parser = ArcEager(["a"], repair_label="dep")
    state = run(parser, 3, ["SHIFT", "SHIFT", "REDUCE"])
    heads, labels, _ = arcs(parser, state)
    assert heads[1] == 0 and labels[1] == "dep"
    assert not parser.is_valid(state, "REDUCE")  # one stack word, buffer not empty: BREAK instead
    assert parser.is_valid(state, "BREAK")


def test_repair_left_arc_overwrites_a_head():
    parser = ArcEager(["a", "b"])
    state = run(parser, 3, ["SHIFT", "R-a", "L-b"])
    heads, labels, _ = arcs(parser, state)
    assert heads[:2] == [-1, 2] and labels[1] == "b"
    feats = numpy.zeros((1, parser.n_features), dtype="int32")
    parser.set_features(state, feats)
    names = parser.feature_names
    assert feats[0, names.index("S0")] == 0
    assert feats[0, names.index("S0R1")] == -1  # 1 no longer hangs off 0
    assert feats[0, names.index("B0L1")] == 1


def test_end_of_document_reduces_to_roots():
    parser = ArcEager(["a"], root_label="root")
    state = run(parser, 2, ["SHIFT", "SHIFT"])
    assert parser.is_valid(state, "REDUCE") and not parser.is_valid(state, "BREAK")
    parser.apply(state, "REDUCE")
    parser.apply(state, "REDUCE")
    heads, labels, _ = arcs(parser, state)
    assert heads == [0, 0] and labels == ["root", "dep"]
    assert state.is_final().all()
    with pytest.raises(ValueError, match="not valid"):
        parser.apply(state, "SHIFT")


def test_make_gold_errors_name_the_word():
    parser = ArcEager(["a"])
    with pytest.raises(ValueError, match="word 1 has head 7"):
        parser.make_gold([0, 7], ["a", "a"])
    with pytest.raises(ValueError, match="word 1 has label 'zz'"):
        parser.make_gold([0, 0], ["a", "zz"])
    with pytest.raises(ValueError, match="2 heads but 1 labels"):
        parser.make_gold([0, 0], ["a"])


def test_empty_document_is_final():
    parser = ArcEager(["a"])
    states = parser.init_batch([0, 2])
    assert states.is_final().tolist() == [True, False]
    assert states.n_final == 1
    assert parser.follow_oracle(states, [parser.make_gold([], []), parser.make_gold([1, 1], ["a", None])]) == 4


# ---- the batch API ---------------------------------------------------------------------------

def test_batch_api_runs_a_batch_to_the_end():
    parser = ArcEager(["a", "b"])
    rng = random.Random(3)
    docs = [random_gold(rng, [rng.randint(1, 12) for _ in range(2)], ["a", "b"], 0.0) for _ in range(6)]
    golds = [parser.make_gold(h, lab) for h, lab in docs]
    states = parser.init_batch([len(h) for h, _ in docs])
    assert isinstance(states, StateBatch) and len(states) == 6
    feats = numpy.zeros((6, parser.n_features), dtype="int32")
    valid = numpy.zeros((6, parser.n_actions), dtype="float32")
    valid8 = numpy.zeros((6, parser.n_actions), dtype="int8")
    costs = numpy.zeros((6, parser.n_actions), dtype="float32")
    steps = 0
    while states.n_final < len(states):
        parser.set_features(states, feats)
        parser.set_valid(states, valid)
        parser.set_valid(states, valid8)
        parser.set_costs(states, golds, costs)
        assert (valid == valid8).all()
        assert (feats >= -1).all() and (feats < numpy.array(states.lengths)[:, None]).all()
        final = states.is_final()
        assert (valid[final] == 0).all()
        assert ((costs == 0) <= (valid == 1)).all()
        masked = numpy.where(valid == 1, costs, numpy.inf)
        actions = masked.argmin(axis=1).astype("int32")
        assert (masked[~final].min(axis=1) == 0).all()
        parser.apply_batch(states, actions)
        steps += 1
    assert steps == max(2 * len(h) for h, _ in docs)
    for (heads, labels), (got_heads, got_labels, _) in zip(docs, parser.get_arcs(states)):
        assert got_heads.tolist() == heads
        assert [lab for w, lab in enumerate(got_labels) if heads[w] != w] == [
            lab for w, lab in enumerate(labels) if heads[w] != w
        ]


def test_batch_api_rejects_bad_input():
    parser = ArcEager(["a"])
    states = parser.init_batch([3, 2])
    with pytest.raises(ValueError, match="need \\(2, 14\\)"):
        parser.set_features(states, numpy.zeros((2, 3), dtype="int32"))
    with pytest.raises(TypeError, match="int8, bool or float32"):
        parser.set_valid(states, numpy.zeros((2, parser.n_actions), dtype="float64"))
    with pytest.raises(ValueError, match="gold 1 covers 3 words, its state 2"):
        parser.set_costs(states, [parser.make_gold([0, 0, 0]), parser.make_gold([0, 0, 0])],
                         numpy.zeros((2, parser.n_actions), dtype="float32"))
    with pytest.raises(ValueError, match="'REDUCE' is not valid in state 0"):
        parser.apply_batch(states, numpy.array([1, 0], dtype="int32"))
    with pytest.raises(ValueError, match="another transition system"):
        ArcEager(["a"]).apply_batch(states, numpy.array([0, 0], dtype="int32"))


def test_gold_mismatches_raise_instead_of_reading_out_of_bounds():
    """The C loops index the gold without checks, so every entry point checks it first."""
    from nlp_transitions import BiluoPushDown

    parser = ArcEager(["a"])
    state = parser.init_state(30)
    for _ in range(20):
        parser.apply(state, "SHIFT")
    short = parser.make_gold([1, 1])
    for call in (lambda g: parser.oracle_action(state, g), lambda g: parser.costs(state, g)):
        with pytest.raises(ValueError, match="covers 2 words, its state 30"):
            call(short)
        with pytest.raises(TypeError, match="NerGold, not made by ArcEager.make_gold"):
            call(BiluoPushDown(["X"]).make_gold(["O"] * 30))
        with pytest.raises(TypeError, match="NoneType"):
            call(None)
    # A gold made by a parser with more labels names actions this one does not have.
    big = ArcEager(["a", "b", "c"])
    rich_gold = big.make_gold([1, 1, 1], ["c", None, "b"])
    small_state = parser.init_state(3)
    with pytest.raises(ValueError, match="follow_oracle: gold 0 uses label id 2, but this parser has 1 labels"):
        parser.follow_oracle(small_state, [rich_gold])
    with pytest.raises(ValueError, match="oracle_action: gold uses label id 2"):
        parser.oracle_action(small_state, rich_gold)
    assert big.follow_oracle(big.init_state(3), [rich_gold]) == 6
    with pytest.raises(ValueError, match="label id 7 out of range: the parser has 1 labels"):
        parser.label_name(7)
    assert parser.label_name(0) == "a" and parser.label_name(-1) == ""


# ---- the dynamic oracle ----------------------------------------------------------------------

def _final_loss(parser, state, heads, labels):
    got_heads, got_labels, _ = parser.get_arcs(state)[0]
    return parse_loss(got_heads.tolist(), got_labels, heads, labels, parser.root_label)


def _check_exact(parser, heads, labels):
    """Exhaustive search over every state reachable by valid moves: each action's cost must
    equal how much it raises the best final loss still reachable."""
    gold = parser.make_gold(heads, labels)
    memo = {}

    def key(state):
        h, lab, starts = parser.get_arcs(state)[0]
        return (tuple(state.stack()), state.buffer_start(), tuple(h), tuple(lab), tuple(starts))

    def best(state):
        k = key(state)
        if k not in memo:
            if state.is_final()[0]:
                memo[k] = _final_loss(parser, state, heads, labels)
            else:
                costs = parser.costs(state, gold)
                children = {}
                for name in parser.action_names:
                    if parser.is_valid(state, name):
                        child = state.copy()
                        parser.apply(child, name)
                        children[name] = best(child)
                    else:
                        assert costs[name] == INVALID_COST
                here = min(children.values())
                for name, value in children.items():
                    assert costs[name] == value - here, (name, k, costs, children)
                memo[k] = here
        return memo[k]

    assert best(parser.init_state(len(heads))) == 0
    return len(memo)


def test_brute_force_cost_is_exact_on_a_known_case():
    parser = ArcEager(["a", "dep"])
    assert _check_exact(parser, [1, 1, 4, 4, 4], ["a", None, "a", "dep", None]) > 100


@settings(max_examples=50)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=2).filter(lambda s: sum(s) <= 5),
    p_unknown=st.sampled_from([0.0, 0.0, 0.3, 1.0]),
    repair_known=st.booleans(),
)
def test_brute_force_cost_is_exact(seed, sizes, p_unknown, repair_known):
    labels = ["a", "dep"] if repair_known else ["a", "b"]
    parser = ArcEager(labels)
    heads, labs = random_gold(random.Random(seed), sizes, labels, p_unknown)
    _check_exact(parser, heads, labs)


@settings(max_examples=200)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_sents=st.integers(1, 3),
    p_unknown=st.sampled_from([0.0, 0.0, 0.2, 0.6, 1.0]),
    n_random=st.integers(0, 80),
)
def test_dynamic_oracle_reaches_exactly_what_is_reachable(seed, n_sents, p_unknown, n_random):
    rng = random.Random(seed)
    labels = ["a", "b", "dep"]
    sizes = [rng.randint(1, 40 // n_sents) for _ in range(n_sents)]
    heads, labs = random_gold(rng, sizes, labels, p_unknown)
    parser = ArcEager(labels, root_label="root")
    gold = parser.make_gold(heads, labs)
    n = len(heads)
    state = parser.init_state(n)
    costs = numpy.zeros((1, parser.n_actions), dtype="float32")
    valid = numpy.zeros((1, parser.n_actions), dtype="int8")
    lost = 0
    for _ in range(n_random):
        if state.is_final()[0]:
            break
        parser.set_valid(state, valid)
        parser.set_costs(state, [gold], costs)
        action = rng.choice(numpy.flatnonzero(valid[0]).tolist())
        lost += int(costs[0, action])
        parser.apply_batch(state, numpy.array([action], dtype="int32"))
    endings = set()
    for _ in range(2):
        run_state = state.copy()
        while not run_state.is_final()[0]:
            parser.set_valid(run_state, valid)
            parser.set_costs(run_state, [gold], costs)
            free = numpy.flatnonzero(costs[0] == 0)
            assert free.size > 0
            assert valid[0, free].all()
            parser.apply_batch(run_state, numpy.array([rng.choice(free.tolist())], dtype="int32"))
        assert _final_loss(parser, run_state, heads, labs) == lost
        got_heads, got_labels, _ = parser.get_arcs(run_state)[0]
        endings.add(tuple(
            w
            for w in range(n)
            if heads[w] is not None and got_heads[w] == heads[w]
            and (labs[w] is None or heads[w] == w or got_labels[w] == labs[w])
        ))
    assert len(endings) == 1  # both zero-cost continuations keep the same gold arcs


@settings(max_examples=100)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), n_random=st.integers(0, 80))
def test_unknown_heads_cost_nothing(seed, n, n_random):
    rng = random.Random(seed)
    parser = ArcEager(["a", "b"])
    gold = parser.make_gold([None] * n, [rng.choice(["a", "b", None]) for _ in range(n)])
    state = parser.init_state(n)
    for _ in range(n_random):
        if state.is_final()[0]:
            break
        costs = parser.costs(state, gold)
        valid = [name for name in parser.action_names if parser.is_valid(state, name)]
        assert all(costs[name] == 0 for name in valid)
        parser.apply(state, rng.choice(valid))


def test_labels_added_mid_parse_and_pickling():
    import pickle

    parser = ArcEager(["a"], root_label="root")
    state = run(parser, 3, ["SHIFT", "R-a"])
    parser.add_label("b")
    parser.apply(state, "R-b")
    heads, labels, _ = arcs(parser, state)
    assert heads == [-1, 0, 1] and labels == ["", "a", "b"]
    copy = pickle.loads(pickle.dumps(parser))
    assert copy.labels == ("a", "b") and copy.root_label == "root" and copy.n_actions == 7


def test_gather_copies_states_independently():
    """`StateBatch.gather` (beam search): each new state is a copy of the state it names, and
    moving one copy moves neither its source nor the other copies."""
    parser = ArcEager(["nsubj", "obj"])
    batch = parser.init_batch([3, 5])
    parser.apply_batch(batch, numpy.array([parser.action_id("SHIFT")] * 2, dtype="int32"))
    gathered = batch.gather([1, 1, 0])
    assert list(gathered.lengths) == [5, 5, 3]
    assert [gathered.stack(i) for i in range(3)] == [batch.stack(1), batch.stack(1), batch.stack(0)]
    parser.apply_batch(gathered, numpy.array([parser.action_id("SHIFT")] * 3, dtype="int32"))
    assert gathered.stack(0) == [0, 1] and gathered.buffer_start(0) == 2
    assert batch.stack(1) == [0] and batch.buffer_start(1) == 1
    with pytest.raises(IndexError, match="out of range"):
        batch.gather([2])
