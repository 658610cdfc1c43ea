"""``exp`` and ``log`` that LLVM can vectorise, for the compiled kernel.

numba compiles ``math.exp``/``math.log`` to calls into the C library, one
value at a time: no SIMD, and in the model kernel those calls were most of the
run time (17 per run and step).  The two functions here are straight-line
arithmetic (no calls, no branches, only selects), so inside a loop over runs
LLVM turns them into vector instructions (AVX2/AVX-512 where the CPU has
them).

Algorithms: the classic argument reductions and minimax polynomials of Sun's
fdlibm (``e_exp.c``, ``e_log.c``; the coefficients are the published ones),
re-expressed for numba.  Accuracy, measured against NumPy over 10^6 values
spanning the model's range and beyond (``tests/test_vecmath.py``): at most
1 ulp for both on normal inputs.  Edge cases follow IEEE/NumPy:
``exp(>709.78) = inf``, ``exp(<-745.2) = 0``, ``log(0) = -inf``,
``log(<0) = nan``, ``log(inf) = inf``, NaN in, NaN out; subnormal arguments of
``log`` are rescaled first.  Subnormal *results* of ``exp`` (x < -708.4) are
flushed to zero, which no model quantity comes near.

The bit casts between float64 and int64 are two tiny numba intrinsics
(an LLVM ``bitcast``, free at run time).
"""

from __future__ import annotations

import math

try:
    import numba
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    HAVE_NUMBA = False

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
# exp: fdlibm e_exp.c
_E1 = 1.66666666666666019037e-01
_E2 = -2.77777777770155933842e-03
_E3 = 6.61375632143793436117e-05
_E4 = -1.65339022054652515390e-06
_E5 = 4.13813679705723846039e-08
_EXP_OVER = 7.09782712893383973096e02
_EXP_UNDER = -7.08396418532264106224e02
#: Range of :func:`vexp_fast`: results normal, and 2**k representable (k <= 1023).
EXP_FAST_LO = _EXP_UNDER
EXP_FAST_HI = 709.43
_MAX_FINITE = 1.7976931348623157e308
# log: fdlibm e_log.c
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_SQRT2 = 1.41421356237309504880
_TWO54 = 1.80143985094819840000e16
_MIN_NORMAL = 2.2250738585072014e-308
_MANT_MASK = 0x000FFFFFFFFFFFFF
_ONE_BITS = 0x3FF0000000000000


