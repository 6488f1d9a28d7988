"""Golden values: the shipped scenarios against a hand calculation from the YAML files.

The expected numbers are computed here straight from ``assumptions.yaml``
and ``scenarios.yaml`` as parsed by PyYAML — not through capcalc's loader — so
the loader, the catalog lookup, the override chain and the chain itself are
all checked against an independent reading of the same files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import calc
from calc.analysis.run import reference_run

ROOT = Path(__file__).resolve().parents[2]
RAW = yaml.safe_load((ROOT / "assumptions.yaml").read_text(encoding="utf-8"))
SCENARIOS = yaml.safe_load((ROOT / "scenarios.yaml").read_text(encoding="utf-8"))["scenarios"]


def _baseline_value(dotted: str) -> object:
    group, name = dotted.split(".")
    return RAW[group][name]["value"]


def _hand(scenario: str) -> dict[str, float]:
    """Resolve a scenario's overrides by hand and run the chain with plain arithmetic."""
    chain = []
    name: str | None = scenario
    while name is not None:
        chain.append(SCENARIOS[name])
        name = SCENARIOS[name].get("base")
    overrides: dict[str, object] = {}
    for spec in reversed(chain):
        for key, value in spec.items():
            if "." in key:  # an entry mapping carries its value in the key's own unit here
                overrides[key] = value["value"] if isinstance(value, dict) else value

    def v(key: str) -> object:
        return overrides.get(key, _baseline_value(key))

    chip = RAW["catalog"][v("hardware.accelerator")]
    precision = v("training.precision")
    tdp = chip["tdp_w"]["value"]
    overhead = chip["server_overhead"]["value"]
    peak = chip[f"{precision}_flop_per_s"]["value"]
    watts = tdp * overhead * v("site.it_overhead") * v("site.pue")
    power = v("site.facility_power_mw")
    count = v("site.accelerators")
    if count is None:
        count = power * 1e6 / watts
    else:
        power = count * watts / 1e6
    effective = count * peak * v("training.mfu") * v("training.availability")
    capex = count * chip["capex_usd"]["value"] + power * v("cost.facility_capex_usd_per_mw")
    return {
        "accelerators": count,
        "facility_power_mw": power,
        "h100_equivalents": count * chip["fp8_flop_per_s"]["value"] / 1.979e15,
        "effective_flop_per_s": effective,
        "training_flop_per_run": effective * v("training.run_days") * 86400,
        "annual_energy_mwh": power * v("site.load_factor") * 8760,
        "capex_usd": capex,
    }


@pytest.mark.parametrize("scenario", ["cortex-phase1", "tesla-2025-q2", "cortex-full",
                                      "cortex-full-gb200", "colossus-1-2024", "colossus-2-2025"])
def test_shipped_scenario_matches_the_hand_calculation(scenario):
    library = calc.load()
    result = calc.run(library, scenario)
    expected = _hand(scenario)
    for output, value in expected.items():
        assert result[output] == pytest.approx(value, rel=1e-12), output
    baseline = _hand(_baseline_value("target.baseline"))["effective_flop_per_s"]
    assert result["compute_multiple"] == pytest.approx(
        expected["effective_flop_per_s"] / baseline, rel=1e-12)


def test_tenfold_is_ten_times_the_baseline_on_the_baseline_hardware():
    library = calc.load()
    tenfold = calc.run(library, "tenfold")
    baseline = _hand(_baseline_value("target.baseline"))
    assert tenfold["compute_multiple"] == pytest.approx(10.0, rel=1e-9)
    assert tenfold["facility_power_mw"] == pytest.approx(
        baseline["facility_power_mw"] * 10, rel=1e-9)
    assert tenfold.scenario["hardware.accelerator"] == _baseline_value("hardware.accelerator")


def test_the_article_numbers_at_a_glance():
    """100 MW of H100 is tens of thousands of GPUs; 500 MW is five times the compute.

    The story's tenfold is of Tesla's ~67k H100e at the story's date: 670k H100e, which at
    Cortex's factors (1.74 kW per H100) is about 1.17 GW of H100.
    """
    library = calc.load()
    phase1, full, tesla = calc.run_many(library, ["cortex-phase1", "cortex-full",
                                                  "tesla-2025-q2"])
    # the reference band for 100 MW of H100 at 1.4–1.85 kW each
    assert 54_000 <= phase1["accelerators"] <= 72_000
    assert full["effective_flop_per_s"] / phase1["effective_flop_per_s"] == pytest.approx(5.0)
    assert tesla["h100_equivalents"] == pytest.approx(67_000)
    assert full["compute_multiple"] == pytest.approx(500 / tesla["facility_power_mw"])
    assert full["facility_power_mw_for_target"] == pytest.approx(
        10 * tesla["facility_power_mw"], rel=1e-12)


def test_a_baseline_column_is_measured_against_itself(library):
    """Whatever a scenario's own target.baseline, as the reference its multiple is 1 and the
    power for the target is its own power times the target (compute is linear in power)."""
    for name in library.names:
        reference = reference_run(library, name)
        assert reference["compute_multiple"] == pytest.approx(1.0, rel=1e-12)
        target = reference.scenario.inputs.target.compute_multiplier
        assert reference["facility_power_mw_for_target"] == pytest.approx(
            reference["facility_power_mw"] * target, rel=1e-12)
        assert reference["effective_flop_per_s"] == pytest.approx(
            calc.run(library, name)["effective_flop_per_s"], rel=1e-12)
