"""Peers view: Cortex among the largest AI training sites, the model against them, the report.

Charts are the declarations of :mod:`calc.presentation.charts.peers`, drawn as
Vega-Lite specs (their downloads are the same charts as files); the calibration
runs once per server (it uses capcalc's defaults, not the sliders); the report
is built only when its download button is clicked.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from calc.analysis.calibration import CalibrationResult, calibrate
from calc.data.peers import PeersFile, load_peers, source_links
from calc.data.scenario_file import scenario_yaml
from calc.presentation.calibration import reason_text
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.peers import among_chart, largest_site_chart
from calc.presentation.formatting import format_value
from calc.presentation.tables.peers import peers_table
from calc.presentation.vega import vega_specs

from dashboard import compute
from dashboard.context import Context, Sets
from dashboard.downloads import show_chart
from dashboard.state import as_library_sets

__all__ = ["render", "report_html"]

Spec = dict[str, Any]

#: Unit of each calibrated quantity, for its published and modelled figures.
_QUANTITY_UNITS = {"power": "MW", "h100_equivalents": "H100e", "capex": "USD_2025"}


@st.cache_resource(show_spinner=False)
def _peers() -> PeersFile:
    return load_peers(catalog=compute.shipped_library().baseline.catalog)


@st.cache_data(show_spinner=False, max_entries=64)
def _charts(upload: tuple[str, str], preset: str, sets: Sets) -> tuple[Chart, Chart]:
    library = compute.library_for(upload)
    _result, baseline = compute.results(upload, preset, sets)
    shown = compute.compare_results(upload, preset, sets)
    return (among_chart(_peers(), library, shown, baseline),
            largest_site_chart(_peers(), library, baseline))


@st.cache_data(show_spinner=False)
def _calibration() -> CalibrationResult:
    return calibrate(compute.shipped_library(), _peers())


@st.cache_data(show_spinner=False, max_entries=64)
def _specs(upload: tuple[str, str], preset: str, sets: Sets) -> tuple[list[Spec], list[Spec]]:
    among, timeline = _charts(upload, preset, sets)
    return vega_specs(among), vega_specs(timeline)


def _shown(value: Any, unit: str) -> str:
    """A table cell as the cards write it; "—" where the source gives nothing."""
    if value is None or value == "":
        return "—"
    return format_value(float(value), unit) if isinstance(value, int | float) else str(value)


@st.cache_data(show_spinner=False)
def _peer_rows() -> list[dict[str, Any]]:
    table = peers_table(_peers(), compute.shipped_library())
    rows = []
    for row in table.rows():
        links = source_links(row["source"])
        rows.append({
            "site": row["site"], "operator": row["operator"], "date": row["date"],
            "status": row["status"], "accelerators": _shown(row["accelerators"], ""),
            "power": _shown(row["power_mw"], "MW"), "basis": _shown(row["power_basis"], ""),
            "H100e": _shown(row["h100_equivalents"], "H100e"),
            "capex (US$ 2025)": _shown(row["capex_usd"], "USD_2025"),
            "confidence": row["confidence"], "source": links[0] if links else "",
            "other figures": _shown(row["other_figures"], ""), "note": _shown(row["note"], ""),
        })
    return rows


@st.cache_data(show_spinner=False)
def _calibration_rows() -> tuple[list[dict[str, Any]], dict[str, list[str]], str]:
    result = _calibration()
    rows = []
    missing: dict[str, list[str]] = {}
    for c in result.comparisons:
        if c.status == "n/a":
            missing.setdefault(reason_text(c), []).append(f"{c.peer} {c.quantity}")
            continue
        unit = _QUANTITY_UNITS.get(c.quantity, "")
        rows.append({
            "peer": c.peer, "quantity": c.quantity + ("" if c.primary else " (alt)"),
            "basis": _shown(c.basis, ""), "published": _shown(c.published, unit),
            "model": _shown(c.model, unit),
            "deviation": c.deviation, "tolerance": c.tolerance, "status": c.status,
            "confidence": c.confidence,
            "independent": "yes" if c.independent else "no: " + ", ".join(c.circular),
            "likely reason": reason_text(c), "source": (source_links(c.source) or [""])[0],
        })
    return rows, missing, result.summary()


def report_html(upload: tuple[str, str], preset: str, sets: Sets) -> bytes:
    """The report of the current state (built on click): the preset with the changed inputs
    as its own scenario, beside the baseline and the reference scenarios."""
    from calc.presentation.report import build_report  # deferred: jinja2 and matplotlib

    library = compute.library_for(upload)
    _result, baseline = compute.results(upload, preset, sets)
    names = [baseline.name]
    current = preset
    if sets:
        text = scenario_yaml(library, preset, as_library_sets(sets))
        library, added = library.add_text(text, origin="dashboard")
        current = added[0]
    if current not in names:
        names.append(current)
    names += [n for n in library.story.references if n not in names]
    return build_report(library, names, files_beside=False).html.encode("utf-8")


def render(ctx: Context) -> None:
    """The peers chart and timeline, the table with sources, the calibration, the report."""
    upload, preset, sets = ctx.key
    among, largest = _charts(upload, preset, sets)
    among_specs, largest_specs = _specs(upload, preset, sets)
    show_chart(among, among_specs, key="dl-peers", cache_key=ctx.key)
    st.caption("Peers at their primary published power: filled markers are facility power, "
               "hollow ones IT power, faint ones a basis the source does not state; a bar spans "
               "every power figure the sources give; an arrow marks a floor. Stars: the "
               "baseline, your scenario and the reference scenarios. H100e = dense 8-bit "
               "FLOP/s ÷ 1.979e15.")
    show_chart(largest, largest_specs, key="dl-timeline", cache_key=ctx.key)

    st.subheader("The sites, as published")
    st.dataframe(
        _peer_rows(), hide_index=True, width="stretch",
        column_config={
            "source": st.column_config.LinkColumn("source", display_text=r"https?://([^/]+)"),
        })

    st.subheader("Calibration: the model against published figures")
    rows, missing, summary = _calibration_rows()
    st.markdown(summary)
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_config={
            "deviation": st.column_config.NumberColumn(format="percent"),
            "tolerance": st.column_config.NumberColumn(format="percent"),
            "source": st.column_config.LinkColumn("source", display_text=r"https?://([^/]+)"),
        })
    count = sum(len(items) for items in missing.values())
    with st.expander(f"Published figures the model cannot reproduce ({count})"):
        for reason, items in missing.items():
            st.markdown(f"- **{reason}**: {', '.join(items)}")
    st.caption("capcalc's chain on each site's published chip count with capcalc's defaults; "
               "tolerances and their reasons are in peers.yaml. `capcalc calibrate` prints "
               "the same.")

    st.subheader("Report")
    st.download_button(
        "Download the report (HTML)", data=partial(report_html, upload, preset, sets),
        file_name="capcalc-report.html", mime="text/html", key="dl-report",
        icon=":material/description:", on_click="ignore",
        help="One self-contained HTML file: the question and answer, the scenarios, the "
             "tenfold analysis, uncertainty, peers, calibration and every assumption with its "
             "source. Building it takes a few seconds.")
