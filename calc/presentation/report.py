"""A one-file report: the question, the answer, scenarios, tenfold, uncertainty, peers, assumptions.

:func:`build_report` runs the scenarios and renders one self-contained HTML
document: every chart is embedded as a PNG data URI, the style sheet is
inline, and nothing is fetched from any server when the file is opened (the
source links are ordinary ``<a href>`` links a reader may follow). The same
charts are kept as PNG and SVG, with the CSV behind each, and
:func:`write_report` writes them beside the HTML through :mod:`calc.data.io`.

The report is made in two steps. Python builds every section as plain data:
frozen dataclasses of strings (:class:`Grid` tables of :class:`Cell`,
:class:`Link` pairs of URL and text, :class:`ReportFigure` charts), with no
HTML in them. The Jinja2 template ``templates/report.html.j2`` (with its
macros in ``_macros.j2`` and its style sheet in ``_style.css.j2`` beside it)
writes that data out as HTML with autoescaping on, so every piece of text —
scenario titles, notes and sources from a user's YAML included — is escaped
where it is written. Nothing is marked safe: the style sheet is literal text
of a template, and a PNG's base64 has no character that needs escaping. Only
http and https sources become links.

A part that cannot be computed for the scenarios given (a timeline without
phases, say) says why in its place instead of failing the whole report.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import yaml
from matplotlib.figure import Figure

from calc.analysis import montecarlo, sensitivity
from calc.analysis.calibration import CalibrationResult, calibrate
from calc.analysis.levers import levers_of_result, levers_of_timeline
from calc.analysis.run import Result, reference_run, run
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.statements import capex_checks, stated_checks
from calc.analysis.target import target_facts
from calc.analysis.timeline import run_timeline
from calc.core.chain import measure_of, target_measure
from calc.core.constants import CURRENCY, CURRENCY_YEAR
from calc.core.errors import CapcalcError, clean_text
from calc.core.version import __version__
from calc.core.vocabulary import INPUTS, OUTPUTS, measure_title
from calc.data.assumptions import Value
from calc.data.io import FileData, write_files
from calc.data.peers import PeersFile, load_peers
from calc.data.scenarios import Library
from calc.data.units import format_unit
from calc.presentation.answer import answer_for
from calc.presentation.calibration import calibration_table, reason_text
from calc.presentation.charts.peers import among_peers, largest_site_timeline
from calc.presentation.charts.scenarios import (
    cost_breakdown,
    power_to_compute,
    scenario_comparison,
)
from calc.presentation.charts.timeline import levers_waterfall, timeline_chart
from calc.presentation.charts.uncertainty import (
    exceedance_chart,
    reach_probability_chart,
    tornado_chart,
)
from calc.presentation.export import figure_bytes
from calc.presentation.formatting import format_value, times
from calc.presentation.levers import levers_sentence, levers_table, path_text
from calc.presentation.statements import statements_text
from calc.presentation.tables.base import Table
from calc.presentation.tables.peers import (
    among_peers_table,
    chips_text,
    largest_site_table,
    peers_table,
)
from calc.presentation.tables.scenarios import comparison_table, cost_table, power_curve_table
from calc.presentation.tables.sensitivity import tornado_table
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.tables.uncertainty import (
    distribution_table,
    exceedance_table,
    reach_probability_table,
)

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "DEFAULT_REPORT_SCENARIOS",
    "REPORT_FILE",
    "Chart",
    "Report",
    "build_report",
    "report_files",
    "sources",
    "write_report",
]

logger = logging.getLogger(__name__)

#: The scenarios a report compares when none are named (those the library has).
DEFAULT_REPORT_SCENARIOS = ("cortex-phase1", "cortex-full", "cortex-full-gb200", "tenfold",
                            "tenfold-gb200")
REPORT_FILE = "report.html"
#: The template the report is rendered from (in ``calc/presentation/templates``).
TEMPLATE = "report.html.j2"
#: Outputs the report's results table shows, in order.
_RESULT_ROWS = ("facility_power_mw", "it_power_mw", "accelerators", "h100_equivalents",
                "peak_flop_per_s", "effective_flop_per_s", "training_flop_per_run",
                "annual_energy_mwh", "capex_usd", "annualized_cost_usd", "cost_per_run_usd",
                "cloud_cost_per_year_usd", "cloud_cost_per_run_usd",
                "lease_breakeven_utilisation", "compute_multiple",
                "facility_power_mw_for_target")
#: The schemes a source needs to become a link.
_WEB = ("http://", "https://")
#: The sections in order, with their ids and their titles in the navigation.
_SECTIONS = (("question", "Question and answer"), ("scenarios", "Scenarios"),
             ("tenfold", "Tenfold"), ("uncertainty", "Uncertainty"),
             ("peers", "Peers"), ("calibration", "Calibration"),
             ("assumptions", "Assumptions"), ("provenance", "Provenance"))


# ------------------------------------------------------------------ the data the template writes


@dataclass(frozen=True)
class Link:
    """A link to a source: ``url`` (http or https, never anything else) shown as ``text``."""

    url: str
    text: str

    def __post_init__(self) -> None:
        if not self.url.startswith(_WEB):
            raise ValueError(f"only http and https URLs become links, not {self.url!r}")


#: Text with links: runs of plain text and links, written one after the other.
Text: TypeAlias = tuple[str | Link, ...]


@dataclass(frozen=True)
class Cell:
    """One table cell: lines of text with links (one under the other), maybe a status badge."""

    lines: tuple[Text, ...]
    #: Whether the cell holds a number (aligned right).
    numeric: bool = False
    #: The status a calibration badge shows (its CSS class), or None for plain text.
    badge: str | None = None


@dataclass(frozen=True)
class Grid:
    """A table: its header, its rows of cells and its CSS class ("" for none)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    css: str = ""


