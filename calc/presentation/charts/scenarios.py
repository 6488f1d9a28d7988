"""Declarations of the static scenarios' charts: against the baseline, power → compute, cost,
owning against leasing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from calc.analysis.run import Result, outcome_of, solve_input
from calc.core.constants import CURRENCY
from calc.core.errors import NoSolution
from calc.core.vocabulary import INPUTS
from calc.data.scenarios import Library, Scenario
from calc.presentation.chart_spec import (
    DASHED,
    DOTTED,
    Axis,
    Bar,
    Bars,
    Chart,
    Line,
    Panel,
    Point,
    Points,
    Rule,
    multiple_name,
)
from calc.presentation.colours import GRID, NEUTRAL, PALETTE, TARGET, series_colours
from calc.presentation.formatting import format_value, multiple, percent
from calc.presentation.label_places import (
    CHAR_PX,
    DASHBOARD_PLOT,
    LINE_PX,
    Box,
    place_labels,
    plot_point,
)
from calc.presentation.tables.base import Table
from calc.presentation.tables.scenarios import (
    comparison_table,
    cost_table,
    lease_table,
    power_curve_table,
    utilisation_table,
)

__all__ = ["COINCIDENT", "Crossing", "breakeven_text", "chip_groups", "comparison_chart",
           "cost_chart", "crossings", "lease_chart", "power_chart", "utilisation_chart"]

#: The scenarios' circles on the power chart (no accelerator's curve takes it).
_POINTS = "#000000"
#: Two chips' power curves closer than this (relative, at every power) are one line: they
#: differ by less than a unit in the third significant figure, the precision capcalc writes.
COINCIDENT = 1e-3
Ranges = tuple[tuple[float, float], tuple[float, float]]


def _shown(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit)
    return text + "×" if output == "compute_multiple" else text


def comparison_chart(results: Sequence[Result], baseline: Result, *,
                     measure: str | None = None) -> Chart:
    """Each scenario against the baseline: one bar per key output from the baseline (1×) to
    the scenario's ratio, on a log scale, labelled with the value as the cards write it.

    The baseline is the labelled line at 1× (its bars would have no length, so it
    has none, and no legend entry for them; nor has a scenario equal to it on every
    output, which the notes name); the target is a labelled line across
    the whole chart at the target multiple, which the compute multiple's row —
    named for what it measures (``measure``, :func:`calc.core.vocabulary.measure_title`)
    — must reach.
    """
    table = comparison_table(results, baseline)
    target = baseline.scenario.inputs.target.compute_multiplier
    rows = [row for row in table.rows() if float(row["ratio"]) > 0]
    for row in rows:
        if row["output"] == "compute_multiple" and measure:
            row["title"] = multiple_name(measure)
    titles = list(dict.fromkeys(r["title"] for r in rows))
    moved = {r["scenario"] for r in rows if float(r["ratio"]) != 1.0}
    same = [name for name in dict.fromkeys(r["scenario"] for r in rows)
            if name not in moved and name != baseline.name]
    drawn = [r for r in rows if r["scenario"] in moved and r["scenario"] != baseline.name]
    scenarios = list(dict.fromkeys(r["scenario"] for r in drawn))
    colours = series_colours(scenarios)
    bars = Bars(tuple(Bar(r["title"], 1.0, float(r["ratio"]), r["scenario"],
                          colours[r["scenario"]],
                          label=_shown(float(r["value"]), r["unit"], r["output"]))
                      for r in drawn), grouped=True)
    marks: list[Bars | Rule] = [bars] if drawn else []
    marks.append(Rule("x", 1.0, series=f"baseline: {baseline.name} = 1×", colour=NEUTRAL,
                      width=1.5, label=f"{baseline.name} = 1×"))
    multiple = next((r["title"] for r in rows if r["output"] == "compute_multiple"), None)
    if multiple is not None and target:
        name = f"target: {target:g}× {baseline.name}"  # on the row of the multiple
        marks.append(Rule("x", target, series=name, colour=TARGET, dash=DASHED, width=2.0,
                          label=f"target {target:g}×", bold=True))
    panel = Panel(Axis(f"Against {baseline.name}, log scale", "1", log=True, padding=56),
                  Axis(categories=tuple(titles), kind="category"), tuple(marks),
                  height=len(titles) * (max(len(scenarios), 1) * 17 + 14) + 20)
    notes = (f"Equal to {baseline.name} on every output shown (no bar): {', '.join(same)}",) \
        if same else ()
    return Chart(table, (panel,), notes=notes)


def chip_groups(table: Table) -> list[tuple[str, ...]]:
    """The accelerators of a power → compute table, coincident ones together, in order.

    Two chips are coincident when their H100-equivalents and effective FLOP/s
    agree within :data:`COINCIDENT` at every power: drawn apart, one line would
    hide the other. A chip joins the first group whose first chip it matches.
    """
    rows = table.rows()
    curves: dict[str, np.ndarray] = {}
    for chip in dict.fromkeys(r["accelerator"] for r in rows):
        curves[chip] = np.array([(r["h100_equivalents"], r["effective_flop_per_s"])
                                 for r in rows if r["accelerator"] == chip], dtype=float)
    groups: list[list[str]] = []
    for chip, curve in curves.items():
        for group in groups:
            first = curves[group[0]]
            if first.shape == curve.shape and np.allclose(curve, first, rtol=COINCIDENT,
                                                          atol=0.0):
                group.append(chip)
                break
        else:
            groups.append([chip])
    return [tuple(group) for group in groups]


@dataclass(frozen=True)
class Crossing:
    """Where a chip's curve meets the target: the facility power it needs, MW, and the
    effective FLOP/s it then gives (None: no power in range reaches the target)."""

    chip: str
    power_mw: float | None
    effective_flop_per_s: float | None


def crossings(library: Library, scenario: Scenario, baseline_effective: float,
              chips: Sequence[str]) -> list[Crossing]:
    """The facility power each chip needs for ``scenario``'s target multiple, as ``capcalc
    solve`` finds it (:func:`calc.analysis.run.solve_input`), its other assumptions kept."""
    target = scenario.inputs.target.compute_multiplier
    out = []
    for chip in chips:
        on_chip = library.with_accelerator(scenario, chip)
        try:
            power = solve_input(on_chip, "site.facility_power_mw", "compute_multiple", target,
                                baseline_effective).value
        except NoSolution:
            out.append(Crossing(chip, None, None))
            continue
        flops = outcome_of(on_chip, "site.facility_power_mw", "effective_flop_per_s",
                           baseline_effective)(np.array([power]))
        out.append(Crossing(chip, float(power), float(flops[0])))
    return out


def _reference_lines(library: Library, reference: Result, baseline_effective: float,
                     powers_mw: Sequence[float] | None) -> dict[str, Line]:
    """The reference's curve on its own chip, faint, per panel key (the preset before the
    user's changes)."""
    chip = str(reference.scenario["hardware.accelerator"])
    rows = power_curve_table(library, reference.scenario, baseline_effective,
                             powers_mw=powers_mw, accelerators=[chip]).rows()
    name = _reference_name(reference)
    return {key: Line(name, GRID, tuple(r["facility_power_mw"] for r in rows),
                      tuple(r[key] for r in rows), dash=DASHED, width=3.0, opacity=0.7)
            for key in ("h100_equivalents", "effective_flop_per_s")}


