"""Each kind of mark of :mod:`calc.presentation.chart_spec` as Vega-Lite layers.

One function per kind: it takes the marks of one kind (consecutive ones of one
style, so a stack of two dozen generations is one layer) and the panel's
:class:`Frame` (its axes' encodings and its colour scale) and returns the
layers, each with its rows inline (:func:`calc.presentation.vega.style.named_data`
moves them to named datasets). Every mark with a series name is coloured
through the panel's one colour scale, so the legend lists each series once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from calc.presentation.chart_spec import (
    Area,
    Bars,
    Bins,
    Cells,
    Line,
    Points,
    Rule,
    Segments,
    Value,
    axis_title,
    month_date,
)
from calc.presentation.label_places import PLACES
from calc.presentation.vega.style import SHAPES

__all__ = ["Frame", "area_layers", "bar_layers", "bin_layers", "cell_layers", "line_layers",
           "point_layers", "rule_layers", "segment_layers"]

Spec = dict[str, Any]
_NUMBER = ",.4~g"


@dataclass(frozen=True)
class Frame:
    """What every layer of one panel shares: its axes' encodings and its colour scale."""

    x: dict[str, Any]
    y: dict[str, Any]
    y2: dict[str, Any] | None
    colour: dict[str, Any]
    #: Which axis holds the categories of bars (``y``: horizontal bars), if any.
    categories: str | None = None
    #: Marker shapes named in the legend: shape → key name.
    keys: tuple[tuple[str, str], ...] = ()

    @property
    def time(self) -> bool:
        """Whether the x axis is a time axis (months)."""
        return self.x.get("type") == "temporal"

    def at(self, value: Value) -> Value:
        """A value on the x axis as Vega-Lite reads it (a month as its first day)."""
        return month_date(value) if self.time and isinstance(value, str) else value

    def channel(self, name: str, field: str, *, right: bool = False) -> dict[str, Any]:
        """The full encoding of axis ``name`` (x or y) on ``field``."""
        base = self.y2 if name == "y" and right and self.y2 is not None else \
            getattr(self, name)
        return {**base, "field": field}

    def x_tip(self, title: str = "") -> dict[str, Any]:
        """The tooltip's line for a row's x: its month, or its number under the axis title."""
        if self.time:
            return {"field": "x", "type": "temporal", "timeUnit": "yearmonth",
                    "title": "month"}
        return {"field": "x", "title": title or self.x.get("title") or "x", "format": _NUMBER}

    def colour_of(self, series: str, colour: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(mark properties, encoding) that colour a mark: its series through the scale, or
        its fixed colour when it has no series."""
        if series:
            return {}, {"color": self.colour}
        return {"color": colour}, {}


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _dash(dash: Sequence[float]) -> dict[str, Any]:
    return {"strokeDash": list(dash)} if dash else {}


def line_layers(lines: Sequence[Line], frame: Frame) -> list[Spec]:
    """Lines of one style: one layer, a path per series."""
    first = lines[0]
    rows = [{"x": frame.at(x), "y": float(y), "series": line.series}
            for line in lines for x, y in zip(line.x, line.y, strict=True) if _finite(y)]
    mark = {"type": "line", "strokeWidth": first.width, **_dash(first.dash)}
    if first.opacity < 1:
        mark["opacity"] = first.opacity
    if first.step:
        mark["interpolate"] = "step-after"
    y = frame.channel("y", "y", right=first.right)
    return [{"data": {"values": rows}, "mark": mark,
             "encoding": {"x": frame.channel("x", "x"), "y": y, "color": frame.colour,
                          "tooltip": [{"field": "series", "title": "series"}, frame.x_tip(),
                                      {"field": "y", "title": y.get("title") or "y",
                                       "format": _NUMBER}]}}]


def area_layers(areas: Sequence[Area], frame: Frame) -> list[Spec]:
    """Areas of one style (a stack's layers, or bands): one layer, an area per series."""
    first = areas[0]
    rows = [{"x": frame.at(x), "lo": float(lo), "hi": float(hi), "series": area.series}
            for area in areas for x, lo, hi in zip(area.x, area.low, area.high, strict=True)
            if _finite(lo) and _finite(hi)]
    mark: dict[str, Any] = {"type": "area", "opacity": first.opacity}
    if first.step:
        mark["interpolate"] = "step-after"
    return [{"data": {"values": rows}, "mark": mark,
             "encoding": {"x": frame.channel("x", "x"), "y": frame.channel("y", "lo"),
                          "y2": {"field": "hi"}, "color": frame.colour,
                          "tooltip": [{"field": "series", "title": "series"}, frame.x_tip(),
                                      {"field": "lo", "title": "from", "format": _NUMBER},
                                      {"field": "hi", "title": "to", "format": _NUMBER}]}}]


def bin_layers(bins: Sequence[Bins], frame: Frame) -> list[Spec]:
    """Histograms: one bar per bin and series."""
    rows = [{"lo": float(lo), "hi": float(hi), "y": float(h), "series": b.series}
            for b in bins for lo, hi, h in zip(b.edges[:-1], b.edges[1:], b.heights, strict=True)]
    return [{"data": {"values": rows}, "mark": {"type": "bar", "opacity": bins[0].opacity},
             "encoding": {"x": {**frame.channel("x", "lo"), "bin": "binned"},
                          "x2": {"field": "hi"}, "y": frame.channel("y", "y"),
                          "color": frame.colour,
                          "tooltip": [{"field": "series", "title": "series"},
                                      {"field": "lo", "title": "from", "format": _NUMBER},
                                      {"field": "hi", "title": "to", "format": _NUMBER},
                                      {"field": "y", "title": "share", "format": ".2%"}]}}]


def bar_layers(marks: Sequence[Bars], frame: Frame) -> list[Spec]:
    """Bars along the category axis from start to end, labelled at their end; whiskers."""
    layers: list[Spec] = []
    across, along = ("y", "x") if frame.categories == "y" else ("x", "y")
    for bars in marks:
        series = list(dict.fromkeys(b.series for b in bars.bars))
        rows = [{"category": b.category, "start": b.start, "end": b.end, "series": b.series,
                 "label": b.label, "side": "up" if b.end >= b.start else "down",
                 "lo": b.error[0] if b.error else None, "hi": b.error[1] if b.error else None}
                for b in bars.bars]
        where: dict[str, Any] = {across: frame.channel(across, "category")}
        if bars.grouped:
            where[f"{across}Offset"] = {"field": "series", "type": "nominal", "sort": series}
        size = "height" if across == "y" else "width"
        value = frame.channel(along, "start")
        layers.append({
            "data": {"values": rows},
            "layer": [{"mark": {"type": "bar", size: {"band": bars.thickness}},
                       "encoding": {**where, along: value, f"{along}2": {"field": "end"},
                                    "color": frame.colour,
                                    "tooltip": [{"field": "category", "title": across},
                                                {"field": "series", "title": "series"},
                                                {"field": "end", "title": "value",
                                                 "format": _NUMBER},
                                                {"field": "label"}]}}]})
        texts = layers[-1]["layer"]
        if any(b.error for b in bars.bars):
            texts.append({"transform": [{"filter": "isValid(datum.lo)"}],
                          "mark": {"type": "rule", "color": "#000000"},
                          "encoding": {**where, along: {**value, "field": "lo"},
                                       f"{along}2": {"field": "hi"}}})
        for side in ("up", "down"):
            if not any(r["label"] and r["side"] == side for r in rows):
                continue
            offset = ({"align": "left", "dx": 4} if side == "up" else {"align": "right",
                                                                       "dx": -4}) \
                if across == "y" else {"dy": -8 if side == "up" else 8}
            texts.append({"transform": [{"filter": f"datum.side == '{side}' && "
                                                  "datum.label != ''"}],
                          "mark": {"type": "text", "fontSize": 10, "baseline": "middle",
                                   **offset},
                          "encoding": {**where, along: {**value, "field": "end"},
                                       "text": {"field": "label"}}})
    return layers


def _label_layers(rows: Sequence[dict[str, Any]], frame: Frame, away: float = 1.0,
                  **mark: Any) -> list[Spec]:
    """One text layer per place a label may take (Vega-Lite cannot vary a mark's offset):
    every place when any marker is named, so the spec stays the same when only the
    places do (the browser then updates the chart in place)."""
    used = {name for name, *_ in PLACES} if any(row["text"] for row in rows) else set()
    return [{"transform": [{"filter": f"datum.place == '{name}'"}],
             "mark": {"type": "text", "align": align, "baseline": "middle", "dx": dx * away,
                      "dy": dy * away, **mark},
             "encoding": {"x": frame.channel("x", "x"), "y": frame.channel("y", "y"),
                          "text": {"field": "label"}}}
            for name, dx, dy, align in PLACES if name in used]


def point_layers(marks: Sequence[Points], frame: Frame) -> list[Spec]:
    """Markers (filled, hollow or faint; shapes named in the legend) and their labels."""
    layers: list[Spec] = []
    keys: dict[str, str] = {}
    for shape, name in frame.keys:
        keys.setdefault(shape, name)
    for group in marks:
        names = list(dict.fromkeys(name for p in group.points for name, _ in p.tooltip))
        rows = []
        for p in group.points:
            tips = dict(p.tooltip)
            rows.append({"x": frame.at(p.x), "y": float(p.y), "series": p.series,
                         "fill": p.fill, "key": keys.get(p.shape, p.shape),
                         "label": p.label if p.place else "", "place": p.place or "",
                         "text": bool(p.label),
                         **{f"t{i}": tips.get(name, "") for i, name in enumerate(names)}})
        shapes = list(dict.fromkeys(p.shape for p in group.points))
        mark: dict[str, Any] = {"type": "point", "size": group.size, "strokeWidth": 1.8}
        encoding: dict[str, Any] = {"x": frame.channel("x", "x"), "y": frame.channel("y", "y")}
        named = any(p.series for p in group.points)
        colour = frame.colour if named else {"value": group.points[0].colour}
        if group.edge:
            mark.update(filled=True, stroke=group.edge, strokeWidth=1.2)
            encoding["color"] = colour
        else:
            encoding.update(color=colour, fill=colour,
                            fillOpacity={"field": "fill", "type": "quantitative",
                                         "legend": None,
                                         "scale": {"domain": [0, 1], "range": [0, 1]}})
        if len(shapes) == 1:
            mark["shape"] = SHAPES[shapes[0]]
        else:  # named in the legend where the chart's keys say what each shape means
            encoding["shape"] = {"field": "key", "type": "nominal", "title": None,
                                 "scale": {"domain": [keys.get(s, s) for s in shapes],
                                           "range": [SHAPES[s] for s in shapes]}}
            if not all(s in keys for s in shapes):
                encoding["shape"]["legend"] = None
        encoding["tooltip"] = ([{"field": f"t{i}", "title": name} for i, name in
                                enumerate(names)] or
                               [{"field": "series", "title": "series"}, frame.x_tip(),
                                {"field": "y", "title": frame.y.get("title") or "y",
                                 "format": _NUMBER}])
        layers.append({"data": {"values": rows}, "layer": [
            {"mark": mark, "encoding": encoding},
            *_label_layers(rows, frame, group.away, fontSize=11 if group.bold else 10,
                           fontWeight="bold" if group.bold else "normal",
                           color="#000000" if group.bold else "#333333")]})
    return layers


def rule_layers(rules: Sequence[Rule], frame: Frame) -> list[Spec]:
    """Reference lines, each with its label; a rule within one category is a tick."""
    layers: list[Spec] = []
    for rule in rules:
        other = "y" if rule.axis == "x" else "x"
        fixed, colour = frame.colour_of(rule.series, rule.colour)
        row: dict[str, Any] = {"at": frame.at(rule.at) if rule.axis == "x" else rule.at,
                               "series": rule.series, "label": rule.label}
        at = frame.channel(rule.axis, "at")
        encoding: dict[str, Any] = {rule.axis: at, **colour}
        if rule.within:
            row["category"] = rule.within
            mark: dict[str, Any] = {"type": "tick", "thickness": rule.width, "bandSize": 30,
                                    **fixed}
            encoding[other] = frame.channel(other, "category")
        else:
            mark = {"type": "rule", "size": rule.width, **_dash(rule.dash), **fixed}
        if rule.span is not None:
            row.update(start=rule.span[0], end=rule.span[1])
            encoding[other] = frame.channel(other, "start")
            encoding[f"{other}2"] = {"field": "end"}
        if rule.series:
            encoding["tooltip"] = [{"field": "series", "title": "series"}]
        layer: list[Spec] = [{"mark": mark, "encoding": encoding}]
        if rule.label:
            layer.append({"mark": _rule_text(rule), "encoding": {
                rule.axis: {**at}, "text": {"field": "label"}}})
        layers.append({"data": {"values": [row]}, "layer": layer})
    return layers


def _rule_text(rule: Rule) -> dict[str, Any]:
    """Where a rule's label goes: at the top of a vertical rule, at the left end of a
    horizontal one, in the rule's colour."""
    style: dict[str, Any] = {"type": "text", "color": rule.colour, "fontSize": 10,
                             "fontWeight": "bold" if rule.bold else "normal"}
    if rule.axis == "y":
        return {**style, "align": "left", "x": 4, "dy": -7}
    if rule.label_angle == 90:
        return {**style, "angle": 270, "align": "right", "baseline": "bottom", "y": 0,
                "dx": -4, "dy": -2}
    return {**style, "align": "left", "dx": 4, "y": 8}


def segment_layers(marks: Sequence[Segments], frame: Frame) -> list[Spec]:
    """Straight strokes (ranges, joins), with an arrowhead at the end of those that have one."""
    layers: list[Spec] = []
    for group in marks:
        rows = [{"x": frame.at(s.x[0]), "x2": frame.at(s.x[1]), "y": s.y[0], "y2": s.y[1],
                 "series": s.series, "arrow": s.arrow, "up": s.y[1] >= s.y[0]}
                for s in group.segments]
        fixed: dict[str, Any] = {}
        colour: dict[str, Any] = {"color": frame.colour}
        if not any(s.series for s in group.segments):
            fixed, colour = {"color": group.segments[0].colour}, {}
        layer: list[Spec] = [{"mark": {"type": "rule", "strokeWidth": group.width,
                                       "opacity": group.opacity, **fixed},
                              "encoding": {"x": frame.channel("x", "x"),
                                           "x2": {"field": "x2"},
                                           "y": frame.channel("y", "y"), "y2": {"field": "y2"},
                                           **colour}}]
        for up in (True, False):
            if any(r["arrow"] and r["up"] == up for r in rows):
                layer.append({"transform": [{"filter": "datum.arrow && "
                                                       + ("datum.up" if up else "!datum.up")}],
                              "mark": {"type": "point", "filled": True, "size": 40,
                                       "shape": "triangle-up" if up else "triangle-down",
                                       **fixed},
                              "encoding": {"x": frame.channel("x", "x2"),
                                           "y": frame.channel("y", "y2"), **colour}})
        layers.append({"data": {"values": rows}, "layer": layer})
    return layers


def _spans(edges: Sequence[Value], nominal: bool) -> list[tuple[Value, Value | None]]:
    """Each cell's place along an axis: its category, or its two edges."""
    if nominal:
        return [(name, None) for name in edges]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def cell_layers(marks: Sequence[Cells], frame: Frame) -> list[Spec]:
    """Heatmap cells: one rect per cell, filled through the cells' own sequential scale
    (the fill channel, so it never mixes with the series' colour scale), with its legend."""
    layers: list[Spec] = []
    for cells in marks:
        xs = _spans(cells.x, frame.x.get("type") == "nominal")
        ys = _spans(cells.y, frame.y.get("type") == "nominal")
        rows = []
        for i, j, value in cells.cells():
            (x, x2), (y, y2) = xs[i], ys[j]
            rows.append({"x": x, "x2": x2, "y": y, "y2": y2, "v": float(value)})
        factor, title = axis_title(cells.scale, [v for _i, _j, v in cells.cells()])
        share = cells.kind == "share"
        encoding: dict[str, Any] = {
            "x": frame.channel("x", "x"), "y": frame.channel("y", "y"),
            "fill": {"field": "v", "type": "quantitative", "title": title,
                     "scale": {"domain": list(cells.domain), "range": list(cells.colours),
                               "interpolate": "rgb"},
                     "legend": {"orient": "right", "gradientLength": 180,
                                **({"format": ".0%"} if share else
                                   {"labelExpr": f"format(datum.value / {factor!r}, ',~g')"})}},
            "tooltip": [frame.x_tip() if frame.x.get("type") != "nominal" else
                        {"field": "x", "title": frame.x.get("title") or "x"},
                        {"field": "y", "title": frame.y.get("title") or "y",
                         **({} if frame.y.get("type") == "nominal" else {"format": _NUMBER})},
                        {"field": "v", "title": title, "format": ".1%" if share else _NUMBER}]}
        if xs and xs[0][1] is not None:
            encoding["x2"] = {"field": "x2"}
        if ys and ys[0][1] is not None:
            encoding["y2"] = {"field": "y2"}
        layers.append({"data": {"values": rows}, "mark": {"type": "rect", "stroke": None},
                       "encoding": encoding})
    return layers
