"""Charts of uncertainty: histograms, exceedance curves, tornado, Sobol bars and timeline fans.

Histograms show the samples as counted, never smoothed (a smoothed density
invents values, negative ones included, that no sample has). An axis is
logarithmic where the values span more than a decade.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from calc.core.vocabulary import OUTPUTS
from calc.data.units import format_unit
from calc.presentation.charts._style import caption, figure, ticks
from calc.presentation.colours import PALETTE, TARGET, series_colours
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table

__all__ = ["conditional_p_chart", "exceedance_chart", "histogram", "reach_probability_chart",
           "sobol_chart", "timeline_fan", "tornado_chart"]

#: Bars drawn at most in the tornado and Sobol charts (the table keeps every input).
MAX_BARS = 15


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def _text(text: str) -> str:
    """``text`` with dollar signs escaped (matplotlib reads a pair of them as mathtext)."""
    return text.replace("$", r"\$")


def _axis_label(output: str) -> str:
    unit = format_unit(OUTPUTS[output].unit)
    return _text(OUTPUTS[output].title + (f" ({unit})" if unit else ""))


def _finish(fig: Figure, ax: Any, table: Table, *, legend: str, grid: str = "both") -> Figure:
    """The common finish: a light grid, no top or right spine, the legend, title and caption."""
    ax.grid(True, axis=grid, linewidth=0.4, alpha=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc=legend)
    fig.suptitle(table.title, fontsize=12)
    caption(fig, table)
    return fig


def histogram(table: Table) -> Figure:
    """Counts of an output's samples per bin, one colour per scenario; P5, P50, P95 marked."""
    fig = figure(9, 4.8)
    ax = fig.subplots()
    output, unit = table.meta["output"], table.meta["unit"]
    groups = _by(table.rows(), "scenario")
    many = len(groups) > 1
    colours = series_colours(groups)
    for name, rows in groups.items():
        colour = colours[name]
        edges = [r["bin_low"] for r in rows] + [rows[-1]["bin_high"]]
        shares = [r["share"] for r in rows]
        ax.stairs(shares, edges, fill=not many, alpha=0.35 if many else 0.8, color=colour,
                  label=name)
        if many:
            ax.stairs(shares, edges, color=colour, linewidth=1.6)
        # a percentile or central run out of reach (infinite) has no place on the axis
        pct = table.meta["percentiles"].get(name, {})
        for stat, style in (("p5", ":"), ("p50", "--"), ("p95", ":")):
            if stat in pct:
                ax.axvline(pct[stat], color=colour if many else "black", linestyle=style,
                           linewidth=1.2)
        if not many:
            for stat in ("p5", "p50", "p95"):
                if stat not in pct:
                    continue
                ax.text(pct[stat], 1.0, _text(f" {stat.upper()} {format_value(pct[stat], unit)}"),
                        transform=ax.get_xaxis_transform(), fontsize=8, va="bottom",
                        rotation=0, ha="center")
            central = table.meta["central"].get(name)
            if central is not None:
                ax.axvline(central, color=PALETTE[1], linewidth=1.5)
                ax.text(central, 0.92, _text(f" central {format_value(central, unit)}"),
                        color=PALETTE[1],
                        transform=ax.get_xaxis_transform(), fontsize=8)
    if table.meta.get("log"):
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticks(unit))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_xlabel(_axis_label(output))
    ax.set_ylabel("Share of samples per bin")
    ax.spines[["top", "right"]].set_visible(False)
    if many:
        ax.legend(fontsize=8, frameon=False)
    fig.suptitle(table.title + ("" if many else f" ({next(iter(groups))})"), fontsize=12)
    caption(fig, table)
    return fig


def exceedance_chart(table: Table) -> Figure:
    """P(output ≥ x) against x per scenario; for the compute multiple, the target marked."""
    fig = figure(9, 4.8)
    ax = fig.subplots()
    unit = table.meta["unit"]
    p_target = table.meta.get("p_target", {})
    groups = _by(table.rows(), "scenario")
    colours = series_colours(groups)
    for name, rows in groups.items():
        label = name
        if name in p_target:
            label = f"{name}: P(≥ target) = {p_target[name]:.0%}"
        ax.plot([r["value"] for r in rows], [r["p_exceed"] for r in rows],
                color=colours[name], linewidth=2, label=label,
                drawstyle="steps-post")
    target = table.meta.get("target")
    if target is not None:
        ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.5)
        ax.text(target, 1.0, f" target {target:g}×", color=TARGET, fontsize=8,
                transform=ax.get_xaxis_transform(), va="bottom")
    if table.meta.get("log"):
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticks(unit))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(_axis_label(table.meta["output"]))
    ax.set_ylabel("Chance of at least this value")
    return _finish(fig, ax, table, legend="lower left")