def _reference_name(reference: Result) -> str:
    return f"{reference.name} before your changes ({reference.scenario['hardware.accelerator']})"


def _crossing_labels(points: Sequence[tuple[float, float, str, str]], ranges: Ranges,
                     height: int, reserved: Sequence[Box]) -> list[tuple[str, str | None]]:
    """Each crossing's label and place: the chip and its power where that fits, else the
    power alone, else none (the notes list every one); most important first; clear of
    every marker and the ``reserved`` boxes (the other marks' texts)."""
    plot = (DASHBOARD_PLOT[0], float(height))
    chosen: list[tuple[float, float, str]] = []
    out: list[tuple[str, str | None]] = []
    for i, (x, y, long, short) in enumerate(points):
        rest = [(a, b, "") for a, b, *_ in points[i + 1:]]  # their markers, not yet their names
        for text in (long, short):
            place = place_labels([*chosen, (x, y, text), *rest], ranges=ranges, plot=plot,
                                 reserved=reserved)[i]
            if place is not None:
                break
        chosen.append((x, y, text if place is not None else ""))
        out.append((text, place))
    return out


def _reserved(rules: Sequence[Rule], circles: Sequence[tuple[float, float, str]],
              ranges: Ranges, height: int) -> list[Box]:
    """What the crossings' names must keep clear of, px: the rules' labels (at the top of a
    vertical rule, above the left end of a horizontal one, as both renderers write them)
    and the scenarios' circles with their names on the right."""
    plot = (DASHBOARD_PLOT[0], float(height))
    boxes: list[Box] = []
    for rule in rules:
        if not rule.label or not isinstance(rule.at, int | float):
            continue
        wide = CHAR_PX * len(rule.label)
        if rule.axis == "y":
            _, y = plot_point(ranges[0][0], float(rule.at), plot=plot, ranges=ranges)
            boxes.append((0.0, y - 7 - LINE_PX / 2, 4 + wide, y - 7 + LINE_PX / 2))
        else:
            x, _ = plot_point(float(rule.at), ranges[1][0], plot=plot, ranges=ranges)
            boxes.append((x, 0.0, x + 4 + wide, 8 + LINE_PX / 2))
    for x, y, name in circles:
        px, py = plot_point(x, y, plot=plot, ranges=ranges)
        boxes.append((px - 7, py - 7, px + 8 + CHAR_PX * len(name), py + 7))
    return boxes


