"""Sweep view: one output over two inputs at once, as a heatmap with the target's contour.

The user picks the input across and the input up, each with a range (by default
the input's own 90 % range in the assumptions, else half to twice the scenario's
value, kept inside the input's valid range), the values per axis (at most
:data:`~calc.dashboard.settings.MAX_SWEEP_STEPS`, so at most 400 points and the
page stays fast) and the output. The grid is :func:`calc.sweep` of the state's
scenario with its changes (:mod:`calc.dashboard.compute.sweep`, cached), drawn by
the declared heatmap (:func:`calc.presentation.charts.sweep.heatmap_chart`); every
choice travels in the link, and the chart's files, its CSV and the sweep file
(``capcalc sweep FILE --format csv`` prints the same table) are its downloads.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.dashboard import commands, page, session
from calc.dashboard.compute.sweep import grid
from calc.dashboard.compute.titles import page_title
from calc.dashboard.context import Context
from calc.dashboard.markup import plain, shown_error
from calc.dashboard.settings import SWEEP_INPUTS, Settings
from calc.presentation.findings import sweep_finding

__all__ = ["axis_range", "axis_values", "render"]


def axis_range(ctx: Context, key: str, low: float, high: float) -> tuple[float, float, str]:
    """The range of axis ``key``: ``low`` to ``high`` when they are a range inside the input's
    valid range; else (both 0, or not valid) the facility power from half the site's to past
    the power the target takes, any other input's own 90 % range, or half to twice the
    scenario's value, clipped to the valid range; and why the asked range was not used ("" when
    it was, or none was asked)."""
    spec = INPUTS[key]
    lowest = -math.inf if spec.lower is None else float(spec.lower)
    highest = math.inf if spec.upper is None else float(spec.upper)
    why = ""
    if low or high:
        if lowest <= low < high <= highest:
            return low, high, ""
        why = (f"{spec.title}: {low:g} to {high:g} is not a range inside its valid "
               f"{lowest:g} to {highest:g}; using its default range")
    value = ctx.scenario[key]
    centre = float(value) if isinstance(value, (int, float)) and value else 1.0
    needed = float(ctx.result.outputs.get("facility_power_mw_for_target", math.nan))
    if key == "site.facility_power_mw" and math.isfinite(needed):
        # the power: from half the site's to past the power the target takes
        return max(centre / 2, lowest), min(max(centre * 2, needed * 1.25), highest), why
    assumption = ctx.scenario.assumptions.get(key)
    if assumption is not None and assumption.low is not None and assumption.high is not None \
            and assumption.low < assumption.high:
        return float(assumption.low), float(assumption.high), why
    return max(centre / 2, lowest), min(centre * 2, highest), why


def axis_values(key: str, low: float, high: float, steps: int) -> tuple[float, ...]:
    """``steps`` values from ``low`` to ``high`` (whole numbers for a count, no repeats).

    >>> axis_values("training.mfu", 0.3, 0.5, 3)
    (0.3, 0.4, 0.5)
    >>> axis_values("site.accelerators", 1, 3, 5)
    (1.0, 2.0, 3.0)
    """
    values = np.linspace(low, high, steps)
    if INPUTS[key].kind == "count":
        values = np.round(values)
    return tuple(dict.fromkeys(float(f"{v:.10g}") for v in values))


def _title(key: str) -> str:
    return INPUTS[key].title


def _axis(ctx: Context, where: st.delta_generator.DeltaGenerator, name: str, label: str
          ) -> tuple[str, float, float]:
    """One axis's input and range widgets; the input and the range used."""
    settings = ctx.settings
    key = str(where.selectbox(label, SWEEP_INPUTS, format_func=_title,
                              help="The sweep file names it by its key; the command under "
                                   "the chart gives the file.",
                              **session.sweep_axis(name, f"sweep:{name}")))
    asked = (getattr(settings, f"sweep_{name}_low"), getattr(settings, f"sweep_{name}_high"))
    low, high, why = axis_range(ctx, key, *asked)
    left, right = where.columns(2)
    unit = INPUTS[key].unit
    unit = "" if unit in ("1", "") else f" ({unit})"
    low = float(left.number_input(
        f"From{unit}", format="%g",
        **session.bound(f"sweep_{name}_low", f"sweep:{name}-low", value=low)))
    high = float(right.number_input(
        f"To{unit}", format="%g",
        **session.bound(f"sweep_{name}_high", f"sweep:{name}-high", value=high)))
    if why:
        where.caption(f"⚠ {plain(why)}")
    low, high, why = axis_range(ctx, key, low, high)
    if why:
        where.caption(f"⚠ {plain(why)}")
    return key, low, high


def render(ctx: Context) -> None:
    """The finding and the heatmap with its contour first, then its downloads and the
    controls (the axes, their ranges, the output) that make it."""
    head = st.container()
    across, up, rest = st.columns([2, 2, 2])
    x, x_low, x_high = _axis(ctx, across, "x", "Across")
    y, y_low, y_high = _axis(ctx, up, "y", "Up")
    output = str(rest.selectbox("Output", list(OUTPUTS),
                                format_func=lambda k: OUTPUTS[k].title,
                                **session.bound("sweep_output", "sweep:output")))
    codec = Settings.codecs()["sweep_steps"]
    steps = int(rest.number_input(
        "Values per axis", min_value=int(codec.lower), max_value=int(codec.upper), step=1,
        help=f"At most {int(codec.upper)} × {int(codec.upper)} points, so the page stays fast.",
        **session.bound("sweep_steps", "sweep:steps")))
    with head:
        _grid(ctx, (x, x_low, x_high), (y, y_low, y_high), output, steps)


def _grid(ctx: Context, across: tuple[str, float, float], up: tuple[str, float, float],
          output: str, steps: int) -> None:
    """The finding, the heatmap and its downloads."""
    (x, x_low, x_high), (y, y_low, y_high) = across, up
    if x == y:
        st.info("Pick two different inputs to sweep (below).", icon=":material/info:")
        return
    xs, ys = axis_values(x, x_low, x_high, steps), axis_values(y, y_low, y_high, steps)
    label = page_title(ctx.key) if ctx.sets else ctx.preset
    try:
        found = grid(ctx.key, x, xs, y, ys, output)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    page.finding(sweep_finding(found.values, found.target, OUTPUTS[output].title,
                               OUTPUTS[output].unit))
    page.show_first(found.chart, key="dl-sweep")
    axes = {x: xs, y: ys}
    right, _ = st.columns([1, 3])
    right.download_button("Sweep file", data=lambda: commands.sweep_file(ctx, axes, output),
                          file_name=commands.sweep_file_name(ctx), mime="application/x-yaml",
                          key="dl-sweep-yaml", icon=":material/download:", on_click="ignore",
                          width="stretch")
    st.caption(f"{len(xs)} × {len(ys)} points at central values, every other input as in "
               f"{label}. {commands.said(ctx, commands.sweep_command(ctx))} with the sweep "
               "file prints the same table.")
