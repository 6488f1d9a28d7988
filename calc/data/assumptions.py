"""Load the sourced baseline (``assumptions.yaml``) into capcalc's units, catalog included.

Reading is strict: the pydantic schema rejects unknown keys and wrong types,
then each value is converted with the unit registry to the unit its key is
stored in and checked against the key's valid range. Every failure is a
:class:`~calc.core.errors.CapcalcError` naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calc.core.errors import CapcalcError, quoted, shown, suggest
from calc.core.vocabulary import GROUPS, INPUTS, InputSpec, check_bounds, check_value
from calc.data.io import load_yaml, parse_yaml
from calc.data.resources import ASSUMPTIONS, shipped_bytes
from calc.data.units import UnitError, check_number_text, convert, number_in

if TYPE_CHECKING:
    from calc.data.schema import AcceleratorSpec, CorrelationSpec, Entry

__all__ = [
    "Accelerator",
    "Assumption",
    "Baseline",
    "Correlation",
    "load_baseline",
    "parse_baseline",
    "parse_baseline_text",
    "range_problem",
    "to_assumption",
    "to_correlations",
]


Value = float | str | None


@dataclass(frozen=True)
class Assumption:
    """One input of a scenario, in the unit of its key, with its provenance."""

    key: str
    value: Value
    unit: str
    source: str
    as_of: str
    low: float | None = None
    high: float | None = None
    dist: str | None = None
    note: str | None = None
    confidence: str | None = None

    @property
    def spec(self) -> InputSpec:
        """The vocabulary entry of this key."""
        return INPUTS[self.key]

    @property
    def number(self) -> float:
        """The value as a float (numeric inputs and catalog figures)."""
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise CapcalcError(f"needs a number (got {self.value!r})", key=self.key)
        return float(self.value)


@dataclass(frozen=True)
class Accelerator:
    """A catalog accelerator, every number in capcalc's units, with provenance."""

    key: str
    name: str
    vendor: str
    status: str
    release: str
    tdp_w: float
    bf16_flop_per_s: float
    fp8_flop_per_s: float
    server_overhead: float
    capex_usd: float
    cloud_usd_per_hour: float
    entries: Mapping[str, Assumption]
    mfu_at_scale: float | None = None
    release_low: str | None = None
    release_high: str | None = None

    def field(self, name: str) -> float:
        """Return a numeric field by name (``tdp_w``, ``fp8_flop_per_s``, ...)."""
        value = getattr(self, name)
        if not isinstance(value, float):
            raise KeyError(name)
        return value


@dataclass(frozen=True)
class Baseline:
    """The loaded ``assumptions.yaml``: every input key and the accelerator catalog."""

    source: str
    assumptions: Mapping[str, Assumption]
    catalog: Mapping[str, Accelerator]
    correlations: tuple[Correlation, ...] = ()


@dataclass(frozen=True)
class Correlation:
    """A rank correlation between two inputs, with its provenance (``correlations:`` lists)."""

    keys: tuple[str, str]
    rank: float
    source: str
    as_of: str | None = None
    note: str | None = None
    origin: str = ""

    @property
    def pair(self) -> frozenset[str]:
        """The two keys, unordered: a later declaration of the same pair replaces this one."""
        return frozenset(self.keys)


def to_correlations(specs: Iterable[CorrelationSpec], *, origin: str,
                    where: str = "correlations") -> tuple[Correlation, ...]:
    """Convert validated ``correlations:`` entries; a pair given twice is an error."""
    seen: set[frozenset[str]] = set()
    out = []
    for i, spec in enumerate(specs):
        item = Correlation(keys=(spec.keys[0], spec.keys[1]), rank=float(spec.rank),
                           source=spec.source, as_of=spec.as_of, note=spec.note, origin=origin)
        if item.pair in seen:
            raise CapcalcError(f"the pair {' / '.join(item.keys)} is given twice",
                               file=origin, key=f"{where}.{i}.keys")
        seen.add(item.pair)
        out.append(item)
    return tuple(out)


