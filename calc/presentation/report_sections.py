"""What each section of the report says, built as plain data from the scenarios' results.

Each function takes the :class:`ReportContext` (the library, the results, the
seed and samples, the peers and the calibration) and returns its section's
dataclass of :mod:`calc.presentation.report_page`, appending the charts it draws
to the list it is given. A part that cannot be computed (a timeline without
phases, say) says why in its place instead of failing the whole report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from calc.analysis import montecarlo, sensitivity
from calc.analysis.calibration import CalibrationResult
from calc.analysis.levers import levers_of_result, levers_of_timeline
from calc.analysis.reach import reach
from calc.analysis.run import Result
from calc.analysis.statements import capex_checks, quarter_checks, stated_checks
from calc.analysis.target import target_facts
from calc.core.constants import CURRENCY, CURRENCY_YEAR
from calc.core.errors import CapcalcError
from calc.core.version import __version__
from calc.core.vocabulary import INPUTS, OUTPUTS, measure_title
from calc.data.assumptions import Value
from calc.data.io import dump_yaml
from calc.data.peers import PeersFile
from calc.data.records import records_of
from calc.data.scenarios import Library
from calc.data.units import format_unit
from calc.presentation.calibration import reason_text
from calc.presentation.charts.peers import among_chart, largest_site_chart
from calc.presentation.charts.scenarios import (
    comparison_chart,
    cost_chart,
    power_chart,
    utilisation_chart,
)
from calc.presentation.charts.sensitivity import tornado_chart
from calc.presentation.charts.timeline import levers_chart, timeline_chart
from calc.presentation.charts.uncertainty import exceedance_chart, reach_probability_chart
from calc.presentation.comparison import compare
from calc.presentation.formatting import (
    format_value,
    input_title,
    output_text,
    percent,
    times,
)
from calc.presentation.levers import levers_sentence, path_text
from calc.presentation.reach import reach_lines
from calc.presentation.report_page import (
    Assumptions,
    Block,
    Calibration,
    Cell,
    Item,
    Peers,
    Provenance,
    Question,
    ReportChart,
    Scenarios,
    Spread,
    Statements,
    Tenfold,
    Text,
    Timelines,
    Tornado,
    Uncertainty,
    grid,
    rich_cell,
    sources,
)
from calc.presentation.results import utilisation_sentence
from calc.presentation.statements import statements_text
from calc.presentation.tables.peers import chips_text
from calc.presentation.tables.uncertainty import distribution_table

if TYPE_CHECKING:
    pass


__all__ = [
    "ReportContext", "assumptions_section",
    "calibration_section", "peers_section", "provenance_section", "question_section",
    "results_section", "scenario_names", "tenfold_section", "uncertainty_section",
]

#: Outputs the report's results table shows, in order.
_RESULT_ROWS = ("facility_power_mw", "it_power_mw", "accelerators", "h100_equivalents",
                "peak_flop_per_s", "effective_flop_per_s", "training_flop_per_run",
                "annual_energy_mwh", "capex_usd", "annualized_cost_usd", "cost_per_run_usd",
                "cloud_cost_per_year_usd", "cloud_cost_per_run_usd",
                "lease_breakeven_utilisation", "leased_cost_at_utilisation_usd",
                "owned_cost_per_used_hour_usd", "compute_multiple",
                "facility_power_mw_for_target")

@dataclass
class ReportContext:
    """What every section is built from; ``notes`` gathers the parts not computed."""

    library: Library
    results: list[Result]
    baseline: Result
    sets: list[tuple[str, Any]]
    seed: int
    samples: int
    peers: PeersFile
    calibration: CalibrationResult
    notes: list[str] = field(default_factory=list)
    peers_source: str = "peers.yaml"


def scenario_names(library: Library, names: Sequence[str]) -> list[str]:
    """The scenarios to compare: ``names``, else the story's (``story.report``, else its
    opening scenario), else the baseline."""
    if names:
        return list(names)
    story = library.story
    return list(story.report) or ([story.opening] if story.opening else
                                  [library.baseline_name()])


def question_section(ctx: ReportContext) -> Question:
    """The baseline in one paragraph, how many scenarios reach the target, each one's gap."""
    base = ctx.baseline
    o = base.outputs
    target = base.scenario.inputs.target.compute_multiplier
    intro = (
        f"The baseline, {base.scenario.title} ({base.name}), runs "
        f"{format_value(o['accelerators'], 'accelerator')} "
        f"{base.scenario.inputs.hardware.accelerator}"
        f" on {format_value(o['facility_power_mw'], 'MW')} of facility power: "
        f"{format_value(o['h100_equivalents'], 'H100e')} H100-equivalents and "
        f"{format_value(o['effective_flop_per_s'], 'FLOP/s')} of effective training compute. "
        f"The question is what {times(target)} that compute takes — power, chips, money and "
        "time — and how far each scenario gets.")
    # one row per scenario and each build-out's date once, as `capcalc run` prints them
    shown = [r for r in ctx.results if not (r.name == base.name and len(ctx.results) > 1)]
    compared = compare(ctx.library, shown, base, records=records_of(ctx.peers))
    met = [r.name for r in ctx.results
           if r.outputs["compute_multiple"] >= target * (1 - 1e-9)]
    short = [r for r in ctx.results if r.name not in met]
    verdict = (f"{len(met)} of the {len(ctx.results)} scenarios reach the {times(target)} "
               f"target" + (f" ({', '.join(met)})" if met else "") + ".")
    if short:
        best = max(short, key=lambda r: r.outputs["compute_multiple"])
        verdict += (f" Of the others, {best.name} comes closest at "
                    f"{times(best.outputs['compute_multiple'])} {base.name}.")
    return Question(intro=intro, verdict=verdict,
                    table=grid(compared.header, compared.rows, "compact"),
                    dates=compared.dates)


