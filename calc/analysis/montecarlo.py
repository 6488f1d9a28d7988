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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.distributions import JointSampler, marginals, stream_tag
from calc.analysis.run import Result, run, solve_meet_target
from calc.core.chain import evaluate
from calc.core.errors import CapcalcError
from calc.core.vocabulary import OUTPUTS
from calc.data.scenarios import Library, Scenario
from calc.presentation.tables import Table, provenance

__all__ = [
    "CHUNK",
    "DEFAULT_SAMPLES",
    "MAX_SAMPLES",
    "MIN_SAMPLES",
    "Simulation",
    "SolveSimulation",
    "Summary",
    "TimelineSimulation",
    "distribution_table",
    "exceedance",
    "exceedance_table",
    "fan_table",
    "histogram_table",
    "p_exceeds",
    "precision_warnings",
    "resolve",
    "shown_digits",
    "simulate",
    "simulate_timeline",
    "solve_samples",
    "summarize",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[float], None]

DEFAULT_SAMPLES = 10_000
MIN_SAMPLES = 100
#: Beyond this the percentiles' standard errors are below 0.1 % and memory grows (~1 GB).
MAX_SAMPLES = 2_000_000
#: Samples evaluated at a time: bounds the temporaries and paces progress reports.
CHUNK = 1 << 20

#: Order of the percentiles reported (fractions).
PERCENTILES = {"p5": 0.05, "p50": 0.50, "p95": 0.95}


def check_samples(samples: int, *, key: str = "--samples") -> int:
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
        upper = part[min(lo + 1, n - 1)]
        values[name] = float(part[lo] + frac * (upper - part[lo])) if frac else float(part[lo])
        values[f"{name}_se"] = float(part[k_hi] - part[k_lo]) / 2
    return Summary(mean=mean, mean_se=float(x.std(ddof=1)) / math.sqrt(n), samples=n,
                   **values)


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
        return float(self.scenario["target.compute_multiplier"])  # type: ignore[arg-type]

    @property
    def target_central(self) -> float:
        """The target multiple's central value."""
        return float(self.scenario["target.compute_multiplier"])  # type: ignore[arg-type]

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
    >>> sim = calc.simulate(calc.load(), "cortex-phase1", samples=1000, seed=1)
    >>> bool((sim["compute_multiple"] == 1.0).all())
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
    done = 0
    while done < samples:
        n = min(CHUNK, samples - done)
        drawn_b = reference.draw(n)
        drawn_s = own.draw(n)
        base_eff = evaluate({**fixed_b, **drawn_b}, 1.0)["effective_flop_per_s"]
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


def precision_warnings(sims: Sequence[Simulation], outputs: Iterable[str] | None = None,
                       *, digits: int = 2) -> list[str]:
    """Lines warning where the sample count cannot support ``digits`` significant digits.

    Each line names the scenario, the output and the statistic, and the
    sample count that would support it (standard errors fall as 1/sqrt(n)).
    """
    lines = []
    for sim in sims:
        for output in outputs or sim.outputs:
            s = sim.summary(output)
            worst = 1.0
            stat = ""
            for name in ("mean", "p5", "p50", "p95"):
                value, se = getattr(s, name), getattr(s, f"{name}_se")
                if shown_digits(value, se) < digits:
                    allowed = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - digits + 1)
                    ratio = (se / allowed) ** 2
                    if ratio > worst:
                        worst, stat = ratio, name.upper().replace("MEAN", "mean")
            if stat:
                needed = int(math.ceil(sim.samples * worst / 1000.0) * 1000)
                lines.append(f"{sim.name}: {output} {stat}: {sim.samples:,} samples are too few "
                             f"for {digits} significant digits; use --samples {needed:,} or more")
        if sim.p_target_se() > 0.005:
            lines.append(f"{sim.name}: P(target) = {sim.p_target_reached():.0%} ± "
                         f"{sim.p_target_se():.1%} (Monte Carlo standard error)")
    return lines


# ---------------------------------------------------------------- tables


def _mc_caption(sims: Sequence[Simulation], extra: str = "") -> str:
    first = sims[0]
    text = (f"{first.samples:,} samples, seed {first.seed}; low/high are 90 % intervals; "
            "inputs a scenario does not change share the baseline's samples")
    if extra:
        text = f"{text}; {extra}"
    return provenance([s.name for s in sims], first.baseline.name, text)


