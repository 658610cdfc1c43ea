"""Sector 2: knowledge accumulation and relative productivity (loop 2; closes loop 1).

Each firm group's knowledge stock accumulates its R&D and depreciates
(perpetual inventory).  SME relative productivity adjusts, with a lag, toward
a target set by relative knowledge per worker, technology diffusion, SME
skills (:mod:`smesim.model.human_natural`) and the value SMEs keep after
appropriation (:mod:`smesim.model.rd_policy`).  Targets are formed on the odds
``P/(100-P)`` so the ratio stays inside (0, 100) whatever the inputs.

Technology diffusion (knowledge spillover) is the knowledge SMEs absorb from
large firms (supply chains, labour mobility, imitation).  It keeps the
divergence engine from driving SME knowledge to zero: with R&D alone the SME
stock would fall without limit; with diffusion the knowledge ratio cannot fall
below about ``spillover rate x spillover_scale / depreciation``.  Knowledge
stocks start at the steady state of 2012 R&D, times an initial excess for SMEs
(``init_knowledge_excess_sme``).
"""

from __future__ import annotations

from smesim.model.common import from_odds, odds
from smesim.model.spec import Sector

S = Sector("knowledge", __doc__)

S.param(
    "init_productivity_ratio_sme",
    36.5,
    "%",
    10.0,
    90.0,
    "calibrated",
    "no 2012 figure in the paper; fitted to the 32.4 % of the text (year uncertain, taken as 2017)"
    " through the model's dynamics",
    prior=34.0,
    prior_sd=3.0,
    initial=True,
)
S.param(
    "knowledge_depreciation_rate",
    0.15,
    "1/yr",
    0.05,
    0.4,
    "assumed",
    "assumed: 15 %/yr, the conventional business R&D depreciation rate (BEA/OECD practice)",
)
S.param(
    "init_knowledge_excess_sme",
    1.1,
    "1",
    0.8,
    2.0,
    "calibrated",
    "SME knowledge stock in 2012 relative to the steady state of 2012 SME R&D (> 1: built when "
    "SMEs' R&D share was higher, 26.6 % in 2007, Table 6)",
    prior=1.1,
    prior_sd=0.15,
)
S.param(
    "knowledge_productivity_elasticity",
    0.56,
    "1",
    0.0,
    2.0,
    "calibrated",
    "elasticity of SME productivity odds to the knowledge-per-worker ratio; fitted (prior 0.5 from"
    " R&D capital elasticities of 0.1-0.3 on levels)",
    prior=0.5,
    prior_sd=0.25,
)
S.param(
    "productivity_target_2012",
    32.0,
    "%",
    10.0,
    90.0,
    "calibrated",
    "the SME productivity ratio the 2012 knowledge, skills and market conditions support; below "
    "the initial ratio means the divergence engine is running",
    prior=32.0,
    prior_sd=4.0,
)
S.param(
    "productivity_adjustment_time",
    3.4,
    "yr",
    0.5,
    15.0,
    "calibrated",
    "lag of relative productivity behind its target",
    prior=3.0,
    prior_sd=1.5,
)
S.param(
    "knowledge_spillover_rate",
    0.02,
    "1/yr",
    0.0,
    0.04,
    "assumed",
    "assumed: share of large firms' knowledge (scaled to the SME workforce at the 2012 relative "
    "level) that SMEs absorb each year through supply chains, labour mobility and imitation; "
    "bounds how far SME knowledge can fall (a floor near rate / depreciation of the 2012 ratio); "
    "upper bound 0.04 keeps it below the lowest admissible depreciation rate",
)
S.param(
    "diffusion_spillover_effect",
    1.0,
    "1",
    0.0,
    5.0,
    "assumed",
    "assumed: proportional rise of the spillover rate per unit of the tech_diffusion lever above "
    "its baseline",
)
S.param(
    "tech_diffusion_effect",
    0.5,
    "1",
    0.0,
    3.0,
    "assumed",
    "assumed: log-odds gain of SME productivity per unit of the tech_diffusion lever (full "
    "diffusion vs baseline 0.2 raises the productivity target ~4 points)",
)
S.param(
    "skills_productivity_elasticity",
    0.5,
    "1",
    0.0,
    2.0,
    "assumed",
    "assumed: elasticity of SME productivity odds to the SME skills index",
)
S.aux(
    "productivity_0",
    "INIT(productivity_ratio_sme)",
    "%",
    "SME relative productivity in the start year",
)
S.stock(
    "productivity_ratio_sme",
    "init_productivity_ratio_sme",
    "%",
    "SME labour productivity (value added per worker), large firms = 100",
    inflows=["productivity_change"],
)
S.stock(
    "knowledge_sme",
    "init_knowledge_excess_sme * knowledge_sme_steady_0",
    "RDU",
    "SME knowledge (R&D capital) stock",
    inflows=["rd_sme", "knowledge_spillover"],
    outflows=["knowledge_depreciation_sme"],
)
S.stock(
    "knowledge_large",
    "knowledge_large_0",
    "RDU",
    "large-firm knowledge (R&D capital) stock",
    inflows=["rd_large"],
    outflows=["knowledge_depreciation_large"],
)
S.aux(
    "knowledge_large_0",
    "rd_large_0 / knowledge_depreciation_rate",
    "RDU",
    "large-firm knowledge in 2012: the steady state of 2012 large-firm R&D",
)
S.aux(
    "knowledge_sme_steady_0",
    "rd_sme_0 / (knowledge_depreciation_rate - knowledge_spillover_rate)",
    "RDU",
    "SME knowledge in steady state with 2012 R&D and 2012 spillover",
)
S.aux(
    "spillover_scale",
    "(knowledge_sme_steady_0 / employment_share_sme_0) / "
    "(knowledge_large_0 / (hundred_percent - employment_share_sme_0))",
    "1",
    "knowledge ratio at which 2012 SME inflows are in steady state (kappa_s)",
)
S.aux(
    "knowledge_ratio",
    "(knowledge_sme / employment_share_sme) / (knowledge_large / employment_share_500_plus)",
    "1",
    "knowledge per worker, SMEs relative to large firms (kappa)",
)
S.aux(
    "knowledge_ratio_0",
    "INIT(knowledge_ratio)",
    "1",
    "SME / large knowledge per worker in the start year",
)
S.aux(
    "spillover_boost",
    "MAX(1 + diffusion_spillover_effect * (tech_diffusion - tech_diffusion_0), 0)",
    "1",
    "spillover rate relative to 2012 (technology diffusion lever)",
)
S.flow(
    "knowledge_spillover",
    "knowledge_spillover_rate * spillover_boost * spillover_scale * "
    "employment_share_sme / employment_share_500_plus * knowledge_large",
    "RDU/yr",
    "technology diffusion: knowledge SMEs absorb from large firms (supply chains, labour "
    "mobility, imitation)",
)
S.flow(
    "knowledge_depreciation_sme",
    "knowledge_depreciation_rate * knowledge_sme",
    "RDU/yr",
    "depreciation of SME knowledge",
)
S.flow(
    "knowledge_depreciation_large",
    "knowledge_depreciation_rate * knowledge_large",
    "RDU/yr",
    "depreciation of large-firm knowledge",
)
S.aux(
    "productivity_target_odds",
    odds("productivity_target_2012")
    + " * (knowledge_ratio / knowledge_ratio_0) ^ knowledge_productivity_elasticity"
    " * EXP(tech_diffusion_effect * (tech_diffusion - tech_diffusion_0))"
    " * (sme_skills_index / base_index) ^ skills_productivity_elasticity * value_kept_factor",
    "1",
    "odds of the SME productivity target: knowledge, diffusion, skills, value kept",
)
S.aux(
    "productivity_target",
    from_odds("productivity_target_odds"),
    "%",
    "SME relative productivity supported by current conditions",
)
S.flow(
    "productivity_change",
    "(productivity_target - productivity_ratio_sme) / productivity_adjustment_time",
    "%/yr",
    "change of SME relative productivity",
)