@dataclass(frozen=True)
class Item:
    """A list item: a name in bold, a colon, a sentence, and maybe a list of sentences under it."""

    head: str
    text: str
    sub: tuple[str, ...] = ()


_T = TypeVar("_T")


@dataclass(frozen=True)
class Block(Generic[_T]):
    """A titled part of a section: its data, or why it could not be computed."""

    title: str
    body: _T | None
    missing: str = ""


@dataclass(frozen=True)
class ReportFigure:
    """A drawn chart as the report shows it: the PNG embedded, links to its files beside it."""

    name: str
    title: str
    caption: str
    alt: str
    #: The PNG as base64 (the ``data:`` URI's payload).
    png_base64: str
    #: Its files beside the report (empty when the HTML travels alone).
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """The question and the answer: the baseline, the verdict, each scenario's distance."""

    intro: str
    verdict: str
    answers: tuple[Item, ...]


@dataclass(frozen=True)
class Scenarios:
    """The scenarios side by side, and the note on money, H100e and ``--set``."""

    table: Grid
    note: str


@dataclass(frozen=True)
class Statements:
    """What the operator has said beside one build-out, as ``capcalc timeline`` prints it."""

    scenario: str
    text: str


@dataclass(frozen=True)
class Timelines:
    """The build-outs: when each reaches the target, and the operator's statements beside it."""

    table: Grid | None
    #: The shipped scenario shown when none compared has a timeline ("" when one has).
    shown_instead: str = ""
    statements: tuple[Statements, ...] = ()
    #: Each build-out's levers at its horizon, as ``capcalc levers SCENARIO --at MONTH`` says.
    levers: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Tenfold:
    """The tenfold analysis: each scenario against the target, its levers and its timeline."""

    target: str
    baseline: str
    table: Grid
    levers: Block[tuple[Item, ...]]
    timeline: Block[Timelines]


@dataclass(frozen=True)
class Spread:
    """The Monte Carlo block: percentiles of each output and the chance of reaching the target."""

    #: The sample count, thousands separated (``2,000``).
    samples: str
    seed: int
    table: Grid
    #: Each scenario's chance of reaching the target in percent, ``"; "``-joined.
    reach: str


