"""Let numba use 512-bit vectors on CPUs that have them (imported before numba).

LLVM's tuning for Intel server CPUs prefers 256-bit vectors even where
AVX-512 exists (the ``prefer-256-bit`` tuning feature).  For smesim's kernel,
which is nothing but long vectorised arithmetic over blocks of runs, full
width is worth it: measured on the reference 2-core machine, a batch of 16k
runs takes 80 ns instead of 97 ns per run-step on one thread, and 42 ns
instead of 66 ns on two (``benchmarks/bench.py`` reports the figure in use).

numba reads the target CPU once, from the environment, when it is first
imported; so this sets ``NUMBA_CPU_NAME``/``NUMBA_CPU_FEATURES`` to the host's
own CPU and features minus that one tuning preference, and only when

- the host has AVX-512F,
- neither variable is already set (yours win), and numba is not yet imported,
- ``SMESIM_VECTOR_WIDTH`` is not ``256`` (the opt-out).

Nothing else changes: the code is still compiled for this host only, the
per-run arithmetic is the same (no cross-lane operations), and numba's cache
is keyed on the CPU name and features, so cached kernels stay consistent.
"""

from __future__ import annotations

import os
import sys

#: What was decided, for the manifest and the benchmark.
STATUS = "not set"


def configure() -> str:
    global STATUS
    if os.environ.get("SMESIM_VECTOR_WIDTH", "") == "256":
        STATUS = "256 (SMESIM_VECTOR_WIDTH=256)"
    elif "NUMBA_CPU_NAME" in os.environ or "NUMBA_CPU_FEATURES" in os.environ:
        STATUS = "numba default (NUMBA_CPU_* set by the user)"
    elif "numba" in sys.modules:
        STATUS = "numba default (numba imported before smesim)"
    else:
        try:
            import llvmlite.binding as llvm

            features = llvm.get_host_cpu_features().flatten()
            name = llvm.get_host_cpu_name()
        except Exception:  # pragma: no cover - no llvmlite, or an odd host
            STATUS = "numba default (host CPU unknown)"
            return STATUS
        if "+avx512f" in features.split(","):
            os.environ["NUMBA_CPU_NAME"] = name
            os.environ["NUMBA_CPU_FEATURES"] = features + ",-prefer-256-bit"
            STATUS = "512 (AVX-512, prefer-256-bit off)"
        else:
            STATUS = "numba default (no AVX-512)"
    return STATUS


configure()
