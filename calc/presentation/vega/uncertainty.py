"""Vega-Lite specs of the uncertainty charts: histograms, exceedance, tornado, Sobol and the fan."""

from __future__ import annotations

from typing import Any

from calc.core.vocabulary import OUTPUTS
from calc.presentation.formatting import format_value, month_text
from calc.presentation.tables import Table
from calc.presentation.vega import style

__all__ = [
    "conditional_p_spec",
    "exceedance_spec",
    "fan_spec",
    "histogram_spec",
    "reach_probability_spec",
    "sobol_spec",
    "tornado_spec",
]

Spec = dict[str, Any]

_RANGE = "90 % range (P5–P95)"
_MEDIAN = "median (P50)"
_CENTRAL = "central run"


def _shown(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit, digits=3)
    return text + "×" if output == "compute_multiple" else text


def _output_name(output: str, measure: str | None) -> str:
    """An output's title on an axis; the compute multiple says what it measures."""
    if output == "compute_multiple":
        return style.multiple_name(measure)
    return OUTPUTS[output].title


def histogram_spec(table: Table, *, measure: str | None = None) -> Spec:
    """Bars of sample shares per bin; the median, the 90 % range and the central run as
    labelled rules. ``measure`` names what a compute multiple measures."""
    meta = table.meta
    output = meta["output"]
    spec = OUTPUTS[output]
    measure = measure or meta.get("measure")
    unit = meta.get("unit", spec.unit)
    rows = table.rows()
    values = [r["bin_low"] for r in rows] + [r["bin_high"] for r in rows]
    x = style.quantity("bin_low", _output_name(output, measure), unit, values,
                       log=bool(meta["log"]), bin="binned")
    if not meta["log"]:
        x["scale"] = {"zero": False}
    marks = []
    for name, pct in meta["percentiles"].items():  # out-of-reach ones are left out
        marks += [{"x": pct[stat], "what": what,
                   "label": f"{word} {_shown(pct[stat], unit, output)}"}
                  for stat, what, word in (("p5", _RANGE, "P5"), ("p95", _RANGE, "P95"),
                                           ("p50", _MEDIAN, "median")) if stat in pct]
        central = meta["central"].get(name)
        if central is not None:
            marks.append({"x": central, "what": _CENTRAL,
                          "label": f"central {_shown(central, unit, output)}"})
    scale = style.colour_scale({"share of samples": style.PALETTE[0], _MEDIAN: "#000000",
                                _RANGE: style.NEUTRAL, _CENTRAL: style.PALETTE[1]})
    colour = {"field": "what", "type": "nominal", "scale": scale, "title": None}
    bars = {
        "data": {"values": [{**r, "what": "share of samples"} for r in rows]},
        "mark": {"type": "bar", "opacity": 0.85},
        "encoding": {
            "x": x, "x2": {"field": "bin_high"},
            "y": {"field": "share", "type": "quantitative", "title": "Share of samples (%)",
                  "axis": {"format": ".1%"}},
            "color": colour,
            "tooltip": [{"field": "bin_low", "title": "from", "format": ".4~g"},
                        {"field": "bin_high", "title": "to", "format": ".4~g"},
                        {"field": "share", "format": ".2%"}],
        },
    }
    at = {"field": "x", "type": "quantitative"}
    rules = {
        "data": {"values": marks},
        "layer": [
            {"mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 1.5},
             "encoding": {"x": at, "color": colour,
                          "tooltip": [{"field": "label"}]}},
            {"transform": [{"filter": f"datum.what != '{_CENTRAL}'"}],
             "mark": {"type": "text", "angle": 270, "align": "right", "baseline": "bottom",
                      "dx": -4, "dy": -2, "y": 0, "fontSize": 10},
             "encoding": {"x": at, "text": {"field": "label"}}},
        ],
    }
    return style.base(table, height=260, layer=[bars, rules])


