"""capcalc's chart style rules, checked once, on the declarations both renderers draw.

Every chart of :mod:`tests.chart_cases` (real results of the shipped files) is
read as data: a colour means one series and the target's colour the target
alone, however many series there are; every axis of a quantity carries its
unit; shares run from 0 to 100 %; the charts of a multiple say what it
measures; names beside markers never overlap and each site is named once;
and what the charts draw is what the analysis computed. That the two
renderers draw these declarations alike is :mod:`tests.presentation.test_chart_parity`'s.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.sensitivity import p_target_conditional
from calc.core.phases import Phase
from calc.presentation.chart_spec import (
    Axis,
    Bars,
    Chart,
    Line,
    Panel,
    Point,
    Points,
    Rule,
    legend,
    target_rules,
)
from calc.presentation.charts.peers import operator_colours
from calc.presentation.charts.scenarios import breakeven_text
from calc.presentation.charts.sensitivity import conditional_p_chart
from calc.presentation.charts.uncertainty import reach_probability_chart
from calc.presentation.colours import GRID, NEUTRAL, PALETTE, SCENARIO_STAR, TARGET, series_colours
from calc.presentation.formatting import input_title
from calc.presentation.label_places import CHAR_PX, DASHBOARD_PLOT, LINE_PX, PLACES, place_labels

from tests.chart_cases import MEASURE, every_chart

NAMES = list(every_chart())


def _is_target(name: str) -> bool:
    """Whether a series is the target: "target 10×", "H100e the 10× target needs"."""
    return name.lower().startswith("target") or name.lower().endswith("target needs")


def _axes(chart: Chart) -> list[Axis]:
    return [axis for panel in chart.panels for axis in (panel.x, panel.y, panel.y2) if axis]


def _points(chart: Chart) -> list[Point]:
    return [p for mark in chart.marks() if isinstance(mark, Points) for p in mark.points]


@pytest.mark.parametrize("name", NAMES)
def test_a_colour_means_one_series_and_the_target_has_its_own(name: str) -> None:
    chart = every_chart()[name]
    entries = legend(chart)
    colours = [entry.colour.upper() for entry in entries if not _is_target(entry.name)]
    assert len(set(colours)) == len(colours), f"a colour for two series: {entries}"
    for entry in entries:
        assert (entry.colour.upper() == TARGET.upper()) == _is_target(entry.name), entry
    for mark in chart.marks():  # marks outside the legend take no series' colour
        fixed = [mark.colour] if isinstance(mark, Rule | Line) and not mark.series else \
            [p.colour for p in mark.points if not p.series] if isinstance(mark, Points) else []
        for colour in fixed:
            assert colour.upper() not in colours, (name, mark)
            if colour.upper() == TARGET.upper():
                assert isinstance(mark, Rule), "only a rule of the target takes its colour"


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_is_titled_sourced_and_its_quantities_carry_units(name: str) -> None:
    chart = every_chart()[name]
    assert chart.heading and chart.panels
    assert f"capcalc {calc.__version__}" in chart.caption
    for axis in _axes(chart):
        if axis.kind == "quantity":
            assert axis.unit and axis.title, axis
        if axis.kind == "share" and axis.domain is not None:
            assert axis.domain == (0.0, 1.0)
        if axis.kind == "category":
            assert axis.categories and len(set(axis.categories)) == len(axis.categories)


@pytest.mark.parametrize("name", ["comparison", "power", "timeline", "levers", "among",
                                  "largest", "exceedance", "fan"])
def test_the_target_is_drawn_and_named_in_the_legend(name: str) -> None:
    chart = every_chart()[name]
    assert target_rules(chart)
    assert any(_is_target(e.name) and e.colour == TARGET for e in legend(chart))


@pytest.mark.parametrize(("name", "axis"), [
    ("sobol", "x"), ("reach", "y"), ("conditional", "x"), ("exceedance", "y")])
def test_shares_run_from_0_to_100_percent(name: str, axis: str) -> None:
    panel = every_chart()[name].panels[0]
    assert getattr(panel, axis).kind == "share"
    assert getattr(panel, axis).domain == (0.0, 1.0)
    for mark in panel.marks:
        if isinstance(mark, Bars):
            assert all(0 <= b.end <= 1 and (b.error is None or 0 <= b.error[0] <= b.error[1] <= 1)
                       for b in mark.bars)


def test_the_charts_of_a_multiple_say_what_it_measures() -> None:
    charts = every_chart()
    for name in ("timeline", "levers", "histogram", "exceedance", "fan", "reach",
                 "conditional"):
        titles = [axis.title for axis in _axes(charts[name])]
        assert any(MEASURE in title for title in titles), (name, titles)
    categories = charts["comparison"].panels[0].y.categories
    assert f"Multiple of {MEASURE}" in categories


def test_the_article_sizes_and_the_values_are_written() -> None:
    charts = every_chart()
    labels = {m.label for m in charts["power"].marks() if isinstance(m, Rule)}
    assert {"100 MW (phase 1)", "500 MW (full build)"} <= labels
    bars = [b for m in charts["comparison"].marks() if isinstance(m, Bars) for b in m.bars]
    assert all(b.label for b in bars)
    assert any(b.label.endswith(("MW", "GW")) for b in bars)
    assert any(b.label.startswith("$") for b in bars)


def test_the_lease_chart_says_the_break_even_in_words() -> None:
    library = calc.load()
    chart = every_chart()["lease"]
    leased = [b for m in chart.marks() if isinstance(m, Bars) for b in m.bars
              if b.series.startswith("leased")]
    for bar in leased:
        share = calc.run(library, bar.category).outputs["lease_breakeven_utilisation"]
        assert bar.label.endswith(breakeven_text(share)), bar.label
    assert breakeven_text(0.41) == "owning is cheaper above 41 % utilisation"


def test_a_far_timeline_gives_each_generation_its_own_colour() -> None:
    chart = every_chart()["timeline-2060"]
    areas = [e for e in legend(chart) if e.symbol == "area"]
    assert len(areas) > len(PALETTE), "more generations than the palette has colours"
    colours = {e.colour.upper() for e in areas}
    assert len(colours) == len(areas)
    assert not colours & {TARGET.upper(), "#000000"}  # the target's, the power line's


# ------------------------------------------------------------------ names beside markers


def _boxes(chart: Chart, index: int = 0) -> dict[str, tuple[float, float, float, float]]:
    """Each named marker's name as a box in the dashboard's plot area (px, y down), as
    :func:`calc.presentation.label_places.place_labels` measures it."""
    import math

    panel = chart.panels[index]
    width, height = DASHBOARD_PLOT[0], panel.height  # the plot the screen draws
    (x0, x1), (y0, y1) = panel.x.domain or (1, 1), panel.y.domain or (1, 1)

    def scaled(value: float, low: float, high: float, size: float, log: bool) -> float:
        if log:
            value, low, high = math.log10(value), math.log10(low), math.log10(high)
        return (value - low) / (high - low) * size

    offsets = {name: (dx, dy, align) for name, dx, dy, align in PLACES}
    boxes = {}
    for group in panel.marks:
        if not isinstance(group, Points):
            continue
        for p in group.points:
            if not p.place:
                continue
            px = scaled(float(p.x), x0, x1, width, panel.x.log)
            py = height - scaled(p.y, y0, y1, height, True)
            dx, dy, align = offsets[p.place]
            dx, dy = dx * group.away, dy * group.away
            text = CHAR_PX * len(p.label)
            left = px + dx - (text if align == "right" else text / 2 if align == "center"
                              else 0)
            boxes[p.label] = (left, py + dy - LINE_PX / 2, left + text, py + dy + LINE_PX / 2)
    return boxes


def test_the_power_charts_crossing_labels_never_overlap() -> None:
    """The crossings' names on the compute panel keep clear of each other and of the
    scenarios' names, in the plot the screen draws."""
    chart = every_chart()["power"]
    boxes = _boxes(chart, 1)
    assert sum(1 for name in boxes if ":" in name) >= 3, "most crossings are named"
    _apart(boxes)


