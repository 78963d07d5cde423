"""Processes that annotate together: `Language.pipe(n_process=N)` and `Language.pipe_map`.

`map_batches(work, batches, n)` computes `work(batch)` for each batch in this process and n - 1
worker processes forked from it, and yields the results in input order. Batches go to the
workers while they have fewer than two each unfinished; otherwise this process takes the batch
itself (on a 2-core machine, a parent that only hands out and collects leaves a core half idle
and pays a second worker's start-up and transport). At most twice that many batches are out
ahead of the results given back, so a stream is read as it goes.

The work is a closure over the pipeline, stored before the fork, so the workers have it without
pickling: only the batches and the results travel. Each worker runs BLAS on one thread
(`nlp_train.blas_threads`) and ignores Ctrl-C, which the parent handles by cancelling what has
not started; the parent's own BLAS is held to one thread during the run and given back after.

An exception comes back as the same type (a ValueError or RuntimeError when that type cannot be
rebuilt from a message) with a message naming the item, counted from 0 over the whole input
("pipe() item 517: ..."): a failing batch is rerun one item at a time to find it. A worker that
dies (killed, out of memory) ends the run with a ChildProcessError.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from nlp_train.blas_threads import limited_blas_threads, set_blas_threads

Work = Callable[[list], Any]

#: Bytes the pipe that brings results back may hold (Linux lets any process ask for up to 1 MB).
RESULT_PIPE_BYTES = 1 << 20

_JOBS: dict[int, tuple[Work, Work]] = {}  # (work, here) of each running map_batches, inherited by forks
_JOB_IDS = itertools.count()


def map_batches(work: Work, batches: Iterable[list], n_process: int, here: Work | None = None) -> Iterator[Any]:
    """`work(batch)` of each batch, in order, computed by `n_process - 1` forked workers and this
    process (`n_process` >= 2), which computes `here(batch)` instead when given (the same result
    without the packing for the trip)."""
    job = next(_JOB_IDS)
    _JOBS[job] = (work, here or work)
    executor = ProcessPoolExecutor(n_process - 1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_worker)
    _widen_result_pipe(executor)
    try:
        with limited_blas_threads(1):
            yield from _in_order(executor, job, batches, ahead=2 * (n_process - 1))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        del _JOBS[job]


def _widen_result_pipe(executor: ProcessPoolExecutor) -> None:
    """Let the workers' results wait in a pipe of 1 MB rather than Linux's 64 KB (where the
    kernel allows it). A worker writes its batch's result into the pipe whole before it takes
    the next batch, and this process's reader thread drains it only when it gets the GIL from
    the thread annotating here: a result larger than the pipe (a batch of long texts; 64 EWT
    sentences make about 60 KB) would hold the worker until then. Elsewhere, or if the
    executor's pipe is not where CPython keeps it, nothing changes but that wait."""
    try:
        import fcntl

        writer = executor._result_queue._writer  # CPython's ProcessPoolExecutor: a SimpleQueue's pipe
        fcntl.fcntl(writer.fileno(), fcntl.F_SETPIPE_SZ, RESULT_PIPE_BYTES)
    except (ImportError, AttributeError, OSError, ValueError):
        pass


def _in_order(executor: ProcessPoolExecutor, job: int, batches: Iterable[list], ahead: int) -> Iterator[Any]:
    """Give each batch to the workers while fewer than `ahead` of theirs are unfinished, else
    compute it here; yield the results in order, each as soon as it and those before it are
    done (waiting for the oldest only when 2 * `ahead` are pending)."""
    pending: deque[Future] = deque()
    first = 0
    for batch in batches:
        if sum(not future.done() for future in pending) < ahead:
            pending.append(executor.submit(_run, job, first, batch))
        else:
            pending.append(_computed_here(job, first, batch))
        first += len(batch)
        while pending and (pending[0].done() or len(pending) > 2 * ahead):
            yield _result(pending.popleft())
    while pending:
        yield _result(pending.popleft())


def _computed_here(job: int, first: int, batch: list) -> Future:
    """A future holding the result (or the error) of a batch computed here, so that an error
    surfaces in input order, after the results of the batches before it."""
    future: Future = Future()
    try:
        future.set_result(_run(job, first, batch, here=True))
    except Exception as err:
        future.set_exception(err)
    return future


def _result(future: Future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool:
        raise ChildProcessError("a worker process stopped abruptly (killed, or out of memory?) before "
                                "its batch was done; the results before it were given back") from None


def _start_worker() -> None:
    """In each worker, first: one BLAS thread; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_blas_threads(1)


def _run(job: int, first: int, batch: list, here: bool = False) -> Any:
    """The work (`here`: this process's) of one batch, whose first item is item `first` of the input."""
    work = _JOBS[job][here]
    try:
        return work(batch)
    except Exception as err:
        k = _failing_item(work, batch)
        where = f"pipe() item {first + k}" if k is not None else f"pipe() items {first}-{first + len(batch) - 1}"
        raise _renamed(err, where) from err


def _failing_item(work: Work, batch: list) -> int | None:
    """The index of the first item of `batch` whose work fails alone (None if none does)."""
    for k, item in enumerate(batch):
        try:
            work([item])
        except Exception:
            return k
    return None


def _renamed(err: Exception, where: str) -> Exception:
    """`err` with `where` before its message: the same type when it can be built from the message
    alone (so a ValueError stays one), else a ValueError or RuntimeError naming the type."""
    message = f"{where}: {err}"
    try:
        renamed = type(err)(message)
        if str(renamed) == message:
            return renamed
    except Exception:  # a type whose constructor wants other arguments
        pass
    kind = ValueError if isinstance(err, ValueError) else RuntimeError
    return kind(f"{where}: {type(err).__name__}: {err}")
