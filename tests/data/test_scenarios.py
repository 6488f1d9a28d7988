"""Scenario resolution: overrides, units, base chains, catalog defaults and sizing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc.core.errors import CapcalcError
from calc.core.vocabulary import CATALOG_FIELDS, OUTPUTS


def _outputs(library: calc.Library, sets: list[tuple[str, object]]) -> dict[str, float]:
    return dict(calc.run(library, library.scenario("cortex-phase1", sets)).outputs)


@pytest.mark.parametrize("written", ["0.5 GW", "500000 kW", "500", 500, "500 MW", "5e8 W"])
def test_a_value_written_in_another_unit_changes_no_output(library, written):
    reference = _outputs(library, [("site.facility_power_mw", 500.0)])
    assert _outputs(library, [("site.facility_power_mw", written)]) == pytest.approx(reference)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=1.0, max_value=50_000.0),
       st.sampled_from([("MW", 1.0), ("GW", 1e-3), ("kW", 1e3), ("W", 1e6)]))
def test_any_power_unit_gives_the_same_outputs(library, power_mw, unit):
    name, factor = unit
    direct = _outputs(library, [("site.facility_power_mw", power_mw)])
    converted = _outputs(library, [("site.facility_power_mw", f"{power_mw * factor!r} {name}")])
    for output in OUTPUTS:
        assert converted[output] == pytest.approx(direct[output], rel=1e-12), output


@pytest.mark.parametrize(("key", "written", "expected"), [
    ("training.mfu", "40 %", 0.4),
    ("cost.electricity_usd_per_mwh", "0.06 USD_2025/kWh", 60.0),
    ("training.run_days", "2 week", 14.0),
    ("hardware.peak_flop_per_s", "1 PFLOP/s", 1e15),
    ("cost.facility_capex_usd_per_mw", "9 USD_2025/W", 9e6),
])
def test_units_are_converted_to_the_key_unit(library, key, written, expected):
    assert library.scenario("cortex-phase1", [(key, written)])[key] == pytest.approx(expected)


def test_choosing_an_accelerator_moves_catalog_defaults_unless_set(library):
    gb200 = library.scenario("cortex-phase1", [("hardware.accelerator", "GB200")])
    chip = library.baseline.catalog["GB200"]
    assert gb200["hardware.tdp_w"] == chip.tdp_w
    assert gb200["hardware.peak_flop_per_s"] == chip.bf16_flop_per_s
    assert gb200["cost.accelerator_capex_usd"] == chip.capex_usd
    pinned = library.scenario("cortex-phase1", [("hardware.tdp_w", 900),
                                                ("hardware.accelerator", "GB200")])
    assert pinned["hardware.tdp_w"] == 900
    assert pinned["hardware.peak_flop_per_s"] == chip.bf16_flop_per_s


def test_precision_selects_the_catalog_peak(library):
    fp8 = library.scenario("cortex-phase1", [("training.precision", "fp8")])
    assert fp8["hardware.peak_flop_per_s"] == library.baseline.catalog["H100"].fp8_flop_per_s


def test_every_catalog_field_is_filled_for_every_accelerator(library):
    for name in library.baseline.catalog:
        scenario = library.scenario("cortex-phase1", [("hardware.accelerator", name)])
        for key in CATALOG_FIELDS:
            assert isinstance(scenario[key], float) and scenario[key] > 0, (name, key)


def test_setting_a_count_switches_sizing_to_the_count(library):
    scenario = library.scenario("cortex-full", [("site.accelerators", 50_000)])
    assert scenario["site.facility_power_mw"] is None
    result = calc.run(library, scenario)
    assert result["accelerators"] == 50_000


def test_both_sizes_in_one_layer_is_an_error(library):
    with pytest.raises(CapcalcError, match="both set"):
        library.scenario("cortex-phase1", [("site.accelerators", 5), ("site.facility_power_mw", 5)])


def _write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dotted_and_nested_overrides_are_the_same(library, tmp_path):
    dotted = _write(tmp_path, "base: cortex-full\nsite.pue: 1.3\ntraining.mfu: 35 %\n", "a.yaml")
    nested = _write(tmp_path, "base: cortex-full\nsite: {pue: 1.3}\ntraining:\n  mfu: 0.35\n",
                    "b.yaml")
    lib_a, (name_a,) = library.add_file(dotted)
    lib_b, (name_b,) = library.add_file(nested)
    assert calc.run(lib_a, name_a).outputs == pytest.approx(calc.run(lib_b, name_b).outputs)
    assert name_a == "a"


def test_several_scenarios_in_one_file_chain_on_each_other(library, tmp_path):
    path = _write(tmp_path, """
