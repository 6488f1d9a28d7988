"""Build-out timelines: identities with the static model, retirements, delays."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import calc
from calc.analysis.run import model_inputs
from calc.analysis.timeline import run_timeline, solve_timeline
from calc.core.chain import evaluate
from calc.core.constants import H100_FP8_FLOP_PER_S
from calc.core.errors import CapcalcError
from calc.core.fleet import simulate_fleet
from calc.core.generations import current_accelerator
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, Phase
from calc.data.phases import apply_phase_sets, with_phase_value
from calc.presentation.formatting import solved_text
from calc.presentation.timeline import timeline_summary

from tests.buildout_strategies import build_outs


@pytest.mark.parametrize("name", ["cortex-phase1", "cortex-full", "cortex-full-gb200",
                                  "cortex-phase1-fp8", "colossus-2-2025"])
def test_a_single_constant_phase_reproduces_the_static_model(library, baseline_effective, name):
    result = calc.run(library, name)
    values = model_inputs(result.scenario)
    phase = Phase("site", "2025-01", result["facility_power_mw"])  # the scenario's own chip
    out = simulate_fleet(values, [phase], library.baseline.catalog, baseline_effective,
                   until="2027-12")
    static = evaluate({**values, "site.facility_power_mw": result["facility_power_mw"],
                       "site.accelerators": None}, baseline_effective)
    for series, output in (("accelerators", "accelerators"),
                           ("h100_equivalents", "h100_equivalents"),
                           ("peak_flop_per_s", "peak_flop_per_s"),
                           ("effective_flop_per_s", "effective_flop_per_s"),
                           ("compute_multiple", "compute_multiple"),
                           ("training_flop_per_run", "training_flop_per_run"),
                           ("facility_power_mw", "facility_power_mw"),
                           ("capex_cumulative_usd", "capex_usd")):
        assert np.all(out.series[series] == static[output]), series
    # a year of months is the model's year, for energy and FLOP
    assert math.isclose(float(out.series["energy_cumulative_mwh"][11]),
                        static["annual_energy_mwh"], rel_tol=1e-12)
    assert math.isclose(float(out.series["electricity_cost_cumulative_usd"][11]),
                        static["annual_electricity_cost_usd"], rel_tol=1e-12)
    assert math.isclose(float(out.series["training_flop_cumulative"][11]),
                        static["annual_training_flop"], rel_tol=1e-12)


def test_samples_give_the_same_numbers_as_single_runs(library, baseline_effective):
    scenario = library.scenario("cortex-buildout")
    rng = np.random.default_rng(7)
    samples = {
        "training.mfu": rng.uniform(0.3, 0.45, 6),
        "site.pue": rng.uniform(1.1, 1.4, 6),
        "cost.hardware_lifetime_years": rng.uniform(3, 6, 6),
        "hardware.perf_per_watt_growth_per_year": rng.uniform(0.26, 0.5, 6),
        "timeline[3].delay_months": rng.integers(0, 14, 6).astype(float),
    }
    values = {**scenario.values, **samples}
    many = simulate_fleet(values, scenario.timeline, library.baseline.catalog, baseline_effective,
                    until="2032-12", first="2024-10")
    assert many.series["compute_multiple"].shape == (6, len(many.months))
    for i in range(6):
        one = simulate_fleet({**scenario.values, **{k: float(v[i]) for k, v in samples.items()}},
                       scenario.timeline, library.baseline.catalog, baseline_effective,
                       until="2032-12", first="2024-10")
        for output, series in one.series.items():
            np.testing.assert_allclose(many.series[output][i], series, rtol=1e-12,
                                       err_msg=output)
        assert int(many.reach[i]) == int(one.reach)


def test_generations_sum_to_the_total(library):
    timeline = run_timeline(library, library.scenario("cortex-buildout"), until="2034-12")
    generations = timeline.arrays.by_generation
    assert len(generations["accelerators"]) >= 4  # H100, H200, GB200, Rubin, trend years
    for output in ("accelerators", "h100_equivalents"):
        total = np.sum(list(generations[output].values()), axis=0)
        np.testing.assert_allclose(total, timeline.series[output], rtol=1e-12, atol=1e-6)


def _one_phase(refresh: bool) -> list[Phase]:
    return [Phase("only", "2025-01", 200.0, "H100", refresh=refresh)]


@pytest.mark.parametrize("lifetime", [3.0, 4.0, 2.5])
def test_retirement_removes_capacity_in_the_right_month(library, baseline_effective,
                                                        lifetime):
    values = {**library.scenario("cortex-phase1").values,
              "cost.hardware_lifetime_years": lifetime}
    out = simulate_fleet(values, _one_phase(refresh=False), library.baseline.catalog,
                   baseline_effective, until="2031-12")
    retire = month_index("2025-01") + round(lifetime * 12) - out.first
    accelerators = out.series["accelerators"]
    assert np.all(accelerators[:retire] > 0)
    assert np.all(accelerators[retire:] == 0)
    assert np.all(out.series["facility_power_in_use_mw"][retire:] == 0)
    assert np.all(out.series["facility_power_mw"] == 200.0)  # the building stays
    capex = out.series["capex_cumulative_usd"]
    assert capex[-1] == capex[0]  # nothing bought again without refresh


def test_refresh_replaces_retired_hardware_with_the_then_current_chip(library,
                                                                      baseline_effective):
    values = {**library.scenario("cortex-phase1").values, "cost.hardware_lifetime_years": 3.0}
    out = simulate_fleet(values, _one_phase(refresh=True), library.baseline.catalog,
                   baseline_effective, until="2031-12")
    retire = month_index("2028-01") - out.first
    power = out.series["facility_power_in_use_mw"]
    assert np.all(power == 200.0)  # no gap
    generations = out.by_generation["accelerators"]
    assert np.all(generations["H100"][retire:] == 0) and generations["H100"][retire - 1] > 0
    newer = [g for g in generations if g != "H100"]
    assert newer and all(generations[g][retire - 1] == 0 for g in newer)
    multiple = out.series["compute_multiple"]
    assert multiple[retire] > multiple[retire - 1]  # the new generation does more per watt
    capex = out.series["capex_cumulative_usd"]
    assert capex[retire] > capex[retire - 1]


def _growth_timeline(delay: int) -> list[Phase]:
    return [Phase("phase 1", "2025-01", 100.0, "H100"),
            Phase("expansion", "2026-03", 1200.0, "H100", delay_months=delay)]


@pytest.mark.slow
@given(st.integers(min_value=0, max_value=40))
@example(0)
@example(1)
@settings(max_examples=25, deadline=None)
def test_a_delay_shifts_the_reach_date_by_exactly_the_delay(delay):
    library = calc.load()
    scenario = library.scenario("cortex-phase1")
    on_time = run_timeline(library, scenario, phases=_growth_timeline(0), until="2031-12")
    late = run_timeline(library, scenario, phases=_growth_timeline(delay), until="2031-12")
    assert on_time.target_reached == "2026-03"
    assert late.target_reached == month_label(month_index("2026-03") + delay)


def test_not_reached_says_so_with_the_multiple_achieved(library):
    timeline = run_timeline(library, library.scenario("cortex-buildout"), until="2026-03")
    assert timeline.target_reached is None
    assert int(timeline.arrays.reach) == -1
    summary = timeline_summary(timeline)
    assert "not reached by 2026-03" in summary
    assert f"{timeline.final_multiple:#.3g}×" in summary


def _per_server_watt(chip: object) -> float:
    return chip.bf16_flop_per_s / (chip.tdp_w * chip.server_overhead)  # type: ignore[attr-defined]


def test_latest_is_the_best_chip_released_by_then_preliminary_ones_included(library):
    catalog = library.baseline.catalog
    for month in ("2023-06", "2024-01", "2025-03", "2026-01", "2026-06", "2026-07"):
        name, years = current_accelerator(catalog, month)
        released = [k for k, a in catalog.items() if a.status in ("shipping", "preliminary")
                    and month_index(a.release) <= month_index(month)]
        assert name in released and years == 0.0
        assert _per_server_watt(catalog[name]) == max(_per_server_watt(catalog[k])
                                                      for k in released)
    rubin = month_index(catalog["Rubin"].release)
    assert current_accelerator(catalog, month_label(rubin - 1))[0] != "Rubin"  # not before
    assert current_accelerator(catalog, month_label(rubin))[0] == "Rubin"
    # a reference chip (figures of power-capped HPC systems) is never the one 'latest' buys
    assert all(current_accelerator(catalog, month_label(m))[0] != "GH200"
               for m in range(month_index("2024-01"), rubin + 1))


@settings(max_examples=20, deadline=None)
@given(growth_w=st.floats(0.0, 1.0), growth_p=st.floats(0.0, 1.0))
def test_the_trend_chip_starts_as_the_chip_it_extends(library, growth_w, growth_p):
    """In the trend's first month its FLOP/s, watts and price are the newest chip's; then
    FLOP/s per watt grow by growth_w a year and FLOP/s per dollar by growth_p."""
    catalog = library.baseline.catalog
    newest = max(month_index(a.release) for a in catalog.values())
    values = {**library.scenario("cortex-phase1").values,
              "hardware.perf_per_watt_growth_per_year": growth_w,
              "hardware.price_performance_growth_per_year": growth_p,
              "hardware.procurement_lead_months": 0}  # bought in the month it starts
    per_chip = {}
    for month in (newest, newest + 1, newest + 25):
        when = month_label(month)
        out = simulate_fleet(values, [Phase("p", when, 100.0, LATEST)], catalog, 1e19, until=when)
        count = float(out.series["accelerators"][-1])
        per_chip[month] = (float(out.series["peak_flop_per_s"][-1]) / count,
                           float(out.series["accelerator_tdp_w"][-1]) / count,
                           float(out.series["capex_cumulative_usd"][-1]) - 100.0 * float(
                               values["cost.facility_capex_usd_per_mw"]))
        per_chip[month] = (*per_chip[month][:2], per_chip[month][2] / count)
    assert per_chip[newest + 1] == pytest.approx(per_chip[newest], rel=1e-12)
    flop, watts, price = per_chip[newest + 25]
    years = 24 / 12
    assert flop == pytest.approx(per_chip[newest][0] * (1 + growth_w) ** years, rel=1e-12)
    assert watts == pytest.approx(per_chip[newest][1], rel=1e-12)
    assert flop / price == pytest.approx(
        per_chip[newest][0] / per_chip[newest][2] * (1 + growth_p) ** years, rel=1e-12)


# ---------------------------------------------------------------- properties of build-outs

def _compute(library, phases, life):  # type: ignore[no-untyped-def]
    values = {**library.scenario("cortex-phase1").values, "cost.hardware_lifetime_years": life}
    out = simulate_fleet(values, phases, library.baseline.catalog, 2e19, until="2036-12",
                   first="2024-01")
    return out.series["effective_flop_per_s"], int(out.reach)


def _reach_not_earlier(late: int, early: int) -> bool:
    return (early == -1 and late == -1) or (early != -1 and (late == -1 or late >= early))


@settings(max_examples=60, deadline=None)
@given(build=build_outs(), which=st.integers(0, 3), slip=st.integers(1, 36))
@example(build=([Phase("p0", "2025-01", 100.0, "H100", refresh=True),
                 Phase("p1", "2026-06", 500.0, LATEST, refresh=True)], 5.0), which=1, slip=3)
def test_a_delay_never_raises_compute_in_any_month_nor_brings_the_target_earlier(
        library, build, which, slip):
    phases, life = build
    which %= len(phases)
    late_phases = [replace(p, delay_months=p.delay_months + slip) if i == which else p
                   for i, p in enumerate(phases)]
    on_time, reach = _compute(library, phases, life)
    late, late_reach = _compute(library, late_phases, life)
    assert np.all(late <= on_time + 1e-12 * on_time.max())
    assert np.all(late >= 0)
    assert _reach_not_earlier(late_reach, reach)


@settings(max_examples=60, deadline=None)
@given(build=build_outs(), which=st.integers(0, 3), more=st.floats(1.0, 500.0))
def test_more_power_in_a_phase_never_lowers_compute_nor_delays_the_target(
        library, build, which, more):
    """Adding power to one phase adds it to the site's total from then on."""
    phases, life = build
    which %= len(phases)
    bigger = [replace(p, facility_power_mw=p.facility_power_mw + more) if i >= which else p
              for i, p in enumerate(phases)]
    base, reach = _compute(library, phases, life)
    grown, grown_reach = _compute(library, bigger, life)
    assert np.all(grown >= base - 1e-12 * grown.max())
    assert _reach_not_earlier(reach, grown_reach)


