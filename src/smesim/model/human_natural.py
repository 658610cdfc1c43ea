"""Sector 8: human and natural coexistence (loop 8).

Population ageing (exogenous 65+ share ``A(t)``) erodes the skills of the SME
workforce; vocational training rebuilds them.  The skills index feeds the
productivity target (see :mod:`.knowledge`).  An environmental-intensity stock
falls at a baseline trend plus what the green-transition lever adds.

.. math::

    H^*(t) = 100\\,\\exp\\big(\\beta_{vt}(u_{vt}-u_{vt,0}) - \\beta_{A}(A(t)-A_0)\\big)
    \\qquad [\\text{index}]

    \\frac{dH}{dt} = \\frac{H^* - H}{\\tau_H} \\qquad [\\text{index/yr}]

    \\frac{dI}{dt} = -I\\,\\big(g_0 + g_{green}(u_{green} - u_{green,0})\\big)
    \\qquad [\\text{index/yr}]

``H`` sme_skills_index (2012 = 100), ``I`` environmental_intensity (2012 =
100), ``A`` population_65plus_share (%), ``A_0`` its start-year value,
``u_*`` levers (0-1) with baseline ``u_*,0``; ``beta_vt`` training_skills_effect
(1), ``beta_A`` ageing_skills_effect (1/pp), ``tau_H`` skills_adjustment_time
(yr), ``g_0`` environmental_intensity_trend (1/yr), ``g_green``
green_transition_effect (1/yr per unit lever).
"""

from __future__ import annotations

import numpy as np

from smesim.model.state import IDX


def initialise(y0, p, lv0, exo0, c):
    y0[:, IDX["sme_skills_index"]] = 100.0
    y0[:, IDX["environmental_intensity"]] = 100.0
    c.age_share_0 = exo0["population_65plus_share"]
    c.training_0 = lv0.vocational_training
    c.green_0 = lv0.green_transition


def rates(s, p, lv, exo, c, aux, d):
    skills_target = 100.0 * np.exp(
        p.training_skills_effect * (lv.vocational_training - c.training_0)
        - p.ageing_skills_effect * (exo["population_65plus_share"] - c.age_share_0)
    )
    d[:, IDX["sme_skills_index"]] = (skills_target - s.sme_skills_index) / p.skills_adjustment_time
    decline = p.environmental_intensity_trend + p.green_transition_effect * (
        lv.green_transition - c.green_0
    )
    d[:, IDX["environmental_intensity"]] = -s.environmental_intensity * decline
    aux["population_65plus_share"] = exo["population_65plus_share"]