def distribution_table(sims: Sequence[Simulation],
                       outputs: Sequence[str] | None = None) -> Table:
    """Central value, mean, P5, P50, P95 and standard errors of each output per scenario."""
    names = list(outputs or OUTPUTS)
    cols: dict[str, list[Any]] = {k: [] for k in (
        "scenario", "output", "unit", "central", "mean", "p5", "p50", "p95",
        "mean_se", "p5_se", "p50_se", "p95_se")}
    for sim in sims:
        for output in names:
            s = sim.summary(output)
            cols["scenario"].append(sim.name)
            cols["output"].append(output)
            cols["unit"].append(OUTPUTS[output].unit)
            cols["central"].append(sim.result.outputs[output])
            for k, v in s.to_dict().items():
                cols[k].append(v)
    return Table(
        name="distribution", title="Output distributions (Monte Carlo)", columns=cols,
        caption=_mc_caption(sims),
        meta={"samples": sims[0].samples, "seed": sims[0].seed,
              "p_target": {s.name: s.p_target_reached() for s in sims}},
    )


def _spans_decade(low: float, high: float) -> bool:
    return low > 0 and high / low > 10


def _slug(output: str) -> str:
    return output.replace("_", "-")


def histogram_table(sims: Sequence[Simulation], output: str, bins: int = 40) -> Table:
    """Counts of ``output``'s samples in shared bins (log-spaced when they span a decade)."""
    lows = [float(np.min(s[output])) for s in sims]
    highs = [float(np.max(s[output])) for s in sims]
    low, high = min(lows), max(highs)
    log = _spans_decade(low, high)
    if high == low:
        edges = np.array([low - 0.5 * abs(low or 1), high + 0.5 * abs(high or 1)])
        edges = np.linspace(edges[0], edges[1], bins + 1)
    elif log:
        edges = np.geomspace(low, high, bins + 1)
    else:
        edges = np.linspace(low, high, bins + 1)
    cols: dict[str, list[Any]] = {k: [] for k in ("scenario", "bin_low", "bin_high", "count",
                                                   "share")}
    for sim in sims:
        counts, _ = np.histogram(sim[output], bins=edges)
        for lo, hi, count in zip(edges[:-1], edges[1:], counts, strict=True):
            cols["scenario"].append(sim.name)
            cols["bin_low"].append(float(lo))
            cols["bin_high"].append(float(hi))
            cols["count"].append(int(count))
            cols["share"].append(float(count) / sim.samples)
    unit = OUTPUTS[output].unit
    return Table(
        name=f"histogram-{_slug(output)}",
        title=f"{OUTPUTS[output].title}: distribution",
        columns=cols,
        units={"bin_low": unit, "bin_high": unit, "share": "1"},
        caption=_mc_caption(sims, "histogram of all samples, no smoothing"),
        meta={"output": output, "unit": unit, "log": log, "samples": sims[0].samples,
              "seed": sims[0].seed,
              "percentiles": {s.name: {k: getattr(s.summary(output), k)
                                       for k in ("p5", "p50", "p95")} for s in sims},
              "central": {s.name: s.result.outputs[output] for s in sims}},
    )


def exceedance_table(sims: Sequence[Simulation], output: str = "compute_multiple",
                     points: int = 201) -> Table:
    """P(output ≥ x) against x for each scenario; for the multiple, the target is marked."""
    cols: dict[str, list[Any]] = {k: [] for k in ("scenario", "value", "p_exceed")}
    for sim in sims:
        values, p = exceedance(sim[output], points)
        cols["scenario"] += [sim.name] * len(values)
        cols["value"] += [float(v) for v in values]
        cols["p_exceed"] += [float(v) for v in p]
    meta: dict[str, Any] = {"output": output, "unit": OUTPUTS[output].unit,
                            "samples": sims[0].samples, "seed": sims[0].seed}
    values = np.asarray(cols["value"], dtype=float)
    meta["log"] = _spans_decade(float(values.min()), float(values.max()))
    extra = ""
    if output == "compute_multiple":
        meta["target"] = sims[0].target_central
        meta["p_target"] = {s.name: s.p_target_reached() for s in sims}
        extra = f"target {sims[0].target_central:g}× the baseline"
    return Table(
        name=f"exceedance-{_slug(output)}",
        title=f"{OUTPUTS[output].title}: chance of reaching at least x",
        columns=cols,
        units={"value": OUTPUTS[output].unit, "p_exceed": "1"},
        caption=_mc_caption(sims, extra),
        meta=meta,
    )


