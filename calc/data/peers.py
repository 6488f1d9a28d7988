"""The peers dataset: the largest AI training sites as published, validated, and charted.

``peers.yaml`` lists sites such as xAI's Colossus, Stargate Abilene or Meta's
Prometheus, one row per site and date, each figure with its source and
confidence. Where sources disagree, a row keeps every figure: the first of
each list is the primary one, the others are alternatives. This module reads
and checks the file (a strict, frozen pydantic model, like the assumptions)
and builds the tables behind the peers charts; :mod:`calc.analysis.calibration`
compares the model against the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, StrictStr, ValidationError, model_validator

from calc import __version__
from calc.core.errors import CapcalcError
from calc.data.io import load_yaml, parse_yaml
from calc.data.resources import PEERS, shipped_bytes
from calc.data.schema import AsOf, Frozen, Text
from calc.presentation.tables import Table

if TYPE_CHECKING:
    from calc.analysis.run import Result
    from calc.data.assumptions import Accelerator
    from calc.data.scenarios import Library

__all__ = [
    "ChipSpec",
    "Component",
    "Figure",
    "Peer",
    "PeersFile",
    "PowerFigure",
    "among_peers_table",
    "check_chips",
    "decimal_year",
    "figure_confidence",
    "figure_source",
    "largest_site_table",
    "load_peers",
    "parse_peers",
    "peers_table",
    "schema_text",
    "source_links",
]

logger = logging.getLogger(__name__)


Confidence = Literal["confirmed", "secondary", "unconfirmed"]
Basis = Literal["facility", "it", "unstated"]
Bound = Literal["at_least", "at_most"]
Positive = Annotated[float, Field(strict=False, gt=0, allow_inf_nan=False)]
PeerId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
ChipName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")]
Label = Annotated[StrictStr, Field(min_length=1, max_length=40)]
InformsKey = Annotated[
    str, Field(pattern=r"^(catalog\.[A-Za-z0-9_.+-]+\.[a-z0-9_]+|[a-z]+\.[a-z0-9_]+)$")]

#: Order of confidence, strongest first.
CONFIDENCE_ORDER: tuple[str, ...] = ("confirmed", "secondary", "unconfirmed")


class Figure(Frozen):
    """One published figure; source, date and confidence default to its row's."""

    value: Positive = Field(description="The figure in the unit its list names.")
    bound: Bound | None = Field(
        None, description="`at_least` for 'more than', `at_most` for 'up to'; none for a value.")
    source: Text | None = Field(None, description="URL(s), ` ; `-separated; default: the row's.")
    as_of: AsOf | None = Field(None, description="Date the figure describes; default: the row's.")
    confidence: Confidence | None = Field(None, description="Default: the row's confidence.")
    note: Text | None = Field(None, description="What the figure covers; how it was derived.")


class PowerFigure(Figure):
    """A published power figure, MW, with what it measures."""

    basis: Basis = Field(description="`facility` (grid draw), `it` (IT load) or `unstated`.")


class Component(Frozen):
    """One kind of chip at a site and how many."""

    chip: ChipName = Field(description="A catalog accelerator, or a chip under `chips:`.")
    count: Positive = Field(description="Number of chips (the primary figure).")
    source: Text | None = Field(None, description="Default: the row's source.")
    as_of: AsOf | None = None
    confidence: Confidence | None = Field(None, description="Default: the row's confidence.")
    note: Text | None = None
    count_alternatives: tuple[Figure, ...] = Field(
        (), description="Counts other sources give for the same chips.")


class SourcedValue(Frozen):
    """A number with its source, date, confidence and the reasoning behind it."""

    value: Positive
    source: Text
    as_of: AsOf
    confidence: Confidence
    note: Text | None = None


