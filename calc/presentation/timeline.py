"""A build-out timeline in words: the people's table of its months, events and phases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.analysis.reach import Reach
from calc.analysis.timeline import PhaseChip, Timeline
from calc.core.constants import CURRENCY, CURRENCY_YEAR
from calc.core.errors import clean_text
from calc.core.vocabulary import measure_title
from calc.presentation.answer import basis_sentence
from calc.presentation.formatting import format_value, multiple, percent
from calc.presentation.reach import reach_lines
from calc.presentation.text import render_table

__all__ = ["timeline_json", "timeline_summary", "timeline_text"]


def timeline_summary(timeline: Timeline) -> str:
    """One line: when the target is reached at central values, or what is reached by the
    horizon (and the most before it, when that is more)."""
    target = f"{timeline.target:g}× {timeline.baseline}"
    reached = timeline.target_reached
    if reached:
        return f"{target} is first reached in {reached} at central values."
    month, most = timeline.peak
    peak_text = (f"; the most is {most:#.3g}× in {month}"
                 if most > timeline.final_multiple * (1 + 1e-9) else "")
    return (f"{target} is not reached by {timeline.until} at central values: "
            f"{timeline.final_multiple:#.3g}× in {timeline.until}{peak_text}.")


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    """The timeline's JSON (:meth:`~calc.analysis.timeline.Timeline.to_dict`) with its
    :func:`timeline_summary` after the reach."""
    items = list(timeline.to_dict().items())
    at = [key for key, _ in items].index("final_multiple") + 1
    return dict([*items[:at], ("summary", timeline_summary(timeline)), *items[at:]])


def _events(timeline: Timeline) -> dict[str, list[str]]:
    events: dict[str, list[str]] = {}
    last = timeline.months[-1]
    for inst in timeline.installs:
        what = (f"+{format_value(inst.accelerators, 'accelerator')} {inst.generation}"
                f" ({inst.phase}{', refresh' if inst.refresh else ''})")
        events.setdefault(inst.begin, []).append(what)
        if inst.end <= last:
            events.setdefault(inst.end, []).append(
                f"-{format_value(inst.accelerators, 'accelerator')} {inst.generation} retired")
    return events


def timeline_text(timeline: Timeline, answer: Reach | None = None,
                  chips: Sequence[PhaseChip] = ()) -> str:
    """The people's table: a row at each change of the fleet and each year end; under it
    the date (as a range with ``answer``, else the month at central values), the phases
    with the chip each got and why (``chips``), and how hardware is bought."""
    months = timeline.months
    series = timeline.series
    events = _events(timeline)
    reached = timeline.target_reached
    shown = [i for i, m in enumerate(months)
             if i == 0 or i == len(months) - 1 or m in events or m.endswith("-12")
             or m == reached]
    header = ["month", "facility", "in use", "accelerators", "H100e", "effective FLOP/s",
              "multiple", "capex so far", "event"]
    rows = []
    for i in shown:
        month = months[i]
        event = "; ".join(events.get(month, []))
        if month == reached:
            event = "; ".join(filter(None, [event, f"← {timeline.target:g}× reached"]))
        rows.append([
            month,
            format_value(float(series["facility_power_mw"][i]), "MW"),
            format_value(float(series["facility_power_in_use_mw"][i]), "MW"),
            format_value(float(series["accelerators"][i]), "accelerator"),
            format_value(float(series["h100_equivalents"][i]), "H100e"),
            format_value(float(series["effective_flop_per_s"][i]), "FLOP/s"),
            multiple(float(series["compute_multiple"][i])),
            format_value(float(series["capex_cumulative_usd"][i]), CURRENCY),
            event,
        ])
    scenario = timeline.scenario
    lines = [f"{scenario.name}: {clean_text(scenario.title)}",
             f"Compute multiple of {measure_title(scenario.values)} against "
             f"{timeline.baseline}, target {timeline.target:g}×, to {timeline.until}.", "",
             render_table(header, rows, "lrrrrrrrl"), ""]
    basis = basis_sentence(answer.choice, scenario) if answer is not None else ""
    lines.extend([basis] if basis else [])
    lines.extend(reach_lines(answer) if answer is not None else [timeline_summary(timeline)])
    lines.append("")
    lines.append("Phases (facility power is the site's total from the phase's start):")
    for phase in timeline.phases:
        low = phase.confidence in ("unconfirmed", "preliminary")
        flag = f" [low confidence: {phase.confidence}]" if low else (
            f" [{phase.confidence}]" if phase.confidence else "")
        if phase.delay_uncertain:
            delay = (f", slip {phase.delay_low}–{phase.delay_high} months (median "
                     f"{phase.delay_months})")
        else:
            delay = f", {phase.delay_months} months late" if phase.delay_months else ""
        if phase.status == "delivered":
            delay += ", delivered"
        chosen = {c.phase: c for c in chips}.get(phase.name)
        chip = chosen.why() if chosen is not None else (
            phase.accelerator or scenario.inputs.hardware.accelerator)
        power = format_value(phase.facility_power_mw, "MW")
        lines.append(f"  {phase.begins}  {clean_text(phase.name)}: {power}, "
                     f"{clean_text(chip)}{delay}{', refreshed' if phase.refresh else ''}{flag}")
    hardware = scenario.inputs.hardware
    lines.append("")
    lead = hardware.procurement_lead_months
    lines.append(
        f"Hardware retires {scenario.inputs.cost.hardware_lifetime_years:g} years after its "
        "planned start. 'latest' takes the chip with the most FLOP/s per server watt in "
        f"volume availability a procurement lead time ({lead:g} months, or the phase's own) "
        "before the phase's planned start (so a delay never buys a better one; preliminary "
        "chips from their stated month of volume), a refresh the one available a lead time "
        "before its refresh month. After the catalog's newest release the trend chip "
        "continues from it: "
        f"FLOP/s per watt +{percent(hardware.perf_per_watt_growth_per_year)} and FLOP/s per dollar "
        f"+{percent(hardware.price_performance_growth_per_year)} a year ('trend YYYY'). Money in "
        f"US dollars of {CURRENCY_YEAR}.")
    return "\n".join(lines)
