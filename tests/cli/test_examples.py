"""Every example script and scenario file runs as a user would run it.

A script runs as ``__main__`` in this process (:func:`runpy.run_path`, with its
own ``sys.argv`` and working folder), which is what ``python script.py OUT``
does minus starting an interpreter; a scenario file goes through the CLI.
"""

from __future__ import annotations

import contextlib
import io
import json
import runpy
import sys

import pytest

from tests.conftest import REPO_ROOT

SCRIPTS = sorted((REPO_ROOT / "examples").glob("*.py"))
SCENARIO_FILES = sorted((REPO_ROOT / "examples").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_script_runs_and_saves_its_chart(script, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), str(tmp_path / "out")])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(script), run_name="__main__")
    assert printed.getvalue().strip()
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert ".png" in written and ".csv" in written


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_example_scenario_file_runs(capcalc_cli, path):
    result = capcalc_cli("run", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenarios"]


def test_there_are_examples():
    assert len(SCRIPTS) >= 2 and SCENARIO_FILES