def exceedance_spec(table: Table, *, measure: str | None = None) -> Spec:
    """P(output ≥ x) against x, the target marked. ``measure`` names what a compute
    multiple measures."""
    meta = table.meta
    output = meta["output"]
    measure = measure or meta.get("measure")
    rows = table.rows()
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    target = meta.get("target")
    target_label = f"target {target:g}×" if target is not None else ""
    scale = style.colour_scale(style.series_colours(scenarios),
                               {target_label: style.TARGET} if target is not None else None)
    colour = {"type": "nominal", "scale": scale, "title": None}
    x = style.quantity("value", _output_name(output, measure),
                       meta.get("unit", OUTPUTS[output].unit),
                       [r["value"] for r in rows], log=bool(meta["log"]))
    if not meta["log"]:
        x["scale"] = {"zero": False}
    line = {
        "data": {"values": rows},
        "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2.5},
        "encoding": {
            "x": x,
            "y": style.share_axis("p_exceed", "Chance of at least this value"),
            "color": {**colour, "field": "scenario"},
            "tooltip": [{"field": "value", "format": ".4~g"},
                        {"field": "p_exceed", "title": "chance", "format": ".1%"}],
        },
    }
    layers: list[Spec] = [line]
    if target is not None:
        at = {"field": "x", "type": "quantitative"}
        layers.append({
            "data": {"values": [{"x": target, "what": target_label,
                                 "label": f"target {target:g}×"}]},
            "layer": [
                {"mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
                 "encoding": {"x": at, "color": {**colour, "field": "what"}}},
                {"mark": {"type": "text", "color": style.TARGET, "align": "left", "dx": 4,
                          "y": 8},
                 "encoding": {"x": at, "text": {"field": "label"}}},
            ],
        })
    return style.base(table, height=260, layer=layers)


def tornado_spec(table: Table) -> Spec:
    """Bars from the central output to its value at each input's low and high."""
    output = table.meta["output"]
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
    ends = {"input at its low": style.PALETTE[0], "input at its high": style.PALETTE[1]}
    values = [central] + [r["to"] for r in rows]
    return style.base(
        table,
        data={"values": rows},
        height={"step": 22},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "label", "type": "nominal", "sort": order, "title": None,
                  "axis": {"labelLimit": 180}},
            "x": style.quantity("from", OUTPUTS[output].title, OUTPUTS[output].unit, values,
                                scale={"zero": False}),
            "x2": {"field": "to"},
            "color": {"field": "end", "type": "nominal", "title": None,
                      "scale": style.colour_scale(ends)},
            "tooltip": [{"field": "label", "title": "input"}, {"field": "end"},
                        {"field": "input", "format": ".4~g"}, {"field": "unit"},
                        {"field": "to", "title": "output", "format": ".4~g"}],
        },
    )


def sobol_spec(table: Table) -> Spec:
    """S1 and ST per input with their 95 % intervals, on a 0–100 % axis."""
    rows = []
    order = []
    for row in table.rows():
        if abs(row["ST"]) < 1e-9 and abs(row["S1"]) < 1e-9:
            continue
        order.append(row["label"])
        for index in ("S1", "ST"):
            value = float(row[index])
            rows.append({"label": row["label"], "index": index,
                         "value": min(max(value, 0.0), 1.0),
                         "lo": min(max(value - row[f"{index}_conf"], 0.0), 1.0),
                         "hi": min(max(value + row[f"{index}_conf"], 0.0), 1.0)})
    names = {"S1": "first order (S1)", "ST": "total (ST)"}
    for row in rows:
        row["index"] = names[row["index"]]
    scale = style.colour_scale({names["S1"]: style.PALETTE[0], names["ST"]: style.PALETTE[1]})
    encoding = {"y": {"field": "label", "type": "nominal", "sort": order, "title": None,
                      "axis": {"labelLimit": 180}},
                "yOffset": {"field": "index", "type": "nominal"}}
    return style.base(
        table,
        data={"values": rows},
        height={"step": 30},
        layer=[
            {"mark": {"type": "bar"},
             "encoding": {**encoding,
                          "x": style.share_axis("value", "Share of variance"),
                          "color": {"field": "index", "type": "nominal", "title": None,
                                    "scale": scale},
                          "tooltip": [{"field": "label"}, {"field": "index"},
                                      {"field": "value", "format": ".1%"}]}},
            {"mark": {"type": "rule", "color": "#000000"},
             "encoding": {**encoding, "x": {"field": "lo", "type": "quantitative"},
                          "x2": {"field": "hi"}}},
        ],
    )


