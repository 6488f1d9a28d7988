"""Monte Carlo through the capacity chain: sampled inputs in, sampled outputs and summaries out.

One joint sample of every uncertain input flows through
:func:`calc.core.chain.evaluate` (vectorised), so each output's distribution comes
from the same draws; percentiles are never added together. The scenario and
its baseline (``target.baseline``) share the samples of every input the
scenario does not change (common random numbers): the compute multiple's
spread reflects only what differs between them, and the baseline's multiple
is exactly 1 in every sample.

Summaries give mean, P5, P50 and P95 with their Monte Carlo standard errors:
the mean's from the sample standard deviation, the percentiles' from order
statistics (the ranks ``np ± sqrt(np(1-p))`` bracket one standard error of
the sample quantile, a distribution-free binomial argument).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from calc.analysis.distributions import marginals
from calc.analysis.joint_sampling import JointSampler, stream_tag
from calc.analysis.limits import DEFAULT_SAMPLES, MAX_SAMPLES, MIN_SAMPLES
from calc.analysis.provenance import provenance
from calc.analysis.run import CARD_OUTPUTS, Result, run, solve_meet_target
from calc.analysis.tabular import Tabular
from calc.core.chain import evaluate, measure_of, target_measure
from calc.core.errors import CapcalcError, quoted
from calc.core.vocabulary import (
    INPUTS,
    OUTPUTS,
    SIZING_KEYS,
    other_sizing,
)
from calc.data.scenarios import Library, Scenario

if TYPE_CHECKING:
    from calc.data.frames import Tidy

__all__ = [
    "CHUNK",
    "DEFAULT_SAMPLES",
    "MAX_SAMPLES",
    "MIN_SAMPLES",
    "PERCENTILES",
    "PairedDraws",
    "Simulation",
    "SolveSimulation",
    "Summary",
    "exceedance",
    "p_exceeds",
    "paired_draws",
    "paired_samplers",
    "resolve",
    "shown_digits",
    "simulate",
    "solve_samples",
    "summarize",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[float], None]

#: Samples evaluated at a time: bounds the temporaries and paces progress reports.
CHUNK = 1 << 20

#: Order of the percentiles reported (fractions).
PERCENTILES = {"p5": 0.05, "p50": 0.50, "p95": 0.95}


def check_samples(samples: int, *, key: str = "samples") -> int:
    """``samples`` if it is a whole number in [MIN_SAMPLES, MAX_SAMPLES], else a CapcalcError."""
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer):
        raise CapcalcError(f"must be a whole number of samples (got {samples!r})", key=key)
    if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise CapcalcError(f"must be between {MIN_SAMPLES:,} and {MAX_SAMPLES:,} samples "
                           f"(got {samples:,})", key=key)
    return int(samples)


# ---------------------------------------------------------------- summaries


@dataclass(frozen=True)
class Summary:
    """Mean and percentiles of one output's samples, each with its Monte Carlo standard error."""

    mean: float
    p5: float
    p50: float
    p95: float
    mean_se: float
    p5_se: float
    p50_se: float
    p95_se: float
    samples: int

    def to_dict(self) -> dict[str, float]:
        """``{"mean", "p5", "p50", "p95"}`` and the same names with ``_se``."""
        return {name: getattr(self, name) for name in
                ("mean", "p5", "p50", "p95", "mean_se", "p5_se", "p50_se", "p95_se")}


