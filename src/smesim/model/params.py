"""Every model parameter in one place: value, unit, bounds, status, source.

Status is one of

``data``
    fixed to a published figure (an initial condition read off the paper's
    tables); the source names the table.
``calibrated``
    free in calibration (``smesim calibrate``).  The value below is the
    *first estimate* used before any calibration has run; the parameter set
    in ``calibration/params/<profile>.toml`` overrides it and records the data
    it was fitted to.  ``prior`` and ``prior_sd`` are the regularisation the
    calibration applies (the data are thin: a handful of points per series).
``assumed``
    never fitted; a documented assumption with its reason.  Outputs that
    depend on assumed parameters say so in the run manifest.

A *parameter set* maps names to values; :class:`ParameterSet` validates it
against this registry (unknown name, non-finite value, out of bounds are
errors, never clipped) and hands the model one array per parameter with a
leading run axis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from smesim.errors import ParameterError, located


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes
    ----------
    name : str
        Identifier used in parameter-set files and in the equations.
    value : float
        Default (first-estimate or assumed) value.
    unit : str
        Unit, in the notation of the model reference ('1' = dimensionless).
    lower, upper : float
        Admissible range; values outside are rejected.
    status : {'data', 'calibrated', 'assumed'}
    source : str
        Where the value comes from, or the reason for the assumption.
    sector : str
        The model sector (module in :mod:`smesim.model`) that uses it.
    prior, prior_sd : float or None
        Regularisation centre and spread for calibrated parameters.
    """

    name: str
    value: float
    unit: str
    lower: float
    upper: float
    status: str
    source: str
    sector: str
    prior: float | None = None
    prior_sd: float | None = None

    def __post_init__(self) -> None:
        if self.status not in {"data", "calibrated", "assumed"}:
            raise ValueError(f"parameter {self.name!r}: bad status {self.status!r}")
        if not self.lower <= self.value <= self.upper:
            raise ValueError(f"parameter {self.name!r}: default outside bounds")


def _p(name, value, unit, lower, upper, status, sector, source, prior=None, prior_sd=None):
    return Parameter(
        name,
        float(value),
        unit,
        float(lower),
        float(upper),
        status,
        source,
        sector,
        None if prior is None else float(prior),
        None if prior_sd is None else float(prior_sd),
    )


_T4 = "Table 4 (Noh 2019b), Korea 2012"
_INIT = (
    "; the published 2012 figure is the prior centre with a wide sd (5 points), and "
    "the 2012 data point of the releases pins the estimate, so a release revising the "
    "2012 figure moves the initial state"
)
_EMP = (
    "assumed: 2012 class shares chosen so that (i) the SME total is 90.5 % "
    "(Table 1 text, 2019 H1) and (ii) the employment-weighted mean of Table 4's "
    "2012 class wage ratios equals its all-SME ratio 56.7; within-SME weights "
    "0.19/0.15/0.41/0.25 (1-4/5-9/10-99/100-499)"
)

