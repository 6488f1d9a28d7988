"""``capcalc`` in this process and as a real subprocess answer alike, to the byte.

Most CLI tests call :func:`calc.cli.main` in-process (tests/cli_runner.py) because
it is many times faster than starting Python; this file keeps that shortcut
honest. For a sample of commands — help, version, each output format, a bad
``--set``, a bad file, solve, a timeline, usage mistakes — stdout, stderr and
the exit status must be identical both ways, so the in-process path cannot
drift from what a user sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import run_in_process, run_subprocess

COMMANDS: dict[str, tuple[str, ...]] = {
    "help": ("--help",),
    "version": ("--version",),
    "no command": (),
    "run --help": ("run", "--help"),
    "run table": ("run", "cortex-phase1", "cortex-full"),
    "run json": ("run", "cortex-full-gb200", "--format", "json"),
    "run csv": ("run", "cortex-phase1", "tenfold", "--format", "csv"),
    "a bad --set": ("run", "--set", "site.peu=1"),
    "a bad value": ("run", "cortex-full", "--set", "site.pue=0.9"),
    "a bad file": ("run", "bad.yaml"),
    "a missing file": ("run", "missing.yaml"),
    "an unknown scenario": ("run", "cortex-ful"),
    "solve": ("solve", "site.facility_power_mw", "--target", "compute_multiple=10",
              "--format", "json"),
    "timeline json": ("timeline", "cortex-buildout", "--format", "json", "--until", "2026-06"),
    "a usage error": ("run", "--format", "xml"),
    "an unknown command": ("runn",),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parity")
    (folder / "bad.yaml").write_text("name: mine\nbase: cortex-full\nsite:\n  peu: 1.3\n",
                                     encoding="utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("label", COMMANDS)
def test_in_process_and_subprocess_give_the_same_answer(label: str, workdir: Path) -> None:
    args = COMMANDS[label]
    inside = run_in_process(*args, cwd=workdir)
    outside = run_subprocess(*args, cwd=workdir)
    assert (inside.returncode, inside.stderr, inside.stdout) == \
        (outside.returncode, outside.stderr, outside.stdout)
    assert "Traceback" not in outside.stderr
    assert outside.returncode in (0, 2)
