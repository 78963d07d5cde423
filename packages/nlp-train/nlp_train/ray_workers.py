"""Data-parallel training on Ray: ``train(..., workers=N)``, ``nlp train --workers N``.

Ray is an optional extra (``pip install 'nlp-train[ray]'``); this is the one module that imports
it, and only when called. The driver (the process calling :func:`train_on_ray`) starts a local
Ray instance of N CPUs, or joins the cluster at ``ray_address``, then a board actor and N worker
actors: worker 0 on the driver's machine (it writes ``output_dir``), each with one BLAS/OpenMP
thread unless the driver's environment sets a thread count (then that one). Each worker builds
its replica with the caller's factory and runs a :class:`~nlp_train.data_parallel.ShardedRun`:
at each step it writes its flat gradient, then its new block of weights, into shared memory
when every worker runs on one machine (:mod:`nlp_train.shared_gradients`: the step then waits
on no Ray call), else puts them into Ray's object store and gathers the others' through the
board. The driver waits, printing what worker 0 writes to its
console; when a worker dies (killed, out of memory) it stops the others and raises
:class:`WorkerLost` naming it, and Ctrl-C stops them too. A Ray instance it started is shut
down at the end; a cluster it joined keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import numpy
from thinc.api import Optimizer

from .blas_threads import THREAD_VARIABLES
from .checkpoint import CHECKPOINT, has_checkpoint
from .config import TrainConfig, TrainResult
from .console import Console
from .data_parallel import ShardedRun
from .gradients import ParamLayout
from .protocol import Corpus
from .settings import SETTINGS
from .shared_gradients import SharedSlots
from .step_exchange import SharedExchange
from .storage import recover
from .table import is_terminal

INSTALL_HINT = "pip install 'nlp-train[ray]' (Ray 2.60 or later)"
START_SECONDS = 180.0  # for the workers' processes to start (a cluster may lack free CPUs)
POLL_SECONDS = 0.2
DEATH_NOTICE = "A worker died or was killed"


class WorkerLost(RuntimeError):
    """A worker process died during data-parallel training (the message is one line)."""


def require_ray() -> ModuleType:
    """The ``ray`` module; an ImportError saying what to install when it is missing."""
    try:
        import ray
    except ImportError:
        raise ImportError(f"training with several workers needs Ray: {INSTALL_HINT}") from None
    return ray


def check_workers(workers: int, ray_address: str | None, replica: Any, raw_texts: Any) -> None:
    """A ValueError (TypeError for a bad type) for options data-parallel training refuses."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    if workers < 2:
        raise ValueError("ray_address joins a Ray cluster for data-parallel training: give workers >= 2")
    if replica is None or not callable(replica):
        raise TypeError(f"workers={workers} needs replica=, a picklable function that builds the pipeline "
                        "each worker trains (with the same weights as the one given)")
    if raw_texts is not None:
        raise ValueError("rehearsal (raw_texts) does not run with several workers")


@dataclass
class Job:
    """What every worker gets: how to build its replica, the data and the options."""

    replica: Callable[[], Any]
    train_corpus: Corpus
    dev_corpus: Corpus
    output_dir: str
    cfg: TrainConfig
    optimizer: Optimizer | None
    count_words: Callable[[Any], int] | None
    resume: bool
    digest: str
    terminal: bool = False  # the driver prints to a terminal (colours, progress bar)
    quiet: bool = False
    shared: str | None = None  # the shared-memory segments' name prefix (None: the object store)
    pin_cpus: bool = False  # each worker's loop stays on one CPU (a local instance of our own)