def _crossing_marks(found: Sequence[tuple[tuple[str, ...], Crossing]], names: dict[str, str],
                    colours: dict[str, str], current: str, ranges: Ranges,
                    height: int, reserved: Sequence[Box]) -> list[Points]:
    """Each line's crossing with the target, labelled with the power it needs; the current
    chip's first, larger and in bold."""
    reached = [(g, c) for g, c in sorted(found, key=lambda gc: current not in gc[0])
               if c.power_mw is not None and c.effective_flop_per_s is not None]
    labels = _crossing_labels([(float(c.power_mw or 0), float(c.effective_flop_per_s or 0),
                                f"{names[g[0]]}: {format_value(c.power_mw, 'MW')}",
                                format_value(c.power_mw, "MW")) for g, c in reached],
                              ranges, height, reserved)
    marks: list[Points] = []
    for bold in (False, True):
        chosen = [(g, c, label) for (g, c), label in zip(reached, labels, strict=True)
                  if (current in g) == bold]
        if chosen:
            marks.append(Points(tuple(
                Point(float(c.power_mw or 0), float(c.effective_flop_per_s or 0), names[g[0]],
                      colours[names[g[0]]], shape="diamond", label=text, place=place,
                      tooltip=(("accelerator", names[g[0]]),
                               ("facility power for the target",
                                format_value(c.power_mw, "MW"))))
                for g, c, (text, place) in chosen), size=110 if bold else 60, bold=bold))
    return marks


def _crossing_notes(found: Sequence[tuple[tuple[str, ...], Crossing]], names: dict[str, str],
                    target: float) -> list[str]:
    """Every line's power for the target in words, least first; the chips that cannot."""
    reached = sorted(((g, c) for g, c in found if c.power_mw is not None),
                     key=lambda gc: float(gc[1].power_mw or 0))
    said = " · ".join(f"{names[g[0]]} {format_value(c.power_mw, 'MW')}" for g, c in reached)
    notes = [f"Facility power for {target:g}×: {said}"] if said else []
    beyond = [names[g[0]] for g, c in found if c.power_mw is None]
    if beyond:
        most = format_value(float(INPUTS["site.facility_power_mw"].upper or 0.0), "MW")
        notes.append(f"No facility power up to {most} reaches {target:g}× on "
                     f"{', '.join(beyond)}")
    return notes


