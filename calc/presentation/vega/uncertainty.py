"""Vega-Lite specs of the uncertainty charts: histograms, exceedance, tornado, Sobol and the fan."""

from __future__ import annotations

from typing import Any

from calc.core.vocabulary import OUTPUTS
from calc.presentation.tables import Table

__all__ = ["exceedance_spec", "fan_spec", "histogram_spec", "sobol_spec", "tornado_spec"]

Spec = dict[str, Any]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")


def _base(table: Table, **spec: Any) -> Spec:
    return {"$schema": _SCHEMA, "width": "container",
            "title": {"text": table.title, "subtitle": table.caption, "subtitleFontSize": 10,
                      "anchor": "start"},
            "config": {"range": {"category": list(_PALETTE)}}, **spec}


def _x_scale(log: bool) -> dict[str, Any]:
    return {"type": "log"} if log else {"zero": False}


def histogram_spec(table: Table) -> Spec:
    """Bars of sample shares per bin, with P5, P50, P95 and the central value as rules."""
    meta = table.meta
    title = OUTPUTS[meta["output"]].title
    bars = {
        "data": {"values": table.rows()},
        "mark": {"type": "bar", "color": _PALETTE[0], "opacity": 0.85},
        "encoding": {
            "x": {"field": "bin_low", "type": "quantitative", "bin": "binned", "title": title,
                  "scale": _x_scale(meta["log"]), "axis": {"format": "~s"}},
            "x2": {"field": "bin_high"},
            "y": {"field": "share", "type": "quantitative", "title": "share of samples",
                  "axis": {"format": ".1%"}},
            "tooltip": [{"field": "bin_low", "format": ".4~g"},
                        {"field": "bin_high", "format": ".4~g"},
                        {"field": "share", "format": ".2%"}],
        },
    }
    marks = []
    for name, pct in meta["percentiles"].items():
        marks += [{"x": pct[k], "label": k.upper()} for k in ("p5", "p50", "p95")]
        marks.append({"x": meta["central"][name], "label": "central"})
    rules = {
        "data": {"values": marks},
        "mark": {"type": "rule", "strokeDash": [4, 3]},
        "encoding": {"x": {"field": "x", "type": "quantitative"},
                     "color": {"field": "label", "type": "nominal", "title": None,
                               "scale": {"domain": ["P5", "P50", "P95", "central"],
                                         "range": ["#555555", "#000000", "#555555",
                                                   _PALETTE[3]]}},
                     "tooltip": [{"field": "label"}, {"field": "x", "format": ".4~g"}]},
    }
    return _base(table, height=260, layer=[bars, rules])


def exceedance_spec(table: Table) -> Spec:
    """P(output ≥ x) against x, the target marked."""
    meta = table.meta
    line = {
        "data": {"values": table.rows()},
        "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2.5},
        "encoding": {
            "x": {"field": "value", "type": "quantitative",
                  "title": OUTPUTS[meta["output"]].title, "scale": _x_scale(meta["log"])},
            "y": {"field": "p_exceed", "type": "quantitative",
                  "title": "chance of at least this value", "axis": {"format": ".0%"}},
            "color": {"field": "scenario", "type": "nominal", "title": None},
            "tooltip": [{"field": "value", "format": ".4~g"},
                        {"field": "p_exceed", "format": ".1%"}],
        },
    }
    layers: list[Spec] = [line]
    if meta.get("target") is not None:
        layers.append({
            "data": {"values": [{"x": meta["target"], "label": f"target {meta['target']:g}×"}]},
            "layer": [
                {"mark": {"type": "rule", "color": _PALETTE[3], "strokeDash": [6, 4], "size": 2},
                 "encoding": {"x": {"field": "x", "type": "quantitative"}}},
                {"mark": {"type": "text", "color": _PALETTE[3], "align": "left", "dx": 4,
                          "y": 8},
                 "encoding": {"x": {"field": "x", "type": "quantitative"},
                              "text": {"field": "label"}}},
            ],
        })
    return _base(table, height=260, layer=layers)


