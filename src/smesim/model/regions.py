"""Sector 7: regional agglomeration in the Seoul metropolitan area (loop 7).

The capital region's shares of GRP, population and startups are stocks.  GRP
concentration attracts people and startups; a larger population pulls GRP:
a reinforcing agglomeration loop (gain
``agglomeration_population_effect * agglomeration_grp_effect``, below 1 by
default so it reinforces without exploding).  Regional dispersion lowers every
target.  Targets are on odds, so shares stay inside (0, 100).

.. math::

    D = e^{-\\rho (u_{rd} - u_{rd,0})}

    \\mathrm{odds}(G^*) = \\mathrm{odds}(G_{ref})
        \\left(\\frac{\\mathrm{odds}(N)}{\\mathrm{odds}(N_0)}\\right)^{a_N} D

    \\mathrm{odds}(N^*) = \\mathrm{odds}(N_{ref})
        \\left(\\frac{\\mathrm{odds}(G)}{\\mathrm{odds}(G_0)}\\right)^{a_G} D,\\qquad
    \\mathrm{odds}(S^*) = \\mathrm{odds}(S_0)
        \\left(\\frac{\\mathrm{odds}(G)}{\\mathrm{odds}(G_0)}\\right)^{a_G} D

    \\frac{dG}{dt} = \\frac{G^*-G}{\\tau_G},\\quad
    \\frac{dN}{dt} = \\frac{N^*-N}{\\tau_N},\\quad
    \\frac{dS}{dt} = \\frac{S^*-S}{\\tau_S} \\qquad [\\%/\\text{yr}]

``G, N, S`` capital_region_grp / population / startup shares (%), ``G_ref,
N_ref`` their 2012 targets (calibrated), ``rho`` dispersion_effect, ``a_N``
agglomeration_population_effect, ``a_G`` agglomeration_grp_effect, ``tau_*``
adjustment times (yr).
"""

from __future__ import annotations

import numpy as np

from smesim.model.params import from_odds, odds
from smesim.model.state import IDX

_G, _N, _S = (
    "capital_region_grp_share",
    "capital_region_population_share",
    "capital_region_startup_share",
)


def initialise(y0, p, lv0, exo0, c):
    y0[:, IDX[_G]] = p.init_capital_region_grp_share
    y0[:, IDX[_N]] = p.init_capital_region_population_share
    y0[:, IDX[_S]] = p.init_capital_region_startup_share
    c.grp_odds_0 = odds(p.init_capital_region_grp_share)
    c.population_odds_0 = odds(p.init_capital_region_population_share)
    c.startup_odds_0 = odds(p.init_capital_region_startup_share)
    c.dispersion_0 = lv0.regional_dispersion


def rates(s, p, lv, c, aux, d):
    dispersion = np.exp(-p.dispersion_effect * (lv.regional_dispersion - c.dispersion_0))
    pull_of_people = (
        odds(s.capital_region_population_share) / c.population_odds_0
    ) ** p.agglomeration_population_effect
    pull_of_output = (odds(s.capital_region_grp_share) / c.grp_odds_0) ** p.agglomeration_grp_effect
    grp_target = from_odds(odds(p.capital_region_grp_target_2012) * pull_of_people * dispersion)
    pop_target = from_odds(
        odds(p.capital_region_population_target_2012) * pull_of_output * dispersion
    )
    startup_target = from_odds(c.startup_odds_0 * pull_of_output * dispersion)
    d[:, IDX[_G]] = (grp_target - s.capital_region_grp_share) / p.grp_adjustment_time
    d[:, IDX[_N]] = (pop_target - s.capital_region_population_share) / p.population_adjustment_time
    d[:, IDX[_S]] = (startup_target - s.capital_region_startup_share) / p.startup_adjustment_time
