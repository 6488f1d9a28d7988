"""Scenario discovery in words: "if these inputs stay in these ranges, the target is met in X %".

One sentence for the deadline asked for (the box's conditions, its density
and coverage), how the box tightens as the deadline moves earlier, and where
the sweep's base scenario sits relative to the box; the same as a table and
as JSON.
"""

from __future__ import annotations

from typing import Any

from calc.analysis.discover import Discovery, Ladder
from calc.analysis.prim import Box
from calc.analysis.provenance import provenance_line
from calc.core.months import month_label
from calc.presentation.formatting import format_value, percent
from calc.presentation.tables.base import Table
from calc.presentation.text import render_table

__all__ = ["bound_text", "conditions", "discovery_json", "discovery_sentence",
           "discovery_table", "discovery_text", "reference_sentence"]


def bound_text(key: str, value: float, unit: str) -> str:
    """One limit of a box as people read it: a month for a start, whole months for a delay."""
    if key.endswith(".start"):
        return month_label(round(value))
    if unit == "month":
        return f"{value:.3g} months"
    return format_value(value, unit)


def conditions(box: Box, ladder: Ladder) -> list[str]:
    """The restricted inputs of ``box``, each as a condition: ``training.mfu ≥ 0.41``."""
    out = []
    for key in box.restricted:
        if key in box.categories:
            out.append(f"{key} is {' or '.join(sorted(box.categories[key]))}")
            continue
        low, high = box.limits[key]
        unit = ladder.units.get(key, "")
        data_low, data_high = ladder.ranges[key]
        lower, upper = low > data_low, high < data_high
        if lower and upper:
            out.append(f"{bound_text(key, low, unit)} ≤ {key} ≤ {bound_text(key, high, unit)}")
        elif lower:
            out.append(f"{key} ≥ {bound_text(key, low, unit)}")
        else:
            out.append(f"{key} ≤ {bound_text(key, high, unit)}")
    return out


def _target(ladder: Ladder, rung: Discovery) -> str:
    when = f" by {rung.deadline}" if rung.deadline else ""
    return f"{ladder.output} ≥ {ladder.value:g}{when}"


def discovery_sentence(ladder: Ladder, rung: Discovery | None = None) -> str:
    """One sentence: the box's conditions, with its density and coverage."""
    rung = rung or ladder.main
    futures = "futures" if not ladder.samples else "sampled futures"
    if rung.box is None:
        densest = rung.densest
        best = f"; the densest box found meets it in {percent(densest.density)}" if densest else ""
        return (f"No box of the sweep's inputs has {_target(ladder, rung)} in "
                f"{percent(ladder.density)} of its {futures}{best}. Across the whole sweep "
                f"{percent(rung.share)} meet it.")
    box = rung.box
    if not box.restricted:
        return (f"{_target(ladder, rung)} holds in {percent(box.density)} of all {futures} of the "
                f"sweep (at least {percent(ladder.density)} asked): no input needs restricting.")
    joined = " and ".join(conditions(box, ladder))
    return (f"If {joined}, then {_target(ladder, rung)} in {percent(box.density)} of {futures} "
            f"(density), and that box holds {percent(box.coverage)} of the {futures} that meet it "
            f"(coverage).")


def reference_sentence(ladder: Ladder) -> str:
    """Where the sweep's base scenario sits relative to the box ("" when there is no box)."""
    rung = ladder.main
    name = ladder.attrs.get("scenario", "the base scenario")
    if rung.box is None:
        return ""
    if not rung.outside:
        return f"{name} itself lies inside the box."
    parts = []
    for key, value, low, high in rung.outside:
        unit = ladder.units.get(key, "")
        shown = value if isinstance(value, str) else bound_text(key, float(value), unit)
        if low is None:
            parts.append(f"{key} is {shown}")
        else:
            parts.append(f"{key} is {shown} (the box: {bound_text(key, low, unit)} to "
                         f"{bound_text(key, high, unit)})")
    return f"{name} itself lies outside the box: {'; '.join(parts)}."


def discovery_table(ladder: Ladder) -> Table:
    """One row per deadline: coverage, density, share of futures in the box, and conditions."""
    rows: dict[str, list[Any]] = {"deadline": [], "coverage": [], "density": [], "mass": [],
                                  "conditions": []}
    for rung in ladder.rungs:
        box = rung.box
        rows["deadline"].append(rung.deadline or "")
        rows["coverage"].append(None if box is None else box.coverage)
        rows["density"].append(None if box is None else box.density)
        rows["mass"].append(None if box is None else box.mass)
        rows["conditions"].append("no box reaches the density" if box is None
                                  else " and ".join(conditions(box, ladder)) or "none")
    return Table(name="discover", title=f"What must be true for {ladder.output} ≥ "
                 f"{ladder.value:g}", columns=rows,
                 units={"coverage": "1", "density": "1", "mass": "1"},
                 caption=provenance_line(ladder.attrs))


def discovery_text(ladder: Ladder) -> str:
    """The sentence, the ladder of earlier deadlines, and where the base scenario sits."""
    lines = [discovery_sentence(ladder)]
    reference = reference_sentence(ladder)
    if reference:
        lines.append(reference)
    if len(ladder.rungs) > 1:
        table = discovery_table(ladder)
        lines += ["", "As the deadline moves earlier (highest-coverage box at density "
                  f"≥ {percent(ladder.density)}):"]
        body = [[d, "—" if c is None else percent(c), "—" if p is None else percent(p), text]
                for d, c, p, text in zip(table.columns["deadline"], table.columns["coverage"],
                                          table.columns["density"],
                                          table.columns["conditions"], strict=True)]
        lines.append(render_table(["deadline", "coverage", "density", "conditions"],
                                  list(reversed(body))))
    lines += ["", f"PRIM over {ladder.futures:,} points"
              + (f" × {ladder.samples:,} samples" if ladder.samples else "")
              + f" of {', '.join(ladder.inputs)}; {provenance_line(ladder.attrs)}."]
    return "\n".join(lines)


def _box_json(box: Box | None) -> dict[str, Any] | None:
    if box is None:
        return None
    return {"coverage": box.coverage, "density": box.density, "mass": box.mass,
            "restricted": list(box.restricted),
            "limits": {k: list(box.limits[k]) for k in box.restricted if k in box.limits},
            "categories": {k: sorted(box.categories[k]) for k in box.restricted
                           if k in box.categories}}


def discovery_json(ladder: Ladder) -> dict[str, Any]:
    """The JSON form: the target, each deadline's box, the sentence, the base scenario."""
    return {
        "target": {"output": ladder.output, "value": ladder.value},
        "density": ladder.density,
        "sentence": discovery_sentence(ladder),
        "reference": reference_sentence(ladder),
        "inputs": list(ladder.inputs),
        "rungs": [{"deadline": r.deadline, "share": r.share, "box": _box_json(r.box),
                   "densest": _box_json(r.densest)} for r in ladder.rungs],
        "attrs": dict(ladder.attrs),
    }
