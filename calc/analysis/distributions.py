"""Input distributions: value, low and high as the median and 90 % interval, bounds kept.

Every input with a range has three published points: ``value`` is its median
(50th percentile) and ``low``/``high`` its 5th and 95th percentiles. Each
family is fitted through all three, so the central run and the middle of the
Monte Carlo agree:

``lognormal`` (the default: every numeric input is a positive quantity)
    a two-piece lognormal: below the median ``log x`` is normal with
    ``sigma = ln(value / low) / 1.645``, above it with ``ln(high / value) / 1.645``.
    Symmetric in ``log x`` (a plain lognormal) when ``value = sqrt(low × high)``.
``normal``
    a two-piece normal, ``(value - low) / 1.645`` below and ``(high - value) / 1.645``
    above the median.
``uniform``
    flat on each side of the median, 45 % of the mass between each end of the
    interval and the median (a plain uniform when ``value`` is the midpoint).
``triangular``, ``pert``
    minimum, mode and maximum solved so that the 5th, 50th and 95th
    percentiles are ``low``, ``value`` and ``high``; refused, with one line,
    where no member of the family has them.

A side of zero width (``value == high``, say) puts that side's 45 % of the
mass at ``value``: "most likely exactly this, possibly less".

A distribution is truncated to the input's valid range (``InputSpec.lower``/
``upper``: PUE ≥ 1, MFU in (0, 1], ...), so no sample is ever impossible:
where truncation would cut off any probability the parameters are solved
again so that the *truncated* distribution keeps its three percentiles;
where no member of the family can (``high`` at the bound itself), the
untruncated fit is kept and truncation moves a percentile by at most the mass
it cuts off.

Joint draws of several inputs, with their rank correlations and seeded
streams, are in :mod:`calc.analysis.joint_sampling`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from types import ModuleType

import numpy as np
import numpy.typing as npt

from calc.analysis import fit_store
from calc.analysis.normal import ndtr, ndtri
from calc.analysis.roots import newton
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, InputSpec
from calc.data.assumptions import Assumption

__all__ = [
    "DEFAULT_FAMILY",
    "FAMILIES",
    "Z90",
    "Marginal",
    "fit",
    "fit_marginal",
    "marginal",
    "marginals",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

FAMILIES = ("lognormal", "normal", "uniform", "triangular", "pert")
DEFAULT_FAMILY = "lognormal"

#: The 95th percentile of the standard normal: a 90 % interval spans ±Z90 standard deviations.
Z90 = 1.6448536269514722
#: The three percentiles every fit goes through.
_PROBABILITIES = np.array([0.05, 0.5, 0.95])
#: Mass between an end of the 90 % interval and the median.
_HALF = 0.45


def _special() -> ModuleType:
    """:mod:`scipy.special` (the beta distribution functions of ``pert``), imported on first use."""
    from scipy import special  # deferred: ~2× numpy's import; only a PERT input uses it

    return special


def _bounds(spec: InputSpec) -> tuple[float, float]:
    """The closed interval samples are clipped to: the valid range, open ends nudged inward."""
    lower = -math.inf if spec.lower is None else float(spec.lower)
    upper = math.inf if spec.upper is None else float(spec.upper)
    if spec.lower_open:
        lower = float(np.nextafter(lower, math.inf))
    if spec.upper_open:
        upper = float(np.nextafter(upper, -math.inf))
    return lower, upper


# ---------------------------------------------------------------- the families, untruncated


def _two_piece_ppf(family: str, params: tuple[float, ...], z: FloatArray) -> FloatArray:
    """Quantile of a two-piece (log)normal at normal scores ``z`` (monotone in ``z``)."""
    centre, below, above = params
    z = np.asarray(z, dtype=float)
    y = np.where(z < 0, below, above)
    if below and above:  # the usual case, in place: no temporary beyond ``y``
        y *= z
    else:  # a side of zero width: its scores all give the centre (no 0 × inf)
        np.multiply(y, z, out=y, where=y != 0)
    y += centre
    if family == "normal":
        return y
    with np.errstate(over="ignore", under="ignore"):  # ±inf and 0 are clipped to bounds
        return np.exp(y, out=y)


def _two_piece_z(family: str, params: tuple[float, ...], x: float) -> float:
    """Normal score of ``x`` under a two-piece (log)normal; ±inf outside its support."""
    centre, below, above = params
    if family == "lognormal":
        if x <= 0:
            return -math.inf
        if math.isinf(x):
            return math.inf
        y = math.log(x)
    else:
        y = x
    scale = below if y < centre else above
    if scale == 0:
        return 0.0 if y == centre else (-math.inf if y < centre else math.inf)
    return (y - centre) / scale


def _uniform_ppf(params: tuple[float, ...], u: FloatArray) -> FloatArray:
    centre, below, above = params
    return np.where(u < 0.5, centre - (0.5 - u) / 0.5 * below, centre + (u - 0.5) / 0.5 * above)


def _uniform_cdf(params: tuple[float, ...], x: float) -> float:
    centre, below, above = params
    if x < centre:
        return 0.0 if below == 0 else max(0.0, 0.5 - 0.5 * (centre - x) / below)
    return 1.0 if above == 0 else min(1.0, 0.5 + 0.5 * (x - centre) / above)


def _triangular_cdf(x: float, a: float, c: float, b: float) -> float:
    if x <= a:
        return 0.0
    if x >= b:
        return 1.0
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a)) if c > a else 0.0
    return 1 - (b - x) ** 2 / ((b - a) * (b - c)) if b > c else 1.0


def _pert_shape(a: float, c: float, b: float) -> tuple[float, float]:
    """Beta shape parameters of a PERT distribution (λ = 4) with minimum, mode, maximum."""
    return 1 + 4 * (c - a) / (b - a), 1 + 4 * (b - c) / (b - a)


def _bounded_cdf(family: str, params: tuple[float, ...], x: float) -> float:
    a, c, b = params
    if family == "triangular":
        return _triangular_cdf(x, a, c, b)
    if x <= a:
        return 0.0
    if x >= b:
        return 1.0
    alpha, beta = _pert_shape(a, c, b)
    return float(_special().betainc(alpha, beta, (x - a) / (b - a)))


def _bounded_ppf(family: str, params: tuple[float, ...], u: FloatArray) -> FloatArray:
    a, c, b = params
    if family == "triangular":
        split = (c - a) / (b - a)
        return np.where(u < split, a + np.sqrt(u * (b - a) * (c - a)),
                        b - np.sqrt((1 - u) * (b - a) * (b - c)))
    alpha, beta = _pert_shape(a, c, b)
    y = np.asarray(_special().betaincinv(alpha, beta, u), dtype=float)
    lost = np.isnan(y)  # the inversion fails in the far tails (u below ~1e-280)
    if lost.any():
        y[lost] = np.where(np.asarray(u)[lost] < 0.5, 0.0, 1.0)
    return a + (b - a) * y


@dataclass(frozen=True)
class Marginal:
    """One input's distribution through its three points, truncated to ``[lower, upper]``.

    ``params`` are ``(centre, below, above)`` for the two-piece families — the
    median's log (lognormal) or the median (normal, uniform) and each side's
    scale: the sigma of ``log x`` or ``x``, or the uniform's half-width — and
    ``(minimum, mode, maximum)`` for ``triangular`` and ``pert``.
    """

    key: str
    family: str
    params: tuple[float, ...]
    lower: float
    upper: float
    value: float
    low: float
    high: float

    def _normal_based(self) -> bool:
        return self.family in ("lognormal", "normal")

    def cdf(self, x: float) -> float:
        """Untruncated cumulative probability at ``x``."""
        if self._normal_based():
            z = _two_piece_z(self.family, self.params, x)
            return float(ndtr(z))
        if self.family == "uniform":
            return _uniform_cdf(self.params, x)
        return _bounded_cdf(self.family, self.params, x)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Untruncated quantile function at probabilities ``u``."""
        u = np.asarray(u, dtype=float)
        if self._normal_based():
            return _two_piece_ppf(self.family, self.params, ndtri(u))
        if self.family == "uniform":
            return _uniform_ppf(self.params, u)
        return _bounded_ppf(self.family, self.params, u)

    # ------------------------------------------------------------ truncation

    @cached_property
    def u_range(self) -> tuple[float, float]:
        """Untruncated probabilities of the bounds: the truncated mass lies outside them.

        A two-piece family with a side of zero width puts that side's half on
        the median itself; a bound at the median then cuts nothing off. Worked
        out once per distribution (every draw and quantile reads it).
        """
        u_lo, u_hi = self.cdf(self.lower), self.cdf(self.upper)
        if self._normal_based():
            centre, below, above = self.params
            at = math.log if self.family == "lognormal" else float
            if below == 0 and self.lower > (0 if self.family == "lognormal" else -math.inf) \
                    and at(self.lower) <= centre:
                u_lo = 0.0
            if above == 0 and math.isfinite(self.upper) and at(self.upper) >= centre:
                u_hi = 1.0
        return u_lo, u_hi

    def _clip(self, x: FloatArray) -> FloatArray:
        return np.clip(x, self.lower, self.upper, out=x)

    def quantile(self, u: FloatArray) -> FloatArray:
        """Quantile function of the truncated distribution at probabilities ``u`` in [0, 1].

        >>> m = fit_marginal("site.pue", "lognormal", 1.2, 1.1, 1.4)
        >>> [round(float(q), 6) for q in m.quantile(np.array([0.05, 0.5, 0.95]))]
        [1.1, 1.2, 1.4]
        """
        u_lo, u_hi = self.u_range
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return self._clip(np.asarray(self.ppf(u_lo + u * (u_hi - u_lo)), dtype=float))

    def from_normal(self, z: FloatArray) -> FloatArray:
        """Map standard normal scores to samples (the copula path; monotone in ``z``)."""
        u_lo, u_hi = self.u_range
        if self._normal_based() and u_lo < 1e-12 and u_hi > 1 - 1e-12:
            return self._clip(np.asarray(_two_piece_ppf(self.family, self.params, z),
                                         dtype=float))
        return self.quantile(ndtr(z))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` independent draws from the truncated distribution (exact).

        A (log)normal family whose bounds leave most of its mass is drawn as a
        standard normal truncated to the bounds' scores, redrawing the few
        scores outside (as fast as an untruncated draw); otherwise by quantiles.
        """
        if not self._normal_based():
            return self.quantile(rng.random(n))
        u_lo, u_hi = self.u_range
        if u_hi - u_lo < 0.5:  # most draws would be rejected: invert the CDF instead
            return self.quantile(rng.random(n))
        z = rng.standard_normal(n)
        if u_lo > 0 or u_hi < 1:
            z_lo, z_hi = float(ndtri(u_lo)), float(ndtri(u_hi))
            bad = np.flatnonzero((z < z_lo) | (z > z_hi))
            while bad.size:
                z[bad] = rng.standard_normal(bad.size)
                bad = bad[(z[bad] < z_lo) | (z[bad] > z_hi)]
        return self._clip(np.asarray(_two_piece_ppf(self.family, self.params, z), dtype=float))


# ---------------------------------------------------------------- fitting


def _two_piece(family: str, value: float, low: float, high: float) -> tuple[float, ...]:
    if family == "lognormal":
        if low <= 0:
            raise ValueError(f"a lognormal needs low > 0 (got {low:g})")
        return math.log(value), math.log(value / low) / Z90, math.log(high / value) / Z90
    if family == "normal":
        return value, (value - low) / Z90, (high - value) / Z90
    return value, (value - low) * 0.5 / _HALF, (high - value) * 0.5 / _HALF


def _bounded_params(free: Sequence[float], low: float, high: float) -> tuple[float, ...]:
    """Minimum, mode, maximum from three free numbers (widths beyond the interval, mode share)."""
    width = high - low
    a = low - width * math.exp(free[0])
    b = high + width * math.exp(free[1])
    c = a + (b - a) / (1 + math.exp(-free[2]))
    return a, c, b


def _solve(residuals: Callable[[FloatArray], FloatArray], start: FloatArray
           ) -> FloatArray | None:
    """A root of ``residuals`` near ``start`` (residuals below 1e-9), or None.

    Newton's method in numpy (:func:`calc.analysis.roots.newton`) first; scipy's
    hybrid method only where it finds nothing, so that an ordinary run loads no scipy.
    """
    found = newton(residuals, start)
    if found is not None:
        return found
    from scipy.optimize import root  # deferred: scipy.optimize costs ~0.3 s to import

    with np.errstate(all="ignore"):
        solution = root(residuals, start, method="hybr")
        found = np.asarray(solution.x, dtype=float)
        if solution.success and bool(np.all(np.abs(residuals(found)) < 1e-9)):
            return found
    return None


@lru_cache(maxsize=512)
def _fit_bounded(family: str, value: float, low: float, high: float) -> tuple[float, ...]:
    """Minimum, mode, maximum of a triangular/PERT whose 5/50/95th percentiles are the points."""
    targets = np.array([low, value, high])

    def residuals(free: FloatArray) -> FloatArray:
        try:
            params = _bounded_params([float(f) for f in free], low, high)
        except (OverflowError, ValueError):
            return np.full(3, 1e6)
        got = np.array([_bounded_cdf(family, params, x) for x in targets])
        return got - _PROBABILITIES

    share = (value - low) / (high - low)
    guess = math.log(max(min(share, 0.99), 0.01) / (1 - max(min(share, 0.99), 0.01)))
    for start in ((-1.0, -1.0, guess), (0.0, 0.0, guess), (-2.0, -2.0, 0.0), (1.0, 1.0, 0.0),
                  (-3.0, 0.0, guess), (0.0, -3.0, guess)):
        found = _solve(residuals, np.array(start))
        if found is not None:
            return _bounded_params([float(f) for f in found], low, high)
    raise ValueError(f"no {family} distribution has the median {value:g} and the 90 % "
                     f"interval [{low:g}, {high:g}]")


def fit(family: str, value: float, low: float, high: float) -> tuple[float, ...]:
    """Parameters of ``family`` whose 5th, 50th and 95th percentiles are ``low, value, high``.

    Examples
    --------
    >>> centre, below, above = fit("lognormal", 100, 90, 130)
    >>> round(math.exp(centre), 2), round(below, 4), round(above, 4)
    (100.0, 0.0641, 0.1595)
    >>> fit("uniform", 4.5, 0, 9)
    (4.5, 5.0, 5.0)
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown distribution {family!r}; choose from {', '.join(FAMILIES)}")
    if not low <= value <= high or low == high:
        raise ValueError(f"the median {value:g} must lie in the 90 % interval "
                         f"[{low:g}, {high:g}]")
    if family in ("lognormal", "normal", "uniform"):
        return _two_piece(family, value, low, high)
    return _fit_bounded(family, value, low, high)


def _free(family: str, params: tuple[float, ...], low: float, high: float) -> list[float]:
    """The numbers a truncated refit varies (a side of zero width stays fixed)."""
    if family in ("triangular", "pert"):
        a, c, b = params
        width = high - low
        share = (c - a) / (b - a)
        share = min(max(share, 1e-9), 1 - 1e-9)
        return [math.log((low - a) / width), math.log((b - high) / width),
                math.log(share / (1 - share))]
    centre, below, above = params
    return [centre, *(math.log(s) for s in (below, above) if s > 0)]


def _with_free(family: str, free: Sequence[float], start: tuple[float, ...], low: float,
               high: float) -> tuple[float, ...]:
    if family in ("triangular", "pert"):
        return _bounded_params(free, low, high)
    values = iter(free[1:])
    centre = free[0]
    below, above = (math.exp(next(values)) if s > 0 else 0.0 for s in start[1:])
    return centre, below, above


@lru_cache(maxsize=512)
def fit_marginal(key: str, family: str, value: float, low: float, high: float) -> Marginal:
    """The :class:`Marginal` of input ``key`` through ``(low, value, high)``, truncated.

    Where truncation to the key's valid range cuts off any probability, the
    parameters are solved again so that the *truncated* distribution keeps the
    three percentiles; if no member of the family has them (e.g. ``high`` at
    the bound itself), the untruncated fit is kept and the truncation moves a
    percentile by at most the mass it cuts off. A solved answer is kept between
    runs (:mod:`calc.analysis.fit_store`), so the next run takes the same floats
    without solving.

    >>> m = fit_marginal("training.availability", "lognormal", 0.87, 0.80, 0.95)
    >>> [round(float(q), 6) for q in m.quantile(np.array([0.05, 0.5, 0.95]))]
    [0.8, 0.87, 0.95]
    """
    lower, upper = _bounds(INPUTS[key]) if key in INPUTS else (-math.inf, math.inf)
    params = fit(family, value, low, high)
    first = Marginal(key=key, family=family, params=params, lower=lower, upper=upper,
                     value=value, low=low, high=high)
    u_lo, u_hi = first.u_range
    if u_lo < 1e-12 and u_hi > 1 - 1e-12:
        return first
    entry = f"{key}|{family}|{value!r}|{low!r}|{high!r}|{lower!r}|{upper!r}"
    known, kept = fit_store.recall(entry)
    if known:
        return first if kept is None else replace(first, params=kept)
    points = np.array([low, value, high])
    wanted = [True, True, True]
    if family in ("lognormal", "normal", "uniform"):
        wanted = [params[1] > 0, True, params[2] > 0]
    span = high - low

    def refit(free: FloatArray) -> Marginal:
        new = _with_free(family, [float(f) for f in free], params, low, high)
        if not all(math.isfinite(x) for x in new):
            raise ArithmeticError("degenerate parameters")
        return Marginal(key=key, family=family, params=new, lower=lower, upper=upper,
                        value=value, low=low, high=high)

    def residuals(free: FloatArray) -> FloatArray:
        try:
            got = refit(free).quantile(_PROBABILITIES)
        except (ArithmeticError, ValueError, OverflowError):
            return np.full(sum(wanted), 1e6)
        gap = ((got - points) / span)[wanted]
        return gap if np.all(np.isfinite(gap)) else np.full(sum(wanted), 1e6)

    found = _solve(residuals, np.array(_free(family, params, low, high)))
    if found is not None:
        solved = refit(found)
        fit_store.remember(entry, solved.params)
        return solved
    fit_store.remember(entry, None)
    logger.debug("%s: kept the untruncated %s fit; truncation cuts %.3g below, %.3g above",
                 key, family, u_lo, 1 - u_hi)
    return first


def marginal(assumption: Assumption) -> Marginal | None:
    """The distribution of one scenario input, or ``None`` when it has no spread.

    An input without ``low``/``high``, or with ``low == high``, is fixed at
    its ``value``. Choice inputs and unset (null) inputs are never sampled.

    Raises
    ------
    CapcalcError
        A one-sided range, a value outside its interval, or a family that
        cannot have the three points; the message names the key.
    """
    key = assumption.key
    value = assumption.value
    if not isinstance(value, float | int) or isinstance(value, bool):
        return None
    low, high = assumption.low, assumption.high
    if low is None and high is None:
        return None
    if low is None or high is None:
        raise CapcalcError("give both low and high (a 90 % interval), or neither", key=key)
    if low == high:
        if low != value:
            raise CapcalcError(f"low and high are both {low:g} but the value is {value:g}; "
                               "with no spread the value must equal them", key=key)
        return None
    if not low <= value <= high:
        raise CapcalcError(f"the value {value:g} is the median, so it must lie in its 90 % "
                           f"interval [{low:g}, {high:g}]", key=key)
    family = assumption.dist or DEFAULT_FAMILY
    try:
        return fit_marginal(key, family, float(value), float(low), float(high))
    except ValueError as exc:
        raise CapcalcError(f"{exc}; use dist: lognormal or widen the interval",
                           key=key) from None


def marginals(assumptions: Mapping[str, Assumption]) -> dict[str, Marginal]:
    """The distribution of every input that has a spread, in vocabulary order."""
    out = {}
    for key in INPUTS:
        if key in assumptions:
            m = marginal(assumptions[key])
            if m is not None:
                out[key] = m
    return out