@dataclass(frozen=True)
class Tornado:
    """The one-at-a-time sensitivity of the focus scenario's output."""

    focus: str
    output: str
    table: Grid


@dataclass(frozen=True)
class Uncertainty:
    """Uncertainty and sensitivity."""

    spread: Block[Spread]
    tornado: Block[Tornado]


@dataclass(frozen=True)
class Peers:
    """The peers table and the growth trend with its sources."""

    trend: Text
    table: Grid


@dataclass(frozen=True)
class Calibration:
    """The model against published figures, the sites that pin assumptions, what is missing."""

    defaults: str
    summary: str
    tolerances: Grid
    comparisons: Grid
    pinned: tuple[Item, ...]
    not_modelled: tuple[Item, ...]


@dataclass(frozen=True)
class Assumptions:
    """Every input of the baseline, what each scenario changes, and the accelerator catalog."""

    baseline: str
    inputs: Grid
    overrides: Grid | None
    catalog: Grid


@dataclass(frozen=True)
class Provenance:
    """The footer: what made the report, the notes of parts not computed, the scenario YAML."""

    items: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    scenario_yaml: str


@dataclass(frozen=True)
class Page:
    """Everything the template writes, section by section."""

    title: str
    subtitle: str
    version: str
    nav: tuple[tuple[str, str], ...]
    question: Question
    scenarios: Scenarios
    tenfold: Tenfold
    uncertainty: Uncertainty
    peers: Peers
    calibration: Calibration
    assumptions: Assumptions
    provenance: Provenance
    #: Each section's charts by section id.
    figures: dict[str, tuple[ReportFigure, ...]]


def _numeric(text: str) -> bool:
    """Whether a cell's text reads as a number (aligned right).

    >>> _numeric("1.2 GW"), _numeric("≥ 100 MW"), _numeric("H100"), _numeric("")
    (True, True, False, False)
    """
    return 0 < len(text) <= 24 and (text[0].isdigit() or text[:1] in "$+-−≥≤~")


def _cell(value: object) -> Cell:
    """A cell of plain text (``None`` is empty); a :class:`Cell` passes through."""
    if isinstance(value, Cell):
        return value
    text = "" if value is None else str(value)
    return Cell(((text,),), numeric=_numeric(text))


def _rich(*lines: Text) -> Cell:
    """A cell of text with links, one line under the other (never aligned as a number)."""
    return Cell(tuple(lines))


def _grid(header: Sequence[str], rows: Sequence[Sequence[object]], css: str = "") -> Grid:
    """A table from a header and rows of plain values or cells."""
    return Grid(tuple(header), tuple(tuple(_cell(c) for c in row) for row in rows), css)


def sources(text: str) -> Text:
    """A ``" ; "``-separated source text, every http(s) URL a link shortened to 60 characters.

    >>> sources("https://epoch.ai/x ; a paper ; javascript:alert(1)")
    (Link(url='https://epoch.ai/x', text='epoch.ai/x'), '; ', 'a paper', '; ',
     'javascript:alert(1)')
    """
    out: list[str | Link] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if out:
            out.append("; ")
        if part.startswith(_WEB):
            short = part.split("://", 1)[1]
            out.append(Link(part, short if len(short) <= 60 else short[:57] + "…"))
        else:
            out.append(part)
    return tuple(out)


# ------------------------------------------------------------------ charts


@dataclass(frozen=True)
class Chart:
    """A chart of the report: its table (data and provenance) and how to draw it."""

    table: Table
    draw: Callable[[Table], Figure]
    alt: str


@dataclass(frozen=True)
class Rendered:
    """A chart drawn once: PNG bytes (embedded and saved) and SVG bytes (saved)."""

    chart: Chart
    files: dict[str, bytes]


def _render(chart: Chart, formats: Sequence[str]) -> Rendered:
    """Draw ``chart`` once and keep its PNG (always), the other ``formats`` and its CSV."""
    import matplotlib.pyplot as plt  # deferred: pyplot only to release the drawn figure

    fig = chart.draw(chart.table)
    try:
        files = {fmt: figure_bytes(fig, chart.table, fmt) for fmt in
                 dict.fromkeys(["png", *formats])}
    finally:
        plt.close(fig)
    files["csv"] = chart.table.to_csv().encode("utf-8")
    return Rendered(chart, files)


