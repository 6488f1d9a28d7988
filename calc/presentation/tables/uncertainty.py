"""The data behind the Monte Carlo charts: distributions, histograms, exceedance and fans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.buildout_montecarlo import TimelineSimulation
from calc.analysis.montecarlo import Simulation, exceedance
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.vocabulary import OUTPUTS
from calc.presentation.formatting import percent
from calc.presentation.tables.base import Table, provenance

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "REACH_MARKS",
    "distribution_table",
    "exceedance_table",
    "fan_table",
    "histogram_table",
    "reach_marks",
    "reach_probability_table",
    "spans_decade",
]


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
    )


def spans_decade(low: float, high: float) -> bool:
    """Whether values from ``low`` to ``high`` are drawn on a log axis: positive, and more
    than a decade apart.

    >>> spans_decade(2.0, 30.0), spans_decade(0.0, 30.0)
    (True, False)
    """
    return low > 0 and high / low > 10


def _slug(output: str) -> str:
    return output.replace("_", "-")


def _finite(values: Any) -> FloatArray:
    """The finite samples of an output (an out-of-reach power is infinite and not drawn)."""
    x = np.asarray(values, dtype=float).ravel()
    return x[np.isfinite(x)]


def _out_of_reach(sims: Sequence[Simulation], output: str) -> str:
    """The caption's note on samples that are out of reach, or ``""`` when there are none."""
    shares = {s.name: 1 - _finite(s[output]).size / s.samples for s in sims}
    if not any(shares.values()):
        return ""
    return "out of reach (not drawn): " + ", ".join(
        f"{name} {percent(share)}" for name, share in shares.items() if share)


def histogram_table(sims: Sequence[Simulation], output: str, bins: int = 40) -> Table:
    """Counts of ``output``'s samples in shared bins (log-spaced when they span a decade).

    Samples that are not finite (a target out of reach) are left out of the bins
    and counted in the caption; shares are of all samples.
    """
    finite = [_finite(s[output]) for s in sims]
    drawn = [x for x in finite if x.size]
    low = min((float(x.min()) for x in drawn), default=0.0)
    high = max((float(x.max()) for x in drawn), default=1.0)
    log = spans_decade(low, high)
    if high == low:
        edges = np.array([low - 0.5 * abs(low or 1), high + 0.5 * abs(high or 1)])
        edges = np.linspace(edges[0], edges[1], bins + 1)
    elif log:
        edges = np.geomspace(low, high, bins + 1)
    else:
        edges = np.linspace(low, high, bins + 1)
    cols: dict[str, list[Any]] = {k: [] for k in ("scenario", "bin_low", "bin_high", "count",
                                                   "share")}
    for sim, x in zip(sims, finite, strict=True):
        counts, _ = np.histogram(x, bins=edges)
        for lo, hi, count in zip(edges[:-1], edges[1:], counts, strict=True):
            cols["scenario"].append(sim.name)
            cols["bin_low"].append(float(lo))
            cols["bin_high"].append(float(hi))
            cols["count"].append(int(count))
            cols["share"].append(float(count) / sim.samples)
    unit = OUTPUTS[output].unit
    notes = "; ".join(t for t in ("histogram of all samples, no smoothing",
                                  _out_of_reach(sims, output)) if t)
    return Table(
        name=f"histogram-{_slug(output)}",
        title=f"{OUTPUTS[output].title}: distribution",
        columns=cols,
        units={"bin_low": unit, "bin_high": unit, "share": "1"},
        caption=_mc_caption(sims, notes),
    )


def exceedance_table(sims: Sequence[Simulation], output: str = "compute_multiple",
                     points: int = 201) -> Table:
    """P(output ≥ x) against x for each scenario; for the multiple, the target is marked.

    Samples that are not finite (out of reach) lie above every drawn x: they add
    their share to every P and are noted in the caption.
    """
    cols: dict[str, list[Any]] = {k: [] for k in ("scenario", "value", "p_exceed")}
    for sim in sims:
        x = _finite(sim[output])
        if not x.size:
            continue
        values, p = exceedance(x, points)
        beyond = 1 - x.size / sim.samples
        cols["scenario"] += [sim.name] * len(values)
        cols["value"] += [float(v) for v in values]
        cols["p_exceed"] += [float(beyond + (1 - beyond) * v) for v in p]
    extra = _out_of_reach(sims, output)
    if output == "compute_multiple":
        extra = f"target {sims[0].target_central:g}× the baseline"
    return Table(
        name=f"exceedance-{_slug(output)}",
        title=f"{OUTPUTS[output].title}: chance of reaching at least x",
        columns=cols,
        units={"value": OUTPUTS[output].unit, "p_exceed": "1"},
        caption=_mc_caption(sims, extra),
    )


def fan_table(sims: Sequence[TimelineSimulation], output: str = "compute_multiple") -> Table:
    """P5, P50, P95 of a timeline series per month and scenario: the fan chart's data."""
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
    reach = "; ".join(f"{s.name}: P({s.target:g}× by {s.until}) = "
                      f"{percent(s.p_reached_by(s.until))}" for s in sims)
    return Table(
        name=f"timeline-fan-{_slug(output)}",
        title=f"{spec.title} over time: P5–P95 and median",
        columns=cols,
        units={"p5": spec.unit, "p50": spec.unit, "p95": spec.unit, "p_reached": "1"},
        caption=provenance([s.name for s in sims], first.baseline.name,
                           f"{first.samples:,} samples, seed {first.seed}; {reach}"),
    )


#: The chances whose months the reach-probability chart marks.
REACH_MARKS = (0.5, 0.8)


def reach_probability_table(sims: Sequence[TimelineSimulation]) -> Table:
    """P(target reached at or before each month) per scenario, with the P50 and P80 months."""
    cols: dict[str, list[Any]] = {"scenario": [], "date": [], "p_reached_by": []}
    for sim in sims:
        for month, p in sim.reach_distribution().items():
            cols["scenario"].append(sim.name)
            cols["date"].append(month)
            cols["p_reached_by"].append(p)
    first = sims[0]
    marks = reach_marks(sims)
    said = "; ".join(f"{name}: " + ", ".join(f"{k.upper()} {v or 'not by ' + first.until}"
                                              for k, v in m.items())
                     for name, m in marks.items())
    return Table(
        name="timeline-reach-probability",
        title=f"Chance of {first.target:g}× by each month",
        columns=cols,
        units={"p_reached_by": "1"},
        caption=provenance([s.name for s in sims], first.baseline.name,
                           f"{first.samples:,} samples, seed {first.seed}; {said}"),
    )


def reach_marks(sims: Sequence[TimelineSimulation]) -> dict[str, dict[str, str | None]]:
    """Per scenario, the month by which the chance of the target first reaches each of
    :data:`REACH_MARKS` (``{"p50": "2027-03", "p80": None}``: not by the horizon)."""
    return {s.name: {f"p{round(p * 100)}": s.reach_month(p) for p in REACH_MARKS}
            for s in sims}
