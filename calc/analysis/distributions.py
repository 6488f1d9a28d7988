"""Input distributions: a 90 % interval as a distribution, physical bounds kept, rank correlation.

Every ``low``/``high`` in capcalc is a 90 % interval: the 5th and 95th
percentile of the input's distribution. How the family uses it:

``lognormal`` (the default: every numeric input is a positive quantity)
    fitted to the interval, so its median is the geometric mean
    ``sqrt(low × high)``; ``value`` is not used for the spread.
``normal``
    fitted to the interval: mean ``(low + high) / 2``.
``uniform``
    flat, with 5 % of its width below ``low`` and 5 % above ``high``.
``triangular``, ``pert``
    ``value`` is the mode (most likely value); the minimum and maximum are
    solved so that the 5th and 95th percentiles are ``low`` and ``high``.

The deterministic run always uses ``value``. A distribution is truncated to
the input's valid range (``InputSpec.lower``/``upper``: PUE ≥ 1, MFU in
(0, 1], ...), so no sample is ever impossible: independent inputs are
redrawn where they fall outside it (exact truncation), correlated inputs are
mapped through the truncated quantile function. Truncation moves the 5th or
95th percentile by at most the probability cut off, which is small because
the 90 % interval itself lies inside the valid range.

Rank correlations are applied with a Gaussian copula: normal scores
correlated with the Pearson coefficient ``2 sin(π rho_s / 6)`` have Spearman
rank correlation ``rho_s`` (Kruskal 1958), and every marginal transform is
monotone, so the inputs have the declared rank correlation.

Randomness comes from explicit seeded generators, one per input key and
stream tag: the same seed gives the same samples, and a key's samples do not
change when other keys are added or removed.
"""

from __future__ import annotations

import logging
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import special

from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, InputSpec
from calc.data.assumptions import Assumption, Correlation