def fan_spec(table: Table, *, measure: str | None = None) -> Spec:
    """Median and 90 % band of a timeline series, month by month; the target marked.
    ``measure`` names what a compute multiple measures."""
    meta = table.meta
    measure = measure or meta.get("measure")
    rows = table.rows()
    months = [str(r["date"])[:7] for r in rows]
    target = meta.get("target")
    target_label = f"target {target:g}×" if target is not None else ""
    extra = {target_label: style.TARGET} if target is not None else {}
    scale = style.colour_scale({_MEDIAN: style.PALETTE[0], _RANGE: style.PALETTE[4]}, extra)
    colour = {"field": "what", "type": "nominal", "scale": scale, "title": None}
    x = style.time_axis("date", months)
    values = [r["p5"] for r in rows] + [r["p95"] for r in rows]
    label = style.multiple_name(measure) if meta.get("target") is not None and measure \
        else str(meta["label"])
    y = style.quantity("p5", label, str(meta.get("unit", "1")),
                       [v for v in values if v and v > 0], log=True)
    layers: list[Spec] = [
        {"data": {"values": [{**r, "what": _RANGE} for r in rows]},
         "mark": {"type": "area", "opacity": 0.35},
         "encoding": {"x": x, "y": y, "y2": {"field": "p95"}, "color": colour}},
        {"data": {"values": [{**r, "what": _MEDIAN} for r in rows]},
         "mark": {"type": "line", "strokeWidth": 2.5},
         "encoding": {"x": x, "y": {"field": "p50", "type": "quantitative"}, "color": colour,
                      "tooltip": [{"field": "date", "timeUnit": "yearmonth", "title": "month"},
                                  {"field": "p5", "format": ".3~g"},
                                  {"field": "p50", "title": "median", "format": ".3~g"},
                                  {"field": "p95", "format": ".3~g"},
                                  {"field": "p_reached", "title": "P(target by then)",
                                   "format": ".0%"}]}},
    ]
    if target is not None:
        layers.append({"data": {"values": [{"y": target, "what": target_label}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
                       "encoding": {"y": {"field": "y", "type": "quantitative"},
                                    "color": colour}})
    return style.base(table, height=280, layer=layers)


#: What the dotted marks of the chance-by-month chart are, in its legend.
_REACH_MARKS = "month by which the chance first reaches 50 % and 80 %"


def reach_probability_spec(table: Table, *, measure: str | None = None) -> Spec:
    """P(target reached at or before each month) per scenario as a step curve, with the
    months it first reaches 50 % and 80 % (``table.meta["marks"]``) marked and labelled.

    The table is :func:`calc.presentation.tables.uncertainty.reach_probability_table`'s;
    ``measure`` names what the multiple measures.
    """
    meta = table.meta
    target = float(meta.get("target", 0))
    measure = measure or meta.get("measure")
    rows = [{"scenario": r["scenario"], "date": f"{r['date']}-01",
             "p": float(r["p_reached_by"])} for r in table.rows()]
    months = [str(r["date"]) for r in table.rows()]
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    colours = style.series_colours(scenarios, skip=["#000000"])
    scale = style.colour_scale(colours, {_REACH_MARKS: "#000000"})
    colour = {"type": "nominal", "scale": scale, "title": None, "legend": {"orient": "top"}}
    marks = []
    for name, found in (meta.get("marks") or {}).items():
        for label, month in found.items():
            if month is None:
                continue
            share = int(str(label)[1:]) / 100
            marks.append({"scenario": name, "date": f"{month}-01", "p": share,
                          "what": _REACH_MARKS,
                          "label": f"{str(label).upper()}: {month_text(month)}"})
    x = style.time_axis("date", months)
    what = f" {measure}" if measure else ""
    y = style.share_axis("p", f"Chance of {target:g}×{what} by then")
    layers: list[Spec] = [
        {"data": {"values": rows},
         "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2.5},
         "encoding": {"x": x, "y": y, "color": {**colour, "field": "scenario"},
                      "tooltip": [{"field": "scenario"},
                                  {"field": "date", "type": "temporal", "timeUnit": "yearmonth",
                                   "title": "month"},
                                  {"field": "p", "title": "chance reached by then",
                                   "format": ".1%"}]}},
        {"data": {"values": marks},
         "layer": [
             {"mark": {"type": "rule", "strokeDash": [2, 3], "strokeWidth": 1.2},
              "encoding": {"x": {"field": "date", "type": "temporal"},
                           "y": {"field": "p", "type": "quantitative"}, "y2": {"datum": 0},
                           "color": {**colour, "field": "what"}}},
             {"mark": {"type": "point", "filled": True, "size": 50},
              "encoding": {"x": {"field": "date", "type": "temporal"},
                           "y": {"field": "p", "type": "quantitative"},
                           "color": {**colour, "field": "what"},
                           "tooltip": [{"field": "scenario"}, {"field": "label"}]}},
             {"mark": {"type": "text", "align": "right", "dx": -6, "dy": -8, "fontSize": 11,
                       "fontWeight": "bold"},
              "encoding": {"x": {"field": "date", "type": "temporal"},
                           "y": {"field": "p", "type": "quantitative"},
                           "text": {"field": "label"}}}]},
    ]
    return style.base(table, height=260, layer=layers)


_PINNED = {"input known to be at its low": style.PALETTE[0],
           "input known to be at its high": style.PALETTE[1]}
_UNPINNED = "as sampled (nothing known)"


def conditional_p_spec(table: Table, *, measure: str | None = None) -> Spec:
    """"What if we knew": P(target) with each input pinned at its low and at its high, as
    bars from the unpinned chance, widest swing first, on a 0–100 % axis.

    The table is :func:`calc.presentation.tables.sensitivity.conditional_p_table`'s;
    inputs whose pinning moves nothing are left out of the drawing (the table keeps them).
    """
    meta = table.meta
    central = float(meta["p_target"])
    target = float(meta.get("target", 0))
    measure = measure or meta.get("measure")
    rows, order = [], []
    for row in table.rows():
        if not row["swing"] > 0:
            continue
        order.append(row["label"])
        for end, name in (("low", "input known to be at its low"),
                          ("high", "input known to be at its high")):
            rows.append({"label": row["label"], "end": name, "from": central,
                         "to": float(row[f"p_{end}"]),
                         "input": format_value(float(row[f"input_{end}"]), row["input_unit"]),
                         "swing": float(row["swing"])})
    scale = style.colour_scale({**_PINNED, _UNPINNED: "#000000"})
    what = f" ({measure})" if measure else ""
    y = {"field": "label", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 180}}
    return style.base(
        table, height={"step": 24},
        layer=[
            {"data": {"values": rows},
             "mark": {"type": "bar"},
             "encoding": {
                 "y": y,
                 "x": style.share_axis("from", f"Chance of {target:g}×{what}"),
                 "x2": {"field": "to"},
                 "color": {"field": "end", "type": "nominal", "title": None, "scale": scale},
                 "tooltip": [{"field": "label", "title": "input"}, {"field": "end"},
                             {"field": "input", "title": "pinned at"},
                             {"field": "to", "title": "chance", "format": ".1%"},
                             {"field": "swing", "format": ".1%"}]}},
            {"data": {"values": [{"p": central, "what": _UNPINNED,
                                  "label": f"{central:.0%} as sampled"}]},
             "layer": [
                 {"mark": {"type": "rule", "strokeWidth": 1.5},
                  "encoding": {"x": {"field": "p", "type": "quantitative"},
                               "color": {"field": "what", "type": "nominal", "title": None,
                                         "scale": scale}}},
             ]},
        ],
    )
