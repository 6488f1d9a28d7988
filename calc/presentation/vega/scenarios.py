"""Interactive Vega-Lite versions of :mod:`calc.presentation.charts`, built from the same Tables.

Each function takes the :class:`~calc.presentation.tables.Table` its matplotlib twin takes
and returns a Vega-Lite spec (a plain dict with the data inline), which
``st.vega_lite_chart`` draws in the browser at almost no cost per rerun.
Colours follow :data:`calc.presentation.charts.PALETTE` (Okabe–Ito).
"""

from __future__ import annotations

from typing import Any

from calc.presentation.charts import PALETTE
from calc.presentation.tables import Table

__all__ = ["comparison_spec", "cost_spec", "power_spec"]

Spec = dict[str, Any]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_TARGET_COLOUR = PALETTE[3]


def _base(table: Table, **spec: Any) -> Spec:
    sizing = {} if "facet" in spec else {"width": "container"}
    return {"$schema": _SCHEMA, **sizing,
            "title": {"text": table.title, "subtitle": table.caption, "subtitleFontSize": 10,
                      "anchor": "start"},
            "config": {"range": {"category": list(PALETTE)}}, **spec}


def comparison_spec(table: Table) -> Spec:
    """Bars of key outputs per scenario, one panel per output, the target multiple drawn.

    The spec reads ``table.rows()`` (long form: scenario, output, title, value, unit, ratio).
    """
    target = float(table.meta.get("target", 0.0))
    rows = [{**row, "target": target if row["output"] == "compute_multiple" else None}
            for row in table.rows()]
    bars = {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "scenario", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "value", "type": "quantitative", "title": None,
                  "axis": {"format": "~s"}},
            "color": {"field": "scenario", "type": "nominal", "sort": None, "legend": None},
            "tooltip": [
                {"field": "scenario"}, {"field": "title", "title": "output"},
                {"field": "value", "format": ",.4~g"}, {"field": "unit"},
                {"field": "ratio", "title": f"× {table.meta.get('baseline', 'baseline')}",
                 "format": ".3~g"},
            ],
        },
    }
    rule = {
        "transform": [{"filter": "datum.target != null"}],
        "mark": {"type": "rule", "color": _TARGET_COLOUR, "strokeDash": [6, 4], "size": 2},
        "encoding": {"x": {"field": "target", "type": "quantitative"}},
    }
    return _base(
        table,
        data={"values": rows},
        facet={"field": "title", "type": "nominal", "sort": None, "title": None,
               "header": {"labelFontSize": 12, "labelFontWeight": "bold"}},
        columns=2,
        spec={"width": 280, "height": {"step": 22}, "layer": [bars, rule]},
        resolve={"scale": {"x": "independent", "y": "independent"}},
    )


def power_spec(table: Table) -> Spec:
    """Effective FLOP/s against facility power per accelerator (log–log), the target
    level, the 100 and 500 MW marks and the current scenario's point."""
    meta = table.meta
    current = str(meta.get("accelerator", ""))
    lines = {
        "data": {"values": table.rows()},
        "mark": {"type": "line", "interpolate": "monotone"},
        "encoding": {
            "x": {"field": "facility_power_mw", "type": "quantitative",
                  "title": "Facility power (MW)", "scale": {"type": "log"}},
            "y": {"field": "effective_flop_per_s", "type": "quantitative",
                  "title": "Effective training FLOP/s", "scale": {"type": "log"},
                  "axis": {"format": "~s"}},
            "color": {"field": "accelerator", "type": "nominal", "sort": None,
                      "title": "Accelerator"},
            "strokeWidth": {"condition": {"test": f"datum.accelerator == {current!r}",
                                          "value": 3.5}, "value": 1.5},
            "tooltip": [
                {"field": "accelerator"},
                {"field": "facility_power_mw", "title": "facility power (MW)", "format": ",.4~g"},
                {"field": "accelerators", "format": ",.0f"},
                {"field": "h100_equivalents", "title": "H100e", "format": ",.0f"},
                {"field": "effective_flop_per_s", "title": "effective FLOP/s", "format": ".3~e"},
                {"field": "compute_multiple", "title": "compute multiple", "format": ".3~g"},
            ],
        },
    }
    layers: list[Spec] = [lines]
    marks = [{"mw": float(mw)} for mw in meta.get("marks_mw", [])]
    if marks:
        layers.append({
            "data": {"values": marks},
            "mark": {"type": "rule", "color": "#777777", "strokeDash": [2, 3]},
            "encoding": {"x": {"field": "mw", "type": "quantitative"}},
        })
    if meta.get("target_effective_flop_per_s"):
        layers.append({
            "data": {"values": [{"y": float(meta["target_effective_flop_per_s"]),
                                 "label": f"target: {float(meta['target']):g}× baseline"}]},
            "layer": [
                {"mark": {"type": "rule", "color": _TARGET_COLOUR, "strokeDash": [6, 4],
                          "size": 2},
                 "encoding": {"y": {"field": "y", "type": "quantitative"}}},
                {"mark": {"type": "text", "color": _TARGET_COLOUR, "align": "left", "dx": 4,
                          "dy": -6, "x": 0},
                 "encoding": {"y": {"field": "y", "type": "quantitative"},
                              "text": {"field": "label"}}},
            ],
        })
    points = [dict(p) for p in meta.get("points", [])]
    if points:
        layers.append({
            "data": {"values": points},
            "layer": [
                {"mark": {"type": "point", "shape": "circle", "size": 140, "filled": False,
                          "color": "black", "strokeWidth": 2},
                 "encoding": {
                     "x": {"field": "facility_power_mw", "type": "quantitative"},
                     "y": {"field": "effective_flop_per_s", "type": "quantitative"},
                     "tooltip": [{"field": "label", "title": "scenario"},
                                 {"field": "accelerator"},
                                 {"field": "facility_power_mw", "title": "facility power (MW)",
                                  "format": ",.4~g"},
                                 {"field": "h100_equivalents", "title": "H100e",
                                  "format": ",.0f"}]}},
                {"mark": {"type": "text", "align": "left", "dx": 9, "dy": -9, "fontSize": 11},
                 "encoding": {"x": {"field": "facility_power_mw", "type": "quantitative"},
                              "y": {"field": "effective_flop_per_s", "type": "quantitative"},
                              "text": {"field": "label"}}},
            ],
        })
    return _base(table, height=420, layer=layers)


def cost_spec(table: Table) -> Spec:
    """Stacked bars of capex by part and yearly cost by part, per scenario."""
    names = {"capex": "Capex", "annual": "Yearly cost (amortised + electricity)"}
    rows = [{**row, "panel": names.get(row["kind"], row["kind"])} for row in table.rows()]
    return _base(
        table,
        data={"values": rows},
        facet={"field": "panel", "type": "nominal", "sort": list(names.values()),
               "title": None, "header": {"labelFontSize": 12, "labelFontWeight": "bold"}},
        columns=1,
        spec={
            "width": 560, "height": {"step": 26},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "scenario", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "usd", "type": "quantitative", "stack": "zero",
                      "title": "US dollars of 2025", "axis": {"format": "$~s"}},
                "color": {"field": "part", "type": "nominal", "sort": None, "title": None,
                          "legend": {"orient": "bottom", "columns": 3}},
                "tooltip": [{"field": "scenario"}, {"field": "part"},
                            {"field": "usd", "title": "USD (2025)", "format": "$,.4~s"}],
            },
        },
        resolve={"scale": {"x": "independent"}},
    )
