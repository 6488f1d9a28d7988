"""Charts of the peers: Cortex among the largest sites, and the largest site over time."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator

from calc.presentation.charts._style import caption, figure, ticks
from calc.presentation.colours import PALETTE, SCENARIO_STAR, TARGET, series_colours
from calc.presentation.formatting import format_value
from calc.presentation.label_places import PLACES, place_labels
from calc.presentation.tables import Table

__all__ = ["among_peers", "largest_site_timeline", "operator_colours", "short_operator"]

_FILL = {"facility": "full", "it": "none", "unstated": "left"}
#: Colours kept from operators: yellow marks the scenarios, black the trend line.
_NOT_FOR_OPERATORS = (SCENARIO_STAR, "#000000")


def operator_colours(operators: list[str]) -> dict[str, str]:
    """One colour per operator, in order of first appearance, however many there are:
    never the target's, the scenarios' yellow or the trend line's black.

    >>> operator_colours(["Tesla", "xAI", "Tesla"])
    {'Tesla': '#0072B2', 'xAI': '#E69F00'}
    """
    return series_colours(operators, skip=_NOT_FOR_OPERATORS)


def short_operator(name: str) -> str:
    """``Crusoe (developer), Oracle (lessee)`` → ``Crusoe, Oracle``."""
    return ", ".join(part.split(" (")[0].strip() for part in name.split(","))


def _name_marks(ax: Axes, marks: list[tuple[float, float, str, bool]], *,
                log_x: bool = True) -> list[str]:
    """Write each mark's name beside it where no other name or mark is (:func:`place_labels`,
    as the dashboard does); ``marks`` are ``(x, y, name, bold)``, most important first.
    A bold name is always written; the others with no free place are returned.

    Call once the axes have their scales and every mark: names are placed for the axes'
    limits and size then.
    """
    box = ax.get_window_extent()
    places = place_labels([(x, y, name) for x, y, name, _bold in marks],
                          plot=(box.width, box.height), ranges=(ax.get_xlim(), ax.get_ylim()),
                          log_x=log_x)
    to_points = 72 / ax.figure.dpi
    offsets = {name: (dx * to_points, -dy * to_points, align) for name, dx, dy, align in PLACES}
    crowded = []
    for (x, y, name, bold), place in zip(marks, places, strict=True):
        if place is None and not bold:
            crowded.append(name)
            continue
        dx, dy, align = offsets[place or "right"]
        away = 1.6 if bold else 1.0  # clear of a scenario's star, larger than a marker
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(dx * away, dy * away),
                    ha=align, va="center", fontsize=8 if bold else 7.5,
                    color="black" if bold else "#222222",
                    fontweight="bold" if bold else "normal", zorder=5)
    return crowded


def _unlabelled_note(crowded: list[str]) -> str:
    return f"Unlabelled (no free place): {', '.join(crowded)}" if crowded else ""


def among_peers(table: Table) -> Figure:
    """Power against H100-equivalents, log–log: the peers, the scenarios and the target.

    Filled markers are facility power, hollow ones IT power, half-filled ones a
    basis the source does not state; a horizontal bar spans every power figure
    the sources give for a row; rows of one site are joined in date order; an
    arrow marks an H100e that is a floor.
    """
    fig = figure(11, 6.6)
    ax = fig.subplots()
    rows = table.rows()
    peers = [r for r in rows if r["kind"] == "peer"]
    colours = operator_colours([short_operator(o) for o in table.meta.get("operators", [])]
                               + [short_operator(r["operator"]) for r in peers])
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in peers:
        by_label[row["label"]].append(row)
    for group in by_label.values():
        group.sort(key=lambda r: r["date"])
        colour = colours[short_operator(group[0]["operator"])]
        if len(group) > 1:
            ax.plot([r["power_mw"] for r in group], [r["h100_equivalents"] for r in group],
                    color=colour, linewidth=0.8, alpha=0.6, zorder=1)
        for row in group:
            if row["power_high_mw"] > row["power_low_mw"]:
                ax.plot([row["power_low_mw"], row["power_high_mw"]],
                        [row["h100_equivalents"]] * 2, color=colour, linewidth=2.2,
                        alpha=0.35, solid_capstyle="butt", zorder=1)
            ax.plot([row["power_mw"]], [row["h100_equivalents"]],
                    marker="D" if row["status"] == "planned" else "o", markersize=7,
                    color=colour, fillstyle=_FILL.get(row["power_basis"], "full"),
                    markeredgewidth=1.3, linestyle="none", zorder=3)
            if row["h100e_bound"] == "at_least":
                ax.annotate("", xy=(row["power_mw"], row["h100_equivalents"] * 1.6),
                            xytext=(row["power_mw"], row["h100_equivalents"]),
                            arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.2})
    scenarios = [r for r in rows if r["kind"] == "scenario"]
    for row in scenarios:
        ax.plot([row["power_mw"]], [row["h100_equivalents"]], marker="*", markersize=16,
                markerfacecolor=SCENARIO_STAR, markeredgecolor="black", markeredgewidth=1.2,
                linestyle="none", zorder=4)
    target = table.meta.get("target_h100e")
    if target:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.5, zorder=2)
        ax.text(0.01, target, f" target: {table.meta['target']:g}× {table.meta['baseline']} "
                f"= {format_value(target, 'H100e')} H100e", color=TARGET, fontsize=8,
                va="bottom", transform=ax.get_yaxis_transform())
    ax.set_xscale("log")
    ax.set_yscale("log")
    sites = sorted((group[-1] for group in by_label.values()),
                   key=lambda r: -float(r["h100_equivalents"]))
    crowded = _name_marks(ax, [(float(r["power_mw"]), float(r["h100_equivalents"]),
                                str(r["label"]), r["kind"] == "scenario")
                               for r in [*scenarios, *sites]])
    ax.set_xlabel("Power, as published (MW)")
    ax.set_ylabel("H100-equivalents")
    ax.xaxis.set_major_formatter(ticks("MW"))
    ax.yaxis.set_major_formatter(ticks("H100e"))
    ax.grid(True, which="major", linewidth=0.4, alpha=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    handles: list[Any] = [Line2D([], [], marker="o", color=c, linestyle="none", label=name)
                          for name, c in colours.items()]
    handles += [
        Line2D([], [], marker="o", color="#555555", fillstyle="full", linestyle="none",
               label="facility power"),
        Line2D([], [], marker="o", color="#555555", fillstyle="none", linestyle="none",
               label="IT power"),
        Line2D([], [], marker="o", color="#555555", fillstyle="left", linestyle="none",
               label="basis not stated"),
        Line2D([], [], marker="D", color="#555555", linestyle="none", label="planned"),
        Line2D([], [], color="#555555", linewidth=2.2, alpha=0.35,
               label="range of published power"),
    ]
    if scenarios:
        handles.append(Line2D([], [], marker="*", markersize=12,
                              markerfacecolor=SCENARIO_STAR, markeredgecolor="black",
                              linestyle="none", label="capcalc scenario"))
    fig.legend(handles=handles, fontsize=8, loc="outside right center", frameon=False)
    notes = [f"Not drawn:\n{chr(10).join(table.meta['not_drawn'])}"
             if table.meta.get("not_drawn") else "",
             _unlabelled_note(crowded)]
    if any(notes):
        ax.text(0.01, 0.99, "\n".join(note for note in notes if note),
                transform=ax.transAxes, fontsize=6.5, color="#555555", ha="left", va="top")
    fig.suptitle(table.title, fontsize=12)
    caption(fig, table)
    return fig


def largest_site_timeline(table: Table) -> Figure:
    """Site size (H100e, log) against date: every row, the running record and the trends.

    The records, the planned sites and the focus operator's sites are named, each
    once (at its latest such row), where no other name or mark is.
    """
    fig = figure(11, 5.8)
    ax = fig.subplots()
    rows = table.rows()
    peers = [r for r in rows if r["series"] == "peer"]
    colours = operator_colours([short_operator(o) for o in table.meta.get("operators", [])]
                               + [short_operator(r["operator"]) for r in peers])
    named: dict[str, dict[str, Any]] = {}  # each site named once, at its latest mark shown
    for row in peers:
        colour = colours[short_operator(row["operator"])]
        ax.plot([row["year"]], [row["h100_equivalents"]],
                marker="D" if row["status"] == "planned" else "o", markersize=6.5,
                color=colour, fillstyle="none" if row["status"] == "planned" else "full",
                markeredgewidth=1.3, linestyle="none", zorder=3)
        if row["h100e_bound"] == "at_least":
            ax.annotate("", xy=(row["year"], row["h100_equivalents"] * 1.6),
                        xytext=(row["year"], row["h100_equivalents"]),
                        arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.2})
        if (row["record"] or row["status"] == "planned"
                or row["operator"] == table.meta.get("focus")):
            named[row["label"]] = row
    records = [r for r in peers if r["record"]]
    if records:
        xs = [r["year"] for r in records]
        ys = [r["h100_equivalents"] for r in records]
        ax.step([*xs, max(r["year"] for r in peers)], [*ys, ys[-1]], where="post",
                color="#777777", linewidth=1, zorder=2, label="record among these sites")
    for series, colour, dash in (("trend", "black", "--"), ("fit", PALETTE[2], ":")):
        line = [r for r in rows if r["series"] == series]
        if line:
            ax.plot([r["year"] for r in line], [r["h100_equivalents"] for r in line],
                    color=colour, linestyle=dash, linewidth=1.6, label=line[0]["label"],
                    zorder=2)
    target = table.meta.get("target_h100e")
    if target:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.2)
        ax.text(0.01, target, f" {table.meta['target']:g}× {table.meta['baseline']}",
                color=TARGET, fontsize=8, va="bottom", transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    sites = sorted(named.values(), key=lambda r: -float(r["h100_equivalents"]))
    crowded = _name_marks(ax, [(float(r["year"]), float(r["h100_equivalents"]), str(r["label"]),
                                False) for r in sites], log_x=False)
    if crowded:
        ax.text(0.01, 0.99, _unlabelled_note(crowded), transform=ax.transAxes, fontsize=6.5,
                color="#555555", ha="left", va="top")
    ax.yaxis.set_major_formatter(ticks("H100e"))
    ax.xaxis.set_major_locator(MultipleLocator(1))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))
    ax.set_xlabel("Date")
    ax.set_ylabel("H100-equivalents (size of the site)")
    ax.grid(True, which="major", linewidth=0.4, alpha=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    handles, _labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], marker="o", color=c, linestyle="none", label=name)
                for name, c in colours.items()]
    handles.append(Line2D([], [], marker="D", color="#555555", fillstyle="none",
                          linestyle="none", label="planned"))
    fig.legend(handles=handles, fontsize=8, loc="outside right center", frameon=False)
    fig.suptitle(table.title, fontsize=12)
    caption(fig, table)
    return fig
