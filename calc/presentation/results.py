"""Scenario results for people and programs: the table, the JSON and the CSV of ``capcalc run``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.analysis.run import Result
from calc.core.constants import CURRENCY, CURRENCY_YEAR
from calc.core.version import __version__
from calc.core.vocabulary import CUMULATIVE_AT_ONE_MOMENT, INPUTS, OUTPUTS, measure_title
from calc.presentation.csvtext import csv_text
from calc.presentation.datapackage import CsvFile, Resource
from calc.presentation.formatting import breakeven, format_value, output_text, percent
from calc.presentation.text import render_table

__all__ = [
    "MIXED_MEASURES",
    "measure_words",
    "results_csv",
    "results_file",
    "results_json",
    "results_table",
    "utilisation_sentence",
]

def _target_column(baseline: Result) -> dict[str, float]:
    target = baseline.scenario.inputs.target.compute_multiplier
    o = baseline.outputs
    return {
        "facility_power_mw": o["facility_power_mw_for_target"],
        "h100_equivalents": o["h100_equivalents"] * target,
        "effective_flop_per_s": o["effective_flop_per_s"] * target,
        "training_flop_per_run": o["training_flop_per_run"] * target,
        "annual_training_flop": o["annual_training_flop"] * target,
        "compute_multiple": target,
    }


def results_table(results: Sequence[Result], baseline: Result) -> str:
    """The people's table: outputs down, the baseline, the scenarios and the target across.

    Scenarios measured against different baselines (two that are each other's, say)
    get a row naming each one's, and no column is called the baseline unless its
    own multiple is measured against itself (1×).
    """
    target = _target_column(baseline)
    multiplier = baseline.scenario.inputs.target.compute_multiplier
    shown = [r for r in results if r.name != baseline.name]
    own = baseline.scenario.baseline_name == baseline.name  # its multiple is 1×
    mixed = not own or any(r.scenario.baseline_name != baseline.name for r in results)
    columns: list[tuple[str, dict[str, Any]]] = []
    if len(shown) == len(results):
        shown.insert(0, baseline)
    else:
        shown = list(results)
    for result in shown:
        label = f"{result.name} (baseline)" if result.name == baseline.name and own \
            else result.name
        columns.append((label, {**result.scenario.values, **result.outputs,
                                "target.baseline": result.scenario.baseline_name}))
    columns.append((f"{multiplier:g}× {baseline.name}" if mixed else f"{multiplier:g}× target",
                    {**target}))
    rows: list[tuple[str, str]] = [
        ("hardware.accelerator", ""), ("training.precision", ""),
        ("site.pue", "1"), ("training.mfu", "1"),
    ]
    if mixed:
        rows.insert(0, ("target.baseline", ""))
    rows += [(name, spec.unit) for name, spec in OUTPUTS.items()
             if name not in ("accelerator_capex_total_usd", "facility_capex_total_usd")]
    header = ["", *[label for label, _ in columns]]
    body = []
    for key, unit in rows:
        title = INPUTS[key].title if key in INPUTS else OUTPUTS[key].title
        label = title  # every cell carries its own unit
        cells = [output_text(key, values.get(key), unit) if key in values else ""
                 for _, values in columns]
        body.append([label, *cells])
    lines = [render_table(header, body[:]), ""]
    against = "each against its own baseline" if mixed else f"against {baseline.name}"
    lines.append(f"Money in US dollars of {CURRENCY_YEAR}. H100e = dense 8-bit FLOP/s ÷ 1.979e15. "
                 f"Multiples {against}, of {_measures(results)}.")
    if mixed:  # each line short enough for a terminal
        lines.append(f"Each scenario's baseline is in the row "
                     f"\"{INPUTS['target.baseline'].title}\"; the last column is "
                     f"{multiplier:g}× {baseline.name}.")
    if _cumulative(results):
        lines.append(CUMULATIVE_AT_ONE_MOMENT)
    return "\n".join(lines)


def utilisation_sentence(results: Sequence[Result]) -> str:
    """Owning against leasing at each scenario's utilisation, in one sentence.

    Owning costs the annualized cost at any utilisation; leasing the leased cost per year
    times the utilisation (``leased_cost_at_utilisation_usd``).
    """
    parts = []
    for result in results:
        out = result.outputs
        owned = float(out["annualized_cost_usd"])
        leased = float(out["leased_cost_at_utilisation_usd"])
        cheaper = "owning" if owned < leased else "leasing"
        parts.append(f"{result.name} {format_value(owned, CURRENCY)} owned against "
                     f"{format_value(leased, CURRENCY)} leased: {cheaper} is cheaper "
                     f"(break-even {breakeven(float(out['lease_breakeven_utilisation']))})")
    used = sorted({float(r.scenario.inputs.cost.utilisation) for r in results})
    at = " and ".join(percent(u) for u in used)
    return (f"Own or lease at {at} utilisation ({INPUTS['cost.utilisation'].key}), a year: "
            + "; ".join(parts) + ".")


def results_json(results: Sequence[Result]) -> dict[str, Any]:
    """The JSON document of ``capcalc run --format json``."""
    return {"capcalc_version": __version__,
            "scenarios": [result.to_dict() for result in results]}


def results_csv(results: Sequence[Result]) -> str:
    """One row per scenario: name, every input, every output; units in the header."""
    keys = list(INPUTS)
    outputs = list(OUTPUTS)

    def head(name: str, unit: str) -> str:
        return f"{name} [{unit}]" if unit else name

    rows: list[list[Any]] = [["scenario", *[head(k, INPUTS[k].unit) for k in keys],
                              *[head(o, OUTPUTS[o].unit) for o in outputs]]]
    for r in results:
        values = r.scenario.values
        rows.append([r.name, *["" if values[k] is None else values[k] for k in keys],
                     *[r.outputs[o] for o in outputs]])
    return csv_text(rows)


def results_file(results: Sequence[Result]) -> CsvFile:
    """``results.csv`` (:func:`results_csv`) with its description for ``datapackage.json``."""
    fields = [("scenario", "string", "")]
    for key, spec in INPUTS.items():
        header = f"{key} [{spec.unit}]" if spec.unit else key
        fields.append((header, "string" if spec.kind == "choice" else "number", spec.unit))
    for name, output in OUTPUTS.items():
        fields.append((f"{name} [{output.unit}]" if output.unit else name, "number", output.unit))
    names = ", ".join(r.name for r in results)
    resource = Resource(
        path="results.csv", title="Every input and output of each scenario",
        description=(f"One row per scenario ({names}); inputs in the vocabulary's units, "
                     f"money in US dollars of {CURRENCY_YEAR}. capcalc {__version__}."),
        fields=tuple(fields))
    return CsvFile(results_csv(results), resource)


#: What a chart of several scenarios calls the multiple when they measure different things.
MIXED_MEASURES = "each scenario's own measure"


def measure_words(results: Sequence[Result]) -> tuple[str, str]:
    """What the results' multiples measure, in words: one phrase for a chart (or
    :data:`MIXED_MEASURES` when they differ), and each scenario's for a caption."""
    titles = {r.name: measure_title(r.scenario.values, at_one_moment=True) for r in results}
    each = "; ".join(f"{name}: {title}" for name, title in titles.items())
    if len(set(titles.values())) <= 1:
        return next(iter(titles.values()), measure_title({}, at_one_moment=True)), each
    return MIXED_MEASURES, each


def _cumulative(results: Sequence[Result]) -> bool:
    """Whether any of ``results`` measures cumulative training FLOP (said as FLOP/s here)."""
    return any(r.scenario.values.get("target.measure") == "cumulative_training_flop"
               for r in results)


def _measures(results: Sequence[Result]) -> str:
    """What the multiples measure: one phrase, or each scenario's when they differ."""
    one, each = measure_words(results)
    return each if one == MIXED_MEASURES else one