def results_section(ctx: ReportContext, charts: list[ReportChart]) -> Scenarios:
    """Every scenario's inputs and outputs side by side (values in each output's unit)."""
    results = ctx.results
    header = ["", *[r.name + (" (baseline)" if r.name == ctx.baseline.name else "")
                    for r in results]]
    rows: list[list[object]] = [
        ["Title", *[r.scenario.title for r in results]],
        ["Accelerator", *[r.scenario["hardware.accelerator"] for r in results]],
        ["Precision", *[r.scenario["training.precision"] for r in results]],
        ["PUE", *[f"{r.scenario.inputs.site.pue:.2f}" for r in results]],
        ["MFU", *[percent(r.scenario.inputs.training.mfu) for r in results]],
    ]
    for output in _RESULT_ROWS:
        spec = OUTPUTS[output]
        unit = format_unit(spec.unit)
        cells = [output_text(output, r.outputs[output], spec.unit) for r in results]
        rows.append([spec.title + (f" ({unit})" if unit and unit not in ("accelerator",
                                                                         "H100e") else ""),
                     *cells])
    measure = measure_title(results[0].scenario.values)
    charts += [
        ReportChart(comparison_chart(results, ctx.baseline, measure=measure),
                    "Bars of facility power, H100-equivalents, compute multiple and capex per "
                    "scenario, each against the baseline"),
        ReportChart(power_chart(ctx.library, results[0].scenario,
                                ctx.baseline.measured(results[0].measure),
                                results, measure=measure),
                    "H100-equivalents and effective FLOP/s against facility power per "
                    "accelerator"),
        ReportChart(cost_chart(results), "Capex and yearly cost per scenario, split by part"),
        ReportChart(utilisation_chart(results),
                    "Yearly cost of owning (flat) and of leasing (rising) against utilisation, "
                    "the break-even marked where they cross"),
    ]
    sets = ", ".join(f"{k}={v}" for k, v in ctx.sets)
    note = (f"Money in US dollars of {CURRENCY_YEAR}. H100e = dense 8-bit FLOP/s ÷ 1.979e15 "
            "(Epoch AI's "
            f"convention). Multiples of "
            f"{measure_title(results[0].scenario.values, at_one_moment=True)} against "
            f"{ctx.baseline.name}."
            + (f" Every scenario with {sets}." if sets else "")
            + " " + utilisation_sentence(results))
    return Scenarios(table=grid(header, rows, "results"), note=note)


