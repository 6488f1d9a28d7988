"""Sensitivity in words: the tornado and the Sobol indices as text tables."""

from __future__ import annotations

from collections.abc import Sequence

from calc.analysis.sensitivity import ConditionalP, Parameter, Sensitivity
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.presentation.formatting import format_value, input_title, output_text, percent
from calc.presentation.text import render_table

__all__ = ["conditional_p_text", "sensitivity_text"]


def _title(parameter: Parameter) -> str:
    return input_title(parameter.key, parameter.side)


def _keys(parameters: Sequence[Parameter]) -> str:
    """The line that names the rows' keys for the command line (``--set KEY=VALUE``)."""
    named = "; ".join(f"{_title(p)} = {p.key}" for p in dict.fromkeys(parameters))
    return f"For the command line (--set KEY=VALUE): {named}." if named else ""


def sensitivity_text(result: Sensitivity) -> str:
    """The table form of ``capcalc sensitivity``."""
    unit = OUTPUTS[result.output].unit
    lines = [f"Sensitivity of {result.output} ({OUTPUTS[result.output].title}) in "
             f"{result.scenario.name}, against {result.baseline.name}; central "
             f"{output_text(result.output, result.central, unit)}", "",
             "Tornado: each input from its low to its high (90 % interval), the others central"]
    header = ["input", "low – high", "output at low", "at high", "swing"]
    rows: list[list[str]] = []
    idle = [_title(bar.parameter) for bar in result.tornado if bar.swing == 0]
    for bar in result.tornado:
        if bar.swing == 0:
            continue
        input_unit = INPUTS[bar.parameter.key].unit
        rows.append([_title(bar.parameter),
                     f"{format_value(bar.input_low, input_unit)} – "
                     f"{format_value(bar.input_high, input_unit)}",
                     output_text(result.output, bar.output_low, unit),
                     output_text(result.output, bar.output_high, unit),
                     output_text(result.output, bar.swing, unit)])
    lines.append(render_table(header, rows))
    if idle:
        lines.append(f"  No effect on {result.output}: {', '.join(idle)}")
    if result.sobol:
        lines += ["", f"Sobol indices (SALib; Saltelli N = {result.samples:,}, "
                      f"{result.evaluations:,} model runs, seed {result.seed}; ± is a 95 % "
                      "interval; inputs taken as independent)"]
        header = ["input", "S1 (alone)", "ST (total)"]
        rows = []
        for index in result.sobol:
            if _title(index.parameter) in idle or max(abs(index.S1), abs(index.ST)) < 1e-9:
                continue
            rows.append([_title(index.parameter), f"{_fixed(index.S1)} ± {_fixed(index.S1_conf)}",
                         f"{_fixed(index.ST)} ± {_fixed(index.ST_conf)}"])
        lines.append(render_table(header, rows))
    elif result.tornado:  # skipped by calc.analysis.sensitivity.sobol: not finite
        lines += ["", f"No Sobol indices: {result.output} is out of reach in some runs "
                      "(infinite), so its variance is not defined."]
    if not result.tornado:
        lines += ["", "No input of this scenario has a range: nothing varies."]
    else:
        lines += ["", _keys([bar.parameter for bar in result.tornado if bar.swing != 0])]
    return "\n".join(lines)


def _fixed(x: float) -> str:
    """Two decimals, never ``-0.00``."""
    return f"{round(x, 2) + 0.0:.2f}"


def conditional_p_text(result: ConditionalP) -> str:
    """The table form of ``capcalc sensitivity p_target_reached``: what knowing each input buys."""
    target = result.scenario.inputs.target.compute_multiplier
    se = result.se(result.p_target)
    lines = [f"P(compute multiple ≥ {target:g}×) for {result.scenario.name} against "
             f"{result.baseline.name}: {percent(result.p_target, 1)} (± {percent(se, 1)}), "
             f"{result.samples:,} samples, seed {result.seed}.", "",
             "If one input were known: P with it pinned at its low and at its high (90 % "
             "interval), every other input sampled; the widest swing is the unknown most worth "
             "pinning down."]
    header = ["input", "low – high", "P at low", "P at high", "swing"]
    rows = []
    idle = []
    for row in result.pinned:
        if row.swing == 0:
            idle.append(_title(row.parameter))
            continue
        unit = INPUTS[row.parameter.key].unit
        m = row.parameter.marginal
        rows.append([_title(row.parameter),
                     f"{format_value(m.low, unit)} – {format_value(m.high, unit)}",
                     percent(row.p_low, 1), percent(row.p_high, 1), percent(row.swing, 1)])
    lines.append(render_table(header, rows))
    if idle:
        lines.append(f"  No effect on P: {', '.join(idle)}")
    if result.pinned:
        lines += ["", _keys([row.parameter for row in result.pinned if row.swing != 0])]
    return "\n".join(lines)
