"""Knowledge per worker, SMEs relative to large firms: shared by loops 1 and 2.

.. math::

    \\kappa = \\frac{K_S / E_{SME}}{K_L / E_{500+}} \\qquad [1]
"""

from __future__ import annotations


def knowledge_ratio(s, e_sme):
    """``kappa`` for stock view ``s`` and SME employment share ``e_sme`` (%)."""
    return (s.knowledge_sme / e_sme) / (s.knowledge_large / s.employment_share_500_plus)
