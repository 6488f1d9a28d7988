"""Properties and identities of the capacity chain (calc.core.chain)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import calc
from calc.core import chain as model
from calc.core.chain import evaluate
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.presentation.results import results_table

from tests.input_strategies import chain_inputs

BASELINE_EFFECTIVE = 2e19


#: The baseline's own magnitudes: 100 MW of H100 at capcalc's central assumptions.
CORTEX_PHASE1 = {
    "site.facility_power_mw": 100.0, "site.accelerators": None, "site.pue": 1.2,
    "site.it_overhead": 1.14, "site.load_factor": 0.75, "hardware.tdp_w": 700.0,
    "hardware.server_overhead": 1.82, "hardware.peak_flop_per_s": 9.89e14,
    "hardware.peak_8bit_flop_per_s": 1.979e15, "training.mfu": 0.4,
    "training.availability": 0.87, "training.share": 1.0, "training.run_days": 90.0,
    "cost.accelerator_capex_usd": 32000.0, "cost.facility_capex_usd_per_mw": 9e6,
    "cost.cloud_usd_per_accelerator_hour": 2.95,
    "cost.electricity_usd_per_mwh": 60.0, "cost.hardware_lifetime_years": 4.0,
    "cost.facility_lifetime_years": 20.0, "cost.wacc": 0.0, "cost.utilisation": 0.8,
    "target.compute_multiplier": 10.0,
}


def _close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


@pytest.mark.slow
@given(chain_inputs(sized_by_count=False))
def test_doubling_power_doubles_accelerators_and_flop(inputs):
    once = evaluate(inputs, BASELINE_EFFECTIVE)
    inputs = {**inputs, "site.facility_power_mw": inputs["site.facility_power_mw"] * 2}
    twice = evaluate(inputs, BASELINE_EFFECTIVE)
    for output in ("accelerators", "h100_equivalents", "peak_flop_per_s",
                   "effective_flop_per_s", "training_flop_per_run", "annual_energy_mwh",
                   "capex_usd", "compute_multiple"):
        assert _close(twice[output], 2 * once[output]), output
    for output in ("facility_w_per_accelerator", "energy_per_flop_j",
                   "facility_power_mw_for_target"):
        assert _close(twice[output], once[output]), output


@pytest.mark.slow
@given(chain_inputs(sized_by_count=False))
def test_power_sized_and_count_sized_round_trip(inputs):
    by_power = evaluate(inputs, BASELINE_EFFECTIVE)
    by_count = evaluate({**inputs, "site.facility_power_mw": None,
                         "site.accelerators": by_power["accelerators"]}, BASELINE_EFFECTIVE)
    for output in OUTPUTS:
        assert _close(by_count[output], by_power[output], 1e-9), output


@pytest.mark.slow
@given(st.floats(min_value=1, max_value=1e8), chain_inputs())
def test_n_h100_are_n_h100_equivalents(count, inputs):
    inputs = {**inputs, "site.accelerators": count, "site.facility_power_mw": None,
              "hardware.peak_8bit_flop_per_s": model.H100_FP8_FLOP_PER_S}
    assert _close(evaluate(inputs, BASELINE_EFFECTIVE)["h100_equivalents"], count)


@pytest.mark.slow
@settings(max_examples=300)
@given(chain_inputs())
@example(CORTEX_PHASE1)
def test_outputs_finite_non_negative_and_identities_hold(inputs):
    out = evaluate(inputs, BASELINE_EFFECTIVE)
    assert set(out) == set(OUTPUTS)
    for name, value in out.items():
        assert math.isfinite(value) and value >= 0, (name, value)
    assert _close(out["facility_power_mw"],
                  out["accelerators"] * out["facility_w_per_accelerator"] / 1e6)
    assert _close(out["it_power_mw"] * inputs["site.pue"], out["facility_power_mw"])
    assert _close(out["effective_flop_per_s"], out["peak_flop_per_s"] * inputs["training.mfu"]
                  * inputs["training.availability"] * inputs["training.share"])
    assert _close(out["capex_usd"],
                  out["accelerator_capex_total_usd"] + out["facility_capex_total_usd"])
    assert _close(out["energy_per_flop_j"] * out["effective_flop_per_s"],
                  out["facility_power_mw"] * 1e6 * inputs["site.load_factor"])
    assert _close(out["training_flop_per_run"] / out["effective_flop_per_s"],
                  inputs["training.run_days"] * 86_400)
    assert _close(out["cost_per_run_usd"] * 365,
                  out["annualized_cost_usd"] * inputs["training.run_days"])
    # at the power for the target, the scenario reaches exactly the target multiple
    at_target = evaluate({**inputs, "site.accelerators": None,
                          "site.facility_power_mw": out["facility_power_mw_for_target"]},
                         BASELINE_EFFECTIVE)
    assert _close(at_target["compute_multiple"], inputs["target.compute_multiplier"], 1e-9)


@given(chain_inputs(sized_by_count=False))
def test_arrays_give_the_same_numbers_as_scalars(inputs):
    mfus = np.array([0.1, 0.35, 0.8])
    vectorised = evaluate({**inputs, "training.mfu": mfus}, BASELINE_EFFECTIVE)
    for i, mfu in enumerate(mfus):
        scalar = evaluate({**inputs, "training.mfu": float(mfu)}, BASELINE_EFFECTIVE)
        for output in OUTPUTS:
            value = np.broadcast_to(vectorised[output], mfus.shape)[i]
            assert _close(float(value), float(scalar[output])), output


@st.composite
def _selection(draw: st.DrawFn) -> tuple[dict, list[str]]:
    """Valid inputs (some keys arrays of two valid values, both availability models and
    both measures) and a non-empty selection of outputs in any order."""
    by_count = draw(st.booleans())
    first = draw(chain_inputs(sized_by_count=by_count, full_range=True))
    second = draw(chain_inputs(sized_by_count=by_count, full_range=True))
    inputs = dict(first)
    for key in draw(st.sets(st.sampled_from([k for k, v in first.items() if v is not None]))):
        inputs[key] = np.array([first[key], second[key]])
    inputs["training.availability_model"] = draw(st.sampled_from(["fixed", "interruptions"]))
    inputs["target.measure"] = draw(st.sampled_from(["effective_flop_per_s",
                                                     "training_flop_per_run"]))
    outputs = draw(st.lists(st.sampled_from(list(OUTPUTS)), min_size=1, unique=True))
    return inputs, outputs


@settings(max_examples=150, deadline=None)
@given(_selection(), st.floats(min_value=1e10, max_value=1e30))
@example((CORTEX_PHASE1, ["facility_power_mw_for_target"]), BASELINE_EFFECTIVE)
def test_selected_outputs_equal_the_full_evaluation(selection, baseline):
    inputs, outputs = selection
    with np.errstate(all="ignore"):
        full = evaluate(inputs, baseline)
        chosen = evaluate(inputs, baseline, outputs=outputs)
    assert list(chosen) == outputs
    for name in outputs:
        assert np.array_equal(np.asarray(chosen[name]), np.asarray(full[name]),
                              equal_nan=True), name


@given(st.lists(st.floats(min_value=1e-6, max_value=1e7), min_size=1, max_size=5),
       st.lists(st.one_of(st.floats(min_value=0, max_value=1e300),
                          st.sampled_from([0.0, 5e-324, 1e-309, math.inf, math.nan])),
                min_size=1, max_size=5),
       st.floats(min_value=1, max_value=1e6))
def test_power_for_target_without_interruptions_is_the_general_formula_at_zero_load(
        powers, multiples, target):
    size = min(len(powers), len(multiples))
    power, multiple = np.array(powers[:size]), np.array(multiples[:size])
    with np.errstate(all="ignore"):
        general = model.facility_power_mw_for_target(power, multiple, target,
                                                     np.zeros(size))
        shortcut = model.facility_power_mw_for_target(power, multiple, target)
    assert np.array_equal(shortcut, general, equal_nan=True)


def test_an_unknown_output_is_named():
    with pytest.raises(KeyError, match="unknown output 'compute_multiplier'"):
        evaluate(CORTEX_PHASE1, BASELINE_EFFECTIVE, outputs=["compute_multiplier"])


@pytest.mark.parametrize("output", ["effective_flop_per_s", "training_flop_per_run"])
def test_more_of_each_efficiency_lever_gives_more_compute(output):
    base = {**CORTEX_PHASE1, "training.share": 0.8}
    reference = evaluate(base, BASELINE_EFFECTIVE)[output]
    up = {"training.mfu": 0.5, "training.availability": 0.95, "site.facility_power_mw": 150.0,
          "hardware.peak_flop_per_s": 2e15, "training.share": 1.0}
    down = {"site.pue": 1.4, "site.it_overhead": 1.3, "hardware.server_overhead": 2.2,
            "hardware.tdp_w": 1000.0}
    for key, value in up.items():
        assert evaluate({**base, key: value}, BASELINE_EFFECTIVE)[output] > reference, key
    for key, value in down.items():
        assert evaluate({**base, key: value}, BASELINE_EFFECTIVE)[output] < reference, key


# ------------------------------------------------------------------ the whole accepted domain


def _assert_finite(outputs):
    for name, value in outputs.items():
        assert np.all(np.isfinite(value)) and np.all(np.asarray(value) >= 0), (name, value)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(chain_inputs(full_range=True), chain_inputs(full_range=True))
@example(CORTEX_PHASE1, CORTEX_PHASE1)
def test_every_output_is_finite_for_every_accepted_input(inputs, baseline):
    """Over the whole accepted domain, the ends included, no output is inf, NaN or negative.

    The baseline is drawn from the same domain: a multiple is a ratio of two
    scenarios, each at either end of every range.
    """
    base = evaluate(baseline, 1.0)["effective_flop_per_s"]
    assert math.isfinite(base) and base > 0
    _assert_finite(evaluate(inputs, base))


def _extreme(end: str, by_count: bool) -> dict:
    """Every input at the end of its range that makes effective FLOP/s smallest or largest."""
    small = end == "low"
    grows = {"site.facility_power_mw", "site.accelerators", "hardware.peak_flop_per_s",
             "hardware.peak_8bit_flop_per_s", "training.mfu", "training.availability",
             "training.share"}
    values = {}
    for key, spec in INPUTS.items():
        if spec.kind == "choice" or key in ("site.facility_power_mw", "site.accelerators"):
            continue
        lowest = (key in grows) == small
        values[key] = float(spec.lower if lowest else spec.upper)
    sizing = "site.accelerators" if by_count else "site.facility_power_mw"
    values[sizing] = float(INPUTS[sizing].lower if small else INPUTS[sizing].upper)
    values["site.accelerators" if not by_count else "site.facility_power_mw"] = None
    return values


@pytest.mark.parametrize("by_count", [False, True])
@pytest.mark.parametrize(("end", "baseline_end"), [("low", "high"), ("high", "low")])
def test_the_most_extreme_corners_stay_finite(end, baseline_end, by_count):
    base = evaluate(_extreme(baseline_end, by_count), 1.0)["effective_flop_per_s"]
    _assert_finite(evaluate(_extreme(end, by_count), base))


def _scenario_text(name: str, values: dict, **extra: str) -> str:
    """A scenario file setting every numeric input to ``values`` (the sizing key chosen)."""
    tree = {"name": name, **extra,
            **{k: v for k, v in values.items() if v is not None}}
    return yaml.safe_dump(tree, sort_keys=False)


@pytest.mark.slow
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(chain_inputs(full_range=True), chain_inputs(full_range=True))
def test_calc_run_gives_finite_outputs_and_a_readable_table_for_every_accepted_input(
        library, inputs, baseline):
    """Through the loader and calc.run, as a user's files would go: finite numbers, short lines.

    Both the scenario and its baseline are user scenarios drawn from the whole
    accepted domain; the table ``capcalc run`` prints holds no inf or NaN and no
    line wider than a terminal of 200 columns.
    """
    mine, _ = library.add_text(_scenario_text("edge-baseline", baseline), origin="base.yaml")
    mine, _ = mine.add_text(_scenario_text("edge", inputs, **{"target.baseline": "edge-baseline"}),
                            origin="edge.yaml")
    result = calc.run(mine, "edge")
    assert result.baseline == "edge-baseline"
    _assert_finite(result.outputs)
    table = results_table([result], calc.run(mine, "edge-baseline"))
    assert "inf" not in table and "nan" not in table, table
    assert max(len(line) for line in table.splitlines()) <= 200, table