def _report_figure(rendered: Rendered, formats: Sequence[str] | None) -> ReportFigure:
    """The embedded chart; with ``formats``, the names of its files beside the report."""
    table = rendered.chart.table
    files = () if formats is None else tuple(f"{table.name}.{fmt}" for fmt in [*formats, "csv"])
    return ReportFigure(name=table.name, title=table.title, caption=table.caption,
                        alt=rendered.chart.alt,
                        png_base64=base64.b64encode(rendered.files["png"]).decode("ascii"),
                        files=files)


# ------------------------------------------------------------------ the report


@dataclass(frozen=True)
class Report:
    """A built report: the HTML text and the files to write beside it, by name."""

    html: str
    files: dict[str, bytes] = field(default_factory=dict)
    scenarios: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """Every file the report writes, the HTML first."""
        return [REPORT_FILE, *self.files]


@dataclass
class _Context:
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


def _scenario_names(library: Library, names: Sequence[str]) -> list[str]:
    """The scenarios to compare: ``names``, else the shipped ones the library has."""
    if names:
        return list(names)
    shipped = [n for n in DEFAULT_REPORT_SCENARIOS if n in library.definitions]
    return shipped or [library.baseline_name()]


def _question(ctx: _Context) -> Question:
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
    # the same words as `capcalc run` and the dashboard
    answers = tuple(Item(result.name, answer_for(ctx.library, result, base))
                    for result in ctx.results
                    if not (result.name == base.name and len(ctx.results) > 1))
    met = [r.name for r in ctx.results
           if r.outputs["compute_multiple"] >= target * (1 - 1e-9)]
    short = [r for r in ctx.results if r.name not in met]
    verdict = (f"{len(met)} of the {len(ctx.results)} scenarios reach the {times(target)} "
               f"target" + (f" ({', '.join(met)})" if met else "") + ".")
    if short:
        best = max(short, key=lambda r: r.outputs["compute_multiple"])
        verdict += (f" Of the others, {best.name} comes closest at "
                    f"{times(best.outputs['compute_multiple'])} {base.name}.")
    return Question(intro=intro, verdict=verdict, answers=answers)


def _results_section(ctx: _Context, charts: list[Chart]) -> Scenarios:
    """Every scenario's inputs and outputs side by side (values in each output's unit)."""
    results = ctx.results
    header = ["", *[r.name + (" (baseline)" if r.name == ctx.baseline.name else "")
                    for r in results]]
    rows: list[list[object]] = [
        ["Title", *[r.scenario.title for r in results]],
        ["Accelerator", *[r.scenario["hardware.accelerator"] for r in results]],
        ["Precision", *[r.scenario["training.precision"] for r in results]],
        ["PUE", *[f"{r.scenario.inputs.site.pue:.2f}" for r in results]],
        ["MFU", *[f"{r.scenario.inputs.training.mfu:.0%}" for r in results]],
    ]
    for output in _RESULT_ROWS:
        spec = OUTPUTS[output]
        unit = format_unit(spec.unit)
        cells = [format_value(r.outputs[output], spec.unit) for r in results]
        if output == "compute_multiple":
            cells = [c + "×" for c in cells]
        rows.append([spec.title + (f" ({unit})" if unit and unit not in ("accelerator",
                                                                         "H100e") else ""),
                     *cells])
    charts += [
        Chart(comparison_table(results, ctx.baseline), scenario_comparison,
              "Bars of facility power, H100-equivalents, compute multiple and capex per scenario"),
        Chart(power_curve_table(ctx.library, results[0].scenario,
                                float(measure_of(ctx.baseline.outputs,
                                                 target_measure(results[0].scenario.values))),
                                points=results),
              power_to_compute,
              "H100-equivalents and effective FLOP/s against facility power per accelerator"),
        Chart(cost_table(results), cost_breakdown,
              "Capex and yearly cost per scenario, split by part"),
    ]
    sets = ", ".join(f"{k}={v}" for k, v in ctx.sets)
    note = (f"Money in US dollars of {CURRENCY_YEAR}. H100e = dense 8-bit FLOP/s ÷ 1.979e15 "
            "(Epoch AI's "
            f"convention). Multiples of {measure_title(results[0].scenario.values)} against "
            f"{ctx.baseline.name}."
            + (f" Every scenario with {sets}." if sets else ""))
    return Scenarios(table=_grid(header, rows, "results"), note=note)


