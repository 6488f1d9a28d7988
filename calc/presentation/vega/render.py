"""The screen's renderer: a :class:`~calc.presentation.chart_spec.Chart` as Vega-Lite specs.

:func:`vega_specs` gives one plain-dict spec per panel (``st.vega_lite_chart``
draws a dict at almost no cost per rerun, and only single and layered views can
take the container's width); the first carries the chart's title and its
provenance line, the others their panel's title. Each kind of mark is drawn by
its function of :mod:`calc.presentation.vega.marks`; axes and units follow
:mod:`calc.presentation.vega.style`. Nothing here imports matplotlib.

The first spec's title and footer are data too (the dataset :data:`HEADING`,
read by the title's expressions): they carry the user's changes and numbers
that move with them, and a rerun that changes only data updates the drawn
chart in place.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from calc.presentation.chart_spec import (
    Area,
    Bars,
    Bins,
    Cells,
    Chart,
    Line,
    Mark,
    Panel,
    Points,
    Rule,
    Segments,
    legend_of,
    panel_values,
)
from calc.presentation.vega import marks as draw
from calc.presentation.vega.style import SCHEMA, axis_encoding, named_data, wrap

__all__ = ["HEADING", "heading_of", "vega_specs"]

Spec = dict[str, Any]

#: The look every spec shares: readable axis text, a title and footer that break into lines
#: at a newline (they are read from data as one string each); the legend's, under the plot,
#: is :func:`legend_config`'s for each chart.
CONFIG: Spec = {"axis": {"labelFontSize": 11, "titleFontSize": 12},
                "style": {"group-title": {"lineBreak": "\n"},
                          "group-subtitle": {"lineBreak": "\n"}}}
#: Characters of a title's line, and of a provenance line: short enough for a phone.
TITLE_CHARS, CAPTION_CHARS = 40, 75
#: Characters of a title's line in a container wider than ``WIDE_PX`` pixels (a laptop's
#: main column), where a title of two phone lines reads as one.
WIDE_TITLE_CHARS, WIDE_PX = 80, 640
#: A legend entry's width in pixels: its symbol and gap, then per character of its name.
_ENTRY_PX, _CHAR_PX = 34, 6.2
#: Pixels of the container left of the legend: it starts under the plot, right of the axis
#: labels (a bar chart's category names take about this much).
_AXIS_PX = 120


def legend_config(names: Sequence[str]) -> Spec:
    """The legend under the plot in as many columns as the chart's container holds for its
    longest name (one on a phone), so it never runs past the chart; a name is cut only when
    it is wider than the chart itself.

    The columns are read from the container's width less the axis labels' room: the
    ``width`` signal of a chart that fits its container is still its first guess when the
    legend is laid out; the ``0 * width`` term only makes the count follow a resize.

    >>> legend_config(["H100", "GB200"])["columns"]
    {'expr': 'max(1, floor((containerSize()[0] - 120 + 0 * width) / 65))'}
    """
    entry = _ENTRY_PX + _CHAR_PX * max((len(name) for name in names), default=8)
    columns = f"max(1, floor((containerSize()[0] - {_AXIS_PX} + 0 * width) / {entry:.0f}))"
    return {"orient": "bottom", "columns": {"expr": columns},
            "labelLimit": {"expr": f"max(100, containerSize()[0] - {_AXIS_PX + _ENTRY_PX})"},
            # Streamlit's theme gives each entry a box of about twice its 11 px label's
            # height; rows drawn closer keep the legend of a first chart in sight
            "labelFontSize": 11, "rowPadding": -6, "symbolSize": 70,
            # several legends (colour, shape) stack under the plot, never side by side
            "layout": {"expr": "{bottom: {direction: 'vertical', anchor: 'start', margin: 4}}"}}


def _wrapped(text: str, width: int) -> list[str]:
    """``text``'s lines of at most ``width`` characters, broken at spaces only."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _lines(text: str, width: int) -> str | list[str]:
    """``text`` as one line when it fits ``width`` characters, else its lines (broken at
    spaces only: a scenario's name stays whole).

    >>> _lines("Compute multiple: distribution (cortex-full)", 40)
    ['Compute multiple: distribution', '(cortex-full)']
    """
    lines = _wrapped(text, width)
    return text if len(lines) <= 1 else lines

_LAYERS: dict[type, Callable[[Any, draw.Frame], list[Spec]]] = {
    Line: draw.line_layers, Area: draw.area_layers, Bins: draw.bin_layers,
    Bars: draw.bar_layers, Points: draw.point_layers, Rule: draw.rule_layers,
    Segments: draw.segment_layers, Cells: draw.cell_layers,
}


def _style(mark: Mark) -> tuple[Any, ...]:
    """What marks must share to be drawn as one layer."""
    if isinstance(mark, Line):
        return (Line, mark.step, mark.dash, mark.width, mark.right, mark.opacity)
    if isinstance(mark, Area):
        return (Area, mark.step, mark.opacity)
    if isinstance(mark, Bins):
        return (Bins, mark.opacity)
    return (type(mark), id(mark))  # bars, points, rules, segments: a layer (or more) each


def _groups(marks: Sequence[Mark]) -> Iterator[list[Mark]]:
    """Consecutive marks of one kind and style."""
    group: list[Mark] = []
    for mark in marks:
        if group and _style(mark) != _style(group[0]):
            yield group
            group = []
        group.append(mark)
    if group:
        yield group


