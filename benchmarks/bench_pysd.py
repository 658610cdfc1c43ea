"""smesim against PySD running smesim's own XMILE export: cost per run.

Measures, for one scenario on the same Euler grid (2012-2060, dt 1/16):

* smesim, one run through ``simulate()`` (each available backend);
* smesim, an ensemble of ``--runs`` parameter sets in one batched
  ``simulate()`` call, reported per run;
* PySD 3.14: translating and loading the exported file, then one run
  (median of ``--repeat``);

and prints the ratios.  Usage::

    python benchmarks/bench_pysd.py [--scenario coexistence_package] [--runs 1000]
                                    [--repeat 3]

Needs PySD (``pip install 'smesim[xmile]'``).  Nothing is asserted: speed is
reported, never tested.
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from smesim import build_plan, load_scenario, simulate
from smesim.export.xmile import export_xmile
from smesim.inputs.profiles import get_profile
from smesim.model.params import BY_NAME, CALIBRATED


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls (after one warm-up call) and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def ensemble(base, n: int, seed: int):
    """``n`` parameter sets: calibrated parameters drawn within +-10 % (inside bounds)."""
    rng = np.random.default_rng(seed)
    names = list(CALIBRATED)
    v = base.values[0]
    cols = []
    for name in names:
        p = BY_NAME[name]
        x = v[list(BY_NAME).index(name)]
        lo, hi = max(p.lower, x - 0.1 * abs(x)), min(p.upper, x + 0.1 * abs(x))
        cols.append(rng.uniform(lo, hi, n))
    return base.with_values(names, np.column_stack(cols))


def _lookup_share(run) -> float:
    """Share of a PySD run's time spent in its lookups (xarray interpolation), by cProfile."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    stats = pstats.Stats(prof)
    in_lookups = max(
        (
            v[3]
            for k, v in stats.stats.items()
            if k[0].endswith("lookups.py") and k[2] == "__call__"
        ),
        default=0.0,
    )
    return in_lookups / stats.total_tt


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="coexistence_package")
    ap.add_argument("--runs", type=int, default=1000, help="ensemble size (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions (median)")
    ap.add_argument("--seed", type=int, default=20190)
    args = ap.parse_args(argv)

    with warnings.catch_warnings():
        # pysd 3.14.3 imports chardet.universaldetector (deprecated in chardet 6)
        warnings.simplefilter("ignore", DeprecationWarning)
        import pysd

    sc = load_scenario(args.scenario)
    prof = get_profile("korea")
    params = prof.parameter_set()
    backends = ["numpy", "auto"] if "backend" in inspect.signature(simulate).parameters else [None]
    print(
        f"scenario {sc.name}, 2012-{sc.horizon or 2060}, dt 1/16; {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, pysd {pysd.__version__}"
    )
    rows = []
    for b in backends:
        kw = {"backend": b} if b else {}
        label = f"smesim[{b}]" if b else "smesim"
        if b == "auto":
            from smesim.engine.integrate import resolve_backend

            label = f"smesim[auto={resolve_backend('auto')}]"
        single, _ = timed(lambda kw=kw: simulate(build_plan(sc, prof, params), **kw), args.repeat)
        batch = ensemble(params, args.runs, args.seed)
        many, res = timed(
            lambda kw=kw, batch=batch: simulate(build_plan(sc, prof, batch), **kw),
            max(1, args.repeat - 1),
        )
        assert res.n_runs == args.runs
        rows.append((label, single, many / args.runs, many))

    with tempfile.TemporaryDirectory() as tmp:
        path = export_xmile(Path(tmp) / "model.xmile", sc.path)
        years = list(range(2012, (sc.horizon or 2060) + 1))
        with warnings.catch_warnings():
            # pysd 3.14.3 calls DataFrame.set_index(inplace=True), deprecated in pandas 3.1
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            model = pysd.read_xmile(str(path))
            load = time.perf_counter() - t0
            pysd_run, _ = timed(
                lambda: model.run(return_timestamps=years, progress=False), args.repeat
            )
            lookup_share = _lookup_share(lambda: model.run(return_timestamps=years, progress=False))

    print(
        f"\nPySD: translate + load the exported file {fmt(load)}; one run {fmt(pysd_run)} "
        f"({lookup_share:.0%} of it in graphical-function lookups, measured under cProfile)"
    )
    print(
        f"\n{'implementation':<20}{'single run':>14}{'ensemble/run':>15}"
        f"{'ensemble total':>16}{'PySD/single':>13}{'PySD/ens.run':>14}"
    )
    for label, single, per_run, total in rows:
        print(
            f"{label:<20}{fmt(single):>14}{fmt(per_run):>15}{fmt(total):>16}"
            f"{pysd_run / single:>12.1f}x{pysd_run / per_run:>13.0f}x"
        )
    print(
        f"(ensemble: {args.runs} runs in one batched simulate() call, calibrated parameters "
        f"drawn within +-10 %, seed {args.seed})"
    )


if __name__ == "__main__":
    main()
