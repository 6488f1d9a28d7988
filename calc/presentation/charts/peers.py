"""Declarations of the peers' charts: Cortex among the largest sites, and the largest site over
time.

Each site is named once — at its latest row, or at the latest one with room —
at a place next to its marker that no other name or marker takes
(:func:`calc.presentation.label_places.place_labels`, for the dashboard's plot
area); a name with no free place is listed in the notes.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from calc.analysis.run import Result
from calc.data.peers import PeersFile
from calc.data.scenarios import Library
from calc.presentation.chart_spec import (
    DASHED,
    DOTTED,
    STAR_AWAY,
    Axis,
    Chart,
    Key,
    Line,
    Mark,
    Panel,
    Point,
    Points,
    Rule,
    Segment,
    Segments,
)
from calc.presentation.colours import GRID, NEUTRAL, SCENARIO_STAR, TARGET, series_colours
from calc.presentation.formatting import format_value
from calc.presentation.label_places import DASHBOARD_PLOT, place_labels
from calc.presentation.tables.peers import (
    among_peers_table,
    largest_site_table,
    operators,
    unplotted,
)

__all__ = ["SCENARIOS", "among_chart", "largest_site_chart", "operator_colours",
           "short_operator"]

#: The legend's name of capcalc's scenarios among the peers (yellow stars).
SCENARIOS = "capcalc scenario"
#: Colours kept from operators: yellow marks the scenarios, black the trend line.
_NOT_FOR_OPERATORS = (SCENARIO_STAR, "#000000")
#: A marker's fill by the basis of its power figure.
_FILL = {"facility": 1.0, "unstated": 0.45, "it": 0.0}
_STATUS_KEYS = (Key("operational", "circle"), Key("planned", "diamond"))
#: The charts' plot heights on screen, px (their names are placed for them).
_AMONG_HEIGHT, _LARGEST_HEIGHT = 460, 380


def operator_colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per operator, in order of first appearance, however many there are:
    never the target's, the scenarios' yellow or the trend line's black.

    >>> operator_colours(["Tesla", "xAI", "Tesla"])
    {'Tesla': '#0072B2', 'xAI': '#E69F00'}
    """
    return series_colours(names, skip=_NOT_FOR_OPERATORS)


def short_operator(name: str) -> str:
    """``Crusoe (developer), Oracle (lessee)`` → ``Crusoe, Oracle``."""
    return ", ".join(part.split(" (")[0].strip() for part in name.split(","))


