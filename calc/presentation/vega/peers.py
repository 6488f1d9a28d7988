"""Vega-Lite specs of the peers charts: Cortex among the largest sites, and the record over time.

Each site is labelled once (its latest row), at a place next to its marker that
no other label takes (:func:`place_labels`); a site whose label finds no free
place keeps its tooltip only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.presentation.charts.peers import operator_colours, short_operator
from calc.presentation.colours import SCENARIO_STAR
from calc.presentation.formatting import format_value
from calc.presentation.label_places import PLACES, place_labels
from calc.presentation.tables import Table
from calc.presentation.vega import style

__all__ = ["among_spec", "largest_site_spec"]

Spec = dict[str, Any]

_BASIS_FILL = {"facility": 1.0, "unstated": 0.45, "it": 0.0}
def _label_layers(rows: Sequence[dict[str, Any]], x: dict[str, Any], y: dict[str, Any],
                  **mark: Any) -> list[Spec]:
    """One text layer per place a label takes (Vega-Lite cannot vary a mark's offset)."""
    used = {row.get("place") for row in rows}
    return [{"transform": [{"filter": f"datum.place == '{name}'"}],
             "mark": {"type": "text", "align": align, "baseline": "middle", "dx": dx, "dy": dy,
                      **mark},
             "encoding": {"x": x, "y": y, "text": {"field": "label"}}}
            for name, dx, dy, align in PLACES if name in used]


def _operator_scale(table: Table, target_label: str | None) -> dict[str, Any]:
    operators = [short_operator(o) for o in table.meta.get("operators", [])]
    colours = operator_colours(operators)
    return style.colour_scale(colours, {target_label: style.TARGET} if target_label else None)


def _target_label(table: Table) -> str | None:
    if not table.meta.get("target_h100e"):
        return None
    return (f"target {table.meta['target']:g}× {table.meta['baseline']}: "
            f"{format_value(table.meta['target_h100e'], 'H100e')} H100e")


def among_spec(table: Table) -> Spec:
    """Vega-Lite: power against H100e (log–log), peers by operator, scenarios as stars."""
    rows = [{**row, "operator_short": short_operator(row["operator"]),
             "fill": _BASIS_FILL.get(row["power_basis"], 1.0)} for row in table.rows()]
    peers = [r for r in rows if r["kind"] == "peer"]
    scenarios = [r for r in rows if r["kind"] == "scenario"]
    # one label per site: its latest row; scenarios first, then the largest sites
    latest: dict[str, dict[str, Any]] = {}
    for row in peers:
        if row["label"] not in latest or str(row["date"]) >= str(latest[row["label"]]["date"]):
            latest[row["label"]] = dict(row)  # a copy: only the label layer gets a place
    order = [*scenarios, *sorted(latest.values(), key=lambda r: -float(r["h100_equivalents"]))]
    places = place_labels([(float(r["power_mw"]), float(r["h100_equivalents"]), str(r["label"]))
                           for r in order])
    for row, place in zip(order, places, strict=True):
        row["place"] = place
    target_label = _target_label(table)
    scale = _operator_scale(table, target_label)
    every = [float(r["power_mw"]) for r in rows] + [float(r["power_low_mw"]) for r in peers
                                                      if r.get("power_low_mw")]
    x = style.quantity("power_mw", "Power, as published", "MW", every, log=True)
    y = style.quantity("h100_equivalents", "H100-equivalents", "H100e",
                       [r["h100_equivalents"] for r in rows], log=True)
    colour = {"field": "operator_short", "type": "nominal", "title": "Operator", "scale": scale}
    tooltip = [{"field": "site"}, {"field": "date"}, {"field": "status"},
               {"field": "power_mw", "title": "power (MW)", "format": ",.4~g"},
               {"field": "power_basis", "title": "basis"},
               {"field": "h100_equivalents", "title": "H100e", "format": ",.0f"},
               {"field": "h100e_from", "title": "H100e from"}, {"field": "confidence"},
               {"field": "source"}]
    layers: list[Spec] = [
        {"data": {"values": peers},
         "layer": [
             {"mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.35},
              "encoding": {"x": {**x, "field": "power_low_mw"}, "x2": {"field": "power_high_mw"},
                           "y": y, "color": colour}},
             {"mark": {"type": "point", "size": 90, "strokeWidth": 1.8},
              "encoding": {
                  "x": x, "y": y, "color": colour,
                  "fill": {**colour},
                  "fillOpacity": {"field": "fill", "type": "quantitative", "legend": None,
                                  "scale": {"domain": [0, 1], "range": [0, 1]}},
                  "shape": {"field": "status", "type": "nominal", "title": "Status",
                            "scale": {"domain": ["operational", "planned"],
                                      "range": ["circle", "diamond"]}},
                  "tooltip": tooltip}},
         ]},
    ]
    labelled = [r for r in latest.values() if r.get("place")]
    if labelled:
        layers.append({"data": {"values": labelled},
                       "layer": _label_layers(labelled, x, y, fontSize=10, color="#333333")})
    if scenarios:
        layers.append({"data": {"values": scenarios}, "layer": [
            {"mark": {"type": "point", "shape": style.STAR, "size": 320, "filled": True,
                      "color": SCENARIO_STAR, "stroke": "black", "strokeWidth": 1.2},
             "encoding": {"x": x, "y": y, "tooltip": [
                 {"field": "label", "title": "scenario"},
                 {"field": "power_mw", "title": "facility power (MW)", "format": ",.4~g"},
                 {"field": "h100_equivalents", "title": "H100e", "format": ",.0f"}]}},
            *_label_layers(scenarios, x, y, fontSize=11, fontWeight="bold"),
        ]})
    if target_label:
        at = {"field": "y", "type": "quantitative"}
        layers.append({"data": {"values": [{"y": table.meta["target_h100e"],
                                            "operator_short": target_label}]},
                       "layer": [
            {"mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
             "encoding": {"y": at, "color": colour}},
            {"mark": {"type": "text", "color": style.TARGET, "align": "left", "dy": -7, "x": 4,
                      "fontSize": 10},
             "encoding": {"y": at, "text": {"field": "operator_short"}}},
        ]})
    return style.base(table, height=460, layer=layers)


def largest_site_spec(table: Table) -> Spec:
    """Vega-Lite: site size against date (log), Epoch's trend and the fitted one."""
    rows = [{**row, "operator_short": short_operator(row.get("operator") or "")}
            for row in table.rows()]
    target_label = _target_label(table)
    scale = _operator_scale(table, target_label)
    colour = {"field": "operator_short", "type": "nominal", "title": "Operator", "scale": scale}
    x = {"field": "year", "type": "quantitative", "title": "Year",
         "scale": {"zero": False}, "axis": {"format": "d", "tickMinStep": 1}}
    y = style.quantity("h100_equivalents", "H100-equivalents", "H100e",
                       [r["h100_equivalents"] for r in rows], log=True)
    layers: list[Spec] = [
        {"data": {"values": [r for r in rows if r["series"] == "peer"]},
         "mark": {"type": "point", "size": 70, "filled": True},
         "encoding": {"x": x, "y": y, "color": colour,
                      "shape": {"field": "status", "type": "nominal", "title": "Status",
                                "scale": {"domain": ["operational", "planned"],
                                          "range": ["circle", "diamond"]}},
                      "tooltip": [{"field": "site"}, {"field": "date"}, {"field": "status"},
                                  {"field": "h100_equivalents", "title": "H100e",
                                   "format": ",.0f"}, {"field": "confidence"},
                                  {"field": "source"}]}},
        {"data": {"values": [r for r in rows if r["series"] in ("trend", "fit")]},
         "mark": {"type": "line", "color": "#000000"},
         "encoding": {"x": x, "y": y,
                      "detail": {"field": "label", "type": "nominal"},
                      "strokeDash": {"field": "series", "type": "nominal", "title": "Trend",
                                     "scale": {"domain": ["trend", "fit"],
                                               "range": [[6, 4], [2, 2]]}},
                      "tooltip": [{"field": "label"}]}},
    ]
    if target_label:
        layers.append({"data": {"values": [{"y": table.meta["target_h100e"],
                                            "operator_short": target_label}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
                       "encoding": {"y": {"field": "y", "type": "quantitative"},
                                    "color": colour}})
    return style.base(table, height=380, layer=layers)
