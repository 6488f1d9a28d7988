"""``capcalc run --samples/--seed`` and ``capcalc sensitivity`` through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

import calc
from calc.analysis.sensitivity import sensitivity


def _json(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_same_seed_same_numbers_across_runs_and_against_the_api(capcalc_cli):
    args = ("run", "cortex-full", "cortex-full-gb200", "--samples", "2000", "--seed", "7",
            "--format", "json")
    first, second = _json(capcalc_cli(*args)), _json(capcalc_cli(*args))
    assert first == second
    library = calc.load()
    for entry in first["scenarios"]:
        sim = calc.simulate(library, entry["name"], samples=2000, seed=7)
        assert entry["distribution"] == sim.distribution()  # exact: JSON floats round-trip
        assert entry["p_target_reached"] == sim.p_target_reached()
        assert entry["monte_carlo"]["samples"] == 2000
    other = _json(capcalc_cli(*args[:-4], "--samples", "2000", "--seed", "8",
                              "--format", "json"))
    assert other["scenarios"][0]["distribution"] != first["scenarios"][0]["distribution"]


def test_outputs_stay_the_central_run_and_distributions_are_added(capcalc_cli):
    plain = _json(capcalc_cli("run", "tenfold", "--format", "json"))["scenarios"][0]
    sampled = _json(capcalc_cli("run", "tenfold", "--samples", "1000",
                                "--format", "json"))["scenarios"][0]
    assert sampled["outputs"] == plain["outputs"]
    assert "distribution" not in plain and "p_target_reached" not in plain
    dist = sampled["distribution"]["compute_multiple"]
    assert {"mean", "p5", "p50", "p95"} <= set(dist)
    assert dist["p5"] < plain["outputs"]["compute_multiple"] < dist["p95"]
    assert 0 < sampled["p_target_reached"] < 1


def test_p_target_of_a_scenario_far_above_the_target_is_one(capcalc_cli, tmp_path):
    (tmp_path / "huge.yaml").write_text(yaml.safe_dump({
        "base": "cortex-phase1", "site.facility_power_mw": 5000,
        "hardware.accelerator": "GB200"}), encoding="utf-8")
    doc = _json(capcalc_cli("run", "huge.yaml", "cortex-phase1", "--samples", "1000",
                            "--format", "json"))
    reached = {s["name"]: s["p_target_reached"] for s in doc["scenarios"]}
    assert reached == {"huge": 1.0, "cortex-phase1": 0.0}


def test_the_table_shows_bands_and_p_target(capcalc_cli):
    result = capcalc_cli("run", "cortex-full-gb200", "--samples", "1000", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "1,000 samples, seed 3" in result.stdout
    assert "P(multiple ≥ 10× target)" in result.stdout
    assert "warning" in result.stderr  # 1,000 samples cannot support the digits of every P5
    assert "Traceback" not in result.stderr


def test_csv_gains_percentile_columns(capcalc_cli):
    result = capcalc_cli("run", "cortex-full", "--samples", "500", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert float(rows[0]["compute_multiple p5 [1]"]) < float(rows[0]["compute_multiple p95 [1]"])
    assert rows[0]["samples"] == "500" and rows[0]["seed"] == "0"


def _descriptions(folder: Path) -> dict[str, str]:
    """Each saved CSV's provenance, as ``datapackage.json`` beside it gives it."""
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"]: r["description"] for r in package["resources"]}


