"""The example notebook runs from top to bottom in a fresh kernel (sweep → discover → chart)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "examples" / "sweep_and_discover.ipynb"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client's own
def test_the_example_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline, as in Jupyter
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")  # the kernel's, not capcalc's
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('<div class="capcalc">' in h for h in html)  # the sweep's cards
    text = "".join(o.get("text", "") for o in outputs)
    assert "compute_multiple ≥ 10 by 2027-12" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the chart
    assert os.listdir(tmp_path) == []  # the notebook writes nothing
