"""Paths to the target (levers): levers multiply back to the multiple; single-lever paths."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

import calc
from calc.analysis.levers import (
    Levers,
    decompose,
    levers_of_result,
    single_lever_paths,
    state_of,
    state_of_timeline,
)
from calc.analysis.run import solve_input
from calc.analysis.timeline import run_timeline
from calc.presentation.charts.timeline import levers_chart, timeline_chart
from calc.presentation.export import save_charts
from calc.presentation.levers import levers_table, path_text


def test_the_levers_multiply_back_to_the_multiple_for_every_shipped_scenario(library):
    for name in library.names:
        result = calc.run(library, name)
        levers = levers_of_result(library, result, calc.run(library, result.baseline))
        decomposition = levers.decomposition
        assert decomposition is not None
        assert decomposition.product == pytest.approx(result["compute_multiple"], rel=1e-12)
        assert decomposition.total == pytest.approx(result["compute_multiple"], rel=1e-12)
        table = levers_table(levers)
        assert table.columns["end"][-2] == pytest.approx(decomposition.total, rel=1e-12)


def test_the_levers_of_a_timeline_fleet_multiply_back_every_month(library):
    timeline = run_timeline(library, library.scenario("cortex-buildout"), until="2031-12")
    baseline = state_of(calc.run(library, timeline.baseline))
    for month, multiple in zip(timeline.months[::5], timeline.series["compute_multiple"][::5],
                               strict=True):
        state = state_of_timeline(timeline, month)
        assert state is not None
        decomposition = decompose(state, baseline, scenario="t", baseline_name="b", target=10)
        assert decomposition.product == pytest.approx(float(multiple), rel=1e-12)


def test_levers_move_only_where_the_scenario_differs(library):
    result = calc.run(library, "cortex-full-gb200")
    decomposition = levers_of_result(library, result,
                                     calc.run(library, "cortex-phase1")).decomposition
    assert decomposition is not None
    factors = {lever.name: lever.factor for lever in decomposition.levers}
    assert factors["facility_power_mw"] == pytest.approx(5.0)
    assert factors["mfu"] == factors["availability"] == 1.0
    chip = library.baseline.catalog
    assert factors["flop_per_tdp_w"] == pytest.approx(
        (chip["GB200"].bf16_flop_per_s / chip["GB200"].tdp_w)
        / (chip["H100"].bf16_flop_per_s / chip["H100"].tdp_w))
    assert factors["facility_w_per_tdp_w"] == pytest.approx(
        chip["H100"].server_overhead / chip["GB200"].server_overhead)


def test_single_lever_paths_agree_with_the_solver(library):
    result = calc.run(library, "cortex-full")
    baseline = calc.run(library, "cortex-phase1")
    paths = levers_of_result(library, result, baseline).paths
    by_lever = {p.lever: p for p in paths}
    effective = baseline["effective_flop_per_s"]
    for lever, key in (("facility_power_mw", "site.facility_power_mw"),
                       ("mfu", "training.mfu")):
        solved = solve_input(result.scenario, key, "compute_multiple", 10.0, effective)
        assert by_lever[lever].possible
        assert by_lever[lever].needed == pytest.approx(solved.value, rel=1e-9)
    assert path_text(by_lever["facility_power_mw"]) == "power alone: 1.00 GW of H100"
    assert path_text(by_lever["flop_per_tdp_w"]).startswith(
        "at 500 MW: a chip with 2.00× the FLOP per facility watt of H100")
    assert not by_lever["availability"].possible


def test_impossible_levers_say_what_they_would_need(library):
    result = calc.run(library, "cortex-phase1")
    paths = levers_of_result(library, result, result).paths
    texts = {p.lever: path_text(p) for p in paths}
    assert texts["mfu"] == "MFU alone: not possible (needs 4.00 > 1)"
    assert texts["facility_w_per_tdp_w"].startswith("overheads and PUE alone: not possible")
    assert "no catalog chip does" in texts["flop_per_tdp_w"] or "in the catalog" in \
        texts["flop_per_tdp_w"]


@pytest.mark.slow
def test_charts_are_saved_with_their_data_and_provenance(library, tmp_path):
    timeline = run_timeline(library, library.scenario("cortex-buildout"))
    baseline = calc.run(library, "cortex-phase1")
    state = state_of_timeline(timeline)
    assert state is not None
    decomposition = decompose(state, state_of(baseline), scenario="cortex-buildout",
                              baseline_name="cortex-phase1", target=timeline.target)
    levers = Levers("cortex-buildout", "cortex-phase1", timeline.target, "", decomposition,
                    single_lever_paths(decomposition, state))
    written = save_charts([timeline_chart(timeline), levers_chart(levers)], tmp_path,
                          formats=("png", "svg"))
    assert {p.name for p in written} == {"timeline.png", "timeline.svg", "timeline.csv",
                                         "levers.png", "levers.svg", "levers.csv",
                                         "datapackage.json"}
    with Image.open(tmp_path / "timeline.png") as image:
        assert "cortex-buildout" in image.info["Description"]
        assert timeline.target_reached is not None
        assert f"reached {timeline.target_reached}" in image.info["Description"]
    rows = list(csv.reader(io.StringIO((tmp_path / "timeline.csv").read_text())))
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    (described,) = [r for r in package["resources"] if r["path"] == "timeline.csv"]
    assert described["title"].startswith("Build-out of cortex-buildout")
    header = rows[0]
    assert [f["name"] for f in described["schema"]["fields"]] == header
    months = [r[0] for r in rows[1:]]
    assert months == list(timeline.months)
    column = header.index("compute_multiple [1]")
    np.testing.assert_allclose([float(r[column]) for r in rows[1:]],
                               timeline.series["compute_multiple"], rtol=1e-15)
    generations = [h for h in header if h.startswith("h100_equivalents:")]
    total = header.index("h100_equivalents [H100e]")
    for row in rows[1:]:
        assert sum(float(row[header.index(g)]) for g in generations) == pytest.approx(
            float(row[total]), rel=1e-12, abs=1e-6)
    svg = (tmp_path / "levers.svg").read_text(encoding="utf-8")
    assert "<dc:title>Paths to 10×: cortex-buildout against cortex-phase1" in svg
    assert "product of the levers" in svg