def _room(values: Sequence[float]) -> tuple[float, float]:
    """A log axis's range over ``values``, with room for the labels: at least 1.15× wider
    each way, its ends on the 1-2-5 steps (so a small change of the data, a slider's step,
    leaves the axes — and the screen's spec — as they are).

    >>> _room([10, 5000])
    (5.0, 10000.0)
    """
    finite = [v for v in values if math.isfinite(v) and v > 0]
    if not finite:
        return 1.0, 10.0
    low, high = min(finite) / 1.15, max(finite) * 1.15
    steps = (1.0, 2.0, 5.0, 10.0)
    down = 10.0 ** math.floor(math.log10(low))
    up = 10.0 ** math.floor(math.log10(high))
    return (max(s * down for s in steps if s * down <= low * (1 + 1e-12)),
            min(s * up for s in steps if s * up >= high * (1 - 1e-12)))


def power_chart(library: Library, scenario: Scenario, baseline_effective: float,
                points: Sequence[Result] = (), *, powers_mw: Sequence[float] | None = None,
                accelerators: Sequence[str] | None = None,
                measure: str | None = None, reference: Result | None = None) -> Chart:
    """H100-equivalents and effective FLOP/s against facility power per accelerator (log–log).

    Chips whose curves coincide (:func:`chip_groups`) share one line named for all of
    them ("H100 / H200"); the current accelerator's line is thick. The powers the story
    names are marked (``library.story.marks``); the target is a level on the compute panel, and each
    line's crossing with it is marked and labelled with the facility power that chip
    needs (:func:`crossings`, as ``capcalc solve`` finds it), the current chip's in
    bold; the notes list them all. ``points`` (results: the scenarios) are named
    circles on the curves. ``reference`` (the preset before the user's changes) is
    drawn faint: its chip's curve and its circle.
    """
    shown = [scenario.name, *(r.name for r in points if r.name != scenario.name)]
    table = power_curve_table(library, scenario, baseline_effective, powers_mw=powers_mw,
                              accelerators=accelerators, shown=shown)
    rows = table.rows()
    groups = chip_groups(table)
    names = {chip: " / ".join(group) for group in groups for chip in group}
    colours = series_colours([" / ".join(g) for g in groups], skip=(_POINTS,))
    current = str(scenario["hardware.accelerator"])
    target = scenario.inputs.target.compute_multiplier
    level = target * baseline_effective
    faint = _reference_lines(library, reference, baseline_effective, powers_mw) \
        if reference is not None else {}
    found = list(zip(groups, crossings(library, scenario, baseline_effective,
                                       [g[0] for g in groups]), strict=True))
    circles = [(r, 1.0) for r in points] + ([(reference, 0.0)] if reference is not None else [])
    x_range = _room([float(r["facility_power_mw"]) for r in rows]
                    + [float(c.power_mw) for _, c in found if c.power_mw is not None]
                    + [float(r.outputs["facility_power_mw"]) for r, _ in circles])
    height = 320
    panels = []
    for key, title, unit in (("h100_equivalents", "H100-equivalents", "H100e"),
                             ("effective_flop_per_s", "Effective training compute", "FLOP/s")):
        marks: list[Line | Rule | Points] = [faint[key]] if key in faint else []
        marks += [Line(names[g[0]], colours[names[g[0]]],
                       tuple(r["facility_power_mw"] for r in rows if r["accelerator"] == g[0]),
                       tuple(r[key] for r in rows if r["accelerator"] == g[0]),
                       width=3.5 if current in g else 1.5)
                  for g in groups]
        marks += [Rule("x", mark.facility_power_mw, colour=NEUTRAL, dash=DOTTED, width=1.0,
                       label=mark.label) for mark in library.story.marks]
        if key == "effective_flop_per_s":
            what = f"target: {target:g}× baseline" + (f" {measure}" if measure else "")
            marks.append(Rule("y", level, series=f"target: {target:g}× baseline", colour=TARGET,
                              dash=DASHED, width=2.0,
                              label=f"{what}: {format_value(level, 'FLOP/s')}"))
        y_range = _room([float(r[key]) for r in rows] + [float(r.outputs[key]) for r, _ in circles]
                        + ([level] if key == "effective_flop_per_s" else []))
        if key == "effective_flop_per_s":
            reserved = _reserved([m for m in marks if isinstance(m, Rule)],
                                 [(float(r.outputs["facility_power_mw"]), float(r.outputs[key]),
                                   r.name) for r, _ in circles], (x_range, y_range), height)
            marks += _crossing_marks(found, names, colours, current, (x_range, y_range), height,
                                     reserved)
        for ghost in (True, False):  # the reference's circle (a series), the scenarios'
            mine = [r for r, fill in circles if (fill == 0) == ghost]
            if mine:
                marks.append(Points(tuple(
                    Point(float(r.outputs["facility_power_mw"]), float(r.outputs[key]),
                          _reference_name(r) if ghost else "", GRID if ghost else _POINTS,
                          fill=0.0, label="" if ghost else r.name,
                          place=None if ghost else "right",
                          tooltip=(("scenario", r.name),
                                   ("accelerator", str(r.scenario["hardware.accelerator"])),
                                   ("facility power", format_value(
                                       float(r.outputs["facility_power_mw"]), "MW")),
                                   (title, format_value(float(r.outputs[key]), unit))))
                    for r in mine), size=140))
        panels.append(Panel(Axis("Facility power", "MW", log=True, domain=x_range),
                            Axis(title, unit, log=True, domain=y_range), tuple(marks),
                            height=height))
    return Chart(table, tuple(panels), scenario=scenario.name,
                 notes=tuple(_crossing_notes(found, names, target)),
                 reference=reference.name if reference is not None else "")


