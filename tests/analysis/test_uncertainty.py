"""Monte Carlo through the chain: reproducible, exact at zero spread, P(target), summaries, tab."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

import calc
from calc.analysis.montecarlo import exceedance, p_exceeds, shown_digits, summarize
from calc.core.errors import CapcalcError
from calc.core.vocabulary import OUTPUTS
from calc.data.assumptions import parse_baseline
from calc.data.scenarios import Library, parse_scenarios
from calc.data.story import parse_story
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.uncertainty import exceedance_chart, histogram_chart
from calc.presentation.datapackage import resource_of
from calc.presentation.export import chart_bytes
from calc.presentation.formatting import percent
from calc.presentation.montecarlo import precision_warnings
from calc.presentation.tables.uncertainty import (
    distribution_table,
    histogram_table,
)

from tests.paths import ASSUMPTIONS_FILE, SCENARIOS_FILE


def _scenario_file(tmp_path: Path, name: str, **overrides: object) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, **overrides}), encoding="utf-8")
    return path


# ---------------------------------------------------------------- reproducibility


def test_the_same_seed_gives_the_same_numbers(library):
    a = calc.simulate(library, "cortex-full-gb200", samples=5_000, seed=42)
    b = calc.simulate(library, "cortex-full-gb200", samples=5_000, seed=42)
    c = calc.simulate(library, "cortex-full-gb200", samples=5_000, seed=43)
    for output in OUTPUTS:
        assert np.array_equal(a[output], b[output])
    assert not np.array_equal(a["compute_multiple"], c["compute_multiple"])
    assert a.distribution() == b.distribution()


def test_sample_counts_out_of_range_are_refused(library):
    for bad in (10, 5_000_000):
        with pytest.raises(CapcalcError, match="samples") as info:
            calc.simulate(library, "cortex-full", samples=bad)
        assert info.value.key == "samples"


# ---------------------------------------------------------------- exactness


def _flat_library(tmp_path: Path) -> Library:
    """capcalc's files with every low/high (catalog included) set to its value."""
    raw = yaml.safe_load(Path(ASSUMPTIONS_FILE).read_text(encoding="utf-8"))

    def flatten(node: object) -> None:
        if isinstance(node, dict):
            if "value" in node and isinstance(node.get("value"), int | float) and (
                    "low" in node or "high" in node):
                node["low"] = node["high"] = node["value"]
            for child in node.values():
                flatten(child)
        elif isinstance(node, list):
            for child in node:
                flatten(child)

    flatten(raw)
    baseline = parse_baseline(raw, source="flat.yaml")
    scenarios = yaml.safe_load(SCENARIOS_FILE.read_text(encoding="utf-8"))
    flatten(scenarios)
    story = parse_story(scenarios.pop("story"), origin="flat-scenarios.yaml")
    definitions = parse_scenarios(scenarios, origin="flat-scenarios.yaml",
                                  default_name="flat")
    return Library(baseline=baseline, definitions=definitions,
                   shipped=frozenset(definitions), story=story)


@pytest.mark.parametrize("name", ["cortex-phase1", "cortex-full-gb200", "cortex-2026",
                                  "tenfold", "colossus-2-2025"])
def test_low_equal_to_high_gives_exactly_the_deterministic_run(tmp_path, name):
    library = _flat_library(tmp_path)
    sim = calc.simulate(library, name, samples=200, seed=1)
    central = calc.run(library, name)
    assert not sim.inputs
    for output, value in central.outputs.items():
        assert (sim[output] == value).all(), output
    assert sim.p_target_reached() == float(central["compute_multiple"] >=
                                           central.scenario["target.compute_multiplier"])


# ---------------------------------------------------------------- common random numbers


def test_the_baseline_against_itself_is_exactly_one_in_every_sample(library):
    sim = calc.simulate(library, library.baseline_name(), samples=2_000, seed=3)
    assert (sim["compute_multiple"] == 1.0).all()
    assert sim.shared == frozenset(sim.inputs)


def test_the_multiple_varies_only_with_what_the_scenario_changes(library):
    """cortex-full sets only the power (500 MW, no range): measured against cortex-phase1,
    every other input is the baseline's own sample, so the multiple is 500 MW over the
    baseline's sampled power."""
    sim = calc.simulate(library, "cortex-full", [("target.baseline", "cortex-phase1")],
                        samples=5_000, seed=8)
    base_power = sim.baseline_inputs["site.facility_power_mw"]
    np.testing.assert_allclose(sim["compute_multiple"], 500.0 / base_power, rtol=1e-12)
    assert "site.facility_power_mw" not in sim.shared
    assert "training.mfu" in sim.shared
    assert sim.inputs["training.mfu"] is sim.baseline_inputs["training.mfu"]


