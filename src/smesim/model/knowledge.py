"""Sector 2: knowledge accumulation and relative productivity (loop 2; closes loop 1).

Each firm group's knowledge stock accumulates its R&D and depreciates
(perpetual inventory).  SME relative productivity adjusts, with a lag, toward
a target set by relative knowledge per worker, SME skills
(:mod:`smesim.model.human_natural`), the value SMEs keep after appropriation
(:mod:`smesim.model.rd_policy`) and regional access to finance, talent and
startups (:mod:`smesim.model.regions`).  Targets are formed on the odds
``P/(100-P)`` so the ratio stays inside (0, 100) whatever the inputs.

**Catch-up (B1): diffusion grows with the gap.**  SMEs absorb knowledge from
large firms (supply chains, labour mobility, imitation) at rate
``knowledge_catch_up_rate`` times the gap between the knowledge per worker
they could absorb (``absorbable_knowledge_share`` of large firms') and what
they have.  The further SMEs fall behind, the faster they absorb: this
balancing loop bounds the divergence engine, whose R&D effects
(:mod:`smesim.model.rd_policy`) saturate.  The technology-diffusion lever
raises the catch-up rate.

The start year is a balance: knowledge stocks start at the steady state of
start-year R&D and diffusion, and the productivity target equals the starting
productivity under start-year conditions.  Everything that moves afterwards
is driven by exogenous paths (large firms' technological opportunity,
ageing, nominal costs) and levers acting through the feedback structure.
"""

from __future__ import annotations

from smesim.model.common import from_odds, odds
from smesim.model.spec import Sector

S = Sector("knowledge", __doc__)

S.param(
    "init_productivity_ratio_sme",
    33.52,
    "%",
    10.0,
    90.0,
    "calibrated",
    "no start-year figure in the paper; fitted to the 32.4 % of the text (year not stated, "
    "taken as 2017, half weight) through the model's dynamics",
    prior=34.0,
    prior_sd=4.0,
    initial=True,
)
S.param(
    "knowledge_depreciation_rate",
    0.15,
    "1/yr",
    0.05,
    0.4,
    "assumed",
    "evidence: 15 %/yr is the conventional business R&D depreciation rate (BEA and OECD "
    "practice); Li & Hall (2020, Review of Income and Wealth) estimate industry rates mostly "
    "above it (semiconductors about 18 %, IT hardware about 38 %); sampled 0.10-0.25",
    sample=(0.1, 0.25),
)
S.param(
    "knowledge_catch_up_rate",
    0.1,
    "1/yr",
    0.01,
    0.5,
    "assumed",
    "evidence: share of the absorbable knowledge gap SMEs close per year. Andrews, Criscuolo & "
    "Gal (2016, OECD Productivity WP 05) find laggard firms converging to the frontier with "
    "catch-up weakening in the 2000s; firm-level beta-convergence estimates are of a few to "
    "about 10 % of the gap a year; sampled 0.05-0.2",
    sample=(0.05, 0.2),
)
S.param(
    "spillover_share_0",
    0.3,
    "1",
    0.0,
    0.8,
    "assumed",
    "assumed: share of SMEs' start-year knowledge inflow that comes from diffusion rather than "
    "their own R&D; sampled 0.15-0.45",
    sample=(0.15, 0.45),
)
S.param(
    "diffusion_catch_up_effect",
    0.4,
    "1",
    0.0,
    3.0,
    "assumed",
    "evidence and mapping: log rise of the catch-up rate per unit of tech_diffusion. Extension "
    "and advisory programmes raise participants' productivity by 3.4-16 % over five years "
    "(Jarmin 1999, J. Policy Analysis and Management 18(1)) and 17 % in a management RCT (Bloom "
    "et al. 2013, QJE 128(1)), but reach a minority of SMEs; full diffusion vs the 0.2 baseline "
    "then multiplies the catch-up rate by about 1.4; assumed mapping, sampled 0.1-0.8",
    sample=(0.1, 0.8),
)
S.param(
    "knowledge_productivity_elasticity",
    0.4162,
    "1",
    0.0,
    2.0,
    "calibrated",
    "elasticity of SME productivity odds to the knowledge-per-worker ratio; prior 0.3 +- 0.15 "
    "from R&D capital elasticities of output of about 0.1-0.3 on levels (Hall, Mairesse & "
    "Mohnen 2010; Ugur et al. 2016, whose meta-analysis finds them smaller than reported "
    "before), about 1.5 times that on the odds of a ratio near a third",
    prior=0.3,
    prior_sd=0.15,
)
S.param(
    "productivity_adjustment_time",
    3.129,
    "yr",
    0.5,
    15.0,
    "calibrated",
    "lag of relative productivity behind its target",
    prior=3.0,
    prior_sd=1.5,
)
S.param(
    "skills_productivity_elasticity",
    0.5,
    "1",
    0.0,
    2.0,
    "assumed",
    "assumed: elasticity of SME productivity odds to the SME skills index; the training studies "
    "above imply the skills-to-productivity link the training effect is mapped through; sampled "
    "0.25-1.0",
    sample=(0.25, 1.0),
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
    "rd_sme_0 / ((1 - spillover_share_0) * knowledge_depreciation_rate)",
    "RDU",
    "SME knowledge (R&D capital) stock; starts at the steady state of start-year R&D and diffusion",
    inflows=["rd_sme", "knowledge_spillover"],
    outflows=["knowledge_depreciation_sme"],
)
S.stock(
    "knowledge_large",
    "rd_large_0 / knowledge_depreciation_rate",
    "RDU",
    "large-firm knowledge (R&D capital) stock; starts at the steady state of start-year R&D",
    inflows=["rd_large"],
    outflows=["knowledge_depreciation_large"],
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
    "absorbable_knowledge_share",
    "knowledge_ratio_0 + spillover_share_0 / (1 - spillover_share_0) * rd_sme_0 "
    "/ (knowledge_catch_up_rate * INIT(knowledge_large) * employment_share_sme_0 "
    "/ (hundred_percent - employment_share_sme_0))",
    "1",
    "knowledge per worker SMEs could absorb, relative to large firms' (phi): set so start-year "
    "diffusion supplies spillover_share_0 of SMEs' knowledge inflow",
)
S.aux(
    "catch_up_rate",
    "knowledge_catch_up_rate * EXP(diffusion_catch_up_effect * (tech_diffusion - "
    "tech_diffusion_0))",
    "1/yr",
    "catch-up rate with the technology-diffusion lever",
)
S.flow(
    "knowledge_spillover",
    "catch_up_rate * (absorbable_knowledge_share * knowledge_large * employment_share_sme "
    "/ employment_share_500_plus - knowledge_sme)",
    "RDU/yr",
    "diffusion: SMEs absorb a share of the gap between the knowledge they could absorb and what "
    "they have (catch-up grows with the gap)",
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
    odds("productivity_0")
    + " * (knowledge_ratio / knowledge_ratio_0) ^ knowledge_productivity_elasticity"
    " * (sme_skills_index / base_index) ^ skills_productivity_elasticity * value_kept_factor"
    " * regional_access_factor",
    "1",
    "odds of the SME productivity target: knowledge, skills, value kept, regional access",
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
