"""A one-file report: the question, the answer, scenarios, tenfold, uncertainty, peers, assumptions.

:func:`build_report` runs the scenarios and renders one self-contained HTML
document: every chart is embedded as a PNG data URI, the style sheet is
inline, and nothing is fetched from any server when the file is opened (the
source links are ordinary ``<a href>`` links a reader may follow). The same
charts are kept as PNG and SVG, with the CSV behind each, and
:func:`write_report` writes them beside the HTML through :mod:`calc.data.io`.
The HTML is built with the standard library; every piece of text passes
through :func:`html.escape`.

A part that cannot be computed for the scenarios given (a timeline without
phases, say) says why in its place instead of failing the whole report.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from matplotlib.figure import Figure

from calc.analysis import montecarlo, sensitivity
from calc.analysis.calibration import CalibrationResult, calibrate
from calc.analysis.levers import levers_of_result
from calc.analysis.run import Result, run
from calc.analysis.target import target_facts
from calc.analysis.timeline import run_timeline
from calc.core.constants import CURRENCY, CURRENCY_YEAR
from calc.core.errors import CapcalcError
from calc.core.version import __version__
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.io import FileData, write_files
from calc.data.peers import PeersFile, load_peers
from calc.data.scenarios import Library
from calc.data.units import format_unit
from calc.presentation.answer import describe
from calc.presentation.calibration import calibration_table, reason_text
from calc.presentation.charts.peers import among_peers, largest_site_timeline
from calc.presentation.charts.scenarios import (
    cost_breakdown,
    power_to_compute,
    scenario_comparison,
)
from calc.presentation.charts.timeline import levers_waterfall, timeline_chart
from calc.presentation.charts.uncertainty import exceedance_chart, tornado_chart
from calc.presentation.export import figure_bytes
from calc.presentation.formatting import format_value, times
from calc.presentation.levers import levers_table, path_text
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
from calc.presentation.tables.uncertainty import distribution_table, exceedance_table

__all__ = [
    "DEFAULT_REPORT_SCENARIOS",
    "REPORT_FILE",
    "Chart",
    "Report",
    "Safe",
    "build_report",
    "esc",
    "link",
    "report_files",
    "sources",
    "table_html",
    "tag",
    "write_report",
]

logger = logging.getLogger(__name__)

#: The scenarios a report compares when none are named (those the library has).
DEFAULT_REPORT_SCENARIOS = ("cortex-phase1", "cortex-full", "cortex-full-gb200", "tenfold",
                            "tenfold-gb200")
REPORT_FILE = "report.html"
#: Outputs the report's results table shows, in order.
_RESULT_ROWS = ("facility_power_mw", "it_power_mw", "accelerators", "h100_equivalents",
                "peak_flop_per_s", "effective_flop_per_s", "training_flop_per_run",
                "annual_energy_mwh", "capex_usd", "annualized_cost_usd", "cost_per_run_usd",
                "compute_multiple", "facility_power_mw_for_target")


class Safe(str):
    """Text that is already HTML (built here from escaped parts)."""

    __slots__ = ()


def esc(value: object) -> Safe:
    """Escape any value for HTML text or an attribute (``Safe`` passes through).

    >>> esc('<a href="x">') == '&lt;a href=&quot;x&quot;&gt;'
    True
    """
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def tag(name: str, body: object = "", **attrs: object) -> Safe:
    """One element: ``tag("p", "a < b", class_="x")`` → ``<p class="x">a &lt; b</p>``.

    >>> tag("td", "1 < 2", class_="num")
    '<td class="num">1 &lt; 2</td>'
    """
    text = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"'
                   for k, v in attrs.items() if v is not None)
    return Safe(f"<{name}{text}>{esc(body)}</{name}>")


def join(parts: Iterable[object], sep: str = "") -> Safe:
    """Concatenate escaped parts."""
    return Safe(sep.join(esc(p) for p in parts))


def link(url: str, text: str | None = None) -> Safe:
    """An ordinary link to a source (only http and https URLs become links)."""
    if not url.startswith(("http://", "https://")):
        return esc(text or url)
    return tag("a", text or url, href=url, rel="noopener noreferrer")


def sources(text: str) -> Safe:
    """A ``" ; "``-separated source text with every URL as a link.

    >>> sources("https://epoch.ai/x ; a paper")
    '<a href="https://epoch.ai/x" rel="noopener noreferrer">epoch.ai/x</a>; a paper'
    """
    parts = [p.strip() for p in text.split(";") if p.strip()]
    out = []
    for part in parts:
        if part.startswith(("http://", "https://")):
            short = part.split("://", 1)[1]
            out.append(link(part, short if len(short) <= 60 else short[:57] + "…"))
        else:
            out.append(esc(part))
    return join(out, "; ")


def table_html(header: Sequence[object], rows: Iterable[Sequence[object]], *,
               class_: str = "", caption: str | None = None) -> Safe:
    """A ``<table>``; cells are escaped unless ``Safe``; numeric-looking cells align right."""
    head = tag("thead", tag("tr", join(tag("th", h) for h in header)))
    body_rows = []
    for row in rows:
        cells = []
        for cell in row:
            text = str(cell)
            numeric = (0 < len(text) <= 24 and (text[0].isdigit() or text[:1] in "$+-−≥≤~")
                       and not isinstance(cell, Safe))
            cells.append(tag("td", cell, class_="num" if numeric else None))
        body_rows.append(tag("tr", join(cells)))
    cap = tag("caption", caption) if caption else ""
    return tag("table", join([cap, head, tag("tbody", join(body_rows))]), class_=class_ or None)


# ------------------------------------------------------------------ charts


def _slot(section: str) -> Safe:
    """Where a section's charts go (user text cannot contain it: ``<`` is always escaped)."""
    return Safe(f"<!--charts:{section}-->")


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
    import matplotlib.pyplot as plt  # deferred: pyplot only to release the drawn figure

    fig = chart.draw(chart.table)
    try:
        files = {fmt: figure_bytes(fig, chart.table, fmt) for fmt in
                 dict.fromkeys(["png", *formats])}
    finally:
        plt.close(fig)
    files["csv"] = chart.table.to_csv().encode("utf-8")
    return Rendered(chart, files)


