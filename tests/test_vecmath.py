"""smesim.engine.vecmath: the kernel's vectorisable exp/log against NumPy's (the C library).

Accuracy within 1 ulp over the whole finite range and densely where the model
lives, and the IEEE edge cases the module documents, evaluated the way the
kernel evaluates them: inside a compiled loop over an array (vectorised).
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from smesim.engine.vecmath import exp_in_place, log_in_place, vexp, vlog


@numba.njit(error_model="numpy")
def _exp_all(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = vexp(x[i])
    return out


@numba.njit(error_model="numpy")
def _log_all(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = vlog(x[i])
    return out


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place between finite same-signed values."""
    return np.abs(
        np.asarray(a, dtype=float).view(np.int64) - np.asarray(b, dtype=float).view(np.int64)
    )


def test_exp_within_one_ulp():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(-708.0, 709.7, 400_000),  # the whole normal range
            rng.uniform(-20.0, 20.0, 400_000),  # where the model's exponents live
            rng.uniform(-1e-6, 1e-6, 100_000),  # near zero
            np.array([0.0, -0.0, 1.0, -1.0, 709.78, -708.39]),
        ]
    )
    got, ref = _exp_all(x), np.exp(x)
    assert np.isfinite(got).all()
    assert ulps(got, ref).max() <= 1


def test_log_within_one_ulp():
    rng = np.random.default_rng(1)
    x = np.concatenate(
        [
            10.0 ** rng.uniform(-307.0, 308.0, 400_000),  # the whole normal range
            rng.uniform(0.5, 2.0, 400_000),  # around 1, where cancellation bites
            rng.uniform(1e-3, 1e3, 100_000),  # where the model's arguments live
            np.array(
                [
                    1.0,
                    np.nextafter(1.0, 2.0),
                    np.nextafter(1.0, 0.0),
                    np.sqrt(2.0),
                    2.2250738585072014e-308,
                    1.7976931348623157e308,
                ]
            ),
        ]
    )
    got, ref = _log_all(x), np.log(x)
    same_sign = np.sign(got) == np.sign(ref)
    assert ulps(got[same_sign], ref[same_sign]).max() <= 1
    # across zero (x within an ulp or two of 1): compare absolutely
    np.testing.assert_allclose(got[~same_sign], ref[~same_sign], rtol=0, atol=1e-15)


def test_exp_edge_cases_follow_ieee():
    x = np.array([np.nan, np.inf, -np.inf, 710.0, 1e300, -746.0, -1e300, 709.78])
    got = _exp_all(x)
    assert np.isnan(got[0])
    assert got[1] == np.inf and got[2] == 0.0
    assert got[3] == np.inf and got[4] == np.inf
    assert got[5] == 0.0 and got[6] == 0.0
    assert np.isfinite(got[7]) and ulps(got[7:], np.exp(x[7:])).max() <= 1


def test_exp_flushes_subnormal_results_to_zero():
    """Documented: results below the smallest normal (x < -708.4) are 0."""
    x = np.array([-709.0, -720.0, -745.0])
    assert (_exp_all(x) == 0.0).all()


def test_log_edge_cases_follow_ieee():
    x = np.array([np.nan, np.inf, 0.0, -0.0, -1.0, -np.inf, 5e-324, 1e-310])
    with np.errstate(all="ignore"):
        ref = np.log(x)
    got = _log_all(x)
    assert np.isnan(got[0]) and got[1] == np.inf
    assert got[2] == -np.inf and got[3] == -np.inf
    assert np.isnan(got[4]) and np.isnan(got[5])
    # subnormal arguments are rescaled first: still within an ulp
    assert ulps(got[6:], ref[6:]).max() <= 1


@pytest.mark.parametrize(
    "special", [None, np.nan, np.inf, -np.inf, 0.0, -1.0, 800.0, -800.0, 5e-324]
)
def test_in_place_fast_path_and_fallback_give_the_full_functions_bits(special):
    """exp_in_place/log_in_place: the fast path (every value in range) and the
    fallback (one value out of it) both equal vexp/vlog bit for bit."""
    rng = np.random.default_rng(2)
    base = np.concatenate([rng.uniform(-30, 30, 200), rng.uniform(-700, 700, 56)])
    for fn, full, x in (
        (exp_in_place, _exp_all, base),
        (log_in_place, _log_all, np.exp(base / 3.0)),
    ):
        x = x.copy()
        if special is not None:
            x[77] = special
        a = np.concatenate([[123.0] * 5, x, [456.0] * 3])  # only a[5:-3] is touched
        fn(a, 5, 5 + x.size)
        with np.errstate(all="ignore"):
            want = full(x)
        np.testing.assert_array_equal(a[5:-3], want)
        assert (a[:5] == 123.0).all() and (a[-3:] == 456.0).all()
