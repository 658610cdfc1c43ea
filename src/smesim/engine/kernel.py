"""Compiled integration kernel (numba): the model's right-hand side over blocks of runs.

The batched NumPy code in :mod:`smesim.model` is the readable source of truth
and the reference.  This module re-expresses the *arithmetic* of
:func:`smesim.model.derivatives.evaluate` and
:func:`smesim.model.coexistence.indices` for blocks of :data:`LANES` runs:
time is the outer loop, the runs of a block the inner one, so LLVM turns each
equation into vector instructions (exp/log from :mod:`smesim.engine.vecmath`).
Compiled by numba (``cache=True``: about 5 s once per machine, then loaded
from the cache) and run in parallel over blocks on :mod:`smesim.engine.threads`.

What is *not* mirrored: the 2012 state and the derived constants come from the
NumPy :func:`~smesim.model.derivatives.initial_state` itself, lever paths from
:func:`~smesim.model.levers.lever_paths` and exogenous tables from
:func:`~smesim.model.exogenous.exogenous_paths`; parameters, stocks and output
columns are looked up by *name* in the registry (:data:`smesim.model.params.NAMES`,
:data:`smesim.model.state.IDX`, :data:`smesim.model.outputs.ALL_COLUMNS`) each call,
so reordering or adding registry entries cannot silently shift the kernel
(and the compiled cache, which numba keys on this file only, never holds
registry positions).

``tests/test_kernel.py`` checks every output column of this kernel against
the NumPy path for random parameter sets within bounds and every bundled
scenario (max abs difference 1e-9): any edit of a sector module that is not
mirrored here fails loudly.  Arithmetic follows the NumPy code term by term; the one
deliberate difference is that powers are taken as ``exp(a log x)`` with logs
shared and the exponents of multiplied powers added (a third of the
transcendental calls), so results agree up to rounding (~1e-13 here).
"""

from __future__ import annotations

import numpy as np

from smesim.engine.threads import split
from smesim.engine.vecmath import exp_in_place, log_in_place
from smesim.model.levers import LEVER_IDS
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import NAMES
from smesim.model.state import IDX, SME_CLASSES

try:  # numba is optional (extra ``smesim[fast]``)
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None
    HAVE_NUMBA = False

#: Batches at least this large span two blocks or more, so run on several threads.
PARALLEL_MIN_RUNS = 64

# ---- kernel-local layouts (positions are private to this file) -------------------
K_PARAMS = (
    "knowledge_depreciation_rate",
    "knowledge_productivity_elasticity",
    "productivity_target_2012",
    "productivity_adjustment_time",
    "tech_diffusion_effect",
    "skills_productivity_elasticity",
    "labour_share_large",
    "appropriation_rate_2012",
    "fair_trade_appropriation_effect",
    "rd_margin_elasticity",
    "absorptive_capacity_elasticity",
    "researcher_cost_margin_elasticity",
    "researcher_adjustment_time",
    "subsidy_additionality",
    "tax_additionality",
    "sme_share_of_subsidy",
    "sme_share_of_tax_incentive",
    "green_cost_to_sme_margin",
    "wage_productivity_elasticity",
    "wage_adjustment_time",
    "wage_target_2012",
    "fair_trade_wage_effect",
    "scale_up_support_effect",
    "scale_up_productivity_elasticity",
    "export_target_2012",
    "export_productivity_elasticity",
    "export_adjustment_time",
    "export_scale_up_effect",
    "capital_region_grp_target_2012",
    "capital_region_population_target_2012",
    "grp_adjustment_time",
    "population_adjustment_time",
    "startup_adjustment_time",
    "agglomeration_population_effect",
    "agglomeration_grp_effect",
    "dispersion_effect",
    "skills_adjustment_time",
    "training_skills_effect",
    "ageing_skills_effect",
    "environmental_intensity_trend",
    "green_transition_effect",
    "reference_wage_ratio",
    "reference_small_firm_wage_ratio",
    "reference_productivity_ratio",
    "reference_rd_share",
    "balanced_capital_region_share",
    "concentrated_capital_region_share",
    "reference_skills_index",
    "environmental_intensity_target",
    "environmental_intensity_worst",
    "knowledge_spillover_rate",
    "diffusion_spillover_effect",
    "viable_sme_margin",
)
(
    P_DELTA,
    P_THETA,
    P_PT2012,
    P_TAUP,
    P_TDE,
    P_THETAH,
    P_LAML,
    P_A0,
    P_PHI,
    P_MU,
    P_ETA,
    P_MUR,
    P_TAUR,
    P_SADD,
    P_TADD,
    P_FSUB,
    P_FTAX,
    P_GCOST,
    P_OMEGA,
    P_TAUW,
    P_WT2012,
    P_FTWE,
    P_SSE,
    P_PHISU,
    P_ET2012,
    P_CHI,
    P_TAUX,
    P_ESU,
    P_GT2012,
    P_NT2012,
    P_TAUG,
    P_TAUN,
    P_TAUS,
    P_AN,
    P_AG,
    P_RHO,
    P_TAUH,
    P_TSE,
    P_ASE,
    P_EIT,
    P_GTE,
    P_WREF,
    P_WSREF,
    P_PREF,
    P_RDREF,
    P_CBAL,
    P_CMAX,
    P_HREF,
    P_ITARGET,
    P_IWORST,
    P_KSR,
    P_SDE,
    P_VSM,
) = range(len(K_PARAMS))