def _figure_html(rendered: Rendered, formats: Sequence[str] | None) -> Safe:
    """The embedded chart; with ``formats``, links to its files beside the report."""
    table = rendered.chart.table
    data = base64.b64encode(rendered.files["png"]).decode("ascii")
    img = Safe(f'<img src="data:image/png;base64,{data}" alt="{esc(rendered.chart.alt)}" '
               f'id="chart-{esc(table.name)}" class="chart">')
    parts: list[object] = [tag("strong", table.title), ". ", table.caption]
    if formats is not None:
        files = join([tag("a", f"{table.name}.{fmt}", href=f"{table.name}.{fmt}")
                      for fmt in [*formats, "csv"]], " · ")
        parts += [Safe("<br>"), "Files beside this report: ", files]
    return tag("figure", join([img, tag("figcaption", join(parts))]))


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
    library: Library
    results: list[Result]
    baseline: Result
    sets: list[tuple[str, Any]]
    seed: int
    samples: int
    peers: PeersFile
    calibration: CalibrationResult
    notes: list[str] = field(default_factory=list)


def _scenario_names(library: Library, names: Sequence[str]) -> list[str]:
    if names:
        return list(names)
    shipped = [n for n in DEFAULT_REPORT_SCENARIOS if n in library.definitions]
    return shipped or [library.baseline_name()]


def _question(ctx: _Context) -> Safe:
    base = ctx.baseline
    o = base.outputs
    target = base.scenario.inputs.target.compute_multiplier
    intro = tag("p", (
        f"The baseline, {base.scenario.title} ({base.name}), runs "
        f"{format_value(o['accelerators'], 'accelerator')} "
        f"{base.scenario.inputs.hardware.accelerator}"
        f" on {format_value(o['facility_power_mw'], 'MW')} of facility power: "
        f"{format_value(o['h100_equivalents'], 'H100e')} H100-equivalents and "
        f"{format_value(o['effective_flop_per_s'], 'FLOP/s')} of effective training compute. "
        f"The question is what {times(target)} that compute takes — power, chips, money and "
        "time — and how far each scenario gets."))
    answers = []
    for result in ctx.results:
        if result.name == base.name and len(ctx.results) > 1:
            continue
        facts = target_facts(ctx.library, result, base)
        answers.append(tag("li", join([tag("strong", result.name), ": ", describe(facts)])))
    met = [r.name for r in ctx.results
           if r.outputs["compute_multiple"] >= target * (1 - 1e-9)]
    short = [r for r in ctx.results if r.name not in met]
    verdict = (f"{len(met)} of the {len(ctx.results)} scenarios reach the {times(target)} "
               f"target" + (f" ({', '.join(met)})" if met else "") + ".")
    if short:
        best = max(short, key=lambda r: r.outputs["compute_multiple"])
        verdict += (f" Of the others, {best.name} comes closest at "
                    f"{times(best.outputs['compute_multiple'])} {base.name}.")
    return join([tag("h2", "The question and the answer"), intro, tag("p", verdict),
                 tag("ul", join(answers))])


