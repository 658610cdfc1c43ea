"""One lever at a time against the baseline: the table of README.md, "Lever ranking".

Usage::

    python benchmarks/lever_ranking.py                       # Korea, point estimates
    python benchmarks/lever_ranking.py --profile japan --year 2040
    python benchmarks/lever_ranking.py --draws 400 --seed 0  # with parameter uncertainty

Each row moves one lever of the bundled ``coexistence_package`` scenario, with that
scenario's own schedule (the same ramp from 2026, the same target), and leaves
every other lever at the baseline; ``rd_support_france`` and the whole package follow
for scale.  Cells are the scenario minus the baseline in ``--year``, in points, with
the profile's bundled calibrated parameter set.

``--draws N`` repeats this on N parameter draws: the calibrated parameters from the
joint fit's covariance (as ``smesim ensemble`` draws them) and every assumed parameter
with a documented ``sample`` range uniformly on that range.  It prints, per output,
the median effect with its 5-95 % range and the share of draws in which each lever is
the largest single lever.  The draws are this script's own (seeded); ``smesim
ensemble`` is the tool for bands of a scenario.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import numpy as np

from smesim.analysis.ensemble import Sampler, joint_uncertainty
from smesim.engine.plan import build_plan
from smesim.engine.simulate import simulate
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import NAMES, PARAMETERS, ParameterSet

OUTPUTS = (
    "wage_ratio_all_firms",
    "wage_ratio_sme",
    "productivity_ratio_sme",
    "rd_share_sme",
    "export_share_sme",
    "capital_region_grp_share",
)
RANKED = ("wage_ratio_all_firms", "productivity_ratio_sme", "rd_share_sme")
PACKAGE = "coexistence_package"
FOR_SCALE = ("rd_support_france", PACKAGE)


def one_lever_scenarios() -> list[Scenario]:
    """The package's levers, each alone on the baseline (its own schedule)."""
    pkg = load_scenario(PACKAGE)
    out = []
    for lid, sched in pkg.own.items():
        out.append(
            replace(
                pkg,
                name=lid,
                title={},
                settings={lid: (sched,)},
                own={lid: sched},
                origins={lid: pkg.origins[lid][-1:]},
                content_hash=f"{pkg.content_hash}:{lid}",
            )
        )
    return out


def effects(profile: str, year: int, params: ParameterSet):
    """scenario name -> (runs x outputs) differences from the baseline in ``year``."""
    prof = get_profile(profile)
    singles = one_lever_scenarios()
    scenarios = [load_scenario("baseline"), *singles, *map(load_scenario, FOR_SCALE)]
    res = simulate(build_plan(scenarios, prof, params, until=max(year, 2030)))
    y = list(res.years).index(year)
    cols = [ALL_COLUMNS.index(o) for o in OUTPUTS]
    base = res.outputs("baseline")[:, y][:, cols]
    diff = {s.name: res.outputs(s.name)[:, y][:, cols] - base for s in scenarios[1:]}
    return singles, base, diff


def draws(profile: str, n: int, seed: int) -> ParameterSet:
    prof = get_profile(profile)
    point = prof.parameter_set(prof.bundled_params_file)
    values = Sampler(point, joint_uncertainty(prof, None, point), seed, "joint").sample(0, n)
    values = values.values.copy()
    rng = np.random.default_rng(seed)
    for p in PARAMETERS:
        if p.sample is not None:
            values[:, NAMES.index(p.name)] = rng.uniform(*p.sample, size=n)
    return ParameterSet(values, source=f"lever_ranking draws (seed {seed})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--profile", default="korea")
    ap.add_argument("--year", type=int, default=2060)
    ap.add_argument("--draws", type=int, default=0, help="parameter draws (0: point only)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    prof = get_profile(args.profile)
    point = prof.parameter_set(prof.bundled_params_file)
    singles, base, diff = effects(args.profile, args.year, point)
    print(
        f"{args.profile}, {args.year}, change against the baseline in points "
        f"(parameters: {point.source})\n"
    )
    print("| lever | setting | " + " | ".join(f"`{o}`" for o in OUTPUTS) + " |")
    print("|---|---|" + "---:|" * len(OUTPUTS))
    print(
        "| baseline level | | " + " | ".join(f"{v:.1f}" for v in base[0]) + " |",
    )
    for s in singles:
        setting = s.own[s.name].describe()
        cells = " | ".join(f"{v:+.1f}" for v in diff[s.name][0])
        print(f"| `{s.name}` | {setting} | {cells} |")
    for name in FOR_SCALE:
        cells = " | ".join(f"{v:+.1f}" for v in diff[name][0])
        print(f"| `{name}` (scenario) | all its levers | {cells} |")
    if args.draws:
        _, _, d = effects(args.profile, args.year, draws(args.profile, args.draws, args.seed))
        names = [s.name for s in singles]
        print(
            f"\n{args.draws} draws (seed {args.seed}): median [5-95 %] effect; "
            "share of draws in which the lever is the largest single lever"
        )
        for o in RANKED:
            j = OUTPUTS.index(o)
            m = np.vstack([d[n][:, j] for n in names])
            top = np.bincount(np.argmax(m, axis=0), minlength=len(names)) / args.draws
            print(f"\n`{o}`")
            for k, n in enumerate(names):
                lo, mid, hi = np.percentile(m[k], [5, 50, 95])
                print(f"  {n:26s} {mid:+6.2f} [{lo:+6.2f}, {hi:+6.2f}]  largest in {top[k]:.0%}")
            for n in FOR_SCALE:
                lo, mid, hi = np.percentile(d[n][:, j], [5, 50, 95])
                print(f"  {n:26s} {mid:+6.2f} [{lo:+6.2f}, {hi:+6.2f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