def test_a_widened_range_widens_the_outputs_interval(library, tmp_path):
    path = _scenario_file(tmp_path, "wide-mfu", base="cortex-phase1",
                          **{"training.mfu": {"low": 0.2, "high": 0.6}})
    wide_library, _ = library.add_file(path)
    narrow = calc.simulate(library, "cortex-phase1", samples=20_000, seed=1)
    wide = calc.simulate(wide_library, "wide-mfu", samples=20_000, seed=1)
    n, w = narrow.summary("effective_flop_per_s"), wide.summary("effective_flop_per_s")
    assert w.p95 - w.p5 > 1.5 * (n.p95 - n.p5)
    assert "training.mfu" not in wide.shared
    n, w = narrow.summary("compute_multiple"), wide.summary("compute_multiple")
    assert w.p95 / w.p5 > 1.5 * n.p95 / n.p5  # the multiple now varies with MFU too


# ---------------------------------------------------------------- P(target)


def test_p_target_is_one_far_above_and_zero_far_below(library, tmp_path):
    path = _scenario_file(tmp_path, "huge", base="cortex-phase1",
                          **{"site.facility_power_mw": 5000, "hardware.accelerator": "GB200"})
    big, _ = library.add_file(path)
    above = calc.simulate(big, "huge", samples=5_000, seed=1)
    assert above.summary("compute_multiple").p5 > 50
    assert above.p_target_reached() == 1.0
    below = calc.simulate(library, "cortex-full", samples=5_000, seed=1)
    assert below.summary("compute_multiple").p95 < 7
    assert below.p_target_reached() == 0.0
    assert below.p_target_se() == 0.0


def test_p_target_is_the_exceedance_curve_at_the_target(library):
    sim = calc.simulate(library, "tenfold-gb200", samples=20_000, seed=4)
    p = sim.p_target_reached()
    assert 0.05 < p < 0.95  # solved to 10× at central values: a real chance either way
    x, p_curve = exceedance(sim["compute_multiple"], points=2001)
    assert np.all(np.diff(p_curve) <= 0) and np.all(np.diff(x) >= 0)
    at_target = p_curve[np.searchsorted(x, sim.target_central)]
    assert at_target == pytest.approx(p, abs=0.002)
    assert p == pytest.approx(float(np.mean(sim["facility_power_mw_for_target"] <=
                                            sim.scenario["site.facility_power_mw"])), abs=1e-12)


# ---------------------------------------------------------------- summaries


def test_summaries_match_numpy_and_order_statistic_errors():
    x = np.random.default_rng(0).standard_normal(40_001)
    s = summarize(x)
    assert (s.p5, s.p50, s.p95) == tuple(np.percentile(x, [5, 50, 95]))
    assert s.mean == pytest.approx(x.mean())
    n = x.size
    for p, se in ((0.05, s.p5_se), (0.5, s.p50_se), (0.95, s.p95_se)):
        q = math.sqrt(2) * __import__("scipy").special.erfinv(2 * p - 1)
        asymptotic = math.sqrt(p * (1 - p) / n) / (math.exp(-q * q / 2) / math.sqrt(2 * math.pi))
        assert se == pytest.approx(asymptotic, rel=0.15)
    assert s.mean_se == pytest.approx(1 / math.sqrt(n), rel=0.05)


def test_standard_errors_cover_the_truth_about_as_often_as_they_should():
    """Across 200 independent runs, |P95 - true P95| < 2 SE in roughly 95 % of them."""
    rng = np.random.default_rng(1)
    true = 1.6448536269514722
    hits = sum(abs((s := summarize(rng.standard_normal(2_000))).p95 - true) < 2 * s.p95_se
               for _ in range(200))
    assert 175 <= hits <= 200


def test_digits_follow_the_standard_error():
    assert shown_digits(4.62, 0.001) == 3
    assert shown_digits(4.62, 0.03) == 2
    assert shown_digits(4.62, 3.0) == 0


def test_too_few_samples_for_the_precision_shown_is_warned(library):
    few = calc.simulate(library, "cortex-full-gb200", samples=100, seed=1)
    many = calc.simulate(library, "cortex-full-gb200", samples=200_000, seed=1)
    lines = precision_warnings([few], ["capex_usd"])
    assert lines and "samples or more" in lines[0] and "capex_usd" in lines[0]
    assert not precision_warnings([many], ["capex_usd"])


def test_p_exceeds_counts_ties_as_reached():
    assert p_exceeds(np.array([9.99, 10.0, 10.01]), 10.0) == pytest.approx(2 / 3)


# ---------------------------------------------------------------- tables and charts


def test_histogram_counts_every_sample_and_logs_wide_ranges(library, tmp_path):
    sim = calc.simulate(library, "cortex-full", samples=3_000, seed=2)
    table = histogram_table([sim], "compute_multiple")
    assert sum(table.columns["count"]) == 3_000
    assert not _log_x(histogram_chart([sim], "compute_multiple"))
    path = _scenario_file(tmp_path, "wide-power", base="cortex-phase1",
                          **{"site.facility_power_mw": {"value": 100, "low": 5, "high": 2000}})
    wide, _ = library.add_file(path)
    sim_wide = calc.simulate(wide, "wide-power", samples=3_000, seed=2)
    edges = histogram_table([sim_wide], "effective_flop_per_s").columns["bin_low"]
    assert edges[1] / edges[0] == pytest.approx(edges[2] / edges[1])  # log-spaced bins
    assert _log_x(histogram_chart([sim_wide], "effective_flop_per_s"))


