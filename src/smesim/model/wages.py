"""Sector 3: relative wages by size class (loop 3, "wages follow productivity, slowly").

Each SME class's wage ratio (500+ = 100) adjusts toward a target set by SME
relative productivity and by bargaining conditions (fair-trade enforcement).
Targets are formed on the *odds* ``W/(100-W)`` so they stay inside (0, 100).
SMEs' ability to pay caps the targets: the all-SME target may not push the
SME margin below a viable level (a balancing loop that ties wages to
productivity in the long run).

.. math::

    \\mathrm{odds}(W^*_c) = \\mathrm{odds}(W_{c,0})\\; m_W
        \\left(\\frac{P}{P_0}\\right)^{\\omega} e^{\\beta_{ft}(u_{ft}-u_{ft,0})}

    W^{cap} = P\\,\\frac{1 - a - m_{viable}}{\\lambda_L}, \\qquad
    \\hat W^*_c = W^*_c \\min\\Big(1, \\frac{W^{cap}}{\\bar W^*}\\Big),\\quad
    \\bar W^* = \\frac{\\sum_{c} E_c W^*_c}{\\sum_c E_c}

    \\frac{dW_c}{dt} = \\frac{\\hat W^*_c - W_c}{\\tau_W} \\qquad [\\%/\\text{yr}]

    W_{SME} = \\frac{\\sum_{c \\in SME} E_c W_c}{\\sum_{c \\in SME} E_c} \\qquad [\\%]

``W_c`` wage_ratio_<class> (%), ``W_c,0`` its 2012 value (Table 4), ``m_W``
wage_target_2012 (1; 1 = wages in line with productivity in 2012), ``P``
productivity_ratio_sme (%), ``omega`` wage_productivity_elasticity (1),
``beta_ft`` fair_trade_wage_effect (1), ``tau_W`` wage_adjustment_time (yr),
``a`` appropriation rate and ``lambda_L`` labour_share_large (see
:mod:`.rd_policy`), ``m_viable`` viable_sme_margin (1),
``E_c`` employment shares (%).
"""

from __future__ import annotations

import numpy as np

from smesim.model.params import from_odds, odds
from smesim.model.state import EMPLOYMENT, SME_CLASSES, WAGES


def initialise(y0, p, lv0, exo0, c):
    w0 = np.stack([getattr(p, f"init_wage_ratio_{k}") for k in SME_CLASSES], axis=1)
    y0[:, WAGES] = w0
    c.wage_odds_0 = odds(w0)
    c.fair_trade_0 = lv0.fair_trade_enforcement


def sme_wage_ratio(y):
    """All-SME wage ratio (%): employment-weighted mean of the four SME classes."""
    emp = y[:, EMPLOYMENT][:, :4]
    return (emp * y[:, WAGES]).sum(axis=1) / emp.sum(axis=1)


def rates(s, p, lv, exo, c, aux, d, y):
    drive = (
        p.wage_target_2012
        * (s.productivity_ratio_sme / c.productivity_0) ** p.wage_productivity_elasticity
        * np.exp(p.fair_trade_wage_effect * (lv.fair_trade_enforcement - c.fair_trade_0))
    )
    target = from_odds(c.wage_odds_0 * drive[:, None])
    emp = y[:, EMPLOYMENT][:, :4]
    mean_target = (emp * target).sum(axis=1) / emp.sum(axis=1)
    ability_to_pay = (
        s.productivity_ratio_sme
        * (1 - aux["appropriation_rate"] - p.viable_sme_margin)
        / p.labour_share_large
    )
    target = target * np.minimum(1.0, ability_to_pay / mean_target)[:, None]
    d[:, WAGES] = (target - y[:, WAGES]) / p.wage_adjustment_time[:, None]
