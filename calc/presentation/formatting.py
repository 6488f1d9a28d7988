"""Numbers written for people: the one voice of the CLI, the report and the dashboard.

Every surface formats through these functions, three significant figures
unless said otherwise: :func:`format_value` for a quantity in a unit (money
"$4.70 B", power "117 MW", FLOP/s "23.1 EFLOP/s", FLOP "1.79e26 FLOP", counts
"57.2 k"), :func:`percent` for a share ("41 %", the break-even, a chance),
:func:`multiple` for a multiple in a table ("0.856×"), :func:`times` for one in
a sentence ("9.2×"), :func:`month_text` for a month ("July 2026") and
:func:`count_text` for a count in words.
"""

from __future__ import annotations

import math
import re

from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index, month_label
from calc.core.vocabulary import INPUTS, OUTPUTS

__all__ = [
    "breakeven",
    "count_text",
    "format_value",
    "input_title",
    "key_title",
    "month_text",
    "multiple",
    "output_text",
    "percent",
    "si",
    "solved_text",
    "times",
    "times_short",
]

_SI = [(1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"),
       (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"),
       (1e-12, "p"), (1e-15, "f")]
_MONEY = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]


def _round_sig(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant figures (so 999.97 with 3 becomes 1000)."""
    return float(f"{x:.{digits - 1}e}")


def _sig(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures, without exponent, trailing zeros kept short."""
    if x == 0:
        return "0"
    x = _round_sig(x, digits)
    decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    return f"{x:,.{decimals}f}"


def si(value: float, unit: str = "", digits: int = 3) -> str:
    """``value`` with an SI prefix glued to ``unit``.

    >>> si(1.13e18, "FLOP/s")
    '1.13 EFLOP/s'
    >>> si(57_200)
    '57.2 k'
    >>> si(999.97e6, "W")
    '1.00 GW'
    """
    if not math.isfinite(value):
        return f"{value} {unit}".strip()
    value = _round_sig(value, digits)
    magnitude = abs(value)
    if magnitude == 0:
        return f"0 {unit}".rstrip()
    for factor, prefix in _SI:
        if magnitude >= factor:
            return f"{_sig(value / factor, digits)} {prefix}{unit}".rstrip()
    return f"{value:.{digits - 1}e} {unit}".rstrip()


def format_value(value: float | str | None, unit: str, digits: int = 3) -> str:
    """Write ``value`` in ``unit`` for a table.

    >>> format_value(4.7e9, "USD_2025")
    '$4.70 B'
    >>> format_value(57_200.4, "accelerator")
    '57.2 k'
    >>> format_value(1742.9, "W")
    '1,743 W'
    >>> format_value(100, "MW")
    '100 MW'
    >>> format_value(1.6e26, "FLOP")
    '1.60e26 FLOP'
    >>> format_value(5.0, "1")
    '5.00'
    >>> format_value(0.4, "1/year")
    '0.400 /year'
    >>> format_value(0.309, "h")
    '0.309 h'
    >>> format_value(float("inf"), "MW")
    'out of reach'
    """
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if not math.isfinite(value):  # +inf: a power no cluster size reaches
        return "out of reach" if value > 0 else "—"
    if unit.startswith("USD_"):
        rest = unit.split("/", 1)[1] if "/" in unit else ""
        suffix = f"/{rest}" if rest else ""
        value = _round_sig(value, digits)
        for factor, prefix in _MONEY:
            if abs(value) >= factor:
                return f"${_sig(value / factor, digits)} {prefix}{suffix}"
        return f"${_sig(value, digits)}{suffix}"
    if unit == "FLOP":
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa}e{int(exponent)} FLOP"
    if unit in ("MW", "MWh"):
        return si(value * 1e6, unit[1:], digits)
    if unit == "W" and abs(value) < 1e4:
        return f"{value:,.0f} W"
    if unit in ("accelerator", "H100e"):
        return si(value, "", digits)
    if unit in ("1", ""):
        return _sig(value, digits)
    if unit.startswith("1/"):  # a rate: 0.4 /year
        return f"{_sig(value, digits)} /{unit[2:]}"
    if unit in ("h", "day", "year"):  # time spans take no SI prefix: 0.309 h, not 309 mh
        return f"{_sig(value, digits)} {unit}"
    return si(value, unit, digits)


def percent(share: float, decimals: int = 0, *, sign: bool = False) -> str:
    """A share of one as a percentage, the number and its sign set apart: "41 %".

    ``decimals`` digits after the point (whole percents unless said otherwise);
    ``sign`` writes "+" before a positive share (a deviation, a growth).

    >>> percent(0.41), percent(0.4127, 1), percent(0.053, sign=True), percent(-0.2)
    ('41 %', '41.3 %', '+5 %', '-20 %')
    >>> percent(float("nan"))
    '—'
    """
    if not math.isfinite(share):
        return "—"
    text = f"{share * 100:{'+' if sign else ''}.{decimals}f}"
    if text.lstrip("+-").strip("0.") == "":  # no "-0 %" or "+0 %"
        text = text.lstrip("+-")
    return f"{text} %"


def multiple(value: float) -> str:
    """A multiple for a table, three significant figures (whole numbers from 1,000).

    >>> multiple(0.8557), multiple(10.0), multiple(4.284), multiple(121.4), multiple(1234.5)
    ('0.856×', '10.0×', '4.28×', '121×', '1,234×')
    """
    if not math.isfinite(value):
        return "—"
    return f"{value:#.3g}".rstrip(".") + "×" if abs(value) < 999.5 else f"{value:,.0f}×"


def breakeven(utilisation: float) -> str:
    """The break-even utilisation of owning against leasing, as every surface writes it:
    a share of the year, or why there is none.

    >>> breakeven(0.41), breakeven(121.37), breakeven(float("inf"))
    ('41 %', 'never: owning is 121× leasing', 'none: the cloud is free')
    """
    if not math.isfinite(utilisation):
        return "none: the cloud is free"
    if utilisation > 1:  # leasing all year costs less than owning
        return f"never: owning is {multiple(utilisation)} leasing"
    return percent(utilisation)


def output_text(name: str, value: float | str | None, unit: str) -> str:
    """An output ``name`` written for people: :func:`format_value` in its ``unit``, but a
    multiple with its "×" and the break-even as :func:`breakeven` writes it.

    >>> output_text("compute_multiple", 0.8557, "1"), output_text("capex_usd", 4.7e9, "USD_2025")
    ('0.856×', '$4.70 B')
    >>> output_text("lease_breakeven_utilisation", 0.4112, "1")
    '41 %'
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if name == "compute_multiple":
            return multiple(float(value))
        if name == "lease_breakeven_utilisation":
            return breakeven(float(value))
    return format_value(value, unit)


_PHASE_KEY = re.compile(r"^timeline\[(.+)\]\.(\w+)$")


def key_title(key: str) -> str:
    """The name people read for an input, an output or a phase field (the dotted key stays
    for the command line).

    >>> key_title("site.facility_power_mw"), key_title("compute_multiple")
    ('Facility power', 'Compute multiple')
    >>> key_title("timeline[-1].facility_power_mw"), key_title("timeline[1].start")
    ('Facility power of the last phase', 'Start of the 2nd phase')
    >>> key_title("timeline[Cortex 2].delay_months")
    'Delay months of phase Cortex 2'
    """
    for specs in (INPUTS, OUTPUTS, TIMELINE_OUTPUTS):
        if key in specs:
            return specs[key].title
    found = _PHASE_KEY.match(key)
    if found is None:
        return key
    phase, field = (part.strip() for part in found.groups())
    if phase.lstrip("-").isdigit():
        n = int(phase)
        which = "the last phase" if n == -1 else (
            f"the {n + 1}{_ordinal(n + 1)} phase" if n >= 0 else f"phase {phase}")
    else:
        which = f"phase {phase}"
    what = field.removesuffix("_mw").replace("_", " ")
    return f"{what[:1].upper()}{what[1:]} of {which}"


def input_title(key: str, side: str = "both") -> str:
    """An uncertain input as a row of a tornado or a Sobol table: its title, marked when it
    moves the baseline alone (``side`` as :class:`calc.analysis.sensitivity.Parameter` says).

    >>> input_title("training.mfu"), input_title("site.pue", "baseline")
    ('MFU', 'PUE (baseline)')
    """
    return f"{key_title(key)} (baseline)" if side == "baseline" else key_title(key)


def _ordinal(n: int) -> str:
    """The English suffix of ``n``: st, nd, rd or th."""
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def times(multiple: float) -> str:
    """A multiple written for people, as the answer sentence writes it.

    >>> times(5.0), times(9.19), times(10), times(0.253), times(123.4)
    ('5.0×', '9.2×', '10×', '0.25×', '123×')
    """
    if multiple >= 99.5:
        return f"{multiple:,.0f}×"
    if multiple >= 1:
        text = f"{multiple:.1f}"
        return f"{text[:-2] if text.endswith('.0') and multiple >= 10 else text}×"
    return f"{multiple:.2g}×"


def times_short(multiple: float) -> str:
    """A multiple for the lever paths: two decimals below 10, three digits above.

    >>> times_short(2.0), times_short(23.84)
    ('2.00×', '23.8×')
    """
    return f"{multiple:.2f}×" if multiple < 10 else f"{multiple:.3g}×"


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def month_text(month: str) -> str:
    """A ``YYYY-MM`` month as people write it.

    >>> month_text("2026-07")
    'July 2026'
    """
    index = month_index(month)
    return f"{_MONTH_NAMES[index % 12]} {index // 12}"


def count_text(count: float, digits: int = 3) -> str:
    """A count written out for a sentence: thousands separators below a million, words above.

    >>> count_text(57_377.9), count_text(950), count_text(1_434_000), count_text(2.5e9)
    ('57,400', '950', '1.43 million', '2.50 billion')
    """
    if not math.isfinite(count):
        return str(count)
    for factor, word in ((1e9, "billion"), (1e6, "million")):
        if abs(_round_sig(count, digits)) >= factor:
            return f"{_sig(count / factor, digits)} {word}"
    return _sig(count, digits)


def solved_text(key: str, value: float, unit: str) -> str | None:
    """A solved phase month as people read it, where a number would mislead: a phase's
    start as ``YYYY-MM``, its delay as whole months; None for any other solved value.

    >>> solved_text("timeline[3].start", 24335.0, "month"), solved_text(
    ...     "timeline[1].delay_months", 21.0, "month"), solved_text("training.mfu", 0.4, "1")
    ('2027-12', '21', None)
    """
    if unit != "month" or not key.startswith("timeline["):
        return None
    if key.endswith(".start"):
        return month_label(int(value))
    return f"{int(value)}" if key.endswith(".delay_months") else None
