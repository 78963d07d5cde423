"""The shared-memory slots of data-parallel training, two workers in one process: each sees
what the other wrote, the slot sets alternate per exchange, a new size maps a new segment,
and the segment's name is gone once both have attached."""

from __future__ import annotations

import uuid
from multiprocessing import resource_tracker
from pathlib import Path

import numpy
import pytest

from nlp_train.gradients import sum_gradients
from nlp_train.shared_gradients import SharedSlots


def same_size(kind, info):
    return [info, info]


def test_two_workers_read_each_others_slots_in_alternating_sets():
    prefix = f"nlp-train-test-{uuid.uuid4().hex[:8]}"
    zero, one = SharedSlots(prefix, 0, 2), SharedSlots(prefix, 1, 2)
    mine = zero.buffer(5, same_size)  # rank 0 creates the segment, rank 1 attaches after the barrier
    theirs = one.buffer(5, same_size)
    # one process plays both workers: give back the tracker entry rank 1's attach took from rank 0
    resource_tracker.register(f"/{prefix}-0", "shared_memory")
    assert Path(f"/dev/shm/{prefix}-0").exists()
    mine[:] = numpy.arange(5, dtype="f")
    theirs[:] = 10.0
    assert zero.owns(mine) and not zero.owns(mine.copy())
    seen_by_zero, seen_by_one = zero.gathered([True, True]), one.gathered([True, False])
    assert not Path(f"/dev/shm/{prefix}-0").exists()  # unlinked once all have attached
    numpy.testing.assert_array_equal(seen_by_zero[1], numpy.full(5, 10.0, dtype="f"))
    numpy.testing.assert_array_equal(seen_by_one[0], numpy.arange(5, dtype="f"))
    assert seen_by_one[1] is None  # rank 1 posted none
    total = sum_gradients(5, seen_by_zero, numpy.zeros(5, dtype="f"))
    numpy.testing.assert_array_equal(total, numpy.arange(5, dtype="f") + 10.0)
    after = zero.buffer(5, same_size)  # the next exchange writes the other set
    after[:] = -1.0
    numpy.testing.assert_array_equal(seen_by_one[0], numpy.arange(5, dtype="f"))
    bigger = zero.buffer(7, same_size)  # a new size: a new segment
    assert bigger.shape == (7,) and Path(f"/dev/shm/{prefix}-1").exists()
    zero.close()
    assert not Path(f"/dev/shm/{prefix}-1").exists()


def test_workers_with_different_sizes_are_refused():
    slots = SharedSlots(f"nlp-train-test-{uuid.uuid4().hex[:8]}", 0, 2)
    with pytest.raises(ValueError, match="parameters of different shapes"):
        slots.buffer(5, lambda kind, info: [5, 6])
    assert not list(Path("/dev/shm").glob(f"{slots.prefix}-*"))