def summarize(samples: FloatArray) -> Summary:
    """Mean, P5, P50, P95 of ``samples`` and their standard errors.

    Percentiles interpolate linearly between order statistics, as
    ``numpy.percentile`` does. The standard error of the ``p`` quantile is half
    the distance between the order statistics at ranks ``np ± sqrt(np(1-p))``.

    Examples
    --------
    >>> s = summarize(np.arange(1001.0))
    >>> s.p5, s.p50, s.p95
    (50.0, 500.0, 950.0)
    >>> round(s.p50_se, 1)
    16.0
    >>> summarize(np.array([1.0, np.inf, np.inf, np.inf])).p50
    inf
    """
    x = np.asarray(samples, dtype=float).ravel()
    n = x.size
    if n == 0:
        raise ValueError("no samples")
    mean = float(x.mean())
    if n == 1:
        v = float(x[0])
        return Summary(v, v, v, v, 0.0, 0.0, 0.0, 0.0, 1)
    ranks: dict[str, tuple[int, float, int, int]] = {}
    kth: set[int] = set()
    for name, p in PERCENTILES.items():
        h = (n - 1) * p
        lo = math.floor(h)
        spread = math.sqrt(n * p * (1 - p))
        k_lo = max(0, math.floor(h - spread))
        k_hi = min(n - 1, math.ceil(h + spread))
        ranks[name] = (lo, h - lo, k_lo, k_hi)
        kth.update({lo, min(lo + 1, n - 1), k_lo, k_hi})
    part = np.partition(x, sorted(kth))
    values: dict[str, float] = {}
    for name, (lo, frac, k_lo, k_hi) in ranks.items():
        lower, upper = part[lo], part[min(lo + 1, n - 1)]
        # equal neighbours (two infinite powers for an out-of-reach target) need no interpolation
        values[name] = float(lower + frac * (upper - lower)) if frac and upper != lower \
            else float(lower)
        values[f"{name}_se"] = 0.0 if part[k_hi] == part[k_lo] \
            else float(part[k_hi] - part[k_lo]) / 2
    with np.errstate(invalid="ignore"):  # inf − inf in the spread of out-of-reach samples
        spread = float(x.std(ddof=1))
    return Summary(mean=mean, mean_se=spread / math.sqrt(n), samples=n, **values)


def shown_digits(value: float, se: float, most: int = 3) -> int:
    """Significant digits of ``value`` that its standard error ``se`` supports (0 to ``most``).

    A digit is supported when ``se`` is at most half a unit in that digit.

    >>> shown_digits(123.4, 0.2), shown_digits(123.4, 3.0), shown_digits(123.4, 400.0)
    (3, 2, 0)
    """
    if se <= 0 or not math.isfinite(value) or value == 0:
        return most
    top = math.floor(math.log10(abs(value)))
    for digits in range(most, 0, -1):
        if se <= 0.5 * 10 ** (top - digits + 1):
            return digits
    return 0


def p_exceeds(samples: FloatArray, threshold: float | FloatArray) -> float:
    """Share of samples at or above ``threshold`` (a number or per-sample array).

    >>> p_exceeds(np.array([1.0, 5.0, 10.0, 20.0]), 10)
    0.5
    """
    return float(np.mean(np.asarray(samples) >= threshold))


def exceedance(samples: FloatArray, points: int = 201) -> tuple[FloatArray, FloatArray]:
    """The exceedance curve: values ``x`` and ``P(X ≥ x)`` at ``points`` quantiles.

    >>> x, p = exceedance(np.arange(101.0), points=3)
    >>> x.tolist(), p.tolist()
    ([0.0, 50.0, 100.0], [1.0, 0.5, 0.0])
    """
    q = np.linspace(0.0, 1.0, points)
    return np.quantile(np.asarray(samples, dtype=float), q), 1.0 - q


# ---------------------------------------------------------------- simulation


