"""Vega-Lite specs of the timeline charts: the build-out by generation, the multiple, the levers."""

from __future__ import annotations

from typing import Any

from calc.presentation.charts import PALETTE
from calc.presentation.tables import Table

__all__ = ["levers_spec", "multiple_spec", "timeline_spec"]

Spec = dict[str, Any]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_TARGET = PALETTE[3]
_GENERATION_COLOURS = [c for i, c in enumerate(PALETTE) if i not in (3, 7)]


def _title(table: Table) -> dict[str, Any]:
    return {"text": table.title, "subtitle": table.caption, "subtitleFontSize": 10,
            "anchor": "start"}


def _date(month: str) -> str:
    return f"{month}-01"


def timeline_spec(table: Table) -> Spec:
    """Stacked H100-equivalents by generation, facility power (right axis), the H100e the
    target needs, and the month it is first reached."""
    months = list(table.columns["month"])
    generations = list(table.meta.get("generations", []))
    stacked = [{"month": _date(m), "generation": g,
                "h100e": float(table.columns[f"h100_equivalents:{g}"][i])}
               for g in generations for i, m in enumerate(months)]
    needed = table.meta.get("h100e_for_target") or []
    lines = [{"month": _date(m), "power": float(table.columns["facility_power_mw"][i]),
              "needed": needed[i] if i < len(needed) else None}
             for i, m in enumerate(months)]
    x = {"field": "month", "type": "temporal", "title": None}
    target = float(table.meta.get("target", 0))
    left: list[Spec] = [
        {"data": {"values": stacked},
         "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.9},
         "encoding": {
             "x": x,
             "y": {"field": "h100e", "type": "quantitative", "stack": "zero",
                   "title": "H100-equivalents", "axis": {"format": "~s"}},
             "color": {"field": "generation", "type": "nominal", "sort": generations,
                       "scale": {"domain": generations,
                                 "range": _GENERATION_COLOURS[:len(generations)]},
                       "legend": {"orient": "top", "title": None}},
             "order": {"field": "generation_order", "type": "quantitative"},
             "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                         {"field": "generation"},
                         {"field": "h100e", "title": "H100e", "format": ",.0f"}]}},
        {"data": {"values": [r for r in lines if r["needed"] is not None]},
         "mark": {"type": "line", "interpolate": "step-after", "color": _TARGET,
                  "strokeDash": [6, 4]},
         "encoding": {"x": x, "y": {"field": "needed", "type": "quantitative"},
                      "tooltip": [{"field": "needed", "title": f"H100e for {target:g}×",
                                   "format": ",.0f"}]}},
    ]
    reached = table.meta.get("target_reached")
    if reached:
        left.append({"data": {"values": [{"month": _date(reached),
                                          "label": f"{target:g}× in {reached}"}]},
                     "layer": [
                         {"mark": {"type": "rule", "color": _TARGET, "size": 2},
                          "encoding": {"x": x}},
                         {"mark": {"type": "text", "color": _TARGET, "align": "left",
                                   "dx": 4, "y": 8, "fontWeight": "bold"},
                          "encoding": {"x": x, "text": {"field": "label"}}}]})
    for row in stacked:
        row["generation_order"] = generations.index(row["generation"])
    power = {"data": {"values": lines},
             "mark": {"type": "line", "interpolate": "step-after", "color": "black",
                      "strokeWidth": 2},
             "encoding": {"x": x,
                          "y": {"field": "power", "type": "quantitative",
                                "title": "Facility power (MW)",
                                "axis": {"orient": "right", "format": "~s"}},
                          "tooltip": [{"field": "power", "title": "facility power (MW)",
                                       "format": ",.4~g"}]}}
    return {"$schema": _SCHEMA, "width": "container", "height": 360, "title": _title(table),
            "layer": [{"layer": left}, power], "resolve": {"scale": {"y": "independent"}}}


def multiple_spec(table: Table) -> Spec:
    """The compute multiple month by month (log scale) against the target line."""
    rows = [{"month": _date(m), "multiple": float(v)}
            for m, v in zip(table.columns["month"], table.columns["compute_multiple"],
                            strict=True) if float(v) > 0]
    target = float(table.meta.get("target", 0))
    x = {"field": "month", "type": "temporal", "title": None}
    layers: list[Spec] = [
        {"data": {"values": rows},
         "mark": {"type": "line", "interpolate": "step-after", "color": PALETTE[0],
                  "strokeWidth": 2.5},
         "encoding": {"x": x,
                      "y": {"field": "multiple", "type": "quantitative", "scale": {"type": "log"},
                            "title": f"× {table.meta.get('baseline', 'baseline')}"},
                      "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                                  {"field": "multiple", "format": ".3~g"}]}},
        {"data": {"values": [{"target": target, "label": f"target {target:g}×"}]},
         "layer": [{"mark": {"type": "rule", "color": _TARGET, "strokeDash": [6, 4], "size": 2},
                    "encoding": {"y": {"field": "target", "type": "quantitative"}}},
                   {"mark": {"type": "text", "color": _TARGET, "align": "left", "x": 4,
                             "dy": -7},
                    "encoding": {"y": {"field": "target", "type": "quantitative"},
                                 "text": {"field": "label"}}}]},
    ]
    return {"$schema": _SCHEMA, "width": "container", "height": 180, "layer": layers}


def levers_spec(table: Table) -> Spec:
    """The waterfall: each lever's factor as a bar from the running product before to after."""
    rows = []
    for row in table.rows():
        start, end = float(row["start"]), float(row["end"])
        low, high = min(start, end), max(start, end)
        if high / low < 1.01:
            low, high = low / 1.01, high * 1.01
        direction = ("total" if row["lever"] == "total" else
                     "raises" if end > start * (1 + 1e-9) else
                     "lowers" if end < start * (1 - 1e-9) else "no change")
        rows.append({"lever": row["title"], "low": low, "high": high,
                     "factor": float(row["factor"]), "direction": direction,
                     "label": f"{float(row['factor']):.3g}×"})
    target = float(table.meta.get("target", 0))
    order = [r["lever"] for r in rows]
    x = {"field": "lever", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelAngle": -15}}
    return {
        "$schema": _SCHEMA, "width": "container", "height": 300, "title": _title(table),
        "layer": [
            {"data": {"values": rows},
             "layer": [
                 {"mark": {"type": "bar", "tooltip": True},
                  "encoding": {
                      "x": x,
                      "y": {"field": "low", "type": "quantitative", "scale": {"type": "log"},
                            "title": f"× {table.meta.get('baseline', 'baseline')} (log)"},
                      "y2": {"field": "high"},
                      "color": {"field": "direction", "type": "nominal", "legend": None,
                                "scale": {"domain": ["raises", "lowers", "no change", "total"],
                                          "range": [PALETTE[2], PALETTE[3], PALETTE[8],
                                                    PALETTE[0]]}},
                      "tooltip": [{"field": "lever"}, {"field": "factor", "format": ".4~g"}]}},
                 {"mark": {"type": "text", "dy": -8},
                  "encoding": {"x": x, "y": {"field": "high", "type": "quantitative"},
                               "text": {"field": "label"}}}]},
            {"data": {"values": [{"target": target}]},
             "mark": {"type": "rule", "color": _TARGET, "strokeDash": [6, 4], "size": 2},
             "encoding": {"y": {"field": "target", "type": "quantitative"}}},
        ],
    }