__all__ = [
    "DEFAULT_FAMILY",
    "FAMILIES",
    "Z90",
    "JointSampler",
    "Marginal",
    "fit",
    "marginal",
    "marginals",
    "normal_correlation",
    "stream",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

FAMILIES = ("lognormal", "normal", "uniform", "triangular", "pert")
DEFAULT_FAMILY = "lognormal"

#: The 95th percentile of the standard normal: a 90 % interval spans ±Z90 standard deviations.
Z90 = 1.6448536269514722

#: A bound this many standard deviations out cuts off less than 1.3e-12 of the mass: it is
#: not truncated (no refit, no redraw), only clipped, should such a draw ever occur.
_Z_NEVER = 7.0


def _bounds(spec: InputSpec) -> tuple[float, float]:
    """The closed interval samples are clipped to: the valid range, open ends nudged inward."""
    lower = -math.inf if spec.lower is None else float(spec.lower)
    upper = math.inf if spec.upper is None else float(spec.upper)
    if spec.lower_open:
        lower = float(np.nextafter(lower, math.inf))
    if spec.upper_open:
        upper = float(np.nextafter(upper, -math.inf))
    return lower, upper


@dataclass(frozen=True)
class Marginal:
    """One input's distribution, truncated to ``[lower, upper]``.

    ``params`` are ``(mu, sigma)`` of the logarithm for ``lognormal``,
    ``(mean, sd)`` for ``normal``, ``(a, b)`` for ``uniform`` and
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

    # ------------------------------------------------------------ untruncated family

    def _is_normal_family(self) -> bool:
        return self.family in ("lognormal", "normal")

    def _to_z(self, x: float) -> float:
        """Normal score of ``x`` (lognormal and normal only); ±inf outside the support."""
        mu, sigma = self.params
        if self.family == "lognormal":
            if x <= 0:
                return -math.inf
            if math.isinf(x):
                return math.inf
            return (math.log(x) - mu) / sigma
        return (x - mu) / sigma

    def _from_z(self, z: FloatArray) -> FloatArray:
        mu, sigma = self.params
        x = mu + sigma * z
        if self.family != "lognormal":
            return x
        with np.errstate(over="ignore", under="ignore"):  # ±inf and 0 are clipped to bounds
            return np.exp(x)

    def cdf(self, x: float) -> float:
        """Untruncated cumulative probability at ``x``."""
        if self._is_normal_family():
            return float(special.ndtr(self._to_z(x)))
        if self.family == "uniform":
            a, b = self.params
            return float(min(max((x - a) / (b - a), 0.0), 1.0))
        a, c, b = self.params
        if x <= a:
            return 0.0
        if x >= b:
            return 1.0
        if self.family == "triangular":
            return _triangular_cdf(x, a, c, b)
        alpha, beta = _pert_shape(a, c, b)
        return float(special.betainc(alpha, beta, (x - a) / (b - a)))

    def ppf(self, u: FloatArray) -> FloatArray:
        """Untruncated quantile function at probabilities ``u``."""
        if self._is_normal_family():
            return self._from_z(special.ndtri(u))
        if self.family == "uniform":
            a, b = self.params
            return a + u * (b - a)
        a, c, b = self.params
        if self.family == "triangular":
            split = (c - a) / (b - a)
            return np.where(u < split, a + np.sqrt(u * (b - a) * (c - a)),
                            b - np.sqrt((1 - u) * (b - a) * (b - c)))
        alpha, beta = _pert_shape(a, c, b)
        y = np.asarray(special.betaincinv(alpha, beta, u), dtype=float)
        lost = np.isnan(y)  # the inversion fails in the far tails (u below ~1e-280)
        if lost.any():
            y[lost] = np.where(np.asarray(u)[lost] < 0.5, 0.0, 1.0)
        return a + (b - a) * y

    # ------------------------------------------------------------ truncation

    @property
    def z_range(self) -> tuple[float, float]:
        """Normal scores of the bounds (lognormal and normal)."""
        return self._to_z(self.lower), self._to_z(self.upper)

    @property
    def u_range(self) -> tuple[float, float]:
        """Untruncated probabilities of the bounds: the truncated mass lies outside them."""
        return self.cdf(self.lower), self.cdf(self.upper)

    def _clip(self, x: FloatArray) -> FloatArray:
        return np.clip(x, self.lower, self.upper, out=x)

    def quantile(self, u: FloatArray) -> FloatArray:
        """Quantile function of the truncated distribution at probabilities ``u`` in [0, 1].

        >>> m = fit_marginal("site.pue", "lognormal", 1.2, 1.1, 1.4)
        >>> bool(m.quantile(np.array([0.0]))[0] >= 1.0)
        True
        """
        u_lo, u_hi = self.u_range
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return self._clip(np.asarray(self.ppf(u_lo + u * (u_hi - u_lo)), dtype=float))

    def from_normal(self, z: FloatArray) -> FloatArray:
        """Map standard normal scores to samples (the copula path; monotone in ``z``)."""
        if self._is_normal_family():
            z_lo, z_hi = self.z_range
            if z_lo > -_Z_NEVER or z_hi < _Z_NEVER:
                p_lo, p_hi = special.ndtr(z_lo), special.ndtr(z_hi)
                z = special.ndtri(p_lo + special.ndtr(z) * (p_hi - p_lo))
            return self._clip(np.asarray(self._from_z(z), dtype=float))
        return self.quantile(special.ndtr(z))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` independent draws from the truncated distribution (exact).

        Draws outside the valid range are redrawn; where most of the untruncated
        mass lies outside it, the truncated quantile function is used instead.
        """
        u_lo, u_hi = self.u_range
        if u_hi - u_lo < 0.5:
            return self.from_normal(rng.standard_normal(n))
        if self._is_normal_family():
            z = rng.standard_normal(n)
            z_lo, z_hi = self.z_range
            if z_lo > -_Z_NEVER or z_hi < _Z_NEVER:
                _redraw_outside(z, z_lo if z_lo > -_Z_NEVER else -math.inf,
                                z_hi if z_hi < _Z_NEVER else math.inf, rng.standard_normal)
            return self._clip(self._from_z(z))
        if self.family == "pert":
            a, c, b = self.params
            alpha, beta = _pert_shape(a, c, b)
            x = a + (b - a) * rng.beta(alpha, beta, n)
            _redraw_outside(x, self.lower, self.upper,
                            lambda m: a + (b - a) * rng.beta(alpha, beta, m))
            return self._clip(x)
        return self.quantile(rng.random(n))


def _redraw_outside(x: FloatArray, lower: float, upper: float, draw: object) -> None:
    """Replace, in place, the entries of ``x`` outside ``[lower, upper]`` by fresh draws."""
    def outside(y: FloatArray) -> npt.NDArray[np.bool_]:
        if lower == -math.inf:
            return y > upper
        if upper == math.inf:
            return y < lower
        return (y < lower) | (y > upper)

    bad = np.flatnonzero(outside(x))
    for _ in range(200):  # the interval holds ≥ 90 % of the mass: a few rounds suffice
        if bad.size == 0:
            return
        x[bad] = draw(bad.size)  # type: ignore[operator]
        bad = bad[outside(x[bad])]
    raise RuntimeError("truncated sampling did not converge")  # pragma: no cover


def _triangular_cdf(x: float, a: float, c: float, b: float) -> float:
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a)) if c > a else 0.0
    return 1 - (b - x) ** 2 / ((b - a) * (b - c)) if b > c else 1.0


