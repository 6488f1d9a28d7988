"""The documentation site builds with warnings as errors (MkDocs, API pages from docstrings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.slow
def test_the_documentation_site_builds_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mkdocstrings")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    api = (tmp_path / "site" / "python-api" / "index.html").read_text(encoding="utf-8")
    assert "Run a sweep: every point" in api  # calc.sweep's docstring, rendered
    assert (tmp_path / "site" / "sweeps" / "index.html").is_file()
