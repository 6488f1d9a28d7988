"""Declarations of the build-out's charts: the timeline with its multiple, and the levers.

To draw one more series on the timeline (a pace to compare with, say), add its
:class:`~calc.presentation.chart_spec.Line` to the marks of the panel it
belongs to in :func:`timeline_chart`: both renderers, the legend and the
parity tests take it from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from calc.analysis.levers import Levers
from calc.analysis.pace import Pace
from calc.analysis.statements import StatedCheck, stated_checks
from calc.analysis.timeline import Timeline
from calc.core.months import month_index
from calc.presentation.chart_spec import (
    DASHED,
    DOTTED,
    Area,
    Axis,
    Bar,
    Bars,
    Chart,
    Key,
    Line,
    Mark,
    Panel,
    Point,
    Points,
    Rule,
    multiple_name,
)
from calc.presentation.colours import DIRECTIONS, GRID, NEUTRAL, TARGET, series_colours
from calc.presentation.formatting import format_value, month_text, times
from calc.presentation.levers import levers_table, path_text, paths_title
from calc.presentation.tables.timeline import timeline_table

if TYPE_CHECKING:
    from calc.analysis.statements import Stated

__all__ = ["FACILITY_POWER", "MULTIPLE", "STATED", "levers_chart", "reference_name",
           "timeline_chart"]

#: The facility power's step line (black: no generation takes it).
FACILITY_POWER = "facility power (right axis)"
_POWER_COLOUR = "#000000"
#: What the operator said, drawn over the build-out (a colour no generation takes).
STATED = "#882255"
#: The compute multiple's line under the build-out (its colour is no generation's).
MULTIPLE = "compute multiple"
#: The operator's pace is drawn up to this multiple of the highest modelled H100e, so a pace
#: growing on past the build-out does not flatten the chart.
_PACE_CAP = 1.5
#: Phases whose dates are least sure.
_LOW_CONFIDENCE = ("unconfirmed", "preliminary")


def _shown_statements(timeline: Timeline, stated: Sequence[Stated]
                      ) -> list[StatedCheck]:
    """The operator's statements that fall within the build-out's months."""
    months = timeline.months
    return [c for c in stated_checks(timeline, stated) if months[0] <= c.month <= months[-1]]


def _pace_name(pace: Pace) -> str:
    """The legend name of the operator's pace (its line and the band of its range)."""
    return (f"{pace.operator}'s pace ({pace.growth:.2f}×/yr, "
            f"{pace.slowest:.2f}–{pace.fastest:.2f})")


def _pace_marks(timeline: Timeline, pace: Pace, colour: str) -> list[Mark]:
    """The operator's pace through its stated compute: the band its range allows and the
    fitted line, one series, up to :data:`_PACE_CAP` × the most modelled H100e."""
    cap = _PACE_CAP * max(float(v) for v in timeline.series["h100_equivalents"])
    index = [month_index(m) for m in timeline.months]
    least, most = pace.band(index)
    shown = [(m, float(c), float(lo), min(float(hi), cap))
             for m, c, lo, hi in zip(timeline.months, pace.h100e(index), least, most,
                                     strict=True) if float(c) <= cap]
    if not shown:
        return []
    months = tuple(m for m, *_ in shown)
    name = _pace_name(pace)
    return [Area(name, colour, months, tuple(lo for *_, lo, _ in shown),
                 tuple(hi for *_, hi in shown), step=True, opacity=0.15),
            Line(name, colour, months, tuple(c for _, c, *_ in shown), step=True,
                 dash=DOTTED, width=1.8)]


def reference_name(reference: Timeline) -> str:
    """The legend's name of a reference build-out (the preset before the user's changes)."""
    return f"{reference.scenario.name} before your changes"


