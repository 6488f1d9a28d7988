"""Sensitivity: tornado swings are direct runs at each end; Sobol ranks the input that matters."""

from __future__ import annotations

import pytest
import yaml

import calc
from calc.analysis.sensitivity import parameters, sensitivity, sobol, tornado
from calc.core.errors import CapcalcError
from calc.presentation.tables.sensitivity import sobol_table


def _effective(library: calc.Library, name: str, sets: list[tuple[str, str]]) -> float:
    return calc.run(library, library.scenario(name, sets))["effective_flop_per_s"]


@pytest.mark.parametrize(("name", "output"), [
    ("cortex-full-gb200", "capex_usd"),
    ("cortex-2026", "cost_per_run_usd"),
    ("colossus-2-2025", "energy_per_flop_j"),
])
def test_tornado_swings_equal_direct_runs_at_low_and_high(library, name, output):
    """For outputs not measured against the baseline, each end is ``calc.run`` with
    ``--set KEY=LOW`` (or HIGH): the same numbers, to rounding."""
    result = tornado(library, name, output)
    assert result.tornado
    for bar in result.tornado:
        key = bar.parameter.key
        for value, got in ((bar.input_low, bar.output_low), (bar.input_high, bar.output_high)):
            direct = calc.run(library, name, [(key, repr(value))])[output]
            assert got == pytest.approx(direct, rel=1e-12), key
        assert bar.swing == pytest.approx(abs(bar.output_high - bar.output_low), abs=1e-9)


def test_tornado_of_the_multiple_moves_shared_inputs_in_both(library):
    """An input the scenario shares with its baseline moves in both; the multiple at each end
    is the ratio of the two direct runs with that --set."""
    result = tornado(library, "cortex-2026", "compute_multiple")
    baseline = calc.run(library, "cortex-2026").baseline
    sides = {bar.parameter.label: bar for bar in result.tornado}
    assert sides["training.mfu"].parameter.side == "both"
    for bar in result.tornado:
        key, side = bar.parameter.key, bar.parameter.side
        for value, got in ((bar.input_low, bar.output_low), (bar.input_high, bar.output_high)):
            sets = [(key, repr(value))]
            mine = _effective(library, "cortex-2026", sets if side != "baseline" else [])
            theirs = _effective(library, baseline, sets if side != "scenario" else [])
            assert got == pytest.approx(mine / theirs, rel=1e-12), bar.parameter.label
    # MFU scales both sides alike and cancels; the baseline is sized by its count, so the
    # scenario's power and PUE move the multiple while they leave the baseline alone
    swing = {bar.parameter.label: bar.swing for bar in result.tornado}
    assert swing["training.mfu"] == pytest.approx(0, abs=1e-12)
    assert swing["site.facility_power_mw"] > 0 and swing["site.pue"] > 0


def test_bars_are_sorted_by_swing_and_indices_by_total_effect(library):
    result = sensitivity(library, "cortex-full-gb200", "annualized_cost_usd", samples=256,
                         seed=1)
    swings = [bar.swing for bar in result.tornado]
    assert swings == sorted(swings, reverse=True)
    totals = [index.ST for index in result.sobol]
    assert totals == sorted(totals, reverse=True)
    assert {i.parameter.key for i in result.sobol} == {b.parameter.key for b in result.tornado}


def test_sobol_ranks_the_only_input_that_matters_first_with_st_near_one(library):
    """The facility power output of a power-sized site depends on the power input alone."""
    result = sobol(library, "cortex-phase1", "facility_power_mw", samples=1024, seed=3)
    first, *rest = result.sobol
    assert first.parameter.key == "site.facility_power_mw"
    assert abs(first.ST - 1.0) < 0.05
    assert abs(first.S1 - 1.0) < 0.1
    assert all(abs(i.ST) < 1e-9 and abs(i.S1) < 1e-9 for i in rest)


def test_sobol_indices_split_a_product_as_its_log_variances(library, tmp_path):
    """Effective FLOP/s ∝ MFU × availability at fixed power and chip: with only those two
    uncertain (and independent), the larger log-variance takes the larger share."""
    path = tmp_path / "two.yaml"
    doc: dict[str, object] = {"name": "two", "base": "cortex-phase1", "correlations": [
        {"keys": ["training.mfu", "training.availability"], "rank": 0.0,
         "source": "assumption", "note": "independent for this test"}]}
    for key in ("site.pue", "site.it_overhead", "site.facility_power_mw", "training.share"):
        value = calc.load().baseline.assumptions[key].value
        doc[key] = {"low": value, "high": value}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    two_library, _ = library.add_file(path)
    result = sobol(two_library, "two", "effective_flop_per_s", samples=2048, seed=2)
    ranked = [i for i in result.sobol if i.ST > 1e-6]
    assert [i.parameter.key for i in ranked] == ["training.mfu", "training.availability"]
    assert sum(i.S1 for i in ranked) == pytest.approx(1.0, abs=0.1)


def test_sobol_is_reproducible_with_its_seed(library):
    a = sobol(library, "cortex-full", "capex_usd", samples=128, seed=4)
    b = sobol(library, "cortex-full", "capex_usd", samples=128, seed=4)
    assert a.to_dict() == b.to_dict()
    assert a.samples == 128 and a.evaluations == 128 * (len(a.sobol) + 2)


def test_samples_round_up_to_a_power_of_two(library):
    assert sobol(library, "cortex-full", "capex_usd", samples=100, seed=0).samples == 128
    with pytest.raises(CapcalcError, match="at least 16"):
        sobol(library, "cortex-full", "capex_usd", samples=4)


def test_an_unknown_output_suggests_the_nearest(library):
    with pytest.raises(CapcalcError, match="did you mean 'capex_usd'"):
        tornado(library, "cortex-full", "capex_usdd")


def test_baseline_inputs_appear_only_for_outputs_measured_against_it(library):
    result = calc.run(library, "cortex-full")
    baseline = library.scenario("cortex-phase1")
    labels = [p.label for p in parameters(result.scenario, baseline, "capex_usd")]
    assert not any("(baseline)" in label for label in labels)
    labels = [p.label for p in parameters(result.scenario, baseline, "compute_multiple")]
    assert "site.facility_power_mw (baseline)" in labels


def test_tables_and_charts_of_a_sensitivity(library):
    from calc.presentation.charts.sensitivity import sobol_chart, tornado_chart
    from calc.presentation.export import chart_bytes

    result = sensitivity(library, "cortex-full", "compute_multiple", samples=128, seed=0)
    for chart in (tornado_chart(result), sobol_chart(result)):
        assert len(chart.table) == len(result.tornado)
        assert chart_bytes(chart, "svg").lstrip().startswith(b"<?xml")
    assert "seed 0" in sobol_table(result).caption
