"""Pydantic models of capcalc's files: the assumptions baseline and scenario files.

Every model is frozen and forbids unknown keys, so a typo fails loudly. The
section models are built from :mod:`calc.core.vocabulary`, which keeps the schema,
the JSON Schema for editors and the reference docs in step with one table.
Units and bounds are checked after this structural check, in
:mod:`calc.data.assumptions`, where the unit registry converts each value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictStr, create_model, model_validator

from calc.core.vocabulary import GROUPS, INPUTS
from calc.data.model_base import AsOf, Confidence, Distribution, Frozen, Number, Text

__all__ = [
    "AcceleratorSpec",
    "AssumptionsFile",
    "CorrelationSpec",
    "Entry",
    "Override",
    "PhaseSpec",
    "ReleaseEntry",
    "ScenarioSpec",
    "ScenariosFile",
    "StorySpec",
]

class Entry(Frozen):
    """One sourced assumption: a value with its unit, range and provenance."""

    value: Number | Text | None = Field(
        description=(
            "The value in `unit`; a name for choice keys; null where the catalog supplies it."
        )
    )
    unit: StrictStr | None = Field(None, description="Unit of value, low and high (pint syntax).")
    low: Number | None = Field(None, description="Lower end of a 90 % interval, in `unit`.")
    high: Number | None = Field(None, description="Upper end of a 90 % interval, in `unit`.")
    dist: Distribution | None = Field(None, description="Distribution family for low/high.")
    source: Text = Field(
        description="URL(s) or document; `assumption` (with a note saying why) where none exists."
    )
    as_of: AsOf = Field(description="Date the value was true or published.")
    note: Text | None = Field(None, description="How the value was derived or chosen.")
    confidence: Confidence | None = Field(None, description="How well the source confirms it.")

    @model_validator(mode="after")
    def _check(self) -> Entry:
        if self.source.strip().lower() == "assumption" and not self.note:
            raise ValueError("`source: assumption` needs a `note` saying why this value")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        return self


MonthText = Annotated[StrictStr, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class ReleaseEntry(Frozen):
    """A chip's month of volume availability, with its 90 % range and provenance."""

    value: MonthText = Field(description="YYYY-MM: the median month the chip is in volume "
                             "availability to buyers like the scenario's.")
    low: MonthText | None = Field(None, description="5th percentile month, YYYY-MM.")
    high: MonthText | None = Field(None, description="95th percentile month, YYYY-MM.")
    source: Text = Field(
        description="URL(s) or document; `assumption` (with a note saying why) where none exists."
    )
    as_of: AsOf = Field(description="Date the value was true or published.")
    note: Text | None = Field(None, description="How the month was read or chosen.")
    confidence: Confidence | None = Field(None, description="How well the source confirms it.")

    @model_validator(mode="after")
    def _check(self) -> ReleaseEntry:
        if self.source.strip().lower() == "assumption" and not self.note:
            raise ValueError("`source: assumption` needs a `note` saying why this value")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high (a 90 % range of months), or neither")
        if self.low is not None and self.high is not None \
                and not self.low <= self.value <= self.high:
            raise ValueError(f"the range {self.low} to {self.high} must hold the value "
                             f"{self.value}")
        return self


class AcceleratorSpec(Frozen):
    """One catalog accelerator; every number is a sourced entry."""

    name: Text = Field(description="Display name, e.g. 'NVIDIA H100 SXM5'.")
    vendor: Text
    status: Literal["shipping", "preliminary", "reference"] = Field(
        "shipping", description="`shipping`; `preliminary` (announced, figures may change); "
        "`reference` (in the catalog for the sites that use it: a build-out buys it only "
        "where a phase names it, never as `latest`).")
    release: ReleaseEntry = Field(
        description="Month of volume availability (YYYY-MM), with an optional 90 % range.")
    tdp_w: Entry = Field(description="Board power, W.")
    bf16_flop_per_s: Entry = Field(description="Dense BF16 peak, FLOP/s.")
    fp8_flop_per_s: Entry = Field(description="Dense 8-bit peak, FLOP/s.")
    server_overhead: Entry = Field(description="Server (or rack share) power ÷ TDP.")
    capex_usd: Entry = Field(description="One accelerator with its share of server and network.")
    cloud_usd_per_hour: Entry = Field(
        description="Cloud rental price of one accelerator per hour (on-demand market), for "
        "lease versus own.")
    mfu_at_scale: Entry | None = Field(
        None, description="MFU published for a training run at scale on this chip (BF16; "
        "thousands of chips), where one is published: a reference for training.mfu and a "
        "phase's mfu.")


