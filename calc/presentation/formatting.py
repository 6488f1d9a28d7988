"""Numbers written for people: SI prefixes, thousands separators, dollars and multiples."""

from __future__ import annotations

import math

from calc.core.months import month_index

__all__ = ["count_text", "format_value", "month_text", "percent", "si", "times", "times_short"]

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


def percent(share: float) -> str:
    """A share (0–1) as a whole percentage; a share that rounds to 0 or 100 % without being
    it says "< 1 %" or "> 99 %".

    >>> percent(0.412), percent(0.0), percent(0.003), percent(0.9991), percent(1.0)
    ('41 %', '0 %', '< 1 %', '> 99 %', '100 %')
    """
    if not math.isfinite(share):
        return "—"
    if 0 < share < 0.005:
        return "< 1 %"
    if 0.995 <= share < 1:
        return "> 99 %"
    return f"{share:.0%}".replace("%", " %")
