"""The shared-memory slots of data-parallel training, two workers in one process: each sees
what the other wrote, the slot sets alternate per exchange, a new size maps a new segment,
and the segment's name is gone once both have attached; the barrier of the segment's own
counters passes each worker's message, in rank order, only once both have posted."""

from __future__ import annotations

import threading
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
    assert zero.slot is mine and one.slot is theirs
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


def attached_pair(size):
    """Workers 0 and 1 of one segment of `size` floats, played by one process."""
    prefix = f"nlp-train-test-{uuid.uuid4().hex[:8]}"
    zero, one = SharedSlots(prefix, 0, 2), SharedSlots(prefix, 1, 2)
    zero.buffer(size, same_size)
    one.buffer(size, same_size)
    resource_tracker.register(f"/{prefix}-0", "shared_memory")
    return zero, one


def test_a_post_waits_for_every_worker_and_returns_their_messages_in_rank_order():
    zero, one = attached_pair(4)
    got = {}

    def late_worker():
        got["one"] = [one.post("step", {"rank": 1, "round": n}) for n in range(3)]

    thread = threading.Thread(target=late_worker)
    thread.start()
    first = [zero.post("step", {"rank": 0, "round": n}) for n in range(3)]
    thread.join(timeout=30)
    assert not thread.is_alive()
    expected = [[{"rank": 0, "round": n}, {"rank": 1, "round": n}] for n in range(3)]
    assert first == expected and got["one"] == expected
    assert list(zero.counters) == [3, 3]
    zero.close()


def test_a_post_blocks_until_the_other_worker_posts():
    zero, one = attached_pair(4)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (zero.post("step", "zero"), done.set()))
    thread.start()
    assert not done.wait(0.3)  # worker 1 has not posted
    assert one.post("step", "one") == ["zero", "one"]
    assert done.wait(30)
    thread.join()
    zero.close()


def test_workers_out_of_step_are_told_so():
    zero, one = attached_pair(4)
    thread = threading.Thread(target=lambda: pytest.raises(RuntimeError, zero.post, "step", None))
    thread.start()
    with pytest.raises(RuntimeError, match="out of step"):
        one.post("weights")
    thread.join(timeout=30)
    zero.close()