K_LEVERS = (
    "rd_subsidy_rate",
    "rd_tax_incentive_rate",
    "regional_dispersion",
    "fair_trade_enforcement",
    "scale_up_support",
    "vocational_training",
    "tech_diffusion",
    "green_transition",
)
L_SUB, L_TAX, L_RD, L_FT, L_SU, L_VT, L_TD, L_GREEN = range(len(K_LEVERS))

K_STOCKS = (
    *(f"employment_share_{c}" for c in ("1_4", "5_9", "10_99", "100_499", "500_plus")),
    *(f"wage_ratio_{c}" for c in SME_CLASSES),
    "productivity_ratio_sme",
    "knowledge_sme",
    "knowledge_large",
    "researchers_sme",
    "researchers_large",
    "export_share_sme",
    "capital_region_grp_share",
    "capital_region_population_share",
    "capital_region_startup_share",
    "sme_skills_index",
    "environmental_intensity",
)
(
    S_E1,
    S_E2,
    S_E3,
    S_E4,
    S_E5,
    S_W1,
    S_W2,
    S_W3,
    S_W4,
    S_P,
    S_KS,
    S_KL,
    S_RS,
    S_RL,
    S_X,
    S_G,
    S_N,
    S_S,
    S_H,
    S_I,
) = range(len(K_STOCKS))

#: Derived constants (``c`` of :func:`initial_state`); ``name[i]`` = column i of a 2-D one.
K_CONSTANTS = (
    "productivity_0",
    "scale_up_rates[0]",
    "scale_up_rates[1]",
    "scale_up_rates[2]",
    "scale_up_rates[3]",
    "shrink_rates[0]",
    "shrink_rates[1]",
    "shrink_rates[2]",
    "shrink_rates[3]",
    "scale_up_0",
    "wage_odds_0[0]",
    "wage_odds_0[1]",
    "wage_odds_0[2]",
    "wage_odds_0[3]",
    "fair_trade_0",
    "age_share_0",
    "training_0",
    "green_0",
    "rd_intensity_sme_0",
    "margin_sme_0",
    "margin_large_0",
    "researcher_cost_sme_0",
    "diffusion_0",
    "grp_odds_0",
    "population_odds_0",
    "startup_odds_0",
    "dispersion_0",
    "knowledge_ratio_0",
    "spillover_scale",
)
(
    C_P0,
    C_SUR1,
    C_SUR2,
    C_SUR3,
    C_SUR4,
    C_SHR1,
    C_SHR2,
    C_SHR3,
    C_SHR4,
    C_SU0,
    C_WO1,
    C_WO2,
    C_WO3,
    C_WO4,
    C_FT0,
    C_AGE0,
    C_VT0,
    C_GREEN0,
    C_RDI0,
    C_MS0,
    C_ML0,
    C_RC0,
    C_TD0,
    C_GO0,
    C_NO0,
    C_SO0,
    C_RD0,
    C_KAPPA0,
    C_SPILL,
) = range(len(K_CONSTANTS))

K_OUTPUTS = (
    "wage_ratio_sme",
    "wage_ratio_1_4",
    "wage_ratio_5_9",
    "wage_ratio_10_99",
    "wage_ratio_100_499",
    "productivity_ratio_sme",
    "rd_share_sme",
    "rd_per_researcher_ratio_sme",
    "export_share_sme",
    "employment_share_sme",
    "employment_share_1_4",
    "employment_share_5_9",
    "employment_share_10_99",
    "employment_share_100_499",
    "employment_share_500_plus",
    "capital_region_grp_share",
    "capital_region_population_share",
    "capital_region_startup_share",
    "population_65plus_share",
    "coexistence_economic",
    "coexistence_regional",
    "coexistence_human",
    "coexistence_natural",
    "coexistence_overall",
    "sme_skills_index",
    "environmental_intensity",
    "knowledge_ratio",
    "margin_sme",
)
N_OUT = len(K_OUTPUTS)

MARGIN_FLOOR = 0.02  # mirrors model.rd_policy.MARGIN_FLOOR (checked in tests)
MAX_SCALE_UP_MULTIPLIER = 5.0  # mirrors model.firm_size.MAX_SCALE_UP_MULTIPLIER