def test_the_cortex_buildout_never_gets_its_target_earlier_for_a_late_phase(library):
    scenario = library.scenario("cortex-buildout")
    on_time = run_timeline(library, scenario, until="2034-12")
    for slip in (1, 3, 6, 12):
        for index in range(len(scenario.timeline)):
            phases = with_phase_value(scenario.timeline, index, "delay_months", slip)
            late = run_timeline(library, scenario, phases=phases, until="2034-12")
            assert late.target_reached is not None and on_time.target_reached is not None
            assert late.target_reached >= on_time.target_reached, (index, slip)


def test_latest_buys_the_generation_of_the_planned_start_even_when_late(library):
    """A phase planned for 2027-06 and delayed gets the chip ordered a lead time before
    June 2027; slipping never buys a better chip."""
    scenario = library.scenario("cortex-phase1")
    lead = int(scenario.inputs.hardware.procurement_lead_months)
    for delay in (0, 3, 12):
        phases = [Phase("only", "2027-06", 300.0, LATEST, delay_months=delay)]
        timeline = run_timeline(library, scenario, phases=phases, until="2029-12")
        chips = [g for g, v in timeline.arrays.by_generation["accelerators"].items()
                 if np.any(v > 0)]
        ordered = month_label(month_index("2027-06") - lead)
        assert chips == [current_accelerator(library.baseline.catalog, ordered)[0]]