def _tenfold_section(ctx: _Context, charts: list[Chart]) -> Tenfold:
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
    table = _grid(["Scenario", "Chip", "Facility power", "Multiple", "Meets target",
                   "Power for target", "FLOP per watt needed", "Chips that need less power"],
                  rows, "tenfold")
    return Tenfold(target=times(target), baseline=ctx.baseline.name, table=table,
                   levers=_block("Levers", _levers_block, ctx, charts),
                   timeline=_block("Timeline and reach date", _timeline_block, ctx, charts))


def _uncertainty_section(ctx: _Context, charts: list[Chart]) -> Uncertainty:
    """The Monte Carlo spread of the outputs and the tornado of the focus scenario."""
    return Uncertainty(spread=_block("Uncertainty", _uncertainty_block, ctx, charts),
                       tornado=_block("Sensitivity", _sensitivity_block, ctx, charts))


def _block(title: str, builder: Callable[[_Context, list[Chart]], _T], ctx: _Context,
           charts: list[Chart]) -> Block[_T]:
    """A titled part of the report; a part that cannot be computed says why instead."""
    try:
        return Block(title, builder(ctx, charts))
    except CapcalcError as exc:
        ctx.notes.append(f"{title}: {exc}")
        return Block(title, None, missing=str(exc))


def _uncertainty_block(ctx: _Context, charts: list[Chart]) -> Spread:
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
    reach = "; ".join(f"{s.name}: {s.p_target_reached():.0%}" for s in sims)
    charts.append(Chart(exceedance_table(sims, "compute_multiple"), exceedance_chart,
                        "Chance that each scenario's compute multiple exceeds a value, with "
                        "the target"))
    return Spread(samples=f"{ctx.samples:,}", seed=ctx.seed,
                  table=_grid(["Scenario", "Output", "Central", "P5", "P50", "P95"], rows,
                              "uncertainty"),
                  reach=reach)


def _focus(ctx: _Context) -> Result:
    """The scenario the single-scenario analyses look at: the first that is not the baseline."""
    return next((r for r in ctx.results if r.name != ctx.baseline.name), ctx.results[0])


def _sensitivity_block(ctx: _Context, charts: list[Chart]) -> Tornado:
    """The eight inputs that swing the focus scenario's output most (in the output's unit)."""
    focus = _focus(ctx)
    output = "compute_multiple" if focus.name != ctx.baseline.name else "effective_flop_per_s"
    result = sensitivity.tornado(ctx.library, focus.scenario, output)
    table = tornado_table(result)
    charts.append(Chart(table, tornado_chart,
                        f"Tornado of {OUTPUTS[output].title} for {focus.name}: each input from "
                        "its low to its high"))
    unit = OUTPUTS[output].unit
    rows = [[bar.parameter.label, format_value(bar.output_low, unit),
             format_value(bar.output_high, unit), format_value(bar.swing, unit)]
            for bar in result.tornado if bar.swing > 0][:8]
    return Tornado(focus=focus.name, output=OUTPUTS[output].title.lower(),
                   table=_grid(["Input", "Output at low", "Output at high", "Swing"], rows,
                               "sensitivity"))


def _levers_block(ctx: _Context, charts: list[Chart]) -> tuple[Item, ...]:
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
            charts.append(Chart(levers_table(levers), levers_waterfall,
                                f"The compute multiple of {result.name} split into its levers"))
    return tuple(items)