def tenfold_section(ctx: ReportContext, charts: list[ReportChart]) -> Tenfold:
    """Each scenario against the target (power in MW), then its levers and the timelines."""
    target = ctx.baseline.scenario.inputs.target.compute_multiplier
    rows = []
    for result in ctx.results:
        facts = target_facts(ctx.library, result, ctx.baseline)
        better = facts.better_chips[:3]
        rows.append([
            result.name, facts.accelerator, format_value(facts.facility_power_mw, "MW"),
            times(facts.compute_multiple), "yes" if facts.met else "no",
            format_value(facts.facility_power_mw_for_target, "MW"),
            times(facts.gain_needed),
            "; ".join(f"{c.accelerator}{'' if c.status == 'shipping' else f' ({c.status})'} at "
                      f"{format_value(c.facility_power_mw_for_target, 'MW')}"
                      for c in better) or "none in the catalog",
        ])
    table = grid(["Scenario", "Chip", "Facility power", "Multiple", "Meets target",
                   "Power for target", "FLOP per watt needed", "Chips that need less power"],
                  rows, "tenfold")
    return Tenfold(target=times(target), baseline=ctx.baseline.name, table=table,
                   levers=_block("Levers", _levers_block, ctx, charts),
                   timeline=_block("Timeline and reach date", _timeline_block, ctx, charts))


def uncertainty_section(ctx: ReportContext, charts: list[ReportChart]) -> Uncertainty:
    """The Monte Carlo spread of the outputs and the tornado of the focus scenario."""
    return Uncertainty(spread=_block("Uncertainty", _uncertainty_block, ctx, charts),
                       tornado=_block("Sensitivity", _sensitivity_block, ctx, charts))


_T = TypeVar("_T")


def _block(title: str, builder: Callable[[ReportContext, list[ReportChart]], _T],
           ctx: ReportContext, charts: list[ReportChart]) -> Block[_T]:
    """A titled part of the report; a part that cannot be computed says why instead."""
    try:
        return Block(title, builder(ctx, charts))
    except CapcalcError as exc:
        ctx.notes.append(f"{title}: {exc}")
        return Block(title, None, missing=str(exc))


def _uncertainty_block(ctx: ReportContext, charts: list[ReportChart]) -> Spread:
    """P5, P50 and P95 of five outputs per scenario (in each output's unit), and the chance
    of reaching the target."""
    sims = [montecarlo.simulate(ctx.library, r.scenario, samples=ctx.samples, seed=ctx.seed)
            for r in ctx.results]
    outputs = ["h100_equivalents", "effective_flop_per_s", "compute_multiple", "capex_usd",
               "facility_power_mw_for_target"]
    table = distribution_table(sims, outputs)
    rows = []
    for row in table.rows():
        unit = row["unit"]
        rows.append([row["scenario"], OUTPUTS[row["output"]].title,
                     format_value(row["central"], unit), format_value(row["p5"], unit),
                     format_value(row["p50"], unit), format_value(row["p95"], unit)])
    reach = "; ".join(f"{s.name}: {percent(s.p_target_reached())}" for s in sims)
    charts.append(ReportChart(exceedance_chart(sims, "compute_multiple"),
                              "Chance that each scenario's compute multiple exceeds a value, "
                              "with the target"))
    return Spread(samples=f"{ctx.samples:,}", seed=ctx.seed,
                  table=grid(["Scenario", "Output", "Central", "P5", "P50", "P95"], rows,
                              "uncertainty"),
                  reach=reach)


def _focus(ctx: ReportContext) -> Result:
    """The scenario the single-scenario analyses look at: the first that is not the baseline."""
    return next((r for r in ctx.results if r.name != ctx.baseline.name), ctx.results[0])


def _sensitivity_block(ctx: ReportContext, charts: list[ReportChart]) -> Tornado:
    """The eight inputs that swing the focus scenario's output most (in the output's unit)."""
    focus = _focus(ctx)
    output = "compute_multiple" if focus.name != ctx.baseline.name else "effective_flop_per_s"
    result = sensitivity.tornado(ctx.library, focus.scenario, output)
    charts.append(ReportChart(tornado_chart(result),
                              f"Tornado of {OUTPUTS[output].title} for {focus.name}: each input "
                              "from its low to its high"))
    unit = OUTPUTS[output].unit
    rows = [[input_title(bar.parameter.key, bar.parameter.side),
             output_text(output, bar.output_low, unit), output_text(output, bar.output_high, unit),
             output_text(output, bar.swing, unit)]
            for bar in result.tornado if bar.swing > 0][:8]
    return Tornado(focus=focus.name, output=OUTPUTS[output].title.lower(),
                   table=grid(["Input", "Output at low", "Output at high", "Swing"], rows,
                               "sensitivity"))


