"""The unit registry: conversions, domain units and refusals."""

from __future__ import annotations

import pytest

from calc.data.units import NumberTextError, UnitError, convert, parse_quantity


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


@pytest.mark.parametrize(("text", "unit", "words"), [
    ("40 degree", "1", "is an angle, not a pure number"),
    ("0.7 rad", "1", "is an angle"),
    ("1 turn", "1", "is an angle"),
    ("40 %%", "1", "written once"),
    ("40 percent**2", "1", "written once"),
    ("0.4 1/%", "1", "written once"),
    ("8 bit", "1", "amount of data"),
    ("1e-8 Hz", "1/year", "is a frequency"),
    ("1 rpm", "1/year", "is an angle"),
    ("5 rad*s", "day", "is an angle"),
    ("100 MW*rad", "MW", "is an angle"),
])
def test_units_of_another_kind_are_refused_though_pint_converts_them(text, unit, words):
    with pytest.raises(UnitError, match=words.replace("*", r"\*")):
        parse_quantity(text, unit)


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("40 %", "1", 0.4), ("40 percent", "1", 0.4), ("400 ppm", "1", 4e-4),
    ("40 %/year", "1/year", 0.4), ("0.4 1/year", "1/year", 0.4), ("1.5 W/W", "1", 1.5),
])
def test_shares_and_rates_in_their_own_kind_still_convert(text, unit, expected):
    assert parse_quantity(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["010", "0500 MW", "-05", "+00", "0x10", "0o17", "01.5",
                                  "1:30", "190:20:30", "1:30 day"])
def test_yaml_1_1_number_text_is_refused_not_guessed(text):
    with pytest.raises(NumberTextError):
        parse_quantity(text, "MW")


@pytest.mark.parametrize(("text", "expected"), [("0", 0.0), ("0.5", 0.5), ("-0.5", -0.5),
                                                ("0e3", 0.0), ("10", 10.0), ("1_000", 1000.0)])
def test_ordinary_numbers_with_a_zero_still_read(text, expected):
    assert parse_quantity(text, "MW") == expected
