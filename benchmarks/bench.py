"""Speed benchmark of issue 5: prints each figure, its target and the ratio.

Usage::

    python benchmarks/bench.py                 # everything (about a minute)
    python benchmarks/bench.py --runs 20000    # smaller ensemble
    python benchmarks/bench.py --quick         # in-process figures only

Figures
-------
single run
    ``simulate(build_plan(baseline, korea, params))`` 2012-2060, dt 1/16, all
    series, in-process after warm-up (median of many calls; the plan is built
    in every call, as a front end does), compiled kernel and NumPy reference.
batch
    per-run cost of the kernel over a batch of 10,000 runs, and its ratio to
    a single run.
ensemble (whole process)
    ``smesim ensemble coexistence_package --runs N`` as a user runs it
    (a fresh process: imports, cached kernel load, sampling, the scenario and
    the baseline on every draw, streamed percentiles, files), wall time and
    peak resident memory (``getrusage`` of the child).
sensitivity (whole process)
    ``smesim sensitivity baseline --method sobol``, wall time (no target in
    the issue; reported for comparison).
first run on a new machine
    a 1,000-run ensemble with an empty numba cache (``NUMBA_CACHE_DIR`` set to
    a temporary folder): the one-time compile a fresh install pays, against the
    same command once cached.

Targets (issue 5, 2-core machine): single run < 5 ms; 100,000-run ensemble
< 10 s wall and < 2 GB peak.  A ratio below 1 meets the target.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SINGLE_MS = 5.0
TARGET_ENSEMBLE_S = 10.0
TARGET_ENSEMBLE_RUNS = 100_000
TARGET_PEAK_GB = 2.0


def row(name: str, value: float, unit: str, target: float | None = None, note: str = "") -> None:
    ratio = f"{value / target:6.2f}x target ({target:g} {unit})" if target else ""
    print(f"{name:<46} {value:10.3f} {unit:<4} {ratio} {note}".rstrip())


def in_process(batch: int) -> float:
    import numpy as np

    from smesim import build_plan, simulate
    from smesim.inputs.profiles import get_profile
    from smesim.inputs.scenario import load_scenario

    sc = load_scenario("baseline")
    prof = get_profile("korea")
    params = prof.parameter_set()

    def run(p, backend="auto"):
        return simulate(build_plan(sc, prof, p), backend=backend)

    t0 = time.perf_counter()
    run(params, backend="numba")
    first = time.perf_counter() - t0
    row("first call (kernel load or compile)", first * 1e3, "ms")
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        run(params, backend="numba")
        times.append(time.perf_counter() - t0)
    single = statistics.median(times)
    row("single baseline run, kernel (median of 200)", single * 1e3, "ms", TARGET_SINGLE_MS)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        run(params, backend="numpy")
        times.append(time.perf_counter() - t0)
    row(
        "single baseline run, NumPy reference",
        statistics.median(times) * 1e3,
        "ms",
        TARGET_SINGLE_MS,
    )
    big = params.with_values([], np.empty((batch, 0)))
    run(big.run(0).stack([big.run(0)] * 99))  # warm the threaded kernel
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        run(big)
        best = min(best, time.perf_counter() - t0)
    per_run = best / batch
    row(
        f"batch of {batch:,} runs, kernel, per run",
        per_run * 1e6,
        "us",
        note=f"= {per_run / single:.3f} x a single run; {best:.2f} s in all",
    )
    return per_run


def whole_process(args: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of ``smesim *args`` in a fresh process."""
    exe = shutil.which("smesim") or str(Path(sys.executable).with_name("smesim"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
    )
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"smesim {' '.join(args)} failed:\n{proc.stderr}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb < before:  # pragma: no cover - getrusage keeps the max of all children
        peak_kb = before
    return wall, peak_kb / 1024**2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--runs",
        type=int,
        default=TARGET_ENSEMBLE_RUNS,
        help="ensemble size for the whole-process figure",
    )
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="in-process figures only")
    ap.add_argument(
        "--no-cold",
        action="store_true",
        help="skip the first-run (empty numba cache) compile figure",
    )
    ns = ap.parse_args()
    print(
        f"smesim speed benchmark; {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.2f} (other work on the machine inflates every figure)"
    )
    per_run = in_process(ns.batch)
    if ns.quick:
        return
    with tempfile.TemporaryDirectory() as tmp:
        wall, peak = whole_process(
            [
                "ensemble",
                "coexistence_package",
                "--runs",
                str(ns.runs),
                "--quiet",
                "--out",
                str(Path(tmp) / "ens"),
            ]
        )
        scale = ns.runs / TARGET_ENSEMBLE_RUNS
        row(
            f"ensemble, {ns.runs:,} runs x 2 scenarios, wall",
            wall,
            "s",
            TARGET_ENSEMBLE_S * scale,
            note=f"= {wall / (2 * ns.runs) * 1e6:.0f} us per scenario-run, "
            f"{wall / (2 * ns.runs) / per_run:.2f} x the kernel's batch cost",
        )
        row("ensemble, peak resident memory", peak, "GB", TARGET_PEAK_GB)
        wall, _ = whole_process(
            [
                "sensitivity",
                "baseline",
                "--method",
                "sobol",
                "--quiet",
                "--out",
                str(Path(tmp) / "sens"),
            ]
        )
        row(
            "sensitivity baseline --method sobol, wall",
            wall,
            "s",
            note="(Saltelli design over levers and sampled parameters; no target)",
        )
        if not ns.no_cold:
            # a fresh machine: empty numba cache, so every compiled function compiles
            args = [
                "ensemble",
                "coexistence_package",
                "--runs",
                "1000",
                "--quiet",
                "--out",
                str(Path(tmp) / "cold"),
            ]
            cold, _ = whole_process(args, env={"NUMBA_CACHE_DIR": str(Path(tmp) / "nbc")})
            warm, _ = whole_process(args, env={"NUMBA_CACHE_DIR": str(Path(tmp) / "nbc")})
            row(
                "first run on a new machine (compile), 1,000-run ensemble",
                cold,
                "s",
                note=f"= {cold - warm:.1f} s of one-time compilation; {warm:.2f} s once cached",
            )


if __name__ == "__main__":
    main()
