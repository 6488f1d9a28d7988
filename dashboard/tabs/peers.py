"""Peers tab: Cortex among the largest AI training sites, the model against them, the report.

Charts are Vega-Lite specs built from the same :mod:`calc.data.peers` tables the
matplotlib charts draw; the calibration runs once per server (it uses
capcalc's defaults, not the sliders); the report is built only when its
download button is clicked.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from calc.analysis.calibration import CalibrationResult, calibrate
from calc.data.peers import (
    PeersFile,
    among_peers_table,
    largest_site_table,
    load_peers,
    peers_table,
    source_links,
)
from calc.presentation.charts.peers import (
    among_peers,
    largest_site_timeline,
    operator_colours,
    short_operator,
)
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table

from dashboard import compute
from dashboard.context import Context, Sets
from dashboard.downloads import download_buttons

__all__ = ["among_spec", "render", "report_html", "timeline_spec"]

Spec = dict[str, Any]
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_TARGET = "#D55E00"
_STAR = ("M0,-1L0.22,-0.31L0.95,-0.31L0.36,0.12L0.59,0.81L0,0.38L-0.59,0.81L-0.36,0.12"
         "L-0.95,-0.31L-0.22,-0.31Z")
_BASIS_FILL = {"facility": 1.0, "unstated": 0.45, "it": 0.0}


@st.cache_resource(show_spinner=False)
def _peers() -> PeersFile:
    return load_peers(catalog=compute.shipped_library().baseline.catalog)


@st.cache_data(show_spinner=False, max_entries=64)
def _tables(upload: tuple[str, str], preset: str, sets: Sets) -> tuple[Table, Table]:
    library = compute.library_for(upload)
    _result, baseline = compute.results(upload, preset, sets)
    shown = compute.compare_results(upload, preset, sets)
    return (among_peers_table(_peers(), library, shown, baseline),
            largest_site_table(_peers(), library, baseline))


@st.cache_data(show_spinner=False)
def _calibration() -> CalibrationResult:
    return calibrate(compute.shipped_library(), _peers())


def _colour_scale(table: Table) -> dict[str, Any]:
    colours = operator_colours([short_operator(o) for o in table.meta.get("operators", [])])
    return {"domain": list(colours), "range": list(colours.values())}


def among_spec(table: Table) -> Spec:
    """Vega-Lite: power against H100e (log–log), peers by operator, scenarios as stars."""
    rows = [{**row, "operator_short": short_operator(row["operator"]),
             "fill": _BASIS_FILL.get(row["power_basis"], 1.0)} for row in table.rows()]
    x = {"field": "power_mw", "type": "quantitative", "title": "Power, as published (MW)",
         "scale": {"type": "log"}}
    y = {"field": "h100_equivalents", "type": "quantitative", "title": "H100-equivalents",
         "scale": {"type": "log"}, "axis": {"format": "~s"}}
    tooltip = [{"field": "site"}, {"field": "date"}, {"field": "status"},
               {"field": "power_mw", "title": "power (MW)", "format": ",.4~g"},
               {"field": "power_basis", "title": "basis"},
               {"field": "h100_equivalents", "title": "H100e", "format": ",.0f"},
               {"field": "h100e_from", "title": "H100e from"}, {"field": "confidence"},
               {"field": "source"}]
    layers: list[Spec] = [
        {"data": {"values": [r for r in rows if r["kind"] == "peer"]},
         "layer": [
             {"mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.35},
              "encoding": {"x": {**x, "field": "power_low_mw"}, "x2": {"field": "power_high_mw"},
                           "y": y, "color": {"field": "operator_short", "type": "nominal",
                                             "scale": _colour_scale(table), "legend": None}}},
             {"mark": {"type": "point", "size": 90, "strokeWidth": 1.8},
              "encoding": {
                  "x": x, "y": y,
                  "color": {"field": "operator_short", "type": "nominal", "title": "Operator",
                            "scale": _colour_scale(table)},
                  "fillOpacity": {"field": "fill", "type": "quantitative", "legend": None,
                                  "scale": {"domain": [0, 1], "range": [0, 1]}},
                  "fill": {"field": "operator_short", "type": "nominal", "legend": None,
                           "scale": _colour_scale(table)},
                  "shape": {"field": "status", "type": "nominal", "title": "Status",
                            "scale": {"domain": ["operational", "planned"],
                                      "range": ["circle", "diamond"]}},
                  "tooltip": tooltip}},
             {"mark": {"type": "text", "align": "left", "dx": 7, "dy": 3, "fontSize": 10},
              "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
         ]},
    ]
    scenarios = [r for r in rows if r["kind"] == "scenario"]
    if scenarios:
        layers.append({"data": {"values": scenarios}, "layer": [
            {"mark": {"type": "point", "shape": _STAR, "size": 320, "filled": True,
                      "color": "#F0E442", "stroke": "black", "strokeWidth": 1.2},
             "encoding": {"x": x, "y": y, "tooltip": [
                 {"field": "label", "title": "scenario"},
                 {"field": "power_mw", "title": "facility power (MW)", "format": ",.4~g"},
                 {"field": "h100_equivalents", "title": "H100e", "format": ",.0f"}]}},
            {"mark": {"type": "text", "align": "left", "dx": 10, "dy": -10, "fontSize": 11,
                      "fontWeight": "bold"},
             "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
        ]})
    if table.meta.get("target_h100e"):
        label = (f"target: {table.meta['target']:g}× {table.meta['baseline']} = "
                 f"{format_value(table.meta['target_h100e'], 'H100e')} H100e")
        layers.append({"data": {"values": [{"y": table.meta["target_h100e"], "label": label}]},
                       "layer": [
            {"mark": {"type": "rule", "color": _TARGET, "strokeDash": [6, 4], "size": 2},
             "encoding": {"y": {"field": "y", "type": "quantitative"}}},
            {"mark": {"type": "text", "color": _TARGET, "align": "left", "dy": -7, "x": 4},
             "encoding": {"y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "label"}}},
        ]})
    return {"$schema": _SCHEMA, "width": "container", "height": 460,
            "title": {"text": table.title, "subtitle": table.caption, "subtitleFontSize": 10,
                      "anchor": "start"},
            "layer": layers}


def timeline_spec(table: Table) -> Spec:
    """Vega-Lite: site size against date (log), Epoch's trend and the fitted one."""
    rows = [{**row, "operator_short": short_operator(row.get("operator") or "")}
            for row in table.rows()]
    x = {"field": "year", "type": "quantitative", "title": "Date (year)",
         "scale": {"zero": False}, "axis": {"format": "d", "tickMinStep": 1}}
    y = {"field": "h100_equivalents", "type": "quantitative", "title": "H100-equivalents",
         "scale": {"type": "log"}, "axis": {"format": "~s"}}
    layers: list[Spec] = [
        {"data": {"values": [r for r in rows if r["series"] == "peer"]},
         "mark": {"type": "point", "size": 70, "filled": True},
         "encoding": {"x": x, "y": y,
                      "color": {"field": "operator_short", "type": "nominal",
                                "title": "Operator", "scale": _colour_scale(table)},
                      "shape": {"field": "status", "type": "nominal", "title": "Status",
                                "scale": {"domain": ["operational", "planned"],
                                          "range": ["circle", "diamond"]}},
                      "tooltip": [{"field": "site"}, {"field": "date"}, {"field": "status"},
                                  {"field": "h100_equivalents", "title": "H100e",
                                   "format": ",.0f"}, {"field": "confidence"},
                                  {"field": "source"}]}},
        {"data": {"values": [r for r in rows if r["series"] in ("trend", "fit")]},
         "mark": {"type": "line", "strokeDash": [6, 4]},
         "encoding": {"x": x, "y": y,
                      "detail": {"field": "label", "type": "nominal"},
                      "strokeDash": {"field": "series", "type": "nominal", "title": "Trend",
                                     "scale": {"domain": ["trend", "fit"],
                                               "range": [[6, 4], [2, 2]]}},
                      "color": {"value": "black"},
                      "tooltip": [{"field": "label"}]}},
    ]
    if table.meta.get("target_h100e"):
        layers.append({"data": {"values": [{"y": table.meta["target_h100e"]}]},
                       "mark": {"type": "rule", "color": _TARGET, "strokeDash": [6, 4]},
                       "encoding": {"y": {"field": "y", "type": "quantitative"}}})
    return {"$schema": _SCHEMA, "width": "container", "height": 380,
            "title": {"text": table.title, "subtitle": table.caption, "subtitleFontSize": 10,
                      "anchor": "start"},
            "layer": layers}


