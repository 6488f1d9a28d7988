"""One override of one input, as a file or ``--set`` writes it, in the key's unit.

An override is a plain number in the key's unit, a number with a unit
(``"0.5 GW"``), a name, ``null``, or a mapping that also sets the range and
provenance (``{value: 0.4, low: 0.3, high: 0.5}``, on the command line too).
:func:`to_change` checks it against the vocabulary and gives a :class:`Change`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from calc.core.errors import CapcalcError, quoted, shown, suggest
from calc.core.vocabulary import INPUTS, InputSpec, check_bounds, check_value
from calc.data.assumptions import Value, range_problem
from calc.data.io import parse_yaml
from calc.data.units import NumberTextError, UnitError, convert, number_in, parse_quantity

__all__ = ["RANGE_EXAMPLE", "Change", "flow_mapping", "to_change"]


@dataclass(frozen=True)
class Change:
    """One override of one key, already in the key's unit."""

    key: str
    origin: str
    value: Value = None
    has_value: bool = False
    low: float | None = None
    high: float | None = None
    dist: str | None = None
    source: str | None = None
    as_of: str | None = None
    note: str | None = None



def _unit_words(spec: InputSpec) -> str:
    """How a value of ``spec`` may be written, for the end of a unit error."""
    return f"write it as {number_in(spec.unit)}"


def _number_change(key: str, raw: Any, unit: str | None, origin: str, what: str) -> float:
    spec = INPUTS[key]
    try:
        if isinstance(raw, str):
            if unit is not None:
                raise CapcalcError(f"{what} {shown(raw)} is text; with `unit` give a plain number")
            number = parse_quantity(raw, spec.unit or "1")
        else:
            number = float(raw)
            if unit is not None:
                number = convert(number, unit, spec.unit or "1")
    except NumberTextError as exc:
        raise CapcalcError(str(exc), file=origin, key=key) from None
    except UnitError as exc:
        raise CapcalcError(f"{exc}; {_unit_words(spec)}", file=origin, key=key) from None
    except CapcalcError as exc:
        raise exc.at(file=origin, key=key) from None
    problem = (check_value if what == "value" else check_bounds)(spec, number)
    if problem:
        raise CapcalcError(f"{what} {problem}", file=origin, key=key)
    return number


#: How an input's range is written on the command line.
RANGE_EXAMPLE = "{value: 0.4, low: 0.3, high: 0.5}"


def flow_mapping(raw: Any, origin: str, key: str, example: str = RANGE_EXAMPLE) -> Any:
    """A ``--set`` value written as a YAML flow mapping, read as the mapping it is.

    ``--set "training.mfu={value: 0.4, low: 0.3, high: 0.5}"`` gives the same
    override as those lines in a scenario file; any other value is returned as is.
    A key written without a space after its colon (``{value:0.4}``, which YAML
    reads as the one word ``value:0.4``) is named as that mistake, with ``example``.

    >>> flow_mapping("{value: 0.4, low: 0.3, high: 0.5}", "--set", "training.mfu")
    {'value': 0.4, 'low': 0.3, 'high': 0.5}
    >>> flow_mapping("{value:0.4}", "--set", "training.mfu")
    Traceback (most recent call last):
    ...
    calc.core.errors.CapcalcError: --set: training.mfu: 'value:0.4' has no space after its \
colon, so YAML reads it as one word; write {value: 0.4, low: 0.3, high: 0.5}
    """
    if not isinstance(raw, str) or not raw.lstrip().startswith("{"):
        return raw
    try:
        mapping = parse_yaml(raw, source=origin)
    except CapcalcError as exc:
        raise CapcalcError(f"{shown(raw)} is not a YAML mapping ({exc.message}); write it as "
                           f"{example}", file=origin, key=key) from None
    if not isinstance(mapping, dict):
        raise CapcalcError(f"{shown(raw)} is not a mapping; write it as {example}",
                           file=origin, key=key)
    glued = next((k for k, v in mapping.items() if v is None and ":" in str(k)), None)
    if glued is not None:
        raise CapcalcError(f"{shown(glued)} has no space after its colon, so YAML reads it as "
                           f"one word; write {example}", file=origin, key=key)
    return mapping


