"""Sector 5: business R&D, margins and government support (loops 1 and 5).

**Loop 1, success to the successful.**  A firm group's R&D intensity follows
its operating margin.  SMEs' margin is squeezed by their wage bill relative to
their productivity and by the value large buyers appropriate through unfair
subcontracting; large firms' margin is swelled by that same appropriation.
Lower SME productivity -> thinner SME margin -> less SME R&D -> smaller SME
knowledge stock (:mod:`.knowledge`) -> lower productivity.

**Loop 5, policy support.**  Direct subsidies and tax incentives (levers, % of
business R&D, Table 7) add to private R&D with an additionality factor; a
documented share of each reaches SMEs.

.. math::

    a = a_0\\,\\frac{1-\\phi\\,u_{ft}}{1-\\phi\\,u_{ft,0}}
        \\qquad \\text{appropriation rate [1]}

    m_S = \\max\\Big(1 - \\lambda_L \\frac{W_{SME}}{P} - a
            - \\gamma_g (u_{green}-u_{green,0}),\\; 0.02\\Big),
    \\qquad m_L = 1 - \\lambda_L + a\\,\\frac{V_S}{V_L}

    V_S = \\frac{E_{SME}}{100}\\frac{P}{100},\\quad V_L = \\frac{E_{500+}}{100}
        \\qquad [\\text{value added, large-firm productivity} = 1]

    Q_S = V_S\\,\\iota_{S,0}\\,(m_S/m_{S,0})^{\\mu}(\\kappa/\\kappa_0)^{\\eta}, \\quad
    Q_L = V_L\\,(m_L/m_{L,0})^{\\mu} \\qquad [\\text{RDU/yr}]

    \\sigma_S = \\frac{f_{sub}\\,\\alpha_{sub}\\,u_{sub} + f_{tax}\\,\\alpha_{tax}\\,u_{tax}}{100},
    \\quad
    \\sigma_L = \\frac{(1-f_{sub})\\alpha_{sub}u_{sub} + (1-f_{tax})\\alpha_{tax}u_{tax}}{100}

    RD_S = Q_S + \\sigma_S (Q_S+Q_L), \\quad RD_L = Q_L + \\sigma_L (Q_S+Q_L)

    \\text{rd\\_share\\_sme} = 100\\,\\frac{RD_S}{RD_S+RD_L} \\qquad [\\%]

    R^*_S = \\frac{RD_S}{c_{S,0}\\,(m_S/m_{S,0})^{\\mu_R}},\\quad R^*_L = RD_L,
    \\qquad \\frac{dR_i}{dt} = \\frac{R^*_i - R_i}{\\tau_R} \\qquad [\\text{RU/yr}]

    \\text{rd\\_per\\_researcher\\_ratio\\_sme} = 100\\,\\frac{RD_S/R_S}{RD_L/R_L}

``kappa`` knowledge per worker, SMEs relative to large firms (from
:mod:`.knowledge`; absorptive capacity: SMEs falling behind earn less from R&D),
``eta`` absorptive_capacity_elasticity, ``lambda_L`` labour_share_large,
``a_0`` appropriation_rate_2012, ``phi``
fair_trade_appropriation_effect, ``gamma_g`` green_cost_to_sme_margin, ``mu``
rd_margin_elasticity, ``mu_R`` researcher_cost_margin_elasticity, ``tau_R``
researcher_adjustment_time (yr), ``alpha_*`` subsidy/tax additionality,
``f_*`` SME shares of subsidy and tax incentive.  ``iota_S,0`` and ``c_S,0``
are derived at initialisation so that the 2012 SME R&D share (25.8 %) and R&D
per researcher ratio (36.7 %) of Table 6 hold under the 2012 policy settings.
"""

from __future__ import annotations

import numpy as np

from smesim.model.knowledge_ratio import knowledge_ratio
from smesim.model.state import IDX

MARGIN_FLOOR = 0.02  # SMEs keep a minimal R&D budget even at zero margin (assumed)


def _support_rates(p, lv):
    sub = lv.rd_subsidy_rate * p.subsidy_additionality
    tax = lv.rd_tax_incentive_rate * p.tax_additionality
    sme = (p.sme_share_of_subsidy * sub + p.sme_share_of_tax_incentive * tax) / 100.0
    large = ((1 - p.sme_share_of_subsidy) * sub + (1 - p.sme_share_of_tax_incentive) * tax) / 100.0
    return sme, large