@st.cache_data(show_spinner=False, max_entries=64)
def _specs(upload: tuple[str, str], preset: str, sets: Sets) -> tuple[Spec, Spec]:
    among, timeline = _tables(upload, preset, sets)
    return among_spec(among), timeline_spec(timeline)


@st.cache_data(show_spinner=False)
def _peer_rows() -> list[dict[str, Any]]:
    table = peers_table(_peers(), compute.shipped_library())
    rows = []
    for row in table.rows():
        links = source_links(row["source"])
        rows.append({
            "site": row["site"], "operator": row["operator"], "date": row["date"],
            "status": row["status"], "accelerators": row["accelerators"],
            "power (MW)": row["power_mw"], "basis": row["power_basis"],
            "H100e": row["h100_equivalents"], "capex (USD 2025)": row["capex_usd"],
            "confidence": row["confidence"], "source": links[0] if links else "",
            "other figures": row["other_figures"], "note": row["note"],
        })
    return rows


@st.cache_data(show_spinner=False)
def _calibration_rows() -> tuple[list[dict[str, Any]], dict[str, list[str]], str]:
    result = _calibration()
    rows = []
    missing: dict[str, list[str]] = {}
    for c in result.comparisons:
        if c.status == "n/a":
            missing.setdefault(c.reason, []).append(f"{c.peer} {c.quantity}")
            continue
        rows.append({
            "peer": c.peer, "quantity": c.quantity + ("" if c.primary else " (alt)"),
            "basis": c.basis, "published": c.published, "model": c.model,
            "deviation": c.deviation, "tolerance": c.tolerance, "status": c.status,
            "confidence": c.confidence,
            "independent": "yes" if c.independent else "no: " + ", ".join(c.circular),
            "likely reason": c.reason, "source": (source_links(c.source) or [""])[0],
        })
    return rows, missing, result.summary()