# ---- work arrays of a block of runs: flat float64, row-major (row x LANES) ----
#: Runs integrated together as one SIMD block (the vector loop's trip count).
LANES = 32
# Three arrays per block, so that in the vectorised loop one is only written
# (``D``), and the others only read (``Y`` and ``A``): LLVM then needs two
# run-time alias checks, not a dependence analysis of a hundred accesses.
# Y: the state, K_STOCKS rows.  D: its time derivative (K_STOCKS rows), then
# the intermediates kept for the yearly outputs (K_SCRATCH rows).
# A: parameters, derived constants, hoisted per-run constants, lever values.
R_P = 0  # parameters, K_PARAMS order
R_C = R_P + len(K_PARAMS)  # derived constants, K_CONSTANTS order
K_HOISTED = (
    "inv_tau_h",
    "inv_labour_share",
    "inv_tau_r",
    "inv_tau_p",
    "inv_tau_w",
    "inv_tau_x",
    "inv_tau_g",
    "inv_tau_n",
    "inv_tau_s",
    "appropriation_scale",
    "inv_keep_0",
    "productivity_odds_ref",
    "export_odds_ref",
    "grp_odds_ref",
    "population_odds_ref",
    "inv_ms0",
    "inv_ml0",
    "inv_kappa0",
    "inv_p0",
    "inv_go0",
    "inv_no0",
)
R_H = R_C + len(K_CONSTANTS)  # per-run constants hoisted out of the time loop
(
    H_TAUH,
    H_LAML,
    H_TAUR,
    H_TAUP,
    H_TAUW,
    H_TAUX,
    H_TAUG,
    H_TAUN,
    H_TAUS,
    H_APPS,
    H_KEEP0,
    H_PODDS,
    H_XODDS,
    H_GODDS,
    H_NODDS,
    H_MS0,
    H_ML0,
    H_KAPPA0,
    H_P0,
    H_GO0,
    H_NO0,
) = range(R_H, R_H + len(K_HOISTED))
R_U = R_H + len(K_HOISTED)  # lever values at this step, K_LEVERS order
A_ROWS = R_U + len(K_LEVERS)
K_SCRATCH = ("wage_sme", "rd_sme", "rd_large", "kappa", "margin_sme")
R_X = len(K_STOCKS)  # in D
X_WAGE, X_RDS, X_RDL, X_KAPPA, X_MS = range(R_X, R_X + len(K_SCRATCH))
# intermediates passed between the three loops of _rates (also in D)
K_TEMP = (
    "appropriation",
    "sme_per_large",
    "log_m",
    "log_kappa",
    "log_prod",
    "log_ml",
    "log_h",
    "log_g",
    "log_n",
    "skills_target",
    "q_s",
    "q_l",
    "cost_s",
    "target_odds",
    "drive",
    "boost",
    "xo",
    "pull",
    "go",
)
R_T = R_X + len(K_SCRATCH)
(
    T_APP,
    T_SPL,
    T_LOGM,
    T_LOGK,
    T_LOGP,
    T_LOGML,
    T_LOGH,
    T_LOGG,
    T_LOGN,
    T_SKILLS,
    T_QS,
    T_QL,
    T_COST,
    T_TARGET,
    T_DRIVE,
    T_BOOST,
    T_XO,
    T_PULL,
    T_GO,
) = range(R_T, R_T + len(K_TEMP))
D_ROWS = R_T + len(K_TEMP)
# _rates takes every log (and then every exp) of a step in one call over a run of rows
assert (T_LOGM, T_LOGK, T_LOGP, T_LOGML, T_LOGH, T_LOGG, T_LOGN) == tuple(range(T_LOGM, T_LOGN + 1))
assert (T_SKILLS, T_QS, T_QL, T_COST, T_TARGET, T_DRIVE, T_BOOST, T_XO, T_PULL, T_GO) == tuple(
    range(T_SKILLS, T_GO + 1)
)


def _ix(i):
    """An index as unsigned: numba then skips the negative-index wrap-around,
    whose select hides the address from LLVM's vectoriser."""
    return np.uint64(i)


def _g(W, row, j):
    """Lane ``j`` of work row ``row`` (``row`` a constant: the offset folds)."""
    return W[_ix(row * LANES + j)]


def _put(W, row, j, v):
    W[_ix(row * LANES + j)] = v


