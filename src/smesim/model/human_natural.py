"""Sector 8: human and natural coexistence (loop 8).

Population ageing (exogenous 65+ share ``A(t)``) erodes the skills of the SME
workforce; vocational training rebuilds them.  The exogenous working-age
population (15-64) measures labour scarcity, which acts on SME wages
(:mod:`smesim.model.wages`).  The skills index feeds the
productivity target (:mod:`smesim.model.knowledge`).  An environmental-intensity stock
falls at a baseline trend plus what the green-transition lever adds.

"""

from __future__ import annotations

from smesim.model.spec import Sector

S = Sector("human_natural", __doc__)

S.param(
    "skills_adjustment_time",
    5.0,
    "yr",
    1.0,
    20.0,
    "assumed",
    "assumed: SME skills stock renews over about five years; sampled 3-10",
    sample=(3.0, 10.0),
)
S.param(
    "training_skills_effect",
    0.25,
    "1",
    0.0,
    2.0,
    "assumed",
    "evidence and mapping: log gain of the SME skills target per unit of vocational_training. "
    "Dearden, Reed & Van Reenen (2006, Oxford Bull. Econ. Stat. 68(4)): one point more workers "
    "trained raises value added per hour about 0.6 % and wages 0.3 %; Konings & Vanormelingen "
    "(2015, REStat 97(2)): productivity premium of a trained worker 23 %, wage premium 12 %; a "
    "full training network (10-20 points more trained) then gives 0.11-0.45; sampled 0.1-0.45",
    sample=(0.1, 0.45),
)
S.param(
    "ageing_skills_effect",
    0.01,
    "1/pp",
    0.0,
    0.05,
    "assumed",
    "assumed: log loss of the SME skills target per point of 65+ share above the start year (older "
    "workforce, SMEs' hiring difficulty); sampled 0-0.02",
    sample=(0.0, 0.02),
)
S.param(
    "environmental_intensity_trend",
    0.015,
    "1/yr",
    0.0,
    0.1,
    "assumed",
    "assumed: baseline fall of environmental intensity (~1.5 %/yr, the 2010s trend of Korea's GHG "
    "intensity of GDP); sampled 0.5-2.5 %/yr",
    sample=(0.005, 0.025),
)
S.param(
    "green_transition_effect",
    0.06,
    "1/yr",
    0.0,
    0.3,
    "assumed",
    "assumed: extra fall of environmental intensity per unit of green_transition; sampled 0.02-0.1",
    sample=(0.02, 0.1),
)
S.exogenous_input(
    "population_65plus_share",
    "%",
    "share of population aged 65+ (exogenous: the country profile's table)",
)
S.exogenous_input(
    "working_age_population",
    "million",
    "population aged 15-64 (exogenous: the country profile's table)",
)
S.aux(
    "working_age_population_0",
    "INIT(working_age_population)",
    "million",
    "working-age population in the start year",
)
S.aux(
    "population_65plus_share_0",
    "INIT(population_65plus_share)",
    "%",
    "65+ share in the start year",
)
S.stock(
    "sme_skills_index",
    "base_index",
    "index",
    "skills of the SME workforce, start year = 100",
    inflows=["skills_change"],
)
S.stock(
    "environmental_intensity",
    "base_index",
    "index",
    "environmental (emissions) intensity of output, start year = 100",
    outflows=["environmental_intensity_decline"],
)
S.aux(
    "skills_target",
    "base_index * EXP(training_skills_effect * (vocational_training - vocational_training_0)"
    " - ageing_skills_effect * (population_65plus_share - population_65plus_share_0))",
    "index",
    "SME skills index the workforce moves toward (training raises, ageing lowers)",
)
S.flow(
    "skills_change",
    "(skills_target - sme_skills_index) / skills_adjustment_time",
    "index/yr",
    "change of SME skills",
)
S.aux(
    "environmental_decline_rate",
    "environmental_intensity_trend + green_transition_effect"
    " * (green_transition - green_transition_0)",
    "1/yr",
    "fractional fall of environmental intensity per year",
)
S.flow(
    "environmental_intensity_decline",
    "environmental_intensity * environmental_decline_rate",
    "index/yr",
    "fall of environmental intensity",
)
