"""One chart, declared once: the renderer-neutral description both renderers draw.

A :class:`Chart` says everything a reader sees — its title, its provenance line
(the caption of its :class:`~calc.presentation.tables.Table`, whose CSV is the
data behind it), its panels with their axes and units, and each panel's marks:
lines, areas, bars, histogram bins, points with labels, reference rules,
segments and heatmap cells, each with its series name and colour (cells with
their sequential colour scale). It holds plain data only
(frozen dataclasses of numbers and text), so it imports no drawing library.

Two renderers draw every chart from it, one function per *kind* of mark:
:mod:`calc.presentation.vega` gives the dashboard's Vega-Lite spec (a plain
dict) and :mod:`calc.presentation.figure` the matplotlib figure saved as PNG,
SVG or PDF. The declarations of capcalc's charts are in
:mod:`calc.presentation.charts`, one module per topic; a new chart is one
declaration there, a new kind of mark one function in each renderer.

The legend is the charts' series in the order they first appear
(:func:`legend`): a colour means one series, and the target's colour
(:data:`calc.presentation.colours.TARGET`) is used for the target alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

from calc.presentation.colours import NEUTRAL, SEQUENTIAL, TARGET
from calc.presentation.tables.base import Table

__all__ = [
    "DASHED",
    "DOTTED",
    "SOLID",
    "STAR_AWAY",
    "Area",
    "Axis",
    "Bar",
    "Bars",
    "Bins",
    "Cells",
    "Chart",
    "Key",
    "LegendEntry",
    "Line",
    "Mark",
    "Panel",
    "Point",
    "Points",
    "Rule",
    "Segment",
    "Segments",
    "axis_title",
    "legend",
    "legend_of",
    "month_date",
    "multiple_name",
    "panel_values",
    "retitled",
    "target_rules",
    "unit_prefix",
]

#: How much further the names of outlined markers (stars) sit from them than others'.
STAR_AWAY = 1.6

#: A line's dash pattern: lengths of dash and gap in pixels; ``()`` is solid.
Dash = tuple[float, ...]
SOLID: Dash = ()
DASHED: Dash = (6.0, 4.0)
DOTTED: Dash = (2.0, 3.0)

#: A value on an axis: a number, or a month ``YYYY-MM`` on a time axis.
Value = float | str
#: The marker shapes both renderers draw.
Shape = Literal["circle", "diamond", "triangle-up", "square", "star"]
AxisKind = Literal["quantity", "share", "time", "year", "category"]


@dataclass(frozen=True)
class Axis:
    """One axis: what it shows and in which unit.

    ``quantity`` axes carry ``unit`` (a vocabulary unit: ``MW``, ``USD_2025``,
    ``H100e``, ``1`` for a multiple) and read in the prefix the metric cards use
    for the data's size ("Capex ($ B)", :func:`axis_title`); ``share`` axes run
    in per cent; ``time`` axes take months ``YYYY-MM`` and show years; ``year``
    axes decimal years; ``category`` axes ``categories`` in order (top to
    bottom, or left to right).
    """

    title: str = ""
    unit: str = ""
    kind: AxisKind = "quantity"
    log: bool = False
    categories: tuple[str, ...] = ()
    #: A fixed range (a share's 0 to 1, room for the labels beside bars), else the data's.
    domain: tuple[float, float] | None = None
    #: Whether a linear quantity axis starts at zero.
    zero: bool = True
    #: Room left at both ends for the labels beyond bars, pixels.
    padding: int = 0


@dataclass(frozen=True)
class Line:
    """One series as a line through its points (``step``: held until the next point)."""

    series: str
    colour: str
    x: tuple[Value, ...]
    y: tuple[float, ...]
    step: bool = False
    dash: Dash = SOLID
    width: float = 2.0
    #: Drawn against the panel's right axis (:attr:`Panel.y2`).
    right: bool = False
    #: 1 opaque; less: a faint line (a reference drawn behind the answer).
    opacity: float = 1.0


@dataclass(frozen=True)
class Area:
    """One series as the area between ``low`` and ``high`` (a band, or a layer of a stack)."""

    series: str
    colour: str
    x: tuple[Value, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    step: bool = False
    opacity: float = 0.85


@dataclass(frozen=True)
class Bar:
    """One bar of a category, from ``start`` to ``end`` along the value axis."""

    category: str
    start: float
    end: float
    series: str
    colour: str
    #: Written beyond the bar's end.
    label: str = ""
    #: An interval drawn as a whisker across the bar: (from, to).
    error: tuple[float, float] | None = None


@dataclass(frozen=True)
class Bars:
    """Bars along a category axis (the panel's axis of kind ``category``).

    ``grouped`` puts the series of one category side by side; otherwise they
    share the band (a stack, whose bars start where the previous one ends, or
    bars from a common centre).
    """

    bars: tuple[Bar, ...]
    grouped: bool = False
    #: Share of the band a category's bars fill.
    thickness: float = 0.8


@dataclass(frozen=True)
class Bins:
    """A histogram: ``heights`` over the bins between consecutive ``edges``."""

    series: str
    colour: str
    edges: tuple[float, ...]
    heights: tuple[float, ...]
    opacity: float = 0.8


@dataclass(frozen=True)
class Point:
    """One marker, optionally named beside it at ``place`` (a name of
    :data:`calc.presentation.label_places.PLACES`; None leaves it unnamed)."""

    x: Value
    y: float
    series: str
    colour: str
    shape: Shape = "circle"
    #: 1 filled, 0 hollow, between: a faint fill.
    fill: float = 1.0
    label: str = ""
    place: str | None = None
    #: What hovering shows beside the position: (name, text) pairs.
    tooltip: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Points:
    """Markers of one size; ``edge`` outlines each in a colour of its own (stars)."""

    points: tuple[Point, ...]
    #: Marker area in square pixels (as Vega-Lite sizes points).
    size: float = 70.0
    edge: str | None = None
    bold: bool = False

    @property
    def away(self) -> float:
        """How much further than a small marker's its names sit (an outlined star is
        larger): the factor on :data:`calc.presentation.label_places.PLACES`' offsets."""
        return STAR_AWAY if self.edge else 1.0


