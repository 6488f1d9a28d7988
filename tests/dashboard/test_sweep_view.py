"""The Sweep view: a heatmap of one output over two inputs, its target contour, its link and
its downloads, against ``calc.run`` and ``capcalc sweep``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.dashboard import commands
from calc.dashboard.settings import MAX_SWEEP_STEPS
from calc.dashboard.views.sweep import axis_values
from calc.presentation.charts.sweep import heatmap_chart

from tests.cli_runner import run_in_process
from tests.dashboard.pages import context_of, open_page


def _open(query: dict[str, str]) -> AppTest:
    return open_page({"view": "sweep", **query}, errors=True)



def _cells(at: AppTest) -> list[dict[str, Any]]:
    """The heatmap's cells on the page: each cell's centre and value."""
    (chart,) = [c for c in at.get("vega_lite_chart")
                if json.loads(c.proto.spec)["layer"][0]["mark"]["type"] == "rect"]
    named = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
             for d in chart.proto.datasets}
    data = json.loads(chart.proto.spec)["layer"][0]["data"]["name"]
    return [{"x": (c["x"] + c["x2"]) / 2, "y": (c["y"] + c["y2"]) / 2, "value": c["v"],
             "box": (c["x"], c["x2"], c["y"], c["y2"])} for c in named[data]]


def test_the_heatmaps_cells_are_calc_run(library: calc.Library) -> None:
    sets = [("hardware.accelerator", "GB200")]
    xs, ys = [100.0, 400.0, 700.0, 1000.0], [0.3, 0.4, 0.5]
    swept = calc.sweep({"scenario": "cortex-phase1", "set": dict(sets),
                        "axes": {"site.facility_power_mw": xs, "training.mfu": ys},
                        "outputs": ["compute_multiple"]}, library)
    found = heatmap_chart(swept, "compute_multiple", "site.facility_power_mw", "training.mfu")
    rows = found.table.rows()
    assert len(rows) == len(xs) * len(ys)
    for row in rows:  # every cell is the chain at its inputs
        run = calc.run(library, library.scenario("cortex-phase1", [
            *sets, ("site.facility_power_mw", row["site.facility_power_mw"]),
            ("training.mfu", row["training.mfu"])]))
        assert row["compute_multiple"] == pytest.approx(run["compute_multiple"], rel=1e-9)


def test_the_view_draws_the_grid_the_link_asks_for_and_the_cli_prints_it(
        tmp_path: Path) -> None:
    at = _open({"hardware.accelerator": "GB200", "sweep_x": "site.facility_power_mw",
                "sweep_x_low": "100", "sweep_x_high": "1000", "sweep_y": "site.pue",
                "sweep_y_low": "1.1", "sweep_y_high": "1.5", "sweep_steps": "5"})
    assert not at.error and not at.warning, [w.value for w in at.warning]
    cells = _cells(at)
    ys = sorted({round(c["y"], 9) for c in cells})
    assert ys == pytest.approx([1.1, 1.2, 1.3, 1.4, 1.5]) and len(cells) == 25
    assert any("combinations reach 10×" in str(m.value) for m in at.markdown)
    # the sweep file the view offers, run by the command it shows, prints the same grid
    ctx = context_of(at)
    axes = {"site.facility_power_mw": list(axis_values("site.facility_power_mw", 100, 1000, 5)),
            "site.pue": list(axis_values("site.pue", 1.1, 1.5, 5))}
    (tmp_path / commands.sweep_file_name(ctx)).write_text(
        commands.sweep_file(ctx, axes, "compute_multiple"))
    shown = [c for c in at.caption if "capcalc sweep" in str(c.value)]
    assert shown and commands.shown(commands.sweep_command(ctx)) in str(shown[0].value)
    done = run_in_process(*commands.sweep_command(ctx)[1:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(printed) == len(cells)
    for row in printed:  # each point's value is the one of the cell around it
        x, y = float(row["site.facility_power_mw [MW]"]), float(row["site.pue [1]"])
        (cell,) = [c for c in cells if c["box"][0] < x < c["box"][1]
                   and c["box"][2] < y < c["box"][3]]
        assert float(row["compute_multiple [1]"]) == pytest.approx(cell["value"], rel=1e-12)


def test_a_new_input_takes_its_own_range_and_the_link_follows() -> None:
    at = _open({})
    at.selectbox(key="sweep:y").set_value("site.pue").run()
    assert not at.exception and not at.warning
    ys = sorted({c["y"] for c in _cells(at)})
    assert 1 <= ys[0] < ys[-1] <= 3  # inside PUE's valid range, not MFU's 0.3-0.45
    assert at.query_params["sweep_y"] == "site.pue"
    again = _open(dict(at.query_params))
    assert _cells(again) == _cells(at)


def test_the_grid_stays_bounded() -> None:
    at = _open({"sweep_steps": str(MAX_SWEEP_STEPS * 3)})
    assert any("sweep\\_steps" in str(w.value) for w in at.warning)  # escaped markdown
    assert len(_cells(at)) <= MAX_SWEEP_STEPS ** 2
    at.number_input(key="sweep:steps").set_value(MAX_SWEEP_STEPS).run()
    cells = _cells(at)
    assert len(cells) == MAX_SWEEP_STEPS ** 2
    assert np.isfinite([c["value"] for c in cells]).all()