def test_hardware_serves_its_life_from_the_planned_start(library):
    """Retirement and refresh follow the planned calendar: a late phase runs its chips for
    less of their life, and its refresh comes when planned."""
    scenario = library.scenario("cortex-phase1")
    values = {**scenario.values, "cost.hardware_lifetime_years": 3.0}
    phases = [Phase("only", "2025-01", 200.0, "H100", delay_months=5, refresh=False)]
    out = simulate_fleet(values, phases, library.baseline.catalog, 2e19, until="2029-12",
                   first="2025-01")
    running = out.series["accelerators"] > 0
    assert running.argmax() == 5  # begins five months late
    assert np.flatnonzero(running)[-1] == 35  # retires 36 months after the planned start


def test_aschenbrenner_trillion_dollar_cluster_table(library):
    """Situational Awareness (Jun 2024), "Scaling the largest training clusters".

    Stated inputs: 1 kW per H100-equivalent; ~$25k per H100 with GPUs about half of
    cluster cost. Published rows: ~10k H100e / ~10 MW / ~$500M (2022), ~100k / ~100 MW /
    $billions (~2024), ~1M / ~1 GW / $10s of billions (~2026), ~10M / ~10 GW / $100s of
    billions (~2028), ~100M / ~100 GW / $1T+ (~2030); 10 GW for a year = 87.6 TWh and
    100 GW = 876 TWh, >20 % of US production (~4,250 TWh).
    """
    values = {**library.scenario("cortex-phase1").values,
              "hardware.tdp_w": 1000.0, "hardware.server_overhead": 1.0,
              "site.it_overhead": 1.0, "site.pue": 1.0, "site.load_factor": 1.0,
              "hardware.peak_8bit_flop_per_s": H100_FP8_FLOP_PER_S,
              "cost.accelerator_capex_usd": 25_000 / 0.5, "cost.facility_capex_usd_per_mw": 0.0,
              "cost.hardware_lifetime_years": 50.0}
    rows = {"2022-08": 10.0, "2024-06": 100.0, "2026-06": 1_000.0, "2028-06": 10_000.0,
            "2030-06": 100_000.0}
    phases = [Phase(f"~{m[:4]}", m, mw, "H100") for m, mw in rows.items()]
    out = simulate_fleet(values, phases, library.baseline.catalog, 1.0, until="2030-06")
    at = {m: month_index(m) - out.first for m in rows}
    h100e = [float(out.series["h100_equivalents"][i]) for i in at.values()]
    assert h100e == pytest.approx([1e4, 1e5, 1e6, 1e7, 1e8], rel=1e-12)
    capex = [float(out.series["capex_cumulative_usd"][i]) for i in at.values()]
    assert capex[0] == pytest.approx(500e6, rel=1e-12)              # ~$500M
    assert 1e9 <= capex[1] < 1e10                                   # $billions
    assert 1e10 <= capex[2] < 1e11                                  # $10s of billions
    assert 1e11 <= capex[3] < 1e12                                  # $100s of billions
    assert capex[4] >= 1e12                                         # $1T+
    year_of_energy = [float(out.series["energy_mwh"][i]) * 12 for i in at.values()]
    assert year_of_energy[3] / 1e6 == pytest.approx(87.6, rel=1e-12)    # TWh
    assert year_of_energy[4] / 1e6 == pytest.approx(876.0, rel=1e-12)
    assert year_of_energy[4] / 1e6 / 4250 > 0.20