def tornado_spec(table: Table) -> Spec:
    """Bars from the central output to its value at each input's low and high."""
    central = float(table.meta["central"])
    rows = []
    order = []
    for row in table.rows():
        if row["swing"] == 0:
            continue
        order.append(row["label"])
        for end in ("low", "high"):
            rows.append({"label": row["label"], "end": f"input at its {end}",
                         "from": central, "to": row[f"output_{end}"],
                         "input": row[f"input_{end}"], "unit": row["input_unit"]})
    return _base(
        table,
        data={"values": rows},
        height={"step": 22},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "label", "type": "nominal", "sort": order, "title": None,
                  "axis": {"labelLimit": 320}},
            "x": {"field": "from", "type": "quantitative", "scale": {"zero": False},
                  "title": OUTPUTS[table.meta["output"]].title, "axis": {"format": "~s"}},
            "x2": {"field": "to"},
            "color": {"field": "end", "type": "nominal", "title": None,
                      "scale": {"domain": ["input at its low", "input at its high"],
                                "range": [_PALETTE[0], _PALETTE[1]]},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "label", "title": "input"}, {"field": "end"},
                        {"field": "input", "format": ".4~g"}, {"field": "unit"},
                        {"field": "to", "title": "output", "format": ".4~g"}],
        },
    )


def sobol_spec(table: Table) -> Spec:
    """S1 and ST per input with their 95 % intervals."""
    rows = []
    order = []
    for row in table.rows():
        if abs(row["ST"]) < 1e-9 and abs(row["S1"]) < 1e-9:
            continue
        order.append(row["label"])
        for index in ("S1", "ST"):
            rows.append({"label": row["label"], "index": index, "value": row[index],
                         "lo": row[index] - row[f"{index}_conf"],
                         "hi": row[index] + row[f"{index}_conf"]})
    encoding = {"y": {"field": "label", "type": "nominal", "sort": order, "title": None,
                      "axis": {"labelLimit": 320}},
                "yOffset": {"field": "index", "type": "nominal"},
                "color": {"field": "index", "type": "nominal", "title": None,
                          "legend": {"orient": "bottom"}}}
    return _base(
        table,
        data={"values": rows},
        height={"step": 30},
        layer=[
            {"mark": {"type": "bar"},
             "encoding": {**encoding,
                          "x": {"field": "value", "type": "quantitative",
                                "title": "share of variance", "axis": {"format": ".0%"}},
                          "tooltip": [{"field": "label"}, {"field": "index"},
                                      {"field": "value", "format": ".3f"}]}},
            {"mark": {"type": "rule", "color": "black"},
             "encoding": {**encoding, "color": {"value": "black"},
                          "x": {"field": "lo", "type": "quantitative"}, "x2": {"field": "hi"}}},
        ],
    )


def fan_spec(table: Table) -> Spec:
    """P5–P95 band and median of a timeline series, month by month; the target marked."""
    meta = table.meta
    x = {"field": "date", "type": "temporal", "title": None,
         "axis": {"format": "%Y", "tickCount": {"interval": "year", "step": 1}}}
    layers: list[Spec] = [
        {"mark": {"type": "area", "opacity": 0.3, "color": _PALETTE[0]},
         "encoding": {"x": x, "y": {"field": "p5", "type": "quantitative",
                                    "title": meta["label"], "scale": {"type": "log"}},
                      "y2": {"field": "p95"}}},
        {"mark": {"type": "line", "color": _PALETTE[0], "strokeWidth": 2.5},
         "encoding": {"x": x, "y": {"field": "p50", "type": "quantitative"},
                      "tooltip": [{"field": "date", "timeUnit": "yearmonth"},
                                  {"field": "p5", "format": ".3~g"},
                                  {"field": "p50", "format": ".3~g"},
                                  {"field": "p95", "format": ".3~g"},
                                  {"field": "p_reached", "title": "P(target by then)",
                                   "format": ".0%"}]}},
    ]
    if meta.get("target") is not None:
        layers.append({"data": {"values": [{"y": meta["target"]}]},
                       "mark": {"type": "rule", "color": _PALETTE[3], "strokeDash": [6, 4],
                                "size": 2},
                       "encoding": {"y": {"field": "y", "type": "quantitative"}}})
    return _base(table, height=280, data={"values": table.rows()}, layer=layers)
