"""Several scenarios answered at once: one table row each and the build-out's date once.

``capcalc run`` with several scenarios and the report's first section say the
same thing for every scenario — the site, what the target needs, when the
build-out reaches it. Written as one paragraph per scenario, the date (the
same build-out's, for every scenario without phases of its own) is repeated;
here each scenario is one row of a compact table and the date is said once,
with what it is the date of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from calc.analysis.reach import Reach, buildout_reach
from calc.analysis.run import Result
from calc.analysis.target import target_facts
from calc.data.records import PeerRecords
from calc.data.scenarios import Library
from calc.presentation.answer import date_sentences
from calc.presentation.formatting import format_value, month_text, multiple, times
from calc.presentation.text import render_table

__all__ = ["Comparison", "compare", "comparison_text"]


@dataclass(frozen=True)
class Comparison:
    """The scenarios as one table and the build-out dates said once each."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    dates: tuple[str, ...]  # one sentence per distinct build-out


def _when(reach: Reach | None) -> str:
    if reach is None:
        return "no build-out"
    low, median, high = reach.months
    if median is None:
        return f"not by {month_text(reach.until)}"
    return f"{median} ({low or '…'}–{high or f'after {reach.until}'})"


def _lender(reach: Reach) -> str | None:
    """The build-out ``reach`` borrows its phases from (None: the scenario's own)."""
    choice = reach.choice
    return choice.lender if choice is not None and choice.borrowed else None


def compare(library: Library, results: Sequence[Result], baseline: Result, *,
            records: PeerRecords | None = None, seed: int = 0) -> Comparison:
    """Each result as a row — chip, facility power, compute multiple, the power the target
    takes, the sampled month its build-out reaches the target (median, 10–90 %) — and the
    full date sentence of each distinct build-out, once."""
    target = baseline.scenario.inputs.target.compute_multiplier
    rows = []
    dates: dict[str, list[str]] = {}  # sentence → the scenarios it is the date of
    reaches = [buildout_reach(library, r.scenario, records=records, seed=seed) for r in results]
    whose = {_lender(reach) or "its own phases" if reach is not None else "no build-out"
             for reach in reaches}
    shared = next(iter(whose)) if len(whose) == 1 else None
    for result, reach in zip(results, reaches, strict=True):
        facts = target_facts(library, result, baseline)
        own = "" if shared is not None or reach is None else \
            f" [{_lender(reach) or 'its own phases'}]"
        rows.append((result.name, facts.accelerator,
                     format_value(facts.facility_power_mw, "MW"),
                     multiple(facts.compute_multiple),
                     format_value(facts.facility_power_mw_for_target, "MW"),
                     _when(reach) + own))
        if reach is not None:
            dates.setdefault(date_sentences(reach, named=False), []).append(result.name)
    on = f", {shared}" if shared is not None else ""
    header = ("Scenario", "Chip", "Facility power", "Multiple",
              f"Power for {times(target)}", f"{times(target)} month (10–90 %{on})")
    said = tuple(text if len(dates) == 1 and len(names) == len(results)
                 else f"{', '.join(names)}: {text}" for text, names in dates.items())
    return Comparison(header, tuple(rows), said)


def comparison_text(library: Library, results: Sequence[Result], baseline: Result) -> str:
    """Several scenarios for the terminal: the table, then each build-out's date once."""
    compared = compare(library, results, baseline)
    return "\n\n".join([render_table(compared.header, compared.rows, "llrrrl"),
                        *compared.dates])