class ChipSpec(Frozen):
    """A chip not in the accelerator catalog, with the figures its sources state.

    A figure left out makes the outputs that need it unavailable (n/a) rather
    than filled in with a guess.
    """

    name: Text
    vendor: Text
    tdp_w: SourcedValue | None = Field(None, description="Board power, W.")
    bf16_flop_per_s: SourcedValue | None = Field(None, description="Dense BF16 peak, FLOP/s.")
    fp8_flop_per_s: SourcedValue | None = Field(None, description="Dense 8-bit peak, FLOP/s.")
    server_overhead: SourcedValue | None = Field(None, description="Server power ÷ TDP.")
    capex_usd: SourcedValue | None = Field(
        None, description="One chip with its share of server and network, USD_2025.")


class Tolerances(Frozen):
    """Relative deviations within which the model counts as reproducing a published figure."""

    power: SourcedValue
    h100_equivalents: SourcedValue
    capex: SourcedValue


class Calibration(Frozen):
    """How calibration judges the model against the peers."""

    tolerances: Tolerances


class Trend(Frozen):
    """The published growth trend of the largest single site."""

    record_compute_doubling_months: SourcedValue
    anchor: PeerId = Field(description="The row the trend line starts from.")
    anchor_note: Text = Field(description="Why that row.")


class Peer(Frozen):
    """One site at one date (or one planned state), as published."""

    id: PeerId
    site: Text = Field(description="Site name, with the phase where it matters.")
    label: Label = Field(description="Short label for charts.")
    operator: Text
    user: Text | None = Field(None, description="Who trains on it, when not the operator.")
    location: Text | None = None
    date: AsOf = Field(description="Date the row describes (YYYY, YYYY-MM or YYYY-MM-DD).")
    status: Literal["operational", "planned"]
    accelerators: tuple[Component, ...] | None = Field(
        None, min_length=1, description="Chips by kind; omit when no count is published.")
    power_mw: tuple[PowerFigure, ...] = Field((), description="Power, MW; the first is primary.")
    h100_equivalents: tuple[Figure, ...] = Field(
        (), description="Dense 8-bit FLOP/s ÷ 1.979e15; the first is primary.")
    capex_usd_2025: tuple[Figure, ...] = Field(
        (), description="Capital cost, US dollars of 2025; the first is primary.")
    source: Text = Field(description="The row's primary source: URL(s), ` ; `-separated.")
    confidence: Confidence = Field(description="Confidence of the row's figures.")
    note: Text | None = None
    informs: tuple[InformsKey, ...] = Field(
        (), description="Assumptions derived from this row (calibration marks them circular).")


