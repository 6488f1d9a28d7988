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

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from calc.core.errors import CapcalcError, suggest
from calc.data.dates import decimal_year, ends_before, recent_date, with_month
from calc.data.io import load_yaml, parse_yaml
from calc.data.model_base import Frozen, Text
from calc.data.records import (
    CONFIDENCE_ORDER,
    month_index,
    quarterly_capex_of,
    stated_by,
    yearly_capex_of,
)
from calc.data.resources import PEERS, shipped_bytes

__all__ = [
    "ChipSpec",
    "CompanyCapex",
    "Component",
    "Figure",
    "PaceSettings",
    "Peer",
    "PeersFile",
    "PowerFigure",
    "ScheduleMilestone",
    "SlipRecord",
    "StatedCompute",
    "check_chips",
    "decimal_year",
    "figure_confidence",
    "figure_source",
    "load_peers",
    "month_index",
    "parse_peers",
    "source_links",
]


Confidence = Literal["confirmed", "secondary", "unconfirmed"]
Basis = Literal["facility", "it", "unstated"]
Bound = Literal["at_least", "at_most"]


def _not_tiny(value: float) -> float:
    if value < 1e-6:
        raise ValueError(f"{value:g} is too small for a published figure (at least 1e-06)")
    return value


def _whole(value: float) -> float:
    if value != int(value):
        raise ValueError(f"a count is a whole number (got {value:g})")
    return value


#: A date as peers.yaml writes it: a real calendar date (no month 13), YYYY, YYYY-MM or YYYY-MM-DD.
AsOf = Annotated[StrictStr, AfterValidator(recent_date)]
#: A positive figure of any kind, within a magnitude no published figure leaves.
Positive = Annotated[float, Field(strict=False, gt=0, le=1e30, allow_inf_nan=False),
                     AfterValidator(_not_tiny)]
#: A number of chips: a whole number from 1 to a billion.
Count = Annotated[float, Field(strict=False, ge=1, le=1e9, allow_inf_nan=False),
                  AfterValidator(_whole)]
PeerId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


#: A date to the month at least (YYYY-MM or YYYY-MM-DD): a schedule slip is counted in months.
Month = Annotated[StrictStr, AfterValidator(recent_date), AfterValidator(with_month)]
ChipName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")]
Label = Annotated[StrictStr, Field(min_length=1, max_length=40)]
InformsKey = Annotated[
    str, Field(pattern=r"^(catalog\.[A-Za-z0-9_.+-]+\.[a-z0-9_]+|[a-z]+\.[a-z0-9_]+)$")]


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
    count: Count = Field(description="Number of chips (the primary figure).")
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

    @model_validator(mode="after")
    def _check(self) -> Tolerances:
        for name in ("power", "h100_equivalents", "capex"):
            value = getattr(self, name).value
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be a fraction above 0 and at most 1 "
                                 f"(got {value:g})")
        return self

    power: SourcedValue
    h100_equivalents: SourcedValue
    capex: SourcedValue


class Calibration(Frozen):
    """How calibration judges the model against the peers."""

    tolerances: Tolerances


class Trend(Frozen):
    """The published growth trend of the largest single site."""

    @model_validator(mode="after")
    def _check(self) -> Trend:
        months = self.record_compute_doubling_months.value
        if not 1 <= months <= 600:
            raise ValueError(f"record_compute_doubling_months must be 1 to 600 months "
                             f"(got {months:g})")
        return self

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


class StatedCompute(Frozen):
    """An operator's own statement of its training compute at a date, in H100-equivalents."""

    operator: Text = Field(description="Who said it (the operator of the sites).")
    date: AsOf = Field(description="The date the figure describes.")
    h100_equivalents: Annotated[float, Field(ge=1, le=1e10, allow_inf_nan=False)] = Field(
        description="Training compute, H100-equivalents as the operator states them.")
    bound: Bound | None = Field(None, description="`at_least` for 'more than'.")
    source: Text
    confidence: Confidence
    note: Text | None = Field(None, description="How the figure was read or derived.")