@dataclass(frozen=True)
class Rule:
    """A reference line: vertical at x = ``at`` (``axis="x"``) or horizontal at y = ``at``.

    ``span`` limits it to a stretch of the other axis; ``within`` to one
    category's band. Its ``label`` is written at its top (vertical) or left end
    (horizontal), across it or, with ``label_angle=90``, along it.
    """

    axis: Literal["x", "y"]
    at: Value
    series: str = ""
    colour: str = NEUTRAL
    dash: Dash = SOLID
    width: float = 1.5
    label: str = ""
    label_angle: Literal[0, 90] = 0
    bold: bool = False
    span: tuple[float, float] | None = None
    within: str = ""


@dataclass(frozen=True)
class Segment:
    """A straight stroke from (x0, y0) to (x1, y1); ``arrow`` heads it at its end."""

    x: tuple[Value, Value]
    y: tuple[float, float]
    series: str
    colour: str
    arrow: bool = False


@dataclass(frozen=True)
class Segments:
    """Strokes of one width and opacity (ranges, joins, arrows)."""

    segments: tuple[Segment, ...]
    width: float = 1.0
    opacity: float = 1.0


@dataclass(frozen=True)
class Cells:
    """A heatmap: a grid of rectangles, each coloured by its value on one sequential scale.

    Along a numeric axis ``x`` (or ``y``) holds the cells' edges (one more than
    the columns); along a category axis the categories, one cell each.
    ``values[j][i]`` is the cell of row ``j`` (along y) and column ``i`` (along
    x); a value that is not finite leaves its cell empty. The scale runs from
    ``colours[0]`` at ``domain[0]`` to ``colours[-1]`` at ``domain[1]``, blended
    in RGB; ``title`` and ``unit`` name what the colours say (a share: ``kind``
    ``share``), in the legend's gradient or the file's colour bar.
    """

    title: str
    unit: str
    x: tuple[Value, ...]
    y: tuple[Value, ...]
    values: tuple[tuple[float, ...], ...]
    domain: tuple[float, float]
    kind: Literal["quantity", "share"] = "quantity"
    colours: tuple[str, ...] = SEQUENTIAL

    @property
    def scale(self) -> Axis:
        """The colour scale as an axis: its title, unit and kind (for its title)."""
        return Axis(self.title, self.unit, kind=self.kind)

    def cells(self) -> Iterator[tuple[int, int, float]]:
        """``(column, row, value)`` of every cell with a finite value."""
        for j, row in enumerate(self.values):
            for i, value in enumerate(row):
                if math.isfinite(value):
                    yield i, j, value


