"""Build-out phases as files and ``--set`` write them: read, checked, addressed and edited.

A timeline is a list of :class:`~calc.core.phases.Phase`. Here they are
converted from validated file entries (units, ranges, unique names, total
power that never falls), checked against the catalog, addressed by key
(``timeline[2].start``, ``timeline[cortex-2].facility_power_mw``) and edited
one field at a time, each mistake a one-line :class:`CapcalcError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from calc.core.errors import CapcalcError, quoted, shown, suggest
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, PHASE_SET_FIELDS, PHASE_STATUSES, Phase, phase_key
from calc.core.vocabulary import INPUTS, PHASE_DOMAINS, check_bounds
from calc.data.assumptions import Accelerator
from calc.data.changes import flow_mapping
from calc.data.units import NumberTextError, UnitError, parse_quantity

__all__ = [
    "apply_phase_sets",
    "check_phases",
    "parse_phase_key",
    "to_phases",
    "with_phase_value",
]

_PHASE_KEY = re.compile(r"^timeline(?:\.phases)?\[(?P<which>[^\]]+)\]\.(?P<field>\w+)$")


def _power_mw(raw: Any, *, file: str | None, key: str) -> float:
    try:
        number = parse_quantity(raw, "MW") if isinstance(raw, str) else float(raw)
    except NumberTextError as exc:
        raise CapcalcError(str(exc), file=file, key=key) from None
    except UnitError as exc:
        raise CapcalcError(f"{exc}; write it in MW (e.g. 250 or '0.25 GW')",
                           file=file, key=key) from None
    except (TypeError, ValueError):
        raise CapcalcError(f"must be a power in MW (got {raw!r})", file=file, key=key) from None
    problem = check_bounds(INPUTS["site.facility_power_mw"], number)
    if problem:
        raise CapcalcError(problem, file=file, key=key)
    return number


def _start(text: Any, *, file: str | None, key: str) -> str:
    """A phase's start month ``YYYY-MM``, checked against its plausible range."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise CapcalcError(f"must be a month written YYYY-MM (got {shown(text)})",
                           file=file, key=key)
    if not isinstance(text, str):  # a month index, as solve and the dashboard give it
        if not math.isfinite(text) or text != int(text):
            raise CapcalcError(f"must be a whole month (got {shown(text)})", file=file, key=key)
        text = month_label(int(text)) if 0 <= text < 10_000 * 12 else str(text)
    try:
        index = month_index(text, key=key)
    except CapcalcError as exc:
        raise exc.at(file=file, key=key) from None
    first, last, reason = PHASE_DOMAINS["start"]
    if not month_index(str(first)) <= index <= month_index(str(last)):
        raise CapcalcError(f"{month_label(index)} is outside {first} to {last} ({reason})",
                           file=file, key=key)
    return month_label(index)


def _delay(value: Any, *, file: str | None, key: str) -> int:
    """A phase's delay: a whole number of months in its range (text or a number)."""
    lowest, highest, _ = PHASE_DOMAINS["delay_months"]
    try:
        months = float(value)
    except (TypeError, ValueError, OverflowError):
        months = math.nan
    if isinstance(value, bool) or not math.isfinite(months) or months != int(months) \
            or not int(lowest) <= months <= int(highest):
        raise CapcalcError(f"must be a whole number of months from {lowest} to {highest} "
                           f"(got {shown(value)})", file=file, key=key)
    return int(months)


#: How a slip range is written, in a file or after ``--set timeline[N].delay_months=``.
_RANGE_WORDS = "{value: 0, low: 0, high: 12} (whole months, low ≤ value ≤ high)"


def _delay_range(value: Any, *, file: str | None, key: str
                 ) -> tuple[int, int | None, int | None]:
    """A phase's slip: ``(months, low, high)``; a plain number has no range (None, None).

    A range is the slip's 90 % interval with ``value`` its median, written as a
    mapping (in a file) or a YAML flow mapping (on the command line).
    """
    value = flow_mapping(value, file or "--set", key, _RANGE_WORDS)
    if hasattr(value, "model_dump"):  # a validated range from a file
        value = value.model_dump()
    if not isinstance(value, Mapping):
        return _delay(value, file=file, key=key), None, None
    unknown = sorted(str(k) for k in value if k not in ("value", "low", "high"))
    if unknown or "value" not in value or ("low" in value) != ("high" in value):
        what = (f"unknown field {unknown[0]!r}{suggest(unknown[0], ('value', 'low', 'high'))}"
                if unknown else "a range needs value, low and high")
        raise CapcalcError(f"{what}; write {_RANGE_WORDS}", file=file, key=key)
    months = _delay(value["value"], file=file, key=f"{key}.value")
    if "low" not in value:
        return months, None, None
    low = _delay(value["low"], file=file, key=f"{key}.low")
    high = _delay(value["high"], file=file, key=f"{key}.high")
    if not low <= months <= high:
        raise CapcalcError(f"the range {low} to {high} months must hold the value {months}; "
                           f"write {_RANGE_WORDS}", file=file, key=key)
    return months, low, high