def _levers_block(ctx: ReportContext, charts: list[ReportChart]) -> tuple[Item, ...]:
    """Each scenario's multiple split into its levers (empty when only the baseline is run)."""
    items = []
    focus = _focus(ctx)
    for result in ctx.results:
        if result.name == ctx.baseline.name:
            continue
        levers = levers_of_result(ctx.library, result, ctx.baseline)
        decomposition, paths = levers.decomposition, levers.paths
        assert decomposition is not None  # a static site always has hardware
        factors = ", ".join(f"{lever.title} {lever.factor:.3g}×"
                            for lever in decomposition.levers)
        items.append(Item(result.name, f"{decomposition.total:.3g}× = {factors}.",
                          tuple(path_text(path) for path in paths)))
        if result.name == focus.name:
            charts.append(ReportChart(levers_chart(levers),
                                      f"The compute multiple of {result.name} split into its "
                                      "levers"))
    return tuple(items)


def _timeline_block(ctx: ReportContext, charts: list[ReportChart]) -> Timelines:
    """Each compared build-out (else the first shipped one): when it reaches the target, and
    the operator's stated compute and capex beside it, as ``capcalc timeline`` prints them."""
    names = [r.name for r in ctx.results
             if ctx.library.definitions[r.name].timeline is not None]
    shown_instead = ""
    if not names:
        names = [n for n, d in ctx.library.definitions.items() if d.timeline is not None][:1]
        if not names:
            return Timelines(table=None)
        shown_instead = names[0]
    rows = []
    statements = []
    levers = []
    subject = ctx.library.story.operator
    for i, name in enumerate(names):
        answer = reach(ctx.library, ctx.library.scenario(name, ctx.sets), ctx.peers,
                       samples=ctx.samples, seed=ctx.seed)
        built = answer.timeline
        low, median, high = answer.months
        until = built.until
        rows.append([name, median or f"not by {until}",
                     f"{low or 'after ' + until} to {high or 'after ' + until}",
                     percent(answer.p_by_horizon), built.target_reached or f"not by {until}",
                     answer.pace_months[0] or "—", f"{built.final_multiple:.3g}×"])
        levers.append(Item(f"{name} in {built.until}",
                           levers_sentence(levers_of_timeline(ctx.library, built))))
        if i == 0:
            stated = ctx.peers.stated(subject) if subject else ()
            charts.append(ReportChart(
                timeline_chart(built, stated, measure=measure_title(built.scenario.values),
                               pace=answer.pace),
                f"The build-out of {name} month by month, with the target"
                + (f" and {answer.pace.operator}'s own pace" if answer.pace else "")))
            slipping = (f"its announced phases slipping by {answer.slip.described}"
                        if answer.slip else "its announced phases on their dates")
            charts.append(ReportChart(reach_probability_chart([answer.sampled]),
                                      f"The chance that {name} has reached the target by "
                                      f"each month, {slipping}"))
        if subject:
            text = "\n".join([*reach_lines(answer), "", statements_text(
                stated_checks(built, ctx.peers.stated(subject)),
                capex_checks(built, ctx.peers.capex_of(subject)), subject,
                quarter_checks(built, ctx.peers.quarterly_capex_of(subject)))])
            statements.append(Statements(scenario=name, text=text))
    table = grid(["Scenario", "Target reached (sampled median)", "10–90 %",
                  "P(by the horizon)", "At central values", "At the operator's pace",
                  "Multiple at the horizon"], rows, "timeline")
    return Timelines(table=table, shown_instead=shown_instead, statements=tuple(statements),
                     levers=tuple(levers))