def _plain_number(raw: Any) -> bool:
    """A finite float, or an int a float holds exactly (not a bool): a value as it stands.

    >>> _plain_number(0.4), _plain_number(3), _plain_number(True), _plain_number(float("nan"))
    (True, True, False, False)
    """
    if isinstance(raw, float):
        return math.isfinite(raw)
    return type(raw) is int and abs(raw) <= 2 ** 53


def to_change(key: str, raw: Any, origin: str) -> Change:
    """Convert one override as written to a :class:`Change` in the key's unit."""
    if key not in INPUTS:
        raise CapcalcError(f"unknown key{suggest(key, INPUTS)}", file=origin, key=key)
    spec = INPUTS[key]
    if spec.kind != "choice" and _plain_number(raw):  # what a schema would accept as is
        return Change(key=key, origin=origin, has_value=True,
                      value=_number_change(key, raw, None, origin, "value"))
    raw = flow_mapping(raw, origin, key)
    override: Any
    if isinstance(raw, str) or raw is None:  # --set text: nothing for pydantic to check
        override = SimpleNamespace(value=raw, unit=None, low=None, high=None, dist=None,
                                   source=None, as_of=None, note=None)
        fields: set[str] = {"value"}
    else:
        # deferred: pydantic validates what files hold; `capcalc run NAME --set ...` on the
        # cached shipped library needs none of it
        from pydantic import ValidationError

        from calc.data.schema import Override
        from calc.data.validation import validation_message

        if isinstance(raw, dict):
            try:
                raw = Override.model_validate(raw)
            except ValidationError as exc:
                where, message = validation_message(exc, known=list(Override.model_fields))
                raise CapcalcError(message, file=origin,
                                   key=f"{key}.{where}" if where else key) from None
        override = raw if isinstance(raw, Override) else Override(value=raw)
        fields = override.model_fields_set if isinstance(raw, Override) else {"value"}
        if not fields - {"unit"}:  # {} (or a unit alone) would silently change nothing
            raise CapcalcError(
                f"{'{}' if not fields else 'a unit alone'} sets nothing; give a value, a "
                f"range or both, e.g. {RANGE_EXAMPLE}", file=origin, key=key)
    value: Value = override.value
    low, high = override.low, override.high
    if spec.kind == "choice":
        if value is None and "value" in fields:
            raise CapcalcError("needs a name, not null", file=origin, key=key)
        ranged = [f for f in ("low", "high", "dist") if getattr(override, f) is not None]
        if ranged:
            raise CapcalcError(f"a name has no range; remove {' and '.join(ranged)}",
                               file=origin, key=key)
        low = high = None
        if value is not None and not isinstance(value, str):
            raise CapcalcError(f"must be a name, not the number {value!r}", file=origin, key=key)
        if spec.choices and value is not None and value not in spec.choices:
            raise CapcalcError(
                f"{quoted(value)} is not one of {', '.join(spec.choices)}"
                f"{suggest(str(value), spec.choices)}",
                file=origin, key=key,
            )
    else:
        if value is None and "value" in fields and not spec.nullable:
            raise CapcalcError(f"cannot be null; give {number_in(spec.unit)}",
                               file=origin, key=key)
        if value is not None:
            value = _number_change(key, value, override.unit, origin, "value")
        if low is not None:
            low = _number_change(key, low, override.unit, origin, "low")
        if high is not None:
            high = _number_change(key, high, override.unit, origin, "high")
        if low is not None and high is not None and low > high:
            raise CapcalcError(f"low ({low:g}) is above high ({high:g})", file=origin, key=key)
        problem = range_problem(value, low, high)
        if problem:
            raise CapcalcError(problem, file=origin, key=key)
    return Change(
        key=key, origin=origin, value=value, has_value="value" in fields,
        low=low, high=high, dist=override.dist, source=override.source,
        as_of=override.as_of, note=override.note,
    )
