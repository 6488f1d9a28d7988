"""Monte Carlo results in words, tables and JSON: P50 with its 90 % range, and P(target).

Digits shown are those the samples support (each percentile's standard error
decides); the JSON and CSV keep every digit.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from calc.analysis.buildout_montecarlo import TimelineSimulation
from calc.analysis.montecarlo import Simulation, SolveSimulation, shown_digits
from calc.core.vocabulary import INPUTS, OUTPUTS, measure_title
from calc.presentation.csvtext import csv_text
from calc.presentation.formatting import format_value, percent
from calc.presentation.text import render_table

__all__ = [
    "monte_carlo_csv",
    "monte_carlo_json",
    "monte_carlo_table",
    "precision_warnings",
    "solve_monte_carlo_json",
    "solve_monte_carlo_text",
    "timeline_monte_carlo_json",
    "timeline_monte_carlo_text",
]


def precision_warnings(sims: Sequence[Simulation], outputs: Iterable[str] | None = None,
                       *, digits: int = 2) -> list[str]:
    """Lines warning where the sample count cannot support ``digits`` significant digits.

    Each line names the scenario, the output and the statistic, and the
    sample count that would support it (standard errors fall as 1/sqrt(n)).
    """
    lines = []
    for sim in sims:
        for output in outputs or sim.outputs:
            s = sim.summary(output)
            worst = 1.0
            stat = ""
            for name in ("mean", "p5", "p50", "p95"):
                value, se = getattr(s, name), getattr(s, f"{name}_se")
                if shown_digits(value, se) < digits:
                    allowed = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - digits + 1)
                    ratio = (se / allowed) ** 2
                    if ratio > worst:
                        worst, stat = ratio, name.upper().replace("MEAN", "mean")
            if stat:
                needed = int(math.ceil(sim.samples * worst / 1000.0) * 1000)
                lines.append(f"{sim.name}: {output} {stat}: {sim.samples:,} samples are too few "
                             f"for {digits} significant digits; use {needed:,} samples or more")
        if sim.p_target_se() > 0.005:
            lines.append(f"{sim.name}: P(target) = {percent(sim.p_target_reached())} ± "
                         f"{percent(sim.p_target_se(), 1)} (Monte Carlo standard error)")
    return lines




def monte_carlo_json(document: dict[str, Any], sims: Sequence[Simulation]) -> dict[str, Any]:
    """Add ``distribution``, ``p_target_reached`` and ``monte_carlo`` to each scenario."""
    for entry, sim in zip(document["scenarios"], sims, strict=True):
        entry["distribution"] = sim.distribution()
        entry["p_target_reached"] = sim.p_target_reached()
        entry["monte_carlo"] = {
            "samples": sim.samples, "seed": sim.seed,
            "p_target_reached_se": sim.p_target_se(),
            "shared_with_baseline": sorted(sim.shared),
            "interval": "P5-P95 (90 %)",
        }
    return document


def monte_carlo_csv(text: str, sims: Sequence[Simulation]) -> str:
    """``run``'s CSV with mean, P5, P50, P95 of every output and P(target) appended."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    header = rows[0]
    for output, spec in OUTPUTS.items():
        unit = f" [{spec.unit}]" if spec.unit else ""
        header += [f"{output} {stat}{unit}" for stat in ("mean", "p5", "p50", "p95")]
    header += ["p_target_reached", "samples", "seed"]
    for row, sim in zip(rows[1:], sims, strict=True):
        for output in OUTPUTS:
            s = sim.summary(output)
            row += [repr(getattr(s, stat)) for stat in ("mean", "p5", "p50", "p95")]
        row += [repr(sim.p_target_reached()), str(sim.samples), str(sim.seed)]
    return csv_text(rows)


def _cell(value: float, se: float, output: str) -> str:
    """``value`` with the significant digits its standard error ``se`` supports (at least 1)."""
    text = format_value(value, OUTPUTS[output].unit, digits=max(shown_digits(value, se), 1))
    return text + "×" if output == "compute_multiple" else text


