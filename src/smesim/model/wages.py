"""Sector 3: relative wages by size class (loop 3, "wages follow productivity, slowly").

Each SME class's wage ratio (500+ = 100) adjusts, with a lag, toward a target
set by SME relative productivity, bargaining conditions (fair-trade
enforcement) and labour scarcity (a shrinking working-age population makes
recruiting hardest for small firms, which must pay more to fill vacancies).  Targets are
formed on the *odds* ``W/(100-W)`` so they stay inside (0, 100); at the start
year every target equals its class's wage (a balance).

SMEs' ability to pay (:mod:`smesim.model.rd_policy`) caps the targets
smoothly (:func:`smesim.model.common.soft_cap`, no kink): the all-SME target
may not push the SME margin below a viable level, a balancing loop that ties
wages to productivity in the long run.

Two averages are reported: ``wage_ratio_sme``, over SMEs only, and
``wage_ratio_all_firms``, over all firms with 500+ = 100 included: Table 4's
"total" row is the latter (Table 5: Korea 2,896 / 5,347 = 54.2 in 2017).
"""

from __future__ import annotations

from smesim.model.common import from_odds, odds, soft_cap
from smesim.model.firm_size import SME_CLASSES, label
from smesim.model.spec import Sector

S = Sector("wages", __doc__)

_T4 = (
    "Table 4 (Noh 2019b): the 2012 figure is the prior centre of the start-year (2007) value "
    "with a wide sd (5 points); the 2012 and 2017 data points pin the estimate"
)
for c, w in zip(SME_CLASSES, (33.7, 50.7, 59.8, 72.6), strict=True):
    S.param(
        f"init_wage_ratio_{c}",
        w,
        "%",
        1,
        99,
        "calibrated",
        _T4,
        prior=w,
        prior_sd=5.0,
        initial=True,
    )
S.param(
    "wage_productivity_elasticity",
    0.5683,
    "1",
    0,
    2,
    "calibrated",
    "elasticity of relative-wage odds to relative productivity; prior 0.6 +- 0.15: firm-level "
    "studies find wages capture about half of productivity gains (Dearden, Reed & Van Reenen "
    "2006: 0.3 % against 0.6 %; Konings & Vanormelingen 2015: 12 % against 23 %), a little more "
    "on the odds of ratios around one half",
    prior=0.6,
    prior_sd=0.15,
)
S.param(
    "wage_adjustment_time",
    0.5,
    "yr",
    0.5,
    20,
    "assumed",
    "assumed: relative wages follow their target within months (annual wage bargaining; "
    "Japan's 2012-2017 rise needs a fast response); the 2007-2017 data push a free fit to its "
    "lower bound 0.5, so it is fixed there and sampled 0.5-2",
    sample=(0.5, 2.0),
)
S.param(
    "labour_scarcity_wage_effect",
    3.412,
    "1",
    -5.0,
    10.0,
    "calibrated",
    "elasticity of SME wage-target odds to a fall of the working-age population (a shrinking "
    "labour force makes recruiting hardest for small firms, which must pay more); identified "
    "by the two countries' different paths (Japan's working-age population fell ~5 % in "
    "2012-2017, Korea's still grew)",
    prior=2.0,
    prior_sd=2.0,
)
S.param(
    "fair_trade_wage_effect",
    0.1,
    "1",
    0,
    1,
    "assumed",
    "assumed: log-odds gain of SME wage targets per unit of fair-trade enforcement (bargaining "
    "position in subcontracting); no evaluation found; sampled 0-0.25",
    sample=(0.0, 0.25),
)
S.param(
    "ability_to_pay_width",
    5.0,
    "%",
    0.5,
    10.0,
    "assumed",
    "assumed: width of the smooth ability-to-pay cap, in wage-ratio points: wide enough that "
    "wage paths turn gradually as they near what SMEs can pay (no visible bend), while the cap "
    "lowers the mean target by only 0.6 point when it is 10 points below it; a smoothing "
    "choice",
)

for c in SME_CLASSES:
    S.stock(
        f"wage_ratio_{c}",
        f"init_wage_ratio_{c}",
        "%",
        f"average wage in {label(c)}-person firms, 500+ = 100",
        inflows=[f"wage_adjustment_{c}"],
    )