def _results_section(ctx: _Context, charts: list[Chart]) -> Safe:
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
                                ctx.baseline.outputs["effective_flop_per_s"], points=results),
              power_to_compute,
              "H100-equivalents and effective FLOP/s against facility power per accelerator"),
        Chart(cost_table(results), cost_breakdown,
              "Capex and yearly cost per scenario, split by part"),
    ]
    sets = ", ".join(f"{k}={v}" for k, v in ctx.sets)
    note = (f"Money in US dollars of {CURRENCY_YEAR}. H100e = dense 8-bit FLOP/s ÷ 1.979e15 "
            "(Epoch AI's "
            f"convention). Multiples against {ctx.baseline.name}."
            + (f" Every scenario with {sets}." if sets else ""))
    return join([tag("h2", "Scenarios compared"), table_html(header, rows, class_="results"),
                 tag("p", note, class_="note"), _slot("scenarios")])


def _tenfold_section(ctx: _Context, charts: list[Chart]) -> Safe:
    parts: list[object] = [tag("h2", "The tenfold analysis")]
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
    parts.append(tag("p", f"Target: {times(target)} the effective training compute of "
                          f"{ctx.baseline.name}. Power for the target keeps each scenario's "
                          "chip and every other assumption; the chips column lists catalog "
                          "accelerators with more FLOP per facility watt."))
    parts.append(table_html(["Scenario", "Chip", "Facility power", "Multiple", "Meets target",
                             "Power for target", "FLOP per watt needed", "Chips that need less"
                             " power"], rows, class_="tenfold"))
    parts.append(_block("Levers", _levers_block, ctx, charts))
    parts.append(_block("Timeline and reach date", _timeline_block, ctx, charts))
    return join(parts)


def _uncertainty_section(ctx: _Context, charts: list[Chart]) -> Safe:
    return join([tag("h2", "Uncertainty and sensitivity"),
                 _block("Uncertainty", _uncertainty_block, ctx, charts),
                 _block("Sensitivity", _sensitivity_block, ctx, charts)])


def _block(title: str, builder: Callable[[_Context, list[Chart]], Safe], ctx: _Context,
           charts: list[Chart]) -> Safe:
    """A titled part of the report; a part that cannot be computed says why instead."""
    head = tag("h3", title)
    try:
        return join([head, builder(ctx, charts)])
    except CapcalcError as exc:
        ctx.notes.append(f"{title}: {exc}")
        return join([head, tag("p", f"Not computed: {exc}", class_="missing")])


def _uncertainty_block(ctx: _Context, charts: list[Chart]) -> Safe:
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
    reach = [f"{s.name}: {s.p_target_reached():.0%}" for s in sims]
    parts: list[object] = [
        tag("p", f"Monte Carlo over every assumption's 90 % range: {ctx.samples:,} samples, "
                 f"seed {ctx.seed}. P5–P95 is a 90 % interval."),
        table_html(["Scenario", "Output", "Central", "P5", "P50", "P95"], rows,
                   class_="uncertainty"),
    ]
    if reach:
        parts.append(tag("p", "Chance of reaching the target: " + "; ".join(reach) + "."))
    charts.append(Chart(exceedance_table(sims, "compute_multiple"), exceedance_chart,
                        "Chance that each scenario's compute multiple exceeds a value, with "
                        "the target"))
    return join(parts)


def _focus(ctx: _Context) -> Result:
    """The scenario the single-scenario analyses look at: the first that is not the baseline."""
    return next((r for r in ctx.results if r.name != ctx.baseline.name), ctx.results[0])


def _sensitivity_block(ctx: _Context, charts: list[Chart]) -> Safe:
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
    return join([
        tag("p", f"Which assumption matters most for {focus.name}'s "
                 f"{OUTPUTS[output].title.lower()}: each input moved from its low to its high "
                 "end, every other input central (`capcalc sensitivity` adds Sobol indices)."),
        table_html(["Input", "Output at low", "Output at high", "Swing"], rows,
                   class_="sensitivity"),
    ])


