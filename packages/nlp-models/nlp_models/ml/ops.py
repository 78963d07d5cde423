"""Choice of the CPU backend: thinc's blis kernel or numpy's BLAS, whichever is faster here.

bench/gemm.py measured, on the target machine (AMD EPYC, one BLAS thread), ~34 GFLOP/s for blis
against ~98 GFLOP/s for numpy's OpenBLAS on our shapes, so numpy's BLAS is the default. The
environment variable NLP_CPU_BLAS overrides it: "numpy", "blis", or "auto" (time both once).
"""

import os
import time
from functools import lru_cache

import numpy
from thinc.api import NumpyOps, Ops, get_current_ops, set_current_ops

BLAS_ENV = "NLP_CPU_BLAS"
DEFAULT_BLAS = "numpy"


def _time_gemm(ops: NumpyOps) -> float:
    """Seconds for a few products of the tok2vec's typical shape."""
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((1000, 96), dtype="float32")
    y = rng.standard_normal((96, 288), dtype="float32")
    ops.gemm(x, y)
    start = time.perf_counter()
    for _ in range(5):
        ops.gemm(x, y)
    return time.perf_counter() - start


@lru_cache(maxsize=4)
def _cpu_ops(choice: str) -> NumpyOps:
    if choice == "numpy":
        return NumpyOps(use_blis=False)
    if choice == "blis":
        return NumpyOps()
    if choice == "auto":
        candidates = [NumpyOps(use_blis=False), NumpyOps()]
        return min(candidates, key=_time_gemm)
    raise ValueError(f"{BLAS_ENV}={choice!r}: expected 'numpy', 'blis' or 'auto'")


def get_cpu_ops() -> NumpyOps:
    """The NumpyOps instance whose matrix product is fastest on this machine (cached)."""
    return _cpu_ops(os.environ.get(BLAS_ENV, DEFAULT_BLAS).strip().lower() or DEFAULT_BLAS)


def use_cpu_ops() -> Ops:
    """Make get_cpu_ops() thinc's current ops unless a GPU (or other non-CPU) ops is active."""
    current = get_current_ops()
    if isinstance(current, NumpyOps) or type(current) is Ops:
        ops = get_cpu_ops()
        set_current_ops(ops)
        return ops
    return current


def model_ops() -> Ops:
    """Ops for a new model: the current ops if it is a GPU ops, else the fastest CPU ops."""
    current = get_current_ops()
    if isinstance(current, NumpyOps) or type(current) is Ops:
        return get_cpu_ops()
    return current
