"""The data behind the peers charts and table: the sites as published, and the story's site
among them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from calc.analysis.calibration import model_h100e
from calc.analysis.run import Result
from calc.analysis.site_records import fit_doubling, record_flags, trend_h100e
from calc.core.constants import CURRENCY
from calc.core.version import __version__
from calc.data.peers import (
    Figure,
    Peer,
    PeersFile,
    PowerFigure,
    decimal_year,
    figure_confidence,
    figure_source,
    weakest,
)
from calc.data.scenarios import Library
from calc.presentation.formatting import format_value
from calc.presentation.tables.base import Table

__all__ = ["among_peers_table", "chips_text", "largest_site_table", "operators",
           "peers_table", "unplotted"]


def chips_text(peer: Peer) -> str:
    """The accelerators of a row in words: ``150k H100 + 50k H200``."""
    if not peer.accelerators:
        return "not published"
    parts = []
    for component in peer.accelerators:
        text = f"{format_value(component.count, 'accelerator')} {component.chip}"
        if component.count_alternatives:
            text += " (or " + ", ".join(format_value(f.value, "accelerator")
                                        for f in component.count_alternatives) + ")"
        parts.append(text)
    return " + ".join(parts)


def _figure_text(figure: Figure, unit: str) -> str:
    mark = {"at_least": "≥ ", "at_most": "≤ ", None: ""}[figure.bound]
    text = mark + format_value(figure.value, unit)
    if isinstance(figure, PowerFigure):
        text += {"facility": "", "it": " IT", "unstated": " (basis not stated)"}[figure.basis]
    return text



def peers_table(peers: PeersFile, library: Library | None = None) -> Table:
    """One row per peer: chips, primary figures, alternatives, sources and confidence."""
    columns: dict[str, list[Any]] = {k: [] for k in (
        "id", "site", "operator", "user", "location", "date", "status", "accelerators",
        "power_mw", "power_basis", "h100_equivalents", "capex_usd", "other_figures",
        "confidence", "source", "note")}
    for peer in peers.peers:
        power = peer.power_mw[0] if peer.power_mw else None
        h100e = peer.h100_equivalents[0] if peer.h100_equivalents else None
        capex = peer.capex_usd_2025[0] if peer.capex_usd_2025 else None
        others = [
            f"{_figure_text(f, unit)} ({figure_source(peer, f)}"
            f"{', ' + f.as_of if f.as_of else ''})"
            for figures, unit in ((peer.power_mw, "MW"), (peer.h100_equivalents, "H100e"),
                                  (peer.capex_usd_2025, CURRENCY))
            for f in figures[1:]
        ]
        columns["id"].append(peer.id)
        columns["site"].append(peer.site)
        columns["operator"].append(peer.operator)
        columns["user"].append(peer.user or "")
        columns["location"].append(peer.location or "")
        columns["date"].append(peer.date)
        columns["status"].append(peer.status)
        columns["accelerators"].append(chips_text(peer))
        columns["power_mw"].append(power.value if power else None)
        columns["power_basis"].append(power.basis if power else "")
        columns["h100_equivalents"].append(h100e.value if h100e else None)
        columns["capex_usd"].append(capex.value if capex else None)
        columns["other_figures"].append(" | ".join(others))
        columns["confidence"].append(peer.confidence)
        columns["source"].append(peer.source)
        columns["note"].append(peer.note or "")
    return Table(
        name="peers",
        title="The largest AI training sites, as published",
        columns=columns,
        units={"power_mw": "MW", "h100_equivalents": "H100e", "capex_usd": CURRENCY},
        caption=(f"Primary figures of peers.yaml; other_figures lists what other sources say · "
                 f"H100e = dense 8-bit FLOP/s ÷ 1.979e15 · capcalc {__version__}"),
    )


def _h100e(peers: PeersFile, library: Library, peer: Peer) -> tuple[float | None, str, str]:
    """A row's H100e, where it comes from and its bound: the primary published figure, else
    the H100e of its chip count (None when neither is known)."""
    if peer.h100_equivalents:
        return (peer.h100_equivalents[0].value, "published",
                peer.h100_equivalents[0].bound or "")
    return model_h100e(library, peers, peer), "chip count", ""


def unplotted(peers: PeersFile, library: Library) -> list[str]:
    """The rows the power–H100e chart cannot place (no power or no H100e), each in words."""
    out = []
    for peer in peers.peers:
        if not peer.power_mw or _h100e(peers, library, peer)[0] is None:
            missing = "power" if not peer.power_mw else "H100e"
            out.append(f"{peer.label} ({peer.date}: no published {missing})")
    return out


def among_peers_table(peers: PeersFile, library: Library, results: Sequence[Result] = (),
                      baseline: Result | None = None) -> Table:
    """Power against H100-equivalents for every peer, the scenarios and the target.

    Peers are drawn at their primary power (as published, on its basis) and
    primary H100e; a row without a published H100e takes the H100e of its chip
    count (``h100e_from`` says which). ``power_low``/``power_high`` span every
    power figure the sources give. Rows with neither power nor H100e are left
    out (:func:`unplotted` lists them).
    """
    columns: dict[str, list[Any]] = {k: [] for k in (
        "kind", "label", "site", "operator", "date", "status", "power_mw", "power_basis",
        "power_low_mw", "power_high_mw", "h100_equivalents", "h100e_from", "h100e_bound",
        "confidence", "source")}

    def add(**row: Any) -> None:
        for key in columns:
            columns[key].append(row.get(key, ""))

    for peer in peers.peers:
        power = peer.power_mw[0] if peer.power_mw else None
        h100e, h100e_from, bound = _h100e(peers, library, peer)
        if power is None or h100e is None:
            continue
        values = [f.value for f in peer.power_mw]
        add(kind="peer", label=peer.label, site=peer.site, operator=peer.operator,
            date=peer.date, status=peer.status, power_mw=power.value, power_basis=power.basis,
            power_low_mw=min(values), power_high_mw=max(values), h100_equivalents=h100e,
            h100e_from=h100e_from, h100e_bound=bound,
            confidence=weakest(peer.confidence, figure_confidence(peer, power)),
            source=figure_source(peer, power))
    for result in results:
        o = result.outputs
        add(kind="scenario", label=result.name, site=result.scenario.title, operator="capcalc",
            date="", status="scenario", power_mw=o["facility_power_mw"], power_basis="facility",
            power_low_mw=o["facility_power_mw"], power_high_mw=o["facility_power_mw"],
            h100_equivalents=o["h100_equivalents"], h100e_from="model", h100e_bound="",
            confidence="model", source="capcalc")
    extra = "peers at their primary published power (filled: facility, hollow: IT, " \
            "half: basis not stated)"
    if baseline is not None:
        target = baseline.scenario.inputs.target.compute_multiplier
        extra += f"; target {target:g}× {baseline.name}'s H100e at the same MFU and precision"
    names = [r.name for r in results]
    site = library.story.site or "The scenarios"
    return Table(
        name="-".join([*re.findall(r"[a-z0-9]+", site.lower()), "among-peers"]),
        title=f"{site} among peers: power and H100-equivalents",
        columns=columns,
        units={"power_mw": "MW", "power_low_mw": "MW", "power_high_mw": "MW",
               "h100_equivalents": "H100e"},
        caption=(f"Sources: peers.yaml (Epoch AI and others; see the peers table) · {extra} · "
                 f"scenarios: {', '.join(names) or 'none'} · H100e = dense 8-bit FLOP/s ÷ "
                 f"1.979e15 · capcalc {__version__}"),
    )


def operators(peers: PeersFile) -> list[str]:
    """Operators in order of first appearance in the file (charts colour them in this order)."""
    return list(dict.fromkeys(peer.operator for peer in peers.peers))


def largest_site_table(peers: PeersFile, library: Library,
                       until_year: float | None = None, baseline: str = "") -> Table:
    """Site size (H100e) against date, the running record, Epoch's trend and a fitted one.

    ``series`` is ``peer`` for the rows, ``trend`` for Epoch's doubling time
    drawn from the anchor row, and ``fit`` for a least-squares line through the
    operational rows that set a new record from the anchor's date on. The
    caption names ``baseline``, the scenario the chart's target is drawn from.
    """
    rows: list[dict[str, Any]] = []
    for peer in peers.peers:
        h100e, h100e_from, bound = _h100e(peers, library, peer)
        if h100e is None:
            continue
        rows.append({"series": "peer", "label": peer.label, "site": peer.site,
                     "operator": peer.operator, "date": peer.date,
                     "year": decimal_year(peer.date), "status": peer.status,
                     "h100_equivalents": h100e, "h100e_from": h100e_from, "h100e_bound": bound,
                     "record": False, "confidence": peer.confidence, "source": peer.source})
    rows.sort(key=lambda r: r["year"])
    flags = record_flags([r["h100_equivalents"] for r in rows],
                         [r["status"] == "operational" for r in rows])
    for row, record in zip(rows, flags, strict=True):
        row["record"] = record
    trend = peers.trend
    anchor = next(r for r in rows if r["label"] == peers.peer(trend.anchor).label
                  and r["date"] == peers.peer(trend.anchor).date)
    months = trend.record_compute_doubling_months.value
    end = until_year or max(r["year"] for r in rows) + 0.25
    start = anchor["year"]
    for year in (start, end):
        rows.append({"series": "trend", "label": f"Epoch: doubling every {months:g} months",
                     "year": year, "h100_equivalents": trend_h100e(
                         anchor["h100_equivalents"], start, year, months)})
    records = [r for r in rows if r.get("record") and r["year"] >= start]
    fit = fit_doubling([r["year"] for r in records], [r["h100_equivalents"] for r in records])
    if fit is not None:
        for year in (start, end):
            rows.append({"series": "fit",
                         "label": f"fit to {fit.records} records: doubling every "
                                  f"{fit.months:.1f} months",
                         "year": year, "h100_equivalents": fit.h100e(year)})
    names = ("series", "label", "site", "operator", "date", "year", "status",
             "h100_equivalents", "h100e_from", "h100e_bound", "record", "confidence", "source")
    columns = {name: [row.get(name, "") for row in rows] for name in names}
    return Table(
        name="largest-site-timeline",
        title="The largest AI training sites over time",
        columns=columns,
        units={"year": "year", "h100_equivalents": "H100e"},
        caption=(f"Sources: peers.yaml; trend: Epoch AI, record single-site compute doubles "
                 f"every ~{months:g} months ({trend.record_compute_doubling_months.source}), "
                 f"drawn from {trend.anchor} · records among the sites listed, operational only · "
                 + (f"target from scenario {baseline} · " if baseline else "")
                 + f"capcalc {__version__}"),
    )
