"""Probabilistic goal-seek and 'what if we knew': both checked by re-running the scenario."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import calc
from calc.analysis.confidence import solve_probability
from calc.analysis.montecarlo import paired_draws
from calc.analysis.sensitivity import p_target_conditional
from calc.core.errors import CapcalcError, NoSolution

SAMPLES = 4000


def _p_at(library, name, key, value, seed, sets=()):
    """P(multiple ≥ target) from a fresh Monte Carlo of the scenario with ``key`` set."""
    scenario = library.scenario(name, [*sets, (key, value)])
    return calc.simulate(library, scenario, samples=SAMPLES, seed=seed).p_target_reached()


@pytest.mark.parametrize("probability", [0.2, 0.5, 0.8, 0.95])
def test_the_answer_gives_the_probability_on_a_rerun(library, probability):
    """Running the scenario at the answer, same samples and seed, gives P within MC error."""
    # cortex-full-gb200 has no meet_target: setting the power is all the answer changes
    solution = solve_probability(library, "cortex-full-gb200", "site.facility_power_mw",
                                 "compute_multiple", 10.0, probability, samples=SAMPLES,
                                 seed=3)
    again = _p_at(library, "cortex-full-gb200", "site.facility_power_mw", solution.value, 3)
    se = math.sqrt(probability * (1 - probability) / SAMPLES)
    assert again == pytest.approx(probability, abs=3 * se + 1 / SAMPLES)
    assert solution.achieved == pytest.approx(again, abs=1 / SAMPLES)
    assert solution.achieved >= probability
    # the answer sits on the step: a hair less power loses at least one sample
    draws = paired_draws(library, "cortex-full-gb200", samples=SAMPLES, seed=3)
    below = np.mean(draws.outcome("site.facility_power_mw", "compute_multiple",
                                  solution.value * (1 - 1e-12)) >= 10.0)
    assert below < probability <= solution.achieved


def test_more_confidence_costs_more_power_and_the_median_is_near_central(library):
    answers = [solve_probability(library, "cortex-full-gb200", "site.facility_power_mw",
                                 "compute_multiple", 10.0, p, samples=SAMPLES, seed=1)
               for p in (0.5, 0.8, 0.95)]
    values = [a.value for a in answers]
    assert values == sorted(values) and values[0] < values[-1]
    central = answers[0].central
    assert central is not None and answers[0].rising
    # the P50 answer is near the central one (medians in, a little skew out)
    assert answers[0].value == pytest.approx(central.value, rel=0.05)


def test_a_falling_output_asks_for_less_of_the_key(library):
    """PUE lowers the multiple: 80 % sure means a PUE at most this, below the central one."""
    sets = [("site.facility_power_mw", 800.0)]
    scenario = library.scenario("cortex-full-gb200", sets)
    solution = solve_probability(library, scenario, "site.pue", "compute_multiple", 10.0, 0.8,
                                 samples=SAMPLES, seed=2)
    assert not solution.rising
    assert solution.central is not None and solution.value < solution.central.value
    again = _p_at(library, "cortex-full-gb200", "site.pue", solution.value, 2, sets)
    assert again == pytest.approx(0.8, abs=3 * math.sqrt(0.16 / SAMPLES) + 1 / SAMPLES)


def test_the_same_seed_gives_the_same_answer_and_another_seed_a_near_one(library):
    def solve(seed: int) -> float:
        return solve_probability(library, "tenfold", "site.facility_power_mw",
                                 "compute_multiple", 10.0, 0.8, samples=SAMPLES,
                                 seed=seed).value

    assert solve(5) == solve(5)
    assert solve(6) == pytest.approx(solve(5), rel=0.03)


def test_a_count_is_answered_in_whole_accelerators(library):
    solution = solve_probability(library, "cortex-full-gb200", "site.accelerators",
                                 "compute_multiple", 10.0, 0.8, samples=SAMPLES, seed=1)
    assert solution.value == int(solution.value)
    assert solution.achieved >= 0.8


def test_an_unreachable_probability_names_the_best(library):
    with pytest.raises(NoSolution) as caught:
        solve_probability(library, "cortex-phase1", "training.mfu", "compute_multiple", 10.0,
                          0.8, samples=1000, seed=1)
    message = str(caught.value)
    assert "\n" not in message and "80 %" in message and "training.mfu" in message
    assert caught.value.best_achieved == 0.0  # 100 MW of H100 never makes 10×, at any MFU


@pytest.mark.parametrize("probability", [0.0, 1.0, -0.2, 1.5, math.nan])
def test_a_probability_outside_zero_to_one_is_one_clear_error(library, probability):
    with pytest.raises(CapcalcError, match="strictly between 0 and 1") as caught:
        solve_probability(library, "tenfold", "site.facility_power_mw", "compute_multiple",
                          10.0, probability, samples=1000)
    assert caught.value.key == "probability"


# ---------------------------------------------------------------- what if we knew


@pytest.fixture(scope="module")
def conditional(library):
    # the power is set, so pinning an input re-solves nothing: the same question as --set
    scenario = library.scenario("cortex-full-gb200", [("site.facility_power_mw", 700.0)])
    return p_target_conditional(library, scenario, samples=SAMPLES, seed=4)


def test_the_conditional_chances_equal_a_brute_force_rerun(library, conditional):
    """Each pinned end is what --set KEY=LOW (or HIGH) with the same samples and seed gives."""
    sets = [("site.facility_power_mw", 700.0)]
    for row in conditional.pinned[:4]:
        if row.parameter.side == "baseline":
            continue
        for value, p in ((row.parameter.marginal.low, row.p_low),
                         (row.parameter.marginal.high, row.p_high)):
            brute = _p_at(library, "cortex-full-gb200", row.parameter.key, value, 4, sets)
            se = math.sqrt(max(p * (1 - p), 1 / SAMPLES) / SAMPLES)
            assert p == pytest.approx(brute, abs=4 * se), row.parameter.key


def test_the_conditional_chances_are_sorted_and_bracket_the_unpinned_one(conditional):
    swings = [row.swing for row in conditional.pinned]
    assert swings == sorted(swings, reverse=True)
    top = conditional.pinned[0]
    assert top.swing > 0.3
    # for a monotone input, the unpinned chance lies between its two pinned ends
    assert min(top.p_low, top.p_high) <= conditional.p_target <= max(top.p_low, top.p_high)
    # inputs the multiple does not depend on cannot move the chance at all
    same = {row.parameter.key: row for row in conditional.pinned}
    assert same["cost.wacc"].p_low == same["cost.wacc"].p_high == conditional.p_target


def test_the_json_form_lists_every_input_with_a_range(conditional):
    document = conditional.to_dict()
    keys = [row["key"] for row in document["p_target_conditional"]]
    assert "site.pue" in keys and "training.mfu" in keys
    assert all(0 <= row["p_low"] <= 1 and 0 <= row["p_high"] <= 1
               for row in document["p_target_conditional"])
    assert document["p_target_reached"] == conditional.p_target


def test_the_cli_answers_with_a_probability_in_json(capcalc_cli):
    result = capcalc_cli("solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                         "--probability", "80%", "--samples", "2000", "--seed", "3",
                         "cortex-full-gb200", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["probability"] == 0.8 and document["solved_key"] == "site.facility_power_mw"
    assert document["achieved_probability"] >= 0.8
    assert document["value"] > document["central_value"]
    assert (document["samples"], document["seed"]) == (2000, 3)


@pytest.mark.parametrize("text", ["0", "1", "1.5", "eighty", "120%"])
def test_a_bad_probability_on_the_command_line_is_one_line(capcalc_cli, text):
    result = capcalc_cli("solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                         "--probability", text, "tenfold")
    assert result.returncode == 2
    assert "--probability" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_cli_pins_each_input_for_p_target(capcalc_cli, tmp_path):
    result = capcalc_cli("sensitivity", "p_target_reached", "tenfold", "--samples", "2000",
                         "--format", "json", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    rows = document["p_target_conditional"]
    assert rows[0]["key"] == "site.pue" and rows[0]["p_low"] > rows[0]["p_high"]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "p-target-conditional.png", "p-target-conditional.svg", "p-target-conditional.csv",
        "datapackage.json"}
