"""Sector 5: business R&D, margins and government support (loops 1 and 5).

**Loop 1, success to the successful.**  A firm group's R&D intensity follows
its operating margin.  SMEs' margin is squeezed by their wage bill relative to
their productivity and by the value large buyers appropriate through unfair
subcontracting; large firms' margin is swelled by that same appropriation.
Lower SME productivity -> thinner SME margin -> less SME R&D -> smaller SME
knowledge stock (:mod:`smesim.model.knowledge`) -> lower productivity.  SMEs'
R&D also rises with their knowledge per worker relative to large firms
(absorptive capacity: firms that fall behind earn less from R&D).

**Loop 5, policy support.**  Direct subsidies and tax incentives (levers, % of
business R&D, Table 7) add to private R&D with an additionality factor; a
documented share of each reaches SMEs.

The 2012 private R&D intensity of SMEs and their R&D spend per researcher are
derived at the start so that Table 6's 2012 SME R&D share (25.8 %) and R&D per
researcher ratio (36.7 %) hold under the 2012 policy settings.  Units: value
added in units of large-firm productivity; ``RDU`` = R&D units (large firms'
2012 R&D per unit of value added = 1); ``RU`` = researcher units.
"""

from __future__ import annotations

from smesim.model.spec import Sector

S = Sector("rd_policy", __doc__)

