"""Write docs/changes-v2.md: the model's outputs before issue 12 (v1) against today's (v2).

Usage::

    python benchmarks/compare_versions.py            # rewrite docs/changes-v2.md
    python benchmarks/compare_versions.py --check    # exit 1 if the committed file is stale
    python benchmarks/compare_versions.py --out FILE --archive FILE

v1 is ``docs/data/outputs_v1.npz`` (docs/data/README.md): every output column,
2012-2060, of every bundled scenario for both profiles, written on commit
``c41b0bb`` before the model was rewritten for issue 12. v2 is the model in this
tree: every bundled scenario for both profiles, with each profile's *bundled*
calibrated parameter set (never a user's own calibration, so the file is the same
on every machine), run with ``build_plan`` + ``simulate`` as ``tests/test_reference.py`` does.

The file is written atomically (temporary file, then rename). Rerun it after any
change to the model, its bundled parameter sets or the scenarios. The prose in
``WHAT_MOVED`` quotes no run's numbers, so it stays true when the numbers move;
the definition of the coexistence indices is printed from the model declaration.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from smesim.engine.plan import build_plan
from smesim.engine.simulate import simulate
from smesim.export.equations import build_table
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import bundled_names, load_scenario
from smesim.io import atomic_write
from smesim.model.horizon import START_YEAR
from smesim.model.outputs import ALL_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "docs" / "data" / "outputs_v1.npz"
OUT = ROOT / "docs" / "changes-v2.md"
PROFILES = ("korea", "japan")
YEARS = (2030, 2040, 2060)
#: Years of the paper's data (Table 4, 6): where both versions are held to the figures.
DATA_YEARS = (2012, 2017)
#: Headline outputs, before the coexistence indices (which are taken from the columns).
HEADLINE = (
    "wage_ratio_sme",
    "wage_ratio_all_firms",
    "productivity_ratio_sme",
    "rd_share_sme",
    "rd_per_researcher_ratio_sme",
    "employment_share_sme",
    "export_share_sme",
    "capital_region_grp_share",
)
#: Outputs of the scenario-effect table (scenario minus baseline).
EFFECTS = (
    "wage_ratio_sme",
    "wage_ratio_all_firms",
    "productivity_ratio_sme",
    "rd_share_sme",
    "capital_region_grp_share",
    "coexistence_economic",
    "coexistence_overall",
)
SME_CLASSES = ("1_4", "5_9", "10_99", "100_499")
DASH = "–"

LABELS = {
    "wage_ratio_sme": "wage ratio, SMEs only (`wage_ratio_sme`)",
    "wage_ratio_all_firms": "wage ratio, all firms (`wage_ratio_all_firms`)",
    "productivity_ratio_sme": "productivity ratio (`productivity_ratio_sme`)",
    "rd_share_sme": "SME R&D share (`rd_share_sme`)",
    "rd_per_researcher_ratio_sme": "R&D per researcher ratio (`rd_per_researcher_ratio_sme`)",
    "employment_share_sme": "SME employment share (`employment_share_sme`)",
    "export_share_sme": "SME export share (`export_share_sme`)",
    "capital_region_grp_share": "capital-region GRP share (`capital_region_grp_share`)",
}

WHAT_MOVED = """\
## What moved and why

The model was rewritten for issue 12, "A model an analyst can trust". The module
docstrings in `src/smesim/model/` describe the new structure and
[docs/model.md](model.md) explains it. The differences in the tables above come
from the changes below. They act together, so no single row can be put down to
one cause.

### The start year is 2007, and it is a balance

- **v1** started in 2012. Three "initial gap" parameters set SMEs just off an
  unstable balance: `productivity_target_2012`, `wage_target_2012` and
  `init_knowledge_excess_sme`. All of its divergence came from them. Set them
  to neutral values and switch off ageing, and the v1 baseline stayed at its
  2012 values until 2100. A small change to any of them flipped the long run
  from collapse to takeover, so the v1 ensemble was bimodal.
- **v2** starts in 2007, the first column of Table 6. The R&D series therefore
  have two intervals of change, 2007-2012 and 2012-2017, not one. The start
  year is a balance: every target of the SME sectors equals its starting
  value, and the knowledge stocks start at the steady state of start-year R&D
  and diffusion. The three gap parameters are gone. (The capital region's
  shares are the one exception: they rise slowly toward targets a little
  above their start values, the documented rise of the 2000s and 2010s.)
