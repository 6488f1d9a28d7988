"""Interactive Vega-Lite versions of :mod:`calc.presentation.charts`, built from the same Tables.

Each function takes the :class:`~calc.presentation.tables.Table` its matplotlib twin takes
and returns a Vega-Lite spec (a plain dict with the data inline), which
``st.vega_lite_chart`` draws in the browser at almost no cost per rerun. Colours,
axes with units and the target's marks follow :mod:`calc.presentation.vega.style`.
"""

from __future__ import annotations

import math
from typing import Any

from calc.core.constants import CURRENCY as CURRENCY_UNIT
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table
from calc.presentation.vega import style

__all__ = ["breakeven_text", "comparison_spec", "cost_specs", "lease_spec", "power_spec"]

Spec = dict[str, Any]

#: What the article's two sizes are (the marks on the power chart).
_MARK_NAMES = {100.0: "100 MW (phase 1)", 500.0: "500 MW (full build)"}


def _shown(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit)
    return text + "×" if output == "compute_multiple" else text


def comparison_spec(table: Table, *, measure: str | None = None) -> Spec:
    """Each scenario against the baseline: one bar per key output from the baseline (1×) to
    the scenario's ratio, on a log scale, labelled with the value as the cards write it;
    the target marked on the compute multiple, whose row says what it measures
    (``measure``, :func:`calc.core.vocabulary.measure_title`).

    The spec reads ``table.rows()`` (long form: scenario, output, title, value, unit, ratio).
    """
    baseline = str(table.meta.get("baseline", "baseline"))
    target = float(table.meta.get("target", 0.0))
    measure = measure or table.meta.get("measure")
    rows = [{**row, "label": _shown(float(row["value"]), row["unit"], row["output"]),
             "side": "right" if float(row["ratio"]) >= 1 else "left"}
            for row in table.rows() if float(row["ratio"]) > 0]
    if measure:
        for row in rows:
            if row["output"] == "compute_multiple":
                row["title"] = style.multiple_name(measure)
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    titles = list(dict.fromkeys(r["title"] for r in rows))
    target_label = f"target: {target:g}× {baseline}"
    colours = style.series_colours(scenarios)
    scale = style.colour_scale(colours, {target_label: style.TARGET} if target else None)
    # no domain or tick values from the data: a rerun that changes only the data
    # updates the drawn chart instead of building it again
    x = {"field": "ratio", "type": "quantitative", "title": f"Against {baseline} (×, log scale)",
         "scale": {"type": "log", "padding": 56, "nice": False},
         "axis": {"labelExpr": style.log_labels(1.0, (1, 2, 5), "×"), "grid": True,
                  "labelOverlap": True}}
    y = {"field": "title", "type": "nominal", "sort": titles, "title": None,
         "axis": {"labelFontWeight": "bold", "labelLimit": 200}}
    offset = {"field": "scenario", "type": "nominal", "sort": scenarios}
    layers: list[Spec] = [
        {"mark": {"type": "bar", "height": {"band": 0.8}},
         "encoding": {"y": y, "yOffset": offset, "x": x, "x2": {"datum": 1},
                      "color": {"field": "scenario", "type": "nominal", "scale": scale,
                                "title": None},
                      "tooltip": [{"field": "scenario"}, {"field": "title", "title": "output"},
                                  {"field": "label", "title": "value"},
                                  {"field": "ratio", "title": f"× {baseline}",
                                   "format": ".3~g"}]}},
    ]
    sides = {r["side"] for r in rows}
    for side, align, dx in (("right", "left", 4), ("left", "right", -4)):
        if side not in sides:
            continue
        layers.append({
            "transform": [{"filter": f"datum.side == '{side}'"}],
            "mark": {"type": "text", "align": align, "dx": dx, "fontSize": 10,
                     "baseline": "middle"},
            "encoding": {"y": y, "yOffset": offset, "x": {"field": "ratio", "type": "quantitative"},
                         "text": {"field": "label"}}})
    layers.append({"mark": {"type": "rule", "color": "#555555", "strokeWidth": 1},
                   "encoding": {"x": {"datum": 1}}})
    if target:
        multiple_title = next((r["title"] for r in rows if r["output"] == "compute_multiple"),
                              None)
        if multiple_title is not None:
            layers.append({
                "data": {"values": [{"title": multiple_title, "x": target,
                                     "what": target_label}]},
                "mark": {"type": "tick", "thickness": 3, "bandSize": 30},
                "encoding": {"y": {"field": "title", "type": "nominal", "sort": titles},
                             "x": {"field": "x", "type": "quantitative"},
                             "color": {"field": "what", "type": "nominal", "scale": scale,
                                       "title": None},
                             "tooltip": [{"field": "what", "title": "target"}]}})
    height = len(titles) * (len(scenarios) * 17 + 14)
    return style.base(table, data={"values": rows}, height=height, layer=layers)


