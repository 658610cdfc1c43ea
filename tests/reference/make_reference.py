"""Write ``reference_outputs.npz``: a regression archive of the model's numbers.

The archive pins the numbers of the model as calibrated on the commit named in
it (``source_commit``), so a refactor that should change nothing can prove it:
``tests/test_reference.py`` reproduces every array to 1e-12 relative with both
backends.  A change that moves the numbers *by design* (a new equation, a new
calibration) regenerates the archive with this script in the same commit, and
says why in the commit message.

History: the first archive held the numbers before the one-model-source
refactor; issue 12's model rewrite (start year 2007, saturating loops, joint
Korea-Japan calibration) replaced it.  The pre-rewrite outputs are kept in
``docs/data/outputs_v1.npz`` for the comparison in ``docs/changes-v2.md``.

Contents:

- ``scenario/<profile>/<name>``: every output column of every bundled scenario,
  both profiles, bundled calibrated parameters, NumPy path, start year to 2060
  (years x columns);
- ``draws/params``: 1,000 parameter sets (registry order, ``param_names``):
  each parameter the Korea calibrated value moved by U(-0.05, 0.05) of its
  bounds' width, clipped to the bounds (the SME employment shares by a tenth
  of that, so the 500+ class stays positive); draws breaking a declared rule
  are redrawn;
- ``draws/levers``: per-run constant lever values drawn uniformly within each
  lever's range, acting from 2026 (before that, the baseline);
- ``draws/outputs``: those 1,000 runs of the baseline (runs x years x columns).

Run from the repository root: ``python tests/reference/make_reference.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from smesim.engine.plan import build_plan
from smesim.engine.simulate import simulate
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import bundled_names, load_scenario
from smesim.model import MODEL
from smesim.model.levers import LEVERS
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import PARAMETERS, ParameterSet

HERE = Path(__file__).resolve().parent
N_DRAWS = 1000
SEED = 20261201
SPREAD = 0.05
POLICY_FROM = 2026


def draws(base: np.ndarray, rng: np.random.Generator, levers0) -> np.ndarray:
    lo = np.array([p.lower for p in PARAMETERS])
    hi = np.array([p.upper for p in PARAMETERS])
    width = np.array(
        [SPREAD / 10 if p.name.startswith("init_employment_share") else SPREAD for p in PARAMETERS]
    )
    out = np.empty((N_DRAWS, lo.size))
    todo = np.arange(N_DRAWS)
    while todo.size:
        u = rng.uniform(-1, 1, size=(todo.size, lo.size)) * width
        cand = np.clip(base + u * (hi - lo), lo, hi)
        ok = np.ones(todo.size, dtype=bool)
        for _, passed in MODEL.rule_checks(cand, {k: v[: todo.size] for k, v in levers0.items()}):
            ok &= passed
        out[todo[ok]] = cand[ok]
        todo = todo[~ok]
    return out


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
    names = sorted(bundled_names())
    for profile in ("korea", "japan"):
        prof = get_profile(profile)
        plan = build_plan([load_scenario(n) for n in names], prof, prof.parameter_set(), until=2060)
        res = simulate(plan, backend="numpy")
        for name in names:
            out[f"scenario/{profile}/{name}"] = res.outputs(name)[0]
    prof = get_profile("korea")
    rng = np.random.default_rng(SEED)
    base = prof.parameter_set().values[0]
    levers0 = {
        lv.id: np.full(N_DRAWS, dict(prof.baseline_levers).get(lv.id, lv.baseline)) for lv in LEVERS
    }
    params = ParameterSet(draws(base, rng, levers0), source=f"reference draws seed {SEED}")
    levers = np.stack([rng.uniform(lv.lower, lv.upper, N_DRAWS) for lv in LEVERS], axis=1)
    plan = build_plan(
        load_scenario("baseline"),
        prof,
        params,
        until=2060,
        lever_overrides={lv.id: levers[:, j] for j, lv in enumerate(LEVERS)},
        overrides_from=POLICY_FROM,
    )
    res = simulate(plan, backend="numpy")
    data = res.outputs()
    if not np.isfinite(data).all():
        sys.exit("a reference draw is not finite")
    out["draws/params"] = params.values
    out["draws/levers"] = levers
    out["draws/outputs"] = data
    out["years"] = np.asarray(res.years)
    np.savez_compressed(HERE / "reference_outputs.npz", **out)
    print(f"wrote {HERE / 'reference_outputs.npz'} from {commit}")


if __name__ == "__main__":
    main()