Mark = Line | Area | Bars | Bins | Points | Rule | Segments | Cells


@dataclass(frozen=True)
class Panel:
    """One plot: its axes and its marks, drawn in order; ``y2`` is an axis on the right.

    ``title`` heads a panel after the first (the first sits under the chart's title).
    """

    x: Axis
    y: Axis
    marks: tuple[Mark, ...]
    y2: Axis | None = None
    title: str = ""
    #: Height on screen, pixels (the saved figure keeps the proportions).
    height: int = 300


@dataclass(frozen=True)
class Key:
    """A legend entry for a marker's shape or fill, which no colour says."""

    name: str
    shape: Shape = "circle"
    fill: float = 1.0


@dataclass(frozen=True)
class Chart:
    """A whole chart: title, panels, what else the legend says, notes and the data behind it.

    ``table`` is the data (its CSV), its file name and its provenance line
    (``table.caption``, the footer that names every plotted scenario); ``title``
    defaults to the table's. ``scenario`` and ``changes`` say what the chart is
    of, as the page says it: the scenario's name and the user's changes to it
    (each as the page words them, "Accelerator: H100 → GB200"); the heading
    carries both (:attr:`heading`), on screen and in every saved file. ``notes``
    are lines written with the chart (a list under ``notes_title`` when it has
    one); ``empty`` says why a chart has nothing to draw (its panels are then
    empty and only its CSV is saved).
    """

    table: Table
    panels: tuple[Panel, ...]
    title: str = ""
    keys: tuple[Key, ...] = ()
    notes_title: str = ""
    notes: tuple[str, ...] = ()
    empty: str = ""
    #: Panels one under the other (``column``) or side by side (``row``).
    layout: Literal["column", "row"] = "column"
    #: Width of the saved figure, inches.
    width: float = 11.0
    #: The scenario the chart shows, by name; "" when it shows several (the footer names them).
    scenario: str = ""
    #: The user's changes to that scenario, as the page words them.
    changes: tuple[str, ...] = ()
    #: The scenario drawn faint as a reference (the preset before the user's changes), if any.
    reference: str = ""

    @property
    def name(self) -> str:
        """The file name's stem: the table's name."""
        return self.table.name

    @property
    def heading(self) -> str:
        """The title shown above the chart: the title, then the scenario and the changes.

        >>> from calc.presentation.tables.base import Table
        >>> chart = Chart(Table("t", "Power → compute", {}), (), scenario="cortex-phase1")
        >>> chart.heading
        'Power → compute (cortex-phase1)'
        >>> retitled(chart, ["Accelerator: H100 → GB200"]).heading
        'Power → compute (cortex-phase1, changed: Accelerator: H100 → GB200)'
        """
        title = self.title or self.table.title
        about = "; ".join(self.changes)
        if self.scenario and about:
            return f"{title} ({self.scenario}, changed: {about})"
        if self.scenario or about:
            return f"{title} ({self.scenario or 'changed: ' + about})"
        return title

    @property
    def caption(self) -> str:
        """The provenance line (scenarios, baseline, seed, capcalc's version), the footer
        that names every scenario plotted (a faint reference too)."""
        if not self.reference:
            return self.table.caption
        return f"{self.table.caption} · faint: {self.reference} before your changes"

    def marks(self) -> Iterator[Mark]:
        """Every mark of every panel, in drawing order."""
        for panel in self.panels:
            yield from panel.marks


