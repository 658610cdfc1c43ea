"""Sector 6: SME share of exports (loop 6).

The SME export share follows SME relative productivity and
internationalisation support (the scale_up_support lever covers export and
growth programmes), with a lag.

.. math::

    \\mathrm{odds}(X^*) = \\mathrm{odds}(X_{ref})
        \\left(\\frac{P}{P_0}\\right)^{\\chi} e^{\\epsilon (u_{su}-u_{su,0})},
    \\qquad \\frac{dX}{dt} = \\frac{X^* - X}{\\tau_X} \\qquad [\\%/\\text{yr}]

``X_ref`` export_target_2012 (%), ``chi`` export_productivity_elasticity,
``epsilon`` export_scale_up_effect, ``tau_X`` export_adjustment_time (yr).
"""

from __future__ import annotations

import numpy as np

from smesim.model.params import from_odds, odds
from smesim.model.state import IDX


def initialise(y0, p, lv0, exo0, c):
    y0[:, IDX["export_share_sme"]] = p.init_export_share_sme


def rates(s, p, lv, c, aux, d):
    target = from_odds(
        odds(p.export_target_2012)
        * (s.productivity_ratio_sme / c.productivity_0) ** p.export_productivity_elasticity
        * np.exp(p.export_scale_up_effect * (lv.scale_up_support - c.scale_up_0))
    )
    d[:, IDX["export_share_sme"]] = (target - s.export_share_sme) / p.export_adjustment_time
