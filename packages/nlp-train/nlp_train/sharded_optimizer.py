"""The sharded optimizer step of data-parallel training (ZeRO stage 1).

Instead of every worker applying Adam to the whole summed gradient, worker ``r`` owns one block
of the pipeline's parameters (:class:`Shards`: whole parameters, contiguous in the
:class:`~nlp_train.gradients.ParamLayout`, about ``size / N`` floats each), sums only that block
of the workers' gradients, applies the optimizer to it alone, and sends its new weights to the
others (:func:`publish`, :func:`adopt`). So each worker holds the Adam moments, the step counts
and the parameter averages of its own block only: what needs the whole state (worker 0
evaluating with the averages, saving a model or the checkpoint) gathers it first
(:func:`held_state`, :class:`WholeOptimizer`). Blocks never cut a parameter: thinc clips each
parameter's gradient by its own norm, so the owner must see all of it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from thinc.api import Optimizer

from .checkpoint import Key
from .gradients import ParamLayout

STATE_TABLES = ("mom1", "mom2", "averages", "nr_update", "last_seen")  # thinc's per-parameter state
State = dict[str, dict[int, Any]]  # table name -> {slot index: value}, the same in every replica


@dataclass(frozen=True)
class Shards:
    """Worker ``r`` owns the layout's slots ``first[r]:first[r + 1]``, that is the flat
    floats ``bounds[r]:bounds[r + 1]``."""

    first: tuple[int, ...]
    bounds: tuple[int, ...]

    def slots(self, rank: int) -> range:
        return range(self.first[rank], self.first[rank + 1])

    def span(self, rank: int) -> tuple[int, int]:
        return self.bounds[rank], self.bounds[rank + 1]

    def owner(self, slot: int) -> int:
        return bisect.bisect_right(self.first, slot) - 1


def plan_shards(layout: ParamLayout, workers: int) -> Shards:
    """``workers`` contiguous blocks of whole parameters, each cut at the parameter boundary
    nearest to an equal share of the floats (a block may be empty when one parameter is
    larger than a share)."""
    starts = [slot.start for slot in layout.slots] + [layout.size]
    first = [0]
    for rank in range(1, workers):
        target = layout.size * rank / workers
        cut = bisect.bisect_left(starts, target)
        if cut > 0 and target - starts[cut - 1] <= starts[min(cut, len(starts) - 1)] - target:
            cut -= 1
        first.append(min(max(cut, first[-1]), len(layout.slots)))
    first.append(len(layout.slots))
    return Shards(tuple(first), tuple(starts[i] for i in first))


def publish(layout: ParamLayout, slots: Iterable[int], out: numpy.ndarray, offset: int) -> None:
    """Copy the weights of ``slots`` into ``out``, which holds the flat floats from ``offset``."""
    for i in slots:
        slot = layout.slots[i]
        out[slot.start - offset:slot.end - offset] = numpy.asarray(slot.node.get_param(slot.name)).ravel()


def adopt(layout: ParamLayout, slots: Iterable[int], shards: Shards,
          parts: Sequence[numpy.ndarray | None]) -> None:
    """Set the weights of ``slots`` from their owners' ``parts`` (each owner's block of floats)."""
    for i in slots:
        slot = layout.slots[i]
        owner = shards.owner(i)
        part = parts[owner]
        assert part is not None, "an owner sent no weights"
        offset = shards.bounds[owner]
        values = part[slot.start - offset:slot.end - offset].reshape(slot.shape)
        weights = slot.node.get_param(slot.name)
        if isinstance(weights, numpy.ndarray) and weights.flags.writeable:
            numpy.copyto(weights, values)
        else:
            slot.node.set_param(slot.name, numpy.array(values, dtype="float32"))


def held_state(optimizer: Optimizer, layout: ParamLayout) -> State:
    """The per-parameter state this worker's optimizer holds, keyed by slot index (process-local
    model ids mean nothing to another worker)."""
    state: State = {}
    for table_name in STATE_TABLES:
        table = getattr(optimizer, table_name, None)
        if table is None:
            continue
        state[table_name] = {i: table[slot.key] for i, slot in enumerate(layout.slots) if slot.key in table}
    return state


def merge_states(layout: ParamLayout, states: Sequence[State]) -> dict[str, dict[Key, Any]]:
    """The workers' states as the tables of one optimizer, keyed by this process's keys, in
    layout order when each worker holds a block (an array another worker sent, read-only
    from Ray's object store, is copied)."""
    tables: dict[str, dict[Key, Any]] = {}
    for state in states:
        for table_name, entries in state.items():
            table = tables.setdefault(table_name, {})
            for i, value in entries.items():
                if isinstance(value, numpy.ndarray) and not value.flags.writeable:
                    value = value.copy()
                table[layout.slots[int(i)].key] = value
    return tables


def keep_owned(optimizer: Optimizer, layout: ParamLayout, shards: Shards, rank: int,
               tables: Mapping[str, Mapping[Key, Any]] | None = None) -> None:
    """Leave in ``optimizer`` the state of worker ``rank``'s block only, taken from ``tables``
    (the whole state, :func:`merge_states`) when given."""
    owned = {layout.slots[i].key for i in shards.slots(rank)}
    others = {slot.key for slot in layout.slots} - owned
    for table_name in STATE_TABLES:
        table = getattr(optimizer, table_name, None)
        if table is None:
            continue
        for key in others & set(table):
            del table[key]
        for key, value in (tables or {}).get(table_name, {}).items():
            if key in owned:
                table[key] = value


class WholeOptimizer:
    """Stands in for the optimizer where one process's whole state is needed (evaluating with
    the averages, saving the checkpoint): the gathered tables, and the optimizer's own
    hyper-parameters and schedules for anything else."""

    def __init__(self, optimizer: Optimizer, tables: Mapping[str, dict[Key, Any]]) -> None:
        self._optimizer = optimizer
        for table_name in STATE_TABLES:
            if getattr(optimizer, table_name, None) is not None:
                setattr(self, table_name, dict(tables.get(table_name, {})))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._optimizer, name)
