import itertools

import pytest

from nlp_train import compounding, constant, decaying


def first(gen, n=10):
    return list(itertools.islice(gen, n))


def test_compounding_first_ten_values_of_the_seed():
    expected = [1.0, 1.001, 1.002001, 1.003003001, 1.004006004001, 1.005010010005001,
                1.006015020015006, 1.007021035035021, 1.008028056070056, 1.009036084126126]
    assert first(compounding(1, 32, 1.001)) == pytest.approx(expected, rel=1e-13, abs=0)


def test_compounding_clips_at_stop_and_can_shrink():
    assert first(compounding(1, 8, 2), 6) == [1, 2, 4, 8, 8, 8]
    assert first(compounding(16, 2, 0.5), 6) == [16, 8, 4, 2, 2, 2]


def test_decaying_first_ten_values_of_the_seed():
    expected = [0.6, 0.5999, 0.5998, 0.5997, 0.5996, 0.5995, 0.5994, 0.5993, 0.5992, 0.5991]
    assert first(decaying(0.6, 0.2, 1e-4)) == pytest.approx(expected, rel=1e-13, abs=0)


def test_decaying_is_linear_and_clipped_at_stop():
    values = list(itertools.islice(decaying(0.6, 0.2, 1e-4), 5000))
    assert values[2000] == pytest.approx(0.4)
    assert values[4000] == pytest.approx(0.2)
    assert min(values) == 0.2 and values[-1] == 0.2
    assert first(decaying(0.1, 0.3, 0.1), 5) == pytest.approx([0.1, 0.2, 0.3, 0.3, 0.3])


def test_compounding_runs_for_millions_of_steps():
    values = compounding(1, 32, 1.001)
    assert list(itertools.islice(values, 1_000_000, 1_000_002)) == [32, 32]
    assert next(compounding(0.5, 2, 1.0)) == 0.5  # compound 1: constant below stop


def test_constant_and_bad_arguments():
    assert first(constant(0.25), 3) == [0.25, 0.25, 0.25]
    with pytest.raises(TypeError, match="start must be a number"):
        next(compounding("1", 2, 1.1))
    with pytest.raises(ValueError, match="compound must be > 0"):
        next(compounding(1, 2, 0))
    with pytest.raises(ValueError, match="decay must be >= 0"):
        next(decaying(0.5, 0.1, -1))