def _apart(boxes: dict[str, tuple[float, float, float, float]]) -> None:
    items = list(boxes.items())
    for i, (name, (a0, b0, a1, b1)) in enumerate(items):
        for other, (c0, d0, c1, d1) in items[i + 1:]:
            assert a1 <= c0 or c1 <= a0 or b1 <= d0 or d1 <= b0, (name, other)


@pytest.mark.parametrize("name", ["among", "largest"])
def test_names_beside_markers_never_overlap_and_each_site_is_named_once(name: str) -> None:
    chart = every_chart()[name]
    named = [p.label for p in _points(chart) if p.place]
    assert named and len(named) == len(set(named))
    _apart(_boxes(chart))
    unlabelled = [n for note in chart.notes if note.startswith("Unlabelled")
                  for n in note.split(": ", 1)[1].split(", ")]
    assert not set(named) & set(unlabelled)


def test_every_peer_is_drawn_named_or_listed() -> None:
    chart = every_chart()["among"]
    library = calc.load()
    from calc.data.peers import load_peers

    peers = load_peers(catalog=library.baseline.catalog)
    sites = {p.label for p in _points(chart) if p.series != "capcalc scenario"}
    listed = " ".join(chart.notes)
    for peer in peers.peers:
        assert peer.label in sites or f"{peer.label} ({peer.date}" in listed, peer.label
    stars = [p for p in _points(chart) if p.shape == "star"]
    assert stars and all(p.place for p in stars), "every scenario's star is named"
    assert all(p.colour == SCENARIO_STAR for p in stars)