def _pert_shape(a: float, c: float, b: float) -> tuple[float, float]:
    """Beta shape parameters of a PERT distribution (λ = 4) with minimum, mode, maximum."""
    return 1 + 4 * (c - a) / (b - a), 1 + 4 * (b - c) / (b - a)


@lru_cache(maxsize=512)
def _fit_bounded(family: str, mode: float, low: float, high: float) -> tuple[float, float]:
    """Minimum and maximum of a triangular/PERT with ``mode`` whose 90 % interval is [low, high]."""
    from scipy.optimize import root  # deferred: scipy.optimize costs ~0.3 s to import

    left, right = min(low, mode), max(high, mode)
    width = high - low

    def params(p: FloatArray) -> tuple[float, float, float]:
        return left - width * math.exp(p[0]), mode, right + width * math.exp(p[1])

    def cdf(x: float, a: float, c: float, b: float) -> float:
        if family == "triangular":
            return _triangular_cdf(x, a, c, b)
        alpha, beta = _pert_shape(a, c, b)
        return float(special.betainc(alpha, beta, (x - a) / (b - a)))

    def gaps(p: FloatArray) -> list[float]:
        a, c, b = params(p)
        return [cdf(low, a, c, b) - 0.05, cdf(high, a, c, b) - 0.95]

    for start in ((-1.0, -1.0), (0.0, 0.0), (-3.0, -3.0), (1.0, 1.0)):
        solution = root(gaps, np.array(start), method="hybr")
        if solution.success and max(abs(g) for g in gaps(solution.x)) < 1e-9:
            a, _, b = params(solution.x)
            return a, b
    raise ValueError(f"no {family} distribution with mode {mode:g} has the 90 % interval "
                     f"[{low:g}, {high:g}]")


