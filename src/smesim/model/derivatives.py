"""The right-hand side: one pure function over a batch of runs.

``evaluate(t, y, p, lv, exo, c)`` computes every auxiliary and the derivative
``dy/dt`` of every stock for all runs at once (``y`` has shape
``(n_runs, n_stocks)``; each parameter and lever is an array of shape
``(n_runs,)`` or ``(1,)``).  Sectors are called in causal order; each lives
in its own module with its equations in the docstring.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from smesim.model import exports, firm_size, human_natural, knowledge, rd_policy, regions, wages
from smesim.model.state import IDX, N_STOCKS, STOCK_NAMES


def stock_view(y):
    """Name each column of the state array (views, no copies)."""
    return SimpleNamespace(**{n: y[:, i] for n, i in IDX.items()})


def evaluate(t, y, p, lv, exo, c):
    """Return ``(dydt, aux)`` at time ``t`` (years) for state ``y``.

    ``dydt`` has the shape of ``y``; units are the stocks' units per year.
    """
    s = stock_view(y)
    d = np.empty_like(y)
    aux = {"wage_ratio_sme": wages.sme_wage_ratio(y)}
    human_natural.rates(s, p, lv, exo, c, aux, d)
    rd_policy.rates(s, p, lv, c, aux, d, y)
    knowledge.rates(s, p, lv, c, aux, d)
    wages.rates(s, p, lv, exo, c, aux, d, y)
    firm_size.rates(s, p, lv, c, aux, d, y)
    exports.rates(s, p, lv, c, aux, d)
    regions.rates(s, p, lv, c, aux, d)
    return d, aux


def derivatives(t, y, p, lv, exo, c):
    """``dy/dt`` only (see :func:`evaluate`)."""
    return evaluate(t, y, p, lv, exo, c)[0]


def initial_state(p, lv0, exo0):
    """The 2012 state and the derived constants ``c`` every sector needs.

    Parameters are arrays of shape ``(n_runs,)``; ``lv0`` holds the
    profile's *baseline* levers at the start year (the settings under which
    the 2012 figures were observed), not the scenario's.
    """
    n = len(p.init_wage_ratio_1_4)
    y0 = np.zeros((n, N_STOCKS))
    c = SimpleNamespace()
    c.productivity_0 = p.init_productivity_ratio_sme
    y0[:, IDX["productivity_ratio_sme"]] = p.init_productivity_ratio_sme
    firm_size.initialise(y0, p, lv0, exo0, c)
    wages.initialise(y0, p, lv0, exo0, c)
    human_natural.initialise(y0, p, lv0, exo0, c)
    exports.initialise(y0, p, lv0, exo0, c)
    regions.initialise(y0, p, lv0, exo0, c)
    rd_sme, rd_large = rd_policy.initialise(y0, p, lv0, exo0, c, wages.sme_wage_ratio(y0))
    knowledge.initialise(y0, p, lv0, exo0, c, rd_sme, rd_large, y0[:, :4].sum(axis=1))
    return y0, c


__all__ = ["STOCK_NAMES", "derivatives", "evaluate", "initial_state"]
