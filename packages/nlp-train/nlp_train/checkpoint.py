"""The resume checkpoint: current weights, optimizer state, loop state, RNGs.

Layout of ``output_dir/checkpoint/`` (written atomically as one folder):

- ``model/``: ``nlp.to_disk`` with the current (not averaged) weights;
- ``optimizer.msgpack``: thinc's Optimizer internals: Adam moments
  (``mom1``, ``mom2``), ``averages``, per-parameter step counters
  (``nr_update``, ``last_seen``), the scalar hyper-parameters and how many
  times its schedules were stepped;
- ``state.msgpack``: the epoch, the examples done of the next one (a checkpoint in the middle
  of an epoch), schedule positions, best score, history and every random state training reads
  (see :mod:`nlp_train.randomness`);
- ``state.json``: a human-readable summary (epoch, position, best epoch and score).

Optimizer keys are ``(model_id, param_name)``, and model ids are handed out
per process, so a key is saved as its index in the pipeline's parameter
order (see :func:`param_order`) and mapped back on loading; only a key
outside that order keeps its model id.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import srsly
from thinc.api import Model, Optimizer, get_current_ops
from thinc.backends import get_array_ops

from .randomness import capture_random, restore_random
from .storage import atomic_write_dir

Key = tuple[int, str]
CHECKPOINT = "checkpoint"
FORMAT_VERSION = 1
_SCALARS = ("learn_rate", "b1", "b2", "eps", "L2", "grad_clip", "use_radam", "L2_is_weight_decay")
_ARRAYS = ("mom1", "mom2", "averages")
_COUNTS = ("nr_update", "last_seen")


def param_order(nlp: Any) -> list[Key] | None:
    """The optimizer keys of ``nlp``'s parameters in a stable order, or None.

    Uses ``nlp.param_keys()`` if defined, else walks the thinc models of
    ``nlp.pipeline`` (``[(name, component)]`` with ``component.model``).
    """
    getter = getattr(nlp, "param_keys", None)
    if callable(getter):
        return [(int(i), str(n)) for i, n in getter()]
    keys: list[Key] = []
    seen = set()
    for node in pipeline_nodes(nlp):
        for name in node.param_names:
            key = (node.id, name)
            if key not in seen:
                seen.add(key)
                keys.append(key)
    return keys or None


def pipeline_nodes(nlp: Any) -> Iterator[Model]:
    """Every node of the thinc models of ``nlp.pipeline`` (``[(name, component)]`` with
    ``component.model``), in pipeline order."""
    for entry in getattr(nlp, "pipeline", None) or []:
        component = entry[1] if isinstance(entry, tuple) else entry
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            yield from model.walk()


def _to_numpy(array: Any) -> numpy.ndarray:
    return numpy.ascontiguousarray(get_array_ops(array).to_numpy(array))


def optimizer_to_bytes(optimizer: Optimizer, order: list[Key] | None, n_steps: int) -> bytes:
    """Serialize the optimizer's state (see the module docstring)."""
    index = {key: i for i, key in enumerate(order or [])}
    all_keys: list[Key] = []
    position: dict[Key, int] = {}
    for attr in _ARRAYS + _COUNTS:
        table = getattr(optimizer, attr) or {}
        for key in table:
            if key not in position:
                position[key] = len(all_keys)
                all_keys.append(key)
    msg: dict[str, Any] = {
        "version": FORMAT_VERSION,
        # a key in the pipeline's order is saved by position only: the same training writes
        # the same bytes, whatever ids the process gave its models
        "keys": [[-1 if k in index else int(k[0]), str(k[1]), index.get(k, -1)] for k in all_keys],
        "scalars": {name: getattr(optimizer, name) for name in _SCALARS},
        "schedules": sorted(optimizer.schedules),
        "schedule_steps": n_steps,
        "has_averages": optimizer.averages is not None,
    }
    for attr in _ARRAYS:
        table = getattr(optimizer, attr) or {}
        msg[attr] = [[position[k], _to_numpy(v)] for k, v in table.items()]
    for attr in _COUNTS:
        msg[attr] = [[position[k], int(v)] for k, v in getattr(optimizer, attr).items()]
    return srsly.msgpack_dumps(msg)