def monte_carlo_table(sims: Sequence[Simulation]) -> str:
    """Each output's P50 and P5–P95 per scenario, and P(compute multiple ≥ target)."""
    first = sims[0]
    header = ["", *[s.name for s in sims]]
    body = []
    for output, spec in OUTPUTS.items():
        if output in ("accelerator_capex_total_usd", "facility_capex_total_usd"):
            continue
        cells = []
        for sim in sims:
            s = sim.summary(output)
            if s.p5 == s.p95:
                cells.append(_cell(s.p50, 0.0, output) + " (fixed)")
                continue
            cells.append(f"{_cell(s.p50, s.p50_se, output)} "
                         f"({_cell(s.p5, s.p5_se, output)} – {_cell(s.p95, s.p95_se, output)})")
        body.append([spec.title, *cells])
    targets = sorted({f"{sim.target_central:g}" for sim in sims})
    body.append([f"P(multiple ≥ {'/'.join(targets)}× target)",
                 *[_percent(sim.p_target_reached(), sim.p_target_se(), sim.samples)
                   for sim in sims]])
    lines = [f"Monte Carlo: {first.samples:,} samples, seed {first.seed}. Each cell: P50 "
             f"(P5 – P95), a 90 % interval; digits shown are those the sample supports.", "",
             render_table(header, body), ""]
    lines.append(f"Inputs a scenario does not change share the baseline's samples "
                 f"({first.baseline.name}), so its multiple varies only with what differs.")
    return "\n".join(lines)


def _percent(p: float, se: float, samples: int) -> str:
    """A share of ``samples``, to the digits its standard error ``se`` supports; none or all
    of them is said as below or above what that many samples can tell.

    >>> _percent(0.0, 0.0, 1000), _percent(1.0, 0.0, 20_000), _percent(0.4, 0.015, 1000)
    ('< 0.1 %', '> 99.995 %', '40 %')
    """
    if p == 0.0:
        return f"< {100 / samples:g} %"
    if p == 1.0:
        return f"> {100 - 100 / samples:g} %"
    return percent(p, 1) if se < 0.0005 else percent(p)


def _year_ends(months: Sequence[str]) -> list[str]:
    ends = [m for m in months if m.endswith("-12")]
    return ends if months[-1] in ends else [*ends, months[-1]]


def timeline_monte_carlo_text(sim: TimelineSimulation) -> str:
    """The fan at each year's end and the chance of reaching the target by then."""
    fan = sim.fan("compute_multiple")
    index = {m: i for i, m in enumerate(sim.months)}
    header = ["month", "multiple P50 (P5 – P95)", f"P({sim.target:g}× by then)"]
    rows = []
    for month in _year_ends(sim.months):
        i = index[month]
        rows.append([month, f"{fan['p50'][i]:.3g}× ({fan['p5'][i]:.3g}× – {fan['p95'][i]:.3g}×)",
                     _percent(sim.p_reached_by(month), sim.p_reached_se(month),
                              sim.samples)])
    reach = sim.reach_percentiles()
    when = ", ".join(f"{k.upper()} {v or 'not by ' + sim.until}" for k, v in reach.items())
    return "\n".join([
        f"Monte Carlo: {sim.samples:,} samples, seed {sim.seed}; multiples of "
        f"{measure_title(sim.scenario.values)} against {sim.baseline.name} with common random "
        "numbers.", render_table(header, rows),
        f"  Month the target is first reached: {when}."])


def timeline_monte_carlo_json(document: dict[str, Any], sim: TimelineSimulation) -> dict[str, Any]:
    """Add the fan, the reach-date distribution and P(target by the horizon) to the JSON."""
    fan = sim.fan("compute_multiple")
    document["distribution"] = {
        "samples": sim.samples, "seed": sim.seed, "months": list(sim.months),
        "compute_multiple": {k: [float(x) for x in v] for k, v in fan.items()},
        "p_target_reached_by": sim.reach_distribution(),
        "target_reached_percentiles": sim.reach_percentiles(),
    }
    document["p_target_reached"] = sim.p_reached_by(sim.until)
    # one probability per month of the document's own ``months``: P(reached at or before it)
    document["p_target_reached_by"] = [sim.p_reached_by(month)
                                       for month in document.get("months", sim.months)]
    return document


def solve_monte_carlo_text(sim: SolveSimulation) -> str:
    """One line: the solved value's P50 and P5–P95, and the share of solvable samples."""
    unit = INPUTS[sim.key].unit
    s = sim.summary()
    if s is None:
        return (f"  Monte Carlo ({sim.samples:,} samples, seed {sim.seed}): no sample reaches "
                f"the target within {sim.key}'s valid range")
    return (f"  Monte Carlo ({sim.samples:,} samples, seed {sim.seed}): {sim.key} P50 "
            f"{format_value(s.p50, unit)} (P5 {format_value(s.p5, unit)} – P95 "
            f"{format_value(s.p95, unit)}); solvable in {percent(sim.p_solvable, 1)} of samples")


def solve_monte_carlo_json(document: dict[str, Any], sim: SolveSimulation) -> dict[str, Any]:
    """Add ``distribution`` (of the solved value) and ``p_solvable`` to ``solve``'s JSON."""
    s = sim.summary()
    document["distribution"] = None if s is None else s.to_dict()
    document["p_solvable"] = sim.p_solvable
    document["monte_carlo"] = {"samples": sim.samples, "seed": sim.seed}
    return document