class PeersFile(Frozen):
    """capcalc's peers: sourced figures of the largest AI training sites."""

    calibration: Calibration
    trend: Trend
    chips: dict[ChipName, ChipSpec] = Field(
        default_factory=dict, description="Chips not in the catalog, with their stated figures.")
    peers: tuple[Peer, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> PeersFile:
        seen: set[str] = set()
        for peer in self.peers:
            if peer.id in seen:
                raise ValueError(f"peer id {peer.id!r} is used twice; ids must be unique")
            seen.add(peer.id)
        if self.trend.anchor not in seen:
            raise ValueError(f"trend.anchor {self.trend.anchor!r} is not a peer id")
        return self

    def peer(self, peer_id: str) -> Peer:
        """The row with id ``peer_id``."""
        for peer in self.peers:
            if peer.id == peer_id:
                return peer
        raise KeyError(peer_id)


# ------------------------------------------------------------------ reading


def _where(loc: Sequence[Any], data: Any) -> str:
    """A pydantic error location as a readable key: ``peers[colossus-1-2024-09].power_mw[0]``."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            ident = node[part].get("id") if (
                isinstance(node, list) and 0 <= part < len(node) and isinstance(node[part], dict)
            ) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident or part}]"]
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            text = str(part)
            if text in {"float", "str", "int", "none", "bool"} or text.startswith(
                    ("function-", "constrained-")):
                continue
            parts.append(text)
            node = node.get(text) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_peers(data: Any, *, source: str, catalog: Mapping[str, Any] | None = None
                ) -> PeersFile:
    """Validate a parsed peers tree; with ``catalog``, also check every chip is known.

    Raises
    ------
    CapcalcError
        One line naming ``source``, the key (peers by id) and what would be right.
    """
    if not isinstance(data, dict):
        raise CapcalcError("must be a mapping with calibration, trend, chips and peers",
                           file=source)
    try:
        peers = PeersFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = _where(error["loc"], data)
        kind = error["type"]
        if kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "missing":
            message = "missing; every peer needs id, site, label, operator, date, status, " \
                      "source and confidence" if key.count(".") <= 1 else "missing"
        else:
            message = str(error["msg"]).replace("Value error, ", "")
            got = error.get("input")
            if not isinstance(got, dict | list) and kind not in ("value_error",):
                message += f" (got {got!r})"
        raise CapcalcError(message, file=source, key=key or None) from None
    if catalog is not None:
        check_chips(peers, catalog, source=source)
    return peers


def check_chips(peers: PeersFile, catalog: Mapping[str, Any], *, source: str = "peers.yaml"
                ) -> None:
    """Every chip a peer names is in ``catalog`` or under ``chips:``, and none is defined twice."""
    for name in peers.chips:
        if name in catalog:
            raise CapcalcError(
                f"{name!r} is already in the accelerator catalog; remove it from chips: "
                "(the catalog's sourced figures apply)", file=source, key=f"chips.{name}")
    known = [*catalog, *peers.chips]
    for peer in peers.peers:
        for i, component in enumerate(peer.accelerators or ()):
            if component.chip not in known:
                from calc.data.assumptions import suggest

                raise CapcalcError(
                    f"{component.chip!r} is neither a catalog accelerator nor defined under "
                    f"chips:{suggest(component.chip, known)} (known: {', '.join(known)})",
                    file=source, key=f"peers[{peer.id}].accelerators[{i}].chip")


def load_peers(path: Path | None = None, *, catalog: Mapping[str, Any] | None = None
               ) -> PeersFile:
    """Read ``peers.yaml`` (capcalc's own when ``path`` is None) and validate it."""
    if path is None:
        name, data = PEERS, parse_yaml(shipped_bytes(PEERS), source=PEERS)
    else:
        name, data = str(path), load_yaml(path)
    return parse_peers(data, source=name, catalog=catalog)


def parse_peers_text(text: str | bytes, *, source: str,
                     catalog: Mapping[str, Any] | None = None) -> PeersFile:
    """Parse a peers document given as text (tests, uploads)."""
    return parse_peers(parse_yaml(text, source=source), source=source, catalog=catalog)


def schema_text() -> str:
    """The JSON Schema of ``peers.yaml`` as the text of ``peers.schema.json``."""
    from calc.presentation.docs import json_schema

    return json_schema(PeersFile, "capcalc peers")


# ------------------------------------------------------------------ figures


def figure_source(peer: Peer, figure: Figure | Component) -> str:
    """The figure's own source, else its row's."""
    return figure.source or peer.source


def figure_confidence(peer: Peer, figure: Figure | Component) -> str:
    """The figure's own confidence, else its row's."""
    return figure.confidence or peer.confidence


def weakest(*levels: str) -> str:
    """The weakest of several confidence levels.

    >>> weakest("confirmed", "secondary")
    'secondary'
    """
    return max(levels, key=CONFIDENCE_ORDER.index)


def source_links(text: str) -> list[str]:
    """The URLs in a ``" ; "``-separated source text, in order.

    >>> source_links("https://a.example/x ; a report ; https://b.example")
    ['https://a.example/x', 'https://b.example']
    """
    return [p.strip() for p in text.split(";") if p.strip().startswith(("http://", "https://"))]


def decimal_year(date: str) -> float:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as a year with a fraction.

    A year stands for its middle and a month for its middle, so an undated
    snapshot is drawn half-way through its year, not on 1 January.

    >>> decimal_year("2026")
    2026.5
    >>> round(decimal_year("2024-09-02"), 3)
    2024.669
    """
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    day = dt.date(*parts)
    start = dt.date(parts[0], 1, 1)
    length = (dt.date(parts[0] + 1, 1, 1) - start).days
    return parts[0] + (day - start).days / length


def chips_text(peer: Peer) -> str:
    """The accelerators of a row in words: ``150k H100 + 50k H200``."""
    from calc.presentation.formatting import format_value

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
    from calc.presentation.formatting import format_value

    mark = {"at_least": "≥ ", "at_most": "≤ ", None: ""}[figure.bound]
    text = mark + format_value(figure.value, unit)
    if isinstance(figure, PowerFigure):
        text += {"facility": "", "it": " IT", "unstated": " (basis not stated)"}[figure.basis]
    return text


# ------------------------------------------------------------------ tables


def _model_h100e(library: Library, peers: PeersFile, peer: Peer) -> float | None:
    """H100e of a row's chips by their 8-bit FLOP/s (None without a count or a spec)."""
    from calc.analysis.calibration import site_model

    if not peer.accelerators:
        return None
    value = site_model(library, peers, peer).h100_equivalents
    return None if math.isnan(value) else value


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
                                  (peer.capex_usd_2025, "USD_2025"))
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
        units={"power_mw": "MW", "h100_equivalents": "H100e", "capex_usd": "USD_2025"},
        caption=(f"Primary figures of peers.yaml; other_figures lists what other sources say · "
                 f"H100e = dense 8-bit FLOP/s ÷ 1.979e15 · capcalc {__version__}"),
    )