def power_spec(table: Table) -> Spec:
    """Effective FLOP/s against facility power per accelerator (log–log), the target
    level, the labelled 100 and 500 MW marks and the scenarios' points."""
    meta = table.meta
    current = str(meta.get("accelerator", ""))
    rows = table.rows()
    chips = list(dict.fromkeys(r["accelerator"] for r in rows))
    target = float(meta.get("target", 0) or 0)
    target_label = f"target: {target:g}× baseline"
    has_target = bool(meta.get("target_effective_flop_per_s"))
    scale = style.colour_scale(style.series_colours(chips),
                               {target_label: style.TARGET} if has_target else None)
    powers = [r["facility_power_mw"] for r in rows]
    flops = [r["effective_flop_per_s"] for r in rows]
    x = style.quantity("facility_power_mw", "Facility power", "MW", powers, log=True)
    levels = [float(meta["target_effective_flop_per_s"])] \
        if meta.get("target_effective_flop_per_s") else []
    y = style.quantity("effective_flop_per_s", "Effective training compute", "FLOP/s",
                       flops + levels, log=True)
    lines = {
        "data": {"values": rows},
        "mark": {"type": "line", "interpolate": "monotone"},
        "encoding": {
            "x": x, "y": y,
            "color": {"field": "accelerator", "type": "nominal", "sort": chips,
                      "title": "Accelerator", "scale": scale,
                      "legend": {"columns": 3, "symbolType": "stroke"}},
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
    marks = [{"mw": float(mw), "label": _MARK_NAMES.get(float(mw), format_value(float(mw), "MW"))}
             for mw in meta.get("marks_mw", [])]
    if marks:
        mw = {"field": "mw", "type": "quantitative"}
        layers.append({"data": {"values": marks}, "layer": [
            {"mark": {"type": "rule", "color": style.NEUTRAL, "strokeDash": [2, 3]},
             "encoding": {"x": mw}},
            {"mark": {"type": "text", "color": style.NEUTRAL, "align": "left", "dx": 3, "y": 6,
                      "baseline": "top", "fontSize": 10},
             "encoding": {"x": mw, "text": {"field": "label"}}},
        ]})
    if has_target:
        level = float(meta["target_effective_flop_per_s"])
        layers.append({
            "data": {"values": [{"y": level, "what": target_label,
                                 "label": f"{target_label}: "
                                          f"{format_value(level, 'FLOP/s')}"}]},
            "layer": [
                {"mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
                 "encoding": {"y": {"field": "y", "type": "quantitative"},
                              "color": {"field": "what", "type": "nominal", "scale": scale,
                                        "title": "Accelerator"}}},
                {"mark": {"type": "text", "color": style.TARGET, "align": "left", "dx": 4,
                          "dy": -7, "x": 0, "fontSize": 10},
                 "encoding": {"y": {"field": "y", "type": "quantitative"},
                              "text": {"field": "label"}}},
            ],
        })
    points = [dict(p) for p in meta.get("points", [])]
    if points:
        at = {"x": {"field": "facility_power_mw", "type": "quantitative"},
              "y": {"field": "effective_flop_per_s", "type": "quantitative"}}
        layers.append({
            "data": {"values": points},
            "layer": [
                {"mark": {"type": "point", "shape": "circle", "size": 140, "filled": False,
                          "color": "black", "strokeWidth": 2},
                 "encoding": {**at, "tooltip": [
                     {"field": "label", "title": "scenario"}, {"field": "accelerator"},
                     {"field": "facility_power_mw", "title": "facility power (MW)",
                      "format": ",.4~g"},
                     {"field": "h100_equivalents", "title": "H100e", "format": ",.0f"}]}},
                {"mark": {"type": "text", "align": "left", "dx": 9, "dy": -9, "fontSize": 11},
                 "encoding": {**at, "text": {"field": "label"}}},
            ],
        })
    return style.base(table, height=420, layer=layers)


def _cost_panel(table: Table, kind: str, heading: str) -> Spec:
    rows = [row for row in table.rows() if row["kind"] == kind]
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    parts = list(dict.fromkeys(r["part"] for r in rows))
    totals: dict[str, float] = {}
    for row in rows:
        totals[row["scenario"]] = totals.get(row["scenario"], 0.0) + float(row["usd"])
    unit = "USD_2025/year" if kind == "annual" else "USD_2025"
    money = "USD_2025"
    labels = [{"scenario": s, "total": t, "label": format_value(t, money) +
               ("/year" if kind == "annual" else "")} for s, t in totals.items()]
    top = max(totals.values(), default=0.0)
    x = style.quantity("usd", heading, unit, [top], stack="zero",
                       scale={"domain": [0, top * 1.22 if top > 0 and math.isfinite(top) else 1]})
    y = {"field": "scenario", "type": "nominal", "sort": scenarios, "title": None,
         "axis": {"labelLimit": 160}}
    colours = style.series_colours(parts)
    return style.base(
        table, height={"step": 30},
        title={**style.title(table, heading), "subtitle": table.caption},
        layer=[
            {"data": {"values": rows},
             "mark": {"type": "bar"},
             "encoding": {"y": y, "x": x,
                          "color": {"field": "part", "type": "nominal", "sort": parts,
                                    "title": None, "scale": style.colour_scale(colours)},
                          "tooltip": [{"field": "scenario"}, {"field": "part"},
                                      {"field": "usd", "title": "USD (2025)",
                                       "format": "$,.4~s"}]}},
            {"data": {"values": labels},
             "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10},
             "encoding": {"y": y, "x": {"field": "total", "type": "quantitative"},
                          "text": {"field": "label"}}},
        ])


def cost_specs(table: Table) -> tuple[Spec, Spec]:
    """Capex by part, and the yearly cost by part (capital recovery and electricity), per
    scenario: two stacked-bar charts, each labelled with its total."""
    return (_cost_panel(table, "capex", "Capex"),
            _cost_panel(table, "annual", "Yearly cost (capital recovery + electricity)"))


def breakeven_text(utilisation: float) -> str:
    """The break-even utilisation in words, as the Cost view and the lease chart say it.

    >>> breakeven_text(0.41)
    'owning is cheaper above 41 % utilisation'
    >>> breakeven_text(1.3)
    'leasing is cheaper even at 100 % utilisation (owning costs 1.3× leasing all year)'
    """
    if not math.isfinite(utilisation):
        return "no break-even (the cloud price is zero)"
    if utilisation <= 1:
        return f"owning is cheaper above {utilisation:.0%} utilisation".replace("%", " %")
    return (f"leasing is cheaper even at 100 % utilisation (owning costs "
            f"{utilisation:.2g}× leasing all year)")


_OWNED, _LEASED = "owned (annualized capex + electricity)", "leased all year (cloud price)"


def lease_spec(table: Table) -> Spec:
    """Owning against leasing per scenario: the yearly cost of each, side by side, labelled
    with the money and, on the leased bar, the break-even utilisation in words.

    The table has one row per scenario with ``annualized_cost_usd``,
    ``cloud_cost_per_year_usd`` and ``lease_breakeven_utilisation`` (calc's outputs).
    """
    rows = []
    for row in table.rows():
        owned, leased = float(row["annualized_cost_usd"]), float(row["cloud_cost_per_year_usd"])
        rows.append({"scenario": row["scenario"], "basis": _OWNED, "usd": owned,
                     "label": format_value(owned, CURRENCY_UNIT) + "/year",
                     "per_run": format_value(float(row["cost_per_run_usd"]), CURRENCY_UNIT)})
        rows.append({"scenario": row["scenario"], "basis": _LEASED, "usd": leased,
                     "label": f"{format_value(leased, CURRENCY_UNIT)}/year · "
                              f"{breakeven_text(float(row['lease_breakeven_utilisation']))}",
                     "per_run": format_value(float(row["cloud_cost_per_run_usd"]),
                                             CURRENCY_UNIT)})
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    scale = style.colour_scale({_OWNED: style.PALETTE[0], _LEASED: style.PALETTE[1]})
    y = {"field": "scenario", "type": "nominal", "sort": scenarios, "title": None,
         "axis": {"labelLimit": 160}}
    offset = {"field": "basis", "type": "nominal", "sort": [_OWNED, _LEASED]}
    top = max((r["usd"] for r in rows if math.isfinite(r["usd"])), default=0.0)
    x = style.quantity("usd", "Cost per year", f"{CURRENCY_UNIT}/year", [top],
                       scale={"domain": [0, top * 2.2 if top > 0 else 1]})
    return style.base(
        table, height={"step": 22},
        layer=[
            {"data": {"values": rows},
             "layer": [
                 {"mark": {"type": "bar"},
                  "encoding": {"y": y, "yOffset": offset, "x": x,
                               "color": {"field": "basis", "type": "nominal", "title": None,
                                         "scale": scale},
                               "tooltip": [{"field": "scenario"}, {"field": "basis"},
                                           {"field": "label", "title": "per year"},
                                           {"field": "per_run", "title": "per run"}]}},
                 {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10,
                           "baseline": "middle"},
                  "encoding": {"y": y, "yOffset": offset,
                               "x": {"field": "usd", "type": "quantitative"},
                               "text": {"field": "label"}}}]},
        ])
