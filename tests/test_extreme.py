"""Extreme-condition tests (Sterman, *Business Dynamics*, 2000, ch. 21).

A model is only trusted when it behaves sensibly far outside the conditions it was
fitted to.  Each case below pushes the model to an extreme and asserts the bounds the
economics allows (the constants right below, which double as their documentation):

* every lever at its lower and at its upper bound (from the lever registry), one at a
  time and all together, from the start year to :data:`MAX_END_YEAR`, both profiles;
* zero SME R&D: the flow ``rd_sme`` set to zero from :data:`ZERO_RD_FROM` on, in a
  variant of the declared model (:func:`with_equation`; generated NumPy code);
* no ageing: the exogenous 65+ share held at its start-year value.

Every case runs in one batched plan per profile and condition (levers as per-run
overrides), so the file stays fast.  The cases and bounds are written against
:data:`smesim.model.MODEL`, the lever registry and the canonical outputs, never against
today's parameter values, so they survive a redesign of the equations.
"""

from __future__ import annotations

import copy
import dataclasses
import types
from types import SimpleNamespace

import numpy as np
import pytest

from smesim.engine.codegen.numpy_backend import numpy_source
from smesim.engine.integrate import Backend, integrate
from smesim.engine.plan import RunPlan, build_plan
from smesim.engine.simulate import simulate
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import baseline_scenario
from smesim.model import INITIAL_ORDER, MODEL
from smesim.model.exogenous import Table
from smesim.model.horizon import MAX_END_YEAR, START_YEAR
from smesim.model.levers import LEVER_IDS, LEVERS
from smesim.model.outputs import ALL_COLUMNS, BY_ID, CANONICAL
from smesim.model.spec import Model

PROFILES = ("korea", "japan")

# ---- the bounds the economics allows ---------------------------------------------------------
#: Shares (% of a total) and indices (0-100) cannot leave [0, 100].  The wage and
#: productivity ratios (large firms = 100) are included: the model forms their targets on
#: odds, so they stay below the large-firm level by construction, as in every figure of
#: Park (2019).  R&D per researcher is a ratio that may exceed 100 and is bounded below.
SHARES_AND_INDICES: tuple[str, ...] = tuple(
    s
    for s in CANONICAL
    if BY_ID[s].unit in ("%", "index 0-100") and s != "rd_per_researcher_ratio_sme"
)
#: The SME share of business R&D stays strictly inside (0, 100) while SMEs do any R&D:
#: neither SMEs nor large firms stop doing R&D at any lever setting.
RD_SHARE_BOUNDS = (0.0, 100.0)
#: SME R&D per researcher over large firms' (large = 100): positive while SMEs do R&D, and
#: at most 300 -- three times large firms' spending per researcher, beyond anything
#: observed (Korea 44.7 -> 27.6 in Table 6; the issue found Japan's path reaching 265 as a
#: symptom of unbounded loops).
RD_PER_RESEARCHER_BOUNDS = (0.0, 300.0)
#: SME operating margin on value added: between the model's floor and cap parameters when
#: it declares them (a parameter named like ``*margin*floor*`` / ``*margin*cap*``), else
#: (-1, 1): costs cannot exceed twice value added, and no firm keeps more than all of it.
MARGIN_DEFAULT_BOUNDS = (-1.0, 1.0)
#: The SME share of employment must not collapse: it stays above this fraction of its
#: start-year value (90.5 % in Korea; SMEs employ most people in every OECD economy).
EMPLOYMENT_SHARE_FLOOR = 0.5
#: The size classes partition employment: their shares sum to 100 (mass balance).
SIZE_CLASSES: tuple[str, ...] = tuple(
    s for s in CANONICAL if s.startswith("employment_share_") and s != "employment_share_sme"
)
MASS_BALANCE_TOL = 1e-9
#: Zero SME R&D from this year on (the default policy start: history first, then the shock).
ZERO_RD_FROM = 2026
#: With zero SME R&D, SME relative productivity may go on rising for a year or two (it
#: lags its target by its adjustment time, about 3 years), but within this many years it is
#: below its value at the switch and stays there to 2100; it is below the run with SME R&D
#: in every year after the switch, further below it for the first years (SME knowledge per
#: worker falls toward the catch-up floor), and it stays positive
#: (technology diffusion from large firms and the skills of the workforce remain).
ZERO_RD_DECLINE_WITHIN = 10
#: The gap to the run with SME R&D widens every year for at least this many years (then
#: productivity's lag and catch-up diffusion may pause it briefly before it widens again).
ZERO_RD_WIDENING_YEARS = 5
#: After that the gap to the run with SME R&D may narrow a little (that run's SME R&D
#: shrinks too), but at least this fraction of the relative loss reached by then remains
#: (with the bundled sets about 0.66 for Korea and 0.58 for Japan under baseline levers).
ZERO_RD_LOSS_KEPT = 0.5
#: The exogenous input held at its start value in the no-ageing case.
AGEING = "population_65plus_share"


