"""Goal-seeking: the solver, solve_input and solve_timeline."""

from __future__ import annotations

import math

import numpy as np
import pytest

import calc
from calc.analysis.run import outcome_of, solve_input
from calc.analysis.solver import solve_scalar, solve_vectorised
from calc.analysis.timeline import run_timeline, solve_timeline
from calc.core.errors import NoSolution
from calc.core.vocabulary import INPUTS
from calc.presentation.formatting import solved_text

NUMERIC = [key for key, spec in INPUTS.items() if spec.kind != "choice"]
#: Outputs tried in turn until one moves with the key being solved.
CANDIDATES = ("compute_multiple", "training_flop_per_run", "capex_usd", "annual_energy_mwh",
              "cost_per_run_usd", "facility_power_mw_for_target", "h100_equivalents",
              "energy_per_flop_j")


def _inside(key: str, share: float) -> float:
    spec = INPUTS[key]
    low, high = spec.widget or (spec.lower, spec.upper)
    if spec.log_scale or (low > 0 and high / low > 100):
        return float(math.exp(math.log(low) + share * (math.log(high) - math.log(low))))
    return float(low + share * (high - low))


@pytest.mark.parametrize("key", NUMERIC)
def test_solve_round_trips_for_every_numeric_key(library, baseline_effective, key):
    scenario = calc.run(library, "cortex-full").scenario
    probe = np.array([_inside(key, 0.2), _inside(key, 0.8)])
    moving = [o for o in CANDIDATES
              if np.ptp(outcome_of(scenario, key, o, baseline_effective)(probe)) > 0]
    if not moving:
        with pytest.raises(NoSolution, match="does not change with") as caught:
            solve_input(scenario, key, "compute_multiple", 7.0, baseline_effective)
        assert "\n" not in str(caught.value)
        return
    output = moving[0]
    target = float(outcome_of(scenario, key, output, baseline_effective)(
        np.array([_inside(key, 0.37)]))[0])
    solution = solve_input(scenario, key, output, target, baseline_effective)
    assert solution.key == key and solution.unit == INPUTS[key].unit
    # run the scenario again with the answer set, as `--set KEY=VALUE` does
    again = calc.run(library, library.scenario("cortex-full", [(key, solution.value)]))
    assert solution.achieved == pytest.approx(again[output], rel=1e-12)
    if INPUTS[key].kind == "count":  # whole units: within one unit of the exact root
        assert solution.value == int(solution.value)
        assert again[output] == pytest.approx(target, rel=1.0 / solution.value)
    else:
        assert again[output] == pytest.approx(target, rel=1e-6)


def test_a_count_is_solved_in_whole_accelerators_that_reach_the_target(library,
                                                                       baseline_effective):
    scenario = calc.run(library, "cortex-phase1").scenario
    solution = solve_input(scenario, "site.accelerators", "compute_multiple", 10.0,
                           baseline_effective)
    count = solution.value
    assert count == int(count) and "whole number" in solution.note

    def multiple(n: float) -> float:
        return calc.run(library, library.scenario("cortex-phase1",
                                                  [("site.accelerators", n)]))["compute_multiple"]

    assert multiple(count) >= 10.0 > multiple(count - 1)


def test_the_power_for_tenfold_is_the_models_own_answer(library, baseline_effective):
    scenario = calc.run(library, "cortex-full").scenario
    solution = solve_input(scenario, "site.facility_power_mw", "compute_multiple", 10.0,
                           baseline_effective)
    assert solution.value == pytest.approx(
        calc.run(library, "cortex-full")["facility_power_mw_for_target"], rel=1e-9)


def test_no_solution_names_the_best_achievable(library, baseline_effective):
    result = calc.run(library, "cortex-phase1")  # 100 MW of H100
    # compute is linear in MFU: at MFU 1.0 the multiple grows by 1 / 0.4 = 2.5
    best = result["compute_multiple"] / result.scenario.values["training.mfu"]
    with pytest.raises(NoSolution) as caught:
        solve_input(result.scenario, "training.mfu", "compute_multiple", 10.0,
                    baseline_effective)
    message = str(caught.value)
    assert "\n" not in message
    assert f"closest is {best:.4g}" in message
    assert caught.value.best_value == pytest.approx(1.0)
    assert caught.value.best_achieved == pytest.approx(best)


