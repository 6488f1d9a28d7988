"""A sweep's heatmaps: cells that are the sweep's own numbers, a contour where the target is met.

The contour follows a plane exactly (marching squares interpolates linearly);
a grid sweep's cells are its points' values, a design's the mean of the points
in each bin (recounted by brute force); P(10× by a month) over power × slip is
the sweep's own P(target by month) and never rises with the slip.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import calc
from calc.analysis.sweep_result import SweepResult
from calc.core.errors import CapcalcError
from calc.presentation.chart_spec import Cells, Segments
from calc.presentation.charts.sweep import heatmap_chart, reach_heatmap_chart
from calc.presentation.colours import TARGET
from calc.presentation.contour import contour_segments

from tests.chart_cases import BUILDOUT_SWEEP


@pytest.fixture(scope="module")
def slips(library: calc.Library) -> SweepResult:
    return calc.sweep(BUILDOUT_SWEEP, library)


@pytest.fixture(scope="module")
def design(library: calc.Library) -> SweepResult:
    return calc.sweep({"scenario": "cortex-phase1", "points": 400, "seed": 3,
                       "axes": {"site.facility_power_mw": {"low": 200, "high": 1500},
                                "training.mfu": {"low": 0.3, "high": 0.5},
                                "hardware.accelerator": ["H100", "GB200"]},
                       "outputs": ["compute_multiple"]}, library)


def _cells(chart: object) -> Cells:
    return next(m for m in chart.marks() if isinstance(m, Cells))  # type: ignore[attr-defined]


@given(a=st.floats(-5, 5).filter(lambda v: abs(v) > 0.1),
       b=st.floats(-5, 5).filter(lambda v: abs(v) > 0.1),
       level=st.floats(-3, 3),
       xs=st.lists(st.floats(-2, 2), min_size=2, max_size=6, unique=True),
       ys=st.lists(st.floats(-2, 2), min_size=2, max_size=6, unique=True))
def test_the_contour_of_a_plane_is_its_line(a: float, b: float, level: float,
                                           xs: list[float], ys: list[float]) -> None:
    xs, ys = sorted(xs), sorted(ys)
    grid = np.array([[a * x + b * y for x in xs] for y in ys])
    found = contour_segments(xs, ys, grid, level)
    for segment in found:
        for x, y in segment:
            assert math.isclose(a * x + b * y, level, abs_tol=1e-7)
            assert xs[0] - 1e-9 <= x <= xs[-1] + 1e-9 and ys[0] - 1e-9 <= y <= ys[-1] + 1e-9
    if grid.min() < level < grid.max():  # crossed: a line; touched or missed: none, or one
        assert found                     # along cells' sides where the level meets them
    if found:
        assert grid.min() < level <= grid.max()


def test_a_grid_sweeps_cells_are_its_points(library: calc.Library) -> None:
    result = calc.sweep({"scenario": "cortex-phase1", "samples": 300, "seed": 2,
                         "axes": {"site.facility_power_mw": [100, 300, 1000, 3000],
                                  "training.mfu": [0.3, 0.4, 0.5]}}, library)
    chart = heatmap_chart(result, "p_target_reached")
    cells = _cells(chart)
    assert cells.kind == "share" and cells.domain == (0.0, 1.0)
    powers = result["site.facility_power_mw"]
    mfus = result["training.mfu"]
    for i, j, value in cells.cells():
        at = np.flatnonzero((powers == sorted(set(powers))[i]) & (mfus == sorted(set(mfus))[j]))
        assert value == result["p_target_reached"][at[0]]
    # the power axis spans a decade and more: drawn in log, each value inside its cell
    assert chart.panels[0].x.log
    edges = cells.x
    assert all(edges[k] < v < edges[k + 1] for k, v in enumerate(sorted(set(powers))))
    line = next(m for m in chart.marks() if isinstance(m, Segments))
    assert {s.colour for s in line.segments} == {TARGET}
    assert line.segments[0].series.startswith("target 10×")


def test_a_designs_cells_are_the_mean_of_the_points_in_each_bin(design: SweepResult) -> None:
    chart = heatmap_chart(design, "compute_multiple", y="hardware.accelerator")
    cells = _cells(chart)
    edges = np.asarray(cells.x, dtype=float)  # power: a range, cut into bins
    chips = list(cells.y)
    assert chips == ["H100", "GB200"]
    power, chip = design["site.facility_power_mw"], design["hardware.accelerator"]
    values = design["compute_multiple"]
    total = 0
    for i, j, value in cells.cells():
        last = i == len(edges) - 2
        inside = (power >= edges[i]) & ((power <= edges[i + 1]) if last else
                                        (power < edges[i + 1])) & (chip == chips[j])
        total += int(inside.sum())
        assert value == pytest.approx(float(values[inside].mean()), rel=1e-12)
    assert total == len(design)
    assert "mean over training.mfu" in chart.caption
    assert chart.notes  # chips are names: no line across them, and the chart says so


def test_p_by_a_month_over_power_and_slip_is_the_sweeps_and_falls_with_slip(
        slips: SweepResult) -> None:
    chart = reach_heatmap_chart(slips, "2027-12")
    cells = _cells(chart)
    grid = np.full((len(cells.y) - 1, len(cells.x) - 1), np.nan)
    for i, j, value in cells.cells():
        grid[j, i] = value
    powers = sorted(set(slips["timeline[3].facility_power_mw"]))
    delays = sorted(set(slips["timeline[3].delay_months"]))
    chance = slips.reached_by("2027-12")
    for i, power in enumerate(powers):
        for j, delay in enumerate(delays):
            at = np.flatnonzero((slips["timeline[3].facility_power_mw"] == power)
                                & (slips["timeline[3].delay_months"] == delay))
            assert grid[j, i] == chance[at[0]]
    assert np.all(np.diff(grid, axis=0) <= 0), "a longer slip never raises the chance"
    assert np.all(np.diff(grid, axis=1) >= 0), "more power never lowers it"
    assert chart.table.columns["p_target_by_2027-12"] == [v for row in grid for v in row]
    # phases slip by the operator's record: the delay on the axis is announced beyond it
    assert chart.panels[0].y.title == "Delay of timeline[3] beyond the slip"


def test_a_heatmap_refuses_what_it_cannot_draw(slips: SweepResult,
                                               library: calc.Library) -> None:
    with pytest.raises(CapcalcError, match="not kept by this sweep; choose one of"):
        heatmap_chart(slips, "compute_multiple")
    with pytest.raises(CapcalcError, match="is a month"):
        heatmap_chart(slips, "reach_month")
    with pytest.raises(CapcalcError, match="not an axis of this sweep"):
        heatmap_chart(slips, "p_target_by_2027-12", x="training.mfu")
    one = calc.sweep({"scenario": "cortex-phase1",
                      "axes": {"site.facility_power_mw": [100, 200]}}, library)
    with pytest.raises(CapcalcError, match="two axes or more"):
        heatmap_chart(one, "compute_multiple")