def _levers_block(ctx: _Context, charts: list[Chart]) -> Safe:
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
        items.append(tag("li", join([
            tag("strong", result.name), f": {decomposition.total:.3g}× = {factors}.",
            tag("ul", join(tag("li", path_text(path)) for path in paths)) if paths else "",
        ])))
        if result.name == focus.name:
            charts.append(Chart(levers_table(levers), levers_waterfall,
                                f"The compute multiple of {result.name} split into its levers"))
    if not items:
        return tag("p", "Only the baseline is compared: no multiple to split.", class_="note")
    return join([tag("p", "Each multiple is the product of its levers (facility power, FLOP/s "
                          "per TDP watt, overheads and PUE, MFU, availability); under each, "
                          "what one lever alone would need to reach the target."),
                 tag("ul", join(items))])


def _timeline_block(ctx: _Context, charts: list[Chart]) -> Safe:
    names = [r.name for r in ctx.results
             if ctx.library.definitions[r.name].timeline is not None]
    note = ""
    if not names:
        names = [n for n, d in ctx.library.definitions.items() if d.timeline is not None][:1]
        if not names:
            return tag("p", "No scenario has a build-out timeline.", class_="note")
        note = (f" None of the compared scenarios has a build-out timeline, so the shipped "
                f"{names[0]} is shown.")
    rows = []
    for i, name in enumerate(names):
        built = run_timeline(ctx.library, ctx.library.scenario(name, ctx.sets))
        rows.append([name, built.target_reached or f"not by {built.until}",
                     f"{built.final_multiple:.3g}×", built.summary()])
        if i == 0:
            charts.append(Chart(timeline_table(built), timeline_chart,
                                f"The build-out of {name} month by month, with the target"))
    return join([
        tag("p", "Month by month: each phase's power and chip, retirements after the hardware "
                 "lifetime, and the month the target multiple is first reached." + note),
        table_html(["Scenario", "Target first reached", "Multiple at the horizon", "Summary"],
                   rows, class_="timeline"),
    ])


def _peers_section(ctx: _Context, charts: list[Chart]) -> Safe:
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
        others = []
        for figures, unit in ((peer.power_mw, "MW"), (peer.h100_equivalents, "H100e"),
                              (peer.capex_usd_2025, CURRENCY)):
            for figure in figures[1:]:
                others.append(join([_figure(figure, unit), " (",
                                    sources(figure.source or peer.source), ")"]))
        rows.append([
            peer.site, join([peer.operator, f" for {peer.user}" if peer.user else ""]),
            peer.location or "—", peer.date, peer.status, chips_text(peer),
            _figure(power, "MW") if power else "—", _figure(h100e, "H100e") if h100e else "—",
            _figure(capex, CURRENCY) if capex else "—",
            join(others, Safe("<br>")) if others else "—", peer.confidence,
            sources(peer.source),
        ])
    trend = ctx.peers.trend
    return join([
        tag("h2", "Cortex among peers"),
        tag("p", "Every row as published, with its source and confidence (confirmed = in the "
                 "primary source; secondary = from reporting or a mirror; unconfirmed = from "
                 "memory). Where sources disagree, every figure is shown. Power is as "
                 "published: facility power unless marked IT."),
        _slot("peers"),
        tag("p", join(["Trend: ", trend.record_compute_doubling_months.note or "", " (",
                       sources(trend.record_compute_doubling_months.source), "). ",
                       trend.anchor_note])),
        table_html(["Site", "Operator", "Location", "Date", "Status", "Accelerators", "Power",
                    "H100e", "Capex", "Other figures", "Confidence", "Source"], rows,
                   class_="peers"),
    ])


def _figure(figure: Any, unit: str) -> str:
    mark = {"at_least": "≥ ", "at_most": "≤ ", None: ""}[figure.bound]
    text = mark + format_value(figure.value, unit)
    basis = getattr(figure, "basis", None)
    return text + {"it": " IT", "unstated": " (basis not stated)"}.get(basis or "", "")