#: The registry.  Order is the column order of parameter arrays.
PARAMETERS: tuple[Parameter, ...] = (
    # ---- initial state (2012) -------------------------------------------------
    _p(
        "init_wage_ratio_1_4",
        33.7,
        "%",
        1,
        99,
        "calibrated",
        "wages",
        _T4 + _INIT,
        prior=33.7,
        prior_sd=5.0,
    ),
    _p(
        "init_wage_ratio_5_9",
        50.7,
        "%",
        1,
        99,
        "calibrated",
        "wages",
        _T4 + _INIT,
        prior=50.7,
        prior_sd=5.0,
    ),
    _p(
        "init_wage_ratio_10_99",
        59.8,
        "%",
        1,
        99,
        "calibrated",
        "wages",
        _T4 + _INIT,
        prior=59.8,
        prior_sd=5.0,
    ),
    _p(
        "init_wage_ratio_100_499",
        72.6,
        "%",
        1,
        99,
        "calibrated",
        "wages",
        _T4 + _INIT,
        prior=72.6,
        prior_sd=5.0,
    ),
    _p("init_employment_share_1_4", 17.195, "%", 0.1, 80, "assumed", "firm_size", _EMP),
    _p("init_employment_share_5_9", 13.575, "%", 0.1, 80, "assumed", "firm_size", _EMP),
    _p("init_employment_share_10_99", 37.105, "%", 0.1, 80, "assumed", "firm_size", _EMP),
    _p("init_employment_share_100_499", 22.625, "%", 0.1, 80, "assumed", "firm_size", _EMP),
    _p(
        "init_rd_share_sme",
        25.8,
        "%",
        5,
        60,
        "calibrated",
        "rd_policy",
        "Table 6, SME share of business R&D 2012" + _INIT + "; bounds: below ~4 % the 2012 "
        "support settings alone exceed the share",
        prior=25.8,
        prior_sd=5.0,
    ),
    _p(
        "init_rd_per_researcher_ratio_sme",
        36.7,
        "%",
        5,
        95,
        "calibrated",
        "rd_policy",
        "Table 6, SME R&D per researcher (large = 100) 2012" + _INIT,
        prior=36.7,
        prior_sd=5.0,
    ),
    _p(
        "init_productivity_ratio_sme",
        36.5,
        "%",
        10,
        90,
        "calibrated",
        "knowledge",
        "no 2012 figure in the paper; fitted to the 32.4 % of the text (year uncertain, "
        "taken as 2017) through the model's dynamics",
        prior=34.0,
        prior_sd=3.0,
    ),
    _p(
        "init_export_share_sme",
        19.0,
        "%",
        5,
        60,
        "calibrated",
        "exports",
        "no 2012 figure in the paper; fitted to Table 1 2015-2019",
        prior=19.0,
        prior_sd=2.0,
    ),
    _p(
        "init_capital_region_grp_share",
        49.8,
        "%",
        20,
        80,
        "assumed",
        "regions",
        "assumed: 1.5 points below the paper's 51.3 % (2017), i.e. the slow rise of the "
        "2010s; not a published 2012 figure",
    ),
    _p(
        "init_capital_region_population_share",
        49.3,
        "%",
        20,
        80,
        "assumed",
        "regions",
        "assumed: 0.7 points below the paper's 50 % (2019), i.e. the slow rise of the 2010s",
    ),
    _p(
        "init_capital_region_startup_share",
        53.0,
        "%",
        20,
        90,
        "assumed",
        "regions",
        "assumed: the paper's 'about 53 %' of startups held at its 2012 value",
    ),
    # ---- knowledge & productivity ---------------------------------------------
    _p(
        "knowledge_depreciation_rate",
        0.15,
        "1/yr",
        0.05,
        0.4,
        "assumed",
        "knowledge",
        "assumed: 15 %/yr, the conventional business R&D depreciation rate (BEA/OECD practice)",
    ),
    _p(
        "init_knowledge_excess_sme",
        1.1,
        "1",
        0.8,
        2.0,
        "calibrated",
        "knowledge",
        "SME knowledge stock in 2012 relative to the steady state of 2012 SME R&D (> 1: "
        "built when SMEs' R&D share was higher, 26.6 % in 2007, Table 6)",
        prior=1.1,
        prior_sd=0.15,
    ),
    _p(
        "knowledge_productivity_elasticity",
        0.56,
        "1",
        0.0,
        2.0,
        "calibrated",
        "knowledge",
        "elasticity of SME productivity odds to the knowledge-per-worker ratio; "
        "fitted (prior 0.5 from R&D capital elasticities of 0.1-0.3 on levels)",
        prior=0.5,
        prior_sd=0.25,
    ),
    _p(
        "productivity_target_2012",
        32.0,
        "%",
        10,
        90,
        "calibrated",
        "knowledge",
        "the SME productivity ratio the 2012 knowledge, skills and market conditions "
        "support; below the initial ratio means the divergence engine is running",
        prior=32.0,
        prior_sd=4.0,
    ),
    _p(
        "productivity_adjustment_time",
        3.4,
        "yr",
        0.5,
        15,
        "calibrated",
        "knowledge",
        "lag of relative productivity behind its target",
        prior=3.0,
        prior_sd=1.5,
    ),
    _p(
        "knowledge_spillover_rate",
        0.02,
        "1/yr",
        0.0,
        0.04,
        "assumed",
        "knowledge",
        "assumed: share of large firms' knowledge (scaled to the SME workforce at the 2012 "
        "relative level) that SMEs absorb each year through supply chains, labour mobility "
        "and imitation; bounds how far SME knowledge can fall (a floor near "
        "rate / depreciation of the 2012 ratio); upper bound 0.04 keeps it below the "
        "lowest admissible depreciation rate",
    ),
    _p(
        "diffusion_spillover_effect",
        1.0,
        "1",
        0.0,
        5.0,
        "assumed",
        "knowledge",
        "assumed: proportional rise of the spillover rate per unit of the tech_diffusion "
        "lever above its baseline",
    ),
    _p(
        "tech_diffusion_effect",
        0.5,
        "1",
        0.0,
        3.0,
        "assumed",
        "knowledge",
        "assumed: log-odds gain of SME productivity per unit of the tech_diffusion lever "
        "(full diffusion vs baseline 0.2 raises the productivity target ~4 points)",
    ),
    _p(
        "skills_productivity_elasticity",
        0.5,
        "1",
        0.0,
        2.0,
        "assumed",
        "knowledge",
        "assumed: elasticity of SME productivity odds to the SME skills index",
    ),
    # ---- R&D and policy ------------------------------------------------------
    _p(
        "labour_share_large",
        0.45,
        "1",
        0.2,
        0.8,
        "assumed",
        "rd_policy",
        "assumed: labour income share of large firms' value added (~0.4-0.5 in Korean "
        "national accounts for large corporations)",
    ),
    _p(
        "appropriation_rate_2012",
        0.05,
        "1",
        0.0,
        0.3,
        "assumed",
        "rd_policy",
        "assumed: share of SME value added captured by large buyers through unfair "
        "subcontracting terms in 2012 (the paper names it, gives no figure)",
    ),
    _p(
        "fair_trade_appropriation_effect",
        0.8,
        "1",
        0.0,
        1.0,
        "assumed",
        "rd_policy",
        "assumed: share of appropriation removed by full fair-trade enforcement",
    ),
    _p(
        "rd_margin_elasticity",
        0.25,
        "1",
        0.0,
        5.0,
        "calibrated",
        "rd_policy",
        "elasticity of R&D intensity to the operating margin (success to the successful)",
        prior=1.5,
        prior_sd=1.0,
    ),
    _p(
        "absorptive_capacity_elasticity",
        0.64,
        "1",
        0.0,
        3.0,
        "calibrated",
        "rd_policy",
        "elasticity of SME R&D intensity to relative knowledge per worker: firms that fall "
        "behind earn less from R&D (absorptive capacity, Cohen & Levinthal 1990)",
        prior=0.8,
        prior_sd=0.5,
    ),
    _p(
        "researcher_cost_margin_elasticity",
        1.3,
        "1",
        0.0,
        5.0,
        "calibrated",
        "rd_policy",
        "elasticity of SMEs' desired R&D spend per researcher to their margin",
        prior=1.0,
        prior_sd=1.0,
    ),
    _p(
        "researcher_adjustment_time",
        3.0,
        "yr",
        0.5,
        15,
        "calibrated",
        "rd_policy",
        "lag of researcher head-count behind the R&D budget",
        prior=3.0,
        prior_sd=1.5,
    ),
    _p(
        "subsidy_additionality",
        1.0,
        "1",
        0.0,
        2.0,
        "assumed",
        "rd_policy",
        "assumed: 1 won of direct subsidy adds 1 won of R&D (OECD reviews find "
        "additionality around 1, neither crowding out nor in)",
    ),
    _p(
        "tax_additionality",
        0.6,
        "1",
        0.0,
        2.0,
        "assumed",
        "rd_policy",
        "assumed: tax incentives less additional than grants (bang-for-the-buck "
        "estimates below 1 in OECD reviews)",
    ),
    _p(
        "sme_share_of_subsidy",
        0.6,
        "1",
        0.0,
        1.0,
        "assumed",
        "rd_policy",
        "assumed: share of direct R&D subsidy reaching SMEs (Korean programmes are "
        "SME-targeted; Table 3 lists 17 R&D programmes)",
    ),
    _p(
        "sme_share_of_tax_incentive",
        0.25,
        "1",
        0.0,
        1.0,
        "assumed",
        "rd_policy",
        "assumed: share of R&D tax incentives claimed by SMEs (credits scale with R&D "
        "spent, which large firms dominate)",
    ),
    _p(
        "green_cost_to_sme_margin",
        0.02,
        "1",
        0.0,
        0.2,
        "assumed",
        "rd_policy",
        "assumed: SME margin cost of a full green transition relative to baseline",
    ),
    # ---- wages -----------------------------------------------------------------
    _p(
        "wage_productivity_elasticity",
        0.76,
        "1",
        0.0,
        2.0,
        "calibrated",
        "wages",
        "elasticity of relative-wage odds to relative productivity",
        prior=0.7,
        prior_sd=0.3,
    ),
    _p(
        "wage_adjustment_time",
        4.0,
        "yr",
        0.5,
        20,
        "calibrated",
        "wages",
        "lag of relative wages behind their target",
        prior=4.0,
        prior_sd=2.0,
    ),
    _p(
        "wage_target_2012",
        0.93,
        "1",
        0.5,
        1.5,
        "calibrated",
        "wages",
        "odds multiplier of the 2012 wage target against 2012 wages (1 = wages in line "
        "with productivity in 2012)",
        prior=1.0,
        prior_sd=0.1,
    ),
    _p(
        "viable_sme_margin",
        0.10,
        "1",
        0.0,
        0.3,
        "assumed",
        "wages",
        "assumed: the lowest operating margin SMEs accept before wage targets give way "
        "(ability to pay); inactive in 2012-2019, where SME margins are about 0.2",
    ),
    _p(
        "fair_trade_wage_effect",
        0.15,
        "1",
        0.0,
        1.0,
        "assumed",
        "wages",
        "assumed: log-odds gain of SME wage targets per unit of fair-trade enforcement "
        "(bargaining position in subcontracting)",
    ),
    # ---- firm size -------------------------------------------------------------
    _p(
        "scale_up_rate_1_4",
        0.04,
        "1/yr",
        0.0,
        0.3,
        "assumed",
        "firm_size",
        "assumed: share of 1-4 employment moving up a class each year",
    ),
    _p(
        "scale_up_rate_5_9",
        0.05,
        "1/yr",
        0.0,
        0.3,
        "assumed",
        "firm_size",
        "assumed: share of 5-9 employment moving up a class each year",
    ),
    _p(
        "scale_up_rate_10_99",
        0.02,
        "1/yr",
        0.0,
        0.3,
        "assumed",
        "firm_size",
        "assumed: share of 10-99 employment moving up a class each year",
    ),
    _p(
        "scale_up_rate_100_499",
        0.01,
        "1/yr",
        0.0,
        0.3,
        "assumed",
        "firm_size",
        "assumed: share of 100-499 employment moving into 500+ each year",
    ),
    _p(
        "scale_up_support_effect",
        1.0,
        "1",
        0.0,
        5.0,
        "assumed",
        "firm_size",
        "assumed: proportional rise of scale-up rates per unit of scale_up_support",
    ),
    _p(
        "scale_up_productivity_elasticity",
        1.0,
        "1",
        0.0,
        3.0,
        "assumed",
        "firm_size",
        "assumed: elasticity of scale-up rates to SME relative productivity",
    ),
    # ---- exports ---------------------------------------------------------------
    _p(
        "export_target_2012",
        19.9,
        "%",
        5,
        60,
        "calibrated",
        "exports",
        "SME export share the 2012 productivity supports",
        prior=18.5,
        prior_sd=2.0,
    ),
    _p(
        "export_productivity_elasticity",
        1.3,
        "1",
        0.0,
        3.0,
        "calibrated",
        "exports",
        "elasticity of SME export-share odds to relative productivity",
        prior=1.0,
        prior_sd=0.5,
    ),
    _p(
        "export_adjustment_time",
        2.0,
        "yr",
        0.5,
        10,
        "assumed",
        "exports",
        "assumed: export shares adjust within two years",
    ),
    _p(
        "export_scale_up_effect",
        0.3,
        "1",
        0.0,
        2.0,
        "assumed",
        "exports",
        "assumed: log-odds gain of SME export share per unit of scale_up_support "
        "(internationalisation programmes, Table 3: 13 export programmes)",
    ),
    # ---- regions ---------------------------------------------------------------
    _p(
        "capital_region_grp_target_2012",
        51.9,
        "%",
        20,
        80,
        "calibrated",
        "regions",
        "GRP share the 2012 agglomeration pulls toward; fitted to 51.3 % (2017)",
        prior=52.0,
        prior_sd=3.0,
    ),
    _p(
        "capital_region_population_target_2012",
        50.1,
        "%",
        20,
        80,
        "calibrated",
        "regions",
        "population share the 2012 agglomeration pulls toward; fitted to 50 % (2019)",
        prior=50.5,
        prior_sd=3.0,
    ),
    _p(
        "grp_adjustment_time",
        5.0,
        "yr",
        1,
        30,
        "assumed",
        "regions",
        "assumed: GRP shares move over about five years",
    ),
    _p(
        "population_adjustment_time",
        10.0,
        "yr",
        1,
        40,
        "assumed",
        "regions",
        "assumed: migration moves population shares over about a decade",
    ),
    _p(
        "startup_adjustment_time",
        2.0,
        "yr",
        0.5,
        10,
        "assumed",
        "regions",
        "assumed: startup location responds within two years",
    ),
    _p(
        "agglomeration_population_effect",
        1.0,
        "1",
        0.0,
        3.0,
        "assumed",
        "regions",
        "assumed: elasticity of the GRP-share odds target to population-share odds",
    ),
    _p(
        "agglomeration_grp_effect",
        0.5,
        "1",
        0.0,
        3.0,
        "assumed",
        "regions",
        "assumed: elasticity of population- and startup-share odds targets to GRP-share "
        "odds (loop gain 0.5 < 1: reinforcing but not explosive)",
    ),
    _p(
        "dispersion_effect",
        0.3,
        "1",
        0.0,
        5.0,
        "assumed",
        "regions",
        "assumed: log-odds fall of capital-region targets per unit of regional_dispersion",
    ),
    # ---- human & natural ---------------------------------------------------------
    _p(
        "skills_adjustment_time",
        5.0,
        "yr",
        1,
        20,
        "assumed",
        "human_natural",
        "assumed: SME skills stock renews over about five years",
    ),
    _p(
        "training_skills_effect",
        0.3,
        "1",
        0.0,
        2.0,
        "assumed",
        "human_natural",
        "assumed: log gain of the SME skills target per unit of vocational_training",
    ),
    _p(
        "ageing_skills_effect",
        0.01,
        "1/pp",
        0.0,
        0.05,
        "assumed",
        "human_natural",
        "assumed: log loss of the SME skills target per point of 65+ share above 2012 "
        "(older workforce, SMEs' hiring difficulty)",
    ),
    _p(
        "environmental_intensity_trend",
        0.015,
        "1/yr",
        0.0,
        0.1,
        "assumed",
        "human_natural",
        "assumed: baseline fall of environmental intensity (~1.5 %/yr, the 2010s trend "
        "of Korea's GHG intensity of GDP)",
    ),
    _p(
        "green_transition_effect",
        0.06,
        "1/yr",
        0.0,
        0.3,
        "assumed",
        "human_natural",
        "assumed: extra fall of environmental intensity per unit of green_transition",
    ),
    # ---- coexistence index references ------------------------------------------
    _p(
        "reference_wage_ratio",
        88.1,
        "%",
        50,
        100,
        "data",
        "coexistence",
        "Table 4: Japan's all-SME wage ratio 2017, the paper's comparator",
    ),
    _p(
        "reference_small_firm_wage_ratio",
        65.7,
        "%",
        30,
        100,
        "data",
        "coexistence",
        "Table 5: Japan's 1-4 wage 2,270 / 500+ wage 3,455",
    ),
    _p(
        "reference_productivity_ratio",
        60.0,
        "%",
        30,
        100,
        "assumed",
        "coexistence",
        "assumed: SME productivity ratio of a 'fair economy' (OECD economies with "
        "small gaps are around 60 % or more)",
    ),
    _p(
        "reference_rd_share",
        40.0,
        "%",
        20,
        100,
        "assumed",
        "coexistence",
        "assumed: SME share of business R&D of a fair economy",
    ),
    _p(
        "balanced_capital_region_share",
        40.0,
        "%",
        20,
        60,
        "assumed",
        "coexistence",
        "assumed: capital-region share of a balanced territory (regional index = 100)",
    ),
    _p(
        "concentrated_capital_region_share",
        70.0,
        "%",
        50,
        95,
        "assumed",
        "coexistence",
        "assumed: capital-region share at which the regional index is 0",
    ),
    _p(
        "reference_skills_index",
        130.0,
        "index",
        100,
        300,
        "assumed",
        "coexistence",
        "assumed: SME skills index (2012 = 100) of equal opportunities",
    ),
    _p(
        "environmental_intensity_target",
        40.0,
        "index",
        0,
        100,
        "assumed",
        "coexistence",
        "assumed: intensity (2012 = 100) at which the natural index is 100 (a 60 % cut)",
    ),
    _p(
        "environmental_intensity_worst",
        120.0,
        "index",
        100,
        300,
        "assumed",
        "coexistence",
        "assumed: intensity at which the natural index is 0",
    ),
)

NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
CALIBRATED: tuple[str, ...] = tuple(p.name for p in PARAMETERS if p.status == "calibrated")


def defaults() -> dict[str, float]:
    """Default values of every parameter (first estimates and assumptions)."""
    return {p.name: p.value for p in PARAMETERS}


@dataclass(frozen=True)
class ParameterSet:
    """A validated full set of parameter values for ``n_runs`` runs.

    ``values`` has shape ``(n_runs, n_parameters)`` in registry order.
    Build with :meth:`from_mapping` (one run) or :meth:`from_rows`.
    """

    values: np.ndarray
    source: str = "defaults"
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=float)
        if v.ndim != 2 or v.shape[1] != len(PARAMETERS):
            raise ParameterError(
                f"parameter array must have shape (runs, {len(PARAMETERS)}) (got {v.shape})"
            )
        bad = ~np.isfinite(v)
        if bad.any():
            run, col = np.argwhere(bad)[0]
            raise ParameterError(
                located(self.source, NAMES[col], f"expected a finite number (got {v[run, col]})")
            )
        lo = np.array([p.lower for p in PARAMETERS])
        hi = np.array([p.upper for p in PARAMETERS])
        out = (v < lo) | (v > hi)
        if out.any():
            run, col = np.argwhere(out)[0]
            p = PARAMETERS[col]
            raise ParameterError(
                located(
                    self.source,
                    p.name,
                    f"expected a value in [{p.lower:g}, {p.upper:g}] {p.unit} "
                    f"(got {v[run, col]:g} in run {run})",
                )
            )
        sme_cols = [
            NAMES.index(f"init_employment_share_{c}") for c in ("1_4", "5_9", "10_99", "100_499")
        ]
        sme_total = v[:, sme_cols].sum(axis=1)
        if (sme_total >= 100).any():
            run = int(np.argmax(sme_total >= 100))
            raise ParameterError(
                located(
                    self.source,
                    "init_employment_share_*",
                    "expected the four SME class shares to sum below 100 (the 500+ class is "
                    f"the remainder) (got {sme_total[run]:g} in run {run})",
                )
            )
        object.__setattr__(self, "values", v)

    @property
    def n_runs(self) -> int:
        return self.values.shape[0]

    @classmethod
    def from_mapping(
        cls,
        overrides: Mapping[str, float] | None = None,
        source: str = "defaults",
        base: Mapping[str, float] | None = None,
        meta: Mapping[str, object] | None = None,
    ) -> ParameterSet:
        """One run: registry defaults (or ``base``) updated with ``overrides``."""
        vals = dict(base) if base is not None else defaults()
        for key, val in (overrides or {}).items():
            if key not in BY_NAME:
                raise ParameterError(
                    located(
                        source,
                        key,
                        f"unknown parameter (expected one of the {len(NAMES)} registry names)",
                    )
                )
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise ParameterError(located(source, key, f"expected a number (got {val!r})"))
            vals[key] = float(val)
        row = np.array([[vals[n] for n in NAMES]])
        return cls(row, source=source, meta=dict(meta or {}))

    def with_values(self, names: Iterable[str], values: np.ndarray) -> ParameterSet:
        """A batch: this set repeated, with ``names`` columns set from ``values``.

        ``values`` has shape ``(n_runs, len(names))``; ``self`` must hold one run.
        """
        names = list(names)
        values = np.atleast_2d(np.asarray(values, dtype=float))
        batch = np.repeat(self.values[:1], values.shape[0], axis=0)
        for j, n in enumerate(names):
            batch[:, NAMES.index(n)] = values[:, j]
        return ParameterSet(batch, source=self.source, meta=self.meta)

    def stack(self, others: Iterable[ParameterSet]) -> ParameterSet:
        rows = [self.values, *(o.values for o in others)]
        return ParameterSet(np.vstack(rows), source=self.source, meta=self.meta)

    def run(self, i: int) -> ParameterSet:
        return ParameterSet(self.values[i : i + 1], source=self.source, meta=self.meta)

    def as_dict(self, run: int = 0) -> dict[str, float]:
        return {n: float(self.values[run, j]) for j, n in enumerate(NAMES)}

    def namespace(self) -> SimpleNamespace:
        """Attribute access for the equations: ``p.wage_adjustment_time`` is shape (runs,)."""
        return SimpleNamespace(**{n: self.values[:, j] for j, n in enumerate(NAMES)})


def odds(pct):
    """Odds of a percentage: ``x / (100 - x)``."""
    return pct / (100.0 - pct)


def from_odds(o):
    """Percentage from odds: ``100 o / (1 + o)``; bounded in (0, 100)."""
    return 100.0 * o / (1.0 + o)


def _check_registry() -> None:
    if len(set(NAMES)) != len(NAMES):
        raise RuntimeError("duplicate parameter names")
    for p in PARAMETERS:
        if p.status == "calibrated" and (p.prior is None or p.prior_sd is None):
            raise RuntimeError(f"calibrated parameter {p.name} lacks a prior")
    if not math.isclose(
        sum(
            BY_NAME[f"init_employment_share_{c}"].value for c in ("1_4", "5_9", "10_99", "100_499")
        ),
        90.5,
    ):
        raise RuntimeError("initial SME employment share should be 90.5")


_check_registry()
