"""The one look of the dashboard's Vega-Lite charts: colours, axes with units, years, the target.

Every spec of :mod:`calc.presentation.vega` takes its colours, axes and target
marks from here, so the rules hold in one place and tests can check them:

* the target has its own colour, :data:`TARGET`, which no data series uses, and
  it is named in the legend (:func:`colour_scale` puts it there); the colours
  themselves live in :mod:`calc.presentation.colours`, shared with the saved charts;
* a quantity axis carries its unit in the title, in the prefix the metric cards
  use for the data's size — "Capex ($ B)", "Facility power (MW)",
  "Effective FLOP/s (EFLOP/s)" — and plain numbers on its ticks (:func:`quantity`);
* a time axis shows years (:func:`time_axis`);
* a share axis runs from 0 to 100 % (:func:`share_axis`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from calc.presentation.colours import GRID, NEUTRAL, PALETTE, TARGET, series_colours
from calc.presentation.tables import Table

__all__ = [
    "GRID",
    "NEUTRAL",
    "PALETTE",
    "SCHEMA",
    "STAR",
    "TARGET",
    "base",
    "colour_scale",
    "log_labels",
    "log_ticks",
    "multiple_name",
    "named_data",
    "quantity",
    "series_colours",
    "share_axis",
    "time_axis",
    "title",
    "unit_prefix",
    "wrap",
]

Spec = dict[str, Any]

#: Streamlit 1.67 draws with Vega-Lite 6.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

#: A five-pointed star for scenarios among the peers.
STAR = ("M0,-1L0.22,-0.31L0.95,-0.31L0.36,0.12L0.59,0.81L0,0.38L-0.59,0.81L-0.36,0.12"
        "L-0.95,-0.31L-0.22,-0.31Z")

_SI = ((1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"),
       (1e6, "M"), (1e3, "k"))
_MONEY = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def colour_scale(series: Mapping[str, str], extra: Mapping[str, str] | None = None
                 ) -> dict[str, Any]:
    """A colour scale for ``series`` (name → colour) plus ``extra`` entries (the target, a
    reference line), so that every mark of a chart shares one legend.

    >>> colour_scale({"H100": "#0072B2"}, {"target 10×": TARGET})["domain"]
    ['H100', 'target 10×']
    """
    entries = {**series, **(extra or {})}
    return {"domain": list(entries), "range": list(entries.values())}


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


def title(table: Table, text: str | None = None) -> dict[str, Any]:
    """Chart title from ``table``: its title, and its provenance line as a wrapped subtitle."""
    return {"text": text or table.title, "subtitle": wrap(table.caption) if table.caption else "",
            "subtitleFontSize": 10, "subtitleColor": "#555555", "anchor": "start",
            "offset": 12}


def base(table: Table, **spec: Any) -> Spec:
    """A spec with the schema, the container's width, the title and ``spec``'s keys."""
    sizing = {} if any(k in spec for k in ("facet", "hconcat", "vconcat", "concat")) \
        else {"width": "container"}
    config: dict[str, Any] = {"legend": {"orient": "bottom", "columns": 3, "labelLimit": 190},
                              "axis": {"labelFontSize": 11, "titleFontSize": 12}}
    for section, settings in spec.pop("config", {}).items():
        config[section] = {**config.get(section, {}), **settings}
    return named_data({"$schema": SCHEMA, **sizing, "title": title(table), "config": config,
                       "autosize": {"type": "fit-x", "contains": "padding"}, **spec})


# ---------------------------------------------------------------- quantity axes


def _size(values: Iterable[Any], log: bool) -> float:
    """The size the prefix is chosen for: the largest value, or on a log axis the geometric
    middle of the range (so its ticks read 1, 10, 100 rather than 0.001 … 10)."""
    finite = [abs(float(v)) for v in values
              if v is not None and math.isfinite(float(v)) and float(v) != 0]
    if not finite:
        return 0.0
    if log:
        return math.sqrt(min(finite) * max(finite))
    return max(finite)


def unit_prefix(unit: str, values: Iterable[Any], *, log: bool = False) -> tuple[float, str]:
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


def quantity(field: str, name: str, unit: str, values: Iterable[Any], *, log: bool = False,
             **extra: Any) -> dict[str, Any]:
    """A quantitative encoding whose axis title carries the unit and whose ticks are plain
    numbers in that unit: ``name`` "Capex", unit ``USD_2025`` → "Capex ($ B)", "2.5".

    ``extra`` is merged into the encoding (``stack``, ``sort``...); an ``axis`` in it is
    merged into the axis.
    """
    values = list(values)
    factor, label = unit_prefix(unit, values, log=log)
    axis: dict[str, Any] = {"labelExpr": f"format(datum.value / {factor!r}, ',~g')"}
    if log:
        ticks = log_ticks(values)
        axis["labelExpr"] = log_labels(factor, (1, 2, 5) if len(ticks) <= 12 else (1,))
        axis["labelOverlap"] = True
    axis.update(extra.pop("axis", {}))
    scale: dict[str, Any] = {"type": "log"} if log else {}
    scale.update(extra.pop("scale", {}))
    encoding: dict[str, Any] = {"field": field, "type": "quantitative",
                                "title": f"{name} ({label})", "axis": axis}
    if scale:
        encoding["scale"] = scale
    encoding.update(extra)
    return encoding


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


def share_axis(field: str, name: str, **extra: Any) -> dict[str, Any]:
    """A 0–100 % axis for shares and probabilities."""
    scale = {"domain": [0, 1], "clamp": True}
    scale.update(extra.pop("scale", {}))
    return {"field": field, "type": "quantitative", "title": f"{name} (%)",
            "scale": scale, "axis": {"format": ".0%"}, **extra}


def time_axis(field: str, months: Sequence[str], **extra: Any) -> dict[str, Any]:
    """A temporal encoding of ``YYYY-MM-01`` dates whose ticks show years.

    Spans of two years or more get one tick per year ("2026"); shorter ones a tick
    per quarter with the year ("Apr 2026").
    """
    years = {m[:4] for m in months}
    if len(years) >= 3 or len(months) >= 24:
        axis = {"format": "%Y", "tickCount": {"interval": "year", "step": 1},
                "labelOverlap": True}
    else:
        axis = {"format": "%b %Y", "tickCount": {"interval": "month", "step": 3},
                "labelOverlap": True}
    axis.update(extra.pop("axis", {}))
    return {"field": field, "type": "temporal", "title": "Year", "axis": axis, **extra}
