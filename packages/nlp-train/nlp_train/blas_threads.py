"""BLAS/OpenMP threads of this process, for worker processes that share the machine's cores.

A worker forked from a parent (`nlp.pipe(n_process=N)`) or started beside others (a Ray actor)
should run BLAS on one thread: our matrices are small, and N workers each keeping the parent's
thread pool oversubscribe the cores (measured: 2 workers of `nlp.pipe` at 40% of one process's
speed). The environment variables are read by a BLAS only when it is loaded, so a process whose
numpy is loaded already (every forked worker) must also call the library's own setter:
`set_blas_threads` does both, through ctypes, for every OpenBLAS (numpy's wheels bundle one,
named `scipy_openblas64_`) or MKL loaded in the process. No threadpoolctl needed.
`limited_blas_threads` holds the loaded libraries to fewer threads for a block and gives each its
count back: for the parent that annotates beside its workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Callable, Iterator
from pathlib import Path

#: Variables read by the BLAS and OpenMP runtimes when they are loaded.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
#: (setter, getter) symbol pairs: OpenBLAS as built by itself, for 64-bit ints, as numpy bundles it; MKL.
_SYMBOLS = (
    ("openblas_set_num_threads", "openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("MKL_Set_Num_Threads", "MKL_Get_Max_Threads"),
)
_BLAS_NAMES = ("openblas", "mkl_rt")


def loaded_blas_libraries() -> list[str]:
    """Paths of the BLAS libraries (OpenBLAS, MKL) loaded in this process: from /proc/self/maps
    on Linux, else the libraries bundled in numpy's wheel (numpy is imported to load them)."""
    maps = Path("/proc/self/maps")
    if maps.exists():
        paths = {line.split(None, 5)[5].strip() for line in maps.read_text().splitlines()
                 if len(line.split(None, 5)) == 6}
    else:
        import numpy

        root = Path(numpy.__file__).parent
        paths = {str(p) for folder in (root / ".dylibs", root.parent / "numpy.libs") if folder.is_dir()
                 for p in folder.iterdir()}
    return sorted(p for p in paths if any(name in Path(p).name.lower() for name in _BLAS_NAMES))


def _functions(path: str) -> tuple[Callable[..., int], Callable[..., int]] | None:
    """The thread setter and getter of the BLAS at `path` (already loaded), None if it has none."""
    try:
        library = ctypes.CDLL(path)
    except OSError:
        return None
    for setter, getter in _SYMBOLS:
        if hasattr(library, setter) and hasattr(library, getter):
            return getattr(library, setter), getattr(library, getter)
    return None


def blas_threads() -> dict[str, int]:
    """The thread count of each loaded BLAS library, by path."""
    counts = {}
    for path in loaded_blas_libraries():
        functions = _functions(path)
        if functions is not None:
            counts[path] = int(functions[1]())
    return counts


def set_blas_threads(n: int) -> dict[str, int]:
    """Use `n` BLAS/OpenMP threads in this process from now on: the environment variables (for
    libraries loaded later, and the processes this one starts) and each loaded BLAS's own
    setter. Returns the thread count of each loaded BLAS afterwards, by path."""
    _check(n)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(n)
    for path in loaded_blas_libraries():
        _set_library_threads(path, n)
    return blas_threads()


@contextlib.contextmanager
def limited_blas_threads(n: int) -> Iterator[None]:
    """Run the block with every loaded BLAS on at most `n` threads, then give each its own count
    back (the environment is left alone): for a process that computes beside its workers."""
    _check(n)
    before = blas_threads()
    for path, count in before.items():
        if count > n:
            _set_library_threads(path, n)
    try:
        yield
    finally:
        for path, count in before.items():
            _set_library_threads(path, count)


def _check(n: int) -> None:
    if n < 1:
        raise ValueError(f"BLAS threads must be at least 1, got {n}")


def _set_library_threads(path: str, n: int) -> None:
    functions = _functions(path)
    if functions is not None:
        functions[0](ctypes.c_int(n))