- **Exogenous drivers.** In v2 everything that moves in the SME sectors after
  the start year is driven by exogenous paths acting through the feedback
  structure:
  - Large firms' technological opportunity (`rd_policy`): large firms' desired
    R&D intensity drifts up at a country-specific rate that fades over about a
    decade, so the drift has a ceiling. The joint fit gives Korea a clearly
    positive rate and Japan about zero.
  - The working-age population (`human_natural`, `wages`): a new exogenous
    table in each profile. A shrinking workforce makes recruiting hardest for
    small firms, which raises SME wage targets (`labour_scarcity_wage_effect`).
  - The nominal cost of a researcher (`rd_policy`): fitted to Table 6's
    KRW-million row. Large firms' spending per researcher rises with their R&D
    intensity while SMEs' stays about flat, as in Table 6. In v1, large firms'
    spending was held fixed and the whole fall of the ratio was put on SMEs.
- **What this does to the projections.** v1's paths kept diverging (Korea) or
  converging (Japan) at a pace set by how far off the balance they started. In
  v2 the drift slows as the drivers fade and the limits below bind. So most
  series move less after 2017 in v2 than in v1.
- **Series indexed to the start year.** The SME skills index and
  environmental intensity (start year = 100) now count from 2007, not 2012. So
  their levels, and the human and natural indices built on them, shift even
  where their dynamics did not change.
- **Levels before 2017.** Both versions were held to the paper's 2012-2017
  figures, but not to the same figures for the wage (next section). The
  table "Baseline at the data years" shows how far they agree there.

### Every reinforcing loop now has a limit

- **v1.** Absorptive capacity, a productivity target proportional to relative
  knowledge, and R&D that follows the margin reinforced each other without
  limit. In Korea's baseline SME R&D collapsed; in Japan's, SMEs took over
  business R&D and their R&D per researcher passed large firms'.
- **v2.**
  - R&D responses to the margin and to absorptive capacity saturate
    (`common.saturating`, with caps `rd_margin_cap` and
    `absorptive_capacity_cap`).
  - Scale-up saturates at `scale_up_capacity` times its start-year rate.
  - Diffusion from large firms grows with the knowledge gap (`knowledge`:
    `knowledge_catch_up_rate` times the gap to the absorbable share), a
    balancing loop that bounds the divergence.
  - The margin floor and the ability-to-pay cap on wages are smooth
    (`common.soft_floor`, `common.soft_cap`) instead of a hard `MAX` and
    `MIN`. v1's hard cap bent every wage path around 2030 and pinned wages to a
    fixed multiple of productivity. Every constant in these forms is now a
    registry parameter with a source or a stated reason.
- **The result.** The long-run paths level off instead of running to a corner.
  The series v1 drove furthest move most: Korea's wage and R&D series, which
  v1 ran down, and Japan's R&D, productivity and export series, which v1 ran
  up.

### The wage ratio has two definitions

- **Table 4's "total" row** is the average wage of all firms, 500+ included,
  over the 500+ wage (Table 5: Korea 2,896 / 5,347 = 54.2, Japan 3,044 /
  3,455 = 88.1).
- **v1** fitted Korea's 56.7 → 54.2 to `wage_ratio_sme`, its average over SMEs
  only. Its headline "wage ratio" was therefore an SME-only figure held to an
  all-firm statistic.
- **v2** reports both:
  - `wage_ratio_all_firms` is fitted to Table 4's total for both countries;
  - `wage_ratio_sme` remains the SME-only mean.

  The SME-only mean lies below the all-firm one, because the 500+ class counts
  at 100 in the latter. The gap is larger the more employment the 500+ class
  holds.
