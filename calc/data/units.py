"""The package's one unit registry, and conversion of user quantities to capcalc's units.

Units are handled only at the boundary: a value read from a file, a command line
or a widget is converted here to the unit a key is stored in, and the model then
computes on plain floats and numpy arrays.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint

__all__ = [
    "NumberTextError",
    "UnitError",
    "check_number_text",
    "convert",
    "format_unit",
    "number_in",
    "parse_quantity",
    "registry",
]


class UnitError(ValueError):
    """A quantity whose unit is unknown or cannot express the wanted dimension."""


class NumberTextError(UnitError):
    """Number text read differently by YAML 1.1 and by people (``010``, ``1:30``)."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """Return capcalc's unit registry: pint's defaults plus ``calc/data/units.txt``.

    Built on first use only: a number already in its key's unit needs no registry.
    """
    from importlib import resources  # deferred: with pint, only when a registry is built

    import pint  # deferred: pint and its registry cost ~0.2 s, needed only for unit text

    ureg: pint.UnitRegistry = pint.UnitRegistry(
        autoconvert_offset_to_baseunit=True, on_redefinition="raise"
    )
    with resources.as_file(resources.files("calc.data").joinpath("units.txt")) as path:
        ureg.load_definitions(str(path))
    return ureg


#: Longest unit text read: capcalc's units are short ("USD_2025/MWh"); pint's parser is
#: recursive and evaluates powers, so a long or power-laden text could cost unbounded work.
MAX_UNIT_CHARS = 64
_POWER = re.compile(r"\*\*|\^")
_SMALL_EXPONENT = re.compile(r"\s*[-+]?\d{1,2}(?:\.\d{1,3})?(?![\d.])")


def _check_unit_text(unit: str) -> None:
    """Refuse unit text whose evaluation is not cheap: too long, or a power beyond ``x**99``.

    Examples
    --------
    >>> _check_unit_text("USD_2025/MW**2")
    >>> _check_unit_text("m**9**9")
    Traceback (most recent call last):
    calc.data.units.UnitError: unit 'm**9**9': a power is a plain number of 1 or 2 digits ('m**2')
    """
    if len(unit) > MAX_UNIT_CHARS:
        raise UnitError(f"unit text of {len(unit)} characters; capcalc reads units of at most "
                        f"{MAX_UNIT_CHARS} (e.g. 'MW', 'USD_2025/MWh')")
    for power in _POWER.finditer(unit):
        rest = unit[power.end():]
        exponent = _SMALL_EXPONENT.match(rest)
        if exponent is None or _POWER.match(rest[exponent.end():].lstrip()):
            raise UnitError(f"unit {unit!r}: a power is a plain number of 1 or 2 digits "
                            "('m**2')")


#: Dimensionless base units that are a quantity of their own kind: a value in one of
#: them is not a fraction, a count of hardware or a rate, whatever pint could convert.
_OTHER_KINDS = {"radian": "an angle", "bit": "an amount of data", "count": "a count of events"}
#: Units whose dimension matches a key's but whose meaning does not.
_WRONG_NAMES = {"hertz": "a frequency"}


def _check_kind(text: str, source: pint.Unit, target: pint.Unit, target_text: str) -> None:
    """Refuse a unit that pint converts but that means another kind of quantity.

    An angle is dimensionless to pint, yet ``40 degree`` is not a fraction; a
    percentage is written once (``%%`` is a ten-thousandth); a frequency is not a
    yearly growth rate.
    """
    ureg = registry()
    wanted = "a pure number" if str(target) == "dimensionless" else repr(target_text)
    roots = [dict(ureg.Quantity(1.0, unit).to_root_units().unit_items())
             for unit in (source, target)]
    for name, kind in _OTHER_KINDS.items():
        if roots[0].get(name, 0) != roots[1].get(name, 0):
            raise UnitError(f"unit {text!r} is {kind}, not {wanted}")
    named = dict(source._units.items())  # the units as written: name → power
    scales = [(name, power) for name, power in named.items()
              if ureg.Quantity(1.0, name).dimensionless
              and name not in ("dimensionless",) and not roots[0].get(name)]
    if len(scales) > 1 or any(power != 1 for _, power in scales):
        raise UnitError(f"unit {text!r}: a percentage or other share is written once "
                        "(e.g. '40 %')")
    for name in named:
        if name in _WRONG_NAMES:
            raise UnitError(f"unit {text!r} is {_WRONG_NAMES[name]}, not {wanted}")


@lru_cache(maxsize=512)
def _factor(from_unit: str, to_unit: str) -> float:
    _check_unit_text(from_unit)
    ureg = registry()
    from pint import DimensionalityError  # deferred with pint (see registry)
    try:
        source = ureg.parse_units(from_unit or "dimensionless")
    except Exception as exc:  # pint raises several types for a bad unit string
        raise UnitError(f"unknown unit {from_unit!r}") from exc
    target = ureg.parse_units(to_unit or "dimensionless")
    try:
        factor = float(ureg.Quantity(1.0, source).to(target).magnitude)
    except DimensionalityError as exc:
        raise UnitError(
            f"unit {from_unit!r} cannot be converted to {to_unit!r}"
            f" ({_mismatch_words(source, target)})"
        ) from exc
    _check_kind(from_unit, source, target, to_unit)
    return factor


def _dimension_words(unit: pint.Unit) -> str:
    dims = str(unit.dimensionality)
    return "a pure number" if dims == "dimensionless" else dims


def _mismatch_words(source: pint.Unit, target: pint.Unit) -> str:
    """Why ``source`` cannot become ``target``, in words (dollars of two years, or dimensions)."""
    years = [sorted(set(re.findall(r"usd_(\d{4})", str(u.dimensionality))))
             for u in (source, target)]
    if years[0] and years[1] and years[0] != years[1]:
        return (f"dollars of {', '.join(years[0])} are not dollars of {', '.join(years[1])}; "
                "convert with a price index first")
    return f"{_dimension_words(source)} is not {_dimension_words(target)}"


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from ``from_unit`` to ``to_unit``.

    Parameters
    ----------
    value : float
        Magnitude in ``from_unit``.
    from_unit, to_unit : str
        Unit strings the registry understands; ``""`` and ``"1"`` mean a pure number.

    Examples
    --------
    >>> convert(0.1, "GW", "MW")
    100.0
    >>> convert(40, "%", "1")
    0.4
    """
    if from_unit == to_unit:
        return float(value)
    return float(value) * _factor(from_unit, to_unit)