class CorrelationSpec(Frozen):
    """A rank (Spearman) correlation between two numeric inputs, used by Monte Carlo sampling."""

    keys: tuple[StrictStr, StrictStr] = Field(
        description="The two dotted input keys, e.g. [training.mfu, training.availability]."
    )
    rank: Annotated[float, Field(strict=True, ge=-1, le=1, allow_inf_nan=False)] = Field(
        description="Spearman rank correlation between the two inputs, from -1 to 1."
    )
    source: Text = Field(description="URL(s) or document; `assumption` with a note saying why.")
    as_of: AsOf | None = Field(None, description="Date the evidence is from.")
    note: Text | None = Field(None, description="Why the inputs move together (or apart).")

    @model_validator(mode="after")
    def _check(self) -> CorrelationSpec:
        for key in self.keys:
            if key not in INPUTS:
                raise ValueError(f"unknown input key {key!r}")
            if INPUTS[key].kind == "choice":
                raise ValueError(f"{key} is a name, not a number; only numeric inputs correlate")
        if self.keys[0] == self.keys[1]:
            raise ValueError(f"keys name {self.keys[0]} twice; a correlation needs two inputs")
        if self.source.strip().lower() == "assumption" and not self.note:
            raise ValueError("`source: assumption` needs a `note` saying why this correlation")
        return self


Correlations = tuple[CorrelationSpec, ...]


def _section_model(group: str, field_type: Any, *, required: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for spec in INPUTS.values():
        if spec.group != group:
            continue
        extra: dict[str, Any] = {"unit": spec.unit} if spec.unit else {}
        described: dict[str, Any] = {"title": spec.title, "description": spec.description,
                                     "json_schema_extra": extra}
        info = Field(**described) if required else Field(None, **described)
        fields[spec.name] = (field_type, info)
    model: type[BaseModel] = create_model(
        f"{group.capitalize()}{'' if required else 'Overrides'}", __base__=Frozen, **fields
    )
    return model


_SECTIONS = {group: _section_model(group, Entry, required=True) for group in GROUPS}

AssumptionsFile: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "AssumptionsFile",
    __base__=Frozen,
    __doc__="capcalc's baseline: every input with value, unit, source and as-of date.",
    **{group: (model, ...) for group, model in _SECTIONS.items()},
    catalog=(dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")],
                  AcceleratorSpec], Field(min_length=1)),
    correlations=(Correlations, Field(
        (), description="Rank correlations between inputs, applied when sampling ranges.")),
)


class Override(Frozen):
    """A partial entry in a scenario: any of value, unit, range and provenance."""

    value: Number | Text | None = None
    unit: StrictStr | None = None
    low: Number | Text | None = None
    high: Number | Text | None = None
    dist: Distribution | None = None
    source: Text | None = None
    as_of: AsOf | None = None
    note: Text | None = None


OverrideValue = Number | Text | Override | None


Months = Annotated[int, Field(strict=True, ge=0, le=600)]


class DelayRange(Frozen):
    """A phase's uncertain slip: its median and 90 % interval, whole months."""

    value: Months = Field(description="Median slip, months.")
    low: Months = Field(description="5th percentile, months.")
    high: Months = Field(description="95th percentile, months.")