def optimizer_from_bytes(
    optimizer: Optimizer, data: bytes, order: list[Key] | None, where: str
) -> Optimizer:
    """Load state saved by :func:`optimizer_to_bytes` into a fresh ``optimizer``.

    Its schedules are stepped as many times as the saved one's were, so it
    must not have been stepped yet.
    """
    msg = srsly.msgpack_loads(data)
    if msg.get("version") != FORMAT_VERSION:
        raise ValueError(f"{where}: unsupported optimizer state version {msg.get('version')!r}")
    if sorted(optimizer.schedules) != list(msg["schedules"]):
        raise ValueError(
            f"{where}: the optimizer was saved with schedules {msg['schedules']!r} but the one "
            f"given has {sorted(optimizer.schedules)!r}"
        )
    if bool(msg["has_averages"]) != (optimizer.averages is not None):
        raise ValueError(f"{where}: use_averages differs from the saved optimizer's")
    keys: list[Key] = []
    for i, (model_id, name, idx) in enumerate(msg["keys"]):
        if idx >= 0:
            if order is None or idx >= len(order) or order[idx][1] != name:
                raise ValueError(
                    f"{where}: optimizer key {i} ({name!r}, parameter #{idx}) does not match the "
                    "pipeline's parameters: was the checkpoint written by another pipeline?"
                )
            keys.append(order[idx])
        else:
            keys.append((int(model_id), str(name)))
    ops = get_current_ops()
    for name, value in msg["scalars"].items():
        setattr(optimizer, name, value)
    for _ in range(int(msg["schedule_steps"])):
        optimizer.step_schedules()
    for name, value in msg["scalars"].items():  # schedules overwrite their own values
        if name not in optimizer.schedules:
            setattr(optimizer, name, value)
    for attr in _ARRAYS:
        if attr == "averages" and optimizer.averages is None:
            continue
        setattr(optimizer, attr, {keys[p]: ops.asarray(numpy.array(a, copy=True)) for p, a in msg[attr]})
    for attr in _COUNTS:
        table: dict[Key, int] = defaultdict(int)
        table.update({keys[p]: int(n) for p, n in msg[attr]})
        setattr(optimizer, attr, table)
    return optimizer


@dataclass
class LoopState:
    """Where the loop stands after an epoch, or in the middle of one: everything resume needs.

    ``position`` counts the examples the unfinished epoch ``epoch + 1`` has consumed (0 at an
    epoch's end); ``pass_random`` is the shuffle generator's state when that epoch's pass began
    (its order is drawn from it), ``partial`` that epoch's statistics so far.
    """

    epoch: int = 0
    batch_draws: int = 0
    dropout_draws: int = 0
    schedule_steps: int = 0
    best_score: float | None = None
    best_epoch: int | None = None
    bad_epochs: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    score_weights: dict[str, float] | None = None
    data: dict[str, Any] = field(default_factory=dict)  # what the run trained on, checked on resume
    position: int = 0
    pass_random: list[Any] | None = None
    partial: dict[str, Any] | None = None


def save_checkpoint(
    output_dir: Path, nlp: Any, optimizer: Optimizer, state: LoopState,
    shuffle_rng: random.Random, worker_random: list[dict[str, Any]] | None = None,
) -> Path:
    """Write ``output_dir/checkpoint`` atomically (current weights, not averages).
    ``worker_random``: the random states of data-parallel workers 1, 2, ... (this process is
    worker 0), each restored by its worker on resume (see :func:`worker_random_states`)."""
    order = param_order(nlp)
    opt_bytes = optimizer_to_bytes(optimizer, order, state.schedule_steps)
    msg = {
        "version": FORMAT_VERSION,
        "loop": state.__dict__,
        "random": capture_random(shuffle_rng, nlp),
    }
    if worker_random:
        msg["workers"] = list(worker_random)

    def write(tmp: Path) -> None:
        nlp.to_disk(tmp / "model")
        (tmp / "optimizer.msgpack").write_bytes(opt_bytes)
        (tmp / "state.msgpack").write_bytes(srsly.msgpack_dumps(msg))
        srsly.write_json(tmp / "state.json", {"epoch": state.epoch, "position": state.position,
                                              "best_epoch": state.best_epoch,
                                              "best_score": state.best_score})

    return atomic_write_dir(output_dir / CHECKPOINT, write)


def has_checkpoint(output_dir: Path) -> bool:
    """Whether ``output_dir`` holds a complete checkpoint to resume from."""
    folder = Path(output_dir) / CHECKPOINT
    return all((folder / name).exists() for name in ("model", "optimizer.msgpack", "state.msgpack"))


def worker_random_states(output_dir: Path) -> list[dict[str, Any]]:
    """The random states of workers 1, 2, ... saved in ``output_dir/checkpoint`` (none when
    one process wrote it)."""
    msg = srsly.msgpack_loads((Path(output_dir) / CHECKPOINT / "state.msgpack").read_bytes())
    return list(msg.get("workers") or [])


def checkpoint_epoch(output_dir: Path) -> int:
    """The epochs the loop had finished when it wrote ``output_dir/checkpoint`` (read from
    state.msgpack, the file resume reads; state.json is only a summary for people)."""
    msg = srsly.msgpack_loads((Path(output_dir) / CHECKPOINT / "state.msgpack").read_bytes())
    return int(msg["loop"]["epoch"])


def load_checkpoint(
    output_dir: Path, nlp: Any, optimizer: Optimizer, shuffle_rng: random.Random
) -> LoopState:
    """Restore weights, optimizer, RNGs from ``output_dir/checkpoint``; return the loop state."""
    folder = Path(output_dir) / CHECKPOINT
    where = str(folder)
    msg = srsly.msgpack_loads((folder / "state.msgpack").read_bytes())
    if msg.get("version") != FORMAT_VERSION:
        raise ValueError(f"{where}/state.msgpack: unsupported version {msg.get('version')!r}")
    nlp.from_disk(folder / "model")
    order = param_order(nlp)
    optimizer_from_bytes(optimizer, (folder / "optimizer.msgpack").read_bytes(), order,
                         f"{where}/optimizer.msgpack")
    restore_random(msg["random"], shuffle_rng, nlp, f"{where}/state.msgpack")
    return LoopState(**msg["loop"])