- **Reading the tables.** Compare v1's `wage_ratio_sme` with v2's
  `wage_ratio_all_firms` for the quantity earlier briefs called "the wage ratio"
  (Table 4's concept). Compare it with v2's `wage_ratio_sme` for the SME-only
  quantity the v1 code computed. The v1 column of the all-firm row is derived:
  it is the employment-weighted mean of v1's class wage ratios and the 500+
  class at 100, from v1's own employment shares. v1 did not report that number.

### Japan has its own size structure, and one structure serves both countries

- **Size structure.** v1 gave Japan Korea's size structure (90.5 % SME
  employment). v2 uses about 70 %, from Japanese statistics. That alone moves
  Japan's SME employment share and the gap between its two wage ratios.
- **Why Japan converged.** In v1 Japan converged because its fitted
  productivity target sat above its starting productivity.
- **One joint fit.** In v2 Korea and Japan are fitted jointly
  (`src/smesim/data/params/joint.report.md`). They share every behavioural
  parameter: loop gains, elasticities and adjustment times. They differ only in
  their start-year states, size structure and exogenous drivers (ageing, the
  working-age population, large firms' technological opportunity, nominal
  researcher cost). Korea's divergence and Japan's convergence now come from the
  same loop parameters.
- **Japan's other paths.** Japan's R&D, export, regional and productivity
  series rest on assumed start-year values. Read them as the direction the
  structure gives, not as forecasts.

### Lever effects rest on evidence, and the regional sector reaches SMEs

- **Lever effects.** Each lever-effect parameter now cites a source, or is
  marked assumed with a range the ensemble samples (`Parameter.sample`).
  Several changed on the evidence. The share of R&D tax support reaching SMEs
  rose from 0.25 to 0.4 (OECD data show SMEs claim most of Korea's R&D tax
  relief). Full fair-trade enforcement now removes half of the appropriation,
  not 0.8 of it. The training and scale-up effects were re-mapped from
  programme evaluations. Technology diffusion now acts only by raising the
  catch-up rate; in v1 it also raised the productivity target directly. The
  additionality of subsidies (1.0) and of tax incentives (0.6) kept their
  values and now cite meta-analyses. The policy scenarios therefore move the
  outputs by different amounts; see "Scenario effects against the baseline".
- **Regions.** v1's regional sector was a side module: `regional_dispersion`
  changed no SME outcome. In v2, capital-region concentration of startups lowers
  SMEs' productivity target a little (`regional_access_factor`, an assumed and
  sampled elasticity). Dispersion therefore now helps SMEs, modestly.

### The coexistence indices were redefined

- **v1.** The overall index was the arithmetic mean of the four. The economic
  index compared the SME-only wage with Japan's all-firm 88.1.
- **v2.** The indices are defined in `src/smesim/model/coexistence.py`:
  - every index built from several scores, and the overall index, is a
    shifted geometric mean, so one collapsing component pulls it down and a
    rising assumed trend (the natural index) can no longer offset a falling
    economic index point for point;
  - the economic index's wage score uses `wage_ratio_all_firms`, like for like
    with Japan's all-firm 88.1;
  - components whose trend is assumed are labelled so wherever they appear.

  The equations in force when this file was generated are listed below.
- **Reading the tables.** The index rows compare two different definitions as
  well as two models. Read their change as "what a reader of an earlier brief
  sees move", not as a change in the economy the model describes.

### Levers act from the policy start

- **v1.** A constant lever in a scenario acted from 2012 and rewrote history.
- **v2.** A scenario's levers act from its policy start, by default the
  profile's `policy_start` (2026). Before it, every scenario equals the
  baseline.
- **Effect on the bundled scenarios.** None: their ramps start in 2026 in both
  versions. The change matters for user scenarios that set a constant lever.
- **The years reported.** v1 reported 2012-2060. v2 reports from {start}. The
  tables use the years both versions report.