def test_an_output_that_does_not_depend_on_the_key_says_so(library, baseline_effective):
    scenario = calc.run(library, "cortex-full").scenario
    with pytest.raises(NoSolution, match=r"does not change with cost\.electricity_usd_per_mwh"):
        solve_input(scenario, "cost.electricity_usd_per_mwh", "compute_multiple", 10.0,
                    baseline_effective)


def test_a_non_monotone_output_reports_every_root():
    solution = solve_scalar("training.mfu", "compute_multiple", 0.64,
                            lambda x: 1 - 4 * (x - 0.5) ** 2)
    assert solution.roots == pytest.approx((0.2, 0.8), rel=1e-9)
    assert solution.value == pytest.approx(0.2)
    assert "not monotone" in solution.note and "0.2" in solution.note


def test_a_step_output_answers_the_edge_that_reaches_the_target(library):
    # hardware lives whole months, so the multiple in 2029-06 moves in steps with the lifetime
    scenario = library.scenario("cortex-buildout")
    solution = solve_timeline(library, scenario, "cost.hardware_lifetime_years",
                              "compute_multiple", 12.0, "2029-06")
    assert solution.achieved >= 12.0
    assert "steps" in solution.note


@pytest.mark.parametrize(("key", "target"), [
    ("training.mfu", 10.0),
    ("training.availability", 7.0),
    ("site.pue", 7.0),
    ("hardware.perf_per_watt_growth_per_year", 30.0),
])
def test_timeline_solutions_round_trip(library, key, target):
    scenario = library.scenario("cortex-buildout")
    # the trend only reaches the fleet once phase 1 is refreshed (2029-10, five years on)
    by = "2030-06" if key.startswith("hardware") else "2027-12"
    solution = solve_timeline(library, scenario, key, "compute_multiple", target, by)
    again = run_timeline(library, scenario.with_values({key: solution.value}, source="test"),
                         until=by)
    assert float(again.series["compute_multiple"][-1]) == pytest.approx(target, rel=1e-6)


def test_a_start_that_is_not_monotone_says_so(library):
    # the 'latest' chip of a later start is better, an early one retires: not monotone
    scenario = library.scenario("cortex-buildout")
    solution = solve_timeline(library, scenario, "timeline[Cortex 2 full build].start",
                              "compute_multiple", 8.0, "2027-12")
    assert solved_text(solution.key, solution.value, solution.unit) == "2027-12"
    assert "not every earlier value reaches it" in solution.note


def test_an_unreachable_timeline_target_names_the_best(library):
    scenario = library.scenario("cortex-buildout")
    with pytest.raises(NoSolution) as caught:
        solve_timeline(library, scenario, "timeline[1].facility_power_mw", "compute_multiple",
                       20.0, "2027-12")
    # the H200 phase's total lies between its neighbours' (87 and 250 MW); what it takes
    # from the 250 MW the next phase fills with newer chips, so no total there gives 20×
    assert "closest" in str(caught.value)
    assert scenario.timeline is not None
    assert caught.value.best_value == pytest.approx(scenario.timeline[0].facility_power_mw,
                                                    rel=1e-6)
    assert caught.value.best_achieved is not None and caught.value.best_achieved < 20.0


@pytest.mark.parametrize("target", [0.64, 0.99, 0.36, 1e-9])
def test_the_scalar_and_vectorised_searches_agree_on_a_non_monotone_output(target):
    """One search serves both: for a hump with two roots each returns the same lowest root,
    for every sample, including a target at the very top of the hump (a double root)."""
    def hump(x):
        return 1 - 4 * (np.asarray(x) - 0.5) ** 2

    scalar = solve_scalar("training.mfu", "compute_multiple", target, hump)
    samples = 7
    vectorised = solve_vectorised("training.mfu", lambda x, part: hump(x) - target, samples)
    assert vectorised.shape == (samples,)
    np.testing.assert_array_equal(vectorised, np.full(samples, scalar.value))
    assert scalar.value == min(scalar.roots)
    assert hump(scalar.value) == pytest.approx(target, abs=1e-9)
