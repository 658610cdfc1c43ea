"""Sector 5: business R&D, margins and government support (loops 1 and 5).

**Loop 1, success to the successful (R1).**  A firm group's R&D intensity
follows its operating margin.  SMEs' margin is squeezed by their wage bill
relative to their productivity and by the value large buyers appropriate
through unfair subcontracting; large firms' margin is swelled by that same
appropriation.  Lower SME productivity -> thinner SME margin -> less SME R&D
-> smaller SME knowledge stock (:mod:`smesim.model.knowledge`) -> lower
productivity.  SMEs' R&D also rises with their knowledge per worker relative
to large firms (absorptive capacity, R2).

**Limits.**  Both reinforcing effects *saturate*: R&D intensity can rise at
most ``rd_margin_cap`` times its start-year level from the margin and
``absorptive_capacity_cap`` times from absorptive capacity
(:func:`smesim.model.common.saturating`), and the margin meets a smooth floor
(:func:`smesim.model.common.soft_floor`), so no loop runs without limit and no
rate has a kink.

**Exogenous driver: large firms' technological opportunity.**  Large firms'
desired R&D intensity drifts up at ``rd_opportunity_growth_large`` per year
in the start year (a country parameter: Korea's chaebol exporters raised
business R&D from about 2.3 % to 3.6 % of GDP in 2007-2017), fading with time
constant ``rd_opportunity_fade_time``: the log multiplier is a stock that
approaches ``growth x fade time``, so the drift has a ceiling.

**Loop 5, policy support.**  Direct subsidies and tax incentives (levers, %
of business R&D, Table 7) add to private R&D with an additionality factor; a
documented share of each reaches SMEs.

**R&D per researcher.**  Researchers follow the R&D budget with a lag; the
desired spend per researcher grows with a country's nominal researcher cost
and deepens, within a factor ``rd_deepening_limit`` either way, with the drivers of the
group's R&D intensity (margin, absorptive capacity, technological
opportunity; ``rd_deepening_elasticity``), so large
firms' spend per researcher rises with their opportunity while SMEs' stays
flat: Table 6's KRW-million row.

Start-year values (SME private R&D intensity, spend per researcher) are
derived so that Table 6's 2007 figures hold under the start-year policy
settings.  Units: value added in units of large-firm productivity; ``RDU`` =
R&D units (large firms' start-year R&D per unit of value added = 1); ``RU`` =
researcher units, scaled so that spend per researcher reads in million units
of national currency (KRW for Korea) at start-year R&D prices.
"""

from __future__ import annotations

from smesim.model.common import bounded, saturating, soft_floor
from smesim.model.spec import Sector

S = Sector("rd_policy", __doc__)

