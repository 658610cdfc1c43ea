"""Sector 2: knowledge accumulation and relative productivity (loop 2; closes loop 1).

Each firm group's knowledge stock accumulates its R&D and depreciates
(perpetual inventory).  SME relative productivity adjusts, with a lag, toward
a target set by relative knowledge per worker, technology diffusion, SME
skills (:mod:`.human_natural`) and the value SMEs keep after appropriation
(:mod:`.rd_policy`).  Targets are formed on the odds ``P/(100-P)`` so the
ratio stays inside (0, 100) whatever the inputs.

.. math::

    \\frac{dK_S}{dt} = RD_S + Z - \\delta K_S, \\qquad
    \\frac{dK_L}{dt} = RD_L - \\delta K_L \\qquad [\\text{RDU/yr}]

    Z = s\\,\\big(1 + s_{td}(u_{td} - u_{td,0})\\big)^{+}\\,
        \\kappa_s \\frac{E_{SME}}{E_{500+}} K_L \\qquad [\\text{RDU/yr}]

    \\kappa = \\frac{K_S / E_{SME}}{K_L / E_{500+}} \\qquad [1]

    \\mathrm{odds}(P^*) = \\mathrm{odds}(P_{ref})
        \\left(\\frac{\\kappa}{\\kappa_0}\\right)^{\\theta}
        e^{\\zeta (u_{td} - u_{td,0})}
        \\left(\\frac{H}{100}\\right)^{\\theta_H}
        \\frac{1-a}{1-a_0}

    \\frac{dP}{dt} = \\frac{P^* - P}{\\tau_P} \\qquad [\\%/\\text{yr}]

``Z`` is technology diffusion: the knowledge SMEs absorb from large firms
(supply chains, labour mobility, imitation), ``s`` knowledge_spillover_rate
(1/yr), ``s_td`` diffusion_spillover_effect.  It is what keeps the divergence
engine from driving SME knowledge to zero: with R&D alone the SME stock would
fall without limit; with diffusion ``kappa`` cannot fall below about
``s kappa_s / delta``, where ``kappa_s`` is the knowledge ratio at which 2012
SME inflows would be in steady state.  ``delta`` knowledge_depreciation_rate (1/yr), ``P_ref``
productivity_target_2012 (%), ``theta`` knowledge_productivity_elasticity,
``zeta`` tech_diffusion_effect, ``theta_H`` skills_productivity_elasticity,
``a`` appropriation rate (from :mod:`.rd_policy`), ``tau_P``
productivity_adjustment_time (yr).  Knowledge stocks start at the steady
state of 2012 R&D times an initial excess for SMEs,
``K_S,0 = x_K RD_S,0 / delta`` (init_knowledge_excess_sme), ``K_L,0 = RD_L,0 / delta``.
"""

from __future__ import annotations

import numpy as np

from smesim.model.params import from_odds, odds
from smesim.model.state import IDX


def initialise(y0, p, lv0, exo0, c, rd_sme_0, rd_large_0, e_sme_0):
    """2012 knowledge stocks and ``kappa_0``, the 2012 knowledge ratio.

    Without the excess factor the SME stock is at the steady state of its 2012
    inflows, ``K_S = (RD_S + Z) / delta`` with ``Z = s kappa_s (E_SME/E_500+) K_L = s K_S``,
    so ``K_S = RD_S / (delta - s)``; the 2012 stock is ``x_K`` times that.
    """
    delta = p.knowledge_depreciation_rate
    k_large = rd_large_0 / delta
    e_large = y0[:, IDX["employment_share_500_plus"]]
    k_sme_steady = rd_sme_0 / (delta - p.knowledge_spillover_rate)
    k_sme = p.init_knowledge_excess_sme * k_sme_steady
    y0[:, IDX["knowledge_sme"]] = k_sme
    y0[:, IDX["knowledge_large"]] = k_large
    c.knowledge_ratio_0 = (k_sme / e_sme_0) / (k_large / e_large)
    c.spillover_scale = (k_sme_steady / e_sme_0) / (k_large / e_large)
    c.diffusion_0 = lv0.tech_diffusion


def rates(s, p, lv, c, aux, d):
    boost = np.maximum(1 + p.diffusion_spillover_effect * (lv.tech_diffusion - c.diffusion_0), 0)
    spillover = (
        p.knowledge_spillover_rate
        * boost
        * c.spillover_scale
        * aux["employment_share_sme"]
        / s.employment_share_500_plus
        * s.knowledge_large
    )
    d[:, IDX["knowledge_sme"]] = (
        aux["rd_sme"] + spillover - p.knowledge_depreciation_rate * s.knowledge_sme
    )
    d[:, IDX["knowledge_large"]] = (
        aux["rd_large"] - p.knowledge_depreciation_rate * s.knowledge_large
    )
    kappa = aux["knowledge_ratio"]
    target_odds = (
        odds(p.productivity_target_2012)
        * (kappa / c.knowledge_ratio_0) ** p.knowledge_productivity_elasticity
        * np.exp(p.tech_diffusion_effect * (lv.tech_diffusion - c.diffusion_0))
        * (s.sme_skills_index / 100.0) ** p.skills_productivity_elasticity
        * (1 - aux["appropriation_rate"])
        / (1 - p.appropriation_rate_2012)
    )
    target = from_odds(target_odds)
    d[:, IDX["productivity_ratio_sme"]] = (
        target - s.productivity_ratio_sme
    ) / p.productivity_adjustment_time
    aux["productivity_target"] = target
    aux["knowledge_spillover"] = spillover
