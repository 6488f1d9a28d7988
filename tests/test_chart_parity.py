"""Parity: every chart's saved file shows what its screen spec shows.

Each chart of :mod:`tests.chart_cases` is drawn both ways — the Vega-Lite specs
the dashboard draws and the matplotlib figure the PNG/SVG/PDF files are saved
from — and each drawing is read back on its own terms (the spec as data, the
figure through its artists): the title, the provenance line, the axes' titles
with their units, the legend's series and colours, the target, how many marks
of each kind there are and in which colours, and the names written beside
markers must be the same on both, and the declaration's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from calc.presentation.chart_spec import Chart, legend, target_rules
from calc.presentation.colours import TARGET
from calc.presentation.figure import draw
from calc.presentation.vega import vega_specs

from tests.chart_cases import every_chart

Spec = dict[str, Any]
#: Kinds of mark compared: a count, and the colours drawn.
KINDS = ("line", "area", "bins", "bar", "point", "rule", "segment")


@dataclass
class Drawing:
    """What a reader sees on one rendering of a chart."""

    title: str = ""
    caption: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)
    axes: list[set[str]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    colours: dict[str, set[str]] = field(default_factory=dict)
    targets: list[Any] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)

    def mark(self, kind: str, colour: str | None, count: int = 1) -> None:
        self.counts[kind] += count
        if colour:
            self.colours.setdefault(kind, set()).add(colour.upper())
        if kind == "rule" and colour and colour.upper() == TARGET.upper():
            self.targets.append(None)


def _words(text: str) -> str:
    """Text without its line breaks, separators and escapes (wrapping differs by renderer)."""
    return "".join(text.replace("\\$", "$").replace("·", " ").split())


# ------------------------------------------------------------------ the screen, read as data


def _layers(node: Any, data: str | None = None) -> Iterator[tuple[Spec, str | None]]:
    if isinstance(node, dict):
        if isinstance(node.get("data"), dict) and "name" in node["data"]:
            data = node["data"]["name"]
        if "mark" in node:
            yield node, data
        for key in ("layer",):
            for child in node.get(key, []):
                yield from _layers(child, data)


def _kind(layer: Spec) -> str | None:
    mark = layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}
    encoding = layer.get("encoding", {})
    fields = {channel: enc.get("field") for channel, enc in encoding.items()
              if isinstance(enc, dict)}
    kind = mark["type"]
    if kind == "text":
        return None
    if kind == "bar":
        return "bins" if "bin" in encoding.get("x", {}) else "bar"
    if kind == "point":
        return None if fields.get("x") == "x2" else "point"  # an arrowhead, not a marker
    if kind == "rule":
        if fields.get("x2") == "x2" and fields.get("y2") == "y2":
            return "segment"
        if "lo" in fields.values():
            return None  # a bar's whisker
        return "rule"
    if kind == "tick":
        return "rule"
    return str(kind)


def _colour(layer: Spec, row: dict[str, Any]) -> str | None:
    colour = layer.get("encoding", {}).get("color", {})
    if "scale" in colour and "series" in row:
        return dict(zip(colour["scale"]["domain"], colour["scale"]["range"],
                        strict=True)).get(row["series"])
    if "value" in colour:
        return str(colour["value"])
    mark = layer["mark"]
    return mark.get("color") if isinstance(mark, dict) else None



def _joined(text: str | list[str]) -> str:
    """A Vega-Lite title as one line (a long one is drawn as several)."""
    return " ".join(text) if isinstance(text, list) else text

def on_screen(specs: list[Spec]) -> Drawing:
    seen = Drawing(title=_joined(specs[0]["title"]["text"]),
                   caption=" ".join(specs[0]["title"]["subtitle"]))
    seen.headings = [_joined(spec["title"]["text"]) for spec in specs[1:]]
    for spec in specs:
        titles: set[str] = set()
        for layer, data in _layers(spec):
            for channel, enc in layer.get("encoding", {}).items():
                if not isinstance(enc, dict):
                    continue
                if channel in ("x", "y") and enc.get("title"):
                    titles.add(enc["title"])
                scale = enc.get("scale", {})
                if channel == "color" and "domain" in scale:
                    for pair in zip(scale["domain"], scale["range"], strict=True):
                        if pair not in seen.legend:
                            seen.legend.append(pair)
            kind = _kind(layer)
            rows = spec["datasets"].get(data, []) if data else []
            if kind is None:
                continue
            if kind in ("line", "area", "bins"):
                series = {row["series"]: row for row in rows}
                for row in series.values():
                    seen.mark(kind, _colour(layer, row))
            elif kind == "rule":
                seen.mark(kind, _colour(layer, rows[0]))
                if str(_colour(layer, rows[0])).upper() == TARGET.upper():
                    seen.targets[-1] = rows[0]["at"]
            else:
                for row in rows:
                    seen.mark(kind, _colour(layer, row))
                    if kind == "point" and row.get("place"):
                        seen.labels.add(row["label"])
        seen.axes.append(titles)
    return seen


# ------------------------------------------------------------------ the file, read from artists


def _hex(colour: Any) -> str:
    return to_hex(colour, keep_alpha=False)


def in_file(fig: Figure, chart: Chart) -> Drawing:
    seen = Drawing(title=fig.get_suptitle(), caption=fig.get_supxlabel())
    if fig.legends:
        entries = fig.legends[0]
        pairs = zip([text.get_text() for text in entries.get_texts()], entries.legend_handles,
                    strict=True)
        for name, handle in list(pairs)[:len(legend(chart))]:
            colour = handle.get_color() if hasattr(handle, "get_color") else \
                handle.get_facecolor()
            seen.legend.append((name, _hex(colour)))
    panels: dict[tuple[float, ...], set[str]] = {}
    for ax in fig.axes:  # a right-hand axis has its panel's place
        if tuple(ax.get_position().bounds) not in panels and panels:
            seen.headings.append(ax.get_title(loc="left"))
        titles = panels.setdefault(tuple(ax.get_position().bounds), set())
        titles |= {t.replace("\\$", "$") for t in (ax.get_xlabel(), ax.get_ylabel()) if t}
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
            _read(seen, artist)
    seen.axes = list(panels.values())
    return seen


def _read(seen: Drawing, artist: Any) -> None:
    kind = artist.get_gid()
    if kind == "label":
        seen.labels.add(artist.get_text())
    if kind not in KINDS:
        return
    if kind == "point":
        faces, edges = artist.get_facecolors(), artist.get_edgecolors()
        for i in range(len(artist.get_offsets())):
            face = faces[i % len(faces)]
            seen.mark(kind, _hex(face if face[3] > 0 else edges[i % len(edges)]))
    elif kind == "segment" and hasattr(artist, "arrow_patch"):
        seen.mark(kind, _hex(artist.arrow_patch.get_edgecolor()))
    elif kind in ("area", "bins", "bar"):
        seen.mark(kind, _hex(np.asarray(artist.get_facecolor()).reshape(-1, 4)[0]))
    else:
        colour = artist.get_color() if hasattr(artist, "get_color") else \
            artist.get_colors()[0]
        seen.mark(kind, colour if isinstance(colour, str) and colour.startswith("#")
                  else _hex(np.asarray(colour, dtype=float).reshape(-1)[:4]))
        if kind == "rule" and seen.targets and seen.targets[-1] is None:
            seen.targets[-1] = _at(artist)


def _number(value: Any) -> float:
    """A position on an axis as a number (a date as matplotlib's date number)."""
    if isinstance(value, int | float | np.number):
        return float(value)
    return float(mdates.date2num(value))


def _at(artist: Any) -> float:
    """Where a rule stands: the x of a vertical one, the y of a horizontal one."""
    if hasattr(artist, "get_segments"):
        (first, *_), *_ = artist.get_segments()
        return float(first[0])
    xs, ys = artist.get_xdata(), artist.get_ydata()
    vertical = _number(xs[0]) == _number(xs[-1]) and _number(ys[0]) != _number(ys[-1])
    return _number(xs[0] if vertical else ys[0])


# ------------------------------------------------------------------ the tests


@pytest.fixture(scope="module")
def drawn() -> dict[str, tuple[Chart, Drawing, Drawing]]:
    out = {}
    for name, chart in every_chart().items():
        fig = draw(chart)
        main = [ax for ax in fig.axes if ax.get_ylabel() or ax.get_xlabel()]
        assert main
        out[name] = (chart, on_screen(vega_specs(chart)), in_file(fig, chart))
    return out


NAMES = list(every_chart())


@pytest.mark.parametrize("name", NAMES)
def test_title_and_provenance_are_the_declarations(drawn, name: str) -> None:
    chart, screen, file = drawn[name]
    assert screen.title == chart.heading
    assert file.title.replace("\\$", "$") == chart.heading
    assert _words(screen.caption) == _words(chart.caption)
    assert _words(chart.caption) in _words(file.caption)
    assert "capcalc" in chart.caption


@pytest.mark.parametrize("name", NAMES)
def test_the_legend_names_the_same_series_in_the_same_colours(drawn, name: str) -> None:
    chart, screen, file = drawn[name]
    declared = [(entry.name, entry.colour.upper()) for entry in legend(chart)]
    assert [(n, c.upper()) for n, c in screen.legend] == declared
    assert [(n, c.upper()) for n, c in file.legend] == declared


@pytest.mark.parametrize("name", NAMES)
def test_the_axes_carry_the_same_titles_and_units(drawn, name: str) -> None:
    chart, screen, file = drawn[name]
    assert screen.axes == file.axes
    assert screen.headings == file.headings == [p.title for p in chart.panels[1:]]
    assert any("(" in title for titles in screen.axes for title in titles)


@pytest.mark.parametrize("name", NAMES)
def test_the_same_marks_in_the_same_colours(drawn, name: str) -> None:
    _chart, screen, file = drawn[name]
    assert screen.counts == file.counts
    assert screen.colours == file.colours


@pytest.mark.parametrize("name", NAMES)
def test_the_target_is_drawn_alike(drawn, name: str) -> None:
    chart, screen, file = drawn[name]
    declared = target_rules(chart)
    assert len(screen.targets) == len(file.targets) == len(declared)
    for rule, on_screen_at, in_file_at in zip(declared, screen.targets, file.targets,
                                              strict=True):
        if isinstance(rule.at, str):  # a month: the screen's first day, the file's date
            assert str(on_screen_at)[:7] == rule.at
            assert mdates.num2date(in_file_at).strftime("%Y-%m") == rule.at
        else:
            assert math.isclose(float(on_screen_at), rule.at)
            assert math.isclose(in_file_at, rule.at, rel_tol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_the_same_names_are_written_beside_the_markers(drawn, name: str) -> None:
    chart, screen, file = drawn[name]
    declared = {p.label for points in chart.marks() if hasattr(points, "points")
                for p in points.points if p.label and p.place}
    assert screen.labels == file.labels == declared


def test_every_kind_of_mark_is_compared() -> None:
    """The cases cover each kind of mark both renderers draw."""
    seen: Counter[str] = Counter()
    for chart in every_chart().values():
        seen.update(type(mark).__name__ for mark in chart.marks())
    assert set(seen) == {"Line", "Area", "Bars", "Bins", "Points", "Rule", "Segments"}
