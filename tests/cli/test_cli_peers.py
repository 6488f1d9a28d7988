"""``capcalc peers``, ``calibrate`` and ``report`` through the command line (in-process)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import calc
from calc.analysis.calibration import calibrate
from calc.data.peers import load_peers


def _one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_calibrate_table_reports_within_outside_and_what_cannot_be_modelled(capcalc_cli):
    result = capcalc_cli("calibrate", "--wide")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0].split()[:4] == ["peer", "quantity", "published", "model"]
    assert "colossus-1-2024-09" in out and "within" in out and "outside [1]" in out
    assert "Likely reasons for the figures outside tolerance:" in out
    assert "Published figures the model cannot reproduce:" in out
    library = calc.load()
    assert calibrate(library, load_peers(catalog=library.baseline.catalog)).summary() in out


def test_calibrate_json_equals_the_python_api(capcalc_cli):
    result = capcalc_cli("calibrate", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    library = calc.load()
    api = calibrate(library, load_peers(catalog=library.baseline.catalog))
    assert document["capcalc_version"] == calc.__version__
    assert len(document["comparisons"]) == len(api.comparisons)
    for row, c in zip(document["comparisons"], api.comparisons, strict=True):
        assert (row["peer"], row["quantity"], row["status"]) == (c.peer, c.quantity, c.status)
        assert row["model"] == c.model


def test_calibrate_set_changes_the_defaults_and_csv_parses(capcalc_cli):
    result = capcalc_cli("calibrate", "--set", "site.pue=1.4", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("peer,"), "the header comes first"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    row = next(r for r in rows if r["peer"] == "colossus-1-2024-09" and r["quantity"] == "power")
    assert float(row["model"]) == pytest.approx(100_000 * 700 * 1.82 * 1.14 * 1.4 / 1e6)


@pytest.mark.parametrize(("args", "fragments"), [
    (["calibrate", "--set", "site.peu=1.3"], ["site.peu", "did you mean 'site.pue'"]),
    (["calibrate", "--set", "site.pue=0.5"], ["site.pue", "at least 1"]),
    (["calibrate", "--format", "xml"], ["invalid choice"]),
])
def test_calibrate_bad_input_is_one_line_and_exit_2(capcalc_cli, args, fragments):
    _one_line_error(capcalc_cli(*args), *fragments)


def test_a_broken_peers_file_names_the_file_and_the_row(capcalc_cli, tmp_path, repo_root):
    text = (repo_root / "peers.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "peers.yaml"
    broken.write_text(text.replace("basis: facility", "basis: grid", 1), encoding="utf-8")
    _one_line_error(capcalc_cli("calibrate", "--peers", broken), str(broken),
                    "peers[tesla-10k-h100-2023].power_mw[0].basis")


def test_peers_lists_every_row(capcalc_cli):
    result = capcalc_cli("peers", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["peers"]
    assert len(rows) == len(load_peers().peers)
    assert all(row["source"] for row in rows)
    table = capcalc_cli("peers")
    assert table.returncode == 0 and "colossus-2-2025-10" in table.stdout


@pytest.mark.slow
def test_report_writes_one_html_and_its_files_then_refuses_to_clobber(capcalc_cli, tmp_path):
    out = tmp_path / "rep"
    result = capcalc_cli("report", "cortex-phase1", "cortex-full", "--out", out,
                         "--samples", "200", "--seed", "3")
    assert result.returncode == 0, result.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<td>3</td>" in html  # the seed, in the provenance footer
    for name in ("cortex-among-peers", "largest-site-timeline", "scenario-comparison"):
        for ext in ("png", "svg", "csv"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
    before = (out / "report.html").stat().st_mtime_ns
    again = capcalc_cli("report", "cortex-phase1", "--out", out, "--samples", "200")
    _one_line_error(again, "already exist", "--force")
    assert (out / "report.html").stat().st_mtime_ns == before
    forced = capcalc_cli("report", "cortex-phase1", "--out", out, "--samples", "200", "--force",
                         "--formats", "png")
    assert forced.returncode == 0, forced.stderr


@pytest.mark.slow
def test_the_report_footer_names_the_peers_file_it_read(capcalc_cli, tmp_path, repo_root):
    mine = tmp_path / "my-peers.yaml"
    mine.write_bytes((repo_root / "peers.yaml").read_bytes())
    out = tmp_path / "rep"
    result = capcalc_cli("report", "cortex-phase1", "--out", out, "--samples", "200",
                         "--formats", "png", "--peers", mine)
    assert result.returncode == 0, result.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    footer = html[html.rindex("Peers file"):]
    assert "my-peers.yaml" in footer.split("</tr>")[0]


@pytest.mark.slow
def test_report_takes_a_scenario_file_and_set(capcalc_cli, tmp_path):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("name: mine\ntitle: My Cortex\nbase: cortex-full\n"
                        "hardware.accelerator: GB300\n", encoding="utf-8")
    result = capcalc_cli("report", scenario, "--set", "training.mfu=0.35", "--out", "r",
                         "--samples", "100", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "My Cortex" in html and "training.mfu=0.35" in html


@pytest.mark.parametrize(("args", "fragments"), [
    (["report", "nope"], ["no scenario or file named 'nope'"]),
    (["report", "--seed", "-1"], ["--seed", "0 or more"]),
    (["report", "--samples", "5"], ["--samples"]),
    (["report", "--formats", "gif"], ["--formats", "gif"]),
])
def test_report_bad_input_is_one_line_and_exit_2(capcalc_cli, tmp_path, args, fragments):
    _one_line_error(capcalc_cli(*args, "--out", tmp_path / "x"), *fragments)
    assert not (tmp_path / "x").exists()