def test_the_buildout_equals_its_baseline_at_the_baselines_date(library):
    """Tesla's Q2 2025 deck: 67k H100e of training compute (the baseline, tesla-2025-q2)
    after adding 16k H200 to Cortex's ~50k H100. In 2025-06 the build-out holds the
    baseline's H100-equivalents and effective compute within 3 %."""
    scenario = library.scenario("cortex-buildout")
    timeline = run_timeline(library, scenario, until="2025-06")
    baseline = calc.run(library, library.scenario(scenario.baseline_name))
    h100e = float(timeline.series["h100_equivalents"][-1])
    assert h100e == pytest.approx(float(baseline["h100_equivalents"]), rel=0.03)
    assert float(timeline.series["compute_multiple"][-1]) == pytest.approx(1.0, rel=0.03)
    h200 = float(timeline.arrays.by_generation["accelerators"]["H200"][-1])
    assert h200 == pytest.approx(16_000, rel=0.01)
    h100 = float(timeline.arrays.by_generation["accelerators"]["H100"][-1])
    assert h100 == pytest.approx(50_000, rel=0.01)


def test_the_shipped_cortex_buildout_inherits_and_labels_its_phases(library):
    scenario = library.scenario("cortex-buildout")
    assert scenario.timeline is not None and len(scenario.timeline) == 4
    assert [p.confidence for p in scenario.timeline[2:]] == ["unconfirmed", "unconfirmed"]
    assert all(p.note and "Low confidence" in p.note for p in scenario.timeline[2:])
    assert all(p.source for p in scenario.timeline)
    assert library.scenario("cortex-phase1").timeline is None
    child, _ = library.add_text(
        "name: slipped\nbase: cortex-buildout\ntraining.mfu: 0.35\n", origin="test.yaml")
    assert child.scenario("slipped").timeline == scenario.timeline
    own, _ = library.add_text(
        "name: own\nbase: cortex-buildout\ntimeline:\n"
        "  - {name: a, start: '2026-01', facility_power_mw: 0.3 GW, accelerator: GB200}\n",
        origin="test.yaml")
    (phase,) = own.scenario("own").timeline
    assert phase.facility_power_mw == 300.0


