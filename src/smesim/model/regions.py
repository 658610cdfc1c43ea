"""Sector 7: regional agglomeration in the Seoul metropolitan area (loop 7).

The capital region's shares of GRP, population and startups are stocks.  GRP
concentration attracts people and startups; a larger population pulls GRP:
a reinforcing agglomeration loop (gain
``agglomeration_population_effect * agglomeration_grp_effect``, below 1 by
default so it reinforces without exploding).  Regional dispersion lowers every
target.  Targets are on odds, so shares stay inside (0, 100).

**Coupling to SMEs.**  The paper ties capital-region concentration to SMEs'
access to finance (about 68 % of deposits), talent and startups (about 53 %)
outside the capital region.  ``regional_access_factor`` carries that link:
SME productivity-target odds fall by ``concentration_productivity_effect``
(log) per 100 points of capital-region startup share above the start year,
so regional dispersion helps SMEs a little (an assumed elasticity, sampled
by the ensemble; agglomeration studies find productivity elasticities to
density of a few per cent, so the effect is kept small).

"""

from __future__ import annotations

from smesim.model.common import from_odds, odds
from smesim.model.spec import Sector

S = Sector("regions", __doc__)

S.param(
    "init_capital_region_grp_share",
    48.5,
    "%",
    20.0,
    80.0,
    "assumed",
    "assumed: 2007 share about 3 points below the paper's 51.3 % (2017), i.e. the slow rise of "
    "the 2000s and 2010s; not a published figure",
    initial=True,
)
S.param(
    "init_capital_region_population_share",
    48.6,
    "%",
    20.0,
    80.0,
    "assumed",
    "assumed: 2007 share about 1.4 points below the paper's 50 % (2019), i.e. the slow rise of "
    "the 2000s and 2010s",
    initial=True,
)
S.param(
    "init_capital_region_startup_share",
    53.0,
    "%",
    20.0,
    90.0,
    "assumed",
    "assumed: the paper's 'about 53 %' of startups held at its start-year value",
    initial=True,
)
S.param(
    "capital_region_grp_target_0",
    50.69,
    "%",
    20.0,
    80.0,
    "calibrated",
    "GRP share the start-year agglomeration pulls toward; fitted to 51.3 % (2017)",
    prior=52.0,
    prior_sd=3.0,
    country=True,
)
S.param(
    "capital_region_population_target_0",
    50.5,
    "%",
    20.0,
    80.0,
    "assumed",
    "assumed: population share the start-year agglomeration pulls toward, 0.5 point above the "
    "paper's 50 % (2019; a post-2017 figure, so not fitted)",
    country=True,
)
S.param(
    "grp_adjustment_time",
    5.0,
    "yr",
    1.0,
    30.0,
    "assumed",
    "assumed: GRP shares move over about five years; sampled 3-10",
    sample=(3.0, 10.0),
)
S.param(
    "population_adjustment_time",
    10.0,
    "yr",
    1.0,
    40.0,
    "assumed",
    "assumed: migration moves population shares over about a decade; sampled 10-40",
    sample=(10.0, 40.0),
)
S.param(
    "startup_adjustment_time",
    2.0,
    "yr",
    0.5,
    10.0,
    "assumed",
    "assumed: startup location responds within two years; sampled 1-4",
    sample=(1.0, 4.0),
)
S.param(
    "agglomeration_population_effect",
    1.0,
    "1",
    0.0,
    3.0,
    "assumed",
    "assumed: elasticity of the GRP-share odds target to population-share odds; sampled 0.5-1.5",
    sample=(0.5, 1.5),
)
S.param(
    "agglomeration_grp_effect",
    0.5,
    "1",
    0.0,
    3.0,
    "assumed",
    "assumed: elasticity of population- and startup-share odds targets to GRP-share odds (loop "
    "gain 0.5 < 1: reinforcing but not explosive); sampled 0.25-0.6 (the loop gain stays below 1)",
    sample=(0.25, 0.6),
)
S.param(
    "dispersion_effect",
    0.2,
    "1",
    0.0,
    5.0,
    "assumed",
    "evidence and assumption: log-odds fall of capital-region targets per unit of "
    "regional_dispersion; the Sejong and innovation-city relocations moved public bodies but "
    "the capital region kept rising (its share of venture investment went from 74 % to 80 %), "
    "and agglomeration elasticities of productivity to density are a few per cent (Combes & "
    "Gobillon 2015), so the effect is kept modest; sampled 0.05-0.5",
    sample=(0.05, 0.5),
)
S.param(
    "concentration_productivity_effect",
    0.5,
    "1",
    0.0,
    3.0,
    "assumed",
    "assumed: log-odds loss of the SME productivity target per 100 points of capital-region "
    "startup share above the start year (access of non-capital SMEs to finance, talent and "
    "startup partners); sampled 0-1",
    sample=(0.0, 1.0),
)
S.stock(
    "capital_region_grp_share",
    "init_capital_region_grp_share",
    "%",
    "Seoul metropolitan area share of gross regional product",
    inflows=["grp_share_change"],
)
S.stock(
    "capital_region_population_share",
    "init_capital_region_population_share",
    "%",
    "Seoul metropolitan area share of population",
    inflows=["population_share_change"],
)
S.stock(
    "capital_region_startup_share",
    "init_capital_region_startup_share",
    "%",
    "Seoul metropolitan area share of new startups",
    inflows=["startup_share_change"],
)
S.aux(
    "dispersion_factor",
    "EXP(-dispersion_effect * (regional_dispersion - regional_dispersion_0))",
    "1",
    "odds multiplier of capital-region targets from regional dispersion",
)
S.aux(
    "pull_of_people",
    f"({odds('capital_region_population_share')} / "
    f"{odds('init_capital_region_population_share')}) ^ agglomeration_population_effect",
    "1",
    "agglomeration pull of capital-region population on its GRP share",
)
S.aux(
    "pull_of_output",
    f"({odds('capital_region_grp_share')} / {odds('init_capital_region_grp_share')})"
    " ^ agglomeration_grp_effect",
    "1",
    "agglomeration pull of capital-region GRP on people and startups",
)
for short, stock, ref, pull, tau in (
    (
        "grp",
        "capital_region_grp_share",
        "capital_region_grp_target_0",
        "pull_of_people",
        "grp_adjustment_time",
    ),
    (
        "population",
        "capital_region_population_share",
        "capital_region_population_target_0",
        "pull_of_output",
        "population_adjustment_time",
    ),
    (
        "startup",
        "capital_region_startup_share",
        "init_capital_region_startup_share",
        "pull_of_output",
        "startup_adjustment_time",
    ),
):
    S.aux(
        f"{short}_share_target",
        from_odds(f"({odds(ref)} * {pull} * dispersion_factor)"),
        "%",
        f"capital-region {short} share the agglomeration pulls toward",
    )
    S.flow(
        f"{short}_share_change",
        f"({short}_share_target - {stock}) / {tau}",
        "%/yr",
        f"change of the capital-region {short} share",
    )
S.aux(
    "regional_access_factor",
    "EXP(-concentration_productivity_effect * (capital_region_startup_share - "
    "INIT(capital_region_startup_share)) / hundred_percent)",
    "1",
    "odds multiplier of the SME productivity target from capital-region concentration",
)
