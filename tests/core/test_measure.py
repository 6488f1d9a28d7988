"""What '10×' means (target.measure) and the fleet's training share, against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import calc
from calc.analysis.levers import levers_of_result
from calc.analysis.timeline import run_timeline
from calc.core.constants import SECONDS_PER_DAY
from calc.core.months import month_index


def _run(library, name, sets=()):
    return calc.run(library, library.scenario(name, list(sets)))


def test_flop_per_run_counts_run_length_against_the_baseline(library):
    """A run twice as long with the same fleet is twice the FLOP per run, and the same FLOP/s."""
    per_run = [("target.measure", "training_flop_per_run"), ("training.run_days", 180)]
    longer = _run(library, "cortex-full", per_run)
    same_rate = _run(library, "cortex-full", [("training.run_days", 180)])
    baseline = calc.run(library, longer.baseline)
    by_hand = (longer["effective_flop_per_s"] * 180 * SECONDS_PER_DAY
               / (baseline["effective_flop_per_s"]
                  * baseline.scenario.values["training.run_days"] * SECONDS_PER_DAY))
    assert longer["compute_multiple"] == pytest.approx(by_hand, rel=1e-12)
    assert longer["compute_multiple"] == pytest.approx(2 * same_rate["compute_multiple"],
                                                       rel=1e-12)
    # the power for the target follows the measure: half as much site runs twice as long
    assert longer["facility_power_mw_for_target"] == pytest.approx(
        same_rate["facility_power_mw_for_target"] / 2, rel=1e-12)


def test_the_levers_of_a_per_run_multiple_include_run_length(library):
    result = _run(library, "cortex-full", [("target.measure", "training_flop_per_run"),
                                            ("training.run_days", 180)])
    levers = levers_of_result(library, result, calc.run(library, result.baseline))
    assert levers.decomposition is not None
    factors = {lever.name: lever.factor for lever in levers.decomposition.levers}
    assert factors["run_days"] == pytest.approx(2.0)
    assert levers.decomposition.product == pytest.approx(result["compute_multiple"], rel=1e-12)


def test_the_default_measure_has_no_run_length_lever(library):
    result = calc.run(library, "cortex-full")
    levers = levers_of_result(library, result, calc.run(library, result.baseline))
    assert levers.decomposition is not None
    assert "run_days" not in {lever.name for lever in levers.decomposition.levers}


def test_cumulative_flop_is_the_running_mean_of_the_fleets_flop_per_s(library):
    """Cumulative: FLOP delivered since the first planned month ÷ the baseline's over the same."""
    scenario = library.scenario("cortex-buildout",
                                [("target.measure", "cumulative_training_flop")])
    rate = run_timeline(library, library.scenario("cortex-buildout"), until="2028-12")
    cumulative = run_timeline(library, scenario, until="2028-12")
    assert rate.months == cumulative.months
    multiple = np.asarray(rate.series["compute_multiple"])
    first_planned = min(p.start_month for p in rate.phases)
    since = np.array([month_index(m) for m in rate.months]) - first_planned + 1
    by_hand = np.cumsum(multiple) / since
    np.testing.assert_allclose(cumulative.series["compute_multiple"], by_hand, rtol=1e-12)
    # the running mean lags the rate: the target comes later, never earlier
    assert cumulative.target_reached is None or rate.target_reached is not None
    if cumulative.target_reached:
        assert cumulative.target_reached >= str(rate.target_reached)


def test_a_static_site_measured_cumulatively_is_measured_by_its_rate(library):
    rate = calc.run(library, "cortex-full")
    cumulative = _run(library, "cortex-full", [("target.measure", "cumulative_training_flop")])
    assert cumulative["compute_multiple"] == pytest.approx(rate["compute_multiple"], rel=1e-12)


@given(st.floats(min_value=0.01, max_value=1.0))
def test_the_training_share_scales_effective_flop_linearly(library, share):
    whole = _run(library, "cortex-full")
    part = _run(library, "cortex-full", [("training.share", share)])
    assert part["effective_flop_per_s"] == pytest.approx(
        share * whole["effective_flop_per_s"], rel=1e-12)
    assert part["peak_flop_per_s"] == whole["peak_flop_per_s"]
    # the baseline keeps its whole fleet training, so the multiple scales with the share
    assert part["compute_multiple"] == pytest.approx(share * whole["compute_multiple"],
                                                     rel=1e-12)


def test_a_bad_measure_names_the_choices(library):
    with pytest.raises(calc.CapcalcError, match="cumulative_training_flop"):
        library.scenario("cortex-full", [("target.measure", "flops")])