def peers_section(ctx: ReportContext, charts: list[ReportChart]) -> Peers:
    """Every peer as published (power in MW, capex in US dollars of 2025) with its sources."""
    charts += [
        ReportChart(among_chart(ctx.peers, ctx.library, ctx.results, ctx.baseline),
                    "Power against H100-equivalents for the largest AI training sites, log–log, "
                    "with the scenarios and the target"),
        ReportChart(largest_site_chart(ctx.peers, ctx.library, ctx.baseline),
                    "Size of the largest AI training sites against date, with Epoch AI's growth "
                    "trend"),
    ]
    rows = []
    for peer in ctx.peers.peers:
        power = peer.power_mw[0] if peer.power_mw else None
        h100e = peer.h100_equivalents[0] if peer.h100_equivalents else None
        capex = peer.capex_usd_2025[0] if peer.capex_usd_2025 else None
        others: list[Text] = []
        for figures, unit in ((peer.power_mw, "MW"), (peer.h100_equivalents, "H100e"),
                              (peer.capex_usd_2025, CURRENCY)):
            for figure in figures[1:]:
                others.append((_figure_text(figure, unit), " (",
                               *sources(figure.source or peer.source), ")"))
        rows.append([
            peer.site, rich_cell((peer.operator + (f" for {peer.user}" if peer.user else ""),)),
            peer.location or "—", peer.date, peer.status, chips_text(peer),
            _figure_text(power, "MW") if power else "—",
            _figure_text(h100e, "H100e") if h100e else "—",
            _figure_text(capex, CURRENCY) if capex else "—",
            rich_cell(*others) if others else "—", peer.confidence,
            rich_cell(sources(peer.source)),
        ])
    trend = ctx.peers.trend
    doubling = trend.record_compute_doubling_months
    return Peers(
        trend=("Trend: ", doubling.note or "", " (", *sources(doubling.source), "). ",
               trend.anchor_note),
        table=grid(["Site", "Operator", "Location", "Date", "Status", "Accelerators", "Power",
                     "H100e", "Capex", "Other figures", "Confidence", "Source"], rows, "peers"),
    )


def _figure_text(figure: Any, unit: str) -> str:
    """A published figure with its bound and basis: ``≥ 100 MW IT``."""
    mark = {"at_least": "≥ ", "at_most": "≤ ", None: ""}[figure.bound]
    text = mark + format_value(figure.value, unit)
    basis = getattr(figure, "basis", None)
    return text + {"it": " IT", "unstated": " (basis not stated)"}.get(basis or "", "")


def calibration_section(ctx: ReportContext, charts: list[ReportChart]) -> Calibration:
    """The tolerances (fractions), each comparison, the pinned assumptions, what is missing."""
    result = ctx.calibration
    tol = ctx.peers.calibration.tolerances
    tol_rows = [[name, f"±{percent(item.value)}", item.note or "", rich_cell(sources(item.source))]
                for name, item in (("power", tol.power), ("H100-equivalents",
                                                          tol.h100_equivalents),
                                   ("capex", tol.capex))]
    rows = []
    not_modelled: dict[str, list[str]] = {}
    for c in result.comparisons:
        unit = c.unit
        if c.status == "n/a":
            not_modelled.setdefault(reason_text(c), []).append(
                f"{c.peer} {c.quantity.replace('_', ' ')}")
            continue
        published = ({"at_least": "≥ ", "at_most": "≤ ", "": ""}[c.bound]
                     + format_value(c.published, unit)
                     + {"it": " IT", "unstated": " (unstated)"}.get(c.basis, ""))
        rows.append([
            c.peer, c.quantity.replace("_", " "), published,
            "—" if c.model is None else format_value(c.model, unit),
            "—" if c.deviation is None else percent(c.deviation, 1, sign=True),
            Cell(((c.status,),), badge=c.status.replace("/", "")),
            c.confidence + ("" if c.primary else ", alternative"),
            "no: " + ", ".join(c.circular) if c.circular else "yes",
            reason_text(c) or "—",
        ])
    return Calibration(
        defaults=result.defaults, summary=result.summary(),
        tolerances=grid(["Quantity", "Tolerance", "Why", "Sources"], tol_rows, "tolerances"),
        comparisons=grid(["Peer", "Quantity", "Published", "Model", "Deviation", "Status",
                           "Confidence", "Independent", "Likely reason"], rows, "calibration"),
        pinned=tuple(Item(key, ", ".join(ids)) for key, ids in result.pinned.items()),
        not_modelled=tuple(Item(reason[:1].upper() + reason[1:], ", ".join(items) + ".")
                           for reason, items in not_modelled.items()),
    )