class CompanyCapex(Frozen):
    """A company's capital expenditure for a calendar year (or one quarter of it): reported,
    or guided in advance."""

    company: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    quarter: Annotated[int, Field(ge=1, le=4)] | None = Field(
        None, description="The calendar quarter (1-4) of a quarterly figure; none for the "
        "whole year.")
    usd_2025: Annotated[float, Field(ge=1e6, le=1e13, allow_inf_nan=False)] = Field(
        description="Capex of the year, US dollars (nominal, taken as dollars of 2025).")
    kind: Literal["reported", "guided"]
    bound: Bound | None = Field(None, description="`at_least` for 'more than'.")
    covers: Text = Field(description="What the figure covers (company-wide, AI only, ...).")
    source: Text
    as_of: AsOf
    confidence: Confidence
    note: Text | None = None


class ScheduleMilestone(Frozen):
    """A build-out milestone with its announced date and when (or whether) it was delivered.

    ``announced`` is the month the promise fell due, read from its own words
    (``announced_as``): the last month of the promised window ("1H 2025" is
    2025-06, "by the end of this month" said in October is that October), and
    for a promise "by" a season or a month, that month. A milestone still
    late is ``not_delivered`` with the date of the latest evidence
    (``as_of``): a censored observation, late by at least ``as_of`` minus
    ``announced`` (or ``revised`` minus ``announced`` when a later date has
    been published).
    """

    id: PeerId = Field(description="Unique id of the milestone.")
    site: Text = Field(description="Site name, with the phase where it matters.")
    operator: Text = Field(description="Who made the promise (operator or developer).")
    peer: PeerId | None = Field(
        None, description="The `peers:` row of the site this milestone builds (its id).")
    milestone: Text = Field(
        description="What was promised, e.g. '100k H100 online', 'first building energised'.")
    announced: Month = Field(
        description="The month the promise fell due (YYYY-MM): the end of the promised window.")
    announced_as: Text = Field(
        description="The promise in its own words ('1H 2025', 'by the end of this month').")
    announced_on: AsOf = Field(description="When the promise was made (YYYY, YYYY-MM or "
                               "YYYY-MM-DD).")
    announced_in: Text = Field(
        description="Where it was made: earnings call, press release, post, report.")
    status: Literal["delivered", "not_delivered"] = Field(
        description="`delivered`, or `not_delivered` when the latest evidence says it is "
        "still late (a censored observation).")
    delivered: Month | None = Field(
        None, description="When the milestone was met (YYYY-MM or YYYY-MM-DD); only when "
        "delivered.")
    as_of: Month | None = Field(
        None, description="Date of the latest evidence that it was still not delivered; only "
        "when not delivered.")
    revised: Month | None = Field(
        None, description="A later published due date (by the operator or a tracker); the "
        "slip of a milestone not delivered is at least revised minus announced.")
    source: Text = Field(description="URL(s), ` ; `-separated: the promise and the delivery.")
    confidence: Confidence = Field(description="Confidence of the dates.")
    note: Text | None = Field(None, description="How the dates were read; what is uncertain.")

    @field_validator("delivered", "as_of", "revised")
    @classmethod
    def _not_before_announcement(cls, value: str | None, info: ValidationInfo) -> str | None:
        made = info.data.get("announced_on")
        if value is not None and made is not None and ends_before(value, made):
            raise ValueError(f"{info.field_name} {value!r} is before announced_on {made!r}: a "
                             "milestone cannot be met, checked or rescheduled before it is "
                             "announced")
        return value

    @model_validator(mode="after")
    def _check(self) -> ScheduleMilestone:
        if self.status == "delivered" and (self.delivered is None or self.as_of is not None):
            raise ValueError("status delivered needs `delivered:` (the date it was met) and no "
                             "`as_of:`")
        if self.status == "not_delivered" and (self.as_of is None or self.delivered is not None):
            raise ValueError("status not_delivered needs `as_of:` (the date of the latest "
                             "evidence it was still late) and no `delivered:`")
        return self


