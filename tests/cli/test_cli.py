"""The capcalc command line: output formats, files, listings and one-line errors.

Commands run in this process through ``capcalc_cli`` (tests/conftest.py);
tests/cli/test_cli_parity.py checks that a real subprocess answers the same.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import matplotlib.image
import pytest

import calc


def test_run_table_shows_baseline_scenarios_and_target(capcalc_cli):
    result = capcalc_cli("run", "cortex-full", "tenfold", "--wide")
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0]
    baseline = calc.load().baseline_name()
    for column in (f"{baseline} (baseline)", "cortex-full", "tenfold", "10× target"):
        assert column in header
    assert "Accelerators" in result.stdout
    multiple = calc.run(calc.load(), "cortex-full")["compute_multiple"]
    assert f"{multiple:.3g}×" in result.stdout and "10.0×" in result.stdout
    assert "$" in result.stdout and "EFLOP/s" in result.stdout


def test_run_without_scenarios_runs_the_baseline(capcalc_cli):
    result = capcalc_cli("run", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [s["name"] for s in json.loads(result.stdout)["scenarios"]] == [
        calc.load().baseline_name()]


def test_run_json_equals_the_python_api(capcalc_cli):
    result = capcalc_cli("run", "cortex-phase1", "cortex-full-gb200", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["capcalc_version"] == calc.__version__
    library = calc.load()
    for entry in document["scenarios"]:
        api = calc.run(library, entry["name"])
        assert entry["outputs"] == pytest.approx(dict(api.outputs), rel=1e-15)
        assert entry["inputs"]["hardware.accelerator"] == api.scenario["hardware.accelerator"]
        assert all(isinstance(v, float) for v in entry["outputs"].values())
        assert entry["units"]["capex_usd"] == "USD_2025"
        assert entry["units"]["site.facility_power_mw"] == "MW"


def test_set_with_a_unit_applies_to_every_scenario(capcalc_cli):
    result = capcalc_cli("run", "cortex-phase1", "cortex-full", "--set",
                         "site.facility_power_mw=0.2 GW", "--set", "hardware.accelerator=GB200",
                         "--format", "json")
    assert result.returncode == 0, result.stderr
    for entry in json.loads(result.stdout)["scenarios"]:
        assert entry["outputs"]["facility_power_mw"] == pytest.approx(200.0)
        assert entry["inputs"]["hardware.accelerator"] == "GB200"


def test_run_csv_parses_back_with_one_row_per_scenario(capcalc_cli):
    result = capcalc_cli("run", "cortex-phase1", "cortex-full", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["scenario"] for r in rows] == ["cortex-phase1", "cortex-full"]
    # 500 MW against 100 MW of the same chip at the same factors: five times its multiple
    assert float(rows[1]["compute_multiple [1]"]) == pytest.approx(
        5.0 * float(rows[0]["compute_multiple [1]"]))
    assert float(rows[0]["site.facility_power_mw [MW]"]) == 100.0


def test_scenario_file_runs_and_matches_set(capcalc_cli, tmp_path):
    (tmp_path / "mine.yaml").write_text("base: cortex-full\nsite.pue: 1.35\n", encoding="utf-8")
    from_file = capcalc_cli("run", "mine.yaml", "--format", "json")
    from_set = capcalc_cli("run", "cortex-full", "--set", "site.pue=1.35", "--format", "json")
    assert from_file.returncode == 0, from_file.stderr
    assert (json.loads(from_file.stdout)["scenarios"][0]["outputs"]
            == json.loads(from_set.stdout)["scenarios"][0]["outputs"])


@pytest.mark.slow
def test_out_writes_charts_and_data_and_never_clobbers(capcalc_cli, tmp_path):
    out = tmp_path / "charts"
    first = capcalc_cli("run", "cortex-phase1", "cortex-full", "tenfold", "--out", out,
                        "--formats", "png,svg,pdf")
    assert first.returncode == 0, first.stderr
    names = sorted(p.name for p in out.iterdir())
    for stem in ("scenario-comparison", "power-to-compute", "cost-breakdown"):
        for ext in ("png", "svg", "pdf", "csv"):
            assert f"{stem}.{ext}" in names
    assert not [n for n in names if n.endswith(".tmp")]
    png = out / "scenario-comparison.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.image.imread(png).shape[0] > 400
    assert b"capcalc" in png.read_bytes()  # provenance in the PNG metadata
    assert (out / "power-to-compute.pdf").read_bytes()[:5] == b"%PDF-"
    assert "cortex-full" in (out / "scenario-comparison.csv").read_text(encoding="utf-8")
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in saved["scenarios"]] == ["cortex-phase1", "cortex-full", "tenfold"]

    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = capcalc_cli("run", "cortex-full-gb200", "--out", out)
    assert again.returncode == 2
    assert "--force" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    forced = capcalc_cli("run", "cortex-full-gb200", "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in saved["scenarios"]] == ["cortex-full-gb200"]


@pytest.mark.parametrize("command", [["assumptions"], ["assumptions", "cortex-full-gb200"],
                                     ["catalog"], ["scenarios"]])
def test_listings(capcalc_cli, command):
    result = capcalc_cli(*command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") > 5


def test_assumptions_json_has_every_key_with_source(capcalc_cli):
    result = capcalc_cli("assumptions", "--format", "json")
    rows = json.loads(result.stdout)
    assert {r["key"] for r in rows} == set(calc.load().baseline.assumptions)
    assert all(r["source"] and r["as_of"] for r in rows)


def test_catalog_json_lists_the_required_accelerators(capcalc_cli):
    rows = json.loads(capcalc_cli("catalog", "--format", "json").stdout)
    names = {r["accelerator"] for r in rows}
    assert {"H100", "H200", "B200", "GB200", "GB300", "MI300X", "MI355X", "Dojo-D1"} <= names


BAD_FILES = {
    "unknown-key.yaml": ("site.peu: 1.2\n", "site.peu", "did you mean 'site.pue'"),
    "wrong-type.yaml": ("training.mfu: [0.4]\n", "training.mfu", ""),
    "pue-below-one.yaml": ("site.pue: 0.9\n", "site.pue", "at least 1"),
    "mfu-above-one.yaml": ("training: {mfu: 1.2}\n", "training.mfu", "at most 1"),
    "negative-power.yaml": ("site.facility_power_mw: -100\n", "site.facility_power_mw",
                            "at least"),
    "negative-count.yaml": ("site.accelerators: -3\n", "site.accelerators", "at least"),
    "bad-unit.yaml": ("site.facility_power_mw: 3 seconds\n", "site.facility_power_mw",
                      "cannot be converted"),
    "misspelled-unit.yaml": ("site.facility_power_mw: 3 MWW\n", "site.facility_power_mw",
                             "unknown unit"),
    "both-sizes.yaml": ("site.facility_power_mw: 100\nsite.accelerators: 1000\n",
                        "site.accelerators", "both set"),
    "unknown-chip.yaml": ("hardware.accelerator: B2000\n", "hardware.accelerator",
                          "not in the catalog"),
    "unknown-base.yaml": ("base: cortex-phase7\n", "base", "unknown scenario"),
    "self-base.yaml": ("scenarios:\n  me:\n    base: me\n", "base", "loop"),
    "malformed.yaml": ("site:\n  pue: 1.2\n   mfu: [\n", "", "line "),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_input_gives_one_line_exit_2_and_no_traceback(capcalc_cli, tmp_path, name):
    text, key, fragment = BAD_FILES[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = capcalc_cli("run", name, "--out", "out")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert name in lines[0] and key in lines[0] and fragment in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "fragment"), [
    (["run", "--set", "site.pue"], "KEY=VALUE"),
    (["run", "--set", "site.pue=0.5"], "site.pue"),
    (["run", "--set", "nope.key=1"], "unknown key"),
    (["run", "cortex-ful"], "did you mean 'cortex-full'"),
    (["run", "missing.yaml"], "no such file"),
    (["run", "--format", "xml"], "invalid choice"),
    (["run", "--out", "o", "--formats", "gif"], "gif"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_give_one_line_and_exit_2(capcalc_cli, args, fragment):
    result = capcalc_cli(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_assumptions_file_names_file_and_key(capcalc_cli, tmp_path, repo_root):
    text = (repo_root / "assumptions.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "assumptions.yaml"
    broken.write_text(text.replace("    unit: MW\n", "    unit: MWh\n", 1), encoding="utf-8")
    result = capcalc_cli("--assumptions", broken, "run")
    assert result.returncode == 2
    assert str(broken) in result.stderr and "site.facility_power_mw" in result.stderr


def test_python_m_calc_and_console_script_agree(capcalc_cli, repo_root):
    import shutil
    import subprocess

    script = shutil.which("capcalc", path=str(Path(__import__("sys").executable).parent))
    assert script, "the capcalc console script is installed with the package"
    direct = subprocess.run([script, "run", "--format", "json"], capture_output=True, text=True,
                            check=False)
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout) == json.loads(capcalc_cli("run", "--format", "json").stdout)