def _value_text(value: Value, unit: str) -> str | None:
    """An assumption's value as shown: text as it is, a number formatted in ``unit``."""
    if isinstance(value, str) or value is None:
        return value
    return format_value(float(value), unit)


def assumptions_section(ctx: ReportContext) -> Assumptions:
    """The baseline's inputs (each in its own unit), the scenarios' changes, the catalog."""
    base = ctx.baseline.scenario
    rows = []
    for key, a in base.assumptions.items():
        unit = a.unit
        span = "" if a.low is None and a.high is None else (
            f"{'' if a.low is None else format_value(a.low, unit)} – "
            f"{'' if a.high is None else format_value(a.high, unit)}")
        rows.append([key, INPUTS[key].title, _value_text(a.value, unit), format_unit(unit),
                     span, a.as_of, a.confidence or "", rich_cell(sources(a.source)), a.note or ""])
    override_rows = []
    for result in ctx.results:
        for key in sorted(result.scenario.explicit):
            a = result.scenario.assumptions[key]
            override_rows.append([result.name, key, _value_text(a.value, a.unit), a.as_of,
                                  rich_cell(sources(a.source))])
    catalog_rows = []
    for name, acc in ctx.library.baseline.catalog.items():
        for field_name, entry in acc.entries.items():
            catalog_rows.append([name, acc.status, field_name,
                                 format_value(entry.number, entry.unit)
                                 if entry.unit != "1" else f"{entry.number:.2f}",
                                 entry.as_of, entry.confidence or "",
                                 rich_cell(sources(entry.source))])
    return Assumptions(
        baseline=ctx.baseline.name,
        inputs=grid(["Key", "Meaning", "Value", "Unit", "90 % range", "As of", "Confidence",
                      "Source", "Note"], rows, "assumptions"),
        overrides=grid(["Scenario", "Key", "Value", "As of", "Source"], override_rows,
                        "overrides") if override_rows else None,
        catalog=grid(["Accelerator", "Status", "Figure", "Value", "As of", "Confidence",
                       "Source"], catalog_rows, "catalog"),
    )


def _scenario_yaml(ctx: ReportContext) -> str:
    """The scenarios used, as YAML capcalc reads back (values in each key's unit)."""
    library = ctx.library
    names: list[str] = []
    for result in ctx.results:
        for definition in library.lineage(result.name):
            if definition.name not in names:
                names.append(definition.name)
    documents: dict[str, Any] = {}
    for name in names:
        definition = library.definitions[name]
        doc: dict[str, Any] = {}
        for meta in ("title", "base", "meet_target"):
            if getattr(definition, meta):
                doc[meta] = getattr(definition, meta)
        for change in definition.changes:
            if change.has_value:
                doc[change.key] = change.value
        phases = getattr(definition, "timeline", None)
        if phases:
            doc["timeline"] = [phase.to_dict() for phase in phases]
        documents[name] = doc
    text = dump_yaml({"scenarios": documents})
    if ctx.sets:
        text += "# applied to every scenario (--set):\n" + "".join(
            f"#   {k}={v}\n" for k, v in ctx.sets)
    return text


def provenance_section(ctx: ReportContext, generated: str) -> Provenance:
    """The footer; built last, so it carries the notes of every part not computed."""
    items = (
        ("capcalc version", __version__),
        ("Generated", generated),
        ("Seed", str(ctx.seed)),
        ("Monte Carlo samples", f"{ctx.samples:,}"),
        ("Scenarios", ", ".join(r.name for r in ctx.results)),
        ("Overrides (--set)", ", ".join(f"{k}={v}" for k, v in ctx.sets) or "none"),
        ("Assumptions file", str(ctx.library.baseline.source or "")),
        ("Peers file", ctx.peers_source),
    )
    return Provenance(items=items, notes=tuple(ctx.notes), scenario_yaml=_scenario_yaml(ctx))
