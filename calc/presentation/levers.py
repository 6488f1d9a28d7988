"""The levers in words and tables: single-lever paths, the waterfall's data, and the JSON form."""

from __future__ import annotations

import math
from typing import Any

from calc.analysis.levers import Decomposition, LeverPath, Levers
from calc.core.errors import clean_text
from calc.core.version import __version__
from calc.data.units import format_unit
from calc.presentation.formatting import format_value, multiple, times_short
from calc.presentation.tables.base import Table, provenance
from calc.presentation.text import render_table

__all__ = ["levers_json", "levers_sentence", "levers_table", "levers_text", "path_text",
           "paths_title"]


def path_text(path: LeverPath) -> str:
    """One single-lever path as a sentence.

    >>> from calc.analysis.levers import LeverPath
    >>> print(path_text(LeverPath("mfu", "MFU", 4.0, "1", False, 0.4, 10.0, "H100", 1.0)))
    MFU alone: not possible (needs 4.00 > 1)
    """
    if path.lever == "facility_power_mw":
        if path.possible:
            return f"power alone: {format_value(path.needed, 'MW')} of {clean_text(path.chip)}"
        if not math.isfinite(path.needed):
            return (f"power alone: not possible (interruptions grow with the cluster, so no "
                    f"size of {clean_text(path.chip)} reaches it)")
        return (f"power alone: not possible (needs {format_value(path.needed, 'MW')}, beyond "
                f"capcalc's {format_value(path.limit or 0.0, 'MW')})")
    if path.lever == "flop_per_tdp_w":
        if path.reaching:
            shown = ", ".join(f"{clean_text(c.name)}"
                              f"{'' if c.status == 'shipping' else f' ({c.status})'} "
                              f"{times_short(c.multiple)}" for c in path.reaching)
            catalog = f"; in the catalog: {shown}"
        elif path.best is not None:
            status = "" if path.best.status == "shipping" else f" ({path.best.status})"
            catalog = (f"; no catalog chip does (best: {clean_text(path.best.name)}{status}, "
                       f"{times_short(path.best.multiple)})")
        else:
            catalog = ""
        return (f"at {format_value(path.facility_power_mw, 'MW')}: a chip with "
                f"{times_short(path.need)} the FLOP per facility watt of {clean_text(path.chip)}"
                f"{catalog}")
    if path.lever == "facility_w_per_tdp_w":
        if path.possible:
            return (f"overheads and PUE alone: {format_value(path.needed, '1')} facility W "
                    f"per TDP W (now {format_value(path.current, '1')})")
        if path.needed <= 0:
            return ("overheads and PUE alone: not possible (more chips on the same power would "
                    "lose more time to interruptions than they add)")
        return ("overheads and PUE alone: not possible (needs "
                f"{format_value(path.needed, '1')} facility W per TDP W < 1)")
    unit = "" if path.unit in ("", "1") else f" {format_unit(path.unit)}"
    if path.possible:
        return (f"{path.title} alone: {format_value(path.needed, '1')}{unit} "
                f"(now {format_value(path.current, '1')}{unit})")
    return (f"{path.title} alone: not possible (needs {format_value(path.needed, '1')}{unit} > "
            f"{path.limit if path.limit is not None else 1:g}{unit})")


def paths_title(decomposition: Decomposition) -> str:
    """The heading of the single-lever paths: a path to the target, or room to spare."""
    if decomposition.met:
        return (f"{decomposition.target:g}× is met; each lever alone could go as far as "
                "(the rest unchanged):")
    return f"Single-lever paths to {decomposition.target:g}× (the rest unchanged):"