def fit(family: str, value: float, low: float, high: float) -> tuple[float, ...]:
    """Parameters of ``family`` whose 5th and 95th percentiles are ``low`` and ``high``.

    Examples
    --------
    >>> mu, sigma = fit("lognormal", 100, 90, 130)
    >>> round(math.exp(mu), 2), round(sigma, 4)
    (108.17, 0.1118)
    >>> fit("uniform", 5, 0, 9)
    (-0.5, 9.5)
    """
    if family == "lognormal":
        if low <= 0:
            raise ValueError(f"a lognormal needs low > 0 (got {low:g})")
        return (math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / (2 * Z90)
    if family == "normal":
        return (low + high) / 2, (high - low) / (2 * Z90)
    if family == "uniform":
        margin = (high - low) / 0.9 * 0.05
        return low - margin, high + margin
    if family in ("triangular", "pert"):
        a, b = _fit_bounded(family, value, low, high)
        return a, value, b
    raise ValueError(f"unknown distribution {family!r}; choose from {', '.join(FAMILIES)}")


def _free(family: str, params: tuple[float, ...], value: float, low: float,
          high: float) -> list[float]:
    """Two free numbers that determine ``params`` (the mode of triangular/PERT stays fixed)."""
    width = high - low
    if family in ("lognormal", "normal"):
        return [params[0], math.log(params[1])]
    if family == "uniform":
        return [params[0], math.log(params[1] - params[0])]
    a, _, b = params
    return [math.log((min(low, value) - a) / width), math.log((b - max(high, value)) / width)]


def _params(family: str, free: Sequence[float], value: float, low: float,
            high: float) -> tuple[float, ...]:
    width = high - low
    if family in ("lognormal", "normal"):
        return free[0], math.exp(free[1])
    if family == "uniform":
        return free[0], free[0] + math.exp(free[1])
    return (min(low, value) - width * math.exp(free[0]), value,
            max(high, value) + width * math.exp(free[1]))


@lru_cache(maxsize=512)
def fit_marginal(key: str, family: str, value: float, low: float, high: float) -> Marginal:
    """The :class:`Marginal` of input ``key`` whose 90 % interval is ``[low, high]``.

    The family is fitted to the interval, then truncated to the key's valid
    range. Where the truncation cuts off any probability, the parameters are
    solved again so that the *truncated* distribution's 5th and 95th
    percentiles are ``low`` and ``high``; if no member of the family has that
    (e.g. ``high`` at the bound itself), the untruncated fit is kept and the
    truncation moves the percentile by at most the mass it cuts off.

    >>> m = fit_marginal("training.availability", "lognormal", 0.87, 0.80, 0.95)
    >>> [round(float(q), 6) for q in m.quantile(np.array([0.05, 0.95]))]
    [0.8, 0.95]
    """
    lower, upper = _bounds(INPUTS[key])
    first = Marginal(key=key, family=family, params=fit(family, value, low, high),
                     lower=lower, upper=upper, value=value, low=low, high=high)
    u_lo, u_hi = first.u_range
    if u_lo < 1e-12 and u_hi > 1 - 1e-12:
        return first
    from scipy.optimize import root  # deferred: scipy.optimize costs ~0.3 s to import

    def refit(free: FloatArray) -> Marginal:
        params = _params(family, [float(f) for f in free], value, low, high)
        spread = params[1] if family in ("lognormal", "normal") else params[-1] - params[0]
        if not all(math.isfinite(x) for x in params) or spread <= 0:
            raise ArithmeticError("degenerate parameters")
        return Marginal(key=key, family=family, params=params, lower=lower, upper=upper,
                        value=value, low=low, high=high)

    far = np.array([1e6, 1e6])

    def gaps(free: FloatArray) -> FloatArray:
        try:
            with np.errstate(all="ignore"):
                q = refit(free).quantile(np.array([0.05, 0.95]))
        except (ArithmeticError, ValueError):  # a degenerate trial point of the search
            return far
        gap = np.asarray((q - np.array([low, high])) / (high - low), dtype=float)
        return gap if np.all(np.isfinite(gap)) else far

    start = np.array(_free(family, first.params, value, low, high))
    with np.errstate(all="ignore"):
        solution = root(gaps, start, method="hybr")
        ok = solution.success and bool(np.all(np.abs(gaps(solution.x)) < 1e-9))
    if ok:
        return refit(solution.x)
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
        A one-sided range, a degenerate range away from ``value``, or a family
        that cannot have the interval; the message names the key.
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


# ---------------------------------------------------------------- correlation


def normal_correlation(keys: Sequence[str], correlations: Iterable[Correlation]) -> FloatArray:
    """Correlation matrix of the normal scores that gives the declared rank correlations.

    Correlations naming a key outside ``keys`` (an input without spread) are
    ignored. Pearson r = 2 sin(π rho_s / 6) in a Gaussian copula has Spearman rho_s.

    >>> c = Correlation(("training.mfu", "training.availability"), 0.5, "assumption")
    >>> np.round(normal_correlation(["training.mfu", "training.availability"], [c]), 4)
    array([[1.    , 0.5176],
           [0.5176, 1.    ]])

    Raises
    ------
    CapcalcError
        When the correlations cannot hold together (the matrix is not positive semidefinite).
    """
    index = {k: i for i, k in enumerate(keys)}
    matrix = np.eye(len(keys))
    origins = []
    for c in correlations:
        a, b = c.keys
        if a in index and b in index and c.rank != 0:
            r = 2 * math.sin(math.pi * c.rank / 6)
            matrix[index[a], index[b]] = matrix[index[b], index[a]] = r
            origins.append(c.origin)
    if len(keys) and float(np.linalg.eigvalsh(matrix).min()) < -1e-10:
        raise CapcalcError(
            "these rank correlations cannot all hold at once (their matrix is not positive "
            "semidefinite); weaken the strongest ones",
            file=origins[-1] if origins else None, key="correlations",
        )
    return matrix


def _root(matrix: FloatArray) -> FloatArray:
    """A matrix ``A`` with ``A @ A.T == matrix`` (symmetric positive semidefinite)."""
    if matrix.size == 0:
        return matrix
    try:
        return np.asarray(np.linalg.cholesky(matrix), dtype=float)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(matrix)
        return np.asarray(v * np.sqrt(np.clip(w, 0, None)), dtype=float)


def _correlated(keys: Sequence[str], matrix: FloatArray) -> list[str]:
    """Keys with a non-zero correlation to another key."""
    off = matrix - np.eye(len(keys))
    return [k for i, k in enumerate(keys) if np.any(off[i] != 0)]


def stream(seed: int, key: str, tag: int = 0) -> np.random.Generator:
    """The random generator of input ``key`` on stream ``tag`` for ``seed``.

    Streams of different keys or tags are independent; the same arguments
    always give the same sequence.

    >>> float(stream(1, "training.mfu").random()) == float(stream(1, "training.mfu").random())
    True
    """
    if seed < 0:
        raise CapcalcError(f"the seed must be a whole number ≥ 0 (got {seed})", key="seed")
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence([seed, zlib.crc32(key.encode()), tag])))


