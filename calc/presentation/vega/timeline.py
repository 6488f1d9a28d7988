"""Vega-Lite specs of the timeline charts: the build-out by generation, the multiple, the levers."""

from __future__ import annotations

from typing import Any

from calc.presentation.colours import DIRECTIONS
from calc.presentation.formatting import month_text, times
from calc.presentation.tables import Table
from calc.presentation.vega import style

__all__ = ["levers_spec", "multiple_spec", "timeline_spec"]

Spec = dict[str, Any]

_POWER = "facility power (right axis)"
#: The operator's pace: drawn up to this multiple of the highest modelled H100e, so a pace
#: growing on past the build-out does not flatten the chart.
_PACE_CAP = 1.5
#: The operator's pace and its statements share one colour.
_OPERATOR = "#882255"


def _pace_rows(table: Table, cap: float) -> tuple[str, list[dict[str, Any]]]:
    """The operator's pace (fitted, least and most its range allows) month by month, up to
    ``cap`` H100e; its legend label ("" without a pace)."""
    pace = table.meta.get("pace")
    if not pace or "pace_h100e" not in table.columns:
        return "", []
    label = f"{pace['operator']}'s pace ({pace['growth_per_year']:.2f}×/yr)"
    rows = [{"month": _date(m), "pace": float(c), "low": float(lo), "high": min(float(hi), cap),
             "what": label}
            for m, c, lo, hi in zip(table.columns["month"], table.columns["pace_h100e"],
                                    table.columns["pace_h100e_low"],
                                    table.columns["pace_h100e_high"], strict=True)
            if float(c) <= cap]
    return label, rows


def _date(month: str) -> str:
    return f"{month}-01"


def timeline_spec(table: Table) -> Spec:
    """Stacked H100-equivalents by generation, facility power (right axis), the H100e the
    target needs, the month it is first reached, and what the operator said (if given)."""
    months = list(table.columns["month"])
    generations = list(table.meta.get("generations", []))
    target = float(table.meta.get("target", 0))
    needed_label = f"H100e the {target:g}× target needs"
    stated = [s for s in table.meta.get("stated", []) or []
              if months and months[0] <= s["month"] <= months[-1]]
    stated_label = f"{stated[0]['label']} says (H100e)" if stated else ""
    modelled_most = max([float(v) for v in table.columns["h100_equivalents"]] or [0.0])
    pace_label, pace_rows = _pace_rows(table, _PACE_CAP * modelled_most)
    extras = {_POWER: "#000000", needed_label: style.TARGET}
    if stated:
        extras[stated_label] = _OPERATOR
    if pace_rows:
        extras[pace_label] = _OPERATOR
    colours = style.series_colours(generations, skip=list(extras.values()))
    scale = style.colour_scale(colours, extras)
    stacked = [{"month": _date(m), "generation": g, "order": k,
                "h100e": float(table.columns[f"h100_equivalents:{g}"][i])}
               for k, g in enumerate(generations) for i, m in enumerate(months)]
    needed = table.meta.get("h100e_for_target") or []
    lines = [{"month": _date(m), "power": float(table.columns["facility_power_mw"][i]),
              "needed": needed[i] if i < len(needed) else None, "what": needed_label}
             for i, m in enumerate(months)]
    x = style.time_axis("month", months)
    totals = list(table.columns["h100_equivalents"]) + [v for v in needed if v is not None]
    y = style.quantity("h100e", "H100-equivalents", "H100e", totals, stack="zero")
    colour = {"type": "nominal", "scale": scale, "title": None,
              "legend": {"orient": "top", "columns": 3}}
    left: list[Spec] = [
        {"data": {"values": stacked},
         "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.9},
         "encoding": {
             "x": x, "y": y,
             "color": {**colour, "field": "generation"},
             "order": {"field": "order", "type": "quantitative"},
             "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth",
                          "title": "month"},
                         {"field": "generation"},
                         {"field": "h100e", "title": "H100e", "format": ",.0f"}]}},
        {"data": {"values": [r for r in lines if r["needed"] is not None]},
         "mark": {"type": "line", "interpolate": "step-after", "strokeDash": [6, 4],
                  "strokeWidth": 2},
         "encoding": {"x": x, "y": {"field": "needed", "type": "quantitative"},
                      "color": {**colour, "field": "what"},
                      "tooltip": [{"field": "needed", "title": needed_label,
                                   "format": ",.0f"}]}},
    ]
    reached = table.meta.get("target_reached")
    if reached:
        left.append({"data": {"values": [{"month": _date(reached),
                                          "label": f"{target:g}× in {month_text(reached)} "
                                                   "at central values"}]},
                     "layer": [
                         {"mark": {"type": "rule", "color": style.TARGET, "size": 2},
                          "encoding": {"x": {"field": "month", "type": "temporal"}}},
                         {"mark": {"type": "text", "color": style.TARGET, "align": "left",
                                   "dx": 4, "y": 8, "fontWeight": "bold"},
                          "encoding": {"x": {"field": "month", "type": "temporal"},
                                       "text": {"field": "label"}}}]})
    if pace_rows:
        left.append({"data": {"values": pace_rows}, "layer": [
            {"mark": {"type": "area", "opacity": 0.12, "color": _OPERATOR},
             "encoding": {"x": {"field": "month", "type": "temporal"},
                          "y": {"field": "low", "type": "quantitative", "stack": None},
                          "y2": {"field": "high"}}},
            {"mark": {"type": "line", "strokeDash": [2, 3], "strokeWidth": 2},
             "encoding": {"x": {"field": "month", "type": "temporal"},
                          "y": {"field": "pace", "type": "quantitative"},
                          "color": {**colour, "field": "what"},
                          "tooltip": [{"field": "month", "type": "temporal",
                                       "timeUnit": "yearmonth", "title": "month"},
                                      {"field": "pace", "title": pace_label, "format": ",.0f"},
                                      {"field": "low", "title": "slowest", "format": ",.0f"},
                                      {"field": "high", "title": "fastest", "format": ",.0f"}]}}]})
    if stated:
        points = [{"month": _date(s["month"]), "h100e": float(s["h100e"]), "what": stated_label,
                   "bound": "at least" if s.get("bound") == "at_least" else "stated"}
                  for s in stated]
        left.append({"data": {"values": points},
                     "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 60},
                     "encoding": {"x": {"field": "month", "type": "temporal"},
                                  "y": {"field": "h100e", "type": "quantitative"},
                                  "color": {**colour, "field": "what"},
                                  "tooltip": [{"field": "what", "title": "statement"},
                                              {"field": "bound"},
                                              {"field": "h100e", "title": "H100e",
                                               "format": ",.0f"}]}})
    powers = [r["power"] for r in lines]
    power = {"data": {"values": [{**r, "what": _POWER} for r in lines]},
             "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2},
             "encoding": {"x": x,
                          "y": style.quantity("power", "Facility power", "MW", powers,
                                              axis={"orient": "right", "grid": False}),
                          "color": {**colour, "field": "what"},
                          "tooltip": [{"field": "power", "title": "facility power (MW)",
                                       "format": ",.4~g"}]}}
    return style.base(table, height=360, layer=[{"layer": left}, power],
                      resolve={"scale": {"y": "independent"}})


