"""The unit registry: conversions, domain units and refusals."""

from __future__ import annotations

import pytest

from calc.data.units import UnitError, convert, parse_quantity


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("0.1 GW", "MW", 100.0), ("100000 kW", "MW", 100.0), ("100", "MW", 100.0),
    ("1.979 PFLOP/s", "FLOP/s", 1.979e15), ("3 month", "day", 3 * 365.25 / 12),
    ("40 %", "1", 0.4), ("1 EFLOP", "FLOP", 1e18), ("500MW", "MW", 500.0),
])
def test_parse_quantity(text, unit, expected):
    assert parse_quantity(text, unit) == pytest.approx(expected)


def test_round_trip_between_units():
    for value in (1e-3, 1.0, 123.456, 1e9):
        assert convert(convert(value, "MW", "kW"), "kW", "MW") == pytest.approx(value)


@pytest.mark.parametrize(("text", "unit"), [
    ("5 kg", "MW"), ("1 USD_2024", "USD_2025"), ("2 FLOP/s", "W"), ("3 parsecs", "day"),
    ("nan MW", "MW"), ("MW", "MW"), ("1 accelerator", "H100e"),
])
def test_incompatible_or_unknown_units_are_refused(text, unit):
    with pytest.raises(UnitError):
        parse_quantity(text, unit)
