"""The one look of the dashboard's Vega-Lite charts: the schema, titles, axes with units, years.

:mod:`calc.presentation.vega.render` builds every spec with these, so the rules
hold in one place:

* a quantity axis carries its unit in the title, in the prefix the metric cards
  use for the data's size — "Capex ($ B)", "Facility power (MW)",
  "Effective FLOP/s (EFLOP/s)" — and plain numbers on its ticks (:func:`axis_encoding`);
* a time axis shows years (:func:`time_axis`);
* a share axis runs in per cent, from 0 to 100 % where the declaration says so;
* the data sit in named datasets (:func:`named_data`), so a rerun that changes
  only the data updates the drawn chart instead of building it again.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from calc.presentation.chart_spec import Axis, axis_title

__all__ = ["SCHEMA", "SHAPES", "STAR", "axis_encoding", "log_labels", "log_ticks",
           "named_data", "time_axis", "wrap"]

Spec = dict[str, Any]

#: Streamlit 1.67 draws with Vega-Lite 6.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

#: A five-pointed star for scenarios among the peers.
STAR = ("M0,-1L0.22,-0.31L0.95,-0.31L0.36,0.12L0.59,0.81L0,0.38L-0.59,0.81L-0.36,0.12"
        "L-0.95,-0.31L-0.22,-0.31Z")
#: The declarations' marker shapes as Vega-Lite draws them.
SHAPES = {"circle": "circle", "diamond": "diamond", "triangle-up": "triangle-up",
          "square": "square", "star": STAR}


def wrap(text: str, width: int = 110) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken after " · " where it can be.

    >>> wrap("a · b · c", 5)
    ['a · b', 'c']
    """
    lines: list[str] = []
    for part in text.split(" · "):
        for i, piece in enumerate(textwrap.wrap(part, width, break_long_words=False) or [""]):
            if i == 0 and lines and len(lines[-1]) + 3 + len(piece) <= width:
                lines[-1] += " · " + piece
            else:
                lines.append(piece)
    return lines


def named_data(spec: Spec) -> Spec:
    """``spec`` with every inline ``data.values`` moved to a named dataset (``datasets``).

    Streamlit sends named datasets apart from the spec; when a rerun changes
    only the data, the browser updates the drawn chart in place instead of
    building it again — so the rest of a spec must not depend on the data.

    >>> named_data({"layer": [{"data": {"values": [{"x": 1}]}, "mark": "point"}]})
    {'layer': [{'data': {'name': 'rows_0'}, 'mark': 'point'}], 'datasets': {'rows_0': [{'x': 1}]}}
    """
    datasets: dict[str, Any] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "data" and isinstance(value, dict) and "values" in value:
                    name = f"rows_{len(datasets)}"
                    datasets[name] = value["values"]
                    out[key] = {"name": name, **{k: v for k, v in value.items()
                                                if k != "values"}}
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    named = walk(spec)
    if datasets:
        named["datasets"] = {**named.get("datasets", {}), **datasets}
    return named


def log_labels(factor: float, steps: Sequence[float] = (1, 2, 5), suffix: str = "") -> str:
    """A Vega ``labelExpr`` for a log axis: ticks whose mantissa is one of ``steps`` are
    labelled (divided by ``factor``), the others left blank; needs no tick values, so
    the spec does not change with the data."""
    mantissas = ", ".join(f"{float(s):g}" for s in steps)
    return (f"indexof([{mantissas}], round(datum.value / pow(10, floor(log(datum.value) / LN10 "
            f"+ 1e-9)))) >= 0 ? format(datum.value / {factor!r}, ',~g') + '{suffix}' : ''")


def log_ticks(values: Iterable[Any]) -> list[float]:
    """Tick values of a log axis over ``values``: 1-2-5 per decade over three decades or less,
    else the powers of ten.

    >>> log_ticks([30, 700])
    [50.0, 100.0, 200.0, 500.0]
    >>> log_ticks([1e17, 1e22])
    [1e+17, 1e+18, 1e+19, 1e+20, 1e+21, 1e+22]
    """
    finite = [float(v) for v in values
              if v is not None and math.isfinite(float(v)) and float(v) > 0]
    if not finite:
        return []
    low, high = min(finite), max(finite)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1.0, 2.0, 5.0) if last - first <= 3 else (1.0,)
    ticks = [float(f"{m * 10.0 ** k:.6g}") for k in range(first, last + 1) for m in steps]
    return [t for t in ticks if low / 1.0001 <= t <= high * 1.0001]


def time_axis(months: Sequence[str]) -> dict[str, Any]:
    """The axis of a temporal encoding over months ``YYYY-MM``: ticks show years.

    Spans of two years or more get one tick per year ("2026"); shorter ones a tick
    per quarter with the year ("Apr 2026").
    """
    years = {m[:4] for m in months}
    if len(years) >= 3 or len(months) >= 24:
        return {"format": "%Y", "tickCount": {"interval": "year", "step": 1},
                "labelOverlap": True}
    return {"format": "%b %Y", "tickCount": {"interval": "month", "step": 3},
            "labelOverlap": True}


def axis_encoding(axis: Axis, values: Sequence[Any], *, right: bool = False,
                  slanted: bool = False) -> dict[str, Any]:
    """The encoding of one axis (without its field): type, title with the unit, ticks, scale.

    ``values`` are what the axis draws (numbers; months for a time axis), for the
    unit's prefix and the ticks; ``right`` puts the axis on the right;
    ``slanted`` slants a category axis's names (an x axis) so they read.
    """
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    axis_props: dict[str, Any] = {"orient": "right", "grid": False} if right else {}
    scale: dict[str, Any] = {}
    if axis.kind == "category":
        return {"type": "nominal", "sort": list(axis.categories), "title": axis.title or None,
                "axis": {"labelLimit": 200 if slanted else 320,
                         **({"labelAngle": -20} if slanted else {}),
                         **axis_props}}
    if axis.kind == "time":
        months = sorted({str(v)[:7] for v in values if isinstance(v, str)})
        return {"type": "temporal", "title": axis.title or None,
                "axis": {**time_axis(months), **axis_props}}
    factor, title = axis_title(axis, numbers)
    if axis.kind == "year":
        axis_props.update(format="d", tickMinStep=1)
        scale["zero"] = False
    elif axis.kind == "share":
        axis_props["format"] = ".0%" if axis.domain == (0.0, 1.0) else ".1%"
    elif axis.log:
        steps = (1, 2, 5) if len(log_ticks(numbers)) <= 12 else (1,)
        axis_props.update(labelExpr=log_labels(factor, steps), labelOverlap=True)
    else:
        axis_props["labelExpr"] = f"format(datum.value / {factor!r}, ',~g')"
    if axis.log:
        scale["type"] = "log"
    elif axis.kind == "quantity" and not axis.zero:
        scale["zero"] = False
    if axis.domain is not None:
        scale.update(domain=list(axis.domain), clamp=True)
    if axis.padding:
        scale.update(padding=axis.padding, nice=False)
    encoding: dict[str, Any] = {"type": "quantitative", "title": title or None,
                                "axis": axis_props}
    if scale:
        encoding["scale"] = scale
    return encoding
