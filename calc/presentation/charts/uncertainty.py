"""Declarations of the Monte Carlo's charts: histograms, exceedance curves, the timeline fan and
the chance of the target by each month.

Histograms show the samples as counted, never smoothed (a smoothed density
invents values, negative ones included, that no sample has). An axis is
logarithmic where the values span more than a decade.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from calc.analysis.buildout_montecarlo import TimelineSimulation
from calc.analysis.montecarlo import Simulation
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.vocabulary import OUTPUTS
from calc.presentation.chart_spec import (
    DASHED,
    DOTTED,
    Area,
    Axis,
    Bins,
    Chart,
    Line,
    Mark,
    Panel,
    Point,
    Points,
    Rule,
    multiple_name,
)
from calc.presentation.colours import NEUTRAL, PALETTE, TARGET, series_colours
from calc.presentation.formatting import format_value, month_text, percent
from calc.presentation.tables.uncertainty import (
    REACH_MARKS,
    exceedance_table,
    fan_table,
    histogram_table,
    reach_marks,
    reach_probability_table,
    spans_decade,
)

__all__ = ["REACHED_BY", "exceedance_chart", "fan_chart", "histogram_chart", "mark_month",
           "reach_probability_chart"]

_RANGE = "90 % range (P5–P95)"
_MEDIAN = "median (P50)"
_CENTRAL = "central run"
#: What the dotted marks of the chance-by-month chart are, in its legend.
REACHED_BY = "first month " + " and ".join(f"{round(p * 100)} %" for p in REACH_MARKS) + \
    " sure"


def _shown(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit, digits=3)
    return text + "×" if output == "compute_multiple" else text


def _output_name(output: str, measure: str | None) -> str:
    """An output's title on an axis; the compute multiple says what it measures."""
    if output == "compute_multiple":
        return multiple_name(measure)
    return OUTPUTS[output].title


def histogram_chart(sims: Sequence[Simulation], output: str, *, measure: str | None = None,
                    bins: int = 40) -> Chart:
    """Shares of an output's samples per bin, one colour per scenario; the median, the 90 %
    range and (for one scenario) the central run as labelled lines. ``measure`` names what a
    compute multiple measures."""
    table = histogram_table(sims, output, bins)
    unit = OUTPUTS[output].unit
    names = [s.name for s in sims]
    many = len(sims) > 1
    colours = series_colours(names)
    marks: list[Mark] = []
    edges: list[float] = []
    for sim in sims:
        rows = [r for r in table.rows() if r["scenario"] == sim.name]
        if not rows:
            continue
        edges = [float(r["bin_low"]) for r in rows] + [float(rows[-1]["bin_high"])]
        marks.append(Bins(sim.name, colours[sim.name], tuple(edges),
                          tuple(float(r["share"]) for r in rows), opacity=0.4 if many else 0.8))
    for sim in sims:
        summary = sim.summary(output)
        stats = [(stat, getattr(summary, stat)) for stat in ("p5", "p50", "p95")]
        for stat, value in stats:  # a percentile out of reach (infinite) has no place
            if not math.isfinite(value):
                continue
            word = "median" if stat == "p50" else stat.upper()
            if many:
                marks.append(Rule("x", value, series=sim.name, colour=colours[sim.name],
                                  dash=DASHED if stat == "p50" else DOTTED, width=1.5))
            else:
                marks.append(Rule("x", value, series=_MEDIAN if stat == "p50" else _RANGE,
                                  colour="#000000" if stat == "p50" else NEUTRAL,
                                  dash=DASHED if stat == "p50" else DOTTED, width=1.5,
                                  label=f"{word} {_shown(value, unit, output)}",
                                  label_angle=90))
        central = float(sim.result.outputs[output])
        if not many and math.isfinite(central):
            marks.append(Rule("x", central, series=_CENTRAL, colour=PALETTE[1], width=1.5,
                              label=f"central {_shown(central, unit, output)}"))
    log = bool(edges) and spans_decade(edges[0], edges[-1])
    panel = Panel(Axis(_output_name(output, measure), unit, log=log, zero=False),
                  Axis("Share of samples per bin", kind="share"), tuple(marks), height=260)
    return Chart(table, (panel,), scenario="" if many else names[0])


def exceedance_chart(sims: Sequence[Simulation], output: str = "compute_multiple", *,
                     measure: str | None = None) -> Chart:
    """P(output ≥ x) against x per scenario; for the compute multiple, the target marked and
    each scenario's chance of it in the legend."""
    table = exceedance_table(sims, output)
    rows = table.rows()
    multiple = output == "compute_multiple"
    names = [s.name for s in sims]
    label = {s.name: f"{s.name}: P(≥ target) = {percent(s.p_target_reached())}" if multiple
             else s.name for s in sims}
    colours = series_colours(label[n] for n in names)
    marks: list[Mark] = [
        Line(label[name], colours[label[name]],
             tuple(float(r["value"]) for r in rows if r["scenario"] == name),
             tuple(float(r["p_exceed"]) for r in rows if r["scenario"] == name),
             step=True, width=2.5)
        for name in names if any(r["scenario"] == name for r in rows)]
    if multiple:
        target = sims[0].target_central
        marks.append(Rule("x", target, series=f"target {target:g}×", colour=TARGET,
                          dash=DASHED, width=2.0, label=f"target {target:g}×"))
    values = [float(r["value"]) for r in rows]
    log = bool(values) and spans_decade(min(values), max(values))
    panel = Panel(Axis(_output_name(output, measure), OUTPUTS[output].unit, log=log, zero=False),
                  Axis("Chance of at least this value", kind="share", domain=(0.0, 1.0)),
                  tuple(marks), height=260)
    return Chart(table, (panel,))


