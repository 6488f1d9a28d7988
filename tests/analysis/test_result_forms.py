"""Results in notebooks and data libraries: frames, Datasets and Parquet files that keep
their units and provenance, and HTML cards with P(target) and one provenance line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.tabular import Tabular
from calc.analysis.timeline import run_timeline
from calc.data.frames import read_parquet


@pytest.fixture(scope="module")
def results(library: calc.Library) -> dict[str, Tabular]:
    return {
        "result": calc.run(library, "cortex-full"),
        "simulation": calc.simulate(library, "cortex-full", samples=500, seed=3),
        "timeline": run_timeline(library, library.scenario("cortex-buildout")),
        "sampled timeline": simulate_timeline(library, "cortex-buildout", samples=200, seed=3),
    }


@pytest.mark.parametrize("kind", ["result", "simulation", "timeline", "sampled timeline"])
def test_every_result_round_trips_through_parquet_with_units_and_provenance(
        kind: str, results: dict[str, Tabular], tmp_path: Path) -> None:
    import pandas.testing

    result = results[kind]
    frame = result.to_frame()
    assert frame.attrs["capcalc_version"] == calc.__version__
    assert len(frame.attrs["assumptions_hash"]) == 16
    assert frame.attrs["units"]["compute_multiple"] == "1"
    back = read_parquet(result.to_parquet(tmp_path / "r.parquet"))
    pandas.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs
    dataset = result.to_xarray()
    assert dataset["compute_multiple"].attrs["units"] == "1"
    assert dataset.attrs["scenario"] == frame.attrs["scenario"]


def test_the_frames_hold_the_results_numbers(results: dict[str, Tabular]) -> None:
    run, simulation = results["result"], results["simulation"]
    assert run.to_frame()["compute_multiple"].iloc[0] == run["compute_multiple"]  # type: ignore[index]
    frame = simulation.to_frame()
    assert len(frame) == 500
    assert np.array_equal(frame["compute_multiple"], simulation["compute_multiple"])  # type: ignore[index]
    assert frame.attrs["p_target_reached"] == simulation.p_target_reached()  # type: ignore[attr-defined]
    sampled = results["sampled timeline"].to_xarray()
    assert sampled["compute_multiple"].dims == ("sample", "month")
    reached = [m is not None and m == m for m in sampled["reach_month"].values]  # not None/NaN
    assert sampled["p_target_by"].values[-1] == np.mean(reached)


@pytest.mark.parametrize("kind", ["result", "simulation", "timeline", "sampled timeline"])
def test_a_notebook_shows_cards_and_one_provenance_line(kind: str,
                                                        results: dict[str, Tabular]) -> None:
    html = results[kind]._repr_html_()
    assert html.startswith('<div class="capcalc">')
    assert html.count(f"capcalc {calc.__version__} · assumptions ") == 1
    if kind in ("simulation", "sampled timeline"):
        assert "P(" in html and "samples" in html
    else:
        assert "at central values" in html
