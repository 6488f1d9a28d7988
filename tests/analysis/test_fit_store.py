"""Solved truncated distributions kept between runs (:mod:`calc.analysis.fit_store`).

Each command runs as a new process, as a user runs it, with a cache folder of
its own: a Monte Carlo answers the same with the answers kept or not, the next
run takes them without solving again, and a file it cannot trust or
another version's answers are never used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from calc.analysis import fit_store

from tests.cli_runner import run_subprocess

#: A Monte Carlo of the shipped inputs: some of them (MFU, availability) are truncated.
SAMPLED = ("run", "tenfold", "--samples", "2000", "--seed", "5", "--format", "json")


def _run(tmp_path: Path, home: Path, **env: str) -> str:
    done = run_subprocess(*SAMPLED, cwd=tmp_path, env={"XDG_CACHE_HOME": str(home), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


def _store(home: Path) -> Path:
    return home / "capcalc" / fit_store.STORE_FILE


def _solver_loaded(tmp_path: Path, home: Path) -> bool:
    """Whether a run of :data:`SAMPLED` solves a fit: calls the root search
    (:func:`calc.analysis.roots.newton`, watched with :func:`sys.setprofile`) or imports
    scipy.optimize, its fallback."""
    body = ("import sys, io, contextlib\nfrom calc.cli import main\n"
            "calls = []\n"
            "def watch(frame, event, arg):\n"
            "    if event == 'call' and frame.f_code.co_name == 'newton' and "
            "frame.f_code.co_filename.endswith('roots.py'):\n"
            "        calls.append(1)\n"
            "sys.setprofile(watch)\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main({list(SAMPLED)!r}) == 0\n"
            "sys.setprofile(None)\n"
            "print(bool(calls) or 'scipy.optimize' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**_environ(), "XDG_CACHE_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().endswith("True")


def _environ() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("CAPCALC_NO_CACHE", None)
    return env


@pytest.mark.slow
def test_kept_fits_give_the_same_numbers_and_spare_the_solver(tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    assert _solver_loaded(tmp_path, home), "the first run solves (and keeps the answers)"
    kept = json.loads(_store(home).read_text(encoding="utf-8"))
    assert kept["format"] == fit_store.FORMAT and kept["key"] == fit_store.store_key()
    assert kept["fits"]["dict"], "the truncated inputs' answers are kept"
    assert not _solver_loaded(tmp_path, home), "the next run takes them without solving"
    assert _run(tmp_path, home) == _run(tmp_path, tmp_path / "none", CAPCALC_NO_CACHE="1")


@pytest.mark.slow
@pytest.mark.parametrize("planted", [
    b"not json",
    json.dumps({"format": fit_store.FORMAT, "key": "0" * 64,
                "fits": {"dict": {}}}).encode(),
    json.dumps({"format": fit_store.FORMAT, "key": "{key}",
                "fits": {"dict": {"x": "not a fit"}}}).encode(),
])
def test_a_store_it_cannot_use_is_solved_again_and_rewritten(tmp_path: Path,
                                                             planted: bytes) -> None:
    home = tmp_path / "xdg"
    reference = _run(tmp_path, tmp_path / "fresh")
    store = _store(home)
    store.parent.mkdir(parents=True)
    store.write_bytes(planted.replace(b"{key}", fit_store.store_key().encode()))
    store.chmod(0o600)
    assert _run(tmp_path, home) == reference
    rewritten = json.loads(store.read_text(encoding="utf-8"))
    assert rewritten["key"] == fit_store.store_key() and rewritten["fits"]["dict"]