def retitled(chart: Chart, changes: Iterable[str], scenario: str | None = None) -> Chart:
    """``chart`` titled for the page that shows it: with the user's ``changes`` (each as
    the page words them) and, if given, the scenario's name as the page calls it.

    The dashboard passes what its page says, so a download carries the screen's title.
    """
    return replace(chart, changes=tuple(changes),
                   scenario=chart.scenario if scenario is None else scenario)


# ---------------------------------------------------------------- the legend


@dataclass(frozen=True)
class LegendEntry:
    """A series as the legend shows it: its name, colour and the symbol of its first mark."""

    name: str
    colour: str
    symbol: Literal["line", "area", "point", "rule"]
    dash: Dash = SOLID
    shape: Shape = "circle"


def _entries(mark: Mark) -> Iterator[LegendEntry]:
    if isinstance(mark, Line):
        yield LegendEntry(mark.series, mark.colour, "line", mark.dash)
    elif isinstance(mark, Area | Bins):
        yield LegendEntry(mark.series, mark.colour, "area")
    elif isinstance(mark, Bars):
        for bar in mark.bars:
            yield LegendEntry(bar.series, bar.colour, "area")
    elif isinstance(mark, Points):
        for point in mark.points:
            yield LegendEntry(point.series, point.colour, "point", shape=point.shape)
    elif isinstance(mark, Rule):
        yield LegendEntry(mark.series, mark.colour, "rule", mark.dash)
    elif isinstance(mark, Segments):
        for segment in mark.segments:
            yield LegendEntry(segment.series, segment.colour, "line")
    # cells have a colour scale of their own, not a series


def legend_of(marks: Iterable[Mark]) -> tuple[LegendEntry, ...]:
    """Every named series of ``marks`` once, in the order it is first drawn.

    A series drawn by several marks is listed at its first; marks with no
    series name (labels, neutral reference lines) are not in the legend.
    """
    seen: dict[str, LegendEntry] = {}
    for mark in marks:
        for entry in _entries(mark):
            if entry.name and entry.name not in seen:
                seen[entry.name] = entry
    return tuple(seen.values())


def legend(chart: Chart) -> tuple[LegendEntry, ...]:
    """The legend of the whole chart: every series of every panel once (:func:`legend_of`)."""
    return legend_of(chart.marks())


def target_rules(chart: Chart) -> tuple[Rule, ...]:
    """The rules drawn in the target's colour: the target and the month it is reached."""
    return tuple(m for m in chart.marks() if isinstance(m, Rule) and m.colour == TARGET)


# ---------------------------------------------------------------- axes


