"""Sector 9: the paper's four coexistences as indices on 0-100 (outputs only).

Each index says how far the economy stands from a documented reference state
(100 = reference reached or passed; 0 = the stated worst).  References are
parameters in :mod:`smesim.model.params` with their source or reason.

.. math::

    \\text{economic} = \\frac{100}{3}\\Big[\\min\\big(1, \\tfrac{W_{SME}}{W_{ref}}\\big)
        + \\min\\big(1, \\tfrac{P}{P_{ref}}\\big)
        + \\min\\big(1, \\tfrac{RD_{share}}{RD_{ref}}\\big)\\Big]

    \\text{regional} = 100\\,\\mathrm{clip}\\Big(\\frac{C_{max} - \\bar C}{C_{max} - C_{bal}},
        0, 1\\Big), \\quad \\bar C = \\tfrac13(G + N + S)

    \\text{human} = \\frac{100}{2}\\Big[\\min\\big(1, \\tfrac{W_{1-4}}{W^{small}_{ref}}\\big)
        + \\min\\big(1, \\tfrac{H}{H_{ref}}\\big)\\Big]

    \\text{natural} = 100\\,\\mathrm{clip}\\Big(\\frac{I_{worst} - I}{I_{worst} - I_{target}},
        0, 1\\Big)

    \\text{overall} = \\tfrac14(\\text{economic} + \\text{regional} + \\text{human}
        + \\text{natural})

``W_ref`` reference_wage_ratio = 88.1 (Japan 2017, Table 4); ``W_ref^small``
reference_small_firm_wage_ratio = 65.7 (Japan's 1-4 / 500+ wage, Table 5);
``P_ref`` reference_productivity_ratio, ``RD_ref`` reference_rd_share,
``C_bal`` / ``C_max`` balanced / concentrated capital-region shares,
``H_ref`` reference_skills_index, ``I_target`` / ``I_worst`` environmental
references: all assumed (see the parameter table).  The economic index rests
on data-anchored references; the others rest on assumed ones, and say so.
"""

from __future__ import annotations

import numpy as np


def _capped(x, ref):
    return np.minimum(1.0, x / ref)


def indices(out, p):
    """Add the five coexistence indices to the output mapping ``out`` (all %)."""
    economic = (
        100.0
        / 3.0
        * (
            _capped(out["wage_ratio_sme"], p.reference_wage_ratio)
            + _capped(out["productivity_ratio_sme"], p.reference_productivity_ratio)
            + _capped(out["rd_share_sme"], p.reference_rd_share)
        )
    )
    mean_share = (
        out["capital_region_grp_share"]
        + out["capital_region_population_share"]
        + out["capital_region_startup_share"]
    ) / 3.0
    regional = 100.0 * np.clip(
        (p.concentrated_capital_region_share - mean_share)
        / (p.concentrated_capital_region_share - p.balanced_capital_region_share),
        0.0,
        1.0,
    )
    human = 50.0 * (
        _capped(out["wage_ratio_1_4"], p.reference_small_firm_wage_ratio)
        + _capped(out["sme_skills_index"], p.reference_skills_index)
    )
    natural = 100.0 * np.clip(
        (p.environmental_intensity_worst - out["environmental_intensity"])
        / (p.environmental_intensity_worst - p.environmental_intensity_target),
        0.0,
        1.0,
    )
    out["coexistence_economic"] = economic
    out["coexistence_regional"] = regional
    out["coexistence_human"] = human
    out["coexistence_natural"] = natural
    out["coexistence_overall"] = (economic + regional + human + natural) / 4.0