S.aux(
    "wage_ratio_sme",
    "("
    + " + ".join(f"employment_share_{c} * wage_ratio_{c}" for c in SME_CLASSES)
    + ") / employment_share_sme",
    "%",
    "all-SME wage ratio: employment-weighted mean of the four SME classes",
)
S.aux(
    "wage_ratio_all_firms",
    "("
    + " + ".join(f"employment_share_{c} * wage_ratio_{c}" for c in SME_CLASSES)
    + " + employment_share_500_plus * hundred_percent) / hundred_percent",
    "%",
    "all-firm average wage over the 500+ wage: the employment-weighted mean of every class, "
    "500+ = 100 included (what Table 4's 'total' row measures)",
)
S.aux("wage_ratio_sme_0", "INIT(wage_ratio_sme)", "%", "all-SME wage ratio in the start year")
S.aux(
    "wage_drive",
    "(productivity_ratio_sme / productivity_0) ^ wage_productivity_elasticity"
    " * EXP(fair_trade_wage_effect * (fair_trade_enforcement - fair_trade_enforcement_0)"
    ") * (working_age_population / working_age_population_0) ^ (-labour_scarcity_wage_effect)",
    "1",
    "odds multiplier of every class's wage target against its start-year wage",
)
for c in SME_CLASSES:
    S.aux(
        f"wage_target_odds_{c}",
        f"{odds(f'init_wage_ratio_{c}')} * wage_drive",
        "1",
        f"odds of the {label(c)} wage target before the ability-to-pay cap",
    )
    S.aux(
        f"wage_target_uncapped_{c}",
        from_odds(f"wage_target_odds_{c}"),
        "%",
        f"wage ratio productivity and bargaining support for {label(c)} firms",
    )
S.aux(
    "mean_wage_target",
    "("
    + " + ".join(f"employment_share_{c} * wage_target_uncapped_{c}" for c in SME_CLASSES)
    + ") / employment_share_sme",
    "%",
    "employment-weighted mean of the uncapped SME wage targets",
)
S.aux(
    "capped_mean_wage_target",
    soft_cap("mean_wage_target", "ability_to_pay", "ability_to_pay_width"),
    "%",
    "mean SME wage target after the smooth ability-to-pay cap",
)
S.aux(
    "ability_to_pay_ratio",
    "capped_mean_wage_target / mean_wage_target",
    "1",
    "share of the mean SME wage target the ability to pay leaves",
)
S.aux(
    "ability_to_pay_ratio_0",
    soft_cap("wage_ratio_sme_0", "ability_to_pay_0", "ability_to_pay_width")
    + " / wage_ratio_sme_0",
    "1",
    "the same share in the start year (every target then equals its class's wage)",
)
for c in SME_CLASSES:
    S.aux(
        f"start_correction_{c}",
        f"{odds(f'init_wage_ratio_{c}')} / "
        f"{odds(f'(init_wage_ratio_{c} * ability_to_pay_ratio_0)')}",
        "1",
        f"odds correction that makes the {label(c)} target equal its start-year wage (the cap "
        "may bind a little already in the start year)",
    )
    S.aux(
        f"wage_target_{c}",
        f"hundred_percent * wage_target_odds_{c} * ability_to_pay_ratio * start_correction_{c} "
        f"/ (1 + wage_target_odds_{c} * (1 - ability_to_pay_ratio) + wage_target_odds_{c} "
        f"* ability_to_pay_ratio * start_correction_{c})",
        "%",
        f"wage ratio the {label(c)} class moves toward: its uncapped target scaled by the "
        "ability-to-pay ratio, then corrected on odds so the start year is a balance (inside "
        "(0, 100)); with o the uncapped odds, r the ratio and k the correction, the odds of "
        "the target are k o r / (1 + o (1 - r))",
    )
    S.flow(
        f"wage_adjustment_{c}",
        f"(wage_target_{c} - wage_ratio_{c}) / wage_adjustment_time",
        "%/yr",
        f"change of the {label(c)} wage ratio",
    )