def _faint(reference: Timeline | None, series: str, positive: bool = False) -> list[Mark]:
    """``reference``'s ``series`` as a faint step line behind the build-out (none without
    one; only its positive values on a log axis)."""
    if reference is None:
        return []
    shown = [(m, float(v)) for m, v in zip(reference.months, reference.series[series],
                                           strict=True) if not positive or float(v) > 0]
    if len(shown) < 2:
        return []
    return [Line(reference_name(reference), GRID, tuple(m for m, _ in shown),
                 tuple(v for _, v in shown), step=True, dash=DASHED, width=2.5, opacity=0.8)]


def _build_out(timeline: Timeline, stated: Sequence[Stated],
               pace: Pace | None = None, reference: Timeline | None = None) -> Panel:
    """H100e by generation (stacked), what the target needs, the operator's statements and
    pace, the phases' starts, the month the target is reached at central values; facility
    power on the right."""
    months = timeline.months
    target = timeline.target
    by_generation = timeline.arrays.by_generation.get("h100_equivalents", {})
    stated_label = ""
    checks = _shown_statements(timeline, stated)
    if checks:
        stated_label = f"{checks[0].statement.operator} says (H100e)"
    needed_label = f"H100e the {target:g}× target needs"
    colours = _colours(timeline, pace)
    marks: list[Mark] = []
    lower = [0.0] * len(months)
    for generation, values in by_generation.items():
        upper = [a + float(b) for a, b in zip(lower, values, strict=True)]
        marks.append(Area(generation, colours[generation], months, tuple(lower), tuple(upper),
                          step=True, opacity=0.9))
        lower = upper
    needed = [float(h) * target / float(m) if float(m) > 0 else float("nan")
              for h, m in zip(timeline.series["h100_equivalents"],
                              timeline.series["compute_multiple"], strict=True)]
    marks += _faint(reference, "h100_equivalents")
    marks.append(Line(needed_label, TARGET, months, tuple(needed), step=True, dash=DASHED))
    if pace is not None:
        marks.extend(_pace_marks(timeline, pace, colours[_pace_name(pace)]))
    if checks:
        marks.append(Points(tuple(
            Point(c.month, float(c.statement.h100_equivalents), stated_label, STATED,
                  shape="triangle-up" if c.statement.bound == "at_least" else "diamond",
                  fill=0.0 if c.statement.bound == "at_least" else 1.0,
                  tooltip=(("statement", stated_label), ("month", c.month),
                           ("bound", "at least" if c.statement.bound == "at_least"
                            else "stated"),
                           ("H100e", format_value(float(c.statement.h100_equivalents),
                                                  "H100e"))))
            for c in checks), size=60))
    for phase in timeline.phases:
        if months[0] <= phase.begins <= months[-1]:
            low = phase.confidence in _LOW_CONFIDENCE
            marks.append(Rule("x", phase.begins, colour=NEUTRAL,
                              dash=DOTTED, width=1.0, label_angle=90,
                              label=phase.name + (" (low confidence)" if low else "")))
    reached = timeline.target_reached
    if reached:
        marks.append(Rule("x", reached, colour=TARGET, width=2.0, bold=True,
                          label=f"{target:g}× in {month_text(reached)} at central values"))
    marks.append(Line(FACILITY_POWER, _POWER_COLOUR, months,
                      tuple(float(v) for v in timeline.series["facility_power_mw"]), step=True,
                      right=True))
    return Panel(Axis(kind="time", title="Year"), Axis("H100-equivalents", "H100e"),
                 tuple(marks), y2=Axis("Facility power", "MW"), height=360)


def _colours(timeline: Timeline, pace: Pace | None = None) -> dict[str, str]:
    """One colour for each generation, the compute multiple and the operator's pace, none
    the power line's or the statements'."""
    generations = timeline.arrays.by_generation.get("h100_equivalents", {})
    paced = [_pace_name(pace)] if pace is not None else []
    return series_colours([*generations, MULTIPLE, *paced], skip=(_POWER_COLOUR, STATED))


