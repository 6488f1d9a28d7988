"""Monte Carlo of a build-out: sampled timelines, the chance of the target by each month.

The same joint samples as :func:`calc.analysis.montecarlo.simulate` (common
random numbers with the baseline) run through the month-by-month fleet core
(:func:`calc.core.fleet.simulate`) in chunks, after a check that the whole run
fits in memory. Every catalog chip's ranged figures and release month are drawn
once per sample (:mod:`calc.analysis.catalog_draws`), shared by every phase and
refresh on that chip, so ``latest`` chooses within each sample. Phases with a
slip range draw whole-month delays from their own random streams, so giving one
phase a range moves no other draw.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.catalog_draws import catalog_draws
from calc.analysis.distributions import Marginal, fit
from calc.analysis.joint_sampling import stream
from calc.analysis.limits import (
    DEFAULT_SAMPLES,
    MAX_TIMELINE_SAMPLES,
    MAX_TIMELINE_SECONDS,
    MIN_SAMPLES,
)
from calc.analysis.montecarlo import (
    CHUNK,
    PERCENTILES,
    check_samples,
    paired_samplers,
    resolve,
)
from calc.analysis.tabular_timeline import SampledTimelineTabular
from calc.analysis.timeline import scenario_phases
from calc.core.chain import evaluate, measure_of, target_measure
from calc.core.errors import CapcalcError
from calc.core.fleet import simulate as simulate_fleet
from calc.core.months import DEFAULT_UNTIL, month_index, month_label
from calc.core.phases import Phase, phase_key
from calc.core.vocabulary import PHASE_DOMAINS
from calc.data.phases import check_phases
from calc.data.scenarios import Library, Scenario

if sys.platform != "win32":  # resource limits exist on Unix only
    import resource

__all__ = [
    "MEMORY_FRACTION",
    "TIMELINE_SERIES",
    "TimelineSimulation",
    "available_memory",
    "delay_marginal",
    "phase_delays",
    "simulate_timeline",
    "timeline_memory_budget",
]

FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------- timeline

#: Stream tag of the phases' slips (apart from every input's stream).
_DELAY_STREAM = 0x51_1B

#: Series a sampled timeline computes unless asked for others.
TIMELINE_SERIES = ("compute_multiple", "effective_flop_per_s", "facility_power_mw")


@dataclass(frozen=True)
class TimelineSimulation(SampledTimelineTabular):  # to_frame, to_xarray, notebook cards
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


def _size(n: float, digits: int = 2) -> str:
    """Bytes for people, in ``digits`` significant digits (whole megabytes at least):
    ``'8.7 MB'``, ``'812 MB'``, ``'15 GB'``.

    >>> _size(8.7e6), _size(812.3e6), _size(1.5e10), _size(1.234e10, 3)
    ('8.7 MB', '812 MB', '15 GB', '12.3 GB')
    """
    value, unit = (n / 1e6, "MB") if n < 1e9 else (n / 1e9, "GB")
    decimals = max(0, digits - 1 - math.floor(math.log10(value))) if value > 0 else 0
    return f"{value:,.{decimals}f} {unit}"


def _sizes(need: float, budget: float) -> tuple[str, str]:
    """``need`` and ``budget`` in as few digits as tell them apart (need is the larger)."""
    for digits in range(2, 7):
        shown = _size(need, digits), _size(budget, digits)
        if shown[0] != shown[1]:
            return shown
    return _size(need, 7), _size(budget, 7)


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
        needed, allowed = _sizes(need, budget)
        raise CapcalcError(
            f"{samples:,} samples over {months:,} months need about {needed} of "
            f"memory, more than the {allowed} a sampled timeline may take (half of "
            f"the memory free); {fits}, or choose a nearer horizon", key="samples")
    return chunk


#: Samples run (and timed) first, to predict the time of the whole run before the rest.
_TIMED_SAMPLES = 200


def _chunks(samples: int, chunk: int) -> Iterator[slice]:
    """The samples in chunks of ``chunk``, the first of at most :data:`_TIMED_SAMPLES`."""
    lo, size = 0, min(chunk, _TIMED_SAMPLES)
    while lo < samples:
        yield slice(lo, min(samples, lo + size))
        lo, size = lo + size, chunk


def _check_time(seconds: float, timed: int, samples: int, months: int, budget: float) -> None:
    """Refuse a run whose first ``timed`` samples took ``seconds`` when all ``samples`` would
    take more than ``budget`` seconds; the line names the largest count that fits.

    >>> _check_time(0.5, 200, 200_000, 912, 30.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    calc.core.errors.CapcalcError: samples: 200,000 samples ... about 500 s of computing, \
more than the 30 s a sampled timeline may take; at most 12,000 samples fit, ...
    """
    if timed >= samples or seconds <= 0:
        return
    per_sample = seconds / timed
    predicted = per_sample * samples
    if predicted <= budget:
        return
    largest = int(budget / per_sample)
    if largest >= 100:  # two significant digits: a count to type, not a measurement
        scale = 10 ** (len(str(largest)) - 2)
        largest = largest // scale * scale
    fits = (f"at most {largest:,} samples fit" if largest >= MIN_SAMPLES else
            f"not even {MIN_SAMPLES:,} samples fit")
    raise CapcalcError(
        f"{samples:,} samples over {months:,} months would take about {predicted:,.0f} s of "
        f"computing, more than the {budget:g} s a sampled timeline may take; {fits}, or "
        "choose a nearer horizon or fewer phases", key="samples")


# ---------------------------------------------------------------- timeline


def simulate_timeline(library: Library, scenario: str | Scenario,
                      sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SAMPLES,
                      seed: int = 0, until: str | None = None, phases: Sequence[Any] | None = None,
                      outputs: Sequence[str] = TIMELINE_SERIES,
                      memory_budget: int | None = None,
                      time_budget: float = MAX_TIMELINE_SECONDS) -> TimelineSimulation:
    """Monte Carlo of a scenario's build-out, with the same joint samples as :func:`simulate`.

    Every input with a range (MFU, lifetimes, the perf-per-watt trend, the
    procurement lead time, ...) is sampled as in :func:`simulate`, the
    baseline's effective FLOP/s with common random numbers; so is every catalog
    chip's ranged figure and release month (:func:`catalog_draws`, one draw per
    chip shared by all its phases and refreshes) and every phase's slip range.
    The timeline core (:func:`calc.core.fleet.simulate`) runs the samples in
    chunks, so its working arrays stay small.

    Before any chunk runs, the memory the whole run needs (every series of
    every sample, and one chunk's working arrays) is checked against
    ``memory_budget`` bytes, by default :func:`timeline_memory_budget` (half
    the memory free): a run that would not fit is refused at once, naming the
    largest sample count that does (key ``samples``). So is a run whose first
    samples show that the whole would take more than ``time_budget`` seconds of
    computing (:data:`~calc.analysis.limits.MAX_TIMELINE_SECONDS` by default).
    """
    samples = check_samples(samples)
    if samples > MAX_TIMELINE_SAMPLES:
        raise CapcalcError(f"a sampled timeline takes at most {MAX_TIMELINE_SAMPLES:,} samples "
                           f"(got {samples:,})", key="samples")
    result, baseline = resolve(library, scenario, sets)
    scenario = result.scenario
    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    reference, own = paired_samplers(scenario, baseline, seed)
    drawn_b = reference.draw(samples)
    drawn_s = {**own.draw(samples), **phase_delays(chosen, samples, seed),
               **catalog_draws(library.baseline.catalog, scenario.values, samples, seed)}
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
    started = time.thread_time()  # this thread's own computing: other sessions' not counted
    for i, part in enumerate(_chunks(samples, chunk)):
        arrays = run_rows(part, first)
        n = part.stop - part.start
        for name, values in arrays.series.items():
            series[name][part] = np.broadcast_to(np.asarray(values, dtype=float), (n, months))
        reach[part] = np.broadcast_to(np.asarray(arrays.reach, dtype=np.int64), (n,))
        if i == 0:
            _check_time(time.thread_time() - started, n, samples, months, time_budget)
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
        out[key] = np.rint(delay_marginal(phase, i).sample(stream(seed, key, _DELAY_STREAM),
                                                           samples))
    return out
