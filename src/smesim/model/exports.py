"""Sector 6: SME share of exports (loop 6).

The SME export share follows SME relative productivity and
internationalisation support (the scale_up_support lever covers export and
growth programmes), with a lag.  The start year is a balance: the target
equals the starting share under start-year conditions.

"""

from __future__ import annotations

from smesim.model.common import from_odds, odds
from smesim.model.spec import Sector

S = Sector("exports", __doc__)

S.param(
    "init_export_share_sme",
    18.99,
    "%",
    5.0,
    60.0,
    "calibrated",
    "no start-year figure in the paper; fitted to Table 1 2015-2017 (2018 on: out of sample)",
    prior=19.0,
    prior_sd=2.0,
    initial=True,
)
S.param(
    "export_productivity_elasticity",
    1.002,
    "1",
    0.0,
    3.0,
    "calibrated",
    "elasticity of SME export-share odds to relative productivity",
    prior=1.0,
    prior_sd=0.5,
)
S.param(
    "export_adjustment_time",
    2.0,
    "yr",
    0.5,
    10.0,
    "assumed",
    "assumed: export shares adjust within two years; sampled 1-4",
    sample=(1.0, 4.0),
)
S.param(
    "export_scale_up_effect",
    0.3,
    "1",
    0.0,
    2.0,
    "assumed",
    "assumed: log-odds gain of SME export share per unit of scale_up_support (internationalisation"
    " programmes, Table 3: 13 export programmes); sampled 0.1-0.5",
    sample=(0.1, 0.5),
)
S.stock(
    "export_share_sme",
    "init_export_share_sme",
    "%",
    "SME share of exports",
    inflows=["export_share_change"],
)
S.aux(
    "export_target_odds",
    odds("init_export_share_sme")
    + " * (productivity_ratio_sme / productivity_0) ^ export_productivity_elasticity"
    " * EXP(export_scale_up_effect * (scale_up_support - scale_up_support_0))",
    "1",
    "odds of the SME export share target",
)
S.aux(
    "export_target",
    from_odds("export_target_odds"),
    "%",
    "SME export share supported by productivity and internationalisation",
)
S.flow(
    "export_share_change",
    "(export_target - export_share_sme) / export_adjustment_time",
    "%/yr",
    "change of the SME export share",
)
