"""BLAS threads of a process: numpy's OpenBLAS (already loaded) follows `set_blas_threads` (and
`limited_blas_threads` for a block), and the environment carries the setting to processes
started afterwards. Each case runs in a fresh
interpreter, so this one keeps its own threads and environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

SCRIPT = """
import json, os, subprocess, sys
import numpy
from nlp_train.blas_threads import (THREAD_VARIABLES, blas_threads, limited_blas_threads, loaded_blas_libraries,
                                    set_blas_threads)
found = loaded_blas_libraries()
set_blas_threads(3)
with limited_blas_threads(2):
    limited = blas_threads()
three = blas_threads()
one = set_blas_threads(1)
child = subprocess.run([sys.executable, "-c", "import os; print(os.environ['OPENBLAS_NUM_THREADS'])"],
                       capture_output=True, text=True, check=True).stdout.strip()
try:
    set_blas_threads(0)
    refused = ""
except ValueError as err:
    refused = str(err)
print(json.dumps({"found": found, "limited": limited, "three": three, "one": one, "child": child, "refused": refused,
                  "env": {v: os.environ[v] for v in THREAD_VARIABLES}}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_loaded_blas_follows_the_setting_and_started_processes_inherit_it():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(out.stdout)
    assert result["found"], "numpy's BLAS was not found among the loaded libraries"
    assert set(result["three"]) == set(result["found"]) and set(result["three"].values()) == {3}
    assert set(result["limited"].values()) == {2}  # for the block only: 3 again after it
    assert set(result["one"].values()) == {1}
    assert result["child"] == "1" and set(result["env"].values()) == {"1"}
    assert result["refused"] == "BLAS threads must be at least 1, got 0"


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="the OS cannot pin threads")
def test_a_pinned_worker_thread_stays_on_one_usable_cpu_and_leaves_the_others_alone():
    from nlp_train.ray_workers import pin_to_cpu, usable_cpus

    seen: dict = {}

    def worker_loop() -> None:
        seen["cpu"] = pin_to_cpu(1)
        seen["allowed"] = os.sched_getaffinity(0)

    before = os.sched_getaffinity(0)
    thread = threading.Thread(target=worker_loop)
    thread.start()
    thread.join()
    cpus = usable_cpus()
    assert seen["allowed"] == {seen["cpu"]} == {cpus[1 % len(cpus)]}
    assert os.sched_getaffinity(0) == before  # only the calling thread is pinned