@dataclass(frozen=True)
class Simulation(Tabular):
    """Samples of one scenario's inputs and outputs, drawn jointly with its baseline's.

    Attributes
    ----------
    scenario, baseline : Scenario
        The scenario (``meet_target`` solved at central values) and its baseline.
    result : Result
        The deterministic central run (``calc.run``), from each input's ``value``.
    samples, seed : int
        Sample count and the seed that reproduces them.
    inputs, baseline_inputs : mapping of key → array
        Samples of every input with a spread (the others are fixed at ``value``).
    outputs : mapping of output → array
        Samples of every output, each of length ``samples``.
    shared : frozenset of str
        Inputs whose samples the scenario shares with its baseline.
    """

    scenario: Scenario
    baseline: Scenario
    result: Result
    samples: int
    seed: int
    inputs: Mapping[str, FloatArray]
    baseline_inputs: Mapping[str, FloatArray]
    outputs: Mapping[str, FloatArray]
    shared: frozenset[str] = frozenset()
    _summaries: dict[str, Summary] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def __getitem__(self, output: str) -> FloatArray:
        return self.outputs[output]

    @property
    def target(self) -> FloatArray | float:
        """``target.compute_multiplier``: samples when it has a range, else its value."""
        if "target.compute_multiplier" in self.inputs:
            return self.inputs["target.compute_multiplier"]
        return self.scenario.inputs.target.compute_multiplier

    @property
    def target_central(self) -> float:
        """The target multiple's central value."""
        return self.scenario.inputs.target.compute_multiplier

    def p_target_reached(self) -> float:
        """P(compute multiple ≥ target multiple) over the samples."""
        return p_exceeds(self.outputs["compute_multiple"], self.target)

    def p_target_se(self) -> float:
        """Monte Carlo standard error of :meth:`p_target_reached` (binomial)."""
        p = self.p_target_reached()
        return math.sqrt(p * (1 - p) / self.samples)

    def summary(self, output: str) -> Summary:
        """Mean, percentiles and standard errors of ``output`` (computed once)."""
        if output not in self._summaries:
            self._summaries[output] = summarize(self.outputs[output])
        return self._summaries[output]

    def summaries(self, outputs: Iterable[str] | None = None) -> dict[str, Summary]:
        """:meth:`summary` of every output (or of ``outputs``)."""
        return {o: self.summary(o) for o in (outputs or self.outputs)}

    def varies(self, output: str) -> bool:
        """Whether ``output`` spreads across the samples: its P95 above its P5 (by more than
        rounding), or unequal to it where P5 is not positive."""
        s = self.summary(output)
        return bool(s.p95 > s.p5 * (1 + 1e-9)) if s.p5 > 0 else bool(s.p95 != s.p5)

    def distribution(self) -> dict[str, dict[str, float]]:
        """The JSON form: ``{output: {"mean", "p5", "p50", "p95", ...and their _se}}``."""
        return {o: s.to_dict() for o, s in self.summaries().items()}

    def tidy(self) -> Tidy:
        """One row per sample: every sampled input, then every output, with units."""
        from calc.data.frames import Tidy  # deferred: the frame forms only when asked for

        variables = {k: (("sample",), np.asarray(v, dtype=float))
                     for k, v in {**self.inputs, **self.outputs}.items()}
        units = {**{k: INPUTS[k].unit for k in self.inputs if k in INPUTS},
                 **{k: OUTPUTS[k].unit for k in self.outputs if k in OUTPUTS}}
        return Tidy("simulation", variables,
                    {"sample": (("sample",), np.arange(self.samples))}, units,
                    provenance(self.scenario, self.baseline, seed=self.seed,
                               samples=self.samples, p_target_reached=self.p_target_reached()))

    def cards(self) -> tuple[str, list[tuple[str, str]]]:
        """P(target) and each headline output's median with its 90 % range."""
        from calc.data.notebook import quantity  # deferred: html only for a notebook

        cards = [(f"P(≥ {self.target_central:g}× {self.scenario.baseline_name})",
                  f"{self.p_target_reached():.1%} ± {self.p_target_se():.1%}")]
        for k in CARD_OUTPUTS:
            summary, unit = self.summary(k), OUTPUTS[k].unit
            cards.append((f"{OUTPUTS[k].title} (median, 90 %)",
                          f"{quantity(summary.p50, unit)} ({quantity(summary.p5, unit)} – "
                          f"{quantity(summary.p95, unit)})"))
        return self.scenario.title, cards


def resolve(library: Library, scenario: str | Scenario,
            sets: Iterable[tuple[str, Any]] = ()) -> tuple[Result, Scenario]:
    """The scenario's central run (``meet_target`` solved) and its resolved baseline."""
    if isinstance(scenario, str):
        scenario = library.scenario(scenario, list(sets))
    result = run(library, scenario)
    return result, solve_meet_target(library, library.scenario(result.scenario.baseline_name))


def _joined(parts: Sequence[Mapping[str, FloatArray]]) -> dict[str, FloatArray]:
    """Chunks of samples joined per key (the one chunk itself when there is one)."""
    if len(parts) == 1:
        return dict(parts[0])
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _chunked_draws(reference: JointSampler, own: JointSampler, samples: int
                   ) -> Iterator[tuple[int, dict[str, FloatArray], dict[str, FloatArray]]]:
    """The baseline's and the scenario's draws, :data:`CHUNK` samples at a time (with
    their number).

    Drawn in these chunks by every caller, so that the same seed gives the same
    samples whatever is done with them (a rejection step redraws within its chunk).
    """
    done = 0
    while done < samples:
        n = min(CHUNK, samples - done)
        yield n, reference.draw(n), own.draw(n)
        done += n