def _calibration_section(ctx: _Context, charts: list[Chart]) -> Safe:
    result = ctx.calibration
    tol = ctx.peers.calibration.tolerances
    tol_rows = [[name, f"±{item.value:.0%}", item.note or "", sources(item.source)]
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
            tag("span", c.status, class_=f"status {c.status.replace('/', '')}"),
            c.confidence + ("" if c.primary else ", alternative"),
            "no: " + ", ".join(c.circular) if c.circular else "yes",
            reason_text(c) or "—",
        ])
    return join([
        tag("h2", "Calibration"),
        tag("p", "capcalc's chain run on each site's published chip count with capcalc's own "
                 f"defaults ({result.defaults}), against every published figure. "
                 + result.summary() + " A comparison is not independent where an assumption "
                 "was derived from the same row; those check arithmetic, not the model."),
        table_html(["Quantity", "Tolerance", "Why", "Sources"], tol_rows, class_="tolerances"),
        table_html(["Peer", "Quantity", "Published", "Model", "Deviation", "Status",
                    "Confidence", "Independent", "Likely reason"], rows, class_="calibration"),
        tag("h3", "Published figures the model cannot reproduce"),
        tag("ul", join(tag("li", join([tag("strong", reason[:1].upper() + reason[1:]), ": ",
                                       ", ".join(items), "."]))
                       for reason, items in not_modelled.items())) if not_modelled
        else tag("p", "None."),
    ])


def _assumptions_section(ctx: _Context) -> Safe:
    base = ctx.baseline.scenario
    rows = []
    for key, a in base.assumptions.items():
        unit = a.unit
        value = a.value if isinstance(a.value, str) or a.value is None else format_value(
            float(a.value), unit)
        span = "" if a.low is None and a.high is None else (
            f"{'' if a.low is None else format_value(a.low, unit)} – "
            f"{'' if a.high is None else format_value(a.high, unit)}")
        rows.append([key, INPUTS[key].title, value, format_unit(unit), span, a.as_of,
                     a.confidence or "", sources(a.source), a.note or ""])
    override_rows = []
    for result in ctx.results:
        for key in sorted(result.scenario.explicit):
            a = result.scenario.assumptions[key]
            value = a.value if isinstance(a.value, str) or a.value is None else format_value(
                float(a.value), a.unit)
            override_rows.append([result.name, key, value, a.as_of, sources(a.source)])
    catalog_rows = []
    for name, acc in ctx.library.baseline.catalog.items():
        for field_name, entry in acc.entries.items():
            catalog_rows.append([name, acc.status, field_name,
                                 format_value(entry.number, entry.unit)
                                 if entry.unit != "1" else f"{entry.number:.2f}",
                                 entry.as_of, entry.confidence or "", sources(entry.source)])
    return join([
        tag("h2", "Assumptions"),
        tag("p", f"Every input of the baseline ({ctx.baseline.name}) with its value, 90 % "
                 "range, as-of date, confidence and sources; then what each scenario changes; "
                 "then the accelerator catalog."),
        table_html(["Key", "Meaning", "Value", "Unit", "90 % range", "As of", "Confidence",
                    "Source", "Note"], rows, class_="assumptions"),
        tag("h3", "What the scenarios change"),
        table_html(["Scenario", "Key", "Value", "As of", "Source"], override_rows,
                   class_="overrides") if override_rows else tag("p", "Nothing."),
        tag("h3", "Accelerator catalog"),
        table_html(["Accelerator", "Status", "Figure", "Value", "As of", "Confidence",
                    "Source"], catalog_rows, class_="catalog"),
    ])


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


def _footer(ctx: _Context, generated: str) -> Safe:
    items = [
        ("capcalc version", __version__),
        ("Generated", generated),
        ("Seed", str(ctx.seed)),
        ("Monte Carlo samples", f"{ctx.samples:,}"),
        ("Scenarios", ", ".join(r.name for r in ctx.results)),
        ("Overrides (--set)", ", ".join(f"{k}={v}" for k, v in ctx.sets) or "none"),
        ("Assumptions file", ctx.library.baseline.source),
        ("Peers file", "peers.yaml"),
    ]
    rows = join(tag("tr", join([tag("th", k), tag("td", v)])) for k, v in items)
    notes = tag("ul", join(tag("li", n) for n in ctx.notes)) if ctx.notes else ""
    return tag("footer", join([
        tag("h2", "Provenance"), tag("table", rows, class_="provenance"), notes,
        tag("h3", "Scenario YAML used"), tag("pre", _scenario_yaml(ctx), id="scenario-yaml"),
    ]), id="provenance")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0 auto;max-width:1180px;padding:1.5rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #0072B2;padding-bottom:.2rem;