"""


def _fmt(x: float) -> str:
    return DASH if not np.isfinite(x) else f"{x:.1f}"


def _fmt_change(x: float) -> str:
    if not np.isfinite(x):
        return DASH
    return "0.0" if round(x, 1) == 0 else f"{x:+.1f}"


def load_v1(path: Path) -> tuple[dict[str, np.ndarray], list[int], list[str]]:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k.startswith("scenario/")}
        years = [int(y) for y in z["years"]]
        columns = [str(c) for c in z["columns"]]
    return arrays, years, columns


def v1_series(table: np.ndarray, columns: list[str], name: str) -> np.ndarray | None:
    """One v1 column over the years; ``wage_ratio_all_firms`` derived from the class wages
    and employment shares (v1 did not report it); None when v1 had no such series."""
    if name in columns:
        return table[:, columns.index(name)]
    if name == "wage_ratio_all_firms":
        need = [f"wage_ratio_{c}" for c in SME_CLASSES] + [
            f"employment_share_{c}" for c in (*SME_CLASSES, "500_plus")
        ]
        if all(n in columns for n in need):

            def col(n: str) -> np.ndarray:
                return table[:, columns.index(n)]

            total = sum(col(f"employment_share_{c}") * col(f"wage_ratio_{c}") for c in SME_CLASSES)
            return (total + col("employment_share_500_plus") * 100.0) / 100.0
    return None


def run_v2() -> dict[str, dict[str, np.ndarray]]:
    """profile -> scenario -> (years x ALL_COLUMNS), plus ``_years`` per profile."""
    out: dict[str, dict[str, np.ndarray]] = {}
    names = bundled_names()
    for profile in PROFILES:
        prof = get_profile(profile)
        params = prof.parameter_set(prof.bundled_params_file)
        plan = build_plan([load_scenario(n) for n in names], prof, params, until=2060)
        res = simulate(plan)
        out[profile] = {n: res.outputs(n)[0] for n in names}
        out[profile]["_years"] = np.asarray(res.years)
    return out


def coexistence_columns(v1_columns: list[str]) -> list[str]:
    ordered = [c for c in ALL_COLUMNS if c.startswith("coexistence_")]
    return ordered + [c for c in v1_columns if c.startswith("coexistence_") and c not in ordered]


class Comparison:
    def __init__(self, archive: Path) -> None:
        self.v1, self.v1_years, self.v1_columns = load_v1(archive)
        self.v2 = run_v2()
        self.rows = list(HEADLINE) + coexistence_columns(self.v1_columns)

    def value(self, version: str, profile: str, scenario: str, name: str, year: int) -> float:
        if version == "v1":
            table = self.v1.get(f"scenario/{profile}/{scenario}")
            if table is None or year not in self.v1_years:
                return float("nan")
            series = v1_series(table, self.v1_columns, name)
            return float("nan") if series is None else float(series[self.v1_years.index(year)])
        years = [int(y) for y in self.v2[profile]["_years"]]
        if name not in ALL_COLUMNS or year not in years or scenario not in self.v2[profile]:
            return float("nan")
        return float(self.v2[profile][scenario][years.index(year), ALL_COLUMNS.index(name)])

    def label(self, name: str) -> str:
        label = LABELS.get(name, f"`{name}`")
        sample = next(iter(self.v1.values()))
        if name not in self.v1_columns and v1_series(sample, self.v1_columns, name) is not None:
            label += " ¹"
        return label

    def table(self, profile: str, scenario: str, years: tuple[int, ...]) -> list[str]:
        head = "| output | " + " | ".join(f"{y} v1 | {y} v2 | {y} change" for y in years) + " |"
        lines = [head, "|---|" + "---:|" * (3 * len(years))]
        for name in self.rows:
            cells = []
            for y in years:
                a = self.value("v1", profile, scenario, name, y)
                b = self.value("v2", profile, scenario, name, y)
                cells += [_fmt(a), _fmt(b), _fmt_change(b - a)]
            lines.append(f"| {self.label(name)} | " + " | ".join(cells) + " |")
        return lines

    def effects(self, profile: str, year: int) -> list[str]:
        scenarios = [n for n in bundled_names() if n != "baseline"]
        head = "| scenario | " + " | ".join(f"`{n}` v1 → v2" for n in EFFECTS) + " |"
        lines = [head, "|---|" + "---:|" * len(EFFECTS)]
        for sc in scenarios:
            cells = []
            for name in EFFECTS:
                d = []
                for version in ("v1", "v2"):
                    s = self.value(version, profile, sc, name, year)
                    b = self.value(version, profile, "baseline", name, year)
                    d.append(_fmt_change(s - b))
                cells.append(f"{d[0]} → {d[1]}")
            lines.append(f"| `{sc}` | " + " | ".join(cells) + " |")
        return lines


def index_equations() -> list[str]:
    table = build_table()
    return [
        f"- `{v.name} = {v.eqn}`"
        for v in table.variables
        if v.sector == "coexistence" and v.kind in ("aux", "flow", "stock")
    ]


def render(cmp: Comparison) -> str:
    scenarios = bundled_names()
    params = {p: get_profile(p).bundled_params_file for p in PROFILES}
    created = {}
    for p in PROFILES:
        meta = get_profile(p).parameter_set(params[p]).meta or {}
        created[p] = meta.get("created", "unknown date") if isinstance(meta, dict) else "?"
    out = [
        "# What changed in the model's outputs: v1 (before issue 12) against v2",
        "",
        "<!-- Generated by benchmarks/compare_versions.py; do not edit by hand. -->",
        "",
        "*Generated by `python benchmarks/compare_versions.py`; do not edit by hand.* "
        "Rerun it after any change to the model, its bundled parameter sets or the "
        "bundled scenarios (`--check` says whether this file is stale).",
        "",
        "- **v1**: the model before issue 12, archived in "
        "[docs/data/outputs_v1.npz](data/outputs_v1.npz) "
        "(commit `c41b0bb`; [docs/data/README.md](data/README.md)).",
        "- **v2**: the model in this tree, with each profile's bundled calibrated "
        "parameter set ("
        + "; ".join(
            f"{p}: `src/smesim/data/params/{params[p].name}`, fitted {created[p]}" for p in PROFILES
        )
        + ").",
        "- **change** = v2 − v1, in the output's unit: points for shares, ratios and indices.",
        "- ¹ v1 did not report `wage_ratio_all_firms`. Its v1 column is derived from v1's "
        "class wage ratios and employment shares, with the 500+ class at 100.",
        "",
        "Why the numbers moved is explained in [What moved and why](#what-moved-and-why), "
        "below the tables.",
        "",
        "## Contents",
        "",
        "- [Baseline at the data years](#baseline-at-the-data-years)",
        "- [Scenario effects against the baseline, 2060]"
        "(#scenario-effects-against-the-baseline-2060)",
    ]
    for p in PROFILES:
        out.append(f"- [{p.capitalize()}, scenario by scenario](#{p}-scenario-by-scenario)")
    out += ["- [What moved and why](#what-moved-and-why)", ""]

    out += [
        "## Baseline at the data years",
        "",
        "Both versions were held to the paper's 2012 and 2017 figures, each to its own "
        "reading of them (see the wage definition below).",
        "",
    ]
    for p in PROFILES:
        out += [f"### {p.capitalize()}: `baseline`", ""]
        out += cmp.table(p, "baseline", DATA_YEARS)
        out.append("")

    out += [
        "## Scenario effects against the baseline, 2060",
        "",
        "Each cell is the scenario minus the baseline in 2060, in v1 and in v2: how far a "
        "policy moves an output, which is what earlier briefs ranked the scenarios by.",
        "",
    ]
    for p in PROFILES:
        out += [f"### {p.capitalize()}", ""]
        out += cmp.effects(p, YEARS[-1])
        out.append("")

    for p in PROFILES:
        out += [f"## {p.capitalize()}, scenario by scenario", ""]
        for sc in scenarios:
            out += [f"### {p.capitalize()}: `{sc}`", ""]
            out += cmp.table(p, sc, YEARS)
            out.append("")

    out.append(WHAT_MOVED.format(start=START_YEAR))
    out += [
        "Coexistence equations in force (generated from the model declaration; "
        "`smesim doc` lists the parameters they use):",
        "",
        *index_equations(),
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--archive", type=Path, default=ARCHIVE, help="the v1 archive (.npz)")
    ap.add_argument("--out", type=Path, default=OUT, help="the markdown file to write")
    ap.add_argument("--check", action="store_true", help="exit 1 if --out is not up to date")
    args = ap.parse_args(argv)
    if not args.archive.is_file():
        print(
            f"{args.archive}: no such file (the v1 archive, see docs/data/README.md)",
            file=sys.stderr,
        )
        return 2
    text = render(Comparison(args.archive))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(
                f"{args.out} is stale: run python benchmarks/compare_versions.py", file=sys.stderr
            )
            return 1
        print(f"{args.out} is up to date")
        return 0
    atomic_write(args.out, text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
