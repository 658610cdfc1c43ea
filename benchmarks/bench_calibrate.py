"""How long a full calibration takes, and where the time goes.

Run from the project directory::

    python benchmarks/bench_calibrate.py            # both backends, 3 repeats
    python benchmarks/bench_calibrate.py --quick    # one repeat

Prints, for the Korea and Japan profiles and for each simulation backend
(``numpy``, and ``numba`` when installed): best and median wall time of a full calibration
(bundled releases, seed 0, the same work as ``smesim calibrate``), the time
spent inside ``simulate()`` in the best run and its share, the number of
batched simulate calls and runs, and the ratio of the best time to the 10 s
target of issue 3.  Then the cost of one simulate
call by batch size (what a least-squares step costs), and the wall time of
the whole ``smesim calibrate`` process (imports, numba JIT/cache load, file
writing) in a temporary directory.  Nothing is asserted: these are figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S = 10.0


def _calibrate_once(profile: str) -> dict:
    from smesim.analysis.calibrate import calibrate

    t0 = time.perf_counter()
    r = calibrate(profile=profile, seed=0, progress=False)
    wall = time.perf_counter() - t0
    return {
        "wall": wall,
        **r.timing,
        "success": r.success,
        "cost": r.cost,
        "starts": len(r.starts),
        "nfev": r.nfev,
    }


def _simulate_cost(batch: int, repeats: int) -> float:
    from smesim.engine.plan import build_plan
    from smesim.engine.simulate import simulate
    from smesim.inputs.profiles import get_profile
    from smesim.inputs.scenario import load_scenario
    from smesim.model.params import CALIBRATED

    prof = get_profile("korea")
    base = prof.default_parameter_set()
    vals = np.tile([base.as_dict()[n] for n in CALIBRATED], (batch, 1))
    ps = base.with_values(CALIBRATED, vals)
    # as in a calibration: the plan is built once, each step replaces its parameters
    plan = build_plan(load_scenario("baseline"), prof, base, until=2019)
    simulate(plan.with_params(ps))  # warm-up (JIT / caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        simulate(plan.with_params(ps))
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one repeat instead of three")
    args = ap.parse_args()
    repeats = 1 if args.quick else 3

    from smesim.engine.kernel import HAVE_NUMBA

    backends = ["numpy"] + (["numba"] if HAVE_NUMBA else [])
    print(f"# calibration benchmark ({os.cpu_count()} CPUs, target {TARGET_S:g} s)\n")
    print(
        f"{'profile':8} {'backend':8} {'best s':>8} {'median s':>9} {'simulate s':>11} "
        f"{'share':>6} {'calls':>6} {'runs':>6} {'starts':>6} {'vs target':>10}"
    )
    for backend in backends:
        os.environ["SMESIM_BACKEND"] = backend
        for profile in ("korea", "japan"):
            _calibrate_once(profile)  # warm-up: imports, JIT
            runs = [_calibrate_once(profile) for _ in range(repeats)]
            best = min(runs, key=lambda r: r["wall"])
            med = statistics.median(r["wall"] for r in runs)
            print(
                f"{profile:8} {backend:8} {best['wall']:8.2f} {med:9.2f} "
                f"{best['simulate_s']:11.2f} {best['simulate_s'] / best['wall']:6.0%} "
                f"{best['simulate_calls']:6d} {best['simulated_runs']:6d} "
                f"{best['starts']:6d} {best['wall'] / TARGET_S:10.1%}"
            )
    print("\n# one simulate() call to 2019 (a least-squares step is one call of 2p+1 runs)\n")
    print(f"{'backend':8} " + " ".join(f"{'batch ' + str(b):>10}" for b in (1, 47, 64, 256)))
    for backend in backends:
        os.environ["SMESIM_BACKEND"] = backend
        costs = [_simulate_cost(b, 5) * 1e3 for b in (1, 47, 64, 256)]
        print(f"{backend:8} " + " ".join(f"{c:8.1f}ms" for c in costs))
    print("\n# whole process: smesim calibrate --out <tmp> (cold start, default backend)\n")
    os.environ.pop("SMESIM_BACKEND", None)
    exe = Path(sys.executable).parent / "smesim"
    with tempfile.TemporaryDirectory() as tmp:
        walls = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(
                [str(exe), "calibrate", "--out", str(Path(tmp) / "k.toml")],
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - t0)
    print(
        f"smesim calibrate (korea): median {statistics.median(walls):.2f} s over {repeats} "
        f"run(s) ({statistics.median(walls) / TARGET_S:.0%} of the target)"
    )


if __name__ == "__main__":
    main()
