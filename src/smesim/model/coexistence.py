"""Sector 9: the paper's four coexistences as indices on 0-100 (outputs only).

Each index says how far the economy stands from a documented reference state
(100 = reference reached or passed; 0 = the stated worst).  References are
parameters declared below with their source or reason.


The economic index compares the all-SME wage ratio with Japan's 2017 figure
(Table 4) and the smallest-firm wage with Japan's (Table 5); the other
references are assumed, and say so.
"""

from __future__ import annotations

from smesim.model.spec import Sector

S = Sector("coexistence", __doc__)

S.param(
    "reference_wage_ratio",
    88.1,
    "%",
    50.0,
    100.0,
    "data",
    "Table 4: Japan's all-SME wage ratio 2017, the paper's comparator",
)
S.param(
    "reference_small_firm_wage_ratio",
    65.7,
    "%",
    30.0,
    100.0,
    "data",
    "Table 5: Japan's 1-4 wage 2,270 / 500+ wage 3,455",
)
S.param(
    "reference_productivity_ratio",
    60.0,
    "%",
    30.0,
    100.0,
    "assumed",
    "assumed: SME productivity ratio of a 'fair economy' (OECD economies with small gaps are "
    "around 60 % or more)",
)
S.param(
    "reference_rd_share",
    40.0,
    "%",
    20.0,
    100.0,
    "assumed",
    "assumed: SME share of business R&D of a fair economy",
)
S.param(
    "balanced_capital_region_share",
    40.0,
    "%",
    20.0,
    60.0,
    "assumed",
    "assumed: capital-region share of a balanced territory (regional index = 100)",
)
S.param(
    "concentrated_capital_region_share",
    70.0,
    "%",
    50.0,
    95.0,
    "assumed",
    "assumed: capital-region share at which the regional index is 0",
)
S.param(
    "reference_skills_index",
    130.0,
    "index",
    100.0,
    300.0,
    "assumed",
    "assumed: SME skills index (2012 = 100) of equal opportunities",
)
S.param(
    "environmental_intensity_target",
    40.0,
    "index",
    0.0,
    100.0,
    "assumed",
    "assumed: intensity (2012 = 100) at which the natural index is 100 (a 60 % cut)",
)
S.param(
    "environmental_intensity_worst",
    120.0,
    "index",
    100.0,
    300.0,
    "assumed",
    "assumed: intensity at which the natural index is 0",
)
S.aux(
    "coexistence_economic",
    "base_index / 3 * (MIN(1, wage_ratio_sme / reference_wage_ratio)"
    " + MIN(1, productivity_ratio_sme / reference_productivity_ratio)"
    " + MIN(1, rd_share_sme / reference_rd_share))",
    "index",
    "fair economy: wages, productivity and R&D share against their references",
)
S.aux(
    "mean_capital_region_share",
    "(capital_region_grp_share + capital_region_population_share"
    " + capital_region_startup_share) / 3",
    "%",
    "mean of the three capital-region shares",
)
S.aux(
    "coexistence_regional",
    "base_index * MIN(MAX((concentrated_capital_region_share - mean_capital_region_share)"
    " / (concentrated_capital_region_share - balanced_capital_region_share), 0), 1)",
    "index",
    "balanced development: 100 at the balanced share, 0 at the concentrated one",
)
S.aux(
    "coexistence_human",
    "base_index / 2 * (MIN(1, wage_ratio_1_4 / reference_small_firm_wage_ratio)"
    " + MIN(1, sme_skills_index / reference_skills_index))",
    "index",
    "equal opportunities: smallest-firm wages and SME skills",
)
S.aux(
    "coexistence_natural",
    "base_index * MIN(MAX((environmental_intensity_worst - environmental_intensity)"
    " / (environmental_intensity_worst - environmental_intensity_target), 0), 1)",
    "index",
    "sustainability: environmental intensity between its worst and target levels",
)
S.aux(
    "coexistence_overall",
    "(coexistence_economic + coexistence_regional + coexistence_human + coexistence_natural) / 4",
    "index",
    "mean of the four coexistence indices",
)