def levers_table(levers: Levers) -> Table:
    """The waterfall's data: each lever's values, factor and the running product.

    A month with no hardware gives an empty table (``levers.empty`` says why).
    """
    columns: dict[str, list[Any]] = {k: [] for k in (
        "lever", "title", "unit", "baseline", "scenario", "factor", "start", "end")}
    decomposition = levers.decomposition
    if decomposition is not None:
        running = 1.0
        for lever in decomposition.levers:
            columns["lever"].append(lever.name)
            columns["title"].append(lever.title)
            columns["unit"].append(lever.unit)
            columns["baseline"].append(lever.baseline)
            columns["scenario"].append(lever.scenario)
            columns["factor"].append(lever.factor)
            columns["start"].append(running)
            running *= lever.factor
            columns["end"].append(running)
        for name, value in (("lever", "total"), ("title", "Compute multiple"), ("unit", "1"),
                            ("baseline", 1.0), ("scenario", decomposition.total),
                            ("factor", decomposition.total), ("start", 1.0),
                            ("end", decomposition.total)):
            columns[name].append(value)
        extra = "; ".join(filter(None, [
            f"multiple {decomposition.total:.3g}× = product of the levers", levers.where]))
    else:
        extra = "; ".join(filter(None, [levers.empty, levers.where]))
    return Table(
        name="levers",
        title=f"Paths to {levers.target:g}×: {levers.scenario} against {levers.baseline}, "
              "lever by lever",
        columns=columns,
        units={"factor": "1", "start": "1", "end": "1"},
        caption=provenance([levers.scenario], levers.baseline, extra),
    )


def levers_sentence(levers: Levers) -> str:
    """The decomposition in one line (the report's form), or why there is none."""
    decomposition = levers.decomposition
    if decomposition is None:
        return f"{levers.empty[:1].upper()}{levers.empty[1:]}."
    factors = ", ".join(f"{lever.title} {lever.factor:.3g}×" for lever in decomposition.levers)
    return f"{multiple(decomposition.total)} {levers.baseline} = {factors}."


def levers_text(levers: Levers) -> str:
    """The lever table and the single-lever paths, for people."""
    decomposition = levers.decomposition
    if decomposition is None:
        return f"{levers.scenario} against {levers.baseline}: {levers.empty}."
    header = ["lever", decomposition.baseline, decomposition.scenario, "factor"]
    units = {"MW": "MW", "FLOP/s/W": "FLOP/s"}
    rows = []
    for lever in decomposition.levers:
        if lever.unit in units:
            base = format_value(lever.baseline, units[lever.unit])
            now = format_value(lever.scenario, units[lever.unit])
            if lever.unit == "FLOP/s/W":
                base, now = f"{base}/W", f"{now}/W"
        else:
            base, now = format_value(lever.baseline, "1"), format_value(lever.scenario, "1")
        rows.append([lever.title, base, now, multiple(lever.factor)])
    rows.append(["Compute multiple (product)", multiple(1.0), multiple(decomposition.total),
                 multiple(decomposition.total)])
    lines = [f"Compute multiple of {decomposition.scenario} against {decomposition.baseline}: "
             f"{multiple(decomposition.total)} (target {decomposition.target:g}×)", "",
             render_table(header, rows), "",
             "Overheads and PUE are facility watts per TDP watt (server × IT overhead × PUE); "
             "fewer is better, so its factor is baseline / scenario.", "",
             paths_title(decomposition)]
    lines += [f"  {path_text(p)}" for p in levers.paths]
    return "\n".join(lines)


def levers_json(levers: Levers, at: str | None) -> dict[str, Any]:
    """The JSON form of ``capcalc levers --format json``."""
    decomposition = levers.decomposition
    return {
        "capcalc_version": __version__, "scenario": levers.scenario,
        "baseline": levers.baseline, "at": at,
        "compute_multiple": decomposition.total if decomposition else 0.0,
        "target": levers.target,
        "levers": [lever.__dict__ for lever in decomposition.levers] if decomposition else [],
        "product": decomposition.product if decomposition else 0.0,
        "paths": [{"lever": p.lever, "title": p.title, "needed": p.needed, "unit": p.unit,
                   "possible": p.possible, "text": path_text(p)} for p in levers.paths],
        **({"empty": levers.empty} if decomposition is None else {}),
    }
