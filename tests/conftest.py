"""Shared pytest fixtures: the repository root, a real ``capcalc`` subprocess, tidy figures."""

from __future__ import annotations

import os

# Before anything imports matplotlib: never open a window, in tests or in subprocesses.
os.environ["MPLBACKEND"] = "Agg"

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest

import calc

from tests.cli_runner import run_in_process, run_subprocess

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent

CliRunner = Callable[..., "subprocess.CompletedProcess[str]"]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Keep ``--doctest-modules`` (meant for calc/) off the conftest files here.

    pytest would import each ``conftest.py`` again as a doctest module, and two
    conftests outside a package clash under the one module name ``conftest``.
    They are still loaded as conftests; only doctest collection skips them.
    """
    return True if collection_path.name == "conftest.py" else None


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close every matplotlib figure a test left open."""
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder (where ``pyproject.toml`` and ``assumptions.yaml`` are)."""
    return REPO_ROOT


@pytest.fixture
def capcalc_cli(tmp_path: Path) -> CliRunner:
    """Run ``capcalc ARGS...`` in this process and return what a subprocess would.

    ``cwd`` defaults to a fresh temporary folder, so a test sees exactly what a
    user in an empty folder would. Output is text; stdout and stderr are captured;
    the exit status is returned, never raised. For example::

        result = capcalc_cli("run", "cortex-phase1", "--out", "out")
        assert result.returncode == 0, result.stderr
        result = capcalc_cli("run", "nope", cwd=repo_root, env={"NO_COLOR": "1"})
    """

    def run(*args: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None,
            env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        del timeout  # in-process runs end when main returns
        return run_in_process(*args, cwd=tmp_path if cwd is None else cwd, env=env,
                              input=input)

    return run


@pytest.fixture
def capcalc_process(tmp_path: Path) -> CliRunner:
    """Run ``python -m calc ARGS...`` as a real subprocess (for what only a process shows)."""

    def run(*args: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None,
            env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return run_subprocess(*args, cwd=tmp_path if cwd is None else cwd, env=env,
                              input=input, timeout=timeout)

    return run


@pytest.fixture(scope="session")
def library() -> calc.Library:
    """capcalc's own baseline and shipped scenarios (immutable, so shared by every test)."""
    return calc.load()


@pytest.fixture(scope="session")
def baseline_effective(library: calc.Library) -> float:
    """Effective FLOP/s of the baseline, cortex-phase1."""
    return float(calc.run(library, "cortex-phase1")["effective_flop_per_s"])


@pytest.fixture(scope="session")
def peers(library: calc.Library) -> object:
    """The shipped peers dataset, read against capcalc's catalog."""
    from calc.data.peers import load_peers

    return load_peers(catalog=library.baseline.catalog)
