"""Measure float32 matrix-product speed (GFLOP/s) of the three CPU paths our models can take.

The shapes are the ones the models run per batch of ~2000 tokens: the tok2vec maxout
(2000x96 by 96x288), its backward product (2000x288 by 288x96) and the parser's precomputed
lower layer (2000x96 by 96x(13*64*2)). Paths: thinc's NumpyOps() (blis), NumpyOps(use_blis=False)
(numpy's BLAS through thinc) and numpy.dot directly.

Usage: python bench/gemm.py [--threads N] [--seconds S]
By default BLAS runs on one thread (OPENBLAS_NUM_THREADS=1), the setting DESIGN.md compares.
"""

import argparse
import os
import sys


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:
    # Must be set before numpy (and its OpenBLAS) is imported.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import time  # noqa: E402

import numpy  # noqa: E402
from thinc.api import NumpyOps  # noqa: E402

SHAPES = [
    ("tok2vec maxout fwd", 2000, 96, 288),
    ("tok2vec maxout bwd", 2000, 288, 96),
    ("parser precompute", 2000, 96, 13 * 64 * 2),
]


def gflops(fn, m: int, k: int, n: int, seconds: float) -> float:
    """Best-of-3 rate of `fn()` (an m x k by k x n product), each over `seconds` of repeats."""
    fn()  # warm up
    best = float("inf")
    for _ in range(3):
        reps = 0
        start = time.perf_counter()
        while True:
            fn()
            reps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 3:
                break
        best = min(best, elapsed / reps)
    return 2.0 * m * k * n / best / 1e9


def main() -> None:
    seconds = ARGS.seconds if ARGS else 0.5
    rng = numpy.random.default_rng(0)
    blis_ops = NumpyOps()
    blas_ops = NumpyOps(use_blis=False)
    print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, "
          f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    print(f"{'shape':<28}{'blis':>10}{'ops-numpy':>12}{'numpy.dot':>12}   GFLOP/s")
    totals = {"blis": 0.0, "numpy": 0.0}
    for name, m, k, n in SHAPES:
        x = rng.standard_normal((m, k), dtype="float32")
        y = rng.standard_normal((k, n), dtype="float32")
        out = numpy.empty((m, n), dtype="float32")
        a = gflops(lambda x=x, y=y: blis_ops.gemm(x, y), m, k, n, seconds)
        b = gflops(lambda x=x, y=y, out=out: blas_ops.gemm(x, y, out=out), m, k, n, seconds)
        c = gflops(lambda x=x, y=y, out=out: numpy.dot(x, y, out=out), m, k, n, seconds)
        totals["blis"] += 1.0 / a
        totals["numpy"] += 1.0 / b
        print(f"{name + f' {m}x{k}x{n}':<28}{a:>10.1f}{b:>12.1f}{c:>12.1f}")
    winner = "numpy (use_blis=False)" if totals["numpy"] < totals["blis"] else "blis"
    print(f"faster over the three shapes: {winner}")


if __name__ == "__main__":
    main()
