"""Charts of static scenarios: comparison with the baseline, power → compute, cost."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from calc.core.vocabulary import OUTPUTS
from calc.data.units import format_unit
from calc.presentation.charts._style import caption, figure, ticks
from calc.presentation.colours import TARGET, series_colours
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table

__all__ = ["cost_breakdown", "power_to_compute", "scenario_comparison"]


def scenario_comparison(table: Table) -> Figure:
    """Bars of key outputs per scenario; the baseline hatched, the target multiple drawn."""
    fig = figure(10, 6.2)
    axes = fig.subplots(2, 2)
    by_output: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in table.rows():
        by_output[row["output"]].append((row["scenario"], row["value"]))
    baseline = table.meta.get("baseline")
    for ax, (output, items) in zip(axes.flat, by_output.items(), strict=False):
        names = [n for n, _ in items]
        values = [v for _, v in items]
        colours = series_colours(names)
        bars = ax.barh(names, values, color=[colours[n] for n in names])
        for bar, name in zip(bars, names, strict=True):
            if name == baseline:
                bar.set_hatch("//")
                bar.set_edgecolor("white")
        unit = OUTPUTS[output].unit
        ax.set_title(f"{OUTPUTS[output].title}" + (f" ({format_unit(unit)})"
                                                    if format_unit(unit) else ""), fontsize=10)
        ax.xaxis.set_major_formatter(ticks(unit))
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[format_value(v, unit) for v in values], padding=3, fontsize=8)
        ax.margins(x=0.25)
        if output == "compute_multiple":
            target = float(table.meta["target"])
            ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.5)
            ax.text(target, 1.0, f" target {target:g}×", color=TARGET, fontsize=8,
                    transform=ax.get_xaxis_transform(), va="bottom")
            ax.set_xlim(0, max(max(values), target) * 1.3)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(table.title + (f" (hatched: {baseline})" if baseline else ""), fontsize=12)
    caption(fig, table)
    return fig


def power_to_compute(table: Table) -> Figure:
    """H100-equivalents and effective FLOP/s against facility power, per accelerator, log–log."""
    fig = figure(11, 5.2)
    ax_h, ax_f = fig.subplots(1, 2)
    series: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in table.rows():
        for key in ("facility_power_mw", "h100_equivalents", "effective_flop_per_s"):
            series[row["accelerator"]][key].append(row[key])
    points: list[dict[str, Any]] = list(table.meta.get("points", []))
    colours = series_colours(series)
    for i, (name, data) in enumerate(series.items()):
        style = {"color": colours[name], "linestyle": ("-", "--", ":")[i // 7 % 3]}
        width = 2.6 if name == table.meta.get("accelerator") else 1.4
        ax_h.plot(data["facility_power_mw"], data["h100_equivalents"], label=name,
                  linewidth=width, **style)
        ax_f.plot(data["facility_power_mw"], data["effective_flop_per_s"], label=name,
                  linewidth=width, **style)
    for ax, key, unit in ((ax_h, "h100_equivalents", "H100e"),
                          (ax_f, "effective_flop_per_s", "FLOP/s")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("Facility power")
        ax.xaxis.set_major_formatter(ticks("MW"))
        ax.yaxis.set_major_formatter(ticks(unit))
        for mark in table.meta.get("marks_mw", []):
            ax.axvline(mark, color="#777777", linewidth=0.8, linestyle=":")
            ax.text(mark, 0.01, f" {format_value(mark, 'MW')}", transform=ax.get_xaxis_transform(),
                    fontsize=8, color="#555555")
        for j, point in enumerate(points):
            ax.plot([point["facility_power_mw"]], [point[key]], marker="os^Dv"[j % 5],
                    markersize=8, markerfacecolor="none", markeredgecolor="black",
                    markeredgewidth=1.6, linestyle="none", label=point["label"])
        ax.grid(True, which="major", linewidth=0.4, alpha=0.5)
        ax.spines[["top", "right"]].set_visible(False)
    ax_h.set_ylabel("H100-equivalents")
    ax_f.set_ylabel("Effective training FLOP/s")
    target_flop = table.meta.get("target_effective_flop_per_s")
    if target_flop:
        ax_f.axhline(target_flop, color=TARGET, linestyle="--", linewidth=1.5)
        ax_f.text(0.99, target_flop, f"target: {table.meta['target']:g}× baseline",
                  color=TARGET, transform=ax_f.get_yaxis_transform(), va="bottom",
                  ha="right", fontsize=8)
    fig.legend(*ax_f.get_legend_handles_labels(), fontsize=8, loc="outside right center",
               frameon=False)
    fig.suptitle(table.title, fontsize=12)
    caption(fig, table)
    return fig


def cost_breakdown(table: Table) -> Figure:
    """Stacked bars: capex by part and yearly cost by part, per scenario."""
    fig = figure(11, 4.8)
    axes = fig.subplots(1, 2)
    for ax, kind, title in ((axes[0], "capex", "Capex"),
                            (axes[1], "annual", "Yearly cost (amortised + electricity)")):
        rows = [r for r in table.rows() if r["kind"] == kind]
        scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
        parts = list(dict.fromkeys(r["part"] for r in rows))
        left = [0.0] * len(scenarios)
        colours = series_colours(parts)
        for part in parts:
            values = [next(r["usd"] for r in rows if r["scenario"] == s and r["part"] == part)
                      for s in scenarios]
            ax.barh(scenarios, values, left=left, label=part, color=colours[part])
            left = [a + b for a, b in zip(left, values, strict=True)]
        for y, total in enumerate(left):
            ax.text(total, y, " " + format_value(total, "USD_2025"), va="center", fontsize=8)
        ax.invert_yaxis()
        ax.margins(x=0.2)
        ax.set_title(f"{title}, {format_unit('USD_2025')}", fontsize=10)
        ax.xaxis.set_major_formatter(ticks("USD_2025"))
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1),
                  ncol=3)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(table.title, fontsize=12)
    caption(fig, table)
    return fig