_CATALOG_UNITS = {
    "tdp_w": "W",
    "bf16_flop_per_s": "FLOP/s",
    "fp8_flop_per_s": "FLOP/s",
    "server_overhead": "1",
    "capex_usd": "USD_2025",
    "cloud_usd_per_hour": "USD_2025/h",
}
#: The input key each catalog field feeds, whose valid range it must respect.
_CATALOG_KEYS = {
    "tdp_w": "hardware.tdp_w",
    "bf16_flop_per_s": "hardware.peak_flop_per_s",
    "fp8_flop_per_s": "hardware.peak_flop_per_s",
    "server_overhead": "hardware.server_overhead",
    "capex_usd": "cost.accelerator_capex_usd",
    "cloud_usd_per_hour": "cost.cloud_usd_per_accelerator_hour",
    "mfu_at_scale": "training.mfu",
}
#: Catalog fields a chip may leave out (nothing is published for it), with their unit.
_OPTIONAL_CATALOG_UNITS = {"mfu_at_scale": "1"}


def _convert(value: float, unit: str | None, spec: InputSpec, *, what: str) -> float:
    if unit is None:
        return float(value)
    try:
        return convert(value, unit, spec.unit or "1")
    except UnitError as exc:
        raise CapcalcError(f"{what}: {exc}; write it as {number_in(spec.unit)}") from None


def range_problem(value: Value, low: float | None, high: float | None) -> str | None:
    """Why a value and its 90 % range ``[low, high]`` do not go together, or None: a range
    with one end only, or a value outside it.

    >>> range_problem(1.5, 1.1, 1.3)
    'value 1.5 is outside its own 90 % range 1.1 to 1.3; the range must hold the value'
    >>> range_problem(1.2, 1.1, None)
    'a 90 % range needs both low and high (got low 1.1 and no high); give both, or neither'
    >>> range_problem(1.2, None, None) is None
    True
    """
    if not isinstance(value, float | int) or isinstance(value, bool):
        return None
    if (low is None) != (high is None):
        given = f"low {low:g} and no high" if low is not None else f"high {high:g} and no low"
        return f"a 90 % range needs both low and high (got {given}); give both, or neither"
    if (low is not None and value < low) or (high is not None and value > high):
        span = (f"{low:g} to {high:g}" if low is not None and high is not None else
                f"from {low:g}" if low is not None else f"up to {high:g}")
        return (f"value {value:g} is outside its own 90 % range {span}; the range must hold "
                "the value")
    return None


def _text_for_number(value: str, unit: str) -> CapcalcError:
    """The error for text where a number belongs, saying why text like ``010`` is refused."""
    try:
        check_number_text(value.strip().split(" ", 1)[0], value)
    except UnitError as exc:
        return CapcalcError(f"value {exc}")
    return CapcalcError(f"value must be {number_in(unit)} (got {shown(value)})")


def to_assumption(key: str, entry: Entry) -> Assumption:
    """Convert one validated entry to ``key``'s unit and check its range."""
    spec = INPUTS[key]
    value: Value = entry.value
    low, high = entry.low, entry.high
    if spec.kind == "choice":
        if value is not None and not isinstance(value, str):
            raise CapcalcError(f"must be a name, not the number {value!r}", key=key)
        ranged = [f for f in ("low", "high", "dist") if getattr(entry, f) is not None]
        if ranged:
            raise CapcalcError(f"a name has no range; remove {' and '.join(ranged)}", key=key)
        if spec.choices and value not in spec.choices:
            raise CapcalcError(
                f"{quoted(value)} is not one of {', '.join(spec.choices)}"
                f"{suggest(str(value), spec.choices)}",
                key=key,
            )
    else:
        if isinstance(value, str):
            raise _text_for_number(value, entry.unit or spec.unit).at(key=key)
        try:
            if value is not None:
                value = _convert(value, entry.unit, spec, what="value")
            low = None if low is None else _convert(low, entry.unit, spec, what="low")
            high = None if high is None else _convert(high, entry.unit, spec, what="high")
        except CapcalcError as exc:
            raise exc.at(key=key) from None
        for label, number in (("value", value), ("low", low), ("high", high)):
            if isinstance(number, float):
                problem = (check_value if label == "value" else check_bounds)(spec, number)
                if problem:
                    raise CapcalcError(f"{label} {problem}", key=key)
        problem = range_problem(value, low, high)
        if problem:
            raise CapcalcError(problem, key=key)
        if value is None and not spec.nullable:
            raise CapcalcError("needs a value", key=key)
    return Assumption(
        key=key,
        value=value,
        unit=spec.unit,
        source=entry.source,
        as_of=entry.as_of,
        low=low,
        high=high,
        dist=entry.dist,
        note=entry.note,
        confidence=entry.confidence,
    )


