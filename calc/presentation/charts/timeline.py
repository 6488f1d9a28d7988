"""Charts of build-outs and of paths to the target: the timeline, and the levers waterfall."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from calc.presentation.charts._style import caption, figure, ticks
from calc.presentation.colours import DIRECTIONS, PALETTE, TARGET, series_colours
from calc.presentation.tables import Table

__all__ = ["levers_waterfall", "timeline_chart"]

#: The facility power's step line (no generation takes its colour).
_POWER = "#000000"
#: The operator's pace and its statements share one colour.
_OPERATOR = "#882255"
#: The operator's pace is drawn up to this multiple of the highest modelled H100e.
_PACE_CAP = 1.5


def _dates(months: list[str]) -> np.ndarray:
    """Month labels as dates, plus one month more so the last step has width."""
    dates = np.array(months, dtype="datetime64[M]")
    return np.append(dates, dates[-1] + np.timedelta64(1, "M"))


def _step(values: list[Any]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return np.append(array, array[-1])


def timeline_chart(table: Table) -> Figure:
    """H100-equivalents by generation (stacked), facility power, the target and its date.

    The top panel stacks H100-equivalents by generation (trend-grown chips
    hatched) with the built facility power as a step line on the right axis
    and the H100-equivalents the target needs dashed; the bottom panel draws
    the compute multiple on a log scale against the target line. The month
    the target is first reached is marked on both.
    """
    fig = figure(11, 6.8)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.4])
    columns = table.columns
    x = _dates(list(columns["month"]))
    lower = np.zeros(len(x))
    generations = list(table.meta.get("generations", []))
    colours = series_colours(generations, skip=(_POWER,))
    for generation in generations:
        values = _step(list(columns[f"h100_equivalents:{generation}"]))
        trend = generation.startswith("trend")
        top.fill_between(x, lower, lower + values, step="post", linewidth=0,
                         color=colours[generation], alpha=0.85,
                         hatch="//" if trend else None, edgecolor="white",
                         label=generation + (" (trend)" if trend and "trend" not in
                                             generation else ""))
        lower = lower + values
    needed = table.meta.get("h100e_for_target")
    target = float(table.meta.get("target", 0))
    if needed:
        shown = np.array([np.nan if v is None else v for v in needed], dtype=float)
        top.step(x, _step(list(shown)), where="post", color=TARGET, linestyle="--",
                 linewidth=1.5, label=f"H100e for {target:g}×")
    pace = table.meta.get("pace")
    if pace and "pace_h100e" in columns:
        cap = _PACE_CAP * max(float(v) for v in columns["h100_equivalents"])
        central = _step(list(columns["pace_h100e"]))
        shown = central <= cap
        top.fill_between(x[shown], _step(list(columns["pace_h100e_low"]))[shown],
                         np.minimum(_step(list(columns["pace_h100e_high"])), cap)[shown],
                         color=_OPERATOR, alpha=0.12, linewidth=0)
        top.plot(x[shown], central[shown], color=_OPERATOR, linestyle=":", linewidth=1.8,
                 label=f"{pace['operator']}'s pace ({pace['growth_per_year']:.2f}×/yr, "
                       f"{pace['slowest_growth_per_year']:.2f}–"
                       f"{pace['fastest_growth_per_year']:.2f})")
    stated = [s for s in table.meta.get("stated", [])
              if x[0] <= np.datetime64(s["month"], "M") <= x[-1]]
    if stated:
        when = np.array([s["month"] for s in stated], dtype="datetime64[M]")
        floor = np.array([s["bound"] == "at_least" for s in stated])
        values = np.array([s["h100e"] for s in stated], dtype=float)
        who = stated[0]["label"]
        top.scatter(when[~floor], values[~floor], marker="D", s=36, color="black", zorder=5,
                    label=f"{who} says (H100e)")
        if floor.any():
            top.scatter(when[floor], values[floor], marker="^", s=48, facecolor="white",
                        edgecolor="black", zorder=5, label=f"{who}: at least (H100e)")
    top.set_ylabel("H100-equivalents")
    top.yaxis.set_major_formatter(ticks("H100e"))
    top.set_ylim(bottom=0)
    power_axis = top.twinx()
    power_axis.step(x, _step(list(columns["facility_power_mw"])), where="post", color="black",
                    linewidth=1.6, label="facility power (right)")
    power_axis.set_ylabel("Facility power")
    power_axis.yaxis.set_major_formatter(ticks("MW"))
    power_axis.set_ylim(bottom=0)
    for phase in table.meta.get("phases", []):
        begins = np.datetime64(phase["begins"], "M")
        if not x[0] <= begins <= x[-1]:
            continue
        low = phase.get("confidence") in ("unconfirmed", "preliminary")
        top.axvline(begins, color="#777777", linewidth=0.7, linestyle=":")
        top.text(begins, 0.98, f" {phase['name']}{' (low confidence)' if low else ''}",
                 rotation=90, va="top", ha="right", fontsize=7,
                 color="#999999" if low else "#555555", transform=top.get_xaxis_transform())
    multiple = _step(list(columns["compute_multiple"]))
    bottom.step(x, multiple, where="post", color=PALETTE[0], linewidth=1.8,
                label="compute multiple")
    bottom.axhline(target, color=TARGET, linestyle="--", linewidth=1.4)
    bottom.text(x[0], target, f" target {target:g}×", color=TARGET, fontsize=8, va="bottom")
    positive = multiple[multiple > 0]
    if positive.size:
        bottom.set_yscale("log")
        bottom.set_ylim(min(positive.min(), target) / 1.5, max(positive.max(), target) * 1.6)
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    bottom.set_ylabel(f"× {table.meta.get('baseline', 'baseline')}")
    reached = table.meta.get("target_reached")
    for ax in (top, bottom):
        ax.grid(True, axis="y", linewidth=0.4, alpha=0.5)
        ax.spines[["top"]].set_visible(False)
        if reached:
            ax.axvline(np.datetime64(reached, "M"), color=TARGET, linewidth=1.4)
    if reached:
        bottom.annotate(f"{target:g}× in {reached} at central values",
                        (np.datetime64(reached, "M"), target),
                        xytext=(6, -14), textcoords="offset points", color=TARGET,
                        fontsize=9, fontweight="bold")
    else:
        bottom.text(0.99, 0.05, f"{target:g}× not reached by {table.meta.get('until', '')}",
                    transform=bottom.transAxes, ha="right", color=TARGET, fontsize=9)
    handles, labels = top.get_legend_handles_labels()
    more, more_labels = power_axis.get_legend_handles_labels()
    fig.legend(handles + more, labels + more_labels, fontsize=8, frameon=False,
               loc="outside right upper")
    top.set_title(table.title, fontsize=12)
    caption(fig, table)
    return fig


def levers_waterfall(table: Table) -> Figure:
    """The compute multiple as a waterfall of lever factors on a log scale, with the target."""
    fig = figure(11, 5.2)
    ax, notes = fig.subplots(1, 2, width_ratios=[2.3, 1])
    notes.axis("off")
    rows = table.rows()
    names = [row["title"] for row in rows]
    for i, row in enumerate(rows):
        start, end = float(row["start"]), float(row["end"])
        total = row["lever"] == "total"
        colour = DIRECTIONS["total" if total else "raises" if end > start * (1 + 1e-9) else
                            "lowers" if end < start * (1 - 1e-9) else "no change"]
        low, high = min(start, end), max(start, end)
        if high / low < 1.01:  # no change: a thin mark so the lever still shows
            low, high = low / 1.01, high * 1.01
        ax.bar(i, high - low, bottom=low, color=colour, width=0.6)
        if i and not total:
            ax.plot([i - 1.3, i + 0.3], [start, start], color="#777777", linewidth=0.7)
        factor = float(row["factor"])
        ax.text(i, high * 1.04, f"{factor:.3g}×", ha="center", va="bottom", fontsize=9,
                fontweight="bold" if total else "normal")
    target = float(table.meta.get("target", 0))
    ax.set_yscale("log")
    top = max(max(float(r["end"]) for r in rows), max(float(r["start"]) for r in rows), target)
    bottom = min(min(float(r["end"]) for r in rows), min(float(r["start"]) for r in rows), 1.0)
    ax.set_ylim(bottom / 1.6, top * 1.8)
    if target:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.4)
        ax.text(len(rows) - 0.5, target, f"target {target:g}×", color=TARGET, fontsize=8,
                ha="right", va="bottom")
    ax.axhline(1, color="#555555", linewidth=0.8)
    ax.set_xticks(range(len(rows)), names, rotation=15, ha="right", fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    ax.set_ylabel(f"× {table.meta.get('baseline', 'baseline')} (log scale)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, axis="y", linewidth=0.4, alpha=0.5)
    paths = table.meta.get("paths", [])
    if paths:
        lines = textwrap.wrap(str(table.meta.get("paths_title", "Single-lever paths:")), 46)
        for path in paths:
            lines += textwrap.wrap(path, 44, initial_indent="• ", subsequent_indent="  ")
        notes.text(0, 1, "\n".join(lines), transform=notes.transAxes, va="top", fontsize=8,
                   color="#333333")
    ax.set_title(table.title, fontsize=11)
    caption(fig, table)
    return fig