#: A number as capcalc reads it: decimal, without a leading zero (YAML 1.1 reads ``010``
#: as octal 8) and without ``a:b`` groups (YAML 1.1 reads ``1:30`` as 90, base 60).
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_xXoObB]")
_BASE_60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-9_]*)+(?:\.[0-9_]*)?$")


def check_number_text(number: str, text: str | None = None) -> None:
    """Refuse number text that YAML 1.1 and people read differently: ``010``, ``1:30``.

    ``number`` is the number part of ``text`` (the whole of it by default).

    >>> check_number_text("010")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    calc.data.units.NumberTextError: '010' has a leading zero; write the decimal number ...
    """
    text = number if text is None else text
    if _LEADING_ZERO.match(number) and not number.lstrip("+-").startswith(("0.", "0e", "0E")):
        raise NumberTextError(f"{text!r} has a leading zero; write the decimal number without it "
                        "(YAML 1.1 reads 010 as the octal number 8)")
    if _BASE_60.match(number):
        raise NumberTextError(f"{text!r} is not a number (YAML 1.1 reads 1:30 as 90, counting in "
                        "base 60); write the number itself")


def parse_quantity(text: str, to_unit: str) -> float:
    """Read a number with an optional unit (``"0.5 GW"``, ``"500"``) in ``to_unit``.

    A bare number is taken to be in ``to_unit`` already. A leading zero
    (``010``) and base-60 groups (``1:30``) are refused: YAML 1.1 gives them
    meanings nobody types them for.

    Examples
    --------
    >>> parse_quantity("0.5 GW", "MW")
    500.0
    >>> parse_quantity("100000 kW", "MW")
    100.0
    >>> parse_quantity("1.2e3", "MW")
    1200.0
    """
    stripped = text.strip()
    number = stripped.split(" ", 1)[0]
    check_number_text(number, text)
    try:
        return float(stripped)
    except ValueError:
        pass
    number, _, unit = stripped.partition(" ")
    try:
        magnitude = float(number)
    except ValueError:
        magnitude, unit = _split_glued(stripped)
    if not math.isfinite(magnitude):
        raise UnitError(f"{text!r} is not a finite number")
    return convert(magnitude, unit.strip(), to_unit)


def _split_glued(text: str) -> tuple[float, str]:
    """Split ``"500MW"`` into ``(500.0, "MW")``."""
    for end in range(len(text), 0, -1):
        try:
            return float(text[:end]), text[end:]
        except ValueError:
            continue
    raise UnitError(f"{text!r} is not a number with a unit (write e.g. '500 MW')")


def format_unit(unit: str) -> str:
    """Return a unit written for people: ``"1"`` becomes ``""``, money reads ``$``.

    Examples
    --------
    >>> format_unit("USD_2025/MW")
    '$ (2025)/MW'
    >>> format_unit("1")
    ''
    """
    if unit in ("1", "", "dimensionless"):
        return ""
    for year in ("2023", "2024", "2025", "2026"):
        unit = unit.replace(f"USD_{year}", f"$ ({year})")
    return unit


def number_in(unit: str | None) -> str:
    """How a number in ``unit`` is asked for: "a number in MW", or a pure number's forms.

    >>> number_in("MW"), number_in("1")
    ('a number in MW', "a pure number (0.4, or a percentage such as '40 %')")
    """
    if unit in (None, "", "1", "dimensionless"):
        return "a pure number (0.4, or a percentage such as '40 %')"
    return f"a number in {unit}"