# ---------------------------------------------------------------- timeline

#: Timeline Monte Carlo keeps (samples × months) arrays: fewer samples than the static chain.
MAX_TIMELINE_SAMPLES = 200_000
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
        from calc.analysis.timeline import month_index

        position = month_index(month, key="--by") - month_index(self.months[0])
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

    def reach_percentiles(self) -> dict[str, str | None]:
        """The month by which 5 %, 50 % and 95 % of the samples have reached the target."""
        cdf = np.array(list(self.reach_distribution().values()))
        out: dict[str, str | None] = {}
        for name, p in PERCENTILES.items():
            hit = np.flatnonzero(cdf >= p)
            out[name] = self.months[int(hit[0])] if hit.size else None
        return out


def simulate_timeline(library: Library, scenario: str | Scenario,
                      sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SAMPLES,
                      seed: int = 0, until: str | None = None, phases: Sequence[Any] | None = None,
                      outputs: Sequence[str] = TIMELINE_SERIES) -> TimelineSimulation:
    """Monte Carlo of a scenario's build-out, with the same joint samples as :func:`simulate`.

    Every input with a range (MFU, lifetimes, the perf-per-watt trend, ...)
    is sampled as in :func:`simulate`, the baseline's effective FLOP/s with
    common random numbers; the timeline core (:func:`calc.analysis.timeline.simulate`)
    runs all samples at once.
    """
    from calc.analysis.timeline import (
        DEFAULT_UNTIL,
        check_phases,
        month_index,
        month_label,
        scenario_phases,
    )
    from calc.analysis.timeline import simulate as timeline_core

    samples = check_samples(samples)
    if samples > MAX_TIMELINE_SAMPLES:
        raise CapcalcError(f"a sampled timeline takes at most {MAX_TIMELINE_SAMPLES:,} samples "
                           f"(got {samples:,})", key="--samples")
    result, baseline = resolve(library, scenario, sets)
    scenario = result.scenario
    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    reference, own = _paired_samplers(scenario, baseline, seed)
    drawn_b = reference.draw(samples)
    drawn_s = own.draw(samples)
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    fixed_s = {k: v for k, v in scenario.values.items() if k not in own.marginals}
    base_eff = np.broadcast_to(np.asarray(
        evaluate({**fixed_b, **drawn_b}, 1.0)["effective_flop_per_s"], dtype=float), (samples,))
    horizon = until or DEFAULT_UNTIL
    wanted = list(dict.fromkeys(["compute_multiple", *outputs]))
    arrays = timeline_core({**fixed_s, **drawn_s}, chosen, library.baseline.catalog, base_eff,
                           until=horizon, outputs=wanted, by_generation=False)
    series = {k: np.broadcast_to(np.asarray(v, dtype=float), (samples, len(arrays.months)))
              for k, v in arrays.series.items()}
    reach = np.broadcast_to(np.asarray(arrays.reach, dtype=np.int64), (samples,))
    return TimelineSimulation(
        scenario=scenario, baseline=baseline, samples=samples, seed=seed,
        months=tuple(arrays.months), series=series, reach=reach,
        until=month_label(month_index(horizon, key="--until")),
        target=float(scenario["target.compute_multiplier"]))  # type: ignore[arg-type]


