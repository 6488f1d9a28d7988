"""Declarations of the static scenarios' charts: against the baseline, power → compute, cost,
owning against leasing."""

from __future__ import annotations

import math
from collections.abc import Sequence

from calc.analysis.run import Result
from calc.core.constants import CURRENCY
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
from calc.presentation.colours import NEUTRAL, PALETTE, TARGET, series_colours
from calc.presentation.formatting import format_value, multiple, percent
from calc.presentation.tables.scenarios import (
    comparison_table,
    cost_table,
    lease_table,
    power_curve_table,
    utilisation_table,
)

__all__ = ["MARKED_POWERS", "breakeven_text", "comparison_chart", "cost_chart", "lease_chart",
           "power_chart", "utilisation_chart"]

#: The article's two sizes, marked and named on the power chart.
MARKED_POWERS = {100.0: "100 MW (phase 1)", 500.0: "500 MW (full build)"}
#: The scenarios' circles on the power chart (no accelerator's curve takes it).
_POINTS = "#000000"


def _shown(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit)
    return text + "×" if output == "compute_multiple" else text


def comparison_chart(results: Sequence[Result], baseline: Result, *,
                     measure: str | None = None) -> Chart:
    """Each scenario against the baseline: one bar per key output from the baseline (1×) to
    the scenario's ratio, on a log scale, labelled with the value as the cards write it;
    the target marked on the compute multiple, whose row says what it measures
    (``measure``, :func:`calc.core.vocabulary.measure_title`)."""
    table = comparison_table(results, baseline)
    target = baseline.scenario.inputs.target.compute_multiplier
    rows = [row for row in table.rows() if float(row["ratio"]) > 0]
    for row in rows:
        if row["output"] == "compute_multiple" and measure:
            row["title"] = multiple_name(measure)
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    titles = list(dict.fromkeys(r["title"] for r in rows))
    colours = series_colours(scenarios)
    bars = Bars(tuple(Bar(r["title"], 1.0, float(r["ratio"]), r["scenario"],
                          colours[r["scenario"]],
                          label=_shown(float(r["value"]), r["unit"], r["output"]))
                      for r in rows), grouped=True)
    marks: list[Bars | Rule] = [bars, Rule("x", 1.0, colour="#555555", width=1.0)]
    multiple = next((r["title"] for r in rows if r["output"] == "compute_multiple"), None)
    if multiple is not None and target:
        marks.append(Rule("x", target, series=f"target: {target:g}× {baseline.name}",
                          colour=TARGET, width=3.0, within=multiple))
    panel = Panel(Axis(f"Against {baseline.name}, log scale", "1", log=True, padding=56),
                  Axis(categories=tuple(titles), kind="category"), tuple(marks),
                  height=len(titles) * (len(scenarios) * 17 + 14))
    return Chart(table, (panel,))


def power_chart(library: Library, scenario: Scenario, baseline_effective: float,
                points: Sequence[Result] = (), *, powers_mw: Sequence[float] | None = None,
                accelerators: Sequence[str] | None = None,
                measure: str | None = None) -> Chart:
    """H100-equivalents and effective FLOP/s against facility power per accelerator (log–log):
    the current accelerator's curve thick, the article's 100 and 500 MW marked, the target
    level and ``points`` (results: the scenarios) named on the curves."""
    table = power_curve_table(library, scenario, baseline_effective, powers_mw=powers_mw,
                              accelerators=accelerators)
    rows = table.rows()
    chips = list(dict.fromkeys(r["accelerator"] for r in rows))
    colours = series_colours(chips, skip=(_POINTS,))  # black marks the scenarios
    current = scenario["hardware.accelerator"]
    target = scenario.inputs.target.compute_multiplier
    level = target * baseline_effective
    panels = []
    for key, title, unit in (("h100_equivalents", "H100-equivalents", "H100e"),
                             ("effective_flop_per_s", "Effective training compute", "FLOP/s")):
        lines = tuple(Line(chip, colours[chip],
                           tuple(r["facility_power_mw"] for r in rows if r["accelerator"] == chip),
                           tuple(r[key] for r in rows if r["accelerator"] == chip),
                           width=3.5 if chip == current else 1.5)
                      for chip in chips)
        marks: list[Line | Rule | Points] = [*lines]
        marks += [Rule("x", mw, colour=NEUTRAL, dash=DOTTED, width=1.0, label=name)
                  for mw, name in MARKED_POWERS.items()]
        if key == "effective_flop_per_s":
            what = f"target: {target:g}× baseline" + (f" {measure}" if measure else "")
            marks.append(Rule("y", level, series=what, colour=TARGET, dash=DASHED, width=2.0,
                              label=f"{what}: {format_value(level, 'FLOP/s')}"))
        if points:
            marks.append(Points(tuple(
                Point(float(r.outputs["facility_power_mw"]), float(r.outputs[key]), "", _POINTS,
                      fill=0.0, label=r.name, place="right",
                      tooltip=(("scenario", r.name),
                               ("accelerator", str(r.scenario["hardware.accelerator"])),
                               ("facility power", format_value(
                                   float(r.outputs["facility_power_mw"]), "MW")),
                               (title, format_value(float(r.outputs[key]), unit))))
                for r in points), size=140))
        panels.append(Panel(Axis("Facility power", "MW", log=True), Axis(title, unit, log=True),
                            tuple(marks), height=320))
    return Chart(table, tuple(panels))


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
