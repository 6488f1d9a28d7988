"""Vega-Lite specs of the peers charts: Cortex among the largest sites, and the record over time."""

from __future__ import annotations

from typing import Any

from calc.presentation.charts.peers import operator_colours, short_operator
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table

__all__ = ["among_spec", "largest_site_spec"]

Spec = dict[str, Any]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_TARGET = "#D55E00"
_STAR = ("M0,-1L0.22,-0.31L0.95,-0.31L0.36,0.12L0.59,0.81L0,0.38L-0.59,0.81L-0.36,0.12"
         "L-0.95,-0.31L-0.22,-0.31Z")
_BASIS_FILL = {"facility": 1.0, "unstated": 0.45, "it": 0.0}


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


def largest_site_spec(table: Table) -> Spec:
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