_SI = ((1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"),
       (1e6, "M"), (1e3, "k"))
_MONEY = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _size(values: Iterable[float], log: bool) -> float:
    """The size the prefix is chosen for: the largest value, or on a log axis the geometric
    middle of the range (so its ticks read 1, 10, 100 rather than 0.001 … 10)."""
    finite = [abs(float(v)) for v in values if math.isfinite(float(v)) and float(v) != 0]
    if not finite:
        return 0.0
    if log:
        return math.sqrt(min(finite) * max(finite))
    return max(finite)


def unit_prefix(unit: str, values: Iterable[float], *, log: bool = False) -> tuple[float, str]:
    """``(factor, unit label)`` in which ``values`` read as the metric cards write them.

    >>> unit_prefix("USD_2025", [2.7e9, 1e8])
    (1000000000.0, '$ B')
    >>> unit_prefix("MW", [100, 500]), unit_prefix("MW", [100, 1500])
    ((1.0, 'MW'), (1000.0, 'GW'))
    >>> unit_prefix("FLOP/s", [1.97e19])
    (1e+18, 'EFLOP/s')
    >>> unit_prefix("H100e", [57_400])
    (1000.0, 'thousands')
    """
    top = _size(values, log)
    if unit.startswith("USD_"):
        rest = unit.split("/", 1)[1] if "/" in unit else ""
        for factor, prefix in _MONEY:
            if top >= factor:
                return factor, f"$ {prefix}" + (f"/{rest}" if rest else "")
        return 1.0, "$" + (f"/{rest}" if rest else "")
    if unit in ("MW", "MWh"):
        return (1e3, f"G{unit[1:]}") if top >= 1e3 else (1.0, unit)
    if unit in ("accelerator", "H100e"):
        for factor, word in ((1e6, "millions"), (1e3, "thousands")):
            if top >= factor:
                return factor, word
        return 1.0, "count"
    if unit in ("1", ""):
        return 1.0, "×"
    for factor, prefix in _SI:
        if top >= factor:
            return factor, f"{prefix}{unit}"
    return 1.0, unit


def axis_title(axis: Axis, values: Iterable[float]) -> tuple[float, str]:
    """``(factor, title)`` of an axis over ``values``: a quantity's title carries its unit in
    the prefix that suits the values, a share's "(%)"; other axes keep their title.

    >>> axis_title(Axis("Capex", "USD_2025"), [2.5e9])
    (1000000000.0, 'Capex ($ B)')
    >>> axis_title(Axis("Chance", kind="share"), [0.4])
    (1.0, 'Chance (%)')
    """
    if axis.kind == "quantity":
        factor, label = unit_prefix(axis.unit, values, log=axis.log)
        return factor, f"{axis.title} ({label})"
    if axis.kind == "share":
        return 1.0, f"{axis.title} (%)"
    return 1.0, axis.title


def _numbers(values: Iterable[Value | None]) -> Iterator[float]:
    for value in values:
        if isinstance(value, int | float) and math.isfinite(value):
            yield float(value)


def panel_values(panel: Panel, channel: Literal["x", "y", "y2"]) -> list[float]:
    """The numbers ``panel`` draws along one of its axes (what its prefix is chosen for)."""
    horizontal = panel.y.kind == "category"  # bars then run along x
    out: list[float] = []
    for mark in panel.marks:
        if isinstance(mark, Line):
            if channel == "x":
                out += _numbers(mark.x)
            elif (channel == "y2") == mark.right:
                out += _numbers(mark.y)
        elif channel == "y2":
            continue
        elif isinstance(mark, Area):
            out += _numbers(mark.x) if channel == "x" else _numbers(mark.low + mark.high)
        elif isinstance(mark, Bins):
            out += _numbers(mark.edges) if channel == "x" else _numbers(mark.heights)
        elif isinstance(mark, Bars):
            if (channel == "x") == horizontal:
                out += _numbers(v for b in mark.bars for v in (b.start, b.end))
        elif isinstance(mark, Points):
            out += _numbers(p.x if channel == "x" else p.y for p in mark.points)
        elif isinstance(mark, Segments):
            out += _numbers(v for s in mark.segments for v in (s.x if channel == "x" else s.y))
        elif isinstance(mark, Rule) and mark.axis == channel:
            out += _numbers([mark.at])
        elif isinstance(mark, Cells):
            out += _numbers(mark.x if channel == "x" else mark.y)
    return out


def month_date(month: str) -> str:
    """A month ``YYYY-MM`` as the date of its first day, as Vega-Lite reads it.

    >>> month_date("2027-03")
    '2027-03-01'
    """
    return f"{month[:7]}-01"


def multiple_name(measure: str | None, against: str | None = None) -> str:
    """What a compute multiple is called on a chart: with what it measures
    (:func:`calc.core.vocabulary.measure_title`) and, if given, what it is measured against.

    >>> multiple_name("training FLOP per run", "cortex-phase1")
    'Multiple of training FLOP per run against cortex-phase1'
    >>> multiple_name(None)
    'Compute multiple'
    """
    name = f"Multiple of {measure}" if measure else "Compute multiple"
    return f"{name} against {against}" if against else name