@pytest.mark.parametrize(("text", "key", "words"), [
    ("  - {name: a, start: '2026-01', facility_power_mw: 300}\n"
     "  - {name: b, start: '2026-06', facility_power_mw: 200}\n",
     "timeline[1].facility_power_mw", "cannot fall"),
    ("  - {name: a, start: '2026-01', facility_power_mw: 300, accelerator: GB2000}\n",
     "timeline[0].accelerator", "did you mean 'GB200'"),
    ("  - {name: a, start: '2026-01', facility_power_mw: 300 parsecs}\n",
     "timeline[0].facility_power_mw", "MW"),
    ("  - {name: a, start: '2026-01', facility_power_mw: 300}\n"
     "  - {name: a, start: '2027-01', facility_power_mw: 400}\n",
     "timeline[1].name", "used twice"),
    ("  - {name: a, start: '2026-13', facility_power_mw: 300}\n", "timeline.0.start", ""),
    ("  - {name: a, start: '2026-01', facility_power_mw: 300, refersh: true}\n",
     "timeline.0.refersh", "unknown key"),
])
def test_bad_phases_fail_in_one_line_naming_file_and_key(library, text, key, words):
    with pytest.raises(CapcalcError) as caught:
        library.add_text(f"name: bad\nbase: cortex-phase1\ntimeline:\n{text}",
                         origin="mine.yaml")
    message = str(caught.value)
    assert "\n" not in message and "mine.yaml" in message and key in message
    assert words in message