def margin_bounds(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-run floor and cap of the SME margin (see :data:`MARGIN_DEFAULT_BOUNDS`)."""
    names = MODEL.param_names
    lo, hi = (np.full(params.shape[0], b) for b in MARGIN_DEFAULT_BOUNDS)
    for j, name in enumerate(names):
        if "margin" in name and "floor" in name:
            lo = params[:, j]
        if "margin" in name and ("cap" in name or "ceiling" in name):
            hi = params[:, j]
    return lo, hi


# ---- cases ----------------------------------------------------------------------------------
def lever_cases(profile) -> tuple[list[str], dict[str, np.ndarray]]:
    """Labels and per-run lever values: the baseline, each lever at each end, all at each."""
    base = {lv.id: profile.baseline_levers.get(lv.id, lv.baseline) for lv in LEVERS}
    rows = [("baseline levers", dict(base))]
    for end in ("lower", "upper"):
        for lv in LEVERS:
            rows.append((f"{lv.id} at its {end} bound", base | {lv.id: getattr(lv, end)}))
        rows.append((f"every lever at its {end} bound", {lv.id: getattr(lv, end) for lv in LEVERS}))
    labels = [r[0] for r in rows]
    values = {lid: np.array([r[1][lid] for r in rows]) for lid in LEVER_IDS}
    return labels, values


def lever_plan(profile, labels, values) -> RunPlan:
    """The baseline scenario with every case as a run; levers from the start year to 2100."""
    many = profile.parameter_set().run(0).with_values([], np.empty((len(labels), 0)))
    return build_plan(
        baseline_scenario(), profile, many, until=MAX_END_YEAR, lever_overrides=values
    )


def without_ageing(profile):
    """The profile with the 65+ share held at its start-year value."""
    table = profile.exogenous[AGEING]
    start = float(np.interp(START_YEAR, table.years, table.values))
    held = Table(AGEING, table.unit, (START_YEAR,), (start,), "held at its start value (test)")
    return dataclasses.replace(profile, exogenous={**profile.exogenous, AGEING: held})


def with_equation(model: Model, name: str, eqn: str, outputs: tuple[str, ...] = ()) -> Model:
    """A copy of ``model`` with ``name``'s equation replaced by ``eqn`` (and ``outputs``
    reported after the model's own), checked and sorted as the model itself is."""
    sectors = []
    found = False
    for sector in model.sectors:
        new = copy.copy(sector)
        new.equations = [
            dataclasses.replace(e, eqn=eqn) if e.name == name else e for e in sector.equations
        ]
        found |= any(e.name == name for e in sector.equations)
        sectors.append(new)
    assert found, f"{name} is not an equation of the model"
    by_name = {s.name: s for s in sectors}
    variant = Model(
        sectors,
        levers=model.levers,
        outputs=(*model.outputs, *outputs),
        name=f"{model.name}_variant",
        initial_order=[by_name[s.name] for s in INITIAL_ORDER],
    )
    assert variant.param_names == model.param_names
    return variant


def numpy_backend(model: Model) -> Backend:
    """The generated NumPy code of ``model``, imported (no compiled kernel)."""
    module = types.ModuleType(f"{model.name}_numpy")
    exec(compile(numpy_source(model), module.__name__, "exec"), module.__dict__)
    return Backend(model, module, SimpleNamespace(blocks_kernel=None))


def run_variant(plan: RunPlan, backend: Backend) -> np.ndarray:
    """The plan's first scenario on another model: outputs (runs, years, outputs)."""
    ov = plan.overrides
    return integrate(
        plan.params,
        plan.levers[0][:, :, None],
        plan.t,
        plan.steps_per_year,
        plan.exogenous,
        plan.baseline_levers[:, None],
        backend="numpy",
        overrides=None if ov is None else (ov.values, ov.mask, ov.first_step),
        model_backend=backend,
    )


# ---- the bounds, checked ---------------------------------------------------------------------
def violations(
    data: np.ndarray,
    columns: tuple[str, ...],
    labels: list[str],
    params: np.ndarray,
    years: np.ndarray,
    *,
    sme_rd: bool = True,
) -> list[str]:
    """Every bound a case breaks, worst year first, with how far (empty: all hold).

    ``data``: (runs, years, columns).  ``sme_rd=False``: the R&D bounds do not apply
    (SMEs do no R&D, so their share and R&D per researcher are zero by definition).
    """
    col = {c: j for j, c in enumerate(columns)}
    out: list[str] = []

    def check(case: int, what: str, bad: np.ndarray, values: np.ndarray, bound: str) -> None:
        """Record a breach: the years, the first, and the worst value (lowest for a lower
        bound, stated with '>', else highest)."""
        if bad.any():
            i = int(np.argmax(bad))
            worst = values[bad].min() if bound.startswith(">") else values[bad].max()
            out.append(
                f"{labels[case]}: {what} {bound}: broken in {int(bad.sum())} years from "
                f"{int(years[i])} ({values[i]:.6g}); worst {worst:.6g}"
            )

    floor, cap = margin_bounds(params)
    for r in range(data.shape[0]):
        d = data[r]
        finite = np.isfinite(d).all(axis=0)
        for j in np.flatnonzero(~finite):
            check(r, columns[j], ~np.isfinite(d[:, j]), d[:, j], "finite")
        if not finite.all():
            continue
        for s in SHARES_AND_INDICES:
            v = d[:, col[s]]
            check(r, s, v < 0, v, ">= 0")
            check(r, s, v > 100, v, "<= 100")
        if sme_rd:
            v = d[:, col["rd_share_sme"]]
            check(r, "rd_share_sme", v <= RD_SHARE_BOUNDS[0], v, "> 0")
            check(r, "rd_share_sme", v >= RD_SHARE_BOUNDS[1], v, "< 100")
            v = d[:, col["rd_per_researcher_ratio_sme"]]
            check(r, "rd_per_researcher_ratio_sme", v <= RD_PER_RESEARCHER_BOUNDS[0], v, "> 0")
            check(r, "rd_per_researcher_ratio_sme", v > RD_PER_RESEARCHER_BOUNDS[1], v, "<= 300")
        v = d[:, col["margin_sme"]]
        check(r, "margin_sme", v < floor[r] - 1e-12, v, f">= floor {floor[r]:g}")
        check(r, "margin_sme", v > cap[r], v, f"<= cap {cap[r]:g}")
        v = d[:, col["employment_share_sme"]]
        check(r, "employment_share_sme", v <= EMPLOYMENT_SHARE_FLOOR * v[0], v, "> half its start")
        total = d[:, [col[s] for s in SIZE_CLASSES]].sum(axis=1)
        check(r, "size-class shares", np.abs(total - 100) > MASS_BALANCE_TOL, total, "sum 100")
    return out


def assert_bounds(data, columns, labels, params, years, **kw) -> None:
    bad = violations(data, columns, labels, params, years, **kw)
    assert not bad, f"{len(bad)} bounds broken:\n" + "\n".join(bad)


# ---- tests -----------------------------------------------------------------------------------
def test_the_horizon_reaches_2100_and_the_cases_cover_every_lever():
    assert MAX_END_YEAR >= 2100
    labels, values = lever_cases(get_profile("korea"))
    assert len(labels) == 1 + 2 * (len(LEVERS) + 1)
    assert set(values) == set(LEVER_IDS)
    for lv in LEVERS:
        assert {lv.lower, lv.upper} <= set(values[lv.id])
    assert set(SIZE_CLASSES) < set(SHARES_AND_INDICES) and len(SIZE_CLASSES) >= 2
    assert "rd_share_sme" in SHARES_AND_INDICES and "margin_sme" in ALL_COLUMNS


def test_the_checks_catch_what_they_state():
    """The bound checker itself: a clean case passes, each kind of breach is named."""
    labels, values = lever_cases(get_profile("korea"))
    res = simulate(
        lever_plan(get_profile("korea"), labels[:1], {k: v[:1] for k, v in values.items()})
    )
    data = res.outputs()[:, :20].copy()
    years = res.years[:20]
    params = res.plan.params.values
    cols = tuple(ALL_COLUMNS)
    assert violations(data, cols, labels[:1], params, years) == []
    broken = np.repeat(data, 4, axis=0)
    broken[0, 5, cols.index("wage_ratio_sme")] = np.nan
    broken[1, 7:, cols.index("rd_share_sme")] = 0.0
    broken[2, 9, cols.index("employment_share_1_4")] += 1.0
    broken[3, 3:, cols.index("rd_per_researcher_ratio_sme")] = 301.0
    found = violations(broken, cols, ["a", "b", "c", "d"], np.repeat(params, 4, 0), years)
    assert [f.split(":")[0] for f in found] == ["a", "b", "c", "d"]
    assert "wage_ratio_sme finite" in found[0] and "rd_share_sme > 0" in found[1]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_lever_at_its_bounds_to_2100(profile):
    prof = get_profile(profile)
    labels, values = lever_cases(prof)
    res = simulate(lever_plan(prof, labels, values))
    assert res.years[-1] == MAX_END_YEAR
    assert_bounds(res.outputs(), ALL_COLUMNS, labels, res.plan.params.values, res.years)


@pytest.mark.parametrize("profile", PROFILES)
def test_no_ageing_every_lever_at_its_bounds_to_2100(profile):
    prof = without_ageing(get_profile(profile))
    labels, values = lever_cases(prof)
    res = simulate(lever_plan(prof, labels, values))
    ageing = res.series(AGEING)
    assert np.ptp(ageing) == 0  # held
    assert_bounds(res.outputs(), ALL_COLUMNS, labels, res.plan.params.values, res.years)
    # ageing erodes SME skills and so productivity: without it SMEs end no worse off
    base = simulate(
        lever_plan(get_profile(profile), labels[:1], {k: v[:1] for k, v in values.items()})
    )
    prod = "productivity_ratio_sme"
    assert res.series(prod)[0, -1] >= base.series(prod)[0, -1]


@pytest.fixture(scope="module")
def zero_rd_model() -> Backend:
    """The model with ``rd_sme = 0`` from :data:`ZERO_RD_FROM` on; reports ``knowledge_sme``."""
    rd = MODEL.by_name["rd_sme"]
    assert rd.kind in ("flow", "aux")
    variant = with_equation(
        MODEL,
        "rd_sme",
        f"IF TIME >= {ZERO_RD_FROM} THEN 0 ELSE ({rd.eqn})",
        outputs=("knowledge_sme",),
    )
    return numpy_backend(variant)


def test_the_variant_model_is_the_model_until_the_switch(zero_rd_model):
    prof = get_profile("korea")
    plan = build_plan(baseline_scenario(), prof, prof.parameter_set(), until=ZERO_RD_FROM + 2)
    ours = simulate(plan, backend="numpy").outputs()
    variant = run_variant(plan, zero_rd_model)
    n = len(ALL_COLUMNS)
    before = plan.years < ZERO_RD_FROM
    np.testing.assert_array_equal(variant[:, before, :n], ours[:, before])
    stocks = [ALL_COLUMNS.index(s) for s in MODEL.stock_names if s in ALL_COLUMNS]
    at = plan.years == ZERO_RD_FROM  # the stocks reach the switch year unchanged
    np.testing.assert_array_equal(variant[:, at][..., stocks], ours[:, at][..., stocks])
    assert (variant[:, plan.years > ZERO_RD_FROM, ALL_COLUMNS.index("rd_share_sme")] == 0).all()


@pytest.mark.parametrize("profile", PROFILES)
def test_zero_sme_rd_productivity_declines_and_stays_positive(profile, zero_rd_model):
    """SMEs stop all R&D from :data:`ZERO_RD_FROM` (baseline levers, every lever at its
    lower and at its upper bound, to 2100).

    What the economics requires is relative: SME productivity falls below the run with
    SME R&D, and further below it year after year while SME knowledge depreciates.  It
    does not fall toward zero, and the SME knowledge *stock* need not fall at all: the
    v2 catch-up loop (:mod:`smesim.model.knowledge`) lets SMEs absorb a share of the gap
    between ``absorbable_knowledge_share`` of large firms' knowledge per worker and their
    own, so their knowledge per worker relative to large firms (``knowledge_ratio``)
    falls to a diffusion-only floor within about ``1 / (catch-up + depreciation)`` years
    and stays there.  The stock is that floor times large firms' knowledge per worker
    times SME employment, and SME employment grows when low SME productivity slows
    scale-up (with the bundled Korea calibration and every lever at its lower bound, the
    500+ share falls from about 9 to about 6 % by 2100, so the SME stock ends above its
    2026 value while knowledge per worker is about a fifth lower).  Once knowledge per
    worker sits at the floor the relative loss stops widening; it may narrow a little,
    because SME R&D in the run with R&D keeps shrinking too (the baseline divergence), but
    most of it is permanent.
    """
    prof = get_profile(profile)
    labels, values = lever_cases(prof)
    keep = [0, labels.index("every lever at its lower bound"), len(labels) - 1]
    labels = [f"zero SME R&D, {labels[i]}" for i in keep]
    plan = lever_plan(prof, labels, {k: v[keep] for k, v in values.items()})
    data = run_variant(plan, zero_rd_model)
    cols = zero_rd_model.model.outputs
    years = plan.years
    after = years >= ZERO_RD_FROM
    # the R&D bounds do not apply: SMEs do no R&D by construction
    assert (data[:, years > ZERO_RD_FROM, cols.index("rd_share_sme")] == 0).all()
    assert_bounds(data, cols, labels, plan.params.values, years, sme_rd=False)
    prod = data[:, after, cols.index("productivity_ratio_sme")]
    knowledge = data[:, after, cols.index("knowledge_sme")]
    per_worker = data[:, after, cols.index("knowledge_ratio")]
    assert (prod > 0).all() and (knowledge > 0).all()
    late = years[after] >= ZERO_RD_FROM + ZERO_RD_DECLINE_WITHIN
    above = (prod[:, late] >= prod[:, :1]).any(axis=1)
    assert not above.any(), [labels[i] for i in np.flatnonzero(above)]
    # knowledge per worker relative to large firms: below the switch year's from then on
    assert (per_worker[:, 1:] < per_worker[:, :1]).all()
    # below the same runs with SME R&D in every year after the switch ...
    normal = simulate(plan).outputs()[:, after]
    normal_prod = normal[..., ALL_COLUMNS.index("productivity_ratio_sme")]
    assert (prod[:, 1:] < normal_prod[:, 1:]).all()
    assert (per_worker[:, 1:] < normal[:, 1:, ALL_COLUMNS.index("knowledge_ratio")]).all()
    # ... further below it every year for ZERO_RD_WIDENING_YEARS years ...
    relative = prod / normal_prod
    widening = relative[:, : ZERO_RD_WIDENING_YEARS + 1]
    assert (np.diff(widening, axis=1) < 0).all(), labels
    # ... and most of that loss is permanent: catch-up stops the widening, never undoes it
    loss = 1 - relative
    kept = (
        loss[:, late]
        >= ZERO_RD_LOSS_KEPT * loss[:, ZERO_RD_DECLINE_WITHIN : ZERO_RD_DECLINE_WITHIN + 1]
    )
    assert kept.all(), [labels[i] for i in np.flatnonzero(~kept.all(axis=1))]
