"""Declarations of the sensitivity charts: the tornado, the Sobol indices, and what knowing
each input would do to the chance of the target.

Inputs that move nothing are left out of the drawing (their tables keep them).
"""

from __future__ import annotations

from calc.analysis.sensitivity import ConditionalP, Sensitivity
from calc.core.vocabulary import OUTPUTS
from calc.presentation.chart_spec import Axis, Bar, Bars, Chart, Panel, Rule
from calc.presentation.colours import PALETTE
from calc.presentation.formatting import format_value, percent
from calc.presentation.tables.sensitivity import conditional_p_table, sobol_table, tornado_table

__all__ = ["conditional_p_chart", "sobol_chart", "tornado_chart"]

_LOW, _HIGH = "input at its low", "input at its high"
_KNOWN_LOW, _KNOWN_HIGH = "input known to be at its low", "input known to be at its high"
_UNPINNED = "as sampled (nothing known)"


def tornado_chart(result: Sensitivity) -> Chart:
    """Bars from the output at the central values to its value at each input's low and high,
    widest swing first, each input named with its range."""
    table = tornado_table(result)
    output = OUTPUTS[result.output]
    central = float(result.central)
    bars: list[Bar] = []
    for row in table.rows():
        if not row["swing"] > 0:
            continue
        unit = row["input_unit"]
        name = (f"{row['label']}  [{format_value(float(row['input_low']), unit)} – "
                f"{format_value(float(row['input_high']), unit)}]")
        bars += [Bar(name, central, float(row["output_low"]), _LOW, PALETTE[0]),
                 Bar(name, central, float(row["output_high"]), _HIGH, PALETTE[1])]
    names = tuple(dict.fromkeys(b.category for b in bars))
    empty = "" if bars else "no input with a range moves it"
    panel = Panel(Axis(f"{output.title}; centre {format_value(central, output.unit)}",
                       output.unit, zero=False),
                  Axis(kind="category", categories=names),
                  (Bars(tuple(bars), thickness=0.7), Rule("x", central, colour="#000000",
                                                          width=1.0)),
                  height=max(22 * len(names), 60))
    return Chart(table, (panel,) if bars else (), empty=empty, scenario=result.scenario.name)


def sobol_chart(result: Sensitivity) -> Chart:
    """First-order and total Sobol indices per input with their 95 % intervals, on a 0–100 %
    axis, largest total first."""
    table = sobol_table(result)
    series = {"S1": ("first order (S1: alone)", PALETTE[0]),
              "ST": ("total (ST: with interactions)", PALETTE[1])}
    bars = []
    for row in table.rows():
        if abs(row["ST"]) < 1e-9 and abs(row["S1"]) < 1e-9:
            continue
        for index, (name, colour) in series.items():
            value, conf = float(row[index]), float(row[f"{index}_conf"])
            bars.append(Bar(str(row["label"]), 0.0, min(max(value, 0.0), 1.0), name, colour,
                            error=(min(max(value - conf, 0.0), 1.0),
                                   min(max(value + conf, 0.0), 1.0))))
    names = tuple(dict.fromkeys(b.category for b in bars))
    panel = Panel(Axis("Share of the output's variance", kind="share", domain=(0.0, 1.0)),
                  Axis(kind="category", categories=names), (Bars(tuple(bars), grouped=True),),
                  height=max(30 * len(names), 60))
    return Chart(table, (panel,) if bars else (), empty="" if bars else "no input varies it",
                 scenario=result.scenario.name)


def conditional_p_chart(result: ConditionalP, *, measure: str | None = None) -> Chart:
    """"What if we knew": P(target) with each input pinned at its low and at its high, as
    bars from the unpinned chance, widest swing first, on a 0–100 % axis."""
    table = conditional_p_table(result)
    central = float(result.p_target)
    target = result.scenario.inputs.target.compute_multiplier
    bars = []
    for row in table.rows():
        if not row["swing"] > 0:
            continue
        for end, name, colour in (("low", _KNOWN_LOW, PALETTE[0]),
                                  ("high", _KNOWN_HIGH, PALETTE[1])):
            bars.append(Bar(str(row["label"]), central, float(row[f"p_{end}"]), name, colour))
    names = tuple(dict.fromkeys(b.category for b in bars))
    what = f" ({measure})" if measure else ""
    panel = Panel(Axis(f"Chance of {target:g}×{what}", kind="share", domain=(0.0, 1.0)),
                  Axis(kind="category", categories=names),
                  (Bars(tuple(bars), thickness=0.6),
                   Rule("x", central, series=_UNPINNED, colour="#000000", width=1.5,
                        label=f"{percent(central)} as sampled")),
                  height=max(24 * len(names), 60))
    return Chart(table, (panel,) if bars else (),
                 empty="" if bars else "knowing no single input would move the chance",
                 scenario=result.scenario.name)
