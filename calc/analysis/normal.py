"""The standard normal distribution function and its inverse in numpy, without scipy.

Sampling draws every (log)normal input through these two functions: a
truncated input maps normal scores to probabilities and back, and correlated
inputs go through the Gaussian copula. :mod:`scipy.special` has both, but
importing it costs about twice numpy's own import, more than a whole
``capcalc timeline``; these take a few microseconds to define.

:func:`ndtr`, the distribution function Φ, is W. J. Cody's algorithm:
rational Chebyshev approximations in three ranges of ``|x|`` (Cody 1969),
with the coefficients and the range limits of his ANORM routine (Cody 1993),
and ``exp(-x²/2)`` evaluated as ``exp(-s²/2) · exp(-(x - s)(x + s)/2)`` with
``s`` = ``x`` cut to a multiple of 1/16, so that ``s²`` is exact and the tails
keep their relative accuracy (R's ``pnorm`` evaluates it the same way).

:func:`ndtri`, the quantile function Φ⁻¹, is M. J. Wichura's algorithm AS 241,
PPND16: rational approximations in ``p - 0.5`` near the middle and in
``sqrt(-log(min(p, 1 - p)))`` in the tails, about 1e-16 relative.

The coefficients are those of the published algorithms, true constants, and
must not be rounded. ``tests/analysis/test_normal.py`` holds both functions against
arbitrary-precision values (mpmath) and against :mod:`scipy.special` over
millions of points, tails included, and checks monotonicity and symmetry.

References
----------
W. J. Cody, "Rational Chebyshev approximations for the error function",
*Mathematics of Computation* 23 (107), 631-637, 1969.

W. J. Cody, "Algorithm 715: SPECFUN, a portable FORTRAN package of special
function routines and test drivers", *ACM Transactions on Mathematical
Software* 19 (1), 22-32, 1993 (routine ANORM).

M. J. Wichura, "Algorithm AS 241: The percentage points of the normal
distribution", *Journal of the Royal Statistical Society, Series C (Applied
Statistics)* 37 (3), 477-484, 1988.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["ndtr", "ndtri"]

FloatArray = npt.NDArray[np.float64]

# ---------------------------------------------------------------- Φ: Cody (ANORM)

#: |x| up to here: Φ(x) = 1/2 + x R(x²), R rational (the upper quartile, 0.6744897...).
_CENTRE = 0.67448975
#: |x| up to here: Φ(-|x|) = exp(-x²/2) R(|x|); beyond: the asymptotic form in 1/x².
_SQRT32 = 5.656854249492380195206754896838
#: Beyond this |x| the tail is below the smallest subnormal double (Φ(-38.5) ≈ 5e-324).
_ZERO_TAIL = 40.0
#: 1/sqrt(2π).
_INV_SQRT_2PI = 0.398942280401432677939946059934

_A = (2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582,
      18154.981253343561249, 0.065682337918207449113)
_B = (47.20258190468824187, 976.09855173777669322, 10260.932208618978205,
      45507.789335026729956)
_C = (0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979,
      597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
      11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8)
_D = (22.266688044328115691, 235.38790178262499861, 1519.377599407554805,
      6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
      38912.003286093271411, 19685.429676859990727)
_P = (0.21589853405795699, 0.1274011611602473639, 0.022235277870649807,
      0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303)
_Q = (1.28426009614491121, 0.468238212480865118, 0.0659881378689285515,
      0.00378239633202758244, 7.29751555083966205e-5)


def _centre_cdf(x: FloatArray) -> FloatArray:
    """Φ(x) for |x| ≤ 0.674..."""
    xsq = x * x
    num = _A[4] * xsq
    den = xsq
    for a, b in zip(_A[:3], _B[:3], strict=True):
        num = (num + a) * xsq
        den = (den + b) * xsq
    return 0.5 + x * (num + _A[3]) / (den + _B[3])


def _gauss(y: FloatArray) -> FloatArray:
    """exp(-y²/2) without the rounding error of y² (y ≥ 0)."""
    s = np.trunc(y * 16.0) / 16.0
    return np.exp(-s * s * 0.5) * np.exp(-(y - s) * (y + s) * 0.5)


def _lower_tail(y: FloatArray) -> FloatArray:
    """Φ(-y) for y > 0.674..."""
    out = np.empty_like(y)
    middle = y <= _SQRT32
    ym = y[middle]
    num = _C[8] * ym
    den = ym
    for c, d in zip(_C[:7], _D[:7], strict=True):
        num = (num + c) * ym
        den = (den + d) * ym
    out[middle] = _gauss(ym) * (num + _C[7]) / (den + _D[7])
    far = ~middle
    yf = np.minimum(y[far], _ZERO_TAIL)  # beyond, Φ(-y) is 0 in doubles (and stays finite)
    xsq = 1.0 / (yf * yf)
    num = _P[5] * xsq
    den = xsq
    for p, q in zip(_P[:4], _Q[:4], strict=True):
        num = (num + p) * xsq
        den = (den + q) * xsq
    ratio = (_INV_SQRT_2PI - xsq * (num + _P[4]) / (den + _Q[4])) / yf
    out[far] = _gauss(yf) * ratio
    return out


def ndtr(x: npt.ArrayLike) -> FloatArray:
    """The standard normal distribution function Φ(x), elementwise.

    Cody's approximations (see the module's references); relative error a few
    units in the last place (ulp) over the whole line, the tails included
    (``Φ(-37) ≈ 5.7e-300`` to ~1e-15), where ``0.5 * erfc(-x / sqrt(2))`` loses up to
    ``x²`` ulp to the rounding of its argument. ``Φ(-inf) = 0``,
    ``Φ(inf) = 1``, ``Φ(nan) = nan``; below about -38.5 the result is 0.

    Parameters
    ----------
    x : array_like
        Normal scores (standard deviations from the mean).

    Returns
    -------
    ndarray
        Probabilities in [0, 1], of ``x``'s shape (0-d for a number).

    Examples
    --------
    >>> float(ndtr(0.0)), float(ndtr(1.6448536269514722))
    (0.5, 0.95)
    >>> f"{float(ndtr(-10.0)):.15e}"
    '7.619853024160527e-24'
    """
    x = np.asarray(x, dtype=float)
    shape = x.shape
    x = x.ravel()
    y = np.abs(x)
    out = np.empty_like(x)
    centre = y <= _CENTRE
    out[centre] = _centre_cdf(x[centre])
    tail = y > _CENTRE  # NaN is neither: it stays NaN below
    small = _lower_tail(y[tail])
    out[tail] = np.where(x[tail] < 0, small, 1.0 - small)
    out[np.isnan(x)] = np.nan
    return out.reshape(shape)


# ---------------------------------------------------------------- Φ⁻¹: Wichura (AS 241)

#: |p - 1/2| up to here: the central approximation (0.075 ≤ p ≤ 0.925).
_SPLIT1 = 0.425
#: sqrt(-log(min(p, 1 - p))) up to here: the intermediate tail (min(p, 1 - p) ≥ exp(-25)).
_SPLIT2 = 5.0
_CONST1 = 0.180625  # 0.425²
_CONST2 = 1.6

_A_241 = (3.387132872796366608, 133.14166789178437745, 1971.5909503065514427,
          13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
          33430.575583588128105, 2509.0809287301226727)
_B_241 = (1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
          21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
          5226.4952788528545610)
_C_241 = (1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
          3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177,
          0.0227238449892691845833, 7.7454501427834140764e-4)
_D_241 = (1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
          0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4,
          1.05075007164441684324e-9)
_E_241 = (6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358,
          0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386,
          2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F_241 = (1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
          7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7,
          2.04426310338993978564e-15)


def _ratio(coefficients: tuple[tuple[float, ...], tuple[float, ...]], r: FloatArray
           ) -> FloatArray:
    """num(r) / den(r), both polynomials of degree 7, coefficients lowest order first
    (evaluated by Horner's rule, as AS 241 writes them)."""
    top, bottom = coefficients
    num = top[7] * r + top[6]
    den = bottom[7] * r + bottom[6]
    for t, b in zip(top[5::-1], bottom[5::-1], strict=True):
        num = num * r + t
        den = den * r + b
    return num / den


def ndtri(p: npt.ArrayLike) -> FloatArray:
    """The standard normal quantile function Φ⁻¹(p), elementwise.

    Wichura's AS 241 (PPND16; see the module's references): relative error
    about 1e-16 for every ``p`` in (0, 1). ``Φ⁻¹(0) = -inf``, ``Φ⁻¹(1) = inf``,
    ``nan`` outside [0, 1] and for ``nan``.

    Parameters
    ----------
    p : array_like
        Probabilities.

    Returns
    -------
    ndarray
        Normal scores, of ``p``'s shape (0-d for a number).

    Examples
    --------
    >>> float(ndtri(0.5)), round(float(ndtri(0.95)), 12)
    (0.0, 1.644853626951)
    >>> float(ndtri(0.0)), float(ndtri(1.0))
    (-inf, inf)
    """
    p = np.asarray(p, dtype=float)
    shape = p.shape
    p = p.ravel()
    out = np.full_like(p, np.nan)
    q = p - 0.5
    centre = np.abs(q) <= _SPLIT1
    qc = q[centre]
    out[centre] = qc * _ratio((_A_241, _B_241), _CONST1 - qc * qc)
    tail = (np.abs(q) > _SPLIT1) & (p > 0.0) & (p < 1.0)
    qt = q[tail]
    r = np.sqrt(-np.log(np.where(qt < 0, p[tail], 1.0 - p[tail])))
    near = r <= _SPLIT2
    val = np.empty_like(r)
    val[near] = _ratio((_C_241, _D_241), r[near] - _CONST2)
    val[~near] = _ratio((_E_241, _F_241), r[~near] - _SPLIT2)
    out[tail] = np.where(qt < 0, -val, val)
    out[p == 0.0] = -np.inf
    out[p == 1.0] = np.inf
    return out.reshape(shape)
