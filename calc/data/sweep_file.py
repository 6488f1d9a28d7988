"""Sweep files: which scenario, which axes, how many samples and what to keep, checked.

A sweep file (YAML, or the same tree as a Python dict) names a base
scenario, the axes to vary (a list of values, or a ``{low, high}`` range that
a Latin hypercube or Sobol design fills), optional Monte Carlo samples per
point and the outputs to keep::

    scenario: cortex-phase1
    axes:
      site.facility_power_mw: [300, 600, 1000, 2000]
      hardware.accelerator: [H100, GB200]
    samples: 2000
    seed: 1
    outputs: [compute_multiple, facility_power_mw_for_target]

:class:`SweepSpec` is the strict pydantic model (unknown keys are errors; the
JSON Schema ``sweep.schema.json`` is generated from it); :func:`read_sweep`
turns a file or a dict into a :class:`SweepFile`: every value of an input axis
converted to the key's unit and checked against its valid range, with one
line naming the file and the key when something is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, ValidationError

from calc.core.errors import CapcalcError, suggest
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index
from calc.core.vocabulary import INPUTS, OUTPUTS, PHASE_DOMAINS
from calc.data.changes import to_change
from calc.data.io import load_yaml
from calc.data.schema import Frozen, Number, ScenarioName, Text
from calc.data.validation import validation_message

__all__ = [
    "BUILDOUT_OUTPUTS",
    "MAX_POINTS",
    "Axis",
    "RangeSpec",
    "SweepFile",
    "SweepSpec",
    "read_sweep",
]

#: Most points a sweep may have (a grid's product times the design's points): beyond it
#: the tidy table alone would not fit the memory of one machine.
MAX_POINTS = 100_000_000
#: What a sweep of a build-out can keep beside the outputs of the static chain.
BUILDOUT_OUTPUTS: dict[str, str] = {
    "reach_month": "the month the compute multiple first reaches the target "
                   "(with samples: its 5th, 50th and 95th percentiles)",
    "p_target_by": "P(the target is reached by each month of the horizon); with `by:` a "
                   "column for each of those months",
}

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
AxisValue = Number | Text


class RangeSpec(Frozen):
    """A range of one axis, filled by the sweep's design (Latin hypercube or Sobol)."""

    low: AxisValue = Field(description="Lowest value, in the key's unit or with a unit "
                           "('0.3 GW'); a month YYYY-MM for a phase's start.")
    high: AxisValue = Field(description="Highest value, as `low`.")
    unit: Text | None = Field(None, description="Unit of low and high (pint syntax).")
    scale: Literal["linear", "log"] = Field(
        "linear", description="Spread points evenly (linear) or evenly in log (log).")


class SweepSpec(Frozen):
    """A sweep: a base scenario, the axes to vary, samples per point and what to keep."""

    scenario: ScenarioName = Field(description="The base scenario (a shipped name, or one "
                                   "of the file in `scenarios`).")
    scenarios: Text | None = Field(
        None, description="A scenario file (path relative to this file) whose scenarios "
        "may be named in `scenario`.")
    set: dict[str, AxisValue | None] = Field(
        default_factory=dict, description="Overrides applied to the base scenario before "
        "the axes, as `--set` does (inputs or phase fields timeline[N].FIELD).")
    axes: Annotated[dict[str, Annotated[list[AxisValue], Field(min_length=1)] | RangeSpec],
                    Field(min_length=1)] = Field(
        description="Each key to vary (an input such as site.facility_power_mw, "
        "hardware.accelerator for chips, or a phase field timeline[N].delay_months) with a "
        "list of values (every combination is a point) or a {low, high} range (filled by "
        "the design).")
    design: Literal["lhs", "sobol"] = Field(
        "lhs", description="How the range axes are filled: Latin hypercube or scrambled "
        "Sobol points.")
    points: StrictInt | None = Field(
        None, ge=1, description="Design points over the range axes (required with a range; "
        "a power of two for sobol); each is combined with every grid combination.")
    samples: StrictInt | None = Field(
        None, ge=100, le=2_000_000, description="Monte Carlo samples per point (common "
        "random numbers across points); adds p_target_reached and quantiles.")
    seed: StrictInt = Field(0, ge=0, description="Seed of the samples and of the design.")
    outputs: Annotated[list[Text], Field(min_length=1)] = Field(
        default_factory=lambda: ["compute_multiple"],
        description="What to keep: outputs of the chain (compute_multiple, "
        "facility_power_mw_for_target, ...) and, for a build-out, reach_month and "
        "p_target_by.")
    quantiles: Annotated[list[Annotated[float, Field(gt=0, lt=1)]], Field(min_length=1)] = Field(
        default_factory=lambda: [0.05, 0.5, 0.95],
        description="Quantiles of each output kept with samples (fractions).")
    until: Month | None = Field(None, description="Horizon of a build-out, YYYY-MM.")
    by: list[Month] = Field(default_factory=list, description="Months for which "
                            "P(target by month) gets a column of its own.")
    slip: Text | None = Field(
        None, description="A build-out's schedule slip, as `capcalc timeline --slip`: whose "
        "announced-versus-delivered record (peers.yaml schedules) every announced phase "
        "without a slip range of its own slips by: an operator (default: the operator of "
        "the shipped build-outs, shrunk toward the others), `peers` (every operator pooled) "
        "or `none`. A phase's delay_months on an axis is the delay announced, to which the "
        "slip adds, as `--set timeline[N].delay_months=` does in `capcalc timeline`.")
    block_size: StrictInt | None = Field(
        None, ge=1, description="Points per block (default: as many as fit a block's memory); "
        "does not change the results.")