def _timeline_block(ctx: _Context, charts: list[Chart]) -> Timelines:
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
    subject = ctx.peers.subject
    for i, name in enumerate(names):
        built = run_timeline(ctx.library, ctx.library.scenario(name, ctx.sets))
        rows.append([name, built.target_reached or f"not by {built.until}",
                     f"{built.final_multiple:.3g}×", built.summary()])
        levers.append(Item(f"{name} in {built.until}",
                           levers_sentence(levers_of_timeline(ctx.library, built))))
        if i == 0:
            stated = ctx.peers.stated(subject) if subject else ()
            charts.append(Chart(timeline_table(built, stated=stated), timeline_chart,
                                f"The build-out of {name} month by month, with the target"))
            # the chance of the target by each month, announced phases slipping as peers did
            phases = with_slip(built.phases, default_slip(ctx.peers))
            sampled = montecarlo.simulate_timeline(ctx.library, built.scenario, samples=ctx.samples,
                                        seed=ctx.seed, until=built.until, phases=phases)
            charts.append(Chart(reach_probability_table([sampled]), reach_probability_chart,
                                f"The chance that {name} has reached the target by each month, "
                                "its announced phases slipping as the peers' did"))
        if subject:
            text = statements_text(stated_checks(built, ctx.peers.stated(subject)),
                                   capex_checks(built, ctx.peers.capex_of(subject)), subject)
            statements.append(Statements(scenario=name, text=text))
    table = _grid(["Scenario", "Target first reached", "Multiple at the horizon", "Summary"],
                  rows, "timeline")
    return Timelines(table=table, shown_instead=shown_instead, statements=tuple(statements),
                     levers=tuple(levers))


def _peers_section(ctx: _Context, charts: list[Chart]) -> Peers:
    """Every peer as published (power in MW, capex in US dollars of 2025) with its sources."""
    charts += [
        Chart(among_peers_table(ctx.peers, ctx.library, ctx.results, ctx.baseline), among_peers,
              "Power against H100-equivalents for the largest AI training sites, log–log, "
              "with the scenarios and the target"),
        Chart(largest_site_table(ctx.peers, ctx.library, ctx.baseline), largest_site_timeline,
              "Size of the largest AI training sites against date, with Epoch AI's growth trend"),
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
            peer.site, _rich((peer.operator + (f" for {peer.user}" if peer.user else ""),)),
            peer.location or "—", peer.date, peer.status, chips_text(peer),
            _figure_text(power, "MW") if power else "—",
            _figure_text(h100e, "H100e") if h100e else "—",
            _figure_text(capex, CURRENCY) if capex else "—",
            _rich(*others) if others else "—", peer.confidence,
            _rich(sources(peer.source)),
        ])
    trend = ctx.peers.trend
    doubling = trend.record_compute_doubling_months
    return Peers(
        trend=("Trend: ", doubling.note or "", " (", *sources(doubling.source), "). ",
               trend.anchor_note),
        table=_grid(["Site", "Operator", "Location", "Date", "Status", "Accelerators", "Power",
                     "H100e", "Capex", "Other figures", "Confidence", "Source"], rows, "peers"),
    )


def _figure_text(figure: Any, unit: str) -> str:
    """A published figure with its bound and basis: ``≥ 100 MW IT``."""
    mark = {"at_least": "≥ ", "at_most": "≤ ", None: ""}[figure.bound]
    text = mark + format_value(figure.value, unit)
    basis = getattr(figure, "basis", None)
    return text + {"it": " IT", "unstated": " (basis not stated)"}.get(basis or "", "")


