"""capcalc's colours, one set for the saved charts (matplotlib) and the dashboard's (Vega-Lite).

* The target has its own colour, :data:`TARGET`, which no data series uses.
* Data series take :data:`PALETTE` in order and, beyond it, further colours
  spread around the colour wheel (:func:`series_colours`): never one colour
  for two series, never the target's or a reference mark's.
* A lever or change is coloured by its direction (:data:`DIRECTIONS`).
"""

from __future__ import annotations

import colorsys
from collections.abc import Iterable, Sequence

__all__ = ["DIRECTIONS", "GRID", "NEUTRAL", "PALETTE", "SCENARIO_STAR", "SEQUENTIAL", "TARGET",
           "series_colours"]

#: The target's colour (Okabe–Ito vermillion): used for the target and nothing else.
TARGET = "#D55E00"
#: Colours of data series, in order: Okabe–Ito without vermillion, then three of Paul
#: Tol's colours, grey and yellow last (yellow is faint on white; peers keep it for stars).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000",
                            "#882255", "#44AA99", "#332288", "#999999", "#F0E442")
#: Marks that are neither data nor target (reference lines such as the 100 MW mark).
NEUTRAL = "#777777"
#: Light rule colour for reference bands.
GRID = "#BBBBBB"
#: The scenarios' stars among the peers (Okabe–Ito yellow, drawn with a black edge).
SCENARIO_STAR = "#F0E442"
#: A heatmap's scale, low to high: light to dark blue (ColorBrewer's Blues without its
#: near-white, so a cell of 0 is told from an empty one, left white), so the target's
#: vermillion contour stands out on every cell.
SEQUENTIAL: tuple[str, ...] = ("#DEEBF7", "#9ECAE1", "#4292C6", "#2171B5", "#08306B")
#: A lever's bar by what it does to the compute multiple.
DIRECTIONS = {"raises": "#009E73", "lowers": "#CC79A7", "no change": "#999999",
              "total": "#0072B2"}


def series_colours(names: Iterable[str], *, skip: Sequence[str] = ()) -> dict[str, str]:
    """One colour per name, in order: :data:`PALETTE`'s first, never the target's, and
    never one colour for two names.

    ``skip`` leaves colours out (e.g. yellow where stars use it). Beyond the
    palette (a build-out run to 2060 installs two dozen chip generations; a
    user's file may hold as many scenarios or peers operators), further colours
    are spread around the colour wheel at three lightnesses, each one distinct
    from every other and from the palette's, the target's and the reference marks'.

    >>> series_colours(["H100", "GB200"])
    {'H100': '#0072B2', 'GB200': '#E69F00'}
    >>> len(set(series_colours(str(i) for i in range(40)).values()))
    40
    """
    palette = [c for c in PALETTE if c not in skip]
    unique = list(dict.fromkeys(names))
    taken = {c.upper() for c in (*PALETTE, *skip, TARGET, NEUTRAL, GRID)}
    colours = palette + _more_colours(len(unique) - len(palette), taken)
    return {name: colours[i] for i, name in enumerate(unique)}


def _more_colours(count: int, taken: set[str]) -> list[str]:
    """``count`` colours none of which is in ``taken`` (upper-case ``#RRGGBB``) or repeated:
    hues a golden angle apart, at lightness 40 %, 58 % and 28 % in turn."""
    found: list[str] = []
    step = 0
    while len(found) < count:
        hue = (0.07 + step * 0.618_033_988_749_895) % 1.0
        red, green, blue = colorsys.hls_to_rgb(hue, (0.40, 0.58, 0.28)[step % 3], 0.62)
        colour = f"#{round(red * 255):02X}{round(green * 255):02X}{round(blue * 255):02X}"
        step += 1
        if colour not in taken:
            taken.add(colour)
            found.append(colour)
    return found
