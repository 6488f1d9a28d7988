"""Build-out phases as files and ``--set`` write them: read, checked, addressed and edited.

A timeline is a list of :class:`~calc.core.phases.Phase`. Here they are
converted from validated file entries (units, ranges, unique names, total
power that never falls), checked against the catalog, addressed by key
(``timeline[2].start``, ``timeline[cortex-2].facility_power_mw``) and edited
one field at a time, each mistake a one-line :class:`CapcalcError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from calc.core.errors import CapcalcError, suggest
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, PHASE_SET_FIELDS, Phase, phase_key
from calc.core.vocabulary import INPUTS, check_bounds
from calc.data.assumptions import Accelerator
from calc.data.units import UnitError, parse_quantity

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
    except UnitError as exc:
        raise CapcalcError(f"{exc}; write it in MW (e.g. 250 or '0.25 GW')",
                           file=file, key=key) from None
    except (TypeError, ValueError):
        raise CapcalcError(f"must be a power in MW (got {raw!r})", file=file, key=key) from None
    problem = check_bounds(INPUTS["site.facility_power_mw"], number)
    if problem:
        raise CapcalcError(problem, file=file, key=key)
    return number


def _check_order(phases: Sequence[Phase], file: str | None) -> None:
    names: set[str] = set()
    for i, phase in enumerate(phases):
        if phase.name in names:
            raise CapcalcError(f"phase name {phase.name!r} is used twice; name each phase once",
                               file=file, key=f"timeline[{i}].name")
        names.add(phase.name)
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
        month_index(spec.start, key=f"timeline[{i}].start")
        phases.append(Phase(
            name=spec.name, start=spec.start,
            facility_power_mw=_power_mw(spec.facility_power_mw, file=file,
                                        key=f"timeline[{i}].facility_power_mw"),
            accelerator=spec.accelerator, delay_months=spec.delay_months,
            refresh=spec.refresh, source=spec.source, confidence=spec.confidence,
            note=spec.note,
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
                f"{phase.accelerator!r} is not in the catalog"
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
    match = _PHASE_KEY.match(key.strip())
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
        text = month_label(int(value)) if isinstance(value, int | float) else str(value)
        month_index(text, key=key)
        new = replace(phase, start=text)
    elif field == "accelerator":
        name = None if value is None or str(value).strip().lower() in ("", "null", "none") \
            else str(value).strip()
        new = replace(phase, accelerator=name)
    elif field == "refresh":
        flag = str(value).strip().lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise CapcalcError(f"must be true or false (got {value!r})", file=file, key=key)
        new = replace(phase, refresh=flag in ("true", "yes", "1"))
    else:
        try:
            months = float(value)
        except (TypeError, ValueError):
            raise CapcalcError(f"must be a whole number of months (got {value!r})",
                               file=file, key=key) from None
        if months != int(months) or not 0 <= months <= 600:
            raise CapcalcError(f"must be a whole number of months from 0 to 600 (got {value!r})",
                               file=file, key=key)
        new = replace(phase, delay_months=int(months))
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


