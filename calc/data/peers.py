"""The peers dataset: the largest AI training sites as published, read and validated.

``peers.yaml`` lists sites such as xAI's Colossus, Stargate Abilene or Meta's
Prometheus, one row per site and date, each figure with its source and
confidence. Where sources disagree, a row keeps every figure: the first of
each list is the primary one, the others are alternatives. This module reads
and checks the file (a strict, frozen pydantic model, like the assumptions);
:mod:`calc.analysis.calibration` compares the model against the same rows and
:mod:`calc.presentation.tables.peers` builds the tables behind the peers charts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr, ValidationError, model_validator

from calc.core.errors import CapcalcError, suggest
from calc.data.io import load_yaml, parse_yaml
from calc.data.resources import PEERS, shipped_bytes
from calc.data.schema import AsOf, Frozen, Text

__all__ = [
    "ChipSpec",
    "Component",
    "Figure",
    "Peer",
    "PeersFile",
    "PowerFigure",
    "check_chips",
    "decimal_year",
    "figure_confidence",
    "figure_source",
    "load_peers",
    "parse_peers",
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