def paired_samplers(scenario: Scenario, baseline: Scenario,
                     seed: int) -> tuple[JointSampler, JointSampler]:
    try:
        reference = JointSampler(marginals(baseline.assumptions), baseline.correlations, seed)
    except CapcalcError as exc:
        raise exc.at(file=f"{baseline.origin}: scenario {baseline.name!r} (the baseline)") \
            from None
    try:
        own = JointSampler(marginals(scenario.assumptions), scenario.correlations, seed,
                           tag=stream_tag(scenario.name), reference=reference)
    except CapcalcError as exc:
        raise exc.at(file=f"{scenario.origin}: scenario {scenario.name!r}") from None
    return reference, own


def simulate(library: Library, scenario: str | Scenario,
             sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SAMPLES,
             seed: int = 0, progress: Progress | None = None) -> Simulation:
    """Monte Carlo of one scenario against its baseline.

    Parameters
    ----------
    library : Library
        Baseline and scenario definitions (``calc.load()``).
    scenario : str or Scenario
        A scenario name (``sets`` applied, as ``--set`` does) or a resolved scenario.
    sets : iterable of (key, value)
        Overrides applied to a named scenario.
    samples : int
        Number of joint samples (100 to 2,000,000).
    seed : int
        Seed of every random stream; the same seed gives the same samples.
    progress : callable, optional
        Called with the fraction done (0 to 1) after each chunk.

    Returns
    -------
    Simulation
        Input and output samples, summaries and P(target).

    Examples
    --------
    >>> import calc
    >>> library = calc.load()
    >>> sim = calc.simulate(library, library.baseline_name(), samples=1000, seed=1)
    >>> bool((sim["compute_multiple"] == 1.0).all())  # the baseline against itself
    True
    """
    samples = check_samples(samples)
    result, baseline = resolve(library, scenario, sets)
    scenario = result.scenario
    reference, own = paired_samplers(scenario, baseline, seed)
    fixed_s = {k: v for k, v in scenario.values.items() if k not in own.marginals}
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    parts_s: list[dict[str, FloatArray]] = []
    parts_b: list[dict[str, FloatArray]] = []
    parts_out: list[dict[str, FloatArray]] = []
    measure = target_measure(scenario.values)
    done = 0
    for n, drawn_b, drawn_s in _chunked_draws(reference, own, samples):
        base_eff = measure_of(evaluate({**fixed_b, **drawn_b}, 1.0), measure)
        out = evaluate({**fixed_s, **drawn_s}, base_eff)
        parts_b.append(drawn_b)
        parts_s.append(drawn_s)
        parts_out.append({k: np.broadcast_to(np.asarray(v, dtype=float), (n,))
                          for k, v in out.items()})
        done += n
        if progress is not None:
            progress(done / samples)
    inputs, base_inputs, outputs = (_joined(parts) for parts in (parts_s, parts_b, parts_out))
    logger.debug("simulated %s: %d samples, seed %d, shared %s", scenario.name, samples, seed,
                 sorted(own.shared))
    return Simulation(scenario=scenario, baseline=baseline, result=result, samples=samples,
                      seed=seed, inputs=inputs, baseline_inputs=base_inputs, outputs=outputs,
                      shared=own.shared)


# ---------------------------------------------------------------- solving under uncertainty


@dataclass(frozen=True)
class SolveSimulation:
    """The value of ``key`` that makes ``output`` reach ``target``, in each joint sample.

    ``values`` is NaN in samples where no value in the key's valid range
    reaches the target.
    """

    scenario: Scenario
    baseline: Scenario
    key: str
    output: str
    target: float
    samples: int
    seed: int
    values: FloatArray

    @property
    def p_solvable(self) -> float:
        """Share of samples in which some value of ``key`` reaches the target."""
        return float(np.mean(np.isfinite(self.values)))

    def summary(self) -> Summary | None:
        """Mean and percentiles of the solved values (None when no sample is solvable)."""
        found = self.values[np.isfinite(self.values)]
        return summarize(found) if found.size else None


