"""The data behind the sensitivity charts: tornado swings and Sobol indices."""

from __future__ import annotations

import math
from typing import Any

from calc.analysis.sensitivity import ConditionalP, Parameter, Sensitivity
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.presentation.formatting import input_title, percent
from calc.presentation.tables.base import Table, provenance

__all__ = ["conditional_p_table", "sobol_table", "tornado_table"]


def _title(parameter: Parameter) -> str:
    return input_title(parameter.key, parameter.side)


def _slug(output: str) -> str:
    return output.replace("_", "-")


def tornado_table(result: Sensitivity) -> Table:
    """Output at each input's low and high, widest swing first.

    An input at whose low or high the output is out of reach (an infinite power
    for the target) has no bar; the caption names it. When the central value
    itself is out of reach, no input has a bar.
    """
    cols: dict[str, list[Any]] = {k: [] for k in (
        "key", "label", "side", "input_unit", "input_low", "input_high", "output_low",
        "output_high", "swing")}
    central_ok = math.isfinite(result.central)
    drawn = [b for b in result.tornado if central_ok and math.isfinite(b.output_low)
             and math.isfinite(b.output_high)]
    beyond = [_title(b.parameter) for b in result.tornado if b not in drawn]
    note = "low/high are 90 % intervals; other inputs at their central value"
    if not central_ok:
        note += "; out of reach at the central values, so no input has a bar"
    elif beyond:
        note += f"; out of reach at an end, not drawn: {', '.join(beyond)}"
    for bar in drawn:
        cols["key"].append(bar.parameter.key)
        cols["label"].append(_title(bar.parameter))
        cols["side"].append(bar.parameter.side)
        cols["input_unit"].append(INPUTS[bar.parameter.key].unit)
        cols["input_low"].append(bar.input_low)
        cols["input_high"].append(bar.input_high)
        cols["output_low"].append(bar.output_low)
        cols["output_high"].append(bar.output_high)
        cols["swing"].append(bar.swing)
    unit = OUTPUTS[result.output].unit
    return Table(
        name=f"tornado-{_slug(result.output)}",
        title=f"{OUTPUTS[result.output].title}: each input from its low to its high",
        columns=cols,
        units={"output_low": unit, "output_high": unit, "swing": unit},
        caption=provenance([result.scenario.name], result.baseline.name, note),
    )


def sobol_table(result: Sensitivity) -> Table:
    """Sobol S1 and ST with 95 % confidence half-widths, largest ST first."""
    cols: dict[str, list[Any]] = {k: [] for k in ("key", "label", "side", "S1", "S1_conf",
                                                   "ST", "ST_conf")}
    for index in result.sobol:
        cols["key"].append(index.parameter.key)
        cols["label"].append(_title(index.parameter))
        cols["side"].append(index.parameter.side)
        for name in ("S1", "S1_conf", "ST", "ST_conf"):
            cols[name].append(getattr(index, name))
    return Table(
        name=f"sobol-{_slug(result.output)}",
        title=f"{OUTPUTS[result.output].title}: share of variance (Sobol indices)",
        columns=cols,
        units={"S1": "1", "S1_conf": "1", "ST": "1", "ST_conf": "1"},
        caption=provenance(
            [result.scenario.name], result.baseline.name,
            f"Saltelli N = {result.samples:,} ({result.evaluations:,} model runs), "
            f"seed {result.seed}; SALib; 95 % bootstrap intervals; inputs independent"),
    )


def conditional_p_table(result: ConditionalP) -> Table:
    """P(target) with each input pinned at its low and at its high, widest swing first."""
    cols: dict[str, list[Any]] = {k: [] for k in (
        "key", "label", "side", "input_unit", "input_low", "input_high", "p_low", "p_high",
        "swing")}
    for row in result.pinned:
        m = row.parameter.marginal
        for name, value in (("key", row.parameter.key), ("label", _title(row.parameter)),
                            ("side", row.parameter.side),
                            ("input_unit", INPUTS[row.parameter.key].unit),
                            ("input_low", m.low), ("input_high", m.high), ("p_low", row.p_low),
                            ("p_high", row.p_high), ("swing", row.swing)):
            cols[name].append(value)
    target = result.scenario.inputs.target.compute_multiplier
    return Table(
        name="p-target-conditional",
        title=f"P({target:g}×) if each input were known: pinned at its low and at its high",
        columns=cols,
        units={"p_low": "1", "p_high": "1", "swing": "1"},
        caption=provenance([result.scenario.name], result.baseline.name,
                           f"{result.samples:,} joint samples, seed {result.seed}; unpinned "
                           f"P = {percent(result.p_target)}; the other inputs sampled"),
    )