def train_on_ray(nlp: Any, train_corpus: Corpus, dev_corpus: Corpus, output_dir: str | Path,
                 cfg: TrainConfig, *, workers: int, ray_address: str | None,
                 replica: Callable[[], Any] | None, optimizer: Optimizer | None = None,
                 raw_texts: Any = None, resume: bool = False,
                 count_words: Callable[[Any], int] | None = None,
                 console: Console | None = None, shared_memory: bool = True) -> TrainResult:
    """Train on ``workers`` Ray workers (see the module docstring and :func:`nlp_train.train`);
    ``nlp`` then holds the trained weights, as after training in one process. The gradients go
    through shared memory when every worker runs on one machine, unless ``shared_memory`` is
    False (then, as between machines, through Ray's object store: the same bits, slower)."""
    check_workers(workers, ray_address, replica, raw_texts)
    ray = require_ray()
    cfg.validate()
    console = Console(None) if console is None else console
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for action in recover(out):
        console.info(f"Recovered {out}: {action}")
    job = Job(replica, train_corpus, dev_corpus, str(out), cfg, optimizer, count_words, resume,
              ParamLayout(nlp).digest(), is_terminal(console.stream), console.stream is None)
    connected = connect(ray, workers, ray_address)
    shown = hide_death_notices(ray)
    team = None
    try:
        team = Team.start(ray, workers)
        one_node = len(set(team.nodes)) == 1
        x86 = platform.machine().lower() in ("x86_64", "amd64")  # the barrier relies on its store order
        job.shared = (f"nlp-train-{os.getpid()}-{uuid.uuid4().hex[:10]}"
                      if shared_memory and one_node and x86 else None)
        console.info(f"Training on {workers} Ray workers: " + ", ".join(
            f"{rank} (pid {pid} on {host})" for rank, (pid, host) in enumerate(team.places))
            + ("; gradients through shared memory" if job.shared else "; gradients through Ray's object store"))
        # On a local instance of our own, one worker per CPU: keep each on its CPU.
        job.pin_cpus = connected and not ray_address and workers <= len(usable_cpus())
        result = team.run(job, console.stream)
    finally:
        if team is not None:
            team.stop()
        if connected:
            ray.shutdown()  # stops the instance it started; leaves a cluster it joined running
        shown()
    if has_checkpoint(out):
        nlp.from_disk(out / CHECKPOINT / "model")  # the current weights at the end, as in one process
    return result


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (all of them where the OS does not say)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def pin_to_cpu(rank: int) -> int | None:
    """Keep the calling thread (a worker's training loop) on the ``rank``-th usable CPU; None
    where the OS cannot pin. When every core trains, a loop the scheduler moves between cores
    finds its caches cold: pinned, 2 workers on 2 cores trained about 6% faster (BENCHMARKS,
    "scale")."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = usable_cpus()
    cpu = cpus[rank % len(cpus)]
    os.sched_setaffinity(0, {cpu})
    return cpu


def connect(ray: ModuleType, workers: int, address: str | None) -> bool:
    """Start a local Ray instance of ``workers`` CPUs, or join the cluster at ``address``; False
    when this process is connected to Ray already (then that instance is used)."""
    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    if address:
        ray.init(address=address, **quiet)
        return True
    ray.init(num_cpus=workers, include_dashboard=False, **quiet)
    return True


def hide_death_notices(ray: ModuleType) -> Callable[[], None]:
    """Keep Ray's driver from printing the raylet's notice of a dead worker ("(raylet) A worker
    died or was killed ...", many lines on stdout): the run reports a lost worker in one line
    of its own. Returns the function that shows them again. (Ray offers no option for this;
    a Ray without the hook prints the notice.)"""
    module = getattr(getattr(ray, "_private", None), "worker", None)
    original = getattr(module, "print_to_stdstream", None)
    if original is None:
        return lambda: None

    def without_death_notices(data: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        lines = data.get("lines") or ()
        if data.get("pid") == "raylet" and any(DEATH_NOTICE in str(line) for line in lines):
            return
        original(data, *args, **kwargs)

    module.print_to_stdstream = without_death_notices

    def show() -> None:
        module.print_to_stdstream = original

    return show


def worker_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The variables each worker starts with: one BLAS/OpenMP thread, unless the driver's
    environment sets thread counts (then those, and no others); and the recipe's settings
    (``NLP_*`` and spaCy v2's), so a worker on another machine reads the same recipe."""
    environ = dict(os.environ) if environ is None else environ
    threads = {v: environ[v] for v in THREAD_VARIABLES if environ.get(v, "").strip()}
    env = threads or dict.fromkeys(THREAD_VARIABLES, "1")
    names = {name for s in SETTINGS.values() for name in (s.env, *s.aliases)}
    env.update({name: environ[name] for name in sorted(names) if name in environ})
    return env


@dataclass
class Team:
    """The board and the workers of one run, and where each worker runs."""

    ray: ModuleType
    board: Any
    workers: list[Any]
    places: list[tuple[int, str]] = field(default_factory=list)  # (pid, host) per worker
    nodes: list[str] = field(default_factory=list)  # the Ray node of each worker

    @classmethod
    def start(cls, ray: ModuleType, n: int) -> Team:
        """The board and ``n`` workers, worker 0 on this machine; a WorkerLost when they do
        not all start within START_SECONDS."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        board = ray.remote(Board).options(num_cpus=0).remote(n)
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        env = {"env_vars": worker_environment()}
        remote = ray.remote(Worker)
        team = cls(ray, board, [
            remote.options(num_cpus=1, runtime_env=env, max_restarts=0,
                           **({"scheduling_strategy": here} if rank == 0 else {})).remote(rank, n, board)
            for rank in range(n)])
        try:
            found = ray.get([w.where.remote() for w in team.workers], timeout=START_SECONDS)
        except ray.exceptions.GetTimeoutError:
            team.stop()
            raise WorkerLost(f"{n} workers did not start within {START_SECONDS:.0f} s: the Ray cluster "
                             f"needs {n} free CPUs, one per worker") from None
        team.places = [(pid, host) for pid, host, _ in found]
        team.nodes = [node for _, _, node in found]
        return team

    def run(self, job: Job, stream: IO[str] | None) -> TrainResult:
        """Run ``job`` on every worker; worker 0's result. Prints worker 0's console output on
        ``stream``; raises a worker's error, or WorkerLost when one died."""
        ray = self.ray
        job_ref = ray.put(job)
        ranks = {w.run.remote(job_ref): rank for rank, w in enumerate(self.workers)}
        pending, results = list(ranks), {}
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=POLL_SECONDS)
            self.forward(stream)
            for ref in done:
                results[ranks[ref]] = self.outcome(ref, ranks[ref], pending, ranks, job)
        self.forward(stream)
        return results[0]

    def outcome(self, ref: Any, rank: int, pending: list[Any], ranks: dict[Any, int], job: Job) -> Any:
        """Worker ``rank``'s result; its error, or WorkerLost naming the worker that died (one
        that failed because a peer died points at the peer)."""
        exceptions = self.ray.exceptions
        try:
            return self.ray.get(ref)
        except exceptions.RayActorError:
            raise self.lost(rank, job) from None
        except exceptions.RayTaskError as err:
            if isinstance(err.cause, (exceptions.RayActorError, exceptions.ObjectLostError)):
                dead = self.dead_peer(pending, ranks)
                raise self.lost(rank if dead is None else dead, job) from None
            raise err.cause if isinstance(err.cause, Exception) else err from None

    def dead_peer(self, pending: list[Any], ranks: dict[Any, int]) -> int | None:
        """The rank of a pending worker that has died, waiting a few seconds to find out."""
        done, _ = self.ray.wait(pending, num_returns=len(pending), timeout=5.0)
        for ref in done:
            try:
                self.ray.get(ref)
            except self.ray.exceptions.RayActorError:
                return ranks[ref]
            except Exception:  # noqa: BLE001 - another worker's own failure: not the dead one
                continue
        return None

    def lost(self, rank: int, job: Job) -> WorkerLost:
        pid, host = self.places[rank] if rank < len(self.places) else ("?", "?")
        return WorkerLost(f"worker {rank} (pid {pid} on {host}) died during training (killed, or out of "
                          f"memory); every worker was stopped. The models saved in {job.output_dir} are "
                          "whole: resume the run to finish it (nlp train --resume, or train(resume=True))")

    def forward(self, stream: IO[str] | None) -> None:
        """Print what worker 0 wrote to its console since the last call."""
        text = self.ray.get(self.board.drain.remote())
        if text and stream is not None:
            stream.write(text)
            stream.flush()

    def stop(self) -> None:
        """End every worker and the board (no process of theirs is left)."""
        for actor in [*self.workers, self.board]:
            try:
                self.ray.kill(actor, no_restart=True)
            except Exception:  # noqa: BLE001 - dead already, or Ray shutting down
                continue


