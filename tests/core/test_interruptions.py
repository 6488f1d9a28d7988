"""The interruptions availability model: availability that falls with the cluster's size.

Off by default. When on, every interruption of any accelerator stops a
synchronous run, so availability is 1 / (1 + N × rate × hours lost / 24). Checked
against Llama 3's published 90 % effective training time on 16,384 H100, by
identities (the same number by two routes), by monotonicity and the ceiling it
implies, and through the command line, where an out-of-reach target is said in
words and written as JSON null.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc.analysis.levers import levers_of_result, levers_of_timeline
from calc.analysis.run import model_inputs, reference_run
from calc.analysis.timeline import run_timeline
from calc.core.chain import (
    evaluate,
    interruption_load,
    multiple_ceiling,
    wall_time_availability,
)
from calc.core.fleet import simulate_fleet
from calc.core.phases import Phase

ON = [("training.availability_model", "interruptions")]


def _inputs(library: calc.Library, name: str = "cortex-phase1",
            sets: list[tuple[str, Any]] | None = None) -> dict[str, Any]:
    return dict(model_inputs(library.scenario(name, [*ON, *(sets or [])])))


def test_it_is_off_by_default(library: calc.Library, baseline_effective: float) -> None:
    assert library.baseline.assumptions["training.availability_model"].value == "fixed"
    inputs = _inputs(library)
    fixed = evaluate({**inputs, "training.availability_model": "fixed"}, baseline_effective)
    absent = evaluate({k: v for k, v in inputs.items()
                       if k != "training.availability_model"}, baseline_effective)
    assert fixed == absent
    on = evaluate(inputs, baseline_effective)
    assert on["effective_flop_per_s"] < fixed["effective_flop_per_s"], \
        "57,400 H100 lose more than the fixed 13 % to interruptions"


def test_it_reproduces_llama_3_s_effective_training_time(library: calc.Library) -> None:
    # Meta: 466 interruptions in 54 days on 16,384 H100, "higher than 90 % effective
    # training time" (The Llama 3 Herd of Models, 2024)
    inputs = _inputs(library)
    availability = wall_time_availability(inputs, 16_384)
    assert availability == pytest.approx(0.90, abs=0.002)
    assert inputs["training.interruptions_per_accelerator_day"] * 54 * 16_384 == \
        pytest.approx(466, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(power=st.floats(1.0, 20_000.0))
def test_effective_flop_by_two_routes(library: calc.Library, baseline_effective: float,
                                      power: float) -> None:
    inputs = {**_inputs(library), "site.facility_power_mw": power, "site.accelerators": None}
    out = evaluate(inputs, baseline_effective)
    load = interruption_load(out["accelerators"],
                             inputs["training.interruptions_per_accelerator_day"],
                             inputs["training.hours_lost_per_interruption"])
    by_hand = (out["peak_flop_per_s"] * inputs["training.mfu"] / (1 + load)
               * inputs["training.share"])
    assert out["effective_flop_per_s"] == pytest.approx(by_hand, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(low=st.floats(1.0, 10_000.0), factor=st.floats(1.0, 10.0))
def test_more_power_never_lowers_compute_and_never_passes_the_ceiling(
        library: calc.Library, baseline_effective: float, low: float, factor: float) -> None:
    base = {**_inputs(library), "site.accelerators": None}
    small = evaluate({**base, "site.facility_power_mw": low}, baseline_effective)
    large = evaluate({**base, "site.facility_power_mw": low * factor}, baseline_effective)
    assert large["effective_flop_per_s"] >= small["effective_flop_per_s"] * (1 - 1e-12)
    load = interruption_load(small["accelerators"],
                             base["training.interruptions_per_accelerator_day"],
                             base["training.hours_lost_per_interruption"])
    ceiling = multiple_ceiling(small["compute_multiple"], load)
    assert large["compute_multiple"] < ceiling


@settings(max_examples=60, deadline=None)
@given(share=st.floats(0.01, 0.99))
def test_the_power_for_a_reachable_target_reaches_it(
        library: calc.Library, baseline_effective: float, share: float) -> None:
    inputs = {**_inputs(library), "site.accelerators": None}
    out = evaluate(inputs, baseline_effective)
    load = interruption_load(out["accelerators"],
                             inputs["training.interruptions_per_accelerator_day"],
                             inputs["training.hours_lost_per_interruption"])
    ceiling = multiple_ceiling(out["compute_multiple"], load)
    target = share * ceiling
    power = evaluate({**inputs, "target.compute_multiplier": target},
                     baseline_effective)["facility_power_mw_for_target"]
    again = evaluate({**inputs, "site.facility_power_mw": power}, baseline_effective)
    assert again["compute_multiple"] == pytest.approx(target, rel=1e-9)


def test_a_target_above_the_ceiling_needs_infinite_power(
        library: calc.Library, baseline_effective: float) -> None:
    inputs = _inputs(library)
    out = evaluate(inputs, baseline_effective)
    load = interruption_load(out["accelerators"],
                             inputs["training.interruptions_per_accelerator_day"],
                             inputs["training.hours_lost_per_interruption"])
    ceiling = float(multiple_ceiling(out["compute_multiple"], load))
    assert 1 < ceiling < 10, "the story's tenfold is beyond any size of H100 cluster"
    assert math.isinf(evaluate({**inputs, "target.compute_multiplier": ceiling * 1.01},
                               baseline_effective)["facility_power_mw_for_target"])


def test_one_constant_phase_equals_the_static_model(library: calc.Library,
                                                    baseline_effective: float) -> None:
    inputs = _inputs(library)
    static = evaluate(inputs, baseline_effective)
    out = simulate_fleet(inputs, [Phase("site", "2025-01", static["facility_power_mw"])],
                   library.baseline.catalog, baseline_effective, until="2026-12")
    np.testing.assert_allclose(out.series["effective_flop_per_s"],
                               static["effective_flop_per_s"], rtol=1e-12)


def test_a_bigger_fleet_loses_more_time_in_a_build_out(library: calc.Library) -> None:
    scenario = library.scenario("cortex-buildout", ON)
    fixed = run_timeline(library, library.scenario("cortex-buildout"))
    falling = run_timeline(library, scenario)
    share = falling.series["effective_flop_per_s"] / fixed.series["effective_flop_per_s"]
    count = falling.series["accelerators"]
    # availability (relative to the fixed one) falls as the fleet grows
    order = np.argsort(count)
    assert np.all(np.diff(share[order]) <= 1e-12)


def test_the_levers_multiply_to_the_multiple(library: calc.Library) -> None:
    result = calc.run(library, "cortex-full", ON)
    baseline = reference_run(library, result.baseline)
    decomposition = levers_of_result(library, result, baseline).decomposition
    assert decomposition is not None
    assert decomposition.product == pytest.approx(result["compute_multiple"], rel=1e-9)
    timeline = run_timeline(library, library.scenario("cortex-buildout", ON))
    fleet = levers_of_timeline(library, timeline).decomposition
    assert fleet is not None
    assert fleet.product == pytest.approx(timeline.final_multiple, rel=1e-9)


def test_the_command_line_says_out_of_reach_in_words_and_json(capcalc_cli: Any) -> None:
    sets = ["--set", "training.availability_model=interruptions"]
    text = capcalc_cli("run", "cortex-full", *sets)
    assert text.returncode == 0, text.stderr
    assert "out of reach" in text.stdout and "No size of H100 cluster reaches 10×" in text.stdout
    assert not any(word in text.stdout.split() for word in ("inf", "nan"))
    document = capcalc_cli("run", "cortex-full", *sets, "--format", "json")
    strict = json.loads(document.stdout, parse_constant=lambda name: pytest.fail(name))
    assert strict["scenarios"][0]["outputs"]["facility_power_mw_for_target"] is None
    levers = capcalc_cli("levers", "cortex-full", *sets)
    assert "power alone: not possible" in levers.stdout


def test_solving_past_the_ceiling_is_one_line(capcalc_cli: Any) -> None:
    result = capcalc_cli("solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                         "cortex-full", "--set", "training.availability_model=interruptions")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "closest is" in result.stderr