def _blocks(
    b0,
    b1,
    P,
    C,
    Y0,
    L,
    OV,
    OVM,
    ov_k0,
    exo,
    steps_per_year,
    out,
    out_cols,
    k_first,
    k_save,
    YS,
    cells,
):
    """Integrate blocks ``b0 .. b1 - 1`` (runs ``b*LANES ..`` each) from grid step
    ``k_first``; outputs into ``out``.  One thread's share (:mod:`smesim.engine.threads`).

    Time is the outer loop and the runs of a block the inner one, so each
    equation is evaluated for LANES runs at once (vector instructions).  A last,
    partial block repeats its last run in the spare lanes and discards them.
    """
    n = P.shape[0]
    nt = L.shape[1]
    dt = 1.0 / steps_per_year
    A = np.empty(A_ROWS * LANES)
    Y = np.empty(len(K_STOCKS) * LANES)
    D = np.empty(D_ROWS * LANES)
    for b in range(b0, b1):
        r0 = b * LANES
        nv = min(LANES, n - r0)
        for j in range(LANES):
            r = r0 + min(j, nv - 1)
            for i in range(len(K_STOCKS)):
                _put(Y, i, j, Y0[r, i])
            for i in range(len(K_PARAMS)):
                _put(A, R_P + i, j, P[r, i])
            for i in range(len(K_CONSTANTS)):
                _put(A, R_C + i, j, C[r, i])
            # per-run constants: divisions hoisted out of the time loop (the loop then
            # multiplies; results move by rounding only, ~1e-16 relative)
            p = P[r]
            c = C[r]
            _put(A, H_TAUH, j, 1.0 / p[P_TAUH])
            _put(A, H_LAML, j, 1.0 / p[P_LAML])
            _put(A, H_TAUR, j, 1.0 / p[P_TAUR])
            _put(A, H_TAUP, j, 1.0 / p[P_TAUP])
            _put(A, H_TAUW, j, 1.0 / p[P_TAUW])
            _put(A, H_TAUX, j, 1.0 / p[P_TAUX])
            _put(A, H_TAUG, j, 1.0 / p[P_TAUG])
            _put(A, H_TAUN, j, 1.0 / p[P_TAUN])
            _put(A, H_TAUS, j, 1.0 / p[P_TAUS])
            _put(A, H_APPS, j, p[P_A0] / (1 - p[P_PHI] * c[C_FT0]))
            _put(A, H_KEEP0, j, 1.0 / (1 - p[P_A0]))
            _put(A, H_PODDS, j, p[P_PT2012] / (100.0 - p[P_PT2012]))
            _put(A, H_XODDS, j, p[P_ET2012] / (100.0 - p[P_ET2012]))
            _put(A, H_GODDS, j, p[P_GT2012] / (100.0 - p[P_GT2012]))
            _put(A, H_NODDS, j, p[P_NT2012] / (100.0 - p[P_NT2012]))
            _put(A, H_MS0, j, 1.0 / c[C_MS0])
            _put(A, H_ML0, j, 1.0 / c[C_ML0])
            _put(A, H_KAPPA0, j, 1.0 / c[C_KAPPA0])
            _put(A, H_P0, j, 1.0 / c[C_P0])
            _put(A, H_GO0, j, 1.0 / c[C_GO0])
            _put(A, H_NO0, j, 1.0 / c[C_NO0])
        for k in range(k_first, nt):
            if k == k_save:
                for j in range(nv):
                    for i in range(len(K_STOCKS)):
                        YS[r0 + j, i] = Y[i * LANES + j]
            _levers_at(A, L, OV, OVM, ov_k0, k, r0, nv)
            age = exo[k]
            _rates(A, Y, D, age)
            if k % steps_per_year == 0:
                _record(A, Y, D, nv, r0, k // steps_per_year, age, out, out_cols, cells)
            if k + 1 < nt:
                _euler(Y, D, dt)


def _levers_at(A, L, OV, OVM, ov_k0, k, r0, nv):
    """Lever values at grid step ``k`` into the rows R_U of ``A``."""
    for li in range(len(K_LEVERS)):
        base = (R_U + li) * LANES
        if OVM[li] and k >= ov_k0:
            for j in range(LANES):
                A[base + j] = OV[r0 + min(j, nv - 1), li]
        elif L.shape[0] == 1:
            v = L[0, k, li]
            for j in range(LANES):
                A[base + j] = v
        else:
            for j in range(LANES):
                A[base + j] = L[r0 + min(j, nv - 1), k, li]


def _euler(Y, D, dt):
    """One Euler step of the block: y += dt * dy/dt (rows of D match rows of Y)."""
    for q in range(len(K_STOCKS) * LANES):
        Y[_ix(q)] += dt * D[_ix(q)]


def _p(A, i, j):
    return A[_ix((R_P + i) * LANES + j)]


def _c(A, i, j):
    return A[_ix((R_C + i) * LANES + j)]


def _y(Y, i, j):
    return Y[_ix(i * LANES + j)]


def _u(A, i, j):
    return A[_ix((R_U + i) * LANES + j)]


def _d(D, i, j, v):
    D[_ix(i * LANES + j)] = v


def _rates(A, Y, D, age):
    """Time derivatives of every lane (``D`` rows K_STOCKS) from its state (``Y``).

    Also keeps the intermediates the yearly outputs need (``D`` rows R_X).
    Loops over the lanes, each straight-line arithmetic with ``min``/``max``
    only, which LLVM vectorises (a call inside a loop, or numba's
    ``inline="always"``, would stop it): (1) the logs' arguments, then all 7 x
    LANES logs in one loop (:func:`~smesim.engine.vecmath.log_in_place`); (2) the
    exps' exponents, then all 10 x LANES exps (``exp_in_place``); (3) the
    rates.  The in-place loops take the special-case-free fast path whenever
    every value of the step is in its range (always, in a valid run), and the
    full IEEE functions otherwise, with the same bits either way: 15 % faster
    than calling the full functions at each use, and the exp/log code is
    compiled twice instead of 17 times.  One long loop body would be one long
    chain of dependent divisions and polynomials, too long for the CPU to
    overlap two lanes' work; short loops let it (about 3x faster).
    """
    # (1) state -> shares, margins and every log
    for j in range(LANES):
        e1 = _y(Y, S_E1, j)
        e2 = _y(Y, S_E2, j)
        e3 = _y(Y, S_E3, j)
        e4 = _y(Y, S_E4, j)
        e5 = _y(Y, S_E5, j)
        prod = _y(Y, S_P, j)
        g = _y(Y, S_G, j)
        n = _y(Y, S_N, j)
        # wages.sme_wage_ratio
        emp_sum = e1 + e2 + e3 + e4
        wage_sme = (
            e1 * _y(Y, S_W1, j) + e2 * _y(Y, S_W2, j) + e3 * _y(Y, S_W3, j) + e4 * _y(Y, S_W4, j)
        ) / emp_sum
        # rd_policy.rates (margins, absorptive capacity)
        v_sme = emp_sum * prod * 1e-4
        v_large = e5 * 0.01
        appropriation = _g(A, H_APPS, j) * (1 - _p(A, P_PHI, j) * _u(A, L_FT, j))
        green = _u(A, L_GREEN, j) - _c(A, C_GREEN0, j)
        m_s = max(
            1 - _p(A, P_LAML, j) * wage_sme / prod - appropriation - _p(A, P_GCOST, j) * green,
            MARGIN_FLOOR,
        )
        m_l = 1 - _p(A, P_LAML, j) + appropriation * v_sme / v_large
        sme_per_large = emp_sum / e5
        kappa = _y(Y, S_KS, j) / (_y(Y, S_KL, j) * sme_per_large)
        _put(D, X_WAGE, j, wage_sme)
        _put(D, X_KAPPA, j, kappa)
        _put(D, X_MS, j, m_s)
        _put(D, T_APP, j, appropriation)
        _put(D, T_SPL, j, sme_per_large)
        # Powers as exp(a log x), logs shared between terms and exponents of
        # multiplied powers added: a third of the transcendental calls of the
        # NumPy form (same values up to rounding, ~1e-15 relative).
        # (the logs' arguments here; the logs themselves all at once below)
        _put(D, T_LOGM, j, m_s * _g(A, H_MS0, j))
        _put(D, T_LOGK, j, kappa * _g(A, H_KAPPA0, j))
        _put(D, T_LOGP, j, prod * _g(A, H_P0, j))
        _put(D, T_LOGML, j, m_l * _g(A, H_ML0, j))
        _put(D, T_LOGH, j, _y(Y, S_H, j) * 0.01)
        _put(D, T_LOGG, j, g / (100.0 - g) * _g(A, H_GO0, j))
        _put(D, T_LOGN, j, n / (100.0 - n) * _g(A, H_NO0, j))
    log_in_place(D, T_LOGM * LANES, (T_LOGN + 1) * LANES)
    # (2) every exp's exponent, then the exps all at once
    for j in range(LANES):
        log_m = _g(D, T_LOGM, j)
        log_kappa = _g(D, T_LOGK, j)
        log_prod = _g(D, T_LOGP, j)
        mu = _p(A, P_MU, j)
        scale_up = _u(A, L_SU, j) - _c(A, C_SU0, j)
        log_dispersion = -_p(A, P_RHO, j) * (_u(A, L_RD, j) - _c(A, C_RD0, j))
        # human_natural.rates
        _put(
            D,
            T_SKILLS,
            j,
            _p(A, P_TSE, j) * (_u(A, L_VT, j) - _c(A, C_VT0, j))
            - _p(A, P_ASE, j) * (age - _c(A, C_AGE0, j)),
        )
        # rd_policy.rates
        _put(D, T_QS, j, mu * log_m + _p(A, P_ETA, j) * log_kappa)
        _put(D, T_QL, j, mu * _g(D, T_LOGML, j))
        _put(D, T_COST, j, _p(A, P_MUR, j) * log_m)
        # knowledge.rates
        _put(
            D,
            T_TARGET,
            j,
            _p(A, P_THETA, j) * log_kappa
            + _p(A, P_TDE, j) * (_u(A, L_TD, j) - _c(A, C_TD0, j))
            + _p(A, P_THETAH, j) * _g(D, T_LOGH, j),
        )
        # wages.rates
        _put(
            D,
            T_DRIVE,
            j,
            _p(A, P_OMEGA, j) * log_prod + _p(A, P_FTWE, j) * (_u(A, L_FT, j) - _c(A, C_FT0, j)),
        )
        # firm_size.rates
        _put(D, T_BOOST, j, _p(A, P_SSE, j) * scale_up + _p(A, P_PHISU, j) * log_prod)
        # exports.rates
        _put(D, T_XO, j, _p(A, P_CHI, j) * log_prod + _p(A, P_ESU, j) * scale_up)
        # regions.rates
        _put(D, T_PULL, j, _p(A, P_AG, j) * _g(D, T_LOGG, j) + log_dispersion)
        _put(D, T_GO, j, _p(A, P_AN, j) * _g(D, T_LOGN, j) + log_dispersion)
    exp_in_place(D, T_SKILLS * LANES, (T_GO + 1) * LANES)
    for j in range(LANES):  # the skills target, as stored before (no fused multiply-add)
        _put(D, T_SKILLS, j, 100.0 * _g(D, T_SKILLS, j))
    # (3) the rates
    for j in range(LANES):
        e1 = _y(Y, S_E1, j)
        e2 = _y(Y, S_E2, j)
        e3 = _y(Y, S_E3, j)
        e4 = _y(Y, S_E4, j)
        e5 = _y(Y, S_E5, j)
        prod = _y(Y, S_P, j)
        kl = _y(Y, S_KL, j)
        appropriation = _g(D, T_APP, j)
        sme_per_large = _g(D, T_SPL, j)
        emp_sum = e1 + e2 + e3 + e4
        # human_natural.rates
        _d(D, S_H, j, (_g(D, T_SKILLS, j) - _y(Y, S_H, j)) * _g(A, H_TAUH, j))
        decline = _p(A, P_EIT, j) + _p(A, P_GTE, j) * (_u(A, L_GREEN, j) - _c(A, C_GREEN0, j))
        _d(D, S_I, j, -_y(Y, S_I, j) * decline)
        # rd_policy.rates
        v_sme = emp_sum * prod * 1e-4
        v_large = e5 * 0.01
        q_s = v_sme * _c(A, C_RDI0, j) * _g(D, T_QS, j)
        q_l = v_large * _g(D, T_QL, j)
        sub = _u(A, L_SUB, j) * _p(A, P_SADD, j)
        tax = _u(A, L_TAX, j) * _p(A, P_TADD, j)
        f_sub = _p(A, P_FSUB, j)
        f_tax = _p(A, P_FTAX, j)
        s_sme = (f_sub * sub + f_tax * tax) * 0.01
        s_large = ((1 - f_sub) * sub + (1 - f_tax) * tax) * 0.01
        rd_s = q_s + s_sme * (q_s + q_l)
        rd_l = q_l + s_large * (q_s + q_l)
        cost_s = _c(A, C_RC0, j) * _g(D, T_COST, j)
        inv_tau_r = _g(A, H_TAUR, j)
        _d(D, S_RS, j, (rd_s / cost_s - _y(Y, S_RS, j)) * inv_tau_r)
        _d(D, S_RL, j, (rd_l - _y(Y, S_RL, j)) * inv_tau_r)
        _put(D, X_RDS, j, rd_s)
        _put(D, X_RDL, j, rd_l)
        # knowledge.rates
        spill_boost = max(1 + _p(A, P_SDE, j) * (_u(A, L_TD, j) - _c(A, C_TD0, j)), 0.0)
        spillover = _p(A, P_KSR, j) * spill_boost * _c(A, C_SPILL, j) * sme_per_large * kl
        delta = _p(A, P_DELTA, j)
        _d(D, S_KS, j, rd_s + spillover - delta * _y(Y, S_KS, j))
        _d(D, S_KL, j, rd_l - delta * kl)
        target_odds = (
            _g(A, H_PODDS, j) * _g(D, T_TARGET, j) * (1 - appropriation) * _g(A, H_KEEP0, j)
        )
        target = 100.0 * target_odds / (1.0 + target_odds)
        _d(D, S_P, j, (target - prod) * _g(A, H_TAUP, j))
        # wages.rates
        drive = _p(A, P_WT2012, j) * _g(D, T_DRIVE, j)
        wo = _c(A, C_WO1, j) * drive
        t1 = 100.0 * wo / (1.0 + wo)
        wo = _c(A, C_WO2, j) * drive
        t2 = 100.0 * wo / (1.0 + wo)
        wo = _c(A, C_WO3, j) * drive
        t3 = 100.0 * wo / (1.0 + wo)
        wo = _c(A, C_WO4, j) * drive
        t4 = 100.0 * wo / (1.0 + wo)
        mean_target = (e1 * t1 + e2 * t2 + e3 * t3 + e4 * t4) / emp_sum
        ability_to_pay = prod * (1 - appropriation - _p(A, P_VSM, j)) * _g(A, H_LAML, j)
        cap = min(1.0, ability_to_pay / mean_target)
        inv_tau_w = _g(A, H_TAUW, j)
        _d(D, S_W1, j, (t1 * cap - _y(Y, S_W1, j)) * inv_tau_w)
        _d(D, S_W2, j, (t2 * cap - _y(Y, S_W2, j)) * inv_tau_w)
        _d(D, S_W3, j, (t3 * cap - _y(Y, S_W3, j)) * inv_tau_w)
        _d(D, S_W4, j, (t4 * cap - _y(Y, S_W4, j)) * inv_tau_w)
        # firm_size.rates
        boost = min(_g(D, T_BOOST, j), MAX_SCALE_UP_MULTIPLIER)
        nu0 = _c(A, C_SUR1, j) * boost * e1 - _c(A, C_SHR1, j) * e2
        nu1 = _c(A, C_SUR2, j) * boost * e2 - _c(A, C_SHR2, j) * e3
        nu2 = _c(A, C_SUR3, j) * boost * e3 - _c(A, C_SHR3, j) * e4
        nu3 = _c(A, C_SUR4, j) * boost * e4 - _c(A, C_SHR4, j) * e5
        _d(D, S_E1, j, -nu0)
        _d(D, S_E2, j, nu0 - nu1)
        _d(D, S_E3, j, nu1 - nu2)
        _d(D, S_E4, j, nu2 - nu3)
        _d(D, S_E5, j, nu3)
        # exports.rates
        xo = _g(A, H_XODDS, j) * _g(D, T_XO, j)
        _d(D, S_X, j, (100.0 * xo / (1.0 + xo) - _y(Y, S_X, j)) * _g(A, H_TAUX, j))
        # regions.rates
        g = _y(Y, S_G, j)
        n = _y(Y, S_N, j)
        pull_output_dispersed = _g(D, T_PULL, j)
        go = _g(A, H_GODDS, j) * _g(D, T_GO, j)
        no = _g(A, H_NODDS, j) * pull_output_dispersed
        so = _c(A, C_SO0, j) * pull_output_dispersed
        _d(D, S_G, j, (100.0 * go / (1.0 + go) - g) * _g(A, H_TAUG, j))
        _d(D, S_N, j, (100.0 * no / (1.0 + no) - n) * _g(A, H_TAUN, j))
        _d(D, S_S, j, (100.0 * so / (1.0 + so) - _y(Y, S_S, j)) * _g(A, H_TAUS, j))


def _record(A, Y, D, nv, r0, row, age, out, out_cols, cells):
    """Outputs of the block's valid lanes at a whole year (state before the step).

    ``out`` is (runs, years, columns), or with ``cells`` (columns, years, runs).
    """
    o = np.empty(N_OUT)
    for j in range(nv):
        wage_sme = _g(D, X_WAGE, j)
        rd_s = _g(D, X_RDS, j)
        rd_l = _g(D, X_RDL, j)
        prod = _y(Y, S_P, j)
        g = _y(Y, S_G, j)
        n = _y(Y, S_N, j)
        s = _y(Y, S_S, j)
        w1 = _y(Y, S_W1, j)
        h = _y(Y, S_H, j)
        ei = _y(Y, S_I, j)
        e1 = _y(Y, S_E1, j)
        e2 = _y(Y, S_E2, j)
        e3 = _y(Y, S_E3, j)
        e4 = _y(Y, S_E4, j)
        rd_share = 100.0 * rd_s / (rd_s + rd_l)
        o[0] = wage_sme
        o[1] = w1
        o[2] = _y(Y, S_W2, j)
        o[3] = _y(Y, S_W3, j)
        o[4] = _y(Y, S_W4, j)
        o[5] = prod
        o[6] = rd_share
        o[7] = 100.0 * ((rd_s / _y(Y, S_RS, j)) / (rd_l / _y(Y, S_RL, j)))
        o[8] = _y(Y, S_X, j)
        o[9] = e1 + e2 + e3 + e4
        o[10] = e1
        o[11] = e2
        o[12] = e3
        o[13] = e4
        o[14] = _y(Y, S_E5, j)
        o[15] = g
        o[16] = n
        o[17] = s
        o[18] = age
        # coexistence.indices
        economic = (
            100.0
            / 3.0
            * (
                min(1.0, wage_sme / _p(A, P_WREF, j))
                + min(1.0, prod / _p(A, P_PREF, j))
                + min(1.0, rd_share / _p(A, P_RDREF, j))
            )
        )
        mean_share = (g + n + s) / 3.0
        cmax = _p(A, P_CMAX, j)
        regional = 100.0 * min(max((cmax - mean_share) / (cmax - _p(A, P_CBAL, j)), 0.0), 1.0)
        human = 50.0 * (min(1.0, w1 / _p(A, P_WSREF, j)) + min(1.0, h / _p(A, P_HREF, j)))
        worst = _p(A, P_IWORST, j)
        natural = 100.0 * min(max((worst - ei) / (worst - _p(A, P_ITARGET, j)), 0.0), 1.0)
        o[19] = economic
        o[20] = regional
        o[21] = human
        o[22] = natural
        o[23] = (economic + regional + human + natural) / 4.0
        o[24] = h
        o[25] = ei
        o[26] = _g(D, X_KAPPA, j)
        o[27] = _g(D, X_MS, j)
        if cells:
            for i in range(N_OUT):
                out[out_cols[i], row, r0 + j] = o[i]
        else:
            for i in range(N_OUT):
                out[r0 + j, row, out_cols[i]] = o[i]


if HAVE_NUMBA:
    # Plain njit functions throughout: LLVM inlines the small ones.  (numba's
    # own ``inline="always"`` adds reference counting around array arguments,
    # and those calls stop LLVM from vectorising the loop over lanes.)
    _opts = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}
    _jit = numba.njit(**_opts)
    # The accessors get explicit signatures: without them numba compiles one
    # specialisation per *literal* row index (about 200 tiny functions, most of
    # the first-run compile time and of the cache load).  LLVM still inlines
    # them and folds the constant rows, so the machine code is the same.
    _w = numba.float64[::1]
    _i = numba.int64
    _ix = numba.njit(numba.uint64(_i), **_opts)(_ix)
    _get = numba.float64(_w, _i, _i)
    _g, _p, _c, _y, _u = (numba.njit(_get, **_opts)(f) for f in (_g, _p, _c, _y, _u))
    _set = numba.void(_w, _i, _i, numba.float64)
    _put, _d = (numba.njit(_set, **_opts)(f) for f in (_put, _d))
    _rates = _jit(_rates)
    _levers_at = _jit(_levers_at)
    _euler = _jit(_euler)
    _record = _jit(_record)
    # One compiled entry point for every batch, run on smesim.engine.threads' pool
    # (nogil): a batch of one block runs in the calling thread.
    _blocks_kernel = _jit(_blocks)


