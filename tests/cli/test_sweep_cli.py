"""``capcalc sweep`` and its files: the table on stdout, one line and exit 2 for a bad file,
the schema kept in step with the model, and a killed sweep resumed without recomputing."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import calc
from calc.data.sweep_file import SweepSpec
from calc.data.sweep_journal import JOURNAL_FOLDER

from tests.analysis.test_sweep import SMALLEST
from tests.cli_runner import run_in_process

BAD = {
    "unknown key": ("scenario: cortex-phase1\naxes: {training.mfu: [0.3]}\nsample: 100\n",
                    "sample: unknown key"),
    "empty axis": ("scenario: cortex-phase1\naxes: {training.mfu: []}\n",
                   "axes.training.mfu: must not be empty"),
    "range outside the domain": (
        "scenario: cortex-phase1\naxes: {site.pue: {low: 0.5, high: 1.4}}\npoints: 8\n",
        "axes.site.pue: low must be at least 1 (got 0.5)"),
    "10¹² points": ("scenario: cortex-phase1\naxes:\n"
                    "  site.facility_power_mw: {low: 100, high: 1000}\n"
                    "  hardware.accelerator: [H100, GB200]\npoints: 500000000000\n",
                    "1,000,000,000,000 points is more than a sweep takes"),
    "unknown axis": ("scenario: cortex-phase1\naxes: {site.peu: [1.2]}\n",
                     "axes.site.peu: unknown key; did you mean 'site.pue'?"),
    "unknown output": ("scenario: cortex-phase1\naxes: {training.mfu: [0.3]}\n"
                       "outputs: [compute_multipel]\n", "outputs: unknown output"),
    "a chip not in the catalog": ("scenario: cortex-phase1\naxes: "
                                  "{hardware.accelerator: [H100, B300X]}\n",
                                  "is not in the catalog"),
    "a range without points": ("scenario: cortex-phase1\naxes: "
                               "{training.mfu: {low: 0.3, high: 0.5}}\n", "points: "),
    "an unknown slip record": (
        "scenario: cortex-buildout\naxes: {training.mfu: [0.3]}\noutputs: [reach_month]\n"
        "slip: Tesle\n", "slip: no schedule record of 'Tesle'"),
    "a slip without a build-out": (
        "scenario: cortex-buildout\naxes: {training.mfu: [0.3]}\nslip: none\n",
        "slip: a slip moves a build-out's phases"),
    "a build-out output of a static scenario": (
        "scenario: cortex-phase1\naxes: {training.mfu: [0.3]}\noutputs: [reach_month]\n",
        "has no timeline"),
}


@pytest.mark.parametrize("label", BAD)
def test_a_bad_sweep_file_gets_one_line_and_exit_2(label: str, tmp_path: Path) -> None:
    text, expected = BAD[label]
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    result = run_in_process("sweep", "bad.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("capcalc: bad.yaml: "), lines
    assert expected in lines[0]
    assert not (tmp_path / "out" / "sweep.parquet").exists()


def test_the_smallest_sweep_file_prints_its_tidy_table_as_csv(tmp_path: Path,
                                                               library: calc.Library) -> None:
    (tmp_path / "sweep.yaml").write_text(SMALLEST, encoding="utf-8")
    result = run_in_process("sweep", "sweep.yaml", "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:5] == ["site.facility_power_mw [MW]", "hardware.accelerator",
                           "compute_multiple [1]", "facility_power_mw_for_target [MW]",
                           "p_target_reached [1]"]
    assert "compute_multiple_p95 [1]" in rows[0]
    assert len(rows) == 1 + 8
    power, chip = float(rows[1][0]), rows[1][1]
    central = calc.run(library, "cortex-phase1", [("site.facility_power_mw", power),
                                                   ("hardware.accelerator", chip)])
    assert float(rows[1][2]) == central["compute_multiple"]


def test_the_schema_is_the_models_and_accepts_the_smallest_file(repo_root: Path) -> None:
    import jsonschema
    import yaml

    schema = json.loads((repo_root / "sweep.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(SweepSpec.model_fields)
    jsonschema.validate(yaml.safe_load(SMALLEST), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**yaml.safe_load(SMALLEST), "sample": 1}, schema)


#: A sweep long enough (hundreds of small blocks, each written as it finishes) to be
#: killed part-way.
RESUMABLE = """\
scenario: cortex-phase1
axes:
  site.facility_power_mw: {low: 100, high: 3000}
  training.mfu: {low: 0.3, high: 0.5}
  hardware.accelerator: [H100, GB200]