def stream_tag(name: str) -> int:
    """Stream tag of a scenario's own draws (0 is the shared/baseline stream)."""
    return 1 + zlib.crc32(f"scenario:{name}".encode())


class JointSampler:
    """Draws a scenario's uncertain inputs jointly, chunk by chunk.

    With ``reference`` (the baseline's sampler), every input whose
    distribution and correlations are the same in both is *shared*: it takes
    the reference's samples, so the two scenarios differ only where their
    assumptions differ (common random numbers). The other inputs are drawn
    from this scenario's own streams; where they are correlated with shared
    inputs, they are drawn conditionally on them, so the declared
    correlations hold in the scenario as well. Call ``reference.draw(n)``
    first, then ``draw(n)`` with the same ``n``.

    Parameters
    ----------
    marginals : mapping
        Distribution of every uncertain input (see :func:`marginals`).
    correlations : iterable of Correlation
        Rank correlations of the scenario.
    seed : int
        Seed of every stream.
    tag : int
        Stream tag of this sampler's own draws.
    reference : JointSampler, optional
        The sampler to share with.
    """

    def __init__(self, marginals: Mapping[str, Marginal], correlations: Iterable[Correlation],
                 seed: int, tag: int = 0, reference: JointSampler | None = None) -> None:
        self.marginals = dict(marginals)
        keys = list(self.marginals)
        full = normal_correlation(keys, correlations)
        self.correlated = _correlated(keys, full)
        index = [keys.index(k) for k in self.correlated]
        self.matrix = full[np.ix_(index, index)]
        self.reference = reference
        self.shared = self._shared() if reference is not None else frozenset()
        self.generators = {k: stream(seed, k, tag) for k in keys if k not in self.shared}
        self.last: dict[str, FloatArray] = {}
        self.last_z: dict[str, FloatArray] = {}
        self._prepare()

    def _shared(self) -> frozenset[str]:
        ref = self.reference
        assert ref is not None
        mine = set(self.correlated)
        theirs = set(ref.correlated)
        shared = {k for k, m in self.marginals.items()
                  if ref.marginals.get(k) == m and ((k in mine) == (k in theirs))}

        def r(sampler: JointSampler, a: str, b: str) -> float:
            i, j = sampler.correlated.index(a), sampler.correlated.index(b)
            return float(sampler.matrix[i, j])

        changed = True
        while changed:
            changed = False
            corr = sorted(shared & mine)
            for i, a in enumerate(corr):
                for b in corr[i + 1:]:
                    if a in shared and b in shared and r(self, a, b) != r(ref, a, b):
                        shared -= {a, b}
                        changed = True
        return frozenset(shared)

    def _prepare(self) -> None:
        """Factor the correlation matrix: own keys given the shared ones."""
        keys = self.correlated
        self.given = [k for k in keys if k in self.shared]
        self.drawn = [k for k in keys if k not in self.shared]
        g = [keys.index(k) for k in self.given]
        d = [keys.index(k) for k in self.drawn]
        r_dd = self.matrix[np.ix_(d, d)]
        if g and d:
            r_dg = self.matrix[np.ix_(d, g)]
            self.coupling = r_dg @ np.linalg.pinv(self.matrix[np.ix_(g, g)])
            cov = r_dd - self.coupling @ r_dg.T
            self.factor = _root((cov + cov.T) / 2)
        else:
            self.coupling = np.zeros((len(d), len(g)))
            self.factor = _root(r_dd)

    def draw(self, n: int) -> dict[str, FloatArray]:
        """The next ``n`` samples of every uncertain input."""
        out: dict[str, FloatArray] = {}
        ref = self.reference
        for key in self.shared:
            assert ref is not None
            out[key] = ref.last[key]
        z: dict[str, FloatArray] = {}
        if self.drawn:
            eps = np.stack([self.generators[k].standard_normal(n) for k in self.drawn])
            scores = self.factor @ eps
            if self.given:
                assert ref is not None
                scores += self.coupling @ np.stack([ref.last_z[k] for k in self.given])
            for k, row in zip(self.drawn, scores, strict=True):
                z[k] = row
                out[k] = self.marginals[k].from_normal(row)
        for k in self.given:
            assert ref is not None
            z[k] = ref.last_z[k]
        for key, m in self.marginals.items():
            if key not in out:
                out[key] = m.sample(self.generators[key], n)
        self.last = out
        self.last_z = z
        return {k: out[k] for k in self.marginals}