class Outbox:
    """Worker 0's console stream: each write goes to the board, for the driver to print."""

    def __init__(self, board: Any, terminal: bool) -> None:
        self.board = board
        self.terminal = terminal

    def write(self, text: str) -> int:
        self.board.say.remote(text)
        return len(text)

    def flush(self) -> None:
        """Nothing: each write is sent at once."""

    def isatty(self) -> bool:
        return self.terminal


class RayGroup:
    """The workers as a :class:`~nlp_train.data_parallel.Group`: everything through the board,
    arrays through Ray's object store (one put per worker per exchange); with ``shared`` (a
    segment name prefix: every worker on one machine) the step's exchanges go through shared
    memory instead (:meth:`step_exchange`)."""

    def __init__(self, rank: int, size: int, board: Any, shared: str | None = None) -> None:
        self.rank, self.size, self.board = rank, size, board
        self.exchanges = 0
        self.slots = SharedSlots(shared, rank, size) if shared else None

    def step_exchange(self) -> SharedExchange | None:
        """The step's exchanges through shared memory (None: through :meth:`allgather`)."""
        if self.slots is None:
            return None
        return SharedExchange(self.slots, lambda kind, info: self.allgather(kind, info)[0])

    def allgather(self, kind: str, info: Any, array: numpy.ndarray | None = None
                  ) -> tuple[list[Any], list[numpy.ndarray | None]]:
        import ray

        box = ray.put(array) if array is not None else None
        posts = ray.get(self.board.allgather.remote(self.exchanges, kind, self.rank, info, [box]))
        self.exchanges += 1
        boxes = [post_box[0] for _, post_box in posts]
        infos = [post_info for post_info, _ in posts]
        others = {r: box for r, box in enumerate(boxes) if r != self.rank and box is not None}
        fetched = dict(zip(others, ray.get(list(others.values())))) if others else {}
        return infos, [array if r == self.rank else fetched.get(r) for r in range(self.size)]

    def close(self) -> None:
        if self.slots is not None:
            self.slots.close()