def solve_samples(library: Library, scenario: str | Scenario, key: str, output: str,
                  target: float, sets: Iterable[tuple[str, Any]] = (), *,
                  samples: int = DEFAULT_SAMPLES, seed: int = 0) -> SolveSimulation:
    """Solve ``key`` for ``output == target`` in every joint sample of the other inputs.

    The search is :func:`calc.analysis.solver.solve_vectorised`, the one
    :func:`calc.analysis.solver.solve_scalar` uses: each sample gets the lowest
    value in the key's valid range where ``output`` reaches ``target``.
    """
    if key not in INPUTS or INPUTS[key].kind == "choice":
        raise CapcalcError("is not a numeric input; solve varies a number", key=key)
    if output not in OUTPUTS:
        raise CapcalcError(f"unknown output {quoted(output)}", key="target")
    # deferred: the solver only where a value is solved for (a target to meet, capcalc solve)
    from calc.analysis.solver import solve_vectorised

    draws = paired_draws(library, scenario, sets, samples=samples, seed=seed)

    def gap(x: FloatArray, part: slice) -> FloatArray:
        return draws.outcome(key, output, x, part) - target

    solved = solve_vectorised(key, gap, draws.samples)
    return SolveSimulation(scenario=draws.scenario, baseline=draws.baseline, key=key,
                           output=output, target=float(target), samples=draws.samples,
                           seed=seed, values=solved)


@dataclass(frozen=True)
class PairedDraws:
    """One set of joint samples of a scenario's inputs and its baseline's, held fixed.

    The draws :func:`simulate` makes for the same seed, kept so that a question
    can be asked of them at many trial values of one input (a goal-seek over
    samples, an input pinned at its low or high) with the same samples each time.
    """

    result: Result
    baseline: Scenario
    samples: int
    seed: int
    fixed: Mapping[str, Any]
    drawn: Mapping[str, FloatArray]
    baseline_effective: FloatArray
    shared: frozenset[str]
    baseline_fixed: Mapping[str, Any]
    baseline_drawn: Mapping[str, FloatArray]

    @property
    def scenario(self) -> Scenario:
        """The scenario, ``meet_target`` solved at central values."""
        return self.result.scenario

    def inputs(self, part: slice = slice(None)) -> dict[str, Any]:
        """The scenario's inputs for the samples in ``part`` (fixed values and draws)."""
        return {**self.fixed, **{k: v[part] for k, v in self.drawn.items()}}

    def outputs(self, pinned: Mapping[str, float] | None = None,
                baseline_pinned: Mapping[str, float] | None = None) -> dict[str, FloatArray]:
        """Every output over the samples, with some inputs pinned to one value.

        ``pinned`` replaces the scenario's samples (or value) of each key,
        ``baseline_pinned`` the baseline's; the other inputs keep their draws.
        """
        effective = self.baseline_effective
        if baseline_pinned:
            base = {**self.baseline_fixed, **self.baseline_drawn, **baseline_pinned}
            measure = target_measure(self.scenario.values)
            effective = np.asarray(measure_of(evaluate(base, 1.0), measure), dtype=float)
        out = evaluate({**self.inputs(), **(pinned or {})}, effective)
        return {k: np.broadcast_to(np.asarray(v, dtype=float), (self.samples,))
                for k, v in out.items()}

    def outcome(self, key: str, output: str, x: FloatArray | float,
                part: slice = slice(None)) -> FloatArray:
        """``output`` in the samples of ``part`` with input ``key`` set to ``x`` (broadcast)."""
        inputs = self.inputs(part)
        inputs[key] = x
        if key in SIZING_KEYS:
            inputs[other_sizing(key)] = None
        return np.asarray(evaluate(inputs, self.baseline_effective[part])[output], dtype=float)


def paired_draws(library: Library, scenario: str | Scenario,
                 sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SAMPLES,
                 seed: int = 0) -> PairedDraws:
    """Draw ``samples`` joint samples of ``scenario`` and its baseline (as :func:`simulate`)."""
    samples = check_samples(samples)
    result, baseline = resolve(library, scenario, sets)
    reference, own = paired_samplers(result.scenario, baseline, seed)
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    fixed_s = {k: v for k, v in result.scenario.values.items() if k not in own.marginals}
    chunks = list(_chunked_draws(reference, own, samples))
    drawn_b = _joined([b for _, b, _ in chunks])
    drawn_s = _joined([s for _, _, s in chunks])
    effective = np.broadcast_to(np.asarray(
        measure_of(evaluate({**fixed_b, **drawn_b}, 1.0), target_measure(result.scenario.values)),
        dtype=float), (samples,))
    return PairedDraws(result=result, baseline=baseline, samples=samples, seed=seed,
                       fixed=fixed_s, drawn=drawn_s, baseline_effective=effective,
                       shared=own.shared, baseline_fixed=fixed_b, baseline_drawn=drawn_b)