def among_peers_table(peers: PeersFile, library: Library, results: Sequence[Result] = (),
                      baseline: Result | None = None) -> Table:
    """Power against H100-equivalents for every peer, the scenarios and the target.

    Peers are drawn at their primary power (as published, on its basis) and
    primary H100e; a row without a published H100e takes the H100e of its chip
    count (``h100e_from`` says which). ``power_low``/``power_high`` span every
    power figure the sources give. Rows with neither power nor H100e are
    listed in ``meta["not_drawn"]``.
    """
    columns: dict[str, list[Any]] = {k: [] for k in (
        "kind", "label", "site", "operator", "date", "status", "power_mw", "power_basis",
        "power_low_mw", "power_high_mw", "h100_equivalents", "h100e_from", "h100e_bound",
        "confidence", "source")}
    not_drawn: list[str] = []

    def add(**row: Any) -> None:
        for key in columns:
            columns[key].append(row.get(key, ""))

    for peer in peers.peers:
        power = peer.power_mw[0] if peer.power_mw else None
        if peer.h100_equivalents:
            h100e: float | None = peer.h100_equivalents[0].value
            h100e_from, bound = "published", peer.h100_equivalents[0].bound or ""
        else:
            h100e, h100e_from, bound = _model_h100e(library, peers, peer), "chip count", ""
        if power is None or h100e is None:
            missing = "power" if power is None else "H100e"
            not_drawn.append(f"{peer.label} ({peer.date}: no published {missing})")
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
    meta: dict[str, Any] = {"not_drawn": not_drawn, "operators": _operators(peers)}
    extra = "peers at their primary published power (filled: facility, hollow: IT, " \
            "half: basis not stated)"
    if baseline is not None:
        target = float(baseline.scenario["target.compute_multiplier"])  # type: ignore[arg-type]
        meta.update(target=target, baseline=baseline.name,
                    target_h100e=target * baseline.outputs["h100_equivalents"],
                    baseline_h100e=baseline.outputs["h100_equivalents"])
        extra += f"; target {target:g}× {baseline.name}'s H100e at the same MFU and precision"
    names = [r.name for r in results]
    return Table(
        name="cortex-among-peers",
        title="Cortex among peers: power and H100-equivalents",
        columns=columns,
        units={"power_mw": "MW", "power_low_mw": "MW", "power_high_mw": "MW",
               "h100_equivalents": "H100e"},
        caption=(f"Sources: peers.yaml (Epoch AI and others; see the peers table) · {extra} · "
                 f"scenarios: {', '.join(names) or 'none'} · H100e = dense 8-bit FLOP/s ÷ "
                 f"1.979e15 · capcalc {__version__}"),
        meta=meta,
    )


def _operators(peers: PeersFile) -> list[str]:
    """Operators in order of first appearance in the file (charts colour them in this order)."""
    return list(dict.fromkeys(peer.operator for peer in peers.peers))