@dataclass(frozen=True)
class Axis:
    """One axis of a sweep: grid ``values`` or a ``low``–``high`` range, in the key's unit.

    ``key`` is an input key or a phase key as written (checked against the
    scenario's timeline when the sweep is planned). A month-valued phase field
    (``start``) holds month indices.
    """

    key: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False

    @property
    def is_range(self) -> bool:
        """Whether the design fills this axis (else its values form a grid)."""
        return self.values is None

    @property
    def categorical(self) -> bool:
        """Whether the values are names (a chip, a precision) rather than numbers."""
        return self.key in INPUTS and INPUTS[self.key].kind == "choice"


@dataclass(frozen=True)
class SweepFile:
    """A checked sweep: the spec, its axes in their units, and where it came from."""

    spec: SweepSpec
    axes: tuple[Axis, ...]
    origin: str
    folder: Path | None = None

    @property
    def buildout(self) -> bool:
        """Whether the sweep runs the scenario's build-out (it keeps a reach output)."""
        return any(o in BUILDOUT_OUTPUTS for o in self.spec.outputs) or bool(self.spec.by)


def _phase_value(key: str, field: str, raw: Any, origin: str, what: str) -> float:
    """A phase field's value as the timeline core takes it: MW, months, or a month index."""
    try:
        if field == "start":
            return float(month_index(str(raw), key=key))
        if field == "delay_months":
            number = float(raw)
            lowest, highest, reason = PHASE_DOMAINS["delay_months"]
            if not float(lowest) <= number <= float(highest):
                raise CapcalcError(f"{what} must be between {lowest} and {highest} months "
                                   f"(got {number:g}): {reason}")
            return number
        return float(to_change("site.facility_power_mw", raw, origin).value or 0.0)
    except (TypeError, ValueError):
        raise CapcalcError(f"{what} {raw!r} is not a number", file=origin, key=key) from None
    except CapcalcError as exc:
        raise exc.at(file=origin, key=key) from None


def _value(key: str, raw: Any, unit: str | None, origin: str, what: str) -> Any:
    """One value of an axis in the key's unit, checked against the key's valid range."""
    if key.startswith("timeline"):
        field = key.rsplit(".", 1)[-1]
        if field not in ("facility_power_mw", "start", "delay_months"):
            raise CapcalcError("a sweep varies a phase's facility_power_mw, start or "
                               "delay_months", file=origin, key=key)
        if unit is not None and field == "facility_power_mw":
            raw = f"{raw} {unit}"
        return _phase_value(key, field, raw, origin, what)
    if key not in INPUTS:
        raise CapcalcError(f"unknown key{suggest(key, INPUTS)}; an axis is an input key or a "
                           "phase field timeline[N].FIELD", file=origin, key=f"axes.{key}")
    spec = INPUTS[key]
    if spec.kind == "choice" and (unit is not None or what != "value"):
        raise CapcalcError("a name has no range; list the names to sweep, e.g. [H100, GB200]",
                           file=origin, key=key)
    written = {"value": raw, "unit": unit} if unit is not None else raw
    try:
        change = to_change(key, written, origin)
    except CapcalcError as exc:
        message = exc.message
        if what != "value" and message.startswith("value "):
            message = f"{what} {message[len('value '):]}"
        raise CapcalcError(message, file=origin, key=f"axes.{key}") from None
    if change.value is None:
        raise CapcalcError(f"{what} cannot be null on an axis", file=origin, key=key)
    return change.value