class PhaseSpec(Frozen):
    """One phase of a build-out: from ``start``, the site has ``facility_power_mw`` in all."""

    name: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.,+()/-]{0,79}$")] = Field(
        description="Label of the phase, unique in its timeline (letters, digits, _.,+()/- )."
    )
    start: Annotated[StrictStr, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = Field(
        description="YYYY-MM: the month the phase's capacity starts training (before any delay)."
    )
    facility_power_mw: Number | Text = Field(
        description="The site's TOTAL facility power from `start`, in MW or with a unit "
        "('0.25 GW'); the phase adds the power above the previous phase's.",
        json_schema_extra={"unit": "MW"},
    )
    accelerator: Text | None = Field(
        None, description="Catalog accelerator in the added capacity, or `latest` (the "
        "then-current generation); default the scenario's hardware.accelerator.")
    delay_months: Months | DelayRange = Field(
        0, description="Slip: the capacity starts this many months after `start`; or a "
        "90 % range {value, low, high} (value the median) that the Monte Carlo samples.")
    status: Literal["announced", "delivered"] = Field(
        "announced", description="`delivered` for capacity already built (its dates are "
        "history); `announced` for a promise, to which `capcalc timeline --slip peers` "
        "adds the slip peers.yaml records.")
    refresh: bool = Field(
        False, strict=True, description="Replace the hardware when it retires (after "
        "cost.hardware_lifetime_years) with the then-current generation.")
    mfu: Number | None = Field(
        None, description="MFU of the capacity this phase adds (and its refreshes); default "
        "the scenario's training.mfu.")
    precision: Literal["bf16", "fp8"] | None = Field(
        None, description="Training precision of this phase's capacity; default the "
        "scenario's training.precision.")
    lead_months: Annotated[int, Field(strict=True, ge=0, le=60)] | None = Field(
        None, description="Procurement lead time of this phase, months: `latest` (and each "
        "refresh) takes the best chip in volume availability this long before the planned "
        "start; default the scenario's hardware.procurement_lead_months.")
    source: Text | None = Field(None, description="URL(s) or document the phase comes from.")
    confidence: Confidence | None = Field(None, description="How well the source confirms it.")
    note: Text | None = Field(None, description="How the phase's figures were read or derived.")


_OVERRIDE_SECTIONS = {
    group: _section_model(group, OverrideValue, required=False) for group in GROUPS
}

_dotted_fields: dict[str, Any] = {
    key.replace(".", "__"): (OverrideValue, Field(None, alias=key, description=spec.description))
    for key, spec in INPUTS.items()
}

ScenarioSpec: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "ScenarioSpec",
    __base__=Frozen,
    __doc__=(
        "A named scenario: overrides of its base (or of the baseline), by dotted key "
        "or nested section."
    ),
    title=(Text | None, None),
    description=(Text | None, None),
    source=(Text | None, None),
    base=(Text | None, Field(None, description="Scenario this one starts from.")),
    meet_target=(
        Text | None,
        Field(None, description="Input key solved so the scenario reaches the target multiple."),
    ),
    **{group: (model | None, None) for group, model in _OVERRIDE_SECTIONS.items()},
    correlations=(Correlations | None, Field(
        None, description="Rank correlations added to (or replacing, for the same pair of "
        "keys) those of the base scenario.")),
    timeline=(Annotated[tuple[PhaseSpec, ...], Field(min_length=1, max_length=100)] | None,
              Field(None, description="Build-out phases in order of growing total facility "
                    "power (replaces the base scenario's timeline).")),
    **_dotted_fields,
)

ScenarioName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,79}$")]
ScenarioNames = Annotated[tuple[ScenarioName, ...], Field(max_length=20)]


class MarkSpec(Frozen):
    """A facility power the story names, marked on the power chart with its label."""

    facility_power_mw: Annotated[float, Field(strict=True, gt=0, le=1e5, allow_inf_nan=False)] \
        = Field(description="The power marked, MW of facility power.",
                json_schema_extra={"unit": "MW"})
    label: Annotated[StrictStr, Field(min_length=1, max_length=80)] = Field(
        description="What the chart writes beside the mark, e.g. '500 MW (full build)'.")


class StorySpec(Frozen):
    """The news story the scenarios answer: which of them the dashboard opens on, the report
    and the README compare and the charts mark. Replace it (with the scenarios) to tell
    another story; no code names a scenario of it."""

    title: Text = Field(description="The story in one line, as its article tells it.")
    source: Text = Field(description="The article(s): publisher, title, date, link.")
    site: Annotated[StrictStr, Field(min_length=1, max_length=40)] = Field(
        description="The site the story is about, as chart titles name it ('Cortex').")
    operator: Annotated[StrictStr, Field(min_length=1, max_length=80)] | None = Field(
        None, description="The operator in focus, as peers.yaml names it: its sites are "
        "named on the peers' charts, its statements and capex set beside every build-out, "
        "its record of slipped schedules the default slip, its own pace the one compared.")
    opening: ScenarioName = Field(description="The scenario the dashboard opens on.")
    references: ScenarioNames = Field(
        (), description="Scenarios the dashboard's Compare and Cost views put beside the "
        "current one.")
    report: ScenarioNames = Field(
        (), description="Scenarios `capcalc report` compares when none are named (default: "
        "the opening scenario).")
    readme: ScenarioNames = Field(
        (), description="Scenarios of the README's table.")
    buildout: ScenarioName | None = Field(
        None, description="The build-out (a scenario with `timeline:`) whose phases date a "
        "scenario that has none of its own.")
    marked_powers: Annotated[tuple[MarkSpec, ...], Field(max_length=10)] = Field(
        (), description="Facility powers the story names, marked on the power chart.")
    by: Annotated[StrictStr, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = Field(
        None, description="YYYY-MM: the month the dashboard asks about first (the "
        "timeline's goal-seek, the chance of the target by then).")


ScenariosFile: type[BaseModel] = create_model(
    "ScenariosFile",
    __base__=Frozen,
    __doc__="Named scenarios, each a set of overrides of the baseline, and the story they "
            "answer.",
    scenarios=(dict[ScenarioName, ScenarioSpec], Field(min_length=1)),
    story=(StorySpec | None, Field(
        None, description="The news story the scenarios answer (read from the scenarios "
        "file capcalc starts from: its own, or `capcalc --scenarios FILE`).")),
)
