"""The BILUO CRF's kernels (ml/crf.py over ml/_crf.pyx) against brute force: every tag sequence
of a tiny lattice enumerated, kept when nlp_gold calls it valid BILUO, and scored by hand."""

import itertools

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_gold.biluo import BiluoError, tags_to_entities
from nlp_models.ml._crf import expected_counts, forward_backward
from nlp_models.ml.crf import BiluoLattice, CrfBatch, crf_decode, crf_loss
from nlp_models.ml.crf_calibration import fit_temperature, scaled_nll


def random_case(seed: int, n_labels: int, lengths: list[int], scale: float = 3.0):
    rng = numpy.random.default_rng(seed)
    lattice = BiluoLattice([f"L{k}" for k in range(n_labels)])
    n = len(lattice)
    emit = rng.normal(0, scale, (sum(lengths), n))
    trans = rng.normal(0, scale, (n, n))
    return lattice, CrfBatch(emit, numpy.asarray(lengths, dtype="int64")), trans


def is_valid(tags) -> bool:
    try:
        tags_to_entities(tags)
    except BiluoError:
        return False
    return True


def paths(lattice: BiluoLattice, emit: numpy.ndarray, trans: numpy.ndarray):
    """(tag ids, score) of every valid BILUO sequence of len(emit) tokens."""
    out = []
    for ids in itertools.product(range(len(lattice)), repeat=len(emit)):
        if is_valid([lattice.tags[i] for i in ids]):
            score = sum(emit[t, i] for t, i in enumerate(ids)) + sum(trans[a, b] for a, b in zip(ids, ids[1:]))
            out.append((ids, score))
    return out


def log_sum(scores) -> float:
    scores = numpy.asarray(scores)
    return float(scores.max() + numpy.log(numpy.exp(scores - scores.max()).sum()))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), n_labels=st.integers(1, 4),
       lengths=st.lists(st.integers(0, 12), min_size=1, max_size=4))
def test_viterbi_path_is_valid_biluo_and_marginals_sum_to_one(seed, n_labels, lengths):
    lattice, batch, trans = random_case(seed, n_labels, lengths)
    decoded = crf_decode(batch, trans, lattice)
    free = numpy.ones(batch.emit.shape, dtype="uint8")
    _, marginals = _marginals(batch, trans, lattice)
    *_, ids = forward_backward(batch.emit, batch.lengths, trans, lattice.allowed, lattice.start_ok,
                               lattice.end_ok, free, paths=True)
    offset = 0
    for n, ents in zip(lengths, decoded):
        tags = [lattice.tags[i] for i in ids[offset : offset + n]]
        assert is_valid(tags), tags
        assert [(label, s, e) for s, e, label, _ in ents] == tags_to_entities(tags)
        assert all(0.0 <= p <= 1.0 for *_, p in ents)
        offset += n
    numpy.testing.assert_allclose(marginals.sum(axis=1), 1.0, rtol=1e-9)


def _marginals(batch, trans, lattice):
    free = numpy.ones(batch.emit.shape, dtype="uint8")
    log_z, marginals, _ = expected_counts(batch.emit, batch.lengths, trans, lattice.allowed,
                                          lattice.start_ok, lattice.end_ok, free)
    return log_z, marginals


@pytest.mark.parametrize("seed", range(4))
def test_decoding_scores_and_partition_match_brute_force(seed):
    lattice, batch, trans = random_case(seed, 1, [4], scale=1.5)
    every = paths(lattice, batch.emit, trans)
    best_ids, _ = max(every, key=lambda p: p[1])
    log_z = log_sum([s for _, s in every])
    got_z, marginals = _marginals(batch, trans, lattice)
    assert got_z[0] == pytest.approx(log_z, rel=1e-9)
    for t in range(4):
        for tag in range(len(lattice)):
            mass = sum(numpy.exp(s - log_z) for ids, s in every if ids[t] == tag)
            assert marginals[t, tag] == pytest.approx(mass, abs=1e-9)
    (ents,) = crf_decode(batch, trans, lattice)
    expected = tags_to_entities([lattice.tags[i] for i in best_ids])
    assert [(label, s, e) for s, e, label, _ in ents] == expected
    for s, e, label, prob in ents:  # the mass of the paths that make [s, e) exactly this entity
        exact = [i for i, tags in enumerate(every)
                 if (label, s, e) in tags_to_entities([lattice.tags[k] for k in tags[0]])]
        assert prob == pytest.approx(sum(numpy.exp(every[i][1] - log_z) for i in exact), abs=1e-9)


def test_partial_gold_sums_over_unknown_tokens():
    """A token whose gold is unknown (-1) may take any tag the others leave valid: the loss is
    log Z minus the log of the mass of the paths that fit the known tags."""
    lattice, batch, trans = random_case(7, 1, [4], scale=1.0)
    gold = [lattice.index["B-L0"], -1, -1, lattice.index["O"]]
    fits = [s for ids, s in paths(lattice, batch.emit, trans)
            if all(g < 0 or g == i for g, i in zip(gold, ids))]
    log_z = log_sum([s for _, s in paths(lattice, batch.emit, trans)])
    loss, _, _ = crf_loss(batch, trans, lattice, lattice.mask(gold))
    assert loss[0] == pytest.approx(log_z - log_sum(fits), rel=1e-9)


def test_gold_no_valid_path_fits_has_infinite_loss():
    lattice, batch, trans = random_case(3, 1, [3])
    loss, _, _ = crf_loss(batch, trans, lattice, lattice.mask([lattice.index["B-L0"], lattice.index["O"], -1]))
    assert loss[0] == numpy.inf


