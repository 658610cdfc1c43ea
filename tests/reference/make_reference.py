"""Write ``reference_outputs.npz``: the model's numbers before the one-model-source refactor.

Run once, on the commit named in the archive (``source_commit``), with the API
of that commit; the refactored tree must reproduce every array to 1e-12
relative (tests/test_reference.py).  Contents:

- ``scenario/<profile>/<name>``: every output column of every bundled scenario,
  both profiles, calibrated parameters, NumPy path, 2012-2060 (years x columns);
- ``draws/params``: 1,000 parameter sets (registry order, ``param_names``),
  each parameter the Korea calibrated value moved by U(-0.1, 0.1) of its
  bounds' width, clipped to the bounds (the SME employment shares by a tenth
  of that, so the 500+ class stays positive);
- ``draws/levers``: per-run constant lever values drawn uniformly within each
  lever's range, acting from 2026 (before that, the baseline);
- ``draws/outputs``: those 1,000 runs of the baseline (runs x years x columns).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from smesim.levers import LEVERS
from smesim.outputs import ALL_COLUMNS
from smesim.params import PARAMETERS, ParameterSet
from smesim.profiles import get_profile
from smesim.scenario import bundled_names

from smesim import load_scenario, simulate

HERE = Path(__file__).resolve().parent
N_DRAWS = 1000
SEED = 20261201
SPREAD = 0.1
POLICY_FROM = 2026


def draws(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo = np.array([p.lower for p in PARAMETERS])
    hi = np.array([p.upper for p in PARAMETERS])
    width = np.array(
        [SPREAD / 10 if p.name.startswith("init_employment_share") else SPREAD for p in PARAMETERS]
    )
    u = rng.uniform(-1, 1, size=(N_DRAWS, lo.size)) * width
    return np.clip(base + u * (hi - lo), lo, hi)


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True, check=True
    ).stdout.strip()
    out: dict[str, np.ndarray] = {
        "columns": np.array(ALL_COLUMNS),
        "param_names": np.array([p.name for p in PARAMETERS]),
        "lever_ids": np.array([lv.id for lv in LEVERS]),
        "source_commit": np.array(commit),
        "policy_from": np.array(POLICY_FROM),
    }
    for profile in ("korea", "japan"):
        for name in bundled_names():
            res = simulate(load_scenario(name), profile=profile, until=2060, backend="numpy")
            out[f"scenario/{profile}/{name}"] = res.data[0]
    rng = np.random.default_rng(SEED)
    base = get_profile("korea").parameter_set().values[0]
    params = ParameterSet(draws(base, rng), source=f"reference draws seed {SEED}")
    levers = np.stack([rng.uniform(lv.lower, lv.upper, N_DRAWS) for lv in LEVERS], axis=1)
    res = simulate(
        load_scenario("baseline"),
        params,
        until=2060,
        backend="numpy",
        lever_overrides={lv.id: levers[:, j] for j, lv in enumerate(LEVERS)},
        overrides_from=POLICY_FROM,
    )
    if not np.isfinite(res.data).all():
        sys.exit("a reference draw is not finite")
    out["draws/params"] = params.values
    out["draws/levers"] = levers
    out["draws/outputs"] = res.data
    out["years"] = res.years
    np.savez_compressed(HERE / "reference_outputs.npz", **out)
    print(f"wrote {HERE / 'reference_outputs.npz'} from {commit}")


if __name__ == "__main__":
    main()
