"""P(target by month) under slip: monotone, counted from the samples, never helped by a slip."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.analysis.buildout_montecarlo import delay_marginal, phase_delays, simulate_timeline
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.timeline import scenario_phases
from calc.core.errors import CapcalcError
from calc.core.months import month_index
from calc.core.phases import Phase
from calc.data.phases import apply_phase_sets
from calc.presentation.tables.uncertainty import reach_marks, reach_probability_table

SAMPLES = 1500
UNTIL = "2029-12"


@pytest.fixture(scope="module")
def buildout(library):
    scenario = library.scenario("cortex-buildout")
    return scenario, scenario_phases(scenario)


@pytest.fixture(scope="module")
def plain(library, buildout):
    scenario, phases = buildout
    return simulate_timeline(library, scenario, samples=SAMPLES, seed=11, until=UNTIL,
                             phases=phases)


def _slipped(library, buildout, index: int, value: int, low: int, high: int):
    scenario, phases = buildout
    ranged = apply_phase_sets(phases, [(f"timeline[{index}].delay_months",
                                        f"{{value: {value}, low: {low}, high: {high}}}")])
    return simulate_timeline(library, scenario, samples=SAMPLES, seed=11, until=UNTIL,
                             phases=ranged)


def _reach_month(sim) -> np.ndarray:
    """Each sample's reach month as a month index (never reached: far in the future)."""
    first = month_index(sim.months[0])
    return np.where(sim.reach < 0, 10**6, first + sim.reach)


def test_p_by_month_is_the_share_of_samples_reached_by_then_and_never_falls(plain):
    cdf = plain.reach_distribution()
    values = list(cdf.values())
    assert values == sorted(values)
    for position in (0, 20, 24, 40, len(plain.months) - 1):
        month = plain.months[position]
        share = float(np.mean((plain.reach >= 0) & (plain.reach <= position)))
        assert cdf[month] == share == plain.p_reached_by(month)


@settings(max_examples=12, deadline=None)
@given(index=st.integers(0, 3), low=st.integers(0, 6), extra=st.integers(0, 18),
       share=st.floats(0, 1))
def test_a_slip_range_never_raises_the_chance_in_any_month(library, buildout, plain, index,
                                                          low, extra, share):
    high = low + extra
    value = round(low + share * (high - low))
    slipped = _slipped(library, buildout, index, value, low, high)
    # the other draws are untouched: sample by sample the target comes no earlier
    assert np.all(_reach_month(slipped) >= _reach_month(plain))
    before, after = plain.reach_distribution(), slipped.reach_distribution()
    assert all(after.get(month, 0.0) <= p for month, p in before.items())


def test_the_slip_samples_have_the_range_they_were_given():
    phase = Phase("p", "2026-07", 500, delay_months=3, delay_low=1, delay_high=12)
    draws = phase_delays([Phase("a", "2024-10", 100), phase], 40_000, seed=2)
    months = draws["timeline[1].delay_months"]
    assert set(draws) == {"timeline[1].delay_months"}
    assert np.all(months == np.rint(months)) and months.min() >= 0
    p5, p50, p95 = np.percentile(months, [5, 50, 95])
    assert (p5, p50) == (1, 3) and abs(p95 - 12) <= 1
    assert delay_marginal(phase, 1).value == 3


def test_the_json_gives_one_probability_per_month(capcalc_cli):
    result = capcalc_cli("timeline", "cortex-buildout", "--samples", "500", "--format", "json",
                         "--set", "timeline[-1].delay_months={value: 0, low: 0, high: 12}")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    by = document["p_target_reached_by"]
    assert len(by) == len(document["months"])
    assert by == sorted(by) and by[-1] == document["p_target_reached"]
    assert document["phases"][-1]["delay_months"] == {"value": 0, "low": 0, "high": 12}


def test_the_chart_table_marks_the_p50_and_p80_months(plain):
    table = reach_probability_table([plain])
    marks = reach_marks([plain])[plain.name]
    assert marks["p50"] == plain.reach_month(0.5)
    assert marks["p80"] == plain.reach_month(0.8)
    assert table.columns["p_reached_by"] == list(plain.reach_distribution().values())


@pytest.mark.parametrize(("raw", "says"), [
    ("{value: 3, low: 4, high: 12}", "must hold the value 3"),
    ("{value: 3, low: 1}", "needs value, low and high"),
    ("{value: 3, lo: 1, high: 4}", "did you mean 'low'"),
    ("{value: 2.5, low: 0, high: 4}", "whole number of months"),
    ("{value: [}", "is not a YAML mapping"),
])
def test_a_bad_slip_range_is_one_line_naming_the_field(buildout, raw, says):
    _, phases = buildout
    with pytest.raises(CapcalcError, match=says) as caught:
        apply_phase_sets(phases, [("timeline[-1].delay_months", raw)])
    assert "\n" not in str(caught.value)
    assert str(caught.value.key).startswith("timeline[")


def test_the_peers_slip_goes_on_announced_phases_only(library, peers, buildout):
    _, phases = buildout
    slip = default_slip(peers, operator=library.story.operator).delays()
    slipped = with_slip(phases, default_slip(peers, operator=library.story.operator))
    for before, after in zip(phases, slipped, strict=True):
        if before.status == "delivered" or before.delay_low is not None:
            assert after == before
        else:
            assert (after.delay_months, after.delay_low, after.delay_high) == (
                before.delay_months + slip.value, before.delay_months + slip.low,
                before.delay_months + slip.high)
