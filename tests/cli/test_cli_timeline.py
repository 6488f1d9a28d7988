"""``capcalc timeline``, ``solve`` and ``levers`` through the command line (in-process)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import calc


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _one_line_error(result) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_timeline_json_has_the_monthly_series_and_the_reach_date(capcalc_cli):
    doc = _json(capcalc_cli("timeline", "cortex-buildout", "--format", "json"))
    months = doc["months"]
    assert months[0] == "2024-10" and months[-1] == "2030-12"
    for name in ("facility_power_mw", "accelerators", "h100_equivalents",
                 "effective_flop_per_s", "compute_multiple", "training_flop_cumulative",
                 "capex_cumulative_usd", "energy_mwh"):
        assert len(doc["series"][name]) == len(months), name
    reached = doc["target_reached"]
    assert reached is not None
    position = months.index(reached)
    multiple = doc["series"]["compute_multiple"]
    assert multiple[position] >= 10 > max(multiple[:position])
    assert set(doc["by_generation"]["accelerators"]) >= {"H100", "H200"}
    assert doc["phases"][0]["name"] == "Cortex phase 1"


def test_a_short_horizon_is_not_reached_and_says_what_is(capcalc_cli):
    result = capcalc_cli("timeline", "cortex-buildout", "--until", "2026-06", "--wide")
    assert result.returncode == 0, result.stderr
    baseline = calc.load().baseline_name()
    assert f"Against {baseline}, the build-out does not reach 10× by June 2026" in result.stdout
    assert "at central values not by June 2026" in result.stdout
    assert "[low confidence: unconfirmed]" in result.stdout
    doc = _json(capcalc_cli("timeline", "cortex-buildout", "--until", "2026-06",
                            "--format", "json"))
    assert doc["target_reached"] is None
    assert doc["final_multiple"] == pytest.approx(doc["series"]["compute_multiple"][-1])


def test_timeline_csv_reads_back(capcalc_cli):
    result = capcalc_cli("timeline", "cortex-buildout", "--format", "csv", "--until", "2025-12")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "month", "the header comes first"
    assert [r[0] for r in rows[1:]][-1] == "2025-12"


@pytest.mark.slow
def test_timeline_out_writes_charts_and_data_and_never_clobbers(capcalc_cli, tmp_path):
    out = tmp_path / "charts"
    first = capcalc_cli("timeline", "cortex-buildout", "--out", out)
    assert first.returncode == 0, first.stderr
    names = {p.name for p in out.iterdir()}
    assert names == {"timeline.png", "timeline.svg", "timeline.csv", "levers.png", "levers.svg",
                     "levers.csv", "timeline.json", "datapackage.json"}
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = capcalc_cli("timeline", "cortex-buildout", "--out", out, "--until", "2029-12")
    assert "--force" in _one_line_error(again)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    forced = capcalc_cli("timeline", "cortex-buildout", "--out", out, "--until", "2029-12",
                         "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads((out / "timeline.json").read_text())["until"] == "2029-12"


def test_a_scenario_without_a_timeline_is_one_line(capcalc_cli):
    line = _one_line_error(capcalc_cli("timeline", "cortex-full"))
    assert "cortex-full" in line and "has no timeline" in line


@pytest.mark.parametrize(("args", "words"), [
    (("timeline", "cortex-buildout", "--until", "2024-13"), "not a month"),
    (("timeline", "cortex-buildout", "--until", "2020-01"), "before the timeline starts"),
    (("timeline", "cortex-buildout", "--set", "timeline[7].start=2027-01"), "no phase 7"),
    (("timeline", "cortex-buildout", "--set", "timeline[3].facility_power_mw=0.1 GW"),
     "cannot fall"),
    (("solve", "training.mfu", "--target", "compute_multipel=10"), "did you mean"),
    (("solve", "training.mfu", "--target", "compute_multiple"), "OUTPUT=VALUE"),
    (("solve", "hardware.accelerator", "--target", "compute_multiple=10"), "not a numeric"),
    (("solve", "timeline[0].start", "--target", "compute_multiple=10"), "need --by"),
])
def test_bad_input_is_one_line_and_exit_2(capcalc_cli, args, words):
    assert words in _one_line_error(capcalc_cli(*args))


def test_solve_power_for_tenfold_round_trips_through_run(capcalc_cli):
    doc = _json(capcalc_cli("solve", "site.facility_power_mw", "--target",
                            "compute_multiple=10", "--format", "json"))
    assert doc["solved_key"] == "site.facility_power_mw" and doc["unit"] == "MW"
    assert doc["target"] == {"output": "compute_multiple", "value": 10.0}
    # compute is linear in power: the baseline's power times 10 over its own multiple
    library = calc.load()
    base = calc.run(library, library.baseline_name())
    assert doc["value"] == pytest.approx(
        base["facility_power_mw"] * 10 / base["compute_multiple"], rel=1e-9)
    run = _json(capcalc_cli("run", "--set", f"site.facility_power_mw={doc['value']!r}",
                            "--format", "json"))
    assert run["scenarios"][0]["outputs"]["compute_multiple"] == pytest.approx(10, rel=1e-6)


def test_solve_takes_the_scenario_after_the_options_and_units_on_the_target(capcalc_cli):
    doc = _json(capcalc_cli("solve", "site.accelerators", "--target",
                            "training_flop_per_run=1e27 FLOP", "cortex-full", "--format", "json"))
    assert doc["scenario"] == "cortex-full"
    run = _json(capcalc_cli("run", "cortex-full", "--set", f"site.accelerators={doc['value']!r}",
                            "--format", "json"))
    assert run["scenarios"][0]["outputs"]["training_flop_per_run"] == pytest.approx(1e27,
                                                                                    rel=1e-6)
    text = capcalc_cli("solve", "cost.electricity_usd_per_mwh", "--target",
                       "cost_per_run_usd=1e9", "cortex-full")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Electricity price $")  # the title, three figures
    given = next(line.split("--set ", 1)[1] for line in text.stdout.splitlines()
                 if line.strip().startswith("for the command line:"))
    again = _json(capcalc_cli("run", "cortex-full", "--set", given.strip("'"), "--format",
                              "json"))
    assert again["scenarios"][0]["outputs"]["cost_per_run_usd"] == pytest.approx(1e9, rel=1e-5)


def test_no_solution_prints_the_best_achievable_and_exits_2(capcalc_cli):
    phase1 = calc.run(calc.load(), "cortex-phase1")
    best = phase1["compute_multiple"] / 0.4  # MFU 0.4 → 1.0 at most
    line = _one_line_error(capcalc_cli("solve", "training.mfu", "--target",
                                       "compute_multiple=10x", "cortex-phase1"))
    assert "training.mfu" in line and f"closest is {best:.4g}" in line
    result = capcalc_cli("solve", "training.mfu", "--target", "compute_multiple=10",
                         "--format", "json", "cortex-phase1")
    _one_line_error(result)
    doc = json.loads(result.stdout)
    assert doc["value"] is None and doc["achieved"] == pytest.approx(best)


def test_solve_a_phase_power_by_a_date_round_trips_through_timeline(capcalc_cli):
    doc = _json(capcalc_cli("solve", "timeline[-1].facility_power_mw", "--target",
                            "compute_multiple=10", "--by", "2027-12", "cortex-buildout",
                            "--format", "json"))
    assert doc["solved_key"] == "timeline[3].facility_power_mw" and doc["by"] == "2027-12"
    # solve takes the phases as written: the timeline without the operator's slip
    timeline = _json(capcalc_cli(
        "timeline", "cortex-buildout", "--until", "2027-12", "--format", "json",
        "--set", f"timeline[3].facility_power_mw={doc['value']!r}", "--slip", "none"))
    assert timeline["series"]["compute_multiple"][-1] == pytest.approx(10, rel=1e-6)
    assert timeline["target_reached"] == "2026-07"  # when the last phase begins
    assert timeline["slip"] is None and timeline["reach"]["slip"] is None
    # by default the announced last phase slips by the median of Tesla's record
    slipped = _json(capcalc_cli(
        "timeline", "cortex-buildout", "--until", "2027-12", "--format", "json",
        "--set", f"timeline[3].facility_power_mw={doc['value']!r}"))
    delay = slipped["slip"]["value"]
    assert slipped["slip"]["record"] == "Tesla" and delay > 0
    assert slipped["target_reached"] == f"2026-{7 + delay:02d}" if delay <= 5 else \
        slipped["target_reached"] == f"2027-{7 + delay - 12:02d}"
    assert slipped["series"]["compute_multiple"][-1] == pytest.approx(10, rel=1e-6)


def test_solve_a_phase_start_answers_a_month(capcalc_cli):
    result = capcalc_cli("solve", "timeline[Cortex 2 full build].start", "--target",
                         "compute_multiple=5", "--by", "2027-12", "cortex-buildout")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("Start of the 4th phase 20")
    assert "--set 'timeline[3].start=20" in result.stdout


def test_levers_multiply_back_and_list_paths(capcalc_cli, tmp_path):
    doc = _json(capcalc_cli("levers", "cortex-full-gb200", "--format", "json"))
    product = 1.0
    for lever in doc["levers"]:
        product *= lever["factor"]
    assert product == pytest.approx(doc["compute_multiple"], rel=1e-12)
    assert any(p["text"].startswith("power alone:") for p in doc["paths"])
    text = capcalc_cli("levers", "cortex-buildout", "--at", "2026-05", "--out", tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Single-lever paths to 10×" in text.stdout  # 2.8× in 2026-05: short of 10×
    assert {p.name for p in tmp_path.iterdir()} == {"levers.png", "levers.svg", "levers.csv",
                                                    "datapackage.json"}


def test_a_user_scenario_file_with_a_timeline(capcalc_cli, tmp_path):
    good = tmp_path / "plan.yaml"
    good.write_text("name: plan\nbase: cortex-phase1\ntimeline:\n"
                    "  - {name: start, start: '2025-01', facility_power_mw: 100}\n"
                    "  - {name: big, start: '2027-01', facility_power_mw: 1.2 GW, "
                    "accelerator: H100}\n", encoding="utf-8")
    doc = _json(capcalc_cli("timeline", good, "--format", "json", "--until", "2027-06",
                            "--slip", "none"))
    assert doc["scenario"] == "plan" and doc["target_reached"] == "2027-01"
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\nbase: cortex-phase1\ntimeline:\n"
                   "  - {name: start, start: '2025-01', facility_power_mw: 100, delay: 3}\n",
                   encoding="utf-8")
    line = _one_line_error(capcalc_cli("timeline", bad))
    assert "typo.yaml" in line and "delay" in line and "unknown key" in line


@pytest.mark.parametrize("key", ["site.facility_power_mw", "site.accelerators"])
def test_solving_a_build_out_by_the_site_s_size_points_to_the_phases(capcalc_cli, key):
    message = _one_line_error(capcalc_cli("solve", key, "--target", "compute_multiple=10",
                                          "--by", "2027-01", "cortex-buildout"))
    assert key in message and "timeline[3].facility_power_mw" in message


@pytest.mark.parametrize("slip", [None, "none"])
def test_by_month_gives_the_chance_the_samples_give(capcalc_cli, slip):
    """``--by`` prints P(target by the month) from the timeline's own samples: the same
    number as ``p_target_reached_by`` of ``--samples`` JSON and as the analysis's
    ``p_reached_by`` for that seed, slip on by default and off with ``--slip none``."""
    from calc.analysis.reach import reach
    from calc.data.peers import load_peers

    library = calc.load()
    extra = ["--slip", slip] if slip else []
    args = ["timeline", "cortex-buildout", "--by", "2029-06", "--samples", "400",
            "--seed", "5", *extra]
    doc = _json(capcalc_cli(*args, "--format", "json"))
    chance = doc["chance_by"]
    assert chance["month"] == "2029-06" and chance["samples"] == 400
    assert chance["slip"] is (slip is None)
    assert chance["p_reached"] == doc["distribution"]["p_target_reached_by"]["2029-06"]
    peers = load_peers(catalog=library.baseline.catalog)
    answer = reach(library, library.scenario("cortex-buildout"), peers, samples=400, seed=5,
                   slip=slip)
    assert chance["p_reached"] == answer.sampled.p_reached_by("2029-06")
    # monotone in the month, and the text says the same
    later = _json(capcalc_cli(*args[:3], "2030-06", *args[4:], "--format", "json"))
    assert later["chance_by"]["p_reached"] >= chance["p_reached"]
    text = capcalc_cli(*args, "--wide").stdout
    line = next(x for x in text.splitlines() if x.startswith("P(10× by 2029-06)"))
    assert f"= {round(chance['p_reached'] * 100):.0f} % (400 samples, seed 5)" in line
    assert "P50 " in line and "P80 " in line
    assert ("--slip none turns it off" in line) is (slip is None)


def test_by_after_the_horizon_extends_it_and_a_bad_month_is_one_line(capcalc_cli):
    doc = _json(capcalc_cli("timeline", "cortex-buildout", "--until", "2027-12", "--by",
                            "2028-06", "--format", "json"))
    assert doc["months"][-1] == "2028-06"
    line = _one_line_error(capcalc_cli("timeline", "cortex-buildout", "--by", "2028-13"))
    assert "--by" in line