def _x_values(panel: Panel) -> list[Any]:
    """What the x axis draws: numbers, and months on a time axis."""
    if panel.x.kind != "time":
        return panel_values(panel, "x")
    months: list[Any] = []
    for mark in panel.marks:
        if isinstance(mark, Line | Area):
            months += mark.x
        elif isinstance(mark, Points):
            months += [p.x for p in mark.points]
        elif isinstance(mark, Rule) and mark.axis == "x":
            months.append(mark.at)
        elif isinstance(mark, Segments):
            months += [x for s in mark.segments for x in s.x]
    return months


def _frame(chart: Chart, panel: Panel) -> draw.Frame:
    entries = legend_of(panel.marks)
    scale = {"domain": [e.name for e in entries], "range": [e.colour for e in entries]}
    categories = "y" if panel.y.kind == "category" else "x" if panel.x.kind == "category" \
        else None
    return draw.Frame(
        x=axis_encoding(panel.x, _x_values(panel), slanted=True),
        y=axis_encoding(panel.y, panel_values(panel, "y")),
        y2=axis_encoding(panel.y2, panel_values(panel, "y2"), right=True) if panel.y2 else None,
        colour={"field": "series", "type": "nominal", "scale": scale, "title": None},
        categories=categories,
        keys=tuple((key.shape, key.name) for key in chart.keys))


def _right(mark: Mark) -> bool:
    return isinstance(mark, Line) and mark.right


def _layers(marks: Sequence[Mark], frame: draw.Frame) -> list[Spec]:
    layers: list[Spec] = []
    for group in _groups(marks):
        layers += _LAYERS[type(group[0])](group, frame)
    return layers


def _panel(chart: Chart, panel: Panel) -> Spec:
    frame = _frame(chart, panel)
    left = _layers([m for m in panel.marks if not _right(m)], frame)
    right = _layers([m for m in panel.marks if _right(m)], frame)
    if not right:
        return {"layer": left}
    return {"layer": [{"layer": left}, {"layer": right}],
            "resolve": {"scale": {"y": "independent"}}}


#: The dataset of the first spec's title and footer: one row, ``text`` and ``subtitle``
#: (each its lines joined by newlines: a title read from data is one string), and ``wide``,
#: the title's lines in a wide container.
HEADING = "heading"


def _line(field: str, wide: str | None = None) -> dict[str, str]:
    """The title's ``field`` read from :data:`HEADING` (empty until its rows arrive); its
    ``wide`` field instead in a container wider than :data:`WIDE_PX`."""
    row = f"data('{HEADING}')[0]"
    value = f"{row}.{field}" if wide is None else \
        f"(containerSize()[0] + 0 * width > {WIDE_PX} ? {row}.{wide} : {row}.{field})"
    return {"expr": f"data('{HEADING}').length ? {value} : ''"}


def _title(chart: Chart, panel: Panel, first: bool) -> Spec:
    if not first:
        return {"text": _lines(panel.title, TITLE_CHARS), "anchor": "start", "fontSize": 12,
                "frame": "bounds"}
    return {"text": _line("text", "wide"), "subtitle": _line("subtitle"), "frame": "bounds",
            "subtitleFontSize": 10, "subtitleColor": "#555555", "anchor": "start",
            "offset": 12}


def _headed(chart: Chart, spec: Spec) -> Spec:
    """``spec`` with the chart's title and footer as the :data:`HEADING` dataset (a layer
    that draws nothing reads it, so Vega-Lite keeps it)."""
    reader = {"data": {"name": HEADING}, "mark": {"type": "text", "opacity": 0}}
    layers = spec["layer"]
    spec["layer"] = [{**layers[0], "layer": [*layers[0]["layer"], reader]}, *layers[1:]] \
        if "resolve" in spec else [*layers, reader]
    spec["datasets"] = {**spec["datasets"], HEADING: [{
        "text": "\n".join(_wrapped(chart.heading, TITLE_CHARS)),
        "wide": "\n".join(_wrapped(chart.heading, WIDE_TITLE_CHARS)),
        "subtitle": "\n".join(wrap(chart.caption, CAPTION_CHARS)) if chart.caption else ""}]}
    return spec


def heading_of(spec: Spec) -> tuple[str, str]:
    """The title and the footer a spec of :func:`vega_specs` shows, each as one line."""
    title = spec["title"]
    if isinstance(title.get("text"), dict):  # the first spec: read from its dataset
        (row,) = spec["datasets"][HEADING]
        return row["text"].replace("\n", " "), row["subtitle"].replace("\n", " ")
    text = title.get("text", "")
    return (" ".join(text) if isinstance(text, list) else str(text)), ""


def vega_specs(chart: Chart) -> list[Spec]:
    """The Vega-Lite specs of ``chart``, one per panel, each a plain dict with named datasets.

    The first names the chart and carries its provenance line; a chart with
    nothing to draw (``chart.empty``) has none.
    """
    names = [e.name for e in legend_of(m for p in chart.panels for m in p.marks)] + \
        [key.name for key in chart.keys]
    config = {**CONFIG, "legend": legend_config(names)}
    specs = [named_data({"$schema": SCHEMA, "width": "container", "height": panel.height,
                         "title": _title(chart, panel, i == 0), "config": config,
                         "autosize": {"type": "fit-x", "contains": "padding"},
                         **_panel(chart, panel)})
             for i, panel in enumerate(chart.panels)]
    if specs:
        specs[0] = _headed(chart, specs[0])
    return specs