def tornado_chart(table: Table) -> Figure:
    """Bars from the output at each input's low to its high, widest first, around the centre.

    Inputs that do not move the output are left out of the drawing (the table keeps them).
    """
    rows = [r for r in table.rows() if r["swing"] > 0][:MAX_BARS]
    fig = figure(9, 1.6 + 0.38 * max(len(rows), 1))
    ax = fig.subplots()
    unit, central = table.meta["unit"], float(table.meta["central"])
    labels = []
    for y, row in enumerate(rows):
        lo, hi = row["output_low"], row["output_high"]
        ax.barh(y, lo - central, left=central, color=PALETTE[0], height=0.7,
                label="input at its low" if y == 0 else None)
        ax.barh(y, hi - central, left=central, color=PALETTE[1], height=0.7,
                label="input at its high" if y == 0 else None)
        labels.append(_text(f"{row['label']}  [{format_value(row['input_low'], row['input_unit'])}"
                            f" – {format_value(row['input_high'], row['input_unit'])}]"))
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(central, color="black", linewidth=1)
    values = [central] + [r[k] for r in rows for k in ("output_low", "output_high")]
    positive = [v for v in values if v > 0]
    if positive and min(positive) == min(values) and max(values) / min(positive) > 10:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticks(unit))
    ax.set_xlabel(f"{_axis_label(table.meta['output'])}; centre "
                  f"{_text(format_value(central, unit))}")
    ax.spines[["top", "right"]].set_visible(False)
    if rows:
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    fig.suptitle(f"{table.title} ({table.meta['scenario']})", fontsize=12)
    caption(fig, table)
    return fig


def sobol_chart(table: Table) -> Figure:
    """First-order and total Sobol indices per input with 95 % intervals, largest ST first.

    Inputs with both indices zero (below 1e-9: rounding) are left out of the drawing (the
    table keeps them).
    """
    rows = [r for r in table.rows() if abs(r["ST"]) >= 1e-9 or abs(r["S1"]) >= 1e-9][:MAX_BARS]
    fig = figure(9, 1.6 + 0.42 * max(len(rows), 1))
    ax = fig.subplots()
    y = np.arange(len(rows))
    for offset, name, colour, title in ((-0.2, "S1", PALETTE[0], "first order (S1: alone)"),
                                        (0.2, "ST", PALETTE[1], "total (ST: with interactions)")):
        ax.barh(y + offset, [r[name] for r in rows], height=0.38, color=colour, label=title,
                xerr=[r[f"{name}_conf"] for r in rows], error_kw={"linewidth": 0.8})
    ax.set_yticks(y, [r["label"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, *(r["S1"] - r["S1_conf"] for r in rows)) if rows else 0.0,
                max(1.05, *(r["ST"] + r["ST_conf"] for r in rows)) if rows else 1.05)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Share of the output's variance")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    fig.suptitle(f"{table.title} ({table.meta['scenario']})", fontsize=12)
    caption(fig, table)
    return fig


def timeline_fan(table: Table) -> Figure:
    """P5–P95 and P50 of a quantity over time per scenario; the target marked."""
    fig = figure(10, 5)
    ax = fig.subplots()
    unit = table.meta.get("unit", "1")
    groups = _by(table.rows(), "scenario")
    colours = series_colours(groups)
    for name, rows in groups.items():
        colour = colours[name]
        x = [np.datetime64(r["date"]) for r in rows]
        ax.fill_between(x, [r["p5"] for r in rows], [r["p95"] for r in rows], color=colour,
                        alpha=0.25, linewidth=0, label=f"{name}: P5–P95")
        ax.plot(x, [r["p50"] for r in rows], color=colour, linewidth=2, label=f"{name}: P50")
    target = table.meta.get("target")
    if target is not None:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.5)
        ax.text(0.01, target, f"target {target:g}×", color=TARGET, fontsize=8,
                transform=ax.get_yaxis_transform(), va="bottom")
    values = [r[k] for r in table.rows() for k in ("p5", "p95") if r[k] > 0]
    if values and max(values) / min(values) > 10:
        ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ticks(unit))
    ax.set_ylabel(table.meta.get("label", "Value"))
    return _finish(fig, ax, table, legend="upper left")


def reach_probability_chart(table: Table) -> Figure:
    """P(target reached by each month) per scenario, a step curve, its P50 and P80 months marked."""
    fig = figure(10, 4.6)
    ax = fig.subplots()
    marks = table.meta.get("marks", {})
    groups = _by(table.rows(), "scenario")
    colours = series_colours(groups)
    for name, rows in groups.items():
        colour = colours[name]
        x = np.array([np.datetime64(r["date"], "M") for r in rows])
        ax.step(x, [r["p_reached_by"] for r in rows], where="post", color=colour,
                linewidth=2, label=name)
        for label, month in marks.get(name, {}).items():
            if month is None:
                continue
            share = int(label[1:]) / 100
            when = np.datetime64(month, "M")
            ax.plot([when, when], [0, share], color=colour, linestyle=":", linewidth=1.2)
            ax.plot([when], [share], marker="o", color=colour)
            ax.annotate(f"{label.upper()} {month}", (when, share), textcoords="offset points",
                        xytext=(6, -12), fontsize=8, color=colour)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(f"P({table.meta.get('target', 10):g}× reached by then)")
    return _finish(fig, ax, table, legend="upper left")


def conditional_p_chart(table: Table) -> Figure:
    """P(target) with each input pinned at its low and its high: bars around the unpinned P."""
    rows = [r for r in table.rows() if r["swing"] > 0][:MAX_BARS]
    fig = figure(9, 1.6 + 0.42 * max(len(rows), 1))
    ax = fig.subplots()
    central = float(table.meta["p_target"])
    for y, row in enumerate(reversed(rows)):
        low, high = row["p_low"], row["p_high"]
        ax.barh(y, low - central, left=central, color=PALETTE[4], height=0.6,
                label="input at its low" if y == 0 else None)
        ax.barh(y, high - central, left=central, color=PALETTE[0], height=0.6,
                label="input at its high" if y == 0 else None)
    ax.axvline(central, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)), [_text(r["label"]) for r in reversed(rows)], fontsize=8)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"P({table.meta.get('target', 10):g}× reached) — unpinned {central:.0%}")
    return _finish(fig, ax, table, legend="lower right", grid="x")