def _colours(peers: PeersFile, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    return operator_colours([short_operator(o) for o in operators(peers)]
                            + [short_operator(r["operator"]) for r in rows])


def _tooltip(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    power = row.get("power_mw")
    return tuple((name, text) for name, text in (
        ("site", str(row.get("site", ""))), ("date", str(row.get("date", ""))),
        ("status", str(row.get("status", ""))),
        ("power", format_value(float(power), "MW") + f" ({row.get('power_basis', '')})"
         if isinstance(power, int | float) else ""),
        ("H100e", format_value(float(row["h100_equivalents"]), "H100e")),
        ("H100e from", str(row.get("h100e_from", ""))),
        ("confidence", str(row.get("confidence", ""))), ("source", str(row.get("source", ""))))
        if text)


def _floors(rows: Sequence[dict[str, Any]], x: str, colours: dict[str, str]) -> Segments:
    """An arrow up from each H100e that is a floor ("at least")."""
    return Segments(tuple(
        Segment((float(r[x]), float(r[x])), (float(r["h100_equivalents"]),
                                             float(r["h100_equivalents"]) * 1.6),
                short_operator(r["operator"]), colours[short_operator(r["operator"])],
                arrow=True)
        for r in rows if r["h100e_bound"] == "at_least"), width=1.6)


def _target(baseline: Result | None, width: float) -> list[Rule]:
    """The baseline's target multiple of its H100e, as a line across the chart."""
    if baseline is None:
        return []
    target = baseline.scenario.inputs.target.compute_multiplier
    level = target * float(baseline.outputs["h100_equivalents"])
    name = f"target {target:g}× {baseline.name}: {format_value(level, 'H100e')} H100e"
    return [Rule("y", level, series=name, colour=TARGET, dash=DASHED, width=width,
                 label=name)]


def _widened(values: Sequence[float]) -> tuple[float, float]:
    """The range of a log axis over ``values``, 1.3× wider each way (the names' room)."""
    return min(values) / 1.3, max(values) * 1.3


Ranges = tuple[tuple[float, float], tuple[float, float]]


def _name_sites(sites: Sequence[Sequence[dict[str, Any]]], x: str, ranges: Ranges, *,
                height: int, log_x: bool = True) -> tuple[dict[int, str | None], list[str]]:
    """Where each site's name goes: ``sites`` are each site's rows that may carry its name,
    newest first, most important site first. Each site is named at its newest row
    (:func:`place_labels`); a site left without a free place there moves to an older row
    where it finds one and no other site loses its own. The sites still without one are
    returned, to be listed.

    Names are placed for the plot the screen draws: the dashboard's width and the
    panel's ``height`` (px); a scenario's star (``kind`` scenario) is larger, its name
    further from it (:data:`~calc.presentation.chart_spec.STAR_AWAY`).

    Returns the place of each chosen row (by ``id``) and the names left unwritten.
    """
    def placed(rows: Sequence[dict[str, Any]]) -> list[str | None]:
        return place_labels([(float(r[x]), float(r["h100_equivalents"]), str(r["label"]))
                             for r in rows], ranges=ranges, log_x=log_x,
                            plot=(DASHBOARD_PLOT[0], float(height)),
                            away=[STAR_AWAY if r.get("kind") == "scenario" else 1.0
                                  for r in rows])

    chosen = [rows[0] for rows in sites]
    places = placed(chosen)
    for i, rows in enumerate(sites):
        for row in rows[1:] if places[i] is None else ():
            trial = [*chosen[:i], row, *chosen[i + 1:]]
            moved = placed(trial)
            if moved[i] is not None and all(new is not None for new, old in
                                            zip(moved, places, strict=True) if old is not None):
                chosen, places = trial, moved
                break
    return ({id(r): p for r, p in zip(chosen, places, strict=True)},
            [str(r["label"]) for r, p in zip(chosen, places, strict=True) if p is None])


def _unlabelled(names: Sequence[str]) -> tuple[str, ...]:
    return (f"Unlabelled (no free place): {', '.join(names)}",) if names else ()


def among_chart(peers: PeersFile, library: Library, results: Sequence[Result] = (),
                baseline: Result | None = None) -> Chart:
    """Power against H100-equivalents, log–log: the peers by operator, capcalc's scenarios as
    stars, and the target.

    Filled markers are facility power, hollow ones IT power, faint ones a basis
    the source does not state; diamonds are planned sites; a bar spans every
    power figure the sources give for a row; rows of one site are joined in
    date order; an arrow marks an H100e that is a floor.
    """
    table = among_peers_table(peers, library, results, baseline)
    rows = table.rows()
    peer_rows = [r for r in rows if r["kind"] == "peer"]
    scenarios = [r for r in rows if r["kind"] == "scenario"]
    colours = _colours(peers, peer_rows)
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in peer_rows:
        by_site[row["label"]].append(row)
    newest = sorted(by_site.values(), key=lambda group: -float(
        max(group, key=lambda r: str(r["date"]))["h100_equivalents"]))
    rules = _target(baseline, 2.0)
    x_range = _widened([float(r[k]) for r in rows
                        for k in ("power_mw", "power_low_mw", "power_high_mw")])
    y_range = _widened([float(r["h100_equivalents"]) * (1.6 if r["h100e_bound"] == "at_least"
                                                        else 1.0) for r in rows]
                       + [float(rule.at) for rule in rules])
    place, crowded = _name_sites(
        [*([r] for r in scenarios),
         *(sorted(group, key=lambda r: str(r["date"]), reverse=True) for group in newest)],
        "power_mw", (x_range, y_range), height=_AMONG_HEIGHT)

    def op(row: dict[str, Any]) -> str:
        return short_operator(row["operator"])

    marks: list[Mark] = [
        Segments(tuple(Segment((float(r["power_low_mw"]), float(r["power_high_mw"])),
                               (float(r["h100_equivalents"]),) * 2, op(r), colours[op(r)])
                       for r in peer_rows if r["power_high_mw"] > r["power_low_mw"]),
                 width=3.0, opacity=0.35),
        Segments(tuple(Segment((float(a["power_mw"]), float(b["power_mw"])),
                               (float(a["h100_equivalents"]), float(b["h100_equivalents"])),
                               op(a), colours[op(a)])
                       for group in by_site.values()
                       for a, b in itertools.pairwise(sorted(group, key=lambda r: r["date"]))),
                 width=1.0, opacity=0.6),
        Points(tuple(Point(float(r["power_mw"]), float(r["h100_equivalents"]), op(r),
                           colours[op(r)],
                           shape="diamond" if r["status"] == "planned" else "circle",
                           fill=_FILL.get(r["power_basis"], 1.0), label=str(r["label"]),
                           place=place.get(id(r)),
                           tooltip=_tooltip(r))
                     for r in peer_rows), size=90),
        _floors(peer_rows, "power_mw", colours),
        *rules,
    ]
    if scenarios:
        marks.append(Points(tuple(
            Point(float(r["power_mw"]), float(r["h100_equivalents"]), SCENARIOS, SCENARIO_STAR,
                  shape="star", label=str(r["label"]), place=place[id(r)],
                  tooltip=(("scenario", str(r["label"])),
                           ("facility power", format_value(float(r["power_mw"]), "MW")),
                           ("H100e", format_value(float(r["h100_equivalents"]), "H100e"))))
            for r in scenarios), size=320, edge="#000000", bold=True))
    missing = unplotted(peers, library)
    panel = Panel(Axis("Power, as published", "MW", log=True, domain=x_range),
                  Axis("H100-equivalents", "H100e", log=True, domain=y_range), tuple(marks),
                  height=_AMONG_HEIGHT)
    return Chart(table, (panel,), keys=(
        *_STATUS_KEYS, Key("facility power", fill=1.0), Key("IT power", fill=0.0),
        Key("basis not stated", fill=0.45)),
        notes=(*((f"Not drawn: {'; '.join(missing)}",) if missing else ()),
               *_unlabelled(crowded)))


def largest_site_chart(peers: PeersFile, library: Library, baseline: Result | None = None,
                       until_year: float | None = None) -> Chart:
    """Site size (H100e, log) against date: every row, the running record, Epoch AI's trend
    and the one fitted to the records, and the target.

    The records, the sites of the story's operator in focus (``library.story.operator``)
    and the planned sites are named,
    each once (at its latest such row with room) and in that order of precedence,
    where no other name or marker is.
    """
    table = largest_site_table(peers, library, until_year,
                               baseline.name if baseline is not None else "")
    focus = library.story.operator
    rows = table.rows()
    peer_rows = [r for r in rows if r["series"] == "peer"]
    colours = _colours(peers, peer_rows)
    named: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in peer_rows:
        if row["record"] or row["status"] == "planned" or row["operator"] == focus:
            named[row["label"]].insert(0, row)  # newest first: the rows come by date

    def precedence(rows: Sequence[dict[str, Any]]) -> tuple[int, float]:
        rank = 0 if rows[0]["record"] else 1 if rows[0]["operator"] == focus else 2
        return rank, -float(rows[0]["h100_equivalents"])

    years = [float(r["year"]) for r in rows]
    rules = _target(baseline, 1.5)
    x_range = (min(years) - 0.5, max(years) + 0.5)
    y_range = _widened([float(r["h100_equivalents"]) * (1.6 if r.get("h100e_bound") ==
                                                        "at_least" else 1.0) for r in rows]
                       + [float(rule.at) for rule in rules])
    place, crowded = _name_sites(sorted(named.values(), key=precedence), "year",
                                 (x_range, y_range), height=_LARGEST_HEIGHT, log_x=False)
    marks: list[Mark] = [
        Points(tuple(Point(float(r["year"]), float(r["h100_equivalents"]),
                           short_operator(r["operator"]),
                           colours[short_operator(r["operator"])],
                           shape="diamond" if r["status"] == "planned" else "circle",
                           fill=0.0 if r["status"] == "planned" else 1.0,
                           label=str(r["label"]), place=place.get(id(r)),
                           tooltip=_tooltip(r)) for r in peer_rows), size=70),
        _floors(peer_rows, "year", colours),
    ]
    records = [r for r in peer_rows if r["record"]]
    if records:
        marks.append(Line("record among these sites", GRID,
                          (*(float(r["year"]) for r in records), max(years)),
                          (*(float(r["h100_equivalents"]) for r in records),
                           float(records[-1]["h100_equivalents"])), step=True, width=1.5))
    for series, colour, dash in (("trend", "#000000", DASHED), ("fit", NEUTRAL, DOTTED)):
        line = [r for r in rows if r["series"] == series]
        if line:
            marks.append(Line(str(line[0]["label"]), colour,
                              tuple(float(r["year"]) for r in line),
                              tuple(float(r["h100_equivalents"]) for r in line), dash=dash))
    marks += rules
    panel = Panel(Axis("Year", kind="year", domain=x_range),
                  Axis("Size of the site, H100-equivalents", "H100e", log=True,
                       domain=y_range), tuple(marks), height=_LARGEST_HEIGHT)
    return Chart(table, (panel,), keys=(Key("operational", "circle"),
                                        Key("planned", "diamond", fill=0.0)),
                 notes=_unlabelled(crowded))
