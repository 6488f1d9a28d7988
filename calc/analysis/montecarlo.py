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

import contextlib
import logging
import math
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.distributions import JointSampler, Marginal, fit, marginals, stream_tag
from calc.analysis.limits import DEFAULT_SAMPLES, MAX_SAMPLES, MAX_TIMELINE_SAMPLES, MIN_SAMPLES
from calc.analysis.run import Result, run, solve_meet_target
from calc.analysis.solver import solve_vectorised
from calc.analysis.timeline import scenario_phases
from calc.core.chain import evaluate, measure_of, target_measure
from calc.core.errors import CapcalcError
from calc.core.fleet import simulate as simulate_fleet
from calc.core.months import DEFAULT_UNTIL, month_index, month_label
from calc.core.phases import Phase, phase_key
from calc.core.vocabulary import (
    INPUTS,
    OUTPUTS,
    PHASE_DOMAINS,
    SIZING_KEYS,
    other_sizing,
)
from calc.data.phases import check_phases
from calc.data.scenarios import Library, Scenario

if sys.platform != "win32":  # resource limits exist on Unix only
    import resource

__all__ = [
    "CHUNK",
    "DEFAULT_SAMPLES",
    "MAX_SAMPLES",
    "MIN_SAMPLES",
    "PairedDraws",
    "Simulation",
    "SolveSimulation",
    "Summary",
    "TimelineSimulation",
    "available_memory",
    "delay_marginal",
    "exceedance",
    "p_exceeds",
    "paired_draws",
    "phase_delays",
    "resolve",
    "shown_digits",
    "simulate",
    "simulate_timeline",
    "solve_samples",
    "summarize",
    "timeline_memory_budget",
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
class Simulation:
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

    def distribution(self) -> dict[str, dict[str, float]]:
        """The JSON form: ``{output: {"mean", "p5", "p50", "p95", ...and their _se}}``."""
        return {o: s.to_dict() for o, s in self.summaries().items()}


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


def _paired_samplers(scenario: Scenario, baseline: Scenario,
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
    reference, own = _paired_samplers(scenario, baseline, seed)
    fixed_s = {k: v for k, v in scenario.values.items() if k not in own.marginals}
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    parts_s: list[dict[str, FloatArray]] = []
    parts_b: list[dict[str, FloatArray]] = []
    parts_out: list[dict[str, FloatArray]] = []
    measure = target_measure(scenario.values)
    done = 0
    while done < samples:
        n = min(CHUNK, samples - done)
        drawn_b = reference.draw(n)
        drawn_s = own.draw(n)
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


# ---------------------------------------------------------------- timeline

#: Stream tag of the phases' slips (apart from every input's stream).
_DELAY_STREAM = 0x51_1B

#: Series a sampled timeline computes unless asked for others.
TIMELINE_SERIES = ("compute_multiple", "effective_flop_per_s", "facility_power_mw")


@dataclass(frozen=True)
class TimelineSimulation:
    """Samples of a build-out: each series as ``(samples, months)``, and the reach month.

    ``reach`` holds, per sample, the position in ``months`` where the compute
    multiple first reaches the target (-1 where it never does by ``until``).
    """

    scenario: Scenario
    baseline: Scenario
    samples: int
    seed: int
    months: tuple[str, ...]
    series: Mapping[str, FloatArray]
    reach: npt.NDArray[np.int64]
    until: str
    target: float

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def fan(self, output: str = "compute_multiple") -> dict[str, FloatArray]:
        """P5, P50 and P95 of ``output`` in each month."""
        p5, p50, p95 = np.percentile(self.series[output], [5, 50, 95], axis=0)
        return {"p5": p5, "p50": p50, "p95": p95}

    def p_reached_by(self, month: str) -> float:
        """P(the target multiple is reached in or before ``month``, ``YYYY-MM``)."""
        position = month_index(month, key="by") - month_index(self.months[0])
        if position < 0:
            return 0.0
        return float(np.mean((self.reach >= 0) & (self.reach <= position)))

    def p_reached_se(self, month: str) -> float:
        """Monte Carlo standard error of :meth:`p_reached_by` (binomial)."""
        p = self.p_reached_by(month)
        return math.sqrt(p * (1 - p) / self.samples)

    def reach_distribution(self) -> dict[str, float]:
        """P(reached by the end of each month), month by month (the reach date's CDF)."""
        counts = np.bincount(self.reach[self.reach >= 0], minlength=len(self.months))
        cumulative = np.cumsum(counts[:len(self.months)]) / self.samples
        return {m: float(p) for m, p in zip(self.months, cumulative, strict=True)}

    def reach_month(self, probability: float) -> str | None:
        """The first month by which a share ``probability`` of the samples reach the target."""
        cdf = np.array(list(self.reach_distribution().values()))
        hit = np.flatnonzero(cdf >= probability)
        return self.months[int(hit[0])] if hit.size else None

    def reach_percentiles(self) -> dict[str, str | None]:
        """The month by which 5 %, 50 % and 95 % of the samples have reached the target."""
        return {name: self.reach_month(p) for name, p in PERCENTILES.items()}


# ---------------------------------------------------------------- the memory a timeline needs

#: Share of the memory free when a sampled timeline starts that it may take. The rest is
#: left to the system, the other programs and this process's own working set.
MEMORY_FRACTION = 0.5
#: Bytes of one float64 value.
_FLOAT = 8
#: Arrays of (samples, months + 1) the fleet core holds at once while it runs a chunk,
#: beyond the series asked for (running totals, their sums, derived series): measured
#: at about 2.3 with tracemalloc, rounded up.
_WORK_ARRAYS = 6
#: Arrays of (samples,) each install (a phase, or one of its refreshes) holds.
_INSTALL_ARRAYS = 12


def _status_bytes(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmSize``, ``VmData``) in bytes, if readable."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def available_memory() -> int | None:
    """Bytes this process may still take, or None where the system does not say.

    The smaller of the memory the system has available (``MemAvailable`` of
    ``/proc/meminfo``, else free pages from ``os.sysconf``) and the headroom
    under this process's own limits (``RLIMIT_AS`` and ``RLIMIT_DATA``).
    """
    found: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    if not found:
        with contextlib.suppress(ValueError, OSError, AttributeError):
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    if sys.platform == "win32":  # no resource limits to read
        return min(found) if found else None
    for limit_name, used_field in (("RLIMIT_AS", "VmSize"), ("RLIMIT_DATA", "VmData")):
        limit = getattr(resource, limit_name, None)
        if limit is None:
            continue
        soft = resource.getrlimit(limit)[0]
        used = _status_bytes(used_field)
        if soft != resource.RLIM_INFINITY and used is not None:
            found.append(max(0, soft - used))
    return min(found) if found else None


def timeline_memory_budget() -> int | None:
    """Bytes a sampled timeline may take: :data:`MEMORY_FRACTION` of :func:`available_memory`."""
    free = available_memory()
    return None if free is None else int(free * MEMORY_FRACTION)


def _size(n: float) -> str:
    """Bytes for people: ``'8.7 MB'``, ``'15 GB'``.

    >>> _size(8.7e6), _size(1.5e10)
    ('8.7 MB', '15 GB')
    """
    return f"{n / 1e6:.2g} MB" if n < 1e9 else f"{n / 1e9:.2g} GB"


def _plan_chunks(samples: int, months: int, series: int, installs: int, drawn: int,
                 budget: int | None) -> int:
    """Samples per chunk of a sampled timeline; a CapcalcError when the run does not fit.

    What is kept for every sample (each series over ``months``, one more for a
    percentile's working copy, the ``drawn`` input samples) must fit in ``budget``
    together with one chunk's working arrays; the chunk takes a quarter of the
    budget at most.
    """
    kept = _FLOAT * (months * (series + 1) + drawn + 2)
    work = _FLOAT * ((months + 1) * (series + _WORK_ARRAYS) + installs * _INSTALL_ARRAYS)
    if budget is None:
        return max(1, min(samples, CHUNK // max(1, months)))
    chunk = max(1, min(samples, budget // 4 // work))
    need = samples * kept + chunk * work
    if need > budget:
        largest = max(0, (budget - chunk * work) // kept)
        fits = (f"at most {largest:,} samples fit" if largest >= MIN_SAMPLES else
                f"not even {MIN_SAMPLES:,} samples fit")
        raise CapcalcError(
            f"{samples:,} samples over {months:,} months need about {_size(need)} of "
            f"memory, more than the {_size(budget)} a sampled timeline may take (half of "
            f"the memory free); {fits}, or choose a nearer horizon", key="samples")
    return chunk


# ---------------------------------------------------------------- timeline


def simulate_timeline(library: Library, scenario: str | Scenario,
                      sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SAMPLES,
                      seed: int = 0, until: str | None = None, phases: Sequence[Any] | None = None,
                      outputs: Sequence[str] = TIMELINE_SERIES,
                      memory_budget: int | None = None) -> TimelineSimulation:
    """Monte Carlo of a scenario's build-out, with the same joint samples as :func:`simulate`.

    Every input with a range (MFU, lifetimes, the perf-per-watt trend, ...)
    is sampled as in :func:`simulate`, the baseline's effective FLOP/s with
    common random numbers; the timeline core (:func:`calc.core.fleet.simulate`)
    runs the samples in chunks, so its working arrays stay small.

    Before any chunk runs, the memory the whole run needs (every series of
    every sample, and one chunk's working arrays) is checked against
    ``memory_budget`` bytes, by default :func:`timeline_memory_budget` (half
    the memory free): a run that would not fit is refused at once, naming the
    largest sample count that does (key ``samples``).
    """
    samples = check_samples(samples)
    if samples > MAX_TIMELINE_SAMPLES:
        raise CapcalcError(f"a sampled timeline takes at most {MAX_TIMELINE_SAMPLES:,} samples "
                           f"(got {samples:,})", key="samples")
    result, baseline = resolve(library, scenario, sets)
    scenario = result.scenario
    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    reference, own = _paired_samplers(scenario, baseline, seed)
    drawn_b = reference.draw(samples)
    drawn_s = {**own.draw(samples), **phase_delays(chosen, samples, seed)}
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    fixed_s = {k: v for k, v in scenario.values.items() if k not in own.marginals}
    measure = target_measure(scenario.values)
    base_eff = np.broadcast_to(np.asarray(
        measure_of(evaluate({**fixed_b, **drawn_b}, 1.0), measure), dtype=float), (samples,))
    horizon = until or DEFAULT_UNTIL
    wanted = list(dict.fromkeys(["compute_multiple", *outputs]))
    catalog = library.baseline.catalog

    def run_rows(rows: slice | npt.NDArray[np.int64], first: str | None = None) -> Any:
        values = {**fixed_s, **{k: v[rows] for k, v in drawn_s.items()}}
        return simulate_fleet(values, chosen, catalog, base_eff[rows], until=horizon,
                              first=first, outputs=wanted, by_generation=False)

    # one sample first, the one that retires its hardware soonest (the most refreshes):
    # the months and installs of every chunk, and a quick answer to a horizon out of range
    lifetime = drawn_s.get("cost.hardware_lifetime_years")
    probe_row = int(np.argmin(lifetime)) if lifetime is not None else 0
    # every sample's months start where the earliest-beginning sample's do
    first = month_label(min(
        p.start_month + int(np.min(drawn_s.get(phase_key(i, "delay_months"), p.delay_months)))
        for i, p in enumerate(chosen)))
    probe = run_rows(np.array([probe_row]), first)
    months = len(probe.months)
    budget = timeline_memory_budget() if memory_budget is None else memory_budget
    chunk = _plan_chunks(samples, months, len(wanted), len(probe.installs),
                         len(drawn_s) + len(drawn_b), budget)
    series = {name: np.empty((samples, months)) for name in probe.series}
    reach = np.empty(samples, dtype=np.int64)
    for lo in range(0, samples, chunk):
        part = slice(lo, min(samples, lo + chunk))
        arrays = run_rows(part, first)
        n = part.stop - part.start
        for name, values in arrays.series.items():
            series[name][part] = np.broadcast_to(np.asarray(values, dtype=float), (n, months))
        reach[part] = np.broadcast_to(np.asarray(arrays.reach, dtype=np.int64), (n,))
    return TimelineSimulation(
        scenario=scenario, baseline=baseline, samples=samples, seed=seed,
        months=tuple(probe.months), series=series, reach=reach,
        until=month_label(month_index(horizon, key="until")),
        target=scenario.inputs.target.compute_multiplier)


def delay_marginal(phase: Phase, index: int) -> Marginal:
    """The slip of a phase with a delay range: a two-piece normal through (low, value, high).

    Months add, so the family is normal, not lognormal: a median of 0 with a low
    of 0 puts half the mass on "on time" and spreads the rest up to ``high``.
    Samples are clipped to the phases' delay domain and rounded to whole months.

    >>> from calc.core.phases import Phase
    >>> m = delay_marginal(Phase("p", "2026-07", 500, delay_low=0, delay_high=12), 3)
    >>> [float(q) for q in np.rint(m.quantile(np.array([0.05, 0.5, 0.95])))]
    [0.0, 0.0, 12.0]
    """
    assert phase.delay_low is not None and phase.delay_high is not None
    lowest, highest, _ = PHASE_DOMAINS["delay_months"]
    value, low, high = float(phase.delay_months), float(phase.delay_low), float(phase.delay_high)
    return Marginal(key=phase_key(index, "delay_months"), family="normal",
                    params=fit("normal", value, low, high), lower=float(lowest),
                    upper=float(highest), value=value, low=low, high=high)


def phase_delays(phases: Sequence[Phase], samples: int, seed: int) -> dict[str, FloatArray]:
    """Whole-month slips of every phase with a delay range, keyed ``timeline[N].delay_months``.

    Each phase has its own random stream (from the seed and its position), so
    giving one phase a range leaves every other draw of the run as it was: a
    slip range can then only delay capacity, never move another sample.
    """
    out: dict[str, FloatArray] = {}
    for i, phase in enumerate(phases):
        if not phase.delay_uncertain:
            continue
        key = phase_key(i, "delay_months")
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            [seed, zlib.crc32(key.encode()), _DELAY_STREAM])))
        out[key] = np.rint(delay_marginal(phase, i).sample(rng, samples))
    return out


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
        raise CapcalcError(f"unknown output {output!r}", key="target")
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
    reference, own = _paired_samplers(result.scenario, baseline, seed)
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    fixed_s = {k: v for k, v in result.scenario.values.items() if k not in own.marginals}
    drawn_b, drawn_s = reference.draw(samples), own.draw(samples)
    effective = np.broadcast_to(np.asarray(
        measure_of(evaluate({**fixed_b, **drawn_b}, 1.0), target_measure(result.scenario.values)),
        dtype=float), (samples,))
    return PairedDraws(result=result, baseline=baseline, samples=samples, seed=seed,
                       fixed=fixed_s, drawn=drawn_s, baseline_effective=effective,
                       shared=own.shared, baseline_fixed=fixed_b, baseline_drawn=drawn_b)