def test_loss_gradient_matches_numeric_gradient(numeric_gradient):
    lattice, batch, trans = random_case(11, 2, [3, 2], scale=1.0)
    index = lattice.index
    gold = lattice.mask([index["B-L1"], index["L-L1"], -1, index["U-L0"], -1])

    def loss() -> float:
        return float(crf_loss(batch, trans, lattice, gold)[0].sum())

    _, d_emit, d_trans = crf_loss(batch, trans, lattice, gold)
    numpy.testing.assert_allclose(d_emit, numeric_gradient(loss, batch.emit, eps=1e-4), atol=1e-6)
    numpy.testing.assert_allclose(d_trans, numeric_gradient(loss, trans, eps=1e-4), atol=1e-6)


def test_a_mask_fixes_the_decoded_tags():
    lattice, batch, trans = random_case(5, 2, [5])
    forced = [-1, lattice.index["B-L1"], lattice.index["L-L1"], -1, -1]
    (ents,) = crf_decode(batch, trans, lattice, lattice.mask(forced))
    assert (1, 3, "L1") in [(s, e, label) for s, e, label, _ in ents]
    assert [p for s, e, label, p in ents if (s, e) == (1, 3)] == [pytest.approx(1.0)]


def test_lattice_tags_and_transitions():
    lattice = BiluoLattice(["PER", "LOC"])
    assert lattice.tags == ("O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC")
    for a, b in itertools.product(lattice.tags, repeat=2):  # the allowed pairs are nlp_gold's valid ones
        assert bool(lattice.allowed[lattice.index[a], lattice.index[b]]) == is_valid_pair(a, b)
    assert lattice.span_tags(2, 5, "LOC") == [lattice.index[t] for t in ("B-LOC", "I-LOC", "L-LOC")]


def is_valid_pair(a: str, b: str) -> bool:
    """Whether some valid BILUO sequence has tag b right after tag a."""
    before = {"O": [], "B": [], "U": [], "I": ["B-"], "L": ["B-"]}[a[0]]
    after = {"O": [], "U": [], "L": [], "B": ["L-"], "I": ["L-"]}[b[0]]
    seq = [p + a[2:] for p in before] + [a, b] + [p + b[2:] for p in after]
    return is_valid(seq)


def test_temperature_keeps_the_viterbi_path_and_flattens_the_probabilities():
    lattice, batch, trans = random_case(3, 2, [6, 4, 9])
    plain = crf_decode(batch, trans, lattice)
    hot = crf_decode(batch, trans, lattice, temperature=3.0)
    cold = crf_decode(batch, trans, lattice, temperature=0.5)
    assert [[e[:3] for e in s] for s in hot] == [[e[:3] for e in s] for s in plain]
    assert [[e[:3] for e in s] for s in cold] == [[e[:3] for e in s] for s in plain]
    pairs = [(c[3], p[3], h[3]) for cs, ps, hs in zip(cold, plain, hot) for c, p, h in zip(cs, ps, hs)]
    assert pairs and all(0.0 <= h <= 1.0 for *_, h in pairs)
    # here every decoded span loses probability as T rises (the mass spreads to other paths)
    assert all(c >= p - 1e-9 and p >= h - 1e-9 for c, p, h in pairs)
    assert any(p - h > 0.01 for _, p, h in pairs)


def sampled_gold(lattice: BiluoLattice, emit: numpy.ndarray, trans: numpy.ndarray, rng) -> list[int]:
    """One tag sequence drawn from the CRF's distribution over valid paths (brute force)."""
    ids, scores = zip(*paths(lattice, emit, trans))
    probs = numpy.exp(numpy.asarray(scores) - log_sum(scores))
    return list(ids[rng.choice(len(ids), p=probs / probs.sum())])


def test_fitted_temperature_undoes_over_confidence():
    """Gold drawn from a CRF, scored by the same CRF with every score tripled (an over-confident
    model): the fitted T is about 3, and the NLL is lowest there."""
    rng = numpy.random.default_rng(0)
    lattice = BiluoLattice(["L0"])
    trans = rng.normal(0, 1.0, (len(lattice), len(lattice)))
    emits, gold = [], []
    for _ in range(300):
        emit = rng.normal(0, 1.0, (3, len(lattice)))
        emits.append(emit)
        gold += sampled_gold(lattice, emit, trans, rng)
    batch = CrfBatch(3.0 * numpy.concatenate(emits), numpy.full(len(emits), 3, dtype="int64"))
    mask = lattice.mask(gold)
    fitted = fit_temperature(batch, 3.0 * trans, lattice, mask)
    assert 2.2 < fitted < 4.0
    best = scaled_nll(batch, 3.0 * trans, lattice, mask, fitted)
    assert best < scaled_nll(batch, 3.0 * trans, lattice, mask, 1.0)
    assert best <= min(scaled_nll(batch, 3.0 * trans, lattice, mask, fitted * f) for f in (0.8, 1.25))


def test_no_gold_that_fits_a_valid_path_leaves_the_temperature_at_one():
    """Gold an I- tag alone (no valid BILUO path has it): nothing to fit, so T stays 1.0
    rather than whatever the search's first midpoint happens to be."""
    lattice, batch, trans = random_case(3, 1, [1, 1])
    mask = lattice.mask([lattice.index["I-L0"]] * 2)
    assert scaled_nll(batch, trans, lattice, mask, 2.0) == 0.0
    assert fit_temperature(batch, 3.0 * trans, lattice, mask) == 1.0