def _calibration_section(ctx: _Context, charts: list[Chart]) -> Calibration:
    """The tolerances (fractions), each comparison, the pinned assumptions, what is missing."""
    result = ctx.calibration
    tol = ctx.peers.calibration.tolerances
    tol_rows = [[name, f"±{item.value:.0%}", item.note or "", _rich(sources(item.source))]
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
            "—" if c.deviation is None else f"{c.deviation:+.1%}",
            Cell(((c.status,),), badge=c.status.replace("/", "")),
            c.confidence + ("" if c.primary else ", alternative"),
            "no: " + ", ".join(c.circular) if c.circular else "yes",
            reason_text(c) or "—",
        ])
    return Calibration(
        defaults=result.defaults, summary=result.summary(),
        tolerances=_grid(["Quantity", "Tolerance", "Why", "Sources"], tol_rows, "tolerances"),
        comparisons=_grid(["Peer", "Quantity", "Published", "Model", "Deviation", "Status",
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


def _assumptions_section(ctx: _Context) -> Assumptions:
    """The baseline's inputs (each in its own unit), the scenarios' changes, the catalog."""
    base = ctx.baseline.scenario
    rows = []
    for key, a in base.assumptions.items():
        unit = a.unit
        span = "" if a.low is None and a.high is None else (
            f"{'' if a.low is None else format_value(a.low, unit)} – "
            f"{'' if a.high is None else format_value(a.high, unit)}")
        rows.append([key, INPUTS[key].title, _value_text(a.value, unit), format_unit(unit),
                     span, a.as_of, a.confidence or "", _rich(sources(a.source)), a.note or ""])
    override_rows = []
    for result in ctx.results:
        for key in sorted(result.scenario.explicit):
            a = result.scenario.assumptions[key]
            override_rows.append([result.name, key, _value_text(a.value, a.unit), a.as_of,
                                  _rich(sources(a.source))])
    catalog_rows = []
    for name, acc in ctx.library.baseline.catalog.items():
        for field_name, entry in acc.entries.items():
            catalog_rows.append([name, acc.status, field_name,
                                 format_value(entry.number, entry.unit)
                                 if entry.unit != "1" else f"{entry.number:.2f}",
                                 entry.as_of, entry.confidence or "",
                                 _rich(sources(entry.source))])
    return Assumptions(
        baseline=ctx.baseline.name,
        inputs=_grid(["Key", "Meaning", "Value", "Unit", "90 % range", "As of", "Confidence",
                      "Source", "Note"], rows, "assumptions"),
        overrides=_grid(["Scenario", "Key", "Value", "As of", "Source"], override_rows,
                        "overrides") if override_rows else None,
        catalog=_grid(["Accelerator", "Status", "Figure", "Value", "As of", "Confidence",
                       "Source"], catalog_rows, "catalog"),
    )


def _scenario_yaml(ctx: _Context) -> str:
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
    text = yaml.safe_dump({"scenarios": documents}, sort_keys=False, allow_unicode=True,
                          width=100)
    if ctx.sets:
        text += "# applied to every scenario (--set):\n" + "".join(
            f"#   {k}={v}\n" for k, v in ctx.sets)
    return text


def _provenance(ctx: _Context, generated: str) -> Provenance:
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


@functools.cache
def _environment() -> Environment:
    """The Jinja2 environment of the report's templates, autoescaping every one (built once)."""
    # Imported here, not at the top of the module: jinja2 (and markupsafe) add to the
    # start-up time of every command that imports this module's callers, and only
    # rendering a report needs them (``capcalc --help`` and ``capcalc run`` must not).
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("calc.presentation", "templates"),
        autoescape=jinja2.select_autoescape(("html", "j2"), default_for_string=True,
                                            default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_visible,
    )


def _visible(value: object) -> object:
    r"""Text as the report shows it: control characters written as escapes, lines kept.

    Every value a template prints passes through here before it is escaped for
    HTML, so a title, note or source read from a file cannot carry a terminal
    escape or a BEL into the report (a ``<pre>`` block keeps its line breaks).

    >>> print(_visible("Cortex\x1b[2J\nphase 1"))
    Cortex\x1b[2J
    phase 1
    """
    if not isinstance(value, str) or hasattr(value, "__html__"):  # markup the template built
        return value
    return "\n".join(clean_text(line) for line in value.split("\n"))


def _render_page(page: Page) -> str:
    """The report's HTML: ``page`` written out by the template, all its text escaped."""
    return _environment().get_template(TEMPLATE).render(page=page)


def build_report(library: Library, names: Sequence[str] = (),
                 sets: Sequence[tuple[str, Any]] = (), *, seed: int = 0,
                 samples: int = 2_000, peers: PeersFile | None = None,
                 peers_source: str | None = None,
                 formats: Sequence[str] = ("png", "svg"),
                 generated: dt.datetime | None = None, files_beside: bool = True) -> Report:
    """Run ``names`` (default: the article's scenarios) and build the report.

    Parameters
    ----------
    library : Library
        Baseline and scenarios (user files already added).
    names : sequence of str
        Scenarios to compare; ``sets`` applies to each.
    seed, samples : int
        Seed and sample count of the Monte Carlo sections.
    peers : PeersFile, optional
        The peers (default: capcalc's ``peers.yaml``).
    peers_source : str, optional
        Where ``peers`` was read from, for the footer (default ``peers.yaml``).
    formats : sequence of str
        Chart files kept beside the HTML (PNG is always embedded).
    generated : datetime, optional
        The date written in the footer (default: now, UTC).
    files_beside : bool
        Whether the chart files will be written beside the HTML (links to them are
        left out when the HTML travels alone, as the dashboard's download does).
    """
    sets = list(sets)
    names = _scenario_names(library, names)
    results = [run(library, library.scenario(name, sets)) for name in names]
    baseline_name = results[0].baseline
    baseline = next((r for r in results if r.name == baseline_name and not sets), None) \
        or reference_run(library, baseline_name)
    peers = peers or load_peers(catalog=library.baseline.catalog)
    ctx = _Context(library=library, results=results, baseline=baseline, sets=sets, seed=seed,
                   samples=samples, peers=peers, calibration=calibrate(library, peers),
                   peers_source=peers_source or "peers.yaml")
    stamp = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    groups: dict[str, list[Chart]] = {key: [] for key, _ in _SECTIONS}
    question = _question(ctx)
    scenarios = _results_section(ctx, groups["scenarios"])
    tenfold = _tenfold_section(ctx, groups["tenfold"])
    uncertainty = _uncertainty_section(ctx, groups["uncertainty"])
    peers_data = _peers_section(ctx, groups["peers"])
    calibration = _calibration_section(ctx, groups["calibration"])
    assumptions = _assumptions_section(ctx)
    files: dict[str, bytes] = {}
    figures: dict[str, tuple[ReportFigure, ...]] = {}
    for key, charts in groups.items():
        rendered = [_render(chart, formats) for chart in charts]
        for item in rendered:
            for fmt, data in item.files.items():
                if fmt in formats or fmt == "csv":
                    files[f"{item.chart.table.name}.{fmt}"] = data
        figures[key] = tuple(_report_figure(item, formats if files_beside else None)
                             for item in rendered)
    files["calibration.csv"] = calibration_table(ctx.calibration).to_csv().encode("utf-8")
    files["peers.csv"] = peers_table(peers, library).to_csv().encode("utf-8")
    page = Page(
        title=f"capcalc report: {baseline.scenario.title} and {len(results)} scenarios",
        subtitle=(f"{baseline.scenario.title}: what {len(results)} scenarios give, and what "
                  f"the target takes. Generated {stamp} by capcalc {__version__}."),
        version=__version__, nav=_SECTIONS, question=question, scenarios=scenarios,
        tenfold=tenfold, uncertainty=uncertainty, peers=peers_data, calibration=calibration,
        assumptions=assumptions, provenance=_provenance(ctx, stamp), figures=figures)
    html = _render_page(page)
    logger.debug("report: %d scenarios, %d files", len(results), len(files))
    return Report(html=html, files=files, scenarios=tuple(r.name for r in results))


def report_files(report: Report) -> dict[str, FileData]:
    """Every file of the report by name: report.html, then each chart's files and CSVs."""
    return {REPORT_FILE: report.html.encode("utf-8"), **report.files}


def write_report(report: Report, folder: Path, *, force: bool = False) -> list[Path]:
    """Write the HTML and the files beside it into ``folder``, all or nothing.

    Raises
    ------
    CapcalcError
        When a file exists and ``force`` is off (nothing is written then).
    """
    return write_files(folder, report_files(report), force=force)