if HAVE_NUMBA:

    @intrinsic
    def _as_int(typingctx, x):
        """The bits of a float64 as an int64."""
        if x != types.float64:
            return None

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.IntType(64))

        return types.int64(types.float64), codegen

    @intrinsic
    def _as_float(typingctx, x):
        """An int64's bits as a float64."""
        if x != types.int64:
            return None

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.DoubleType())

        return types.float64(types.int64), codegen

    # Plain njit: LLVM inlines both into the kernel's loops and vectorises them
    # (the same machine code as numba's inline="always", which copied their IR
    # into all 17 call sites and cost 1.3 s of the first compile).
    _jit = numba.njit(error_model="numpy", cache=True)

    @_jit
    def _exp_reduced(x):
        """``(y, k)`` with e**x = y * 2**k, for ``x`` within the clamp of :func:`vexp`."""
        k = math.floor(x * _INV_LN2 + 0.5)
        hi = x - k * _LN2_HI
        lo = k * _LN2_LO
        r = hi - lo
        t = r * r
        c = r - t * (_E1 + t * (_E2 + t * (_E3 + t * (_E4 + t * _E5))))
        return 1.0 - ((lo - (r * c) / (2.0 - c)) - hi), numba.int64(k)

    @_jit
    def vexp(x):
        """e**x; at most 1 ulp from the C library's (module docs)."""
        y, k = _exp_reduced(min(max(x, _EXP_UNDER), _EXP_OVER))
        # times 2**k, k in [-1022, 1024] (the clamp above keeps it there); 2**1024
        # overflows, so the top k is applied as 2**(k-1) * 2
        top = k > 1023
        ki = k - (1 if top else 0)
        scaled = y * _as_float((ki + 1023) << 52) * (2.0 if top else 1.0)
        scaled = math.inf if x > _EXP_OVER else scaled
        scaled = 0.0 if x < _EXP_UNDER else scaled
        return x if x != x else scaled

    @_jit
    def vexp_fast(x):
        """e**x for ``EXP_FAST_LO <= x <= EXP_FAST_HI`` only (normal results, no
        special cases): bit for bit :func:`vexp` there; anything outside is
        undefined, so callers check the range first (see :func:`exp_in_place`)."""
        y, k = _exp_reduced(x)
        return y * _as_float((k + 1023) << 52)

    @_jit
    def _log_normal(xs, e_shift):
        """log(xs) - e_shift * log(2) for a normal positive finite ``xs``."""
        bits = _as_int(xs)
        e = (bits >> 52) - 1023 - e_shift
        m = _as_float((bits & _MANT_MASK) | _ONE_BITS)  # mantissa in [1, 2)
        big = m > _SQRT2
        m = m * 0.5 if big else m
        k = float(e + 1 if big else e)
        f = m - 1.0
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
        t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
        r = t2 + t1
        hfsq = 0.5 * f * f
        return k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)

    @_jit
    def vlog_fast(x):
        """Natural log for normal positive finite ``x`` only: bit for bit
        :func:`vlog` there; anything else is undefined (callers check)."""
        return _log_normal(x, 0)

    @_jit
    def exp_in_place(a, lo, hi):
        """``a[lo:hi] = exp(a[lo:hi])``: :func:`vexp_fast` (SIMD, no special
        cases) when every value is in its range, else :func:`vexp` for all."""
        bad = 0
        for q in range(lo, hi):
            x = a[numba.uint64(q)]
            bad += 0 if (x >= EXP_FAST_LO) & (x <= EXP_FAST_HI) else 1
        if bad:
            for q in range(lo, hi):
                a[numba.uint64(q)] = vexp(a[numba.uint64(q)])
        else:
            for q in range(lo, hi):
                a[numba.uint64(q)] = vexp_fast(a[numba.uint64(q)])

    @_jit
    def log_in_place(a, lo, hi):
        """``a[lo:hi] = log(a[lo:hi])``: :func:`vlog_fast` when every value is
        normal, positive and finite, else :func:`vlog` for all."""
        bad = 0
        for q in range(lo, hi):
            x = a[numba.uint64(q)]
            bad += 0 if (x >= _MIN_NORMAL) & (x <= _MAX_FINITE) else 1
        if bad:
            for q in range(lo, hi):
                a[numba.uint64(q)] = vlog(a[numba.uint64(q)])
        else:
            for q in range(lo, hi):
                a[numba.uint64(q)] = vlog_fast(a[numba.uint64(q)])

    @_jit
    def vlog(x):
        """Natural log; at most 1 ulp from the C library's (module docs)."""
        sub = x < _MIN_NORMAL  # subnormal (or not positive): rescale by 2**54 first
        v = _log_normal(x * _TWO54 if sub else x, 54 if sub else 0)
        v = -math.inf if x == 0.0 else v
        v = math.nan if x < 0.0 else v
        v = x if x == math.inf else v
        return x if x != x else v
else:  # pragma: no cover - numba is a core dependency; plain-Python stand-ins

    def vexp(x):
        return math.exp(x)

    def vlog(x):
        return math.log(x)

    vexp_fast, vlog_fast = vexp, vlog

    def exp_in_place(a, lo, hi):
        for q in range(lo, hi):
            a[q] = math.exp(a[q])

    def log_in_place(a, lo, hi):
        for q in range(lo, hi):
            a[q] = math.log(a[q])