def test_the_records_and_the_operator_in_focus_are_named_on_the_timeline() -> None:
    chart = every_chart()["largest"]
    named = {p.label for p in _points(chart) if p.place}
    assert {"Colossus 1", "Cortex phase 1"} <= named
    lines = {e.name: e.colour for e in legend(chart) if e.symbol == "line"}
    assert lines.get("record among these sites") == GRID
    assert any(name.startswith("fit to") and colour == NEUTRAL for name, colour in lines.items())


@given(st.lists(st.tuples(st.floats(1, 1e4), st.floats(1, 1e7),
                          st.text("abcdefgh ", min_size=1, max_size=14)),
                min_size=1, max_size=30, unique_by=lambda t: t[2]))
def test_placed_names_never_overlap_each_other(points: list[tuple[float, float, str]]) -> None:
    places = place_labels(points)
    chart = Chart(every_chart()["among"].table, (Panel(
        Axis(log=True, domain=(min(p[0] for p in points) / 1.3, max(p[0] for p in points) * 1.3)),
        Axis(log=True, domain=(min(p[1] for p in points) / 1.3, max(p[1] for p in points) * 1.3)),
        (Points(tuple(Point(x, y, "", "#000000", label=label, place=place)
                      for (x, y, label), place in zip(points, places, strict=True))),),
        height=int(DASHBOARD_PLOT[1])),))
    _apart(_boxes(chart))


# ------------------------------------------------------------------ colours however many


@given(count=st.integers(0, 300),
       skip=st.lists(st.sampled_from(PALETTE), unique=True, max_size=4))
def test_every_series_gets_its_own_colour_however_many_there_are(count: int,
                                                                 skip: list[str]) -> None:
    """A build-out to 2060 or a file of many scenarios has more series than the palette:
    each still gets a colour no other series, the target or a reference mark has."""
    colours = series_colours([f"s{i}" for i in range(count)], skip=skip)
    assert len(colours) == count
    assert len({c.upper() for c in colours.values()}) == count
    reserved = {c.upper() for c in (*skip, TARGET, NEUTRAL, GRID)}
    assert not reserved & {c.upper() for c in colours.values()}
    palette = [c for c in PALETTE if c not in skip]
    assert list(colours.values())[:len(palette)] == palette[:count]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours.values())


@given(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=40))
def test_operators_get_distinct_colours_never_the_targets_or_the_scenarios(names: list[str]
                                                                            ) -> None:
    colours = operator_colours(names)
    assert list(colours) == names
    assert len(set(colours.values())) == len(names)
    assert not {TARGET, SCENARIO_STAR, "#000000"} & set(colours.values())


# ------------------------------------------------------------------ what the charts draw


def test_the_chance_by_month_marks_its_p50_and_p80_months() -> None:
    library = calc.load()
    sim = simulate_timeline(library, "cortex-buildout", samples=2_000, seed=3,
                            phases=[*library.scenario("cortex-buildout").timeline[:3],
                                    Phase("late", "2027-01", 900, delay_low=0, delay_high=18)])
    chart = reach_probability_chart([sim], measure="effective FLOP/s")
    (curve,) = [m for m in chart.marks() if isinstance(m, Line)]
    assert list(curve.y) == list(sim.reach_distribution().values())
    marks = {p.label.split(":")[0]: p for p in _points(chart)}
    for name, share in (("P50", 0.5), ("P80", 0.8)):
        month = sim.reach_month(share)
        assert month is not None
        assert (marks[name].x, marks[name].y) == (month, share)
    assert chart.panels[0].y.title == f"Chance of {sim.target:g}× effective FLOP/s by then"


def test_what_if_we_knew_draws_each_pinned_chance() -> None:
    library = calc.load()
    result = p_target_conditional(library, "tenfold", samples=2_000, seed=1)
    chart = conditional_p_chart(result)
    bars = [b for m in chart.marks() if isinstance(m, Bars) for b in m.bars]
    moved = [row for row in result.pinned if row.swing > 0]
    assert moved and len(bars) == 2 * len(moved)
    for row in moved:
        name = input_title(row.parameter.key, row.parameter.side)
        ends = {b.series: b.end for b in bars if b.category == name}
        assert ends == {"input known to be at its low": row.p_low,
                        "input known to be at its high": row.p_high}
    assert all(b.start == result.p_target for b in bars)
    order: Any = chart.panels[0].y.categories
    # widest swing first
    assert list(order) == [input_title(row.parameter.key, row.parameter.side) for row in moved]