points: 600
samples: 1000
seed: 3
block_size: 2
"""


def test_a_killed_sweep_resumes_and_equals_an_uninterrupted_one(tmp_path: Path,
                                                                 library: calc.Library) -> None:
    (tmp_path / "sweep.yaml").write_text(RESUMABLE, encoding="utf-8")
    journal = tmp_path / "out" / JOURNAL_FOLDER
    process = subprocess.Popen([sys.executable, "-m", "calc", "sweep", "sweep.yaml", "--out",
                                "out"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ,
                                                            "CAPCALC_NO_CACHE": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None \
            and len(list(journal.glob("block-*.npz"))) < 20:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the sweep ended before it was killed"
    written = {p.name: p.stat().st_mtime_ns for p in journal.glob("block-*.npz")}
    assert 20 <= len(written) < 600
    resumed = calc.sweep(tmp_path / "sweep.yaml", library, out=tmp_path / "out")
    assert resumed.resumed == len(written)
    assert resumed.computed + resumed.resumed == 600
    for name, stamp in written.items():  # no block was computed (written) twice
        assert (journal / name).stat().st_mtime_ns == stamp
    whole = calc.sweep(tmp_path / "sweep.yaml", library)
    for column in whole.columns:
        assert np.array_equal(whole[column], resumed[column]), column


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[2] / "examples"
                                         / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_the_example_sweep_files_are_valid_and_plan(path: Path, library: calc.Library) -> None:
    from calc.analysis.sweep_plan import plan_sweep
    from calc.data.sweep_file import read_sweep

    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../sweep.schema.json"
    plan = plan_sweep(library, read_sweep(path))
    assert plan.points >= 8 and plan.blocks >= 1


def test_a_sobol_design_fills_its_ranges_and_a_log_scale_spreads_by_decade(
        library: calc.Library) -> None:
    result = calc.sweep({"scenario": "cortex-phase1", "design": "sobol", "points": 64,
                         "axes": {"site.facility_power_mw": {"low": 10, "high": 10000,
                                                             "scale": "log"},
                                  "training.mfu":
                                      {"low": 0.3, "high": 0.5}}}, library)
    power = result["site.facility_power_mw"]
    assert len(result) == 64 and power.min() >= 10 and power.max() <= 10000
    decades = np.histogram(np.log10(power), bins=[1, 2, 3, 4])[0]
    assert decades.min() >= 16  # about a third of the points in each decade
    central = calc.run(library, "cortex-phase1", [("site.facility_power_mw", power[5]),
                                                   ("training.mfu", result["training.mfu"][5])])
    assert result["compute_multiple"][5] == central["compute_multiple"]


def test_a_two_axis_sweep_saves_its_heatmaps_beside_their_data(tmp_path: Path) -> None:
    (tmp_path / "sweep.yaml").write_text(SMALLEST, encoding="utf-8")
    result = run_in_process("sweep", "sweep.yaml", "--out", "out", "--formats", "svg",
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    for name in ("sweep-compute-multiple", "sweep-p-target-reached"):
        assert (out / f"{name}.svg").read_bytes().startswith(b"<?xml")
        assert not (out / f"{name}.png").exists()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in package["resources"]}
    assert {"sweep.parquet", "sweep-p-target-reached.csv"} <= described
    frame = calc.sweep(tmp_path / "sweep.yaml").to_frame()
    with (out / "sweep-p-target-reached.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(frame) == 8
    for row in rows:  # each cell is its point's chance, read back from the file
        at = frame[(frame["site.facility_power_mw"] == float(row["site.facility_power_mw [MW]"]))
                   & (frame["hardware.accelerator"] == row["hardware.accelerator"])]
        assert float(row["p_target_reached [1]"]) == at["p_target_reached"].item()
        assert row["points"] == "1"
    # a sweep of three axes is saved without heatmaps (which two would it show?)
    (tmp_path / "three.yaml").write_text(SMALLEST.replace(
        "  hardware.accelerator: [H100, GB200]\n",
        "  hardware.accelerator: [H100, GB200]\n  training.mfu: [0.3, 0.5]\n"), encoding="utf-8")
    assert run_in_process("sweep", "three.yaml", "--out", "three", cwd=tmp_path).returncode == 0
    assert not list((tmp_path / "three").glob("*.svg"))
