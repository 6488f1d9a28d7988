"""Shared pytest setup: fixtures (the repository root, the CLI in-process and as a real
subprocess, the shipped library), tidy figures, hypothesis profiles, xdist groups and a
private cache folder.

Hypothesis profiles: ``ci`` (chosen when ``CI`` is set to a true value) draws a fixed,
derandomized budget of examples, so a CI run is reproducible and takes the same time
each time; ``dev`` (the default) draws fresh examples each run. Neither has a deadline:
tests never time things, and a loaded machine must not fail them.
``HYPOTHESIS_PROFILE=NAME`` picks a profile explicitly.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile

# Before anything imports matplotlib: never open a window, in tests or in subprocesses.
os.environ["MPLBACKEND"] = "Agg"
# capcalc's cache of the shipped library (calc.data.cache) goes to a folder of this test
# process, removed at its end, never to ~/.cache; CLI subprocesses inherit the setting.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="capcalc-test-cache-")

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from hypothesis import HealthCheck, settings

import calc

from tests.cli_runner import run_in_process, run_subprocess

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
BROWSER_TESTS = REPO_ROOT / "tests" / "browser"

CliRunner = Callable[..., "subprocess.CompletedProcess[str]"]
_CACHE_HOME = os.environ["XDG_CACHE_HOME"]

settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, print_blob=True,
    max_examples=100, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    else "dev"))


#: Test modules whose module-scoped fixtures cost seconds (a corpus of CLI runs, a whole
#: report, reference output sets): each runs in one xdist worker, so they are built once.
ONE_WORKER_MODULES = frozenset({
    "test_bad_inputs.py",
    "test_output_transactions.py",
    "test_report.py",
})


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups off the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put tests that share something costly in one xdist group, so one worker runs them.

    With ``--dist loadgroup`` (``make test``) the browser tests run one after the
    other on a single worker, sharing its session's Streamlit server and Chromium,
    and each module of :data:`ONE_WORKER_MODULES` builds its module fixtures once;
    the other tests are spread over the workers. Without xdist the groups do nothing.
    """
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif item.path.name in ONE_WORKER_MODULES:
            item.add_marker(pytest.mark.xdist_group(item.path.name))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Let Streamlit look for installed components once per test process, not per AppTest.

    Each new ``AppTest`` reads the metadata of every installed package to find
    Streamlit components (~0.1 s, and the suite makes hundreds of them). The
    installed packages do not change while the tests run, so the first scan's
    answer is kept; the app still registers what the scan found.
    """
    if "streamlit.testing.v1" in sys.modules:
        from streamlit.components.v2 import manifest_scanner

        if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
            manifest_scanner.scan_component_manifests = functools.cache(
                manifest_scanner.scan_component_manifests)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this process's cache folder."""
    shutil.rmtree(_CACHE_HOME, ignore_errors=True)


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
    """Effective FLOP/s of the default baseline (target.baseline of assumptions.yaml)."""
    return float(calc.run(library, library.baseline_name())["effective_flop_per_s"])


@pytest.fixture(scope="session")
def peers(library: calc.Library) -> object:
    """The shipped peers dataset, read against capcalc's catalog."""
    from calc.data.peers import load_peers

    return load_peers(catalog=library.baseline.catalog)