scenarios:
  big:
    base: cortex-phase1
    site.facility_power_mw: 0.3 GW
  bigger-b200:
    base: big
    hardware.accelerator: B200
""")
    library, names = library.add_file(path)
    assert names == ["big", "bigger-b200"]
    result = calc.run(library, "bigger-b200")
    assert result["facility_power_mw"] == pytest.approx(300.0)
    assert result.scenario["hardware.tdp_w"] == library.baseline.catalog["B200"].tdp_w
    assert result.scenario.lineage == ("cortex-phase1", "big", "bigger-b200")


def test_a_range_override_keeps_the_value_and_sets_the_range(library, tmp_path):
    path = _write(tmp_path, "training.mfu: {low: 0.2, high: 0.5}\n")
    library, (name,) = library.add_file(path)
    mfu = library.scenario(name).assumptions["training.mfu"]
    assert (mfu.value, mfu.low, mfu.high) == (0.4, 0.2, 0.5)


@pytest.mark.parametrize(("text", "fragment"), [
    ("base: nowhere\n", "unknown scenario 'nowhere'"),
    ("scenarios:\n  a: {base: b}\n  b: {base: a}\n", "loop"),
    ("scenarios:\n  a: {base: a}\n", "loop"),
    ("site.peu: 1.2\n", "did you mean 'site.pue'"),
    ("site: {pue: 0.9}\n", "at least 1"),
    ("training.mfu: 1.5\n", "at most 1"),
    ("site.facility_power_mw: -5\n", "must be at least 0.001 (got -5)"),
    ("site.facility_power_mw: 1e-300\n", "valid range 0.001 to 100000 MW"),
    ("site.facility_power_mw: 010\n", "'010' has a leading zero"),
    ("training.run_days: 1:30\n", "'1:30' is not a number"),
    ("training.mfu: 40 degree\n", "is an angle"),
    ("site.facility_power_mw: null\nsite.accelerators: 2500.5\n", "whole number"),
    ("site.pue: {value: 1.5, low: 1.1, high: 1.3}\n", "outside its own 90 % range"),
    ("name: mine\nbase: tenfold\ntarget.baseline: mine\n", "'mine' is the scenario itself"),
    ("site.facility_power_mw: 5 kg\n", "cannot be converted"),
    ("hardware.accelerator: H1000\n", "not in the catalog; did you mean 'H100'"),
    ("site.pue: lots\n", "site.pue"),
    ("cost.electricity_usd_per_mwh: 50 USD_2023/MWh\n", "cannot be converted"),
    ("site.accelerators: 100\nsite.facility_power_mw: 100\n", "both set"),
    ("target.baseline: cortex-phase9\n", "unknown scenario 'cortex-phase9'"),
])
def test_bad_scenario_files_fail_with_one_line_naming_file_and_key(library, tmp_path, text,
                                                                   fragment):
    path = _write(tmp_path, text)
    with pytest.raises(CapcalcError) as info:
        library.add_file(path)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert str(path) in message


def test_a_shipped_name_cannot_be_redefined(library, tmp_path):
    with pytest.raises(CapcalcError, match="shipped scenario"):
        library.add_file(_write(tmp_path, "name: cortex-full\nsite.pue: 1.3\n"))


def test_meet_target_reaches_the_target_on_another_chip(library):
    result = calc.run(library, library.scenario("tenfold", [("hardware.accelerator", "GB200")]))
    assert result["compute_multiple"] == pytest.approx(10.0, rel=1e-9)
    assert result["facility_power_mw"] < 1000  # a faster chip needs less power


def test_setting_the_solved_key_turns_meet_target_off(library):
    result = calc.run(library, library.scenario("tenfold", [("site.facility_power_mw", 200)]))
    half = calc.run(library, library.scenario("tenfold", [("site.facility_power_mw", 100)]))
    assert result["facility_power_mw"] == 200 and result.scenario.meet_target is None
    assert result["compute_multiple"] == pytest.approx(2 * half["compute_multiple"])


def test_a_scenario_measured_from_itself_is_the_reference_unless_it_solves_to_itself(
        library):
    with pytest.raises(CapcalcError, match="'tenfold' is the scenario itself") as caught:
        library.scenario("tenfold", [("target.baseline", "tenfold")])  # meet_target: circular
    assert caught.value.key == "target.baseline" and caught.value.file == "--set"
    default = library.baseline_name()  # the assumptions' own baseline: a multiple of 1
    assert calc.run(library, library.scenario(default))["compute_multiple"] == pytest.approx(1)
    # `--set target.baseline=cortex-phase1` over a list that holds cortex-phase1 itself
    itself = calc.run(library, library.scenario("cortex-phase1",
                                                [("target.baseline", "cortex-phase1")]))
    assert itself["compute_multiple"] == pytest.approx(1.0, rel=1e-12)


def test_a_whole_count_of_accelerators_is_accepted_in_any_spelling(library):
    for text in ("2500", "2500.0", "2.5e3", "2500 accelerators"):
        scenario = library.scenario("cortex-full", [("site.accelerators", text)])
        assert scenario["site.accelerators"] == 2500.0


@pytest.mark.parametrize(("phases", "key", "words"), [
    ("  - {name: a, start: '2027-01', facility_power_mw: 100}\n"
     "  - {name: b, start: '2026-01', facility_power_mw: 300}\n",
     "timeline[1].start", "before the previous phase's start (2027-01)"),
    ("  - {name: a, start: '1999-12', facility_power_mw: 100}\n",
     "timeline[0].start", "1999-12 is outside 2000-01 to 2100-12"),
    ("  - {name: a, start: '2026-01', facility_power_mw: 100, delay_months: 601}\n",
     "timeline.0.delay_months", "600"),
])
def test_phases_out_of_order_or_out_of_range_are_refused(library, phases, key, words):
    with pytest.raises(CapcalcError) as caught:
        library.add_text(f"name: bad\nbase: cortex-phase1\ntimeline:\n{phases}",
                         origin="mine.yaml")
    assert caught.value.key == key and words in str(caught.value), str(caught.value)


def test_phases_starting_in_the_same_month_are_in_order(library):
    mine, _ = library.add_text(
        "name: same\nbase: cortex-phase1\ntimeline:\n"
        "  - {name: a, start: '2026-01', facility_power_mw: 100}\n"
        "  - {name: b, start: '2026-01', facility_power_mw: 300}\n", origin="mine.yaml")
    assert [p.start for p in mine.scenario("same").timeline] == ["2026-01", "2026-01"]


# ------------------------------------------------------------------ base chains: depth and work


def _chain(depth: int, root: str = "cortex-full", *, pue_step: float = 0.0) -> str:
    """A scenario file of ``depth`` scenarios, each based on the one before (s0 on ``root``)."""
    lines = ["scenarios:"]
    for i in range(depth):
        base = root if i == 0 else f"s{i - 1}"
        pue = f", site.pue: {1.1 + pue_step * i:.4f}" if pue_step else ""
        lines.append(f"  s{i}: {{base: {base}{pue}}}")
    return "\n".join(lines) + "\n"


def test_a_chain_at_the_depth_limit_resolves_each_layer_in_order(library):
    from calc.data.scenarios import MAX_BASE_DEPTH

    depth = MAX_BASE_DEPTH - len(library.lineage("cortex-full"))
    library, names = library.add_text(_chain(depth, pue_step=0.001), origin="deep.yaml")
    last = library.scenario(names[-1])
    assert len(last.lineage) == MAX_BASE_DEPTH
    assert last.lineage[-depth:] == tuple(names)
    assert last["site.pue"] == pytest.approx(1.1 + 0.001 * (depth - 1))  # the last layer wins
    assert last["site.facility_power_mw"] == library.scenario("cortex-full")[
        "site.facility_power_mw"]


@pytest.mark.parametrize("depth", [40, 3_000])
def test_a_chain_past_the_depth_limit_is_one_line_naming_the_limit(library, depth):
    """3,000 deep is refused at the first scenario past the limit, not resolved."""
    from calc.data.scenarios import MAX_BASE_DEPTH

    with pytest.raises(CapcalcError) as caught:
        library.add_text(_chain(depth), origin="deep.yaml")
    message = str(caught.value)
    assert message.startswith("deep.yaml: scenario 's") and caught.value.key == "base", message
    assert f"more than {MAX_BASE_DEPTH} scenarios deep" in message, message
    assert "\n" not in message and len(message) < 400, message


def test_a_long_loop_is_found_and_named_in_a_line(library):
    text = "scenarios:\n" + "".join(f"  s{i}: {{base: s{(i + 1) % 20}}}\n" for i in range(20))
    with pytest.raises(CapcalcError, match="base scenarios loop: s0 → s1 → s2") as caught:
        library.add_text(text, origin="loop.yaml")
    assert "\n" not in str(caught.value)


def test_many_scenarios_on_one_base_each_resolve(library):
    """A wide file (many siblings, shallow chains) is accepted: only depth is limited."""
    text = "scenarios:\n" + "".join(
        f"  s{i}: {{base: cortex-full, site.pue: {1.1 + i / 10_000:.4f}}}\n" for i in range(300))
    library, names = library.add_text(text, origin="wide.yaml")
    assert len(names) == 300
    assert library.scenario("s299")["site.pue"] == pytest.approx(1.1299)