S.param(
    "init_rd_share_sme",
    25.8,
    "%",
    5.0,
    60.0,
    "calibrated",
    "Table 6, SME share of business R&D 2012; the published 2012 figure is the prior centre with a"
    " wide sd (5 points), and the 2012 data point of the releases pins the estimate, so a release "
    "revising the 2012 figure moves the initial state; bounds: below ~4 % the 2012 support "
    "settings alone exceed the share",
    prior=25.8,
    prior_sd=5.0,
    initial=True,
)
S.param(
    "init_rd_per_researcher_ratio_sme",
    36.7,
    "%",
    5.0,
    95.0,
    "calibrated",
    "Table 6, SME R&D per researcher (large = 100) 2012; the published 2012 figure is the prior "
    "centre with a wide sd (5 points), and the 2012 data point of the releases pins the estimate, "
    "so a release revising the 2012 figure moves the initial state",
    prior=36.7,
    prior_sd=5.0,
    initial=True,
)
S.param(
    "labour_share_large",
    0.45,
    "1",
    0.2,
    0.8,
    "assumed",
    "assumed: labour income share of large firms' value added (~0.4-0.5 in Korean national "
    "accounts for large corporations)",
)
S.param(
    "appropriation_rate_2012",
    0.05,
    "1",
    0.0,
    0.3,
    "assumed",
    "assumed: share of SME value added captured by large buyers through unfair subcontracting "
    "terms in 2012 (the paper names it, gives no figure)",
)
S.param(
    "fair_trade_appropriation_effect",
    0.8,
    "1",
    0.0,
    1.0,
    "assumed",
    "assumed: share of appropriation removed by full fair-trade enforcement",
)
S.param(
    "rd_margin_elasticity",
    0.25,
    "1",
    0.0,
    5.0,
    "calibrated",
    "elasticity of R&D intensity to the operating margin (success to the successful)",
    prior=1.5,
    prior_sd=1.0,
)
S.param(
    "absorptive_capacity_elasticity",
    0.64,
    "1",
    0.0,
    3.0,
    "calibrated",
    "elasticity of SME R&D intensity to relative knowledge per worker: firms that fall behind earn"
    " less from R&D (absorptive capacity, Cohen & Levinthal 1990)",
    prior=0.8,
    prior_sd=0.5,
)
S.param(
    "researcher_cost_margin_elasticity",
    1.3,
    "1",
    0.0,
    5.0,
    "calibrated",
    "elasticity of SMEs' desired R&D spend per researcher to their margin",
    prior=1.0,
    prior_sd=1.0,
)
S.param(
    "researcher_adjustment_time",
    3.0,
    "yr",
    0.5,
    15.0,
    "calibrated",
    "lag of researcher head-count behind the R&D budget",
    prior=3.0,
    prior_sd=1.5,
)
S.param(
    "subsidy_additionality",
    1.0,
    "1",
    0.0,
    2.0,
    "assumed",
    "assumed: 1 won of direct subsidy adds 1 won of R&D (OECD reviews find additionality around 1,"
    " neither crowding out nor in)",
)
S.param(
    "tax_additionality",
    0.6,
    "1",
    0.0,
    2.0,
    "assumed",
    "assumed: tax incentives less additional than grants (bang-for-the-buck estimates below 1 in "
    "OECD reviews)",
)
S.param(
    "sme_share_of_subsidy",
    0.6,
    "1",
    0.0,
    1.0,
    "assumed",
    "assumed: share of direct R&D subsidy reaching SMEs (Korean programmes are SME-targeted; Table"
    " 3 lists 17 R&D programmes)",
)
S.param(
    "sme_share_of_tax_incentive",
    0.25,
    "1",
    0.0,
    1.0,
    "assumed",
    "assumed: share of R&D tax incentives claimed by SMEs (credits scale with R&D spent, which "
    "large firms dominate)",
)
S.param(
    "green_cost_to_sme_margin",
    0.02,
    "1",
    0.0,
    0.2,
    "assumed",
    "assumed: SME margin cost of a full green transition relative to baseline",
)
S.param(
    "viable_sme_margin",
    0.10,
    "1",
    0,
    0.3,
    "assumed",
    "assumed: the lowest operating margin SMEs accept before wage targets give way "
    "(ability to pay); inactive in 2012-2019, where SME margins are about 0.2",
)
S.rule(
    "private_rd_share_sme_0 > 0 AND private_rd_share_sme_0 < 1",
    [
        "init_rd_share_sme",
        "sme_share_of_subsidy",
        "sme_share_of_tax_incentive",
        "subsidy_additionality",
        "tax_additionality",
    ],
    "an SME R&D share the 2012 support settings can produce (SME support alone must not "
    "exceed it, nor large firms' support leave SMEs all private R&D)",
)
S.constant(
    "margin_floor",
    0.02,
    "1",
    "floor of the SME margin: SMEs keep a minimal R&D budget even at zero margin (assumed)",
)
S.constant(
    "rd_intensity_large_0",
    1.0,
    "RDU/yr",
    "large firms' 2012 private R&D per unit of value added: the normalisation that defines "
    "the R&D unit (RDU)",
)
S.constant(
    "researcher_cost_large_0",
    1.0,
    "RDU/yr/RU",
    "R&D spend per large-firm researcher in 2012: the normalisation that defines the "
    "researcher unit (RU)",
)
# ---- start-year values: derived so the 2012 figures hold under the 2012 policy settings
S.aux("v_sme_0", "INIT(v_sme)", "1", "SME value added in the start year")
S.aux("v_large_0", "INIT(v_large)", "1", "large-firm value added in the start year")
S.aux(
    "margin_sme_0",
    "MAX(1 - labour_share_large * wage_ratio_sme_0 / productivity_0 - appropriation_rate_2012, "
    "margin_floor)",
    "1",
    "SME operating margin in the start year",
)
S.aux(
    "margin_large_0",
    "1 - labour_share_large + appropriation_rate_2012 * v_sme_0 / v_large_0",
    "1",
    "large-firm operating margin in the start year",
)
S.aux(
    "sme_support_rate_0",
    "(sme_share_of_subsidy * rd_subsidy_rate_0 * subsidy_additionality "
    "+ sme_share_of_tax_incentive * rd_tax_incentive_rate_0 * tax_additionality) "
    "/ hundred_percent",
    "1",
    "government support reaching SMEs per unit of private business R&D, start year",
)
S.aux(
    "large_support_rate_0",
    "((1 - sme_share_of_subsidy) * rd_subsidy_rate_0 * subsidy_additionality "
    "+ (1 - sme_share_of_tax_incentive) * rd_tax_incentive_rate_0 * tax_additionality) "
    "/ hundred_percent",
    "1",
    "government support reaching large firms per unit of private business R&D, start year",
)
S.aux(
    "private_rd_share_sme_0",
    "init_rd_share_sme / hundred_percent * (1 + sme_support_rate_0 + large_support_rate_0) "
    "- sme_support_rate_0",
    "1",
    "SME share of private business R&D that yields the observed total share (Table 6)",
)
S.aux(
    "rd_intensity_sme_0",
    "private_rd_share_sme_0 / (1 - private_rd_share_sme_0) * v_large_0 / v_sme_0 "
    "* rd_intensity_large_0",
    "RDU/yr",
    "SMEs' 2012 private R&D per unit of value added, derived so the 2012 SME R&D share holds "
    "under the 2012 support settings",
)
S.aux("private_rd_sme_0", "rd_intensity_sme_0 * v_sme_0", "RDU/yr", "SME private R&D, start year")
S.aux(
    "private_rd_large_0",
    "rd_intensity_large_0 * v_large_0",
    "RDU/yr",
    "large-firm private R&D in the start year",
)
S.aux(
    "rd_sme_0",
    "private_rd_sme_0 + sme_support_rate_0 * (private_rd_sme_0 + private_rd_large_0)",
    "RDU/yr",
    "SME R&D in the start year",
)
S.aux(
    "rd_large_0",
    "private_rd_large_0 + large_support_rate_0 * (private_rd_sme_0 + private_rd_large_0)",
    "RDU/yr",
    "large-firm R&D in the start year",
)
S.aux(
    "researcher_cost_sme_0",
    "init_rd_per_researcher_ratio_sme / hundred_percent * researcher_cost_large_0",
    "RDU/yr/RU",
    "SME R&D spend per researcher in 2012, from Table 6's R&D-per-researcher ratio",
)
# ---- stocks
S.stock(
    "researchers_sme",
    "rd_sme_0 / researcher_cost_sme_0",
    "RU",
    "SME researchers",
    inflows=["researcher_change_sme"],
)
S.stock(
    "researchers_large",
    "rd_large_0 / researcher_cost_large_0",
    "RU",
    "large-firm researchers",
    inflows=["researcher_change_large"],
)
# ---- margins (loop 1) and ability to pay (loop 3)
S.aux(
    "v_sme",
    "employment_share_sme / hundred_percent * productivity_ratio_sme / hundred_percent",
    "1",
    "SME value added (large-firm productivity = 1)",
)
S.aux("v_large", "employment_share_500_plus / hundred_percent", "1", "large-firm value added")
S.aux(
    "appropriation_rate",
    "appropriation_rate_2012 * (1 - fair_trade_appropriation_effect * fair_trade_enforcement) "
    "/ (1 - fair_trade_appropriation_effect * fair_trade_enforcement_0)",
    "1",
    "share of SME value added captured by large buyers (unfair subcontracting)",
)
S.aux(
    "value_kept_factor",
    "(1 - appropriation_rate) / (1 - appropriation_rate_2012)",
    "1",
    "share of their value added SMEs keep, relative to 2012",
)
S.aux(
    "margin_sme",
    "MAX(1 - labour_share_large * wage_ratio_sme / productivity_ratio_sme - appropriation_rate "
    "- green_cost_to_sme_margin * (green_transition - green_transition_0), margin_floor)",
    "1",
    "SME operating margin on value added",
)
S.aux(
    "margin_large",
    "1 - labour_share_large + appropriation_rate * v_sme / v_large",
    "1",
    "large-firm operating margin on value added",
)
S.aux(
    "ability_to_pay",
    "productivity_ratio_sme * (1 - appropriation_rate - viable_sme_margin) / labour_share_large",
    "%",
    "highest all-SME wage ratio that leaves SMEs a viable margin",
)
# ---- R&D (loops 1 and 5)
S.aux(
    "private_rd_sme",
    "v_sme * rd_intensity_sme_0 * (margin_sme / margin_sme_0) ^ rd_margin_elasticity"
    " * (knowledge_ratio / knowledge_ratio_0) ^ absorptive_capacity_elasticity",
    "RDU/yr",
    "SMEs' own R&D: follows their margin (loop 1) and absorptive capacity",
)
S.aux(
    "private_rd_large",
    "v_large * rd_intensity_large_0 * (margin_large / margin_large_0) ^ rd_margin_elasticity",
    "RDU/yr",
    "large firms' own R&D",
)
S.aux(
    "sme_support_rate",
    "(sme_share_of_subsidy * rd_subsidy_rate * subsidy_additionality "
    "+ sme_share_of_tax_incentive * rd_tax_incentive_rate * tax_additionality) / hundred_percent",
    "1",
    "government support reaching SMEs per unit of private business R&D (loop 5)",
)
S.aux(
    "large_support_rate",
    "((1 - sme_share_of_subsidy) * rd_subsidy_rate * subsidy_additionality "
    "+ (1 - sme_share_of_tax_incentive) * rd_tax_incentive_rate * tax_additionality) "
    "/ hundred_percent",
    "1",
    "government support reaching large firms per unit of private business R&D",
)
S.flow(
    "rd_sme",
    "private_rd_sme + sme_support_rate * (private_rd_sme + private_rd_large)",
    "RDU/yr",
    "SME R&D: own plus additional R&D from support",
)
S.flow(
    "rd_large",
    "private_rd_large + large_support_rate * (private_rd_sme + private_rd_large)",
    "RDU/yr",
    "large-firm R&D",
)
S.aux(
    "rd_share_sme",
    "hundred_percent * rd_sme / (rd_sme + rd_large)",
    "%",
    "SME share of business R&D",
)
S.aux(
    "researcher_cost_sme",
    "researcher_cost_sme_0 * (margin_sme / margin_sme_0) ^ researcher_cost_margin_elasticity",
    "RDU/yr/RU",
    "SMEs' desired R&D spend per researcher",
)
S.aux(
    "desired_researchers_sme",
    "rd_sme / researcher_cost_sme",
    "RU",
    "researchers the SME R&D budget supports",
)
S.aux(
    "desired_researchers_large",
    "rd_large / researcher_cost_large_0",
    "RU",
    "researchers the large-firm R&D budget supports",
)
S.flow(
    "researcher_change_sme",
    "(desired_researchers_sme - researchers_sme) / researcher_adjustment_time",
    "RU/yr",
    "net hiring of SME researchers",
)
S.flow(
    "researcher_change_large",
    "(desired_researchers_large - researchers_large) / researcher_adjustment_time",
    "RU/yr",
    "net hiring of large-firm researchers",
)
S.aux(
    "rd_per_researcher_ratio_sme",
    "hundred_percent * ((rd_sme / researchers_sme) / (rd_large / researchers_large))",
    "%",
    "SME R&D per researcher, large firms = 100",
)
