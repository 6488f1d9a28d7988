"""Every example script and scenario file runs as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

SCRIPTS = sorted((REPO_ROOT / "examples").glob("*.py"))
SCENARIO_FILES = sorted((REPO_ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_script_runs_and_saves_its_chart(script, tmp_path):
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert ".png" in written and ".csv" in written


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_example_scenario_file_runs(capcalc_cli, path):
    result = capcalc_cli("run", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenarios"]


def test_there_are_examples():
    assert len(SCRIPTS) >= 2 and SCENARIO_FILES