@pytest.mark.slow
def test_out_writes_charts_with_csv_and_never_clobbers(capcalc_cli, tmp_path):
    result = capcalc_cli("run", "cortex-full", "--samples", "1000", "--seed", "4", "--out",
                         "out", "--formats", "png")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    described = _descriptions(out)
    for name in ("histogram-compute-multiple", "histogram-capex-usd",
                 "exceedance-compute-multiple"):
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert "1,000 samples, seed 4" in described[f"{name}.csv"]
    assert (out / "distribution.csv").exists()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = capcalc_cli("run", "cortex-full", "--samples", "1000", "--seed", "5", "--out",
                        "out", "--formats", "png")
    assert again.returncode == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(("args", "words"), [
    (("run", "cortex-full", "--samples", "10"), "--samples"),
    (("run", "cortex-full", "--samples", "ten"), "not a whole number"),
    (("run", "cortex-full", "--samples", "100", "--seed", "-1"), "seed"),
    (("sensitivity", "capex_usdd", "cortex-full"), "did you mean 'capex_usd'"),
    (("sensitivity", "capex_usd", "nope"), "no scenario or file named"),
])
def test_bad_monte_carlo_arguments_are_one_line_and_status_2(capcalc_cli, args, words):
    result = capcalc_cli(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_sensitivity_json_matches_the_api_and_is_sorted(capcalc_cli):
    doc = _json(capcalc_cli("sensitivity", "compute_multiple", "cortex-2026", "--samples",
                            "256", "--seed", "2", "--format", "json"))
    assert doc["output"] == "compute_multiple"
    swings = [bar["swing"] for bar in doc["tornado"]]
    assert swings == sorted(swings, reverse=True)
    totals = [index["ST"] for index in doc["sobol"]]
    assert totals == sorted(totals, reverse=True)
    assert {"key", "low", "high", "swing"} <= set(doc["tornado"][0])
    assert {"key", "S1", "S1_conf", "ST", "ST_conf"} <= set(doc["sobol"][0])
    api = sensitivity(calc.load(), "cortex-2026", "compute_multiple", samples=256, seed=2)
    assert doc["tornado"] == [bar.to_dict() for bar in api.tornado]
    assert doc["sobol"] == [index.to_dict() for index in api.sobol]


def test_sensitivity_table_and_charts(capcalc_cli, tmp_path):
    result = capcalc_cli("sensitivity", "capex_usd", "cortex-full-gb200", "--samples", "128",
                         "--out", "sens", "--formats", "svg", "--wide")
    assert result.returncode == 0, result.stderr
    tornado = result.stdout.split("Sobol")[0]
    assert "Accelerator capex" in tornado and "cost.accelerator_capex_usd" not in tornado
    assert "Accelerator capex = cost.accelerator_capex_usd" in result.stdout  # for --set
    for name in ("tornado-capex-usd", "sobol-capex-usd"):
        assert (tmp_path / "sens" / f"{name}.svg").exists()
        assert (tmp_path / "sens" / f"{name}.csv").exists()


@pytest.mark.slow
def test_timeline_samples_give_the_chance_of_the_target_by_each_month(capcalc_cli, tmp_path):
    from calc.analysis.buildout_montecarlo import simulate_timeline

    args = ("timeline", "cortex-buildout", "--until", "2029-12", "--samples", "1000",
            "--seed", "3", "--format", "json")
    doc = _json(capcalc_cli(*args))
    assert doc == _json(capcalc_cli(*args))
    sim = simulate_timeline(calc.load(), "cortex-buildout", samples=1000, seed=3,
                            until="2029-12")
    assert doc["p_target_reached"] == sim.p_reached_by("2029-12")
    assert doc["distribution"]["p_target_reached_by"] == sim.reach_distribution()
    assert "series" in doc and doc["distribution"]["months"] == doc["months"]
    table = capcalc_cli(*args[:-2], "--out", "fan", "--formats", "png")
    assert table.returncode == 0, table.stderr
    assert "P(10× by then)" in table.stdout
    assert (tmp_path / "fan" / "timeline-fan-compute-multiple.png").exists()
    assert "1,000 samples, seed 3" in _descriptions(tmp_path / "fan")[
        "timeline-fan-compute-multiple.csv"]


def test_solve_samples_give_the_distribution_of_the_answer(capcalc_cli):
    from calc.analysis.montecarlo import solve_samples

    doc = _json(capcalc_cli("solve", "site.facility_power_mw", "--target",
                            "compute_multiple=10", "cortex-full-gb200", "--samples", "500",
                            "--format", "json"))
    api = solve_samples(calc.load(), "cortex-full-gb200", "site.facility_power_mw",
                        "compute_multiple", 10.0, samples=500, seed=0)
    assert doc["distribution"] == api.summary().to_dict()
    assert doc["p_solvable"] == 1.0
    assert doc["distribution"]["p5"] < doc["value"] < doc["distribution"]["p95"]
    refused = capcalc_cli("solve", "training.mfu", "--target", "compute_multiple=10", "--by",
                          "2028-06", "cortex-buildout", "--samples", "200")
    assert refused.returncode == 2 and "cannot be combined with --by" in refused.stderr


def test_the_progress_bar_draws_only_on_a_terminal():
    from calc.cli.montecarlo import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        with progress("sampling", show=True, stream=stream) as draw:
            if draw is not None:
                for fraction in (0.25, 1.0):
                    draw(fraction)
    assert pipe.getvalue() == ""
    assert "sampling" in screen.getvalue()