def cost_chart(results: Sequence[Result]) -> Chart:
    """Capex by part, and the yearly cost by part (capital recovery and electricity), per
    scenario: stacked bars, each scenario's total written at its end."""
    table = cost_table(results)
    rows = table.rows()
    colours = series_colours(dict.fromkeys(r["part"] for r in rows))
    panels = []
    for kind, title, unit in (("capex", "Capex", CURRENCY),
                              ("annual", "Yearly cost (capital recovery + electricity)",
                               f"{CURRENCY}/year")):
        mine = [r for r in rows if r["kind"] == kind]
        scenarios = list(dict.fromkeys(r["scenario"] for r in mine))
        bars: list[Bar] = []
        top = 0.0
        for name in scenarios:
            parts = [r for r in mine if r["scenario"] == name]
            start = 0.0
            for i, r in enumerate(parts):
                end = start + float(r["usd"])
                label = ""
                if i == len(parts) - 1:
                    label = format_value(end, CURRENCY) + ("/year" if kind == "annual" else "")
                bars.append(Bar(name, start, end, r["part"], colours[r["part"]], label=label))
                start = end
            top = max(top, start)
        room = top * 1.22 if top > 0 and math.isfinite(top) else 1.0
        panels.append(Panel(Axis(title.split(" (")[0], unit, domain=(0.0, room)),
                            Axis(kind="category", categories=tuple(scenarios)),
                            (Bars(tuple(bars)),), title=title if kind == "annual" else "",
                            height=30 * len(scenarios)))
    return Chart(table, tuple(panels))


def breakeven_text(utilisation: float) -> str:
    """The break-even utilisation in words, as the Cost view and the lease chart say it.

    >>> breakeven_text(0.41)
    'owning is cheaper above 41 % utilisation'
    >>> breakeven_text(1.3)
    'leasing is cheaper even at 100 % utilisation (owning costs 1.30× leasing all year)'
    """
    if not math.isfinite(utilisation):
        return "no break-even (the cloud price is zero)"
    if utilisation <= 1:
        return f"owning is cheaper above {percent(utilisation)} utilisation"
    return (f"leasing is cheaper even at 100 % utilisation (owning costs "
            f"{multiple(utilisation)} leasing all year)")