def _axis(key: str, raw: Any, origin: str) -> Axis:
    if isinstance(raw, RangeSpec):
        low = _value(key, raw.low, raw.unit, origin, "low")
        high = _value(key, raw.high, raw.unit, origin, "high")
        if not low < high:
            raise CapcalcError(f"low ({low:g}) must be below high ({high:g})", file=origin,
                               key=f"axes.{key}")
        if raw.scale == "log" and low <= 0:
            raise CapcalcError("a log range needs a low above 0", file=origin,
                               key=f"axes.{key}")
        return Axis(key, low=float(low), high=float(high), log=raw.scale == "log")
    values = tuple(_value(key, v, None, origin, "value") for v in raw)
    if len(set(values)) != len(values):
        raise CapcalcError("lists a value twice", file=origin, key=f"axes.{key}")
    return Axis(key, values=values)


def _check_outputs(spec: SweepSpec, origin: str) -> None:
    known = {**OUTPUTS, **BUILDOUT_OUTPUTS}
    for name in spec.outputs:
        if name not in known:
            if name in TIMELINE_OUTPUTS:
                raise CapcalcError(f"{name!r} is a monthly series; a sweep keeps reach_month "
                                   "and p_target_by of a build-out", file=origin, key="outputs")
            raise CapcalcError(f"unknown output {name!r}{suggest(name, known)}",
                               file=origin, key="outputs")
    if len(set(spec.outputs)) != len(spec.outputs):
        raise CapcalcError("names an output twice", file=origin, key="outputs")
    if spec.slip is not None and not (any(o in BUILDOUT_OUTPUTS for o in spec.outputs)
                                      or spec.by):
        raise CapcalcError("a slip moves a build-out's phases; this sweep keeps no build-out "
                           "output (add reach_month or p_target_by to outputs, or remove "
                           "slip)", file=origin, key="slip")
    if spec.until is not None and spec.by:
        late = [m for m in spec.by if month_index(m) > month_index(spec.until)]
        if late:
            raise CapcalcError(f"{late[0]} is after until ({spec.until})", file=origin,
                               key="by")


def read_sweep(source: Path | str | Mapping[str, Any], *, origin: str | None = None
               ) -> SweepFile:
    """Read and check a sweep file (a path) or a sweep written as a dict.

    Raises
    ------
    CapcalcError
        One line naming the file and the key: an unknown key, an empty axis, a
        value outside the key's valid range, or more than :data:`MAX_POINTS` points.
    """
    folder: Path | None = None
    if isinstance(source, Mapping):
        data: Any = dict(source)
        where = origin or "sweep"
    else:
        path = Path(source)
        data = load_yaml(path)
        where = origin or str(path)
        folder = path.parent
    if data is None:
        raise CapcalcError("empty file; a sweep names a scenario and its axes", file=where)
    if not isinstance(data, dict):
        raise CapcalcError("must be a mapping of keys to values (scenario, axes, ...)",
                           file=where)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        key, message = validation_message(exc, known=list(SweepSpec.model_fields))
        # an axis is a list or a range: pydantic names the member tried, which the user never wrote
        key = re.sub(r"\.(?:list\[.*?\]\]|RangeSpec)(?=\.|$)", "", key)
        raise CapcalcError(message, file=where, key=key) from None
    ranges = [k for k, v in spec.axes.items() if isinstance(v, RangeSpec)]
    if ranges and spec.points is None:
        raise CapcalcError(f"{ranges[0]} is a range; say how many design points fill it "
                           "(points: 256)", file=where, key="points")
    if not ranges and spec.points is not None:
        raise CapcalcError("no axis is a range; points counts the design over ranges "
                           "(give an axis {low, high}, or remove points)", file=where,
                           key="points")
    if ranges and spec.design == "sobol" and spec.points is not None \
            and spec.points & (spec.points - 1):
        raise CapcalcError(f"a Sobol design takes a power of two points (got {spec.points:,}; "
                           f"try {1 << spec.points.bit_length():,})", file=where, key="points")
    _check_outputs(spec, where)
    sweep = SweepFile(spec=spec, axes=(), origin=where, folder=folder)
    # the size first: a grid of 10¹² points is refused before its values are read
    grid = math.prod(len(v) for v in spec.axes.values() if isinstance(v, list))
    total = grid * (spec.points or 1)
    if total > MAX_POINTS:
        raise CapcalcError(f"{total:,} points is more than a sweep takes ({MAX_POINTS:,}); "
                           "use fewer values per axis or fewer design points", file=where,
                           key="axes")
    axes = tuple(_axis(key, raw, where) for key, raw in spec.axes.items())
    return SweepFile(spec=sweep.spec, axes=axes, origin=where, folder=folder)