def multiple_spec(table: Table, *, measure: str | None = None) -> Spec:
    """The compute multiple month by month (log scale) against the target line.

    ``measure`` names what the multiple measures (``measure_title``); the axis and the
    title say it (by default ``table.meta["measure"]``, when the table carries it).
    """
    measure = measure or table.meta.get("measure")
    months = list(table.columns["month"])
    baseline = table.meta.get("baseline", "baseline")
    rows = [{"month": _date(m), "multiple": float(v), "what": "compute multiple"}
            for m, v in zip(months, table.columns["compute_multiple"], strict=True)
            if float(v) > 0]
    target = float(table.meta.get("target", 0))
    target_label = f"target {target:g}×"
    scale = style.colour_scale({"compute multiple": style.PALETTE[0]},
                               {target_label: style.TARGET})
    colour = {"field": "what", "type": "nominal", "scale": scale, "title": None,
              "legend": {"orient": "top"}}
    x = style.time_axis("month", months)
    y = style.quantity("multiple", style.multiple_name(measure, baseline), "1",
                       [r["multiple"] for r in rows] + [target], log=True)
    layers: list[Spec] = [
        {"data": {"values": rows},
         "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2.5},
         "encoding": {"x": x, "y": y, "color": colour,
                      "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth",
                                   "title": "month"},
                                  {"field": "multiple", "format": ".3~g"}]}},
        {"data": {"values": [{"target": target, "what": target_label,
                              "label": f"target {times(target)}"}]},
         "layer": [{"mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
                    "encoding": {"y": {"field": "target", "type": "quantitative"},
                                 "color": colour}},
                   {"mark": {"type": "text", "color": style.TARGET, "align": "left", "x": 4,
                             "dy": -7},
                    "encoding": {"y": {"field": "target", "type": "quantitative"},
                                 "text": {"field": "label"}}}]},
    ]
    return style.named_data({
        "$schema": style.SCHEMA, "width": "container", "height": 200, "layer": layers,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "title": {"text": f"{style.multiple_name(measure, baseline)}, month by month",
                  "anchor": "start", "fontSize": 12}})


def levers_spec(table: Table, *, measure: str | None = None) -> Spec:
    """The waterfall: each lever's factor as a bar from the running product before to after.

    ``measure`` names what the multiple measures (as for :func:`multiple_spec`).
    """
    measure = measure or table.meta.get("measure")
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
    target_label = f"target {target:g}×"
    baseline = table.meta.get("baseline", "baseline")
    scale = style.colour_scale(DIRECTIONS, {target_label: style.TARGET})
    colour = {"type": "nominal", "scale": scale, "title": None, "legend": {"orient": "bottom"}}
    name = style.multiple_name(measure, baseline)
    running = f"Running {name[0].lower()}{name[1:]}"
    order = [r["lever"] for r in rows]
    x = {"field": "lever", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelAngle": -20, "labelLimit": 160}}
    values = [r["low"] for r in rows] + [r["high"] for r in rows] + [target]
    return style.base(
        table, height=300,
        layer=[
            {"data": {"values": rows},
             "layer": [
                 {"mark": {"type": "bar", "tooltip": True},
                  "encoding": {
                      "x": x,
                      "y": style.quantity("low", running, "1",
                                          values, log=True),
                      "y2": {"field": "high"},
                      "color": {**colour, "field": "direction"},
                      "tooltip": [{"field": "lever"}, {"field": "factor", "format": ".4~g"}]}},
                 {"mark": {"type": "text", "dy": -8, "fontSize": 10},
                  "encoding": {"x": x, "y": {"field": "high", "type": "quantitative"},
                               "text": {"field": "label"}}}]},
            {"data": {"values": [{"target": target, "what": target_label}]},
             "mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
             "encoding": {"y": {"field": "target", "type": "quantitative"},
                          "color": {**colour, "field": "what"}}},
        ],
    )