def fan_table(sims: Sequence[TimelineSimulation], output: str = "compute_multiple") -> Table:
    """P5, P50, P95 of a timeline series per month and scenario: the fan chart's data."""
    from calc.analysis.timeline import TIMELINE_OUTPUTS

    cols: dict[str, list[Any]] = {k: [] for k in ("scenario", "date", "p5", "p50", "p95",
                                                   "p_reached")}
    for sim in sims:
        fan = sim.fan(output)
        reached = sim.reach_distribution()
        for i, month in enumerate(sim.months):
            cols["scenario"].append(sim.name)
            cols["date"].append(month)
            for k in ("p5", "p50", "p95"):
                cols[k].append(float(fan[k][i]))
            cols["p_reached"].append(reached[month])
    spec = TIMELINE_OUTPUTS[output]
    first = sims[0]
    reach = "; ".join(
        f"{s.name}: P({s.target:g}× by {s.until}) = {s.p_reached_by(s.until):.0%}" for s in sims)
    return Table(
        name=f"timeline-fan-{_slug(output)}",
        title=f"{spec.title} over time: P5–P95 and median",
        columns=cols,
        units={"p5": spec.unit, "p50": spec.unit, "p95": spec.unit, "p_reached": "1"},
        caption=provenance([s.name for s in sims], first.baseline.name,
                           f"{first.samples:,} samples, seed {first.seed}; {reach}"),
        meta={"output": output, "unit": spec.unit, "label": spec.title,
              "target": first.target if output == "compute_multiple" else None,
              "samples": first.samples, "seed": first.seed,
              "p_reached": {s.name: s.p_reached_by(s.until) for s in sims},
              "reach_percentiles": {s.name: s.reach_percentiles() for s in sims}},
    )


# ---------------------------------------------------------------- solving under uncertainty

#: Grid points of the per-sample bracket search and bisection steps after it.
_SOLVE_GRID = 61
_SOLVE_STEPS = 60
_SOLVE_CHUNK = 4096


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

    The search per sample is the same as :func:`calc.analysis.solver.solve_scalar`'s,
    vectorised: the key's valid range is scanned for the first sign change of
    ``output - target``, then bisected to machine precision.
    """
    from calc.analysis.solver import search_range
    from calc.core.vocabulary import INPUTS

    samples = check_samples(samples)
    if key not in INPUTS or INPUTS[key].kind == "choice":
        raise CapcalcError("is not a numeric input; solve varies a number", key=key)
    if output not in OUTPUTS:
        raise CapcalcError(f"unknown output {output!r}", key="--target")
    result, baseline = resolve(library, scenario, sets)
    scenario = result.scenario
    reference, own = _paired_samplers(scenario, baseline, seed)
    fixed_b = {k: v for k, v in baseline.values.items() if k not in reference.marginals}
    fixed_s = {k: v for k, v in scenario.values.items() if k not in own.marginals}
    sizing = ("site.facility_power_mw", "site.accelerators")
    lower, upper = search_range(INPUTS[key])
    grid = (np.geomspace(lower, upper, _SOLVE_GRID) if lower > 0 and upper / lower > 100
            else np.linspace(lower, upper, _SOLVE_GRID))
    solved = np.full(samples, np.nan)
    all_b, all_s = reference.draw(samples), own.draw(samples)  # the draws simulate() makes
    all_eff = np.broadcast_to(np.asarray(
        evaluate({**fixed_b, **all_b}, 1.0)["effective_flop_per_s"], dtype=float), (samples,))
    done = 0
    while done < samples:
        n = min(_SOLVE_CHUNK, samples - done)
        part = slice(done, done + n)
        base_eff = all_eff[part]
        inputs = {**fixed_s, **{k: v[part] for k, v in all_s.items()}}
        if key in sizing:
            inputs[sizing[1 - sizing.index(key)]] = None

        def gap(x: FloatArray, inputs: dict[str, Any] = inputs, base: Any = base_eff,
                n: int = n) -> FloatArray:
            with np.errstate(all="ignore"):
                out = evaluate({**inputs, key: x}, base)[output]
            return np.broadcast_to(np.asarray(out, dtype=float) - target, np.broadcast_shapes(
                np.shape(x), (n,)))

        g = gap(grid[:, None])                                 # (grid, n)
        sign = np.sign(g)
        hit = (sign[:-1] * sign[1:] <= 0) & np.isfinite(g[:-1]) & np.isfinite(g[1:])
        found = hit.any(axis=0)
        first = hit.argmax(axis=0)
        lo, hi = grid[first], grid[first + 1]
        lo_sign = sign[first, np.arange(n)]
        for _ in range(_SOLVE_STEPS):
            mid = (lo + hi) / 2
            same = np.sign(gap(mid)) == lo_sign
            lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
        exact_lo = lo_sign == 0
        solved[done:done + n] = np.where(found, np.where(exact_lo, lo, (lo + hi) / 2), np.nan)
        done += n
    return SolveSimulation(scenario=scenario, baseline=baseline, key=key, output=output,
                           target=float(target), samples=samples, seed=seed, values=solved)
