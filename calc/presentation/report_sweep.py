"""The report's section on a sweep and what must be true: the heatmap, the sentence, the box.

:func:`sweep_section` takes a finished sweep (:func:`calc.sweep`) and its
discovery (:func:`calc.discover`) and gives the section as plain data
(:class:`~calc.presentation.report_page.SweepReport`): what was swept, the
heatmap of the chance of the target over the sweep's first two axes with the
contour at the density asked of the box and the box outlined, the discovery's
sentence with its coverage and density, the box's bounds beside the sweep's
range and the named scenario's own value, and how the box tightens as the
deadline moves earlier — the words ``capcalc discover`` prints.
"""

from __future__ import annotations

from calc.analysis.discover import Ladder
from calc.analysis.provenance import provenance_line
from calc.analysis.sweep_result import SweepResult
from calc.core.months import month_index
from calc.presentation.charts.sweep import heatmap_chart, reach_heatmap_chart
from calc.presentation.discover import (
    bound_text,
    conditions,
    discovery_sentence,
    reference_sentence,
)
from calc.presentation.report_page import Grid, ReportChart, SweepReport, grid

__all__ = ["sweep_section"]


def _value(key: str, value: object, unit: str) -> str:
    if isinstance(value, str) or value is None:
        return "" if value is None else value
    return bound_text(key, float(value), unit)  # type: ignore[arg-type]


def _bounds(ladder: Ladder) -> Grid | None:
    """A row per input: the sweep's range, the box's (or "any"), the scenario, in or out."""
    box = ladder.main.box
    if box is None:
        return None
    rows = []
    for key in ladder.inputs:
        unit = ladder.units.get(key, "")
        reference = ladder.reference.get(key)
        if key in box.categories:
            kept = box.categories[key]
            swept, boxed = "names", (" or ".join(sorted(kept)) if key in box.restricted
                                     else "any")
            inside = str(reference) in kept
        else:
            low, high = ladder.ranges[key]
            b_low, b_high = box.limits[key]
            swept = f"{bound_text(key, low, unit)} to {bound_text(key, high, unit)}"
            boxed = (f"{bound_text(key, b_low, unit)} to {bound_text(key, b_high, unit)}"
                     if key in box.restricted else "any")
            number = float(month_index(str(reference))) if key.endswith(".start") \
                and isinstance(reference, str) else float(reference)  # type: ignore[arg-type]
            inside = b_low <= number <= b_high or key not in box.restricted
        rows.append((key, swept, boxed, _value(key, reference, unit),
                     "inside" if inside else "outside"))
    name = ladder.attrs.get("scenario", "the scenario")
    return grid(("input", "swept", "the box", name, "the scenario is"), rows)


def _ladder(ladder: Ladder) -> Grid | None:
    if len(ladder.rungs) < 2:
        return None
    rows = []
    for rung in reversed(ladder.rungs):
        box = rung.box
        rows.append((rung.deadline or "", "—" if box is None else f"{box.coverage:.0%}",
                     "—" if box is None else f"{box.density:.0%}",
                     "no box reaches the density" if box is None
                     else " and ".join(conditions(box, ladder)) or "none"))
    return grid(("deadline", "coverage", "density", "conditions"), rows)


def sweep_section(result: SweepResult, ladder: Ladder, charts: list[ReportChart]
                  ) -> SweepReport:
    """The section of ``result`` and its discovery ``ladder``; its heatmap appended to
    ``charts`` when the sweep has two axes or more."""
    deadline = ladder.main.deadline
    target = f"{ladder.output} ≥ {ladder.value:g}" + (f" by {deadline}" if deadline else "")
    samples = int(result.attrs.get("samples") or 0)
    slip = result.attrs.get("slip")
    intro = (f"A sweep of {result.attrs.get('scenario')} over {', '.join(result.axes)}: "
             f"{len(result):,} points" + (f", each with {samples:,} Monte Carlo samples"
                                          if samples else " at central values")
             + (f", announced phases slipping by {slip}" if slip and slip != "none" else "")
             + f". PRIM asks which ranges of those inputs give {target} in at least "
             f"{ladder.density:.0%} of their futures, as capcalc discover does. "
             f"{provenance_line(result.attrs)}.")
    box = ladder.main.box
    limits = dict(box.limits) if box is not None else None
    no_chart = ""
    if len(result.axes) < 2:
        no_chart = "A sweep of one axis has no heatmap."
    else:
        x, y = result.axes[0], result.axes[1]
        if deadline is not None:
            chart = reach_heatmap_chart(result, deadline, x, y, probability=ladder.density,
                                        box=limits)
        elif "p_target_reached" in result.columns:
            chart = heatmap_chart(result, "p_target_reached", x, y,
                                  probability=ladder.density, box=limits)
        else:
            chart = heatmap_chart(result, "compute_multiple", x, y, box=limits)
        charts.append(ReportChart(chart, f"Heatmap: {chart.heading}, over {x} and {y}, with "
                                  "the target's contour and the discovery's box"))
    return SweepReport(intro=intro, sentence=discovery_sentence(ladder),
                       reference=reference_sentence(ladder), bounds=_bounds(ladder),
                       ladder=_ladder(ladder), no_chart=no_chart)