# ---- layout of the kernel's inputs, looked up by name ----------------------------------
_PARAM_COLS = np.array([NAMES.index(n) for n in K_PARAMS])
_LEVER_COLS = np.array([LEVER_IDS.index(n) for n in K_LEVERS])
_STOCK_COLS = np.array([IDX[n] for n in K_STOCKS])
_OUT_COLS = np.array([ALL_COLUMNS.index(n) for n in K_OUTPUTS], dtype=np.int64)
if sorted(K_OUTPUTS) != sorted(ALL_COLUMNS) or sorted(K_STOCKS) != sorted(IDX):
    raise RuntimeError("kernel layout out of date with outputs.ALL_COLUMNS / model.state")


def _constants(c, n: int) -> np.ndarray:
    cols = []
    for name in K_CONSTANTS:
        if name.endswith("]"):
            base, j = name[:-1].split("[")
            v = np.asarray(getattr(c, base))[:, int(j)]
        else:
            v = getattr(c, name)
        cols.append(np.broadcast_to(np.asarray(v, dtype=float), (n,)))
    return np.ascontiguousarray(np.stack(cols, axis=1))


def integrate(
    values: np.ndarray,
    y0: np.ndarray,
    c,
    levers: np.ndarray,
    exo: np.ndarray,
    steps_per_year: int,
    n_years: int,
    threads: bool | None = None,
    overrides: tuple[np.ndarray, np.ndarray, int] | None = None,
    start: tuple[int, np.ndarray] | None = None,
    save_at: int | None = None,
    cells: bool = False,
    out: np.ndarray | None = None,
):
    """Run the compiled kernel.

    Parameters
    ----------
    values : array, shape ``(n_runs, n_parameters)``
        Parameter values in registry order (:attr:`ParameterSet.values`).
    y0 : array, shape ``(n_runs, n_stocks)``
        Initial state in :data:`~smesim.model.state.IDX` order.
    c : namespace
        Derived constants from :func:`~smesim.model.derivatives.initial_state`.
    levers : array, shape ``(n_times, n_levers, k)``, ``k`` = 1 or n_runs
        Lever paths in :data:`~smesim.model.levers.LEVER_IDS` order.
    exo : array, shape ``(n_times,)``
        Population 65+ share (%) on the grid.
    steps_per_year, n_years : int
    threads : bool, optional
        Blocks of :data:`LANES` runs in parallel on :mod:`smesim.engine.threads`
        (default; a batch of at least :data:`PARALLEL_MIN_RUNS` runs has two
        blocks or more); ``False``: in the calling thread only.
    overrides : (values, mask, first_step), optional
        Per-run constant lever values ``values`` (n_runs, n_levers) for the
        levers where ``mask`` (n_levers,) is true, from grid step
        ``first_step`` on, in place of ``levers`` (which then stays one shared
        path: no per-run path arrays of n_times x n_levers x n_runs).
    start : (step, state), optional
        Start at grid step ``step`` (a whole year) from ``state`` (n_runs,
        n_stocks; IDX order) instead of the 2012 state: rows before that year
        are left NaN.  With ``save_at`` this lets runs that share their lever
        paths up to a year share the integration up to it (bit for bit).
    save_at : int, optional
        Also return the state at this grid step (before it), IDX order.
    cells : bool
        Return the outputs as ``(len(ALL_COLUMNS), n_years, n_runs)``: each
        series-year a contiguous row over the runs, the layout the ensemble's
        percentile accumulators read (written so directly, no transpose).
    out : array, optional
        Write the outputs into this C-contiguous float64 array (of the shape
        returned; reused across batches, an ensemble saves the page faults of
        a fresh array per batch).  Rows before ``start`` are then left as they
        are: the caller fills them.

    Returns
    -------
    array, shape ``(n_runs, n_years, len(ALL_COLUMNS))`` (or transposed, with
    ``cells``); with ``save_at``, ``(outputs, state)``.
    """
    if not HAVE_NUMBA:
        raise RuntimeError("numba is not installed (pip install 'smesim[fast]')")
    n = values.shape[0]
    P = np.ascontiguousarray(values[:, _PARAM_COLS], dtype=float)
    C = _constants(c, n)
    k_first = 0
    if start is not None:
        k_first, y0 = start
        if k_first % steps_per_year:
            raise ValueError("start step must fall on a whole year")
    Y0 = np.ascontiguousarray(y0[:, _STOCK_COLS], dtype=float)
    YS = np.empty((n if save_at is not None else 1, len(K_STOCKS)))
    # (k, n_times, n_levers): each run reads its own path contiguously
    L = np.ascontiguousarray(levers[:, _LEVER_COLS, :].transpose(2, 0, 1), dtype=float)
    ex = np.ascontiguousarray(exo, dtype=float)
    shape = (len(ALL_COLUMNS), n_years, n) if cells else (n, n_years, len(ALL_COLUMNS))
    if out is None:
        out = np.empty(shape)
        if k_first:  # years before the start (axis 1 in either layout)
            out[:, : k_first // steps_per_year] = np.nan
    elif (
        out.shape != shape
        or out.dtype != np.float64
        or not out.flags.c_contiguous
        or not out.flags.writeable
    ):
        raise ValueError(
            f"out must be a writeable C-contiguous float64 array of shape "
            f"{shape} (got {out.dtype} {out.shape})"
        )
    if overrides is None:
        OV, OVM, ov_k0 = np.zeros((1, len(K_LEVERS))), np.zeros(len(K_LEVERS), np.bool_), 0
    else:
        vals, mask, ov_k0 = overrides
        OV = np.ascontiguousarray(np.asarray(vals, dtype=float)[:, _LEVER_COLS])
        OVM = np.ascontiguousarray(np.asarray(mask, dtype=np.bool_)[_LEVER_COLS])
        if OV.shape[0] != n:
            raise ValueError(f"override values must have {n} rows (got {OV.shape[0]})")
    split(
        _blocks_kernel,
        (n + LANES - 1) // LANES,
        P,
        C,
        Y0,
        L,
        OV,
        OVM,
        int(ov_k0),
        ex,
        int(steps_per_year),
        out,
        _OUT_COLS,
        int(k_first),
        -1 if save_at is None else int(save_at),
        YS,
        bool(cells),
        threads=1 if threads is False else None,
    )
    if save_at is None:
        return out
    state = np.empty((n, len(K_STOCKS)))
    state[:, _STOCK_COLS] = YS
    return out, state
