"""Pydantic models of capcalc's files: the assumptions baseline and scenario files.

Every model is frozen and forbids unknown keys, so a typo fails loudly. The
section models are built from :mod:`calc.vocabulary`, which keeps the schema,
the JSON Schema for editors and the reference docs in step with one table.
Units and bounds are checked after this structural check, in
:mod:`calc.assumptions`, where the unit registry converts each value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, create_model, model_validator

from calc.vocabulary import GROUPS, INPUTS

__all__ = [
    "AcceleratorSpec",
    "AssumptionsFile",
    "Entry",
    "Override",
    "ScenarioSpec",
    "ScenariosFile",
]

Confidence = Literal["confirmed", "secondary", "unconfirmed", "preliminary"]
Distribution = Literal["lognormal", "normal", "uniform", "triangular", "pert"]

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
AsOf = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD")]
Text = Annotated[StrictStr, Field(min_length=1, max_length=2000)]


class Frozen(BaseModel):
    """Base of every capcalc model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(Frozen):
    """One sourced assumption: a value with its unit, range and provenance."""

    value: Number | Text | None = Field(
        description="The value in `unit`; a name for choice keys; null where the catalog supplies it."
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


class AcceleratorSpec(Frozen):
    """One catalog accelerator; every number is a sourced entry."""

    name: Text = Field(description="Display name, e.g. 'NVIDIA H100 SXM5'.")
    vendor: Text
    status: Literal["shipping", "preliminary"] = "shipping"
    release: Entry = Field(description="Release (or volume shipment) date, YYYY-MM.")
    tdp_w: Entry = Field(description="Board power, W.")
    bf16_flop_per_s: Entry = Field(description="Dense BF16 peak, FLOP/s.")
    fp8_flop_per_s: Entry = Field(description="Dense 8-bit peak, FLOP/s.")
    server_overhead: Entry = Field(description="Server (or rack share) power ÷ TDP.")
    capex_usd: Entry = Field(description="One accelerator with its share of server and network.")


def _section_model(group: str, field_type: Any, *, required: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for spec in INPUTS.values():
        if spec.group != group:
            continue
        extra = {"unit": spec.unit} if spec.unit else {}
        default = ... if required else None
        fields[spec.name] = (
            field_type,
            Field(default, title=spec.title, description=spec.description,
                  json_schema_extra=extra),
        )
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
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
)


class Override(Frozen):
    """A partial entry in a scenario: any of value, unit, range and provenance."""

    value: Number | Text | None = None
    unit: StrictStr | None = None
    low: Number | None = None
    high: Number | None = None
    dist: Distribution | None = None
    source: Text | None = None
    as_of: AsOf | None = None
    note: Text | None = None


OverrideValue = Number | Text | Override | None

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
    **_dotted_fields,
)

ScenarioName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,79}$")]

ScenariosFile: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "ScenariosFile",
    __base__=Frozen,
    __doc__="Named scenarios, each a set of overrides of the baseline.",
    scenarios=(dict[ScenarioName, ScenarioSpec], Field(min_length=1)),
)