class Worker:
    """A Ray actor: one worker of the run (see :class:`~nlp_train.data_parallel.ShardedRun`)."""

    def __init__(self, rank: int, size: int, board: Any) -> None:
        self.rank, self.size, self.board = rank, size, board

    def where(self) -> tuple[int, str, str]:
        """This worker's process id, machine and Ray node."""
        import ray

        return os.getpid(), socket.gethostname(), ray.get_runtime_context().get_node_id()

    def run(self, job: Job) -> TrainResult:
        """Build the replica and train it as worker ``rank``."""
        if job.pin_cpus:
            pin_to_cpu(self.rank)
        loud = self.rank == 0 and not job.quiet
        console = Console(Outbox(self.board, job.terminal) if loud else None)
        group = RayGroup(self.rank, self.size, self.board, job.shared)
        try:
            run = ShardedRun.start(group, job.replica(), job.train_corpus, job.dev_corpus,
                                   job.output_dir, job.cfg, optimizer=job.optimizer,
                                   count_words=job.count_words, console=console,
                                   resume=job.resume, digest=job.digest)
            return run.run()
        finally:
            group.close()


@dataclass
class Round:
    """One exchange on the board: what each worker posted, and how many have collected it."""

    done: asyncio.Event
    posts: dict[int, tuple[str, Any, list[Any]]] = field(default_factory=dict)
    collected: int = 0


class Board:
    """A Ray actor (async) where the workers meet: ``allgather`` returns to each worker what
    all posted for one exchange once the last has posted; ``say``/``drain`` carry worker 0's
    console output to the driver."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rounds: dict[int, Round] = {}
        self.text: list[str] = []

    async def allgather(self, exchange: int, kind: str, rank: int, info: Any,
                        box: list[Any]) -> list[tuple[Any, list[Any]]]:
        this = self.rounds.get(exchange)
        if this is None:
            this = self.rounds[exchange] = Round(asyncio.Event())
        this.posts[rank] = (kind, info, box)
        if len(this.posts) == self.size:
            this.done.set()
        await this.done.wait()
        this.collected += 1
        if this.collected == self.size:
            del self.rounds[exchange]
        kinds = sorted({kind for kind, _, _ in this.posts.values()})
        if len(kinds) > 1:
            raise RuntimeError(f"the workers are out of step at exchange {exchange}: {kinds}")
        return [this.posts[r][1:] for r in range(self.size)]

    async def say(self, text: str) -> None:
        self.text.append(text)

    async def drain(self) -> str:
        text, self.text = "".join(self.text), []
        return text