def largest_site_table(peers: PeersFile, library: Library, baseline: Result | None = None,
                       until_year: float | None = None, focus: str = "Tesla") -> Table:
    """Site size (H100e) against date, the running record, Epoch's trend and a fitted one.

    ``series`` is ``peer`` for the rows, ``trend`` for Epoch's doubling time
    drawn from the anchor row, and ``fit`` for a least-squares line through the
    operational rows that set a new record from the anchor's date on. With
    ``baseline``, ``meta["target_h100e"]`` is its target multiple of its H100e.
    Rows of the ``focus`` operator are always labelled on the chart.
    """
    rows: list[dict[str, Any]] = []
    for peer in peers.peers:
        bound = ""
        if peer.h100_equivalents:
            h100e: float | None = peer.h100_equivalents[0].value
            h100e_from, bound = "published", peer.h100_equivalents[0].bound or ""
        else:
            h100e, h100e_from = _model_h100e(library, peers, peer), "chip count"
        if h100e is None:
            continue
        rows.append({"series": "peer", "label": peer.label, "site": peer.site,
                     "operator": peer.operator, "date": peer.date,
                     "year": decimal_year(peer.date), "status": peer.status,
                     "h100_equivalents": h100e, "h100e_from": h100e_from, "h100e_bound": bound,
                     "record": False, "confidence": peer.confidence, "source": peer.source})
    rows.sort(key=lambda r: r["year"])
    best = 0.0
    for row in rows:
        if row["status"] == "operational" and row["h100_equivalents"] > best:
            best = row["h100_equivalents"]
            row["record"] = True
    trend = peers.trend
    anchor = next(r for r in rows if r["label"] == peers.peer(trend.anchor).label
                  and r["date"] == peers.peer(trend.anchor).date)
    months = trend.record_compute_doubling_months.value
    end = until_year or max(r["year"] for r in rows) + 0.25
    start = anchor["year"]
    meta: dict[str, Any] = {"doubling_months": months, "operators": _operators(peers),
                            "focus": focus,
                            "trend_source": trend.record_compute_doubling_months.source,
                            "anchor": trend.anchor}
    for year in (start, end):
        rows.append({"series": "trend", "label": f"Epoch: doubling every {months:g} months",
                     "year": year, "h100_equivalents": anchor["h100_equivalents"]
                     * 2 ** ((year - start) * 12 / months)})
    records = [r for r in rows if r.get("record") and r["year"] >= start]
    if len(records) >= 2:
        slope, intercept = np.polyfit([r["year"] for r in records],
                                      [math.log2(r["h100_equivalents"]) for r in records], 1)
        fitted = 12 / slope if slope > 0 else math.inf
        meta["fit_doubling_months"] = float(fitted)
        meta["fit_points"] = len(records)
        for year in (start, end):
            rows.append({"series": "fit",
                         "label": f"fit to {len(records)} records: doubling every "
                                  f"{fitted:.1f} months",
                         "year": year, "h100_equivalents": float(2 ** (slope * year + intercept))})
    if baseline is not None:
        target = float(baseline.scenario["target.compute_multiplier"])  # type: ignore[arg-type]
        meta.update(target=target, baseline=baseline.name,
                    target_h100e=target * baseline.outputs["h100_equivalents"])
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
                 f"capcalc {__version__}"),
        meta=meta,
    )


def chip_spec(library: Library, peers: PeersFile, chip: str) -> dict[str, float]:
    """A chip's figures (catalog or ``chips:``) as floats; a figure not stated is NaN."""
    catalog: Mapping[str, Accelerator] = library.baseline.catalog
    if chip in catalog:
        acc = catalog[chip]
        return {"tdp_w": acc.tdp_w, "bf16_flop_per_s": acc.bf16_flop_per_s,
                "fp8_flop_per_s": acc.fp8_flop_per_s, "server_overhead": acc.server_overhead,
                "capex_usd": acc.capex_usd}
    spec = peers.chips[chip]
    return {name: (getattr(spec, name).value if getattr(spec, name) is not None else math.nan)
            for name in ("tdp_w", "bf16_flop_per_s", "fp8_flop_per_s", "server_overhead",
                         "capex_usd")}