def report_html(upload: tuple[str, str], preset: str, sets: Sets) -> bytes:
    """The report of the current state (built on click): the preset with the changed inputs
    as its own scenario, beside the baseline and the reference scenarios."""
    from calc.data.scenario_file import scenario_yaml
    from calc.presentation.report import build_report

    from dashboard.state import as_library_sets

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
    names += [n for n in compute.REFERENCES if n in library.definitions and n not in names]
    return build_report(library, names, files_beside=False).html.encode("utf-8")


def render(ctx: Context) -> None:
    """The peers chart and timeline, the table with sources, the calibration, the report."""
    upload, preset, sets = ctx.key
    among, timeline = _specs(upload, preset, sets)
    st.vega_lite_chart(among, width="stretch")
    st.caption("Peers at their primary published power: filled markers are facility power, "
               "hollow ones IT power, faint ones a basis the source does not state; a bar spans "
               "every power figure the sources give. Stars: the baseline, your scenario and the "
               "reference scenarios. H100e = dense 8-bit FLOP/s ÷ 1.979e15.")
    among_table, timeline_table = _tables(upload, preset, sets)
    download_buttons(among_table, among_peers, key="dl-peers", cache_key=ctx.key)
    st.vega_lite_chart(timeline, width="stretch")
    download_buttons(timeline_table, largest_site_timeline, key="dl-timeline",
                     cache_key=ctx.key)

    st.subheader("The sites, as published")
    st.dataframe(
        _peer_rows(), hide_index=True, width="stretch",
        column_config={
            "source": st.column_config.LinkColumn("source", display_text=r"https?://([^/]+)"),
            "power (MW)": st.column_config.NumberColumn(format="%.4g"),
            "H100e": st.column_config.NumberColumn(format="%.4g"),
            "capex (USD 2025)": st.column_config.NumberColumn(format="$%.3e"),
        })

    st.subheader("Calibration: the model against published figures")
    rows, missing, summary = _calibration_rows()
    st.markdown(summary)
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_config={
            "published": st.column_config.NumberColumn(format="%.4g"),
            "model": st.column_config.NumberColumn(format="%.4g"),
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
