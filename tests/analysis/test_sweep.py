"""Sweeps: the same numbers as one scenario at a time, whatever the block size or back-end.

A sweep's central points are ``calc.run`` at the same inputs; its sampled
P(target) and quantiles are ``calc.simulate``'s at the same seed (and a
build-out's P(target by month) is the timeline's, announced phases slipping by
the operator's record as ``capcalc timeline`` has them); block sizes 1, 7
and 1,000, a local process pool and a Dask LocalCluster all give identical
arrays; the Parquet and Zarr files read back equal the result in memory,
with its attributes; a sweep too large for its memory budget is refused
before it starts, naming the largest that fits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.reach import reach
from calc.analysis.sweep_result import SweepResult
from calc.core.errors import CapcalcError
from calc.data.cache import shipped_records
from calc.data.phases import apply_phase_sets

#: The smallest sweep file of the issue, as written.
SMALLEST = """\
scenario: cortex-phase1
axes:
  site.facility_power_mw: [300, 600, 1000, 2000]
  hardware.accelerator: [H100, GB200]
samples: 2000        # optional: Monte Carlo per point; adds p_target_reached and quantiles
seed: 1
outputs: [compute_multiple, facility_power_mw_for_target]
"""

#: A build-out over a Latin hypercube of the last phase's power and slip and the MFU.
BUILDOUT: dict[str, Any] = {
    "scenario": "cortex-buildout",
    "set": {"target.compute_multiplier": 20},
    "axes": {"timeline[3].facility_power_mw": {"low": 500, "high": 2000},
             "timeline[3].delay_months": {"low": 0, "high": 18},
             "training.mfu": {"low": 0.3, "high": 0.5}},
    "points": 24, "samples": 200, "seed": 2, "until": "2029-12", "by": ["2027-12"],
    "outputs": ["compute_multiple", "reach_month", "p_target_by"],
}


@pytest.fixture(scope="module")
def smallest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "smallest.yaml"
    path.write_text(SMALLEST, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def static(smallest: Path, library: calc.Library) -> SweepResult:
    return calc.sweep(smallest, library)


@pytest.fixture(scope="module")
def buildout(library: calc.Library) -> SweepResult:
    return calc.sweep(BUILDOUT, library)


def same(a: SweepResult, b: SweepResult) -> None:
    assert list(a.columns) == list(b.columns)
    for name in a.columns:
        assert np.array_equal(a[name], b[name]), name
    if a.p_target_by is not None or b.p_target_by is not None:
        assert np.array_equal(a.p_target_by, b.p_target_by)


def test_central_points_are_calc_run_and_sampled_ones_calc_simulate(
        static: SweepResult, library: calc.Library) -> None:
    assert len(static) == 8
    for i in range(len(static)):
        sets = [("site.facility_power_mw", static["site.facility_power_mw"][i]),
                ("hardware.accelerator", static["hardware.accelerator"][i])]
        central = calc.run(library, "cortex-phase1", sets)
        assert static["compute_multiple"][i] == central["compute_multiple"]
        assert static["facility_power_mw_for_target"][i] == \
            central["facility_power_mw_for_target"]
        sampled = calc.simulate(library, "cortex-phase1", sets, samples=2000, seed=1)
        assert static["p_target_reached"][i] == sampled.p_target_reached()
        for q, name in ((0.05, "p5"), (0.5, "p50"), (0.95, "p95")):
            assert static[f"compute_multiple_{name}"][i] == \
                np.quantile(sampled["compute_multiple"], q)
    # more power never lowers the chance of the target, on either chip
    for chip in ("H100", "GB200"):
        chance = static["p_target_reached"][static["hardware.accelerator"] == chip]
        assert np.all(np.diff(chance) >= 0) and chance[-1] == 1.0


def test_a_buildout_point_is_the_timeline_at_the_same_inputs_and_seed(
        buildout: SweepResult, library: calc.Library) -> None:
    """Announced phases slip by the operator's record, as ``capcalc timeline`` has them by
    default: a point is ``reach`` (the timeline's answer) with the axes as ``--set``s."""
    assert "Tesla's record" in buildout.attrs["slip"]
    for i in (0, 11, 23):
        scenario = library.scenario("cortex-buildout", [
            ("training.mfu", buildout["training.mfu"][i]), ("target.compute_multiplier", 20)])
        assert scenario.timeline is not None
        phases = apply_phase_sets(scenario.timeline, [
            ("timeline[3].facility_power_mw", buildout["timeline[3].facility_power_mw"][i]),
            ("timeline[3].delay_months", int(buildout["timeline[3].delay_months"][i]))])
        answer = reach(library, scenario, shipped_records(), phases=phases, until="2029-12",
                       samples=200, seed=2)
        assert answer.slip is not None and answer.slip.described == buildout.attrs["slip"]
        sampled = answer.sampled
        assert sampled.months[-1] == buildout.months[-1]
        offset = buildout.months.index(sampled.months[0])
        cdf = np.array(list(sampled.reach_distribution().values()))
        assert buildout.p_target_by is not None
        assert np.array_equal(buildout.p_target_by[i, offset:], cdf)
        assert not buildout.p_target_by[i, :offset].any()
        assert buildout["p_target_by_2027-12"][i] == sampled.p_reached_by("2027-12")
        median = buildout.month_of(buildout["reach_month_p50"][i:i + 1])[0]
        assert median == sampled.reach_month(0.5)
        central = buildout.month_of(buildout["reach_month"][i:i + 1])[0]
        assert central == answer.timeline.target_reached


def test_without_slip_a_buildout_point_is_simulate_timeline_of_its_phases(
        library: calc.Library) -> None:
    unslipped = calc.sweep({**BUILDOUT, "slip": "none", "points": 6}, library)
    assert unslipped.attrs["slip"] == "none"
    for i in range(6):
        scenario = library.scenario("cortex-buildout", [
            ("training.mfu", unslipped["training.mfu"][i]), ("target.compute_multiplier", 20)])
        assert scenario.timeline is not None
        phases = apply_phase_sets(scenario.timeline, [
            ("timeline[3].facility_power_mw", unslipped["timeline[3].facility_power_mw"][i]),
            ("timeline[3].delay_months", int(unslipped["timeline[3].delay_months"][i]))])
        sampled = simulate_timeline(library, scenario, samples=200, seed=2, until="2029-12",
                                    phases=phases)
        offset = unslipped.months.index(sampled.months[0])
        cdf = np.array(list(sampled.reach_distribution().values()))
        assert unslipped.p_target_by is not None
        assert np.array_equal(unslipped.p_target_by[i, offset:], cdf)
    # the record's slip only delays: at central values the target is never reached sooner,
    # and sampled (other draws, so point by point either way by noise) it is less likely
    slipped = calc.sweep({**BUILDOUT, "points": 6}, library)
    before, after = unslipped["reach_month"], slipped["reach_month"]
    assert np.all(np.where(before < 0, after < 0, (after < 0) | (after >= before)))
    assert np.any(after > before)
    assert slipped.p_target_by is not None and unslipped.p_target_by is not None
    assert slipped.p_target_by.mean() < unslipped.p_target_by.mean()


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_any_block_size_gives_identical_results(size: int, static: SweepResult,
                                                buildout: SweepResult, smallest: Path,
                                                library: calc.Library) -> None:
    same(calc.sweep(smallest, library, block_size=size), static)
    same(calc.sweep(BUILDOUT, library, block_size=size), buildout)


@pytest.mark.slow
def test_a_local_pool_and_a_dask_cluster_give_the_serial_results(
        buildout: SweepResult, library: calc.Library) -> None:
    distributed = pytest.importorskip("distributed")
    same(calc.sweep(BUILDOUT, library, block_size=5, workers=2), buildout)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        same(calc.sweep(BUILDOUT, library, block_size=5, client=client), buildout)


def test_parquet_and_zarr_read_back_equal_the_result(buildout: SweepResult,
                                                     tmp_path: Path) -> None:
    import pandas.testing
    import xarray.testing

    from calc.data.frames import read_parquet, read_zarr

    frame = buildout.to_frame()
    assert frame.attrs["seed"] == 2 and frame.attrs["samples"] == 200
    assert frame.attrs["units"]["timeline[3].facility_power_mw"] == "MW"
    back = read_parquet(buildout.to_parquet(tmp_path / "sweep.parquet"))
    pandas.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs
    dataset = buildout.to_xarray()
    assert dataset["p_target_by"].dims == ("point", "month")
    assert dataset["compute_multiple"].attrs["units"] == "1"
    stored = read_zarr(buildout.to_zarr(tmp_path / "sweep.zarr.zip"))
    xarray.testing.assert_identical(stored, dataset)


def test_a_grid_sweep_is_a_dataset_over_its_axes(static: SweepResult) -> None:
    dataset = static.to_xarray()
    assert dataset["compute_multiple"].dims == ("site.facility_power_mw",
                                                "hardware.accelerator")
    curve = dataset["compute_multiple"].sel({"hardware.accelerator": "H100"})
    assert np.allclose(curve.values / curve["site.facility_power_mw"].values,
                       curve.values[0] / 300)  # compute grows in proportion to power
    assert dataset.attrs["assumptions_hash"] == static.attrs["assumptions_hash"]
    assert "<b>Sweep of cortex-phase1" in static._repr_html_()


def test_a_sweep_too_large_for_memory_is_refused_with_the_largest_that_fits(
        library: calc.Library) -> None:
    from calc.analysis.sweep_plan import plan_sweep
    from calc.data.sweep_file import read_sweep

    big = {"scenario": "cortex-phase1", "axes": {"training.mfu": {"low": 0.3, "high": 0.5}},
           "points": 10_000_000, "samples": 1000}
    with pytest.raises(CapcalcError, match=r"at most [\d,]+ points fit") as caught:
        calc.sweep(big, library, memory_budget=400_000_000)
    largest = int(caught.value.message.split("at most ")[1].split(" points")[0]
                  .replace(",", ""))
    assert 0 < largest < 10_000_000
    plan = plan_sweep(library, read_sweep({**big, "points": largest}),
                      memory_budget=400_000_000)
    assert plan.points == largest
    with pytest.raises(CapcalcError, match="points fit"):
        plan_sweep(library, read_sweep({**big, "points": largest + 1}),
                   memory_budget=400_000_000)


@pytest.mark.slow
def test_above_a_chunk_of_samples_the_sweep_still_draws_calc_simulates_samples(
        library: calc.Library) -> None:
    from calc.analysis.montecarlo import CHUNK

    samples = CHUNK + 5_000  # two chunks: a truncated input redraws within each
    result = calc.sweep({"scenario": "cortex-phase1",
                         "axes": {"site.facility_power_mw": [1100]},
                         "samples": samples, "seed": 3, "quantiles": [0.5],
                         "outputs": ["compute_multiple"]}, library)
    sampled = calc.simulate(library, "cortex-phase1", [("site.facility_power_mw", 1100)],
                            samples=samples, seed=3)
    assert 0 < result["p_target_reached"][0] < 1
    assert result["p_target_reached"][0] == sampled.p_target_reached()
    assert result["compute_multiple_p50"][0] == np.quantile(sampled["compute_multiple"], 0.5)


def test_blocks_evaluated_in_threads_at_once_equal_blocks_one_by_one(
        library: calc.Library) -> None:
    """A Dask worker may run several blocks in threads: each keeps its samples apart."""
    from concurrent.futures import ThreadPoolExecutor

    from calc.analysis.sweep_block import evaluate_block
    from calc.analysis.sweep_plan import plan_sweep
    from calc.data.sweep_file import read_sweep

    spec = {"scenario": "cortex-phase1", "axes": {"training.mfu": {"low": 0.3, "high": 0.5}},
            "points": 200, "samples": 20_000, "seed": 4, "outputs": ["compute_multiple"]}
    plan = plan_sweep(library, read_sweep(spec), block_size=50)
    alone = [evaluate_block(plan, i) for i in range(plan.blocks)]
    with ThreadPoolExecutor(4) as threads:
        together = list(threads.map(lambda i: evaluate_block(plan, i), range(plan.blocks)))
    for one, other in zip(alone, together, strict=True):
        assert one.keys() == other.keys()
        for name in one:
            assert np.array_equal(one[name], other[name]), name


def test_a_target_on_an_axis_is_each_points_target(library: calc.Library) -> None:
    result = calc.sweep({"scenario": "cortex-phase1",
                         "axes": {"target.compute_multiplier": [0.7, 0.9]},
                         "samples": 500, "seed": 5, "outputs": ["compute_multiple"]}, library)
    for i, target in enumerate((0.7, 0.9)):
        sampled = calc.simulate(library, "cortex-phase1",
                                [("target.compute_multiplier", target)], samples=500, seed=5)
        assert result["p_target_reached"][i] == sampled.p_target_reached()
    assert result["p_target_reached"][0] > result["p_target_reached"][1]