def _multiple(timeline: Timeline, measure: str | None,
              reference: Timeline | None = None) -> Panel:
    """The compute multiple month by month (log scale) against the target line."""
    target = timeline.target
    name = multiple_name(measure, timeline.baseline)
    shown = [(m, float(v)) for m, v in zip(timeline.months, timeline.series["compute_multiple"],
                                             strict=True) if float(v) > 0]
    marks: list[Mark] = [
        *_faint(reference, "compute_multiple", positive=True),
        Line(MULTIPLE, _colours(timeline)[MULTIPLE], tuple(m for m, _ in shown),
             tuple(v for _, v in shown), step=True, width=2.5),
        Rule("y", target, series=f"target {target:g}×", colour=TARGET, dash=DASHED, width=2.0,
             label=f"target {times(target)}"),
    ]
    reached = timeline.target_reached
    if reached:
        marks.append(Rule("x", reached, colour=TARGET, width=2.0))
    return Panel(Axis(kind="time", title="Year"), Axis(name, "1", log=True), tuple(marks),
                 title=f"{name}, month by month", height=200)


def timeline_chart(timeline: Timeline, stated: Sequence[Stated] = (), *,
                   measure: str | None = None, pace: Pace | None = None,
                   reference: Timeline | None = None) -> Chart:
    """The build-out month by month: H100-equivalents by generation, facility power, what the
    target needs, the phases, what the operator said (``stated``) and its pace through it
    (``pace``); under it the compute multiple against the target (``measure`` names what it
    measures). ``reference`` (the preset's build-out before the user's changes) is drawn
    faint behind both: its H100-equivalents and its multiple."""
    reached = timeline.target_reached
    notes = () if reached else (f"{timeline.target:g}× not reached by {timeline.until}",)
    keys = (Key("stated (H100e)", "diamond"), Key("stated floor: at least", "triangle-up", 0.0)) \
        if _shown_statements(timeline, stated) else ()
    return Chart(timeline_table(timeline, pace), (_build_out(timeline, stated, pace, reference),
                                            _multiple(timeline, measure, reference)),
                 notes=notes, keys=keys,
                 reference=reference.scenario.name if reference is not None else "")


def levers_chart(levers: Levers, *, measure: str | None = None) -> Chart:
    """The waterfall: each lever's factor as a bar from the running product before it to the
    one after (log scale), coloured by what it does, with the target; the single-lever
    paths as notes. A month with no hardware has nothing to draw (``empty``)."""
    table = levers_table(levers)
    decomposition = levers.decomposition
    if decomposition is None:
        return Chart(table, (), empty=levers.empty)
    bars = []
    for row in table.rows():
        start, end = float(row["start"]), float(row["end"])
        low, high = min(start, end), max(start, end)
        if high / low < 1.01:  # no change: a thin bar so the lever still shows
            low, high = low / 1.01, high * 1.01
        direction = ("total" if row["lever"] == "total" else
                     "raises" if end > start * (1 + 1e-9) else
                     "lowers" if end < start * (1 - 1e-9) else "no change")
        bars.append(Bar(str(row["title"]), low, high, direction, DIRECTIONS[direction],
                        label=f"{float(row['factor']):.3g}×"))
    target = levers.target
    name = multiple_name(measure, levers.baseline)
    panel = Panel(
        Axis(kind="category", categories=tuple(b.category for b in bars)),
        Axis(f"Running {name[0].lower()}{name[1:]}", "1", log=True),
        (Bars(tuple(bars), thickness=0.6), Rule("y", 1.0, colour="#555555", width=1.0),
         Rule("y", target, series=f"target {target:g}×", colour=TARGET, dash=DASHED,
              width=2.0, label=f"target {target:g}×")),
        height=300)
    return Chart(table, (panel,), notes_title=paths_title(decomposition),
                 notes=tuple(path_text(p) for p in levers.paths))
