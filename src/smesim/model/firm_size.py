"""Sector 4: firm-size structure, an aging chain of employment shares (loop 4).

Five stocks, the employment shares of the 1-4, 5-9, 10-99, 100-499 and 500+
classes, exchange employment only with their neighbours: scale-up moves
employment up a class, shrinkage and exit move it down.  Every flow leaves one
stock and enters another, so the shares sum to exactly 100 at all times
(mass balance), and every outflow is proportional to its source stock, so no
share can turn negative at the model's time step.

.. math::

    g = \\min\\Big(e^{s_{su}(u_{su}-u_{su,0})}\\,(P/P_0)^{\\varphi},\\; 5\\Big)

    U_c = r_c\\, g\\, E_c, \\qquad D_c = r_c \\frac{E_{c,0}}{E_{c+1,0}} E_{c+1}
    \\qquad [\\%/\\text{yr}],\\; c = 1..4

    \\frac{dE_1}{dt} = -(U_1 - D_1),\\quad
    \\frac{dE_c}{dt} = (U_{c-1} - D_{c-1}) - (U_c - D_c),\\quad
    \\frac{dE_5}{dt} = U_4 - D_4

``r_c`` scale_up_rate_<class> (1/yr), ``s_su`` scale_up_support_effect,
``varphi`` scale_up_productivity_elasticity, ``g`` scale-up multiplier
(capped at 5 times its 2012 level: an assumed capacity limit that also keeps
Euler steps positive), ``P`` productivity_ratio_sme.  Shrinkage rates are set
so the 2012 structure is a balance under 2012 conditions: structure changes
only when productivity or scale-up support move.
"""

from __future__ import annotations

import numpy as np

from smesim.model.state import EMPLOYMENT, SME_CLASSES

MAX_SCALE_UP_MULTIPLIER = 5.0


def initialise(y0, p, lv0, exo0, c):
    emp = np.stack([getattr(p, f"init_employment_share_{k}") for k in SME_CLASSES], axis=1)
    y0[:, EMPLOYMENT] = np.concatenate([emp, 100.0 - emp.sum(axis=1, keepdims=True)], axis=1)
    c.scale_up_rates = np.stack([getattr(p, f"scale_up_rate_{k}") for k in SME_CLASSES], axis=1)
    e0 = y0[:, EMPLOYMENT]
    c.shrink_rates = c.scale_up_rates * e0[:, :4] / e0[:, 1:]
    c.scale_up_0 = lv0.scale_up_support


def rates(s, p, lv, c, aux, d, y):
    boost = np.minimum(
        np.exp(p.scale_up_support_effect * (lv.scale_up_support - c.scale_up_0))
        * (s.productivity_ratio_sme / c.productivity_0) ** p.scale_up_productivity_elasticity,
        MAX_SCALE_UP_MULTIPLIER,
    )
    emp = y[:, EMPLOYMENT]
    net_up = c.scale_up_rates * boost[:, None] * emp[:, :4] - c.shrink_rates * emp[:, 1:]
    dz = d[:, EMPLOYMENT]
    dz[:, 0] = -net_up[:, 0]
    dz[:, 1:4] = net_up[:, :3] - net_up[:, 1:]
    dz[:, 4] = net_up[:, 3]
    d[:, EMPLOYMENT] = dz
    aux["scale_up_multiplier"] = boost