_T6 = (
    "Table 6 (Park 2019), Korea 2007; the published figure is the prior centre and the 2007 data "
    "point of the releases pins the estimate"
)
S.param(
    "init_rd_share_sme",
    27.83,
    "%",
    5.0,
    60.0,
    "calibrated",
    _T6 + "; bounds: below ~4 % the start-year support settings alone exceed the share",
    prior=26.6,
    prior_sd=3.0,
    initial=True,
)
S.param(
    "init_rd_per_researcher_ratio_sme",
    44.85,
    "%",
    5.0,
    95.0,
    "calibrated",
    _T6,
    prior=44.7,
    prior_sd=3.0,
    initial=True,
)
S.param(
    "init_rd_per_researcher_sme_level",
    76.25,
    "RDU/yr/RU",
    1.0,
    1000.0,
    "calibrated",
    _T6 + " (KRW million per researcher)",
    prior=76.4,
    prior_sd=5.0,
    initial=True,
)
S.param(
    "rd_opportunity_growth_large",
    0.05789,
    "1/yr",
    -0.1,
    0.2,
    "calibrated",
    "start-year growth of large firms' desired R&D intensity (technological opportunity of "
    "large exporters; a country's exogenous driver); fitted to Table 6's share and spend "
    "rows",
    prior=0.03,
    prior_sd=0.03,
    country=True,
)
S.param(
    "rd_opportunity_fade_time",
    10.0,
    "yr",
    2.0,
    40.0,
    "assumed",
    "assumed: the opportunity drift fades over about a decade (R&D intensity cannot rise without "
    "limit: Korea's business R&D of 3.6 % of GDP in 2017 was already the OECD's second highest); "
    "sampled 5-20 yr",
    sample=(5.0, 20.0),
)
S.param(
    "nominal_researcher_cost_growth",
    0.02,
    "1/yr",
    0.0,
    0.15,
    "assumed",
    "assumed: growth of the national-currency cost of a researcher at constant R&D intensity "
    "(wages and prices); about Korea's nominal wage growth net of the shift to cheaper junior "
    "researchers (Korea's nominal wages rose about 3 %/yr in 2007-2017); a free fit runs into "
    "its lower bound 0 (Table 6's KRW row alone cannot separate it from R&D deepening), so it "
    "is fixed and sampled 0-0.04",
    sample=(0.0, 0.04),
    country=True,
)
S.param(
    "rd_deepening_elasticity",
    1.426,
    "1",
    0.0,
    3.0,
    "calibrated",
    "elasticity of spend per researcher to the group's R&D intensity (a budget rise is first "
    "spent on equipment and better-paid staff, head-count follows slowly); fitted to Table 6",
    prior=0.7,
    prior_sd=0.4,
)
S.param(
    "rd_deepening_limit",
    3.0,
    "1",
    1.1,
    10.0,
    "assumed",
    "assumed: the most R&D deepening can multiply, or divide, a group's start-year spend per "
    "researcher at constant nominal cost (equipment and pay per researcher neither rise nor "
    "fall without limit); sampled 2-4",
    sample=(2.0, 4.0),
)
S.param(
    "labour_share_large",
    0.45,
    "1",
    0.2,
    0.8,
    "assumed",
    "assumed: labour income share of large firms' value added (~0.4-0.5 in Korean national "
    "accounts for large corporations); sampled 0.38-0.52",
    sample=(0.38, 0.52),
)
S.param(
    "appropriation_rate_0",
    0.04,
    "1",
    0.0,
    0.3,
    "assumed",
    "evidence: share of SME value added captured by large buyers. The paper names unfair "
    "subcontracting, gives no figure; KIET (2018) reports Hyundai's exclusive suppliers earning "
    "a 3.57 % operating margin against the parent's 8.14 %, and that 52 % of Korean SMEs work "
    "as subcontractors (EU 30 %): a gap of a few per cent of value added; sampled 0.02-0.08",
    sample=(0.02, 0.08),
)
S.param(
    "fair_trade_appropriation_effect",
    0.5,
    "1",
    0.0,
    1.0,
    "assumed",
    "assumed: share of appropriation removed by full fair-trade enforcement; no evaluation of "
    "enforcement effects was found (few damages suits have succeeded since 2011), so the range "
    "is wide; sampled 0.2-0.8",
    sample=(0.2, 0.8),
)
S.param(
    "rd_margin_elasticity",
    0.8,
    "1",
    0.0,
    3.0,
    "assumed",
    "evidence: elasticity of R&D intensity to the operating margin at the start-year margin "
    "(success to the successful). R&D of small and young firms is financed mostly from "
    "internal funds and responds to cash flow (Himmelberg & Petersen 1994, REStat 76(1); Hall "
    "& Lerner 2010, Handbook of the Economics of Innovation). Fixed, not fitted: in 2007-2017 "
    "Korean SME margins held up while the SME R&D share fell (the fall came from large firms' "
    "opportunity), so a free fit switches the loop off; sampled 0.4-1.2",
    sample=(0.4, 1.2),
)
S.param(
    "rd_margin_cap",
    2.0,
    "1",
    1.1,
    5.0,
    "assumed",
    "assumed: the most a rising margin can multiply a group's start-year R&D intensity (internal "
    "finance stops binding; R&D then follows opportunities, not cash); sampled 1.5-3",
    sample=(1.5, 3.0),
)
S.param(
    "absorptive_capacity_elasticity",
    0.5244,
    "1",
    0.0,
    2.0,
    "calibrated",
    "elasticity of SME R&D intensity to relative knowledge per worker at the start-year ratio "
    "(absorptive capacity, Cohen & Levinthal 1990: firms that fall behind earn less from R&D)",
    prior=0.4,
    prior_sd=0.25,
)
S.param(
    "absorptive_capacity_cap",
    2.0,
    "1",
    1.1,
    5.0,
    "assumed",
    "assumed: the most absorptive capacity can multiply SMEs' start-year R&D intensity; sampled "
    "1.5-3",
    sample=(1.5, 3.0),
)
S.param(
    "researcher_adjustment_time",
    2.0,
    "yr",
    0.5,
    15.0,
    "assumed",
    "assumed: researcher head-count follows the R&D budget within about two years (hiring and "
    "training of researchers); the 2007-2017 data push a free fit to its lower bound, so it "
    "is fixed and sampled 1-4",
    sample=(1.0, 4.0),
)
S.param(
    "subsidy_additionality",
    1.0,
    "1",
    0.0,
    2.0,
    "assumed",
    "evidence: won of business R&D per won of direct subsidy. Dimos & Pugh (2016, Research "
    "Policy 45(4)), a meta-regression of 52 studies, rejects crowding out but finds no "
    "substantial additionality (about 1); Kim & Yu (2022, J. Knowledge Economy 13) find partial "
    "crowding-out of Korean SMEs' own R&D money; sampled 0.6-1.4",
    sample=(0.6, 1.4),
)
S.param(
    "tax_additionality",
    0.6,
    "1",
    0.0,
    2.0,
    "assumed",
    "evidence: won of extra R&D per won of tax revenue forgone. Hall & Van Reenen (2000, "
    "Research Policy 29): about 1; Bloom, Griffith & Van Reenen (2002, J. Public Economics 85): "
    "user-cost elasticity about 0.1 short run, about 1 long run; CPB meta-analysis (Gaillard- "
    "Ladinska, Non & Straathof 2015): 0.13-0.21 after publication-bias correction; sampled "
    "0.2-1.2",
    sample=(0.2, 1.2),
)
S.param(
    "sme_share_of_subsidy",
    0.6,
    "1",
    0.0,
    1.0,
    "assumed",
    "evidence: share of direct R&D subsidy reaching SMEs. Lee & Jo (2018, KDI Journal of "
    "Economic Policy 40(4)): SME R&D grants of about 3 trillion won a year, Korea second in the "
    "OECD; Korean programmes are SME-targeted (Table 3 lists 17 R&D programmes); sampled "
    "0.4-0.8",
    sample=(0.4, 0.8),
)
S.param(
    "sme_share_of_tax_incentive",
    0.4,
    "1",
    0.0,
    1.0,
    "assumed",
    "evidence: share of R&D tax support claimed by SMEs. OECD R&D tax incentive data as cited "
    "by Atkinson (2022, ITIF): SMEs received 58 % of Korean R&D tax support around 2019-2020, "
    "after the 2014 reform cut large firms' credits (their share was higher before); 0.4 for "
    "the 2007-2017 window; sampled 0.3-0.6",
    sample=(0.3, 0.6),
)
S.param(
    "green_cost_to_sme_margin",
    0.02,
    "1",
    0.0,
    0.2,
    "assumed",
    "assumed: SME margin cost of a full green transition relative to baseline; sampled 0-0.04",
    sample=(0.0, 0.04),
)
S.param(
    "viable_sme_margin",
    0.10,
    "1",
    0,
    0.3,
    "assumed",
    "assumed: the lowest operating margin SMEs accept before wage targets give way (ability to "
    "pay); sampled 0.05-0.15",
    sample=(0.05, 0.15),
)
S.param(
    "margin_floor",
    0.02,
    "1",
    0.0,
    0.1,
    "assumed",
    "assumed: SMEs keep a minimal R&D budget even at zero margin (the smooth floor of the margin "
    "R&D responds to); sampled 0.01-0.04",
    sample=(0.01, 0.04),
)
S.param(
    "margin_floor_width",
    0.01,
    "1",
    0.005,
    0.1,
    "assumed",
    "assumed: width of the smooth margin floor (0.1 above the floor the margin is raised by "
    "0.00025; at the floor by half the width); no data, a numerical smoothing choice",
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
    "an SME R&D share the start-year support settings can produce (SME support alone must not "
    "exceed it, nor large firms' support leave SMEs all private R&D)",
)
S.constant(
    "rd_intensity_large_0",
    1.0,
    "RDU/yr",
    "large firms' start-year private R&D per unit of value added: the normalisation that "
    "defines the R&D unit (RDU)",
)
# ---- start-year values: derived so the start-year figures hold under its policy settings
S.aux("v_sme_0", "INIT(v_sme)", "1", "SME value added in the start year")
S.aux("v_large_0", "INIT(v_large)", "1", "large-firm value added in the start year")
S.aux(
    "margin_sme_0",
    soft_floor(
        "(1 - labour_share_large * wage_ratio_sme_0 / productivity_0 - appropriation_rate_0)",
        "margin_floor",
        "margin_floor_width",
    ),
    "1",
    "SME operating margin in the start year",
)
S.aux(
    "margin_large_0",
    "1 - labour_share_large + appropriation_rate_0 * v_sme_0 / v_large_0",
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
    "SMEs' start-year private R&D per unit of value added, derived so the start-year SME R&D "
    "share holds under the start-year support settings",
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
    "init_rd_per_researcher_sme_level",
    "RDU/yr/RU",
    "SME R&D spend per researcher in the start year (Table 6, KRW million)",
)
S.aux(
    "researcher_cost_large_0",
    "init_rd_per_researcher_sme_level / init_rd_per_researcher_ratio_sme * hundred_percent",
    "RDU/yr/RU",
    "large-firm R&D spend per researcher in the start year, from Table 6's ratio",
)
# ---- stocks
S.stock(
    "researchers_sme",
    "rd_sme_0 / researcher_cost_sme_0",
    "RU",
    "SME researchers (a head-count up to scale)",
    inflows=["researcher_change_sme"],
)
S.stock(
    "researchers_large",
    "rd_large_0 / researcher_cost_large_0",
    "RU",
    "large-firm researchers (same scale)",
    inflows=["researcher_change_large"],
)
S.stock(
    "rd_opportunity_large",
    "0",
    "1",
    "log multiplier of large firms' desired R&D intensity from technological opportunity: "
    "starts at 0 and approaches growth x fade time",
    inflows=["rd_opportunity_change"],
)
S.stock(
    "nominal_cost_index",
    "1",
    "1",
    "national-currency cost of a researcher at constant R&D intensity, start year = 1",
    inflows=["nominal_cost_change"],
)
S.flow(
    "rd_opportunity_change",
    "(rd_opportunity_growth_large * rd_opportunity_fade_time - rd_opportunity_large) "
    "/ rd_opportunity_fade_time",
    "1/yr",
    "drift of large firms' technological opportunity: rd_opportunity_growth_large at the start, "
    "fading exponentially",
)
S.flow(
    "nominal_cost_change",
    "nominal_researcher_cost_growth * nominal_cost_index",
    "1/yr",
    "growth of the nominal researcher cost",
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
    "appropriation_rate_0 * (1 - fair_trade_appropriation_effect * fair_trade_enforcement) "
    "/ (1 - fair_trade_appropriation_effect * fair_trade_enforcement_0)",
    "1",
    "share of SME value added captured by large buyers (unfair subcontracting)",
)
S.aux(
    "value_kept_factor",
    "(1 - appropriation_rate) / (1 - appropriation_rate_0)",
    "1",
    "share of their value added SMEs keep, relative to the start year",
)
S.aux(
    "margin_sme_raw",
    "1 - labour_share_large * wage_ratio_sme / productivity_ratio_sme - appropriation_rate "
    "- green_cost_to_sme_margin * (green_transition - green_transition_0)",
    "1",
    "SME operating margin on value added before the floor",
)
S.aux(
    "margin_sme",
    soft_floor("margin_sme_raw", "margin_floor", "margin_floor_width"),
    "1",
    "SME operating margin R&D responds to (smooth floor)",
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
S.aux(
    "ability_to_pay_0",
    "productivity_0 * (1 - appropriation_rate_0 - viable_sme_margin) / labour_share_large",
    "%",
    "ability to pay in the start year",
)
# ---- R&D (loops 1, 2 and 5)
S.aux(
    "margin_rd_effect_sme",
    saturating("margin_sme / margin_sme_0", "rd_margin_elasticity", "rd_margin_cap"),
    "1",
    "multiplier of SMEs' R&D intensity from their margin (loop 1, saturating)",
)
S.aux(
    "absorptive_capacity_effect",
    saturating(
        "knowledge_ratio / knowledge_ratio_0",
        "absorptive_capacity_elasticity",
        "absorptive_capacity_cap",
    ),
    "1",
    "multiplier of SMEs' R&D intensity from absorptive capacity (saturating)",
)
S.aux(
    "margin_rd_effect_large",
    saturating("margin_large / margin_large_0", "rd_margin_elasticity", "rd_margin_cap"),
    "1",
    "multiplier of large firms' R&D intensity from their margin (saturating)",
)
S.aux(
    "private_rd_sme",
    "v_sme * rd_intensity_sme_0 * margin_rd_effect_sme * absorptive_capacity_effect",
    "RDU/yr",
    "SMEs' own R&D: follows their margin (loop 1) and absorptive capacity, both saturating",
)
S.aux(
    "private_rd_large",
    "v_large * rd_intensity_large_0 * EXP(rd_opportunity_large) * margin_rd_effect_large",
    "RDU/yr",
    "large firms' own R&D: technological opportunity and margin (saturating)",
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
    "researcher_cost_sme_0 * nominal_cost_index * "
    + bounded(
        "(margin_sme / margin_sme_0) ^ rd_margin_elasticity * (knowledge_ratio / knowledge_ratio_0)"
        " ^ absorptive_capacity_elasticity",
        "rd_deepening_elasticity",
        "rd_deepening_limit",
    ),
    "RDU/yr/RU",
    "SMEs' desired R&D spend per researcher: nominal cost, deepened with the drivers of their "
    "R&D intensity (margin, absorptive capacity)",
)
S.aux(
    "researcher_cost_large",
    "researcher_cost_large_0 * nominal_cost_index * "
    + bounded(
        "EXP(rd_opportunity_large) * (margin_large / margin_large_0) ^ rd_margin_elasticity",
        "rd_deepening_elasticity",
        "rd_deepening_limit",
    ),
    "RDU/yr/RU",
    "large firms' desired R&D spend per researcher: nominal cost, deepened with the drivers of "
    "their R&D intensity (technological opportunity, margin)",
)
S.flow(
    "researcher_change_sme",
    "(rd_sme / researcher_cost_sme - researchers_sme) / researcher_adjustment_time",
    "RU/yr",
    "net hiring of SME researchers toward what the budget supports",
)
S.flow(
    "researcher_change_large",
    "(rd_large / researcher_cost_large - researchers_large) / researcher_adjustment_time",
    "RU/yr",
    "net hiring of large-firm researchers",
)
S.aux(
    "rd_per_researcher_sme",
    "rd_sme / researchers_sme",
    "RDU/yr/RU",
    "SME R&D spend per researcher, million national currency (KRW for Korea)",
)
S.aux(
    "rd_per_researcher_ratio_sme",
    "hundred_percent * rd_per_researcher_sme / (rd_large / researchers_large)",
    "%",
    "SME R&D per researcher, large firms = 100",
)
