"""Sector 3: relative wages by size class (loop 3, "wages follow productivity, slowly").

Each SME class's wage ratio (500+ = 100) adjusts, with a lag, toward a target
set by SME relative productivity and by bargaining conditions (fair-trade
enforcement).  Targets are formed on the *odds* ``W/(100-W)`` so they stay
inside (0, 100).  SMEs' ability to pay (:mod:`smesim.model.rd_policy`) caps the
targets: the all-SME target may not push the SME margin below a viable level,
a balancing loop that ties wages to productivity in the long run.  The all-SME
wage ratio is the employment-weighted mean of the four classes.
"""

from __future__ import annotations

from smesim.model.common import from_odds, odds
from smesim.model.firm_size import SME_CLASSES, label
from smesim.model.spec import Sector

S = Sector("wages", __doc__)

_T4 = (
    "Table 4 (Noh 2019b), Korea 2012; the published 2012 figure is the prior centre with a "
    "wide sd (5 points), and the 2012 data point of the releases pins the estimate, so a "
    "release revising the 2012 figure moves the initial state"
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
    0.76,
    "1",
    0,
    2,
    "calibrated",
    "elasticity of relative-wage odds to relative productivity",
    prior=0.7,
    prior_sd=0.3,
)
S.param(
    "wage_adjustment_time",
    4.0,
    "yr",
    0.5,
    20,
    "calibrated",
    "lag of relative wages behind their target",
    prior=4.0,
    prior_sd=2.0,
)
S.param(
    "wage_target_2012",
    0.93,
    "1",
    0.5,
    1.5,
    "calibrated",
    "odds multiplier of the 2012 wage target against 2012 wages (1 = wages in line with "
    "productivity in 2012)",
    prior=1.0,
    prior_sd=0.1,
)
S.param(
    "fair_trade_wage_effect",
    0.15,
    "1",
    0,
    1,
    "assumed",
    "assumed: log-odds gain of SME wage targets per unit of fair-trade enforcement "
    "(bargaining position in subcontracting)",
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
    "wage_target_2012 * (productivity_ratio_sme / productivity_0) ^ "
    "wage_productivity_elasticity * EXP(fair_trade_wage_effect * (fair_trade_enforcement "
    "- fair_trade_enforcement_0))",
    "1",
    "odds multiplier of every class's wage target against its 2012 wage",
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
    "ability_to_pay_factor",
    "MIN(1, ability_to_pay / mean_wage_target)",
    "1",
    "scaling of every wage target so the mean respects the ability to pay",
)
for c in SME_CLASSES:
    S.aux(
        f"wage_target_{c}",
        f"wage_target_uncapped_{c} * ability_to_pay_factor",
        "%",
        f"wage ratio the {label(c)} class moves toward",
    )
    S.flow(
        f"wage_adjustment_{c}",
        f"(wage_target_{c} - wage_ratio_{c}) / wage_adjustment_time",
        "%/yr",
        f"change of the {label(c)} wage ratio",
    )
