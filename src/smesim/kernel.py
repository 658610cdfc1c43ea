"""Compiled integration kernel (numba): the model's right-hand side, one run at a time.

The batched NumPy code in :mod:`smesim.model` is the readable source of truth
and the reference.  This module re-expresses the *arithmetic* of
:func:`smesim.model.derivatives.evaluate` and
:func:`smesim.model.coexistence.indices` as scalar code per run, compiled by
numba (``cache=True``: compiled once per machine, then loaded in ~0.1 s) and
run over the batch, in parallel over runs (``prange``) for large batches.

What is *not* mirrored: the 2012 state and the derived constants come from the
NumPy :func:`~smesim.model.derivatives.initial_state` itself, lever paths from
:func:`~smesim.levers.lever_paths` and exogenous tables from
:func:`~smesim.exogenous.exogenous_paths`; parameters, stocks and output
columns are looked up by *name* in the registry (:data:`smesim.params.NAMES`,
:data:`smesim.model.state.IDX`, :data:`smesim.outputs.ALL_COLUMNS`) each call,
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

from .levers import LEVER_IDS
from .model.state import IDX, SME_CLASSES
from .outputs import ALL_COLUMNS
from .params import NAMES

try:  # numba is optional (extra ``smesim[fast]``)
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None
    HAVE_NUMBA = False

prange = numba.prange if HAVE_NUMBA else range

#: Batches at least this large run in parallel over runs (threads).
PARALLEL_MIN_RUNS = 64

# ---- kernel-local layouts (positions are private to this file) -------------------
K_PARAMS = (
    "knowledge_depreciation_rate", "knowledge_productivity_elasticity",
    "productivity_target_2012", "productivity_adjustment_time", "tech_diffusion_effect",
    "skills_productivity_elasticity", "labour_share_large", "appropriation_rate_2012",
    "fair_trade_appropriation_effect", "rd_margin_elasticity",
    "absorptive_capacity_elasticity", "researcher_cost_margin_elasticity",
    "researcher_adjustment_time", "subsidy_additionality", "tax_additionality",
    "sme_share_of_subsidy", "sme_share_of_tax_incentive", "green_cost_to_sme_margin",
    "wage_productivity_elasticity", "wage_adjustment_time", "wage_target_2012",
    "fair_trade_wage_effect", "scale_up_support_effect", "scale_up_productivity_elasticity",
    "export_target_2012", "export_productivity_elasticity", "export_adjustment_time",
    "export_scale_up_effect", "capital_region_grp_target_2012",
    "capital_region_population_target_2012", "grp_adjustment_time",
    "population_adjustment_time", "startup_adjustment_time",
    "agglomeration_population_effect", "agglomeration_grp_effect", "dispersion_effect",
    "skills_adjustment_time", "training_skills_effect", "ageing_skills_effect",
    "environmental_intensity_trend", "green_transition_effect", "reference_wage_ratio",
    "reference_small_firm_wage_ratio", "reference_productivity_ratio", "reference_rd_share",
    "balanced_capital_region_share", "concentrated_capital_region_share",
    "reference_skills_index", "environmental_intensity_target",
    "environmental_intensity_worst", "knowledge_spillover_rate",
    "diffusion_spillover_effect", "viable_sme_margin",
)
(P_DELTA, P_THETA, P_PT2012, P_TAUP, P_TDE, P_THETAH, P_LAML, P_A0, P_PHI, P_MU, P_ETA,
 P_MUR, P_TAUR, P_SADD, P_TADD, P_FSUB, P_FTAX, P_GCOST, P_OMEGA, P_TAUW, P_WT2012,
 P_FTWE, P_SSE, P_PHISU, P_ET2012, P_CHI, P_TAUX, P_ESU, P_GT2012, P_NT2012, P_TAUG,
 P_TAUN, P_TAUS, P_AN, P_AG, P_RHO, P_TAUH, P_TSE, P_ASE, P_EIT, P_GTE, P_WREF,
 P_WSREF, P_PREF, P_RDREF, P_CBAL, P_CMAX, P_HREF, P_ITARGET, P_IWORST, P_KSR, P_SDE,
 P_VSM) = range(len(K_PARAMS))

K_LEVERS = ("rd_subsidy_rate", "rd_tax_incentive_rate", "regional_dispersion",
            "fair_trade_enforcement", "scale_up_support", "vocational_training",
            "tech_diffusion", "green_transition")
L_SUB, L_TAX, L_RD, L_FT, L_SU, L_VT, L_TD, L_GREEN = range(len(K_LEVERS))

K_STOCKS = (
    *(f"employment_share_{c}" for c in ("1_4", "5_9", "10_99", "100_499", "500_plus")),
    *(f"wage_ratio_{c}" for c in SME_CLASSES),
    "productivity_ratio_sme", "knowledge_sme", "knowledge_large", "researchers_sme",
    "researchers_large", "export_share_sme", "capital_region_grp_share",
    "capital_region_population_share", "capital_region_startup_share", "sme_skills_index",
    "environmental_intensity",
)
(S_E1, S_E2, S_E3, S_E4, S_E5, S_W1, S_W2, S_W3, S_W4, S_P, S_KS, S_KL, S_RS, S_RL, S_X,
 S_G, S_N, S_S, S_H, S_I) = range(len(K_STOCKS))

#: Derived constants (``c`` of :func:`initial_state`); ``name[i]`` = column i of a 2-D one.
K_CONSTANTS = (
    "productivity_0", "scale_up_rates[0]", "scale_up_rates[1]", "scale_up_rates[2]",
    "scale_up_rates[3]", "shrink_rates[0]", "shrink_rates[1]", "shrink_rates[2]",
    "shrink_rates[3]", "scale_up_0", "wage_odds_0[0]", "wage_odds_0[1]", "wage_odds_0[2]",
    "wage_odds_0[3]", "fair_trade_0", "age_share_0", "training_0", "green_0",
    "rd_intensity_sme_0", "margin_sme_0", "margin_large_0", "researcher_cost_sme_0",
    "diffusion_0", "grp_odds_0", "population_odds_0", "startup_odds_0", "dispersion_0",
    "knowledge_ratio_0", "spillover_scale",
)
(C_P0, C_SUR1, C_SUR2, C_SUR3, C_SUR4, C_SHR1, C_SHR2, C_SHR3, C_SHR4, C_SU0, C_WO1, C_WO2,
 C_WO3, C_WO4, C_FT0, C_AGE0, C_VT0, C_GREEN0, C_RDI0, C_MS0, C_ML0, C_RC0, C_TD0, C_GO0,
 C_NO0, C_SO0, C_RD0, C_KAPPA0, C_SPILL) = range(len(K_CONSTANTS))

K_OUTPUTS = (
    "wage_ratio_sme", "wage_ratio_1_4", "wage_ratio_5_9", "wage_ratio_10_99",
    "wage_ratio_100_499", "productivity_ratio_sme", "rd_share_sme",
    "rd_per_researcher_ratio_sme", "export_share_sme", "employment_share_sme",
    "employment_share_1_4", "employment_share_5_9", "employment_share_10_99",
    "employment_share_100_499", "employment_share_500_plus", "capital_region_grp_share",
    "capital_region_population_share", "capital_region_startup_share",
    "population_65plus_share", "coexistence_economic", "coexistence_regional",
    "coexistence_human", "coexistence_natural", "coexistence_overall", "sme_skills_index",
    "environmental_intensity", "knowledge_ratio", "margin_sme",
)
N_OUT = len(K_OUTPUTS)

MARGIN_FLOOR = 0.02  # mirrors model.rd_policy.MARGIN_FLOOR (checked in tests)
MAX_SCALE_UP_MULTIPLIER = 5.0  # mirrors model.firm_size.MAX_SCALE_UP_MULTIPLIER


def _run_one(r, P, C, Y0, L, OV, OVM, ov_k0, exo, steps_per_year, out, out_cols, k_first,
             k_save, YS):
    """Integrate run ``r``: Euler over the grid, outputs at whole years into ``out[r]``.

    Starts at grid step ``k_first`` from state ``Y0[r]``; stores the state at
    step ``k_save`` (before that step) in ``YS[r]``.
    """
    nt = L.shape[1]
    lr = min(r, L.shape[0] - 1)  # per-run lever paths, or one shared path
    dt = 1.0 / steps_per_year
    p = P[r]
    c = C[r]
    y = Y0[r].copy()
    d = np.empty(y.size)
    o = np.empty(N_OUT)
    # per-run constants: divisions hoisted out of the time loop (the loop then
    # multiplies; results move by rounding only, ~1e-16 relative)
    inv_tau_h = 1.0 / p[P_TAUH]
    inv_labour_share = 1.0 / p[P_LAML]
    inv_tau_r = 1.0 / p[P_TAUR]
    inv_tau_p = 1.0 / p[P_TAUP]
    inv_tau_w = 1.0 / p[P_TAUW]
    inv_tau_x = 1.0 / p[P_TAUX]
    inv_tau_g = 1.0 / p[P_TAUG]
    inv_tau_n = 1.0 / p[P_TAUN]
    inv_tau_s = 1.0 / p[P_TAUS]
    appropriation_scale = p[P_A0] / (1 - p[P_PHI] * c[C_FT0])
    inv_keep_0 = 1.0 / (1 - p[P_A0])
    pt = p[P_PT2012]
    productivity_odds_ref = pt / (100.0 - pt)
    et = p[P_ET2012]
    export_odds_ref = et / (100.0 - et)
    gt = p[P_GT2012]
    grp_odds_ref = gt / (100.0 - gt)
    nt_ = p[P_NT2012]
    population_odds_ref = nt_ / (100.0 - nt_)
    inv_ms0 = 1.0 / c[C_MS0]
    inv_ml0 = 1.0 / c[C_ML0]
    inv_kappa0 = 1.0 / c[C_KAPPA0]
    inv_p0 = 1.0 / c[C_P0]
    inv_go0 = 1.0 / c[C_GO0]
    inv_no0 = 1.0 / c[C_NO0]
    for k in range(k_first, nt):
        if k == k_save:
            YS[r, :] = y
        u_sub = OV[r, L_SUB] if OVM[L_SUB] and k >= ov_k0 else L[lr, k, L_SUB]
        u_tax = OV[r, L_TAX] if OVM[L_TAX] and k >= ov_k0 else L[lr, k, L_TAX]
        u_rd = OV[r, L_RD] if OVM[L_RD] and k >= ov_k0 else L[lr, k, L_RD]
        u_ft = OV[r, L_FT] if OVM[L_FT] and k >= ov_k0 else L[lr, k, L_FT]
        u_su = OV[r, L_SU] if OVM[L_SU] and k >= ov_k0 else L[lr, k, L_SU]
        u_vt = OV[r, L_VT] if OVM[L_VT] and k >= ov_k0 else L[lr, k, L_VT]
        u_td = OV[r, L_TD] if OVM[L_TD] and k >= ov_k0 else L[lr, k, L_TD]
        u_green = OV[r, L_GREEN] if OVM[L_GREEN] and k >= ov_k0 else L[lr, k, L_GREEN]
        age = exo[k]
        e1, e2, e3, e4, e5 = y[S_E1], y[S_E2], y[S_E3], y[S_E4], y[S_E5]
        prod = y[S_P]
        # wages.sme_wage_ratio
        emp_sum = e1 + e2 + e3 + e4
        wage_sme = (e1 * y[S_W1] + e2 * y[S_W2] + e3 * y[S_W3] + e4 * y[S_W4]) / emp_sum
        # human_natural.rates
        skills_target = 100.0 * np.exp(p[P_TSE] * (u_vt - c[C_VT0])
                                       - p[P_ASE] * (age - c[C_AGE0]))
        d[S_H] = (skills_target - y[S_H]) * inv_tau_h
        decline = p[P_EIT] + p[P_GTE] * (u_green - c[C_GREEN0])
        d[S_I] = -y[S_I] * decline
        # rd_policy.rates
        e_sme = emp_sum
        v_sme = e_sme * prod * 1e-4
        v_large = e5 * 0.01
        appropriation = appropriation_scale * (1 - p[P_PHI] * u_ft)
        m_s = max(1 - p[P_LAML] * wage_sme / prod - appropriation
                  - p[P_GCOST] * (u_green - c[C_GREEN0]), MARGIN_FLOOR)
        m_l = 1 - p[P_LAML] + appropriation * v_sme / v_large
        sme_per_large = e_sme / e5
        kappa = y[S_KS] / (y[S_KL] * sme_per_large)
        # Powers as exp(a log x), logs shared between terms and exponents of
        # multiplied powers added: a third of the transcendental calls of the
        # NumPy form (same values up to rounding, ~1e-15 relative).
        log_m = np.log(m_s * inv_ms0)
        log_kappa = np.log(kappa * inv_kappa0)
        log_prod = np.log(prod * inv_p0)
        q_s = v_sme * c[C_RDI0] * np.exp(p[P_MU] * log_m + p[P_ETA] * log_kappa)
        q_l = v_large * np.exp(p[P_MU] * np.log(m_l * inv_ml0))
        sub = u_sub * p[P_SADD]
        tax = u_tax * p[P_TADD]
        s_sme = (p[P_FSUB] * sub + p[P_FTAX] * tax) * 0.01
        s_large = ((1 - p[P_FSUB]) * sub + (1 - p[P_FTAX]) * tax) * 0.01
        rd_s = q_s + s_sme * (q_s + q_l)
        rd_l = q_l + s_large * (q_s + q_l)
        cost_s = c[C_RC0] * np.exp(p[P_MUR] * log_m)
        d[S_RS] = (rd_s / cost_s - y[S_RS]) * inv_tau_r
        d[S_RL] = (rd_l - y[S_RL]) * inv_tau_r
        # knowledge.rates
        spill_boost = max(1 + p[P_SDE] * (u_td - c[C_TD0]), 0.0)
        spillover = p[P_KSR] * spill_boost * c[C_SPILL] * sme_per_large * y[S_KL]
        d[S_KS] = rd_s + spillover - p[P_DELTA] * y[S_KS]
        d[S_KL] = rd_l - p[P_DELTA] * y[S_KL]
        target_odds = (productivity_odds_ref
                       * np.exp(p[P_THETA] * log_kappa + p[P_TDE] * (u_td - c[C_TD0])
                                + p[P_THETAH] * np.log(y[S_H] * 0.01))
                       * (1 - appropriation) * inv_keep_0)
        target = 100.0 * target_odds / (1.0 + target_odds)
        d[S_P] = (target - prod) * inv_tau_p
        # wages.rates
        drive = p[P_WT2012] * np.exp(p[P_OMEGA] * log_prod + p[P_FTWE] * (u_ft - c[C_FT0]))
        wo = c[C_WO1] * drive
        t1 = 100.0 * wo / (1.0 + wo)
        wo = c[C_WO2] * drive
        t2 = 100.0 * wo / (1.0 + wo)
        wo = c[C_WO3] * drive
        t3 = 100.0 * wo / (1.0 + wo)
        wo = c[C_WO4] * drive
        t4 = 100.0 * wo / (1.0 + wo)
        mean_target = (e1 * t1 + e2 * t2 + e3 * t3 + e4 * t4) / emp_sum
        ability_to_pay = prod * (1 - appropriation - p[P_VSM]) * inv_labour_share
        cap = min(1.0, ability_to_pay / mean_target)
        d[S_W1] = (t1 * cap - y[S_W1]) * inv_tau_w
        d[S_W2] = (t2 * cap - y[S_W2]) * inv_tau_w
        d[S_W3] = (t3 * cap - y[S_W3]) * inv_tau_w
        d[S_W4] = (t4 * cap - y[S_W4]) * inv_tau_w
        # firm_size.rates
        boost = min(np.exp(p[P_SSE] * (u_su - c[C_SU0]) + p[P_PHISU] * log_prod),
                    MAX_SCALE_UP_MULTIPLIER)
        nu0 = c[C_SUR1] * boost * e1 - c[C_SHR1] * e2
        nu1 = c[C_SUR2] * boost * e2 - c[C_SHR2] * e3
        nu2 = c[C_SUR3] * boost * e3 - c[C_SHR3] * e4
        nu3 = c[C_SUR4] * boost * e4 - c[C_SHR4] * e5
        d[S_E1] = -nu0
        d[S_E2] = nu0 - nu1
        d[S_E3] = nu1 - nu2
        d[S_E4] = nu2 - nu3
        d[S_E5] = nu3
        # exports.rates
        xo = export_odds_ref * np.exp(p[P_CHI] * log_prod + p[P_ESU] * (u_su - c[C_SU0]))
        d[S_X] = (100.0 * xo / (1.0 + xo) - y[S_X]) * inv_tau_x
        # regions.rates
        g, n, s = y[S_G], y[S_N], y[S_S]
        log_dispersion = -p[P_RHO] * (u_rd - c[C_RD0])
        pull_output_dispersed = np.exp(p[P_AG] * np.log(g / (100.0 - g) * inv_go0)
                                       + log_dispersion)
        go = grp_odds_ref * np.exp(p[P_AN] * np.log(n / (100.0 - n) * inv_no0)
                                   + log_dispersion)
        no = population_odds_ref * pull_output_dispersed
        so = c[C_SO0] * pull_output_dispersed
        d[S_G] = (100.0 * go / (1.0 + go) - g) * inv_tau_g
        d[S_N] = (100.0 * no / (1.0 + no) - n) * inv_tau_n
        d[S_S] = (100.0 * so / (1.0 + so) - s) * inv_tau_s
        # outputs at whole years (state before the step, as the NumPy path)
        if k % steps_per_year == 0:
            rd_share = 100.0 * rd_s / (rd_s + rd_l)
            o[0] = wage_sme
            o[1] = y[S_W1]
            o[2] = y[S_W2]
            o[3] = y[S_W3]
            o[4] = y[S_W4]
            o[5] = prod
            o[6] = rd_share
            o[7] = 100.0 * ((rd_s / y[S_RS]) / (rd_l / y[S_RL]))
            o[8] = y[S_X]
            o[9] = e_sme
            o[10] = e1
            o[11] = e2
            o[12] = e3
            o[13] = e4
            o[14] = e5
            o[15] = g
            o[16] = n
            o[17] = s
            o[18] = age
            # coexistence.indices
            economic = 100.0 / 3.0 * (min(1.0, wage_sme / p[P_WREF])
                                      + min(1.0, prod / p[P_PREF])
                                      + min(1.0, rd_share / p[P_RDREF]))
            mean_share = (g + n + s) / 3.0
            regional = 100.0 * min(max((p[P_CMAX] - mean_share)
                                       / (p[P_CMAX] - p[P_CBAL]), 0.0), 1.0)
            human = 50.0 * (min(1.0, y[S_W1] / p[P_WSREF]) + min(1.0, y[S_H] / p[P_HREF]))
            natural = 100.0 * min(max((p[P_IWORST] - y[S_I])
                                      / (p[P_IWORST] - p[P_ITARGET]), 0.0), 1.0)
            o[19] = economic
            o[20] = regional
            o[21] = human
            o[22] = natural
            o[23] = (economic + regional + human + natural) / 4.0
            o[24] = y[S_H]
            o[25] = y[S_I]
            o[26] = kappa
            o[27] = m_s
            row = k // steps_per_year
            for j in range(N_OUT):
                out[r, row, out_cols[j]] = o[j]
        if k + 1 < nt:
            for j in range(y.size):
                y[j] = y[j] + dt * d[j]


def _serial(P, C, Y0, L, OV, OVM, ov_k0, exo, steps_per_year, out, out_cols, k_first, k_save,
            YS):
    for r in range(P.shape[0]):
        _run_one(r, P, C, Y0, L, OV, OVM, ov_k0, exo, steps_per_year, out, out_cols, k_first,
                 k_save, YS)


def _parallel(P, C, Y0, L, OV, OVM, ov_k0, exo, steps_per_year, out, out_cols, k_first, k_save,
              YS):
    for r in prange(P.shape[0]):
        _run_one(np.int64(r), P, C, Y0, L, OV, OVM, ov_k0, exo, steps_per_year, out, out_cols,
                 k_first, k_save, YS)


if HAVE_NUMBA:
    _run_one = numba.njit(cache=True, nogil=True)(_run_one)
    _serial_kernel = numba.njit(cache=True, nogil=True)(_serial)
    _parallel_kernel = numba.njit(cache=True, nogil=True, parallel=True)(_parallel)


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


def integrate(values: np.ndarray, y0: np.ndarray, c, levers: np.ndarray, exo: np.ndarray,
              steps_per_year: int, n_years: int, threads: bool | None = None,
              overrides: tuple[np.ndarray, np.ndarray, int] | None = None,
              start: tuple[int, np.ndarray] | None = None, save_at: int | None = None):
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
        Lever paths in :data:`~smesim.levers.LEVER_IDS` order.
    exo : array, shape ``(n_times,)``
        Population 65+ share (%) on the grid.
    steps_per_year, n_years : int
    threads : bool, optional
        Parallel over runs; default: when the batch has at least
        :data:`PARALLEL_MIN_RUNS` runs.
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

    Returns
    -------
    array, shape ``(n_runs, n_years, len(ALL_COLUMNS))``; with ``save_at``,
    ``(outputs, state)``.
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
    shape = (n, n_years, len(ALL_COLUMNS))
    out = np.full(shape, np.nan) if k_first else np.empty(shape)
    use_threads = n >= PARALLEL_MIN_RUNS if threads is None else threads
    kern = _parallel_kernel if use_threads else _serial_kernel
    if overrides is None:
        OV, OVM, ov_k0 = np.zeros((1, len(K_LEVERS))), np.zeros(len(K_LEVERS), np.bool_), 0
    else:
        vals, mask, ov_k0 = overrides
        OV = np.ascontiguousarray(np.asarray(vals, dtype=float)[:, _LEVER_COLS])
        OVM = np.ascontiguousarray(np.asarray(mask, dtype=np.bool_)[_LEVER_COLS])
        if OV.shape[0] != n:
            raise ValueError(f"override values must have {n} rows (got {OV.shape[0]})")
    kern(P, C, Y0, L, OV, OVM, int(ov_k0), ex, int(steps_per_year), out, _OUT_COLS,
         int(k_first), -1 if save_at is None else int(save_at), YS)
    if save_at is None:
        return out
    state = np.empty((n, len(K_STOCKS)))
    state[:, _STOCK_COLS] = YS
    return out, state