def _accelerator(key: str, spec: AcceleratorSpec) -> Accelerator:
    entries: dict[str, Assumption] = {}
    numbers: dict[str, float] = {}
    for name, unit in {**_CATALOG_UNITS, **_OPTIONAL_CATALOG_UNITS}.items():
        entry: Entry | None = getattr(spec, name)
        if entry is None:
            continue
        where = f"catalog.{key}.{name}"
        if isinstance(entry.value, str):
            raise _text_for_number(entry.value, unit).at(key=where)
        if not isinstance(entry.value, int | float):
            raise CapcalcError(f"must be {number_in(unit)}", key=where)
        try:
            number = convert(entry.value, entry.unit or unit, unit)
        except UnitError as exc:
            raise CapcalcError(f"{exc}; write it as {number_in(unit)}", key=where) from None
        numbers[name] = number
        scale = number / float(entry.value) if entry.value else 1.0
        low = None if entry.low is None else entry.low * scale
        high = None if entry.high is None else entry.high * scale
        for label, bound in (("value", number), ("low", low), ("high", high)):
            problem = None if bound is None else check_bounds(INPUTS[_CATALOG_KEYS[name]], bound)
            if problem:
                raise CapcalcError(f"{label} {problem}", key=where)
        problem = range_problem(number, low, high)
        if problem:
            raise CapcalcError(problem, key=where)
        entries[name] = Assumption(
            key=where, value=number, unit=unit, source=entry.source, as_of=entry.as_of,
            low=low, high=high, dist=entry.dist, note=entry.note, confidence=entry.confidence,
        )
    release = spec.release
    return Accelerator(
        key=key, name=spec.name, vendor=spec.vendor, status=spec.status,
        release=release.value, release_low=release.low, release_high=release.high,
        entries=entries, **numbers,
    )


def parse_baseline(data: Any, *, source: str) -> Baseline:
    """Validate a parsed assumptions tree and convert it to a :class:`Baseline`."""
    if not isinstance(data, dict):
        raise CapcalcError("must be a mapping of sections (site, hardware, ...)", file=source)
    # deferred: pydantic only when the file is read (the cached shipped library needs none)
    from pydantic import ValidationError

    from calc.data.schema import AssumptionsFile
    from calc.data.validation import validation_message

    try:
        model = AssumptionsFile.model_validate(data)
    except ValidationError as exc:
        key, message = validation_message(
            exc, known=[*GROUPS, *INPUTS, "catalog", "correlations"])
        raise CapcalcError(message, file=source, key=key) from None
    assumptions: dict[str, Assumption] = {}
    try:
        catalog = {
            name: _accelerator(name, spec)
            for name, spec in model.catalog.items()  # type: ignore[attr-defined]
        }
        for key, spec in INPUTS.items():
            entry = getattr(getattr(model, spec.group), spec.name)
            assumptions[key] = to_assumption(key, entry)
    except CapcalcError as exc:
        raise exc.at(file=source) from None
    baseline = Baseline(source=source, assumptions=assumptions, catalog=catalog,
                        correlations=to_correlations(
                            model.correlations, origin=source))  # type: ignore[attr-defined]
    accelerator = assumptions["hardware.accelerator"].value
    if accelerator not in catalog:
        raise CapcalcError(
            f"{quoted(accelerator)} is not in the catalog{suggest(str(accelerator), catalog)}",
            file=source, key="hardware.accelerator",
        )
    _check_sizing(assumptions, source)
    return baseline


def _check_sizing(assumptions: Mapping[str, Assumption], source: str) -> None:
    power = assumptions["site.facility_power_mw"].value
    count = assumptions["site.accelerators"].value
    if power is None and count is None:
        raise CapcalcError("set site.facility_power_mw or site.accelerators",
                           file=source, key="site.facility_power_mw")
    if power is not None and count is not None:
        raise CapcalcError(
            "site.facility_power_mw and site.accelerators are both set; the site is sized "
            "by one of them (set the other to null)",
            file=source, key="site.accelerators",
        )


def load_baseline(path: Path | None = None) -> Baseline:
    """Read an assumptions file (capcalc's shipped ``assumptions.yaml`` when ``path`` is None)."""
    if path is None:
        return parse_baseline_text(shipped_bytes(ASSUMPTIONS), source=ASSUMPTIONS)
    return parse_baseline(load_yaml(path), source=str(path))


def parse_baseline_text(text: str | bytes, *, source: str) -> Baseline:
    """Parse an assumptions document given as text (uploads, tests)."""
    return parse_baseline(parse_yaml(text, source=source), source=source)
