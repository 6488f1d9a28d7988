"""Peers view: Cortex among the largest AI training sites, the model against them, the report.

Charts are the declarations of :mod:`calc.presentation.charts.peers`, drawn as
Vega-Lite specs (their downloads are the same charts as files); the calibration
runs once per server (it uses capcalc's defaults, not the sliders); the report
is built only when its download button is clicked.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from calc.dashboard import page
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.compute.peers import calibration_rows, peer_rows
from calc.dashboard.compute.scenario import library_for, results
from calc.dashboard.context import Context
from calc.dashboard.downloads import show_chart
from calc.dashboard.keys import StateKey
from calc.dashboard.link import as_library_sets
from calc.data.scenario_file import scenario_yaml
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.peers import among_chart, largest_site_chart
from calc.presentation.findings import peers_finding

__all__ = ["among", "largest", "published", "render", "report_html"]


def among(source: Source) -> Chart:
    """The scenarios shown (stars) among the peers' sites."""
    return among_chart(source.peers, source.library, source.compared, source.baseline)


def largest(source: Source) -> Chart:
    """The largest site of each date, the trend fitted to them, and the target."""
    return largest_site_chart(source.peers, source.library, source.baseline)


def report_html(key: StateKey) -> bytes:
    """The report of the current state (built on click): the preset with the changed inputs
    as its own scenario, beside the baseline and the reference scenarios."""
    from calc.presentation.report import build_report  # deferred: jinja2 and matplotlib

    library = library_for(key.upload)
    _result, baseline = results(key)
    names = [baseline.name]
    current = key.preset
    if key.sets:
        text = scenario_yaml(library, key.preset, as_library_sets(key.sets))
        library, added = library.add_text(text, origin="dashboard")
        current = added[0]
    if current not in names:
        names.append(current)
    names += [n for n in library.story.references if n not in names]
    return build_report(library, names, files_beside=False).html.encode("utf-8")


def published(drawn: Chart) -> dict[str, float]:
    """The published sites of the among-peers chart's table: label → H100e (a label drawn
    twice keeps its largest)."""
    found: dict[str, float] = {}
    for row in drawn.table.rows():
        if row["kind"] == "peer":
            found[str(row["label"])] = max(float(row["h100_equivalents"]),
                                           found.get(str(row["label"]), 0.0))
    return found


def render(ctx: Context) -> None:
    """Where the site ranks among the peers; the peers chart and timeline, the table with
    sources, the calibration, the report."""
    drawn = chart(among, ctx.key)
    page.finding(peers_finding(ctx.scenario.name,
                               float(ctx.result.outputs["h100_equivalents"]),
                               published(drawn.chart)))
    page.show_first(drawn, key="dl-peers")
    st.caption("Peers at their primary published power: filled markers are facility power, "
               "hollow ones IT power, faint ones a basis the source does not state; a bar spans "
               "every power figure the sources give; an arrow marks a floor. Stars: the "
               "baseline, your scenario and the reference scenarios. H100e = dense 8-bit "
               "FLOP/s ÷ 1.979e15.")
    show_chart(chart(largest, ctx.key), key="dl-timeline")

    st.subheader("The sites, as published")
    st.dataframe(
        peer_rows(), hide_index=True, width="stretch",
        column_config={
            "source": st.column_config.LinkColumn("source", display_text=r"https?://([^/]+)"),
        })

    st.subheader("Calibration: the model against published figures")
    rows, missing, summary = calibration_rows()
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
        "Download the report (HTML)", data=partial(report_html, ctx.key),
        file_name="capcalc-report.html", mime="text/html", key="dl-report",
        icon=":material/description:", on_click="ignore",
        help="One self-contained HTML file: the question and answer, the scenarios, the "
             "tenfold analysis, uncertainty, peers, calibration and every assumption with its "
             "source. Building it takes a few seconds.")