def _log_x(chart: Chart) -> bool:
    return chart.panels[0].x.log


@pytest.mark.slow
def test_charts_render_with_samples_and_seed_in_their_caption(library):
    sims = [calc.simulate(library, n, samples=2_000, seed=9)
            for n in ("cortex-full", "cortex-full-gb200")]
    for chart in (histogram_chart(sims[:1], "capex_usd"),
                  histogram_chart(sims, "compute_multiple"), exceedance_chart(sims)):
        table = chart.table
        assert "2,000 samples, seed 9" in table.caption
        png = chart_bytes(chart, "png")
        assert png.startswith(b"\x89PNG") and b"seed 9" in png
        assert resource_of(table).description == table.caption  # beside the CSV, not in it
    dist = distribution_table(sims)
    assert len(dist) == 2 * len(OUTPUTS)


# ---------------------------------------------------------------- dashboard tab


def test_the_uncertainty_tab_shows_the_apis_p_target(library, repo_root):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(repo_root / "calc" / "dashboard" / "app.py"), default_timeout=120)
    from calc.dashboard.link import PRESET_PARAM

    app.query_params[PRESET_PARAM] = "tenfold-gb200"
    app.query_params["view"] = "uncertainty"
    app.run()
    assert not app.exception, app.exception
    shown = next(m for m in app.metric if m.label.startswith("P(≥"))
    sim = calc.simulate(library, "tenfold-gb200", samples=10_000, seed=0)
    assert shown.value == f"{percent(sim.p_target_reached())}"
    next(w for w in app.number_input if w.key == "unc-seed").set_value(5).run()
    assert not app.exception
    next(t for t in app.toggle if t.key == "unc-sobol").set_value(True).run()
    assert not app.exception


# ---------------------------------------------------------------- timeline and solve


def test_a_sampled_timeline_reaches_the_target_as_its_series_say(library):
    from calc.analysis.buildout_montecarlo import simulate_timeline
    from calc.presentation.tables.uncertainty import fan_table

    sim = simulate_timeline(library, "cortex-buildout", samples=3_000, seed=2, until="2030-12")
    multiple = sim.series["compute_multiple"]
    assert multiple.shape == (3_000, len(sim.months))
    fan = sim.fan()
    assert np.all(fan["p5"] <= fan["p50"]) and np.all(fan["p50"] <= fan["p95"])
    cdf = list(sim.reach_distribution().values())
    assert cdf == sorted(cdf)
    for month in ("2026-12", "2027-12", "2028-12", "2030-12"):
        upto = sim.months.index(month) + 1
        direct = float(np.mean((multiple[:, :upto] >= sim.target).any(axis=1)))
        assert sim.p_reached_by(month) == pytest.approx(direct, abs=1e-12)
    table = fan_table([sim])
    assert len(table) == len(sim.months) and "3,000 samples, seed 2" in table.caption
    again = simulate_timeline(library, "cortex-buildout", samples=3_000, seed=2, until="2030-12")
    assert np.array_equal(again.series["compute_multiple"], multiple)


def test_a_timeline_without_spread_reaches_the_target_when_the_central_run_does(tmp_path):
    from calc.analysis.buildout_montecarlo import simulate_timeline
    from calc.analysis.timeline import run_timeline
    from calc.core.months import month_index, month_label

    flat = _flat_library(tmp_path)
    central = run_timeline(flat, flat.scenario("cortex-buildout"), until="2030-12")
    assert central.target_reached is not None
    sim = simulate_timeline(flat, "cortex-buildout", samples=200, seed=1, until="2030-12")
    before = month_label(month_index(central.target_reached) - 1)
    assert sim.p_reached_by(central.target_reached) == 1.0
    assert sim.p_reached_by(before) == 0.0


def test_solving_in_every_sample_agrees_with_the_power_for_target_output(library):
    from calc.analysis.montecarlo import solve_samples

    solved = solve_samples(library, "cortex-full-gb200", "site.facility_power_mw",
                           "compute_multiple", 10.0, samples=3_000, seed=6)
    sim = calc.simulate(library, "cortex-full-gb200", samples=3_000, seed=6)
    assert solved.p_solvable == 1.0
    np.testing.assert_allclose(solved.values, sim["facility_power_mw_for_target"], rtol=1e-9)


def test_solving_without_spread_gives_the_central_solution(tmp_path):
    from calc.analysis.montecarlo import solve_samples

    flat = _flat_library(tmp_path)
    central = calc.run(flat, "tenfold").scenario["site.facility_power_mw"]
    solved = solve_samples(flat, "cortex-full", "site.facility_power_mw", "compute_multiple",
                           10.0, samples=100, seed=1)
    np.testing.assert_allclose(solved.values, central, rtol=1e-9)
