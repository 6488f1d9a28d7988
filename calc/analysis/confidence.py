"""Goal-seeking with confidence: the input value that reaches a target with a given probability.

"How much power does Tesla need to be 80 % sure of 10×?" is a quantile, not a
central value. capcalc draws one set of joint samples of every uncertain input
(common random numbers with the baseline: exactly the draws
:func:`calc.simulate` makes for the same seed) and keeps them for every trial
value of the key, so ``P(output ≥ target)`` is a seeded, monotone step function
of the key: each sample crosses the target at its own threshold. When the
output rises with the key, the answer for probability ``P`` is the smallest
value at which at least a share ``P`` of the samples reach the target (the
``P`` quantile of the thresholds); when it falls, the largest. A bisection on
the shares finds that step exactly, with one pass of the chain over the
samples per step. Running the scenario at the answer with the same samples
gives ``P`` (to within one sample).
"""


from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.limits import DEFAULT_SAMPLES
from calc.analysis.montecarlo import check_samples, paired_draws
from calc.analysis.run import baseline_measure, outcome_of, solve_input
from calc.analysis.solver import Solution, search_range
from calc.core.errors import CapcalcError, NoSolution, quoted
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.scenarios import Library, Scenario

__all__ = ["ProbableSolution", "check_probability", "check_resolution", "percent",
           "solve_probability"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ProbableSolution:
    """The value of ``key`` at which ``P(output ≥ target)`` reaches ``probability``.

    Attributes
    ----------
    value : float
        The answer, in ``unit``.
    probability : float
        The probability asked for (0 to 1).
    achieved : float
        ``P(output ≥ target)`` at ``value`` over the same samples.
    rising : bool
        Whether the output rises with the key (then more of the key is safer).
    central : Solution or None
        The answer at every input's central value (None when there is none).
    central_achieved : float
        ``output`` at ``value`` with every other input at its central value.
    p_range : tuple of float
        ``P(output ≥ target)`` at the two ends of the key's valid range.
    """

    scenario: str
    baseline: str
    key: str
    unit: str
    output: str
    target: float
    probability: float
    value: float
    achieved: float
    rising: bool
    samples: int
    seed: int
    central: Solution | None
    p_range: tuple[float, float]
    central_achieved: float = math.nan

    @property
    def achieved_se(self) -> float:
        """Monte Carlo standard error of ``achieved`` (binomial)."""
        p = self.achieved
        return math.sqrt(p * (1 - p) / self.samples)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the central solve's fields plus ``probability`` and what it achieves."""
        return {
            "solved_key": self.key, "value": self.value, "unit": self.unit,
            "target": {"output": self.output, "value": self.target},
            "achieved": self.central_achieved,
            "probability": self.probability, "achieved_probability": self.achieved,
            "achieved_probability_se": self.achieved_se,
            "central_value": None if self.central is None else self.central.value,
            "samples": self.samples, "seed": self.seed,
            "scenario": self.scenario, "baseline": self.baseline,
        }


def percent(probability: float) -> str:
    """A chance in per cent, with the digits it was given (up to four): never 0.5 % as 0 %.

    >>> percent(0.8), percent(0.005), percent(0.123456), percent(1e-300)
    ('80 %', '0.5 %', '12.35 %', '1e-298 %')
    """
    return f"{probability * 100:.4g} %"


def check_resolution(probability: float, samples: int, *, key: str = "probability") -> None:
    """Refuse a chance finer than ``samples`` joint samples can tell apart from 0 or 1.

    With N samples a share moves in steps of 1/N: a chance below 1/N or above
    1 - 1/N would be answered by the sample that happens to be the smallest or
    the largest, and read as 0 % or 100 %.

    >>> check_resolution(0.001, 1000)
    >>> check_resolution(0.9999999999999999, 1000)
    Traceback (most recent call last):
    ...
    calc.core.errors.CapcalcError: probability: 0.9999999999999999 is finer than 1,000 samples \
can tell (they move in steps of 1 in 1,000); give a probability from 0.001 to 0.999, or more samples
    """
    step = 1.0 / samples
    if step <= probability <= 1.0 - step:
        return
    raise CapcalcError(
        f"{probability!r} is finer than {samples:,} samples can tell (they move in steps of "
        f"1 in {samples:,}); give a probability from {step:g} to {1.0 - step:g}, or more "
        "samples", key=key)


def check_probability(probability: float, *, key: str = "probability") -> float:
    """``probability`` as a float strictly between 0 and 1, or one clear error.

    >>> check_probability(0.8)
    0.8
    """
    p = float(probability)
    if not 0.0 < p < 1.0:
        raise CapcalcError(f"must be a probability strictly between 0 and 1, such as 0.8 "
                           f"(got {probability!r})", key=key)
    return p


#: Bisection steps: far more than the ~70 that bring any double-precision range to adjacent
#: numbers.
_MAX_STEPS = 400


def _bisect(p_at: Callable[[float], float], probability: float, lower: float, upper: float,
            rising: bool) -> float:
    """The edge of ``{x : p_at(x) ≥ probability}`` between ``lower`` and ``upper``.

    ``p_at`` is a share of samples, a step function of ``x``: rising, the
    smallest ``x`` that reaches ``probability``; falling, the largest. The
    bracket halves (geometrically over ranges of more than 100×) until its ends
    are adjacent floating-point numbers, so the answer sits on the step itself.

    >>> _bisect(lambda x: float(x >= 2.5), 0.8, 0.0, 10.0, True)
    2.5
    """
    geometric = lower > 0 and upper / lower > 100
    bad, good = (lower, upper) if rising else (upper, lower)
    for _ in range(_MAX_STEPS):
        mid = math.sqrt(bad * good) if geometric else bad + (good - bad) / 2
        if mid in (bad, good):
            break
        if p_at(mid) >= probability:
            good = mid
        else:
            bad = mid
    return good


def solve_probability(library: Library, scenario: str | Scenario, key: str, output: str,
                      target: float, probability: float,
                      sets: Iterable[tuple[str, Any]] = (), *,
                      samples: int = DEFAULT_SAMPLES, seed: int = 0) -> ProbableSolution:
    """The value of ``key`` at which ``P(output ≥ target) = probability`` over joint samples.

    Parameters
    ----------
    library, scenario, sets
        As :func:`calc.simulate`: a scenario name with ``sets`` applied, or a resolved one.
    key : str
        A numeric input (vocabulary unit); its own range, if any, is replaced by the value tried.
    output : str
        The output that must reach ``target`` (its unit).
    probability : float
        The chance wanted, strictly between 0 and 1 (0.8 for "80 % sure").
    samples, seed : int
        The joint samples; the same seed gives the same answer.

    Raises
    ------
    NoSolution
        When no value in the key's range reaches ``probability``; the message
        names the best chance achievable and where.

    Examples
    --------
    >>> import calc
    >>> s = solve_probability(calc.load(), "tenfold", "site.facility_power_mw",
    ...                       "compute_multiple", 10.0, 0.8, samples=2000, seed=1)
    >>> s.value > s.central.value, abs(s.achieved - 0.8) < 0.01
    (True, True)
    """
    probability = check_probability(probability)
    if key not in INPUTS or INPUTS[key].kind == "choice":
        raise CapcalcError("is not a numeric input; solve varies a number", key=key)
    if output not in OUTPUTS:
        raise CapcalcError(f"unknown output {quoted(output)} (choose from {', '.join(OUTPUTS)})",
                           key="target")
    spec = INPUTS[key]
    check_resolution(probability, check_samples(samples))
    draws = paired_draws(library, scenario, sets, samples=samples, seed=seed)
    n = draws.samples
    lower, upper = search_range(spec)

    def gap(x: FloatArray | float) -> FloatArray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(draws.outcome(key, output, x) - target, (n,))

    def p_at(x: float) -> float:
        return float(np.mean(gap(x) >= 0))

    p_range = (p_at(lower), p_at(upper))
    if p_range[0] == p_range[1]:
        where = "every" if p_range[0] >= probability else "no"
        raise NoSolution(
            f"P({output} ≥ {target:g}) is {p_range[0]:.1%} at both ends of {key}'s range "
            f"[{lower:.4g}, {upper:.4g}]: {where} value in it gives {percent(probability)}",
            key=key, best_value=upper, best_achieved=p_range[1])
    rising = p_range[1] > p_range[0]
    best, end = (p_range[1], upper) if rising else (p_range[0], lower)
    if best < probability:
        raise NoSolution(
            f"no value of {key} in [{lower:.4g}, {upper:.4g}] makes P({output} ≥ {target:g}) "
            f"reach {percent(probability)}; the best is {percent(best)} at {key}={end:.4g}",
            key=key, best_value=end, best_achieved=best)
    value = _bisect(p_at, probability, lower, upper, rising)
    if spec.kind == "count":  # whole units, on the safe side
        value = float(math.ceil(value) if rising else max(math.floor(value), 1))
    unit = baseline_measure(library, draws.scenario)
    try:
        central: Solution | None = solve_input(draws.scenario, key, output, target, unit)
    except CapcalcError:
        central = None
    at_central = outcome_of(draws.scenario, key, output, unit)(np.array([value]))
    return ProbableSolution(
        scenario=draws.scenario.name, baseline=draws.baseline.name, key=key, unit=spec.unit,
        output=output, target=float(target), probability=probability, value=value,
        achieved=p_at(value), rising=rising, samples=n, seed=seed, central=central,
        p_range=p_range, central_achieved=float(at_central[0]))
