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

from calc.presentation.chart_spec import Cells, Chart, legend, target_rules
from calc.presentation.colours import TARGET
from calc.presentation.figure import draw
from calc.presentation.vega import vega_specs
from calc.presentation.vega.render import HEADING, heading_of

from tests.chart_cases import every_chart

Spec = dict[str, Any]
#: Kinds of mark compared: a count, and the colours drawn.
KINDS = ("line", "area", "bins", "bar", "point", "rule", "segment", "cells")


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
    #: Each heatmap's colour scale: its title, domain and the colours at its two ends.
    scales: list[tuple[str, tuple[float, float], str, str]] = field(default_factory=list)

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
    if kind == "rect":
        return "cells"
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
    title, caption = heading_of(specs[0])
    seen = Drawing(title=title, caption=caption)
    seen.headings = [heading_of(spec)[0] for spec in specs[1:]]
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
            elif kind == "cells":
                fill = layer["encoding"]["fill"]
                stops = fill["scale"]["range"]
                seen.mark(kind, None, len(rows))
                seen.scales.append((fill["title"], tuple(fill["scale"]["domain"]),
                                    stops[0].upper(), stops[-1].upper()))
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
        if ax.get_gid() == "colourbar":  # a heatmap's scale, read with its cells
            continue
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
    if kind == "cells":
        seen.mark(kind, None, int(np.ma.count(artist.get_array())))
        scale = artist.cmap
        title = artist.colorbar.ax.get_ylabel().replace("\\$", "$")
        seen.scales.append((title, (artist.norm.vmin, artist.norm.vmax),
                            _hex(scale(0.0)).upper(), _hex(scale(1.0)).upper()))
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
    assert _words(screen.title) == _words(chart.heading)
    assert _words(file.title) == _words(chart.heading)
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
def test_heatmaps_have_the_same_colour_scale(drawn, name: str) -> None:
    chart, screen, file = drawn[name]
    declared = [mark for mark in chart.marks() if isinstance(mark, Cells)]
    assert len(screen.scales) == len(file.scales) == len(declared)
    for cells, (title, domain, low, high), (f_title, f_domain, f_low, f_high) in zip(
            declared, screen.scales, file.scales, strict=True):
        assert title == f_title and cells.title in title
        assert domain == pytest.approx(f_domain) == cells.domain
        assert (low, high) == (f_low, f_high) == (cells.colours[0].upper(),
                                                  cells.colours[-1].upper())


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


@pytest.fixture(scope="module")
def vega_lite() -> Any:
    """A validator of Vega-Lite 6 specs: the schema altair ships (streamlit depends on it)."""
    import json
    from importlib.resources import files

    import jsonschema

    pytest.importorskip("altair")
    schema = files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json")
    return jsonschema.Draft7Validator(json.loads(schema.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", NAMES)
def test_every_screen_spec_is_valid_vega_lite(vega_lite: Any, name: str) -> None:
    """Each spec validates, but for one declared exception: the first panel's subtitle is an
    expression reading the ``heading`` dataset (so a title carrying the user's changes leaves
    the spec as it is and the chart updates in place). Vega, which draws it, takes an
    expression there; Vega-Lite's schema types a subtitle as text only, so the subtitle is
    checked as the text the expression reads."""
    for spec in vega_specs(every_chart()[name]):
        title = spec.get("title")
        if isinstance(title, dict) and isinstance(title.get("subtitle"), dict):
            (row,) = spec["datasets"][HEADING]
            spec = {**spec, "title": {**title, "subtitle": row["subtitle"]}}
        errors = list(vega_lite.iter_errors(spec))
        assert not errors, [e.message[:160] for e in errors[:3]]


def test_every_kind_of_mark_is_compared() -> None:
    """The cases cover each kind of mark both renderers draw."""
    seen: Counter[str] = Counter()
    for chart in every_chart().values():
        seen.update(type(mark).__name__ for mark in chart.marks())
    assert set(seen) == {"Line", "Area", "Bars", "Bins", "Points", "Rule", "Segments", "Cells"}


# ------------------------------------------------------------------ no legend entry without a mark


def _visible(kind: str, rows: list[dict[str, Any]]) -> bool:
    """Whether a layer's rows of one series draw something one can see."""
    if kind == "line":
        return len(rows) >= 2
    if kind == "area":
        return any(r["hi"] != r["lo"] for r in rows)
    if kind == "bar":
        return any(r["end"] != r["start"] for r in rows)
    if kind == "bins":
        return any(r["y"] > 0 for r in rows)
    return bool(rows)


def _screen_drawn(specs: list[Spec]) -> set[str]:
    """The series the specs draw something visible for: a line through two points or more,
    an area or bar of some extent, a marker, a rule, a stroke."""
    drawn: set[str] = set()
    for spec in specs:
        for layer, data in _layers(spec):
            kind = _kind(layer)
            rows = spec["datasets"].get(data, []) if data else []
            if kind is None or "color" not in layer.get("encoding", {}):
                continue
            by_series: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                by_series.setdefault(row.get("series", ""), []).append(row)
            for series, mine in by_series.items():
                if _visible(kind, mine):
                    drawn.add(series)
    return drawn


def _file_drawn(fig: Figure) -> set[str]:
    """The colours the figure draws something visible in (as :func:`_screen_drawn`)."""
    colours: set[str] = set()
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
            kind = artist.get_gid()
            if kind not in KINDS:
                continue
            if kind == "line":
                ys = np.asarray(artist.get_ydata(), dtype=float)
                if np.isfinite(ys).sum() >= 2:
                    colours.add(to_hex(artist.get_color()).upper())
            elif kind == "bar":
                if artist.get_width() != 0 and artist.get_height() != 0:
                    colours.add(_hex(artist.get_facecolor()).upper())
            elif kind in ("area", "bins"):
                paths = artist.get_paths() if hasattr(artist, "get_paths") else [artist.get_path()]
                extent = [np.ptp(p.vertices[:, 1]) for p in paths if len(p.vertices)]
                if any(e > 0 for e in extent):
                    colours.add(_hex(np.asarray(artist.get_facecolor()).reshape(-1, 4)[0])
                                .upper())
            else:
                seen = Drawing()
                _read(seen, artist)
                colours |= {c for cs in seen.colours.values() for c in cs}
    return colours


@pytest.mark.parametrize("name", NAMES)
def test_every_legend_entry_has_a_mark_drawn_in_both_renderings(drawn, name: str) -> None:
    """No legend entry for a mark that is not drawn (a bar of no length, an empty area, a
    line of one point), on screen or in the file."""
    chart, _screen, _file = drawn[name]
    on_screen_drawn = _screen_drawn(vega_specs(chart))
    in_file_drawn = _file_drawn(draw(chart))
    for entry in legend(chart):
        assert entry.name in on_screen_drawn, (name, entry.name, "not drawn on screen")
        assert entry.colour.upper() in in_file_drawn, (name, entry.name, "not drawn in file")