margin-top:2.2rem}nav a{margin-right:.8rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.82rem;width:100%}
th,td{border:1px solid #d6d6d6;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#f1f4f8}td.num{text-align:right;white-space:nowrap}
table.peers,table.calibration,table.assumptions,table.catalog,table.overrides{display:block;overflow-x:auto}
table.results td{text-align:right}table.results td:first-child{text-align:left}
figure{margin:1rem 0}img.chart{max-width:100%;height:auto;border:1px solid #e3e3e3}
figcaption{font-size:.8rem;color:#444}.note,.missing{color:#555;font-size:.88rem}
.status{font-weight:600;padding:0 .3rem;border-radius:3px}.status.within{background:#d9f2e6}
.status.outside{background:#fde2d2}.status.na{background:#eeeeee}
pre{background:#f6f8fa;padding:.8rem;overflow-x:auto;font-size:.8rem}
footer{margin-top:2.5rem;font-size:.88rem}a{color:#0060a0}
@media print{nav{display:none}img.chart{max-width:100%}}
"""

_SECTIONS = (("question", "Question and answer"), ("scenarios", "Scenarios"),
             ("tenfold", "Tenfold"), ("uncertainty", "Uncertainty"),
             ("peers", "Peers"), ("calibration", "Calibration"),
             ("assumptions", "Assumptions"), ("provenance", "Provenance"))


def build_report(library: Library, names: Sequence[str] = (),
                 sets: Sequence[tuple[str, Any]] = (), *, seed: int = 0,
                 samples: int = 2_000, peers: PeersFile | None = None,
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
        or run(library, baseline_name)
    peers = peers or load_peers(catalog=library.baseline.catalog)
    ctx = _Context(library=library, results=results, baseline=baseline, sets=sets, seed=seed,
                   samples=samples, peers=peers, calibration=calibrate(library, peers))
    stamp = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    groups: dict[str, list[Chart]] = {key: [] for key, _ in _SECTIONS}
    bodies = {
        "question": _question(ctx),
        "scenarios": _results_section(ctx, groups["scenarios"]),
        "tenfold": _tenfold_section(ctx, groups["tenfold"]),
        "uncertainty": _uncertainty_section(ctx, groups["uncertainty"]),
        "peers": _peers_section(ctx, groups["peers"]),
        "calibration": _calibration_section(ctx, groups["calibration"]),
        "assumptions": _assumptions_section(ctx),
    }
    files: dict[str, bytes] = {}
    sections = []
    for key, _title in _SECTIONS[:-1]:
        body = str(bodies[key])
        rendered = [_render(chart, formats) for chart in groups[key]]
        for item in rendered:
            for fmt, data in item.files.items():
                if fmt in formats or fmt == "csv":
                    files[f"{item.chart.table.name}.{fmt}"] = data
        figures = join(_figure_html(item, formats if files_beside else None)
                       for item in rendered)
        body = body.replace(_slot(key), figures) if _slot(key) in body else body + figures
        sections.append(tag("section", Safe(body), id=key))
    files["calibration.csv"] = calibration_table(ctx.calibration).to_csv().encode("utf-8")
    files["peers.csv"] = peers_table(peers, library).to_csv().encode("utf-8")
    nav = tag("nav", join(tag("a", title, href=f"#{key}") for key, title in _SECTIONS))
    title = f"capcalc report: {baseline.scenario.title} and {len(results)} scenarios"
    document = join([
        Safe("<!DOCTYPE html>\n"),
        Safe('<html lang="en">'),
        tag("head", join([
            Safe('<meta charset="utf-8">'),
            Safe('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            Safe(f'<meta name="generator" content="capcalc {esc(__version__)}">'),
            tag("title", title),
            tag("style", Safe(_CSS)),
        ])),
        tag("body", join([
            tag("header", join([tag("h1", "capcalc report"),
                                tag("p", f"{baseline.scenario.title}: what {len(results)} "
                                         f"scenarios give, and what the target takes. "
                                         f"Generated {stamp} by capcalc {__version__}.",
                                    class_="note"), nav])),
            tag("main", join(sections)),
            _footer(ctx, stamp),
        ])),
        Safe("</html>\n"),
    ])
    logger.debug("report: %d scenarios, %d files", len(results), len(files))
    return Report(html=str(document), files=files, scenarios=tuple(r.name for r in results))


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