def test_solving_a_phase_power_round_trips(library):
    scenario = library.scenario("cortex-buildout")
    solution = solve_timeline(library, scenario, "timeline[-1].facility_power_mw",
                              "compute_multiple", 10.0, "2027-12")
    assert solution.key == "timeline[3].facility_power_mw"
    phases = with_phase_value(scenario.timeline, 3, "facility_power_mw", solution.value)
    again = run_timeline(library, scenario, phases=phases, until="2027-12")
    assert float(again.series["compute_multiple"][-1]) == pytest.approx(10.0, rel=1e-6)


@pytest.mark.parametrize("field", ["start", "delay_months"])
def test_solving_a_phase_date_gives_the_latest_month_that_still_reaches(library, field):
    scenario = library.scenario("cortex-phase1")
    phases = _growth_timeline(0)
    solution = solve_timeline(library, scenario, f"timeline[expansion].{field}",
                              "compute_multiple", 10.0, "2027-12", phases=phases)
    assert solution.achieved >= 10.0
    answer = int(solution.value)
    reached = with_phase_value(phases, 1, field, answer if field == "delay_months"
                               else month_label(answer))
    one_later = with_phase_value(phases, 1, field, answer + 1 if field == "delay_months"
                                 else month_label(answer + 1))
    for trial, hit in ((reached, True), (one_later, False)):
        timeline = run_timeline(library, scenario, phases=trial, until="2027-12")
        assert (float(timeline.series["compute_multiple"][-1]) >= 10.0) is hit
    assert solved_text(solution.key, solution.value, solution.unit) == (
        "2027-12" if field == "start" else "21")


def test_solving_for_an_input_on_the_timeline_round_trips(library):
    scenario = library.scenario("cortex-buildout")
    solution = solve_timeline(library, scenario, "training.mfu", "compute_multiple", 10.0,
                              "2027-12")
    again = run_timeline(library, scenario.with_values({"training.mfu": solution.value},
                                                       source="test"), until="2027-12")
    assert float(again.series["compute_multiple"][-1]) == pytest.approx(10.0, rel=1e-6)


def test_a_phase_key_that_names_nothing_is_one_clear_line(library):
    scenario = library.scenario("cortex-buildout")
    for key, words in (("timeline[9].start", "there is no phase 9"),
                       ("timeline[Cortex 3].start", "no phase named"),
                       ("timeline[0].colour", "unknown phase field")):
        with pytest.raises(CapcalcError, match=words):
            solve_timeline(library, scenario, key, "compute_multiple", 10.0, "2027-12")


def test_phases_write_back_what_they_read(library):
    phase = library.scenario("cortex-buildout").timeline[1]
    assert replace(phase) == phase
    written = phase.to_dict()
    assert written["facility_power_mw"] == phase.facility_power_mw and written["refresh"] is True


def test_set_changes_a_phase_chip_and_refresh_and_checks_them(library):
    phases = library.scenario("cortex-buildout").timeline
    changed = apply_phase_sets(phases, [("timeline[Cortex 2 full build].accelerator", "GB200"),
                                        ("timeline[0].refresh", "false")],
                               catalog=library.baseline.catalog)
    assert changed[3].accelerator == "GB200" and changed[0].refresh is False
    assert changed[1:3] == phases[1:3]
    with pytest.raises(CapcalcError, match="did you mean 'GB200'"):
        apply_phase_sets(phases, [("timeline[3].accelerator", "GB2000")],
                         catalog=library.baseline.catalog)
    with pytest.raises(CapcalcError, match="true or false"):
        apply_phase_sets(phases, [("timeline[3].refresh", "sometimes")])
    with pytest.raises(CapcalcError, match="is not a number"):
        solve_timeline(library, library.scenario("cortex-buildout"), "timeline[3].accelerator",
                       "compute_multiple", 10.0, "2027-12")
