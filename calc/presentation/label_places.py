"""Where the labels of a scatter go (log y axis, log or linear x): next to each marker, at
a place no other label or marker takes. The peers charts' declarations
(:mod:`calc.presentation.charts.peers`) place their names with it, once, for the
screen and the saved files alike.

Sizes are in pixels of the plot area; the text's width is estimated from its
length (:data:`CHAR_PX` per character), close enough at the charts' 10–11 px fonts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CHAR_PX", "DASHBOARD_PLOT", "LINE_PX", "MARKER_PX", "PLACES", "Box", "place_labels",
           "plot_point"]

#: A box in the plot area, px (y down): (left, top, right, bottom).
Box = tuple[float, float, float, float]

#: The plot area labels are placed for by default (px): the dashboard's peers chart.
DASHBOARD_PLOT = (720.0, 400.0)
#: A label's estimated width per character and its line height (px).
CHAR_PX = 6.0
LINE_PX = 12.0
#: Half the size of a marker, px (one :data:`away` further scaled twice: a star's).
MARKER_PX = 4.0
#: Where a label may sit around its marker: (name, dx, dy, align) with offsets in px
#: (y down), tried in order; a line further above or below where markers crowd.
PLACES = (("right", 8, 0, "left"), ("left", -8, 0, "right"), ("above", 0, -11, "center"),
          ("below", 0, 12, "center"), ("above2", 0, -23, "center"), ("below2", 0, 24, "center"))


@dataclass(frozen=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def hits(self, other: _Box) -> bool:
        return not (self.x1 <= other.x0 or other.x1 <= self.x0 or
                    self.y1 <= other.y0 or other.y1 <= self.y0)


def _scaled(value: float, low: float, high: float, size: float, log: bool) -> float:
    if log:
        value, low, high = math.log10(value), math.log10(low), math.log10(high)
    if high <= low:
        return size / 2
    return (value - low) / (high - low) * size


def plot_point(x: float, y: float, *, plot: tuple[float, float],
               ranges: tuple[tuple[float, float], tuple[float, float]],
               log_x: bool = True) -> tuple[float, float]:
    """Where the data point (x, y) is drawn in the plot area, px from its top left (a log
    y axis, a log x axis unless ``log_x`` is off).

    >>> plot_point(10, 100, plot=(200, 100), ranges=((1, 100), (1, 10_000)))
    (100.0, 50.0)
    """
    width, height = plot
    return (_scaled(x, *ranges[0], width, log_x),
            height - _scaled(y, *ranges[1], height, True))


def place_labels(points: Sequence[tuple[float, float, str]], *,
                 plot: tuple[float, float] = DASHBOARD_PLOT,
                 ranges: tuple[tuple[float, float], tuple[float, float]] | None = None,
                 log_x: bool = True, reserved: Sequence[Box] = (),
                 away: Sequence[float] = ()) -> list[str | None]:
    """Where each label goes (a place of :data:`PLACES`: ``right``, ``left``, ``above``,
    ``below``, then a line further above or below) so none overlaps
    another label, a marker or a ``reserved`` box (another mark's text), or None when it
    has no free place; a log y axis, and a log x axis unless ``log_x`` is off (a time
    axis).

    ``points`` are ``(x, y, label)`` in data units, most important first; ``plot`` is
    the plot area's size (px) and ``ranges`` its x and y limits (default: the points'
    own, widened 1.3× each way, as the dashboard's log–log axes are). ``away`` scales a
    point's offsets and its marker's size (:attr:`calc.presentation.chart_spec.Points.away`:
    a label clear of a large star), 1 for points it does not reach.

    >>> place_labels([(100, 1e5, "Cortex"), (100, 1e5, "Twin")])
    ['right', 'left']
    """
    good = [(x, y) for x, y, _ in points if x > 0 and y > 0]
    if not good:
        return [None] * len(points)
    xs, ys = [p[0] for p in good], [p[1] for p in good]
    x_range, y_range = ranges or ((min(xs) / 1.3, max(xs) * 1.3),
                                  (min(ys) / 1.3, max(ys) * 1.3))
    width, height = plot
    at = [plot_point(x, y, plot=plot, ranges=(x_range, y_range), log_x=log_x)
          if x > 0 and y > 0 else None for x, y, _ in points]
    factor = [*away, *[1.0] * (len(points) - len(away))]
    taken = [_Box(spot[0] - half, spot[1] - half, spot[0] + half, spot[1] + half)
             for spot, f in zip(at, factor, strict=True) if spot is not None
             for half in (MARKER_PX * f * f,)]
    taken += [_Box(*box) for box in reserved]
    places: list[str | None] = []
    for spot, (_x, _y, label), f in zip(at, points, factor, strict=True):
        if spot is None:
            places.append(None)
            continue
        px, py = spot
        text_width = CHAR_PX * len(label)
        chosen = None
        for name, dx0, dy0, align in PLACES:
            dx, dy = dx0 * f, dy0 * f
            left = px + dx - (text_width if align == "right" else
                              text_width / 2 if align == "center" else 0)
            box = _Box(left, py + dy - LINE_PX / 2, left + text_width, py + dy + LINE_PX / 2)
            inside = box.x0 >= -20 and box.x1 <= width + 20 and box.y0 >= -10 and \
                box.y1 <= height + 10
            if inside and not any(box.hits(other) for other in taken):
                chosen = name
                taken.append(box)
                break
        places.append(chosen)
    return places