OWNED, LEASED = "owned (annualized capex + electricity)", "leased all year (cloud price)"
OWNED_SHORT, LEASED_SHORT = "owned", "leased"


def lease_chart(results: Sequence[Result]) -> Chart:
    """Owning against leasing per scenario: the yearly cost of each, side by side, labelled
    with the money and, on the leased bar, the break-even utilisation in words."""
    table = lease_table(results)
    bars = []
    for row in table.rows():
        owned, leased = float(row["annualized_cost_usd"]), float(row["cloud_cost_per_year_usd"])
        words = breakeven_text(float(row["lease_breakeven_utilisation"]))
        bars += [Bar(row["scenario"], 0.0, owned, OWNED, PALETTE[0],
                     label=format_value(owned, CURRENCY) + "/year"),
                 Bar(row["scenario"], 0.0, leased, LEASED, PALETTE[1],
                     label=f"{format_value(leased, CURRENCY)}/year · {words}")]
    scenarios = tuple(dict.fromkeys(str(r["scenario"]) for r in table.rows()))
    top = max((b.end for b in bars if math.isfinite(b.end)), default=0.0)
    panel = Panel(Axis("Cost per year", f"{CURRENCY}/year",
                       domain=(0.0, top * 2.2 if top > 0 else 1.0)),
                  Axis(kind="category", categories=scenarios),
                  (Bars(tuple(bars), grouped=True),), height=44 * len(scenarios))
    return Chart(table, (panel,))


def utilisation_chart(results: Sequence[Result]) -> Chart:
    """Yearly cost of owning (flat: the same at any use) and of leasing (rising with the
    share of the year used) against utilisation, per scenario: the break-even marked where
    they cross, the scenarios' utilisation as a vertical line."""
    table = utilisation_table(results)
    rows = table.rows()
    scenarios = list(dict.fromkeys(str(r["scenario"]) for r in rows))
    one = len(scenarios) == 1

    def series(name: str, kind: str) -> str:
        return kind if one else f"{name}: {kind}"

    names = [series(n, k) for n in scenarios for k in ("owned", "leased")]
    colours = {OWNED_SHORT: PALETTE[0], LEASED_SHORT: PALETTE[1]} if one \
        else series_colours(names)
    marks: list[Line | Rule | Points] = []
    crossings = []
    for name in scenarios:
        mine = [r for r in rows if r["scenario"] == name]
        xs = tuple(float(r["utilisation"]) for r in mine)
        marks.append(Line(series(name, "owned"), colours[series(name, "owned")], xs,
                          tuple(float(r["owned_usd_per_year"]) for r in mine)))
        marks.append(Line(series(name, "leased"), colours[series(name, "leased")], xs,
                          tuple(float(r["leased_usd_per_year"]) for r in mine), dash=DASHED))
        crossings += [Point(float(r["utilisation"]), float(r["owned_usd_per_year"]), "",
                            NEUTRAL, label=f"break-even {percent(float(r['utilisation']))}",
                            place="left",
                            tooltip=(("scenario", name),
                                     ("break-even", percent(float(r["utilisation"]))),
                                     ("cost per year", format_value(
                                         float(r["owned_usd_per_year"]), CURRENCY))))
                      for r in mine if r["what"] == "break-even"]
    used = sorted({float(r["utilisation"]) for r in rows if r["what"] == "utilisation"})
    marks += [Rule("x", u, colour=NEUTRAL, dash=DOTTED, width=1.0,
                   label=f"utilisation {percent(u)}") for u in used]
    if crossings:
        marks.append(Points(tuple(crossings), size=90))
    panel = Panel(Axis("Utilisation", kind="share", domain=(0.0, 1.0)),
                  Axis("Cost per year", f"{CURRENCY}/year"), tuple(marks), height=300)
    return Chart(table, (panel,))