def _margins(p, lv, c, wage_ratio_sme, productivity, v_sme, v_large):
    appropriation = (
        p.appropriation_rate_2012
        * (1 - p.fair_trade_appropriation_effect * lv.fair_trade_enforcement)
        / (1 - p.fair_trade_appropriation_effect * c.fair_trade_0)
    )
    margin_sme = np.maximum(
        1
        - p.labour_share_large * wage_ratio_sme / productivity
        - appropriation
        - p.green_cost_to_sme_margin * (lv.green_transition - c.green_0),
        MARGIN_FLOOR,
    )
    margin_large = 1 - p.labour_share_large + appropriation * v_sme / v_large
    return appropriation, margin_sme, margin_large


def _value_added(y):
    e_sme = y[:, IDX["employment_share_1_4"] : IDX["employment_share_500_plus"]].sum(axis=1)
    v_sme = e_sme / 100.0 * y[:, IDX["productivity_ratio_sme"]] / 100.0
    v_large = y[:, IDX["employment_share_500_plus"]] / 100.0
    return e_sme, v_sme, v_large


def initialise(y0, p, lv0, exo0, c, wage_ratio_sme_0):
    """Derive ``iota_S,0``, ``c_S,0`` and the 2012 R&D and researcher stocks."""
    c.fair_trade_0 = lv0.fair_trade_enforcement
    c.green_0 = lv0.green_transition
    _, v_sme, v_large = _value_added(y0)
    prod0 = y0[:, IDX["productivity_ratio_sme"]]
    _, m_s0, m_l0 = _margins(p, lv0, c, wage_ratio_sme_0, prod0, v_sme, v_large)
    c.margin_sme_0, c.margin_large_0 = m_s0, m_l0
    s_sme, s_large = _support_rates(p, lv0)
    share = p.init_rd_share_sme / 100.0
    # private SME share q of private business R&D that yields the observed total share
    q = share * (1 + s_sme + s_large) - s_sme
    if np.any(q <= 0) or np.any(q >= 1):
        raise ValueError(
            "2012 SME R&D share cannot be reproduced under the 2012 support "
            "settings (SME support alone exceeds it)"
        )
    c.rd_intensity_sme_0 = q / (1 - q) * v_large / v_sme
    q_s, q_l = c.rd_intensity_sme_0 * v_sme, v_large
    rd_s = q_s + s_sme * (q_s + q_l)
    rd_l = q_l + s_large * (q_s + q_l)
    c.researcher_cost_sme_0 = p.init_rd_per_researcher_ratio_sme / 100.0
    y0[:, IDX["researchers_sme"]] = rd_s / c.researcher_cost_sme_0
    y0[:, IDX["researchers_large"]] = rd_l
    return rd_s, rd_l


def rates(s, p, lv, c, aux, d, y):
    e_sme, v_sme, v_large = _value_added(y)
    appropriation, m_s, m_l = _margins(
        p, lv, c, aux["wage_ratio_sme"], s.productivity_ratio_sme, v_sme, v_large
    )
    kappa = knowledge_ratio(s, e_sme)
    q_s = (
        v_sme
        * c.rd_intensity_sme_0
        * (m_s / c.margin_sme_0) ** p.rd_margin_elasticity
        * (kappa / c.knowledge_ratio_0) ** p.absorptive_capacity_elasticity
    )
    q_l = v_large * (m_l / c.margin_large_0) ** p.rd_margin_elasticity
    s_sme, s_large = _support_rates(p, lv)
    rd_s = q_s + s_sme * (q_s + q_l)
    rd_l = q_l + s_large * (q_s + q_l)
    cost_s = c.researcher_cost_sme_0 * (m_s / c.margin_sme_0) ** p.researcher_cost_margin_elasticity
    tau_r = p.researcher_adjustment_time
    d[:, IDX["researchers_sme"]] = (rd_s / cost_s - s.researchers_sme) / tau_r
    d[:, IDX["researchers_large"]] = (rd_l - s.researchers_large) / tau_r
    aux["knowledge_ratio"] = kappa
    aux["appropriation_rate"] = appropriation
    aux["margin_sme"] = m_s
    aux["margin_large"] = m_l
    aux["rd_sme"] = rd_s
    aux["rd_large"] = rd_l
    aux["employment_share_sme"] = e_sme
    aux["rd_share_sme"] = 100.0 * rd_s / (rd_s + rd_l)
    aux["rd_per_researcher_ratio_sme"] = 100.0 * (
        (rd_s / s.researchers_sme) / (rd_l / s.researchers_large)
    )