def _lead(value: Any, *, file: str | None, key: str) -> int | None:
    """A phase's own procurement lead time (None: the scenario's), whole months in its range."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none")):
        return None
    lowest, highest, reason = PHASE_DOMAINS["lead_months"]
    try:
        months = float(value)
    except (TypeError, ValueError, OverflowError):
        months = math.nan
    if isinstance(value, bool) or not math.isfinite(months) or months != int(months) \
            or not int(lowest) <= months <= int(highest):
        raise CapcalcError(f"must be a whole number of months from {lowest} to {highest}, or "
                           f"null for hardware.procurement_lead_months ({reason}; got "
                           f"{shown(value)})", file=file, key=key)
    return int(months)


def _mfu(value: Any, *, file: str | None, key: str) -> float | None:
    """A phase's own MFU (None: the scenario's), a share in ``training.mfu``'s range."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none")):
        return None
    try:  # as training.mfu is read: 0.4, or a percentage such as '40 %'
        number = parse_quantity(value, "1") if isinstance(value, str) else float(value)
    except NumberTextError as exc:
        raise CapcalcError(str(exc), file=file, key=key) from None
    except (UnitError, TypeError, ValueError, OverflowError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise CapcalcError(f"must be a number like training.mfu, e.g. 0.4 or '40 %' (got "
                           f"{shown(value)})", file=file, key=key)
    problem = check_bounds(INPUTS["training.mfu"], number)
    if problem:
        raise CapcalcError(problem, file=file, key=key)
    return number


def _precision(value: Any, *, file: str | None, key: str) -> str | None:
    """A phase's own training precision (None: the scenario's)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("", "null", "none"):
        return None
    choices = INPUTS["training.precision"].choices
    if text not in choices:
        raise CapcalcError(f"must be one of {', '.join(choices)} (got {shown(value)})"
                           f"{suggest(text, choices)}", file=file, key=key)
    return text


def _status(value: Any, *, file: str | None, key: str) -> str:
    text = str(value).strip().lower()
    if text not in PHASE_STATUSES:
        raise CapcalcError(f"must be one of {', '.join(PHASE_STATUSES)} (got {shown(value)})"
                           f"{suggest(text, PHASE_STATUSES)}", file=file, key=key)
    return text


def _check_order(phases: Sequence[Phase], file: str | None) -> None:
    """Phases are listed in the order they start, and the site's total power never falls."""
    names: set[str] = set()
    for i, phase in enumerate(phases):
        if phase.name in names:
            raise CapcalcError(f"phase name {phase.name!r} is used twice; name each phase once",
                               file=file, key=f"timeline[{i}].name")
        names.add(phase.name)
        if i and phase.start_month < phases[i - 1].start_month:
            raise CapcalcError(
                f"{phase.start} is before the previous phase's start ({phases[i - 1].start}); "
                "list phases in the order they start (each one's facility_power_mw is the "
                "site's total from its start, so the order decides what each phase adds)",
                file=file, key=f"timeline[{i}].start",
            )
        if i and phase.facility_power_mw < phases[i - 1].facility_power_mw:
            raise CapcalcError(
                f"{phase.facility_power_mw:g} MW is below the previous phase's "
                f"{phases[i - 1].facility_power_mw:g} MW; facility_power_mw is the site's total "
                "from the phase's start, so it cannot fall (retire hardware with its lifetime)",
                file=file, key=f"timeline[{i}].facility_power_mw",
            )


def to_phases(specs: Iterable[Any], *, file: str | None = None) -> tuple[Phase, ...]:
    """Convert validated phase specs (``calc.data.schema.PhaseSpec``) to :class:`Phase` objects.

    The power is converted to MW and range-checked; phase names must be unique
    and the total facility power must not fall from one phase to the next.
    """
    phases = []
    for i, spec in enumerate(specs):
        delay, low, high = _delay_range(spec.delay_months, file=file,
                                        key=f"timeline[{i}].delay_months")
        phases.append(Phase(
            name=spec.name, start=_start(spec.start, file=file, key=f"timeline[{i}].start"),
            facility_power_mw=_power_mw(spec.facility_power_mw, file=file,
                                        key=f"timeline[{i}].facility_power_mw"),
            accelerator=spec.accelerator, delay_months=delay, delay_low=low, delay_high=high,
            refresh=spec.refresh, source=spec.source, confidence=spec.confidence,
            note=spec.note,
            status=_status(getattr(spec, "status", "announced"), file=file,
                           key=f"timeline[{i}].status"),
            mfu=_mfu(spec.mfu, file=file, key=f"timeline[{i}].mfu"),
            precision=_precision(spec.precision, file=file, key=f"timeline[{i}].precision"),
            lead_months=_lead(getattr(spec, "lead_months", None), file=file,
                              key=f"timeline[{i}].lead_months"),
        ))
    result = tuple(phases)
    _check_order(result, file)
    return result


def check_phases(phases: Sequence[Phase], catalog: Mapping[str, Accelerator], *,
                 file: str | None = None) -> None:
    """Check that every phase names a catalog accelerator (or ``latest``)."""
    if not phases:
        raise CapcalcError("a timeline needs at least one phase", file=file, key="timeline")
    for i, phase in enumerate(phases):
        if phase.accelerator not in (None, LATEST) and phase.accelerator not in catalog:
            raise CapcalcError(
                f"{quoted(phase.accelerator)} is not in the catalog"
                f"{suggest(str(phase.accelerator), [*catalog, LATEST])}"
                f" (catalog: {', '.join(catalog)}; or {LATEST})",
                file=file, key=f"timeline[{i}].accelerator",
            )
    _check_order(phases, file)



def parse_phase_key(key: str, phases: Sequence[Phase]) -> tuple[int, str] | None:
    """``(phase index, field)`` of a phase key: ``timeline[2].start``, ``timeline[cortex-2].start``.

    The phase is its 0-based position (negative counts from the end) or its
    name; ``timeline.phases[...]`` is accepted too. Returns None when ``key``
    does not address a phase.
    """
    match = _PHASE_KEY.fullmatch(key.strip())
    if not match:
        if key.strip().startswith("timeline"):
            raise CapcalcError(
                "is not a phase key; write timeline[N].FIELD or timeline[NAME].FIELD with FIELD "
                f"one of {', '.join(PHASE_SET_FIELDS)}", key=key)
        return None
    which, field = match.group("which").strip(), match.group("field")
    if field not in PHASE_SET_FIELDS:
        raise CapcalcError(f"unknown phase field {field!r}{suggest(field, PHASE_SET_FIELDS)}; "
                           f"choose from {', '.join(PHASE_SET_FIELDS)}", key=key)
    names = [p.name for p in phases]
    if re.fullmatch(r"-?\d+", which):
        index = int(which)
        if not -len(phases) <= index < len(phases):
            raise CapcalcError(f"there is no phase {index}; the timeline has {len(phases)} "
                               f"(0 to {len(phases) - 1}: {', '.join(names)})", key=key)
        return index % len(phases), field
    if which not in names:
        raise CapcalcError(f"no phase named {which!r}{suggest(which, names)} "
                           f"(phases: {', '.join(names)})", key=key)
    return names.index(which), field


def with_phase_value(phases: Sequence[Phase], index: int, field: str, value: Any, *,
                     file: str | None = None) -> tuple[Phase, ...]:
    """``phases`` with one field of one phase replaced (checked as a file would be)."""
    key = phase_key(index, field)
    phase = phases[index]
    if field == "facility_power_mw":
        new = replace(phase, facility_power_mw=_power_mw(value, file=file, key=key))
    elif field == "start":
        new = replace(phase, start=_start(value, file=file, key=key))
    elif field == "accelerator":
        name = None if value is None or str(value).strip().lower() in ("", "null", "none") \
            else str(value).strip()
        new = replace(phase, accelerator=name)
    elif field == "refresh":
        flag = str(value).strip().lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise CapcalcError(f"must be true or false (got {shown(value)})", file=file, key=key)
        new = replace(phase, refresh=flag in ("true", "yes", "1"))
    elif field == "status":
        new = replace(phase, status=_status(value, file=file, key=key))
    elif field == "mfu":
        new = replace(phase, mfu=_mfu(value, file=file, key=key))
    elif field == "precision":
        new = replace(phase, precision=_precision(value, file=file, key=key))
    elif field == "lead_months":
        new = replace(phase, lead_months=_lead(value, file=file, key=key))
    else:
        delay, low, high = _delay_range(value, file=file, key=key)
        new = replace(phase, delay_months=delay, delay_low=low, delay_high=high)
    result = (*phases[:index], new, *phases[index + 1:])
    _check_order(result, file)
    return result


def apply_phase_sets(phases: Sequence[Phase], sets: Iterable[tuple[str, Any]], *,
                     file: str = "--set", catalog: Mapping[str, Accelerator] | None = None
                     ) -> tuple[Phase, ...]:
    """Apply ``--set timeline[N].FIELD=VALUE`` pairs to ``phases`` (checked against ``catalog``)."""
    sets = list(sets)
    result = tuple(phases)
    for key, raw in sets:
        parsed = parse_phase_key(key, result)
        if parsed is None:
            raise CapcalcError("is not a phase key", file=file, key=key)
        try:
            result = with_phase_value(result, *parsed, raw, file=file)
        except CapcalcError as exc:
            raise exc.at(file=file, key=key) from None
    if catalog is not None and sets:
        check_phases(result, catalog, file=file)
    return result