def fan_chart(sims: Sequence[TimelineSimulation], output: str = "compute_multiple", *,
              measure: str | None = None) -> Chart:
    """P5–P95 and the median of a build-out's quantity month by month, per scenario; the
    target marked (``measure`` names what a compute multiple measures)."""
    table = fan_table(sims, output)
    rows = table.rows()
    spec = TIMELINE_OUTPUTS[output]
    many = len(sims) > 1
    names = {s.name: ((f"{s.name}: P5–P95", f"{s.name}: P50") if many else (_RANGE, _MEDIAN))
             for s in sims}
    colours = series_colours([names[s.name][1] for s in sims] + [names[s.name][0] for s in sims])
    if not many:  # one scenario: its median in blue over a light-blue band, as before
        colours = {_MEDIAN: PALETTE[0], _RANGE: PALETTE[4]}
    marks: list[Mark] = []
    for sim in sims:
        mine = [r for r in rows if r["scenario"] == sim.name]
        months = tuple(str(r["date"]) for r in mine)
        band, median = names[sim.name]
        marks += [Area(band, colours[band], months, tuple(float(r["p5"]) for r in mine),
                       tuple(float(r["p95"]) for r in mine), opacity=0.35),
                  Line(median, colours[median], months, tuple(float(r["p50"]) for r in mine),
                       width=2.5)]
    multiple = output == "compute_multiple"
    if multiple:
        target = sims[0].target
        marks.append(Rule("y", target, series=f"target {target:g}×", colour=TARGET,
                          dash=DASHED, width=2.0, label=f"target {target:g}×"))
    values = [float(r[k]) for r in rows for k in ("p5", "p95") if float(r[k]) > 0]
    low_ok = all(float(r["p5"]) > 0 for r in rows)
    log = low_ok and bool(values) and spans_decade(min(values), max(values))
    name = multiple_name(measure) if multiple and measure else spec.title
    panel = Panel(Axis(kind="time", title="Year"), Axis(name, spec.unit, log=log),
                  tuple(marks), height=280)
    return Chart(table, (panel,), scenario="" if many else sims[0].name)


def reach_probability_chart(sims: Sequence[TimelineSimulation], *,
                            measure: str | None = None) -> Chart:
    """P(target reached at or before each month) per scenario as a step curve, with the
    months it first reaches 50 % and 80 % marked and named; ``measure`` names what the
    multiple measures."""
    table = reach_probability_table(sims)
    rows = table.rows()
    colours = series_colours((s.name for s in sims), skip=("#000000",))
    marks: list[Mark] = [
        Line(s.name, colours[s.name],
             tuple(str(r["date"]) for r in rows if r["scenario"] == s.name),
             tuple(float(r["p_reached_by"]) for r in rows if r["scenario"] == s.name),
             step=True, width=3.5)
        for s in sims]
    # a point on every month, so the chance reads at any month (hovering one names it)
    marks += [Points(tuple(
        Point(str(r["date"]), float(r["p_reached_by"]), s.name, colours[s.name],
              tooltip=(("scenario", s.name), ("month", month_text(str(r["date"]))),
                       ("chance", percent(float(r["p_reached_by"])))))
        for r in rows if r["scenario"] == s.name), size=22) for s in sims]
    found = [(name, int(label[1:]) / 100, month)
             for name, marks_of in reach_marks(sims).items()
             for label, month in marks_of.items() if month is not None]
    marks += [Rule("x", month, series=REACHED_BY, colour="#000000", dash=DOTTED, width=1.2,
                   span=(0.0, share)) for _name, share, month in found]
    if found:
        marks.append(Points(tuple(
            Point(month, share, REACHED_BY, "#000000", label=f"P{round(share * 100)}: "
                  f"{month_text(month)}", place="left",
                  tooltip=(("scenario", name), ("chance", percent(share)),
                           ("month", month_text(month))))
            for name, share, month in found), size=50, bold=True))
    target = sims[0].target
    what = f" {measure}" if measure else ""
    panel = Panel(Axis(kind="time", title="Year"),
                  Axis(f"Chance of {target:g}×{what} by then", kind="share", domain=(0.0, 1.0)),
                  tuple(marks), height=260)
    return Chart(table, (panel,), scenario=sims[0].name if len(sims) == 1 else "")


def mark_month(chart: Chart, month: str, label: str) -> Chart:
    """``chart`` (of months) with a rule at ``month`` named ``label`` in its every panel: the
    month a reader chose ("P(10× by 2027-06) = 85 %")."""
    rule = Rule("x", month, colour=NEUTRAL, width=2.0, bold=True, label=label)
    return replace(chart, panels=tuple(replace(panel, marks=(*panel.marks, rule))
                                       for panel in chart.panels))