class SlipRecord(Frozen):
    """How the schedule record is read into the slip of an announced phase."""

    @model_validator(mode="after")
    def _check(self) -> SlipRecord:
        if not 0 <= self.min_horizon_months.value <= 60:
            raise ValueError("min_horizon_months must be 0 to 60 months "
                             f"(got {self.min_horizon_months.value:g})")
        if not 0 < self.prior_milestones.value <= 100:
            raise ValueError("prior_milestones must be above 0 and at most 100 "
                             f"(got {self.prior_milestones.value:g})")
        return self

    min_horizon_months: SourcedValue = Field(
        description="Milestones promised fewer months ahead are kept but not fitted.")
    prior_milestones: SourcedValue = Field(
        description="Weight of the other operators' record, in milestones of the operator's.")


class PaceSettings(Frozen):
    """How an operator's pace is drawn through its stated compute, and when a build-out is
    flagged as running above it."""

    @model_validator(mode="after")
    def _check(self) -> PaceSettings:
        if not 1 <= self.min_step_months.value <= 120:
            raise ValueError("min_step_months must be 1 to 120 months "
                             f"(got {self.min_step_months.value:g})")
        if not 1 <= self.warn_factor.value <= 100:
            raise ValueError(f"warn_factor must be 1 to 100 (got {self.warn_factor.value:g})")
        return self

    min_step_months: SourcedValue = Field(
        description="Shortest step between statements the pace's range is read over, months.")
    warn_factor: SourcedValue = Field(
        description="A build-out above this multiple of the operator's fastest pace is "
        "flagged.")


class PeersFile(Frozen):
    """capcalc's peers: sourced figures of the largest AI training sites."""

    calibration: Calibration
    trend: Trend
    chips: dict[ChipName, ChipSpec] = Field(
        default_factory=dict, description="Chips not in the catalog, with their stated figures.")
    peers: tuple[Peer, ...] = Field(min_length=1)
    stated_compute: tuple[StatedCompute, ...] = Field(
        (), description="Operators' own statements of their training compute by date.")
    company_capex: tuple[CompanyCapex, ...] = Field(
        (), description="Companies' total capex by year, reported or guided.")
    schedules: tuple[ScheduleMilestone, ...] = Field(
        (), description="Build-out milestones: announced against delivered dates (the "
        "schedule-slip record).")
    slip_record: SlipRecord = Field(description="How the schedule record gives a slip.")
    pace: PaceSettings = Field(description="How an operator's own pace is drawn.")

    def stated(self, operator: str) -> tuple[StatedCompute, ...]:
        """``operator``'s statements of its training compute, oldest first."""
        return stated_by(self.stated_compute, operator)

    def capex_of(self, company: str) -> dict[int, CompanyCapex]:
        """``company``'s capex by year (whole-year figures)."""
        return yearly_capex_of(self.company_capex, company)

    def quarterly_capex_of(self, company: str) -> dict[tuple[int, int], CompanyCapex]:
        """``company``'s capex by (year, quarter), where it reported quarters."""
        return quarterly_capex_of(self.company_capex, company)

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

    @model_validator(mode="after")
    def _check_schedules(self) -> PeersFile:
        ids = [peer.id for peer in self.peers]
        milestones: set[str] = set()
        for milestone in self.schedules:
            if milestone.id in milestones:
                raise ValueError(f"schedules[{milestone.id}].id is used twice; milestone ids "
                                 "must be unique")
            milestones.add(milestone.id)
            if milestone.peer is not None and milestone.peer not in ids:
                raise ValueError(f"schedules[{milestone.id}].peer {milestone.peer!r} is not a "
                                 f"peer id{suggest(milestone.peer, ids)}")
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
        if kind == "extra_forbidden" and key == "subject":
            message = ("the operator in focus is the story's now: write `operator: NAME` "
                       "under `story:` in the scenarios file")
        elif kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "missing" and key in PeersFile.model_fields:
            message = (f"missing: the file needs its {key}: section (capcalc's own peers.yaml "
                       "shows each one with its sources)")
        elif kind == "missing":
            message = "missing; every peer needs id, site, label, operator, date, status, " \
                      "source and confidence" if key.count(".") <= 1 else "missing"
            if key.startswith("schedules[") and key.count(".") <= 1:
                message = ("missing; every milestone needs id, site, operator, milestone, "
                           "announced, announced_as, announced_on, announced_in, status, "
                           "source and confidence")
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
