"""Charts: what they draw is what the analysis computed; files carry provenance; CSV round-trips.

The declarations are built from real results of the shipped scenarios and read
as data; the files are written, and read back.
"""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from PIL import Image

import calc
from calc.presentation.chart_spec import Bars, Line, Points, Rule
from calc.presentation.charts.scenarios import comparison_chart, cost_chart, power_chart
from calc.presentation.export import chart_bytes, chart_files, save_chart


@pytest.fixture(scope="module")
def results():
    library = calc.load()
    return library, calc.run_many(library, ["cortex-phase1", "cortex-full", "tenfold"])


def test_comparison_bars_are_the_ratios_to_the_baseline(results):
    _library, rs = results
    chart = comparison_chart(rs, rs[0])
    bars = [b for mark in chart.marks() if isinstance(mark, Bars) for b in mark.bars]
    multiple = {b.series: b.end for b in bars if b.category == "Compute multiple"}
    assert multiple == pytest.approx({r.name: r["compute_multiple"] / rs[0]["compute_multiple"]
                                     for r in rs[1:]})
    capex = {b.series: b.end for b in bars if b.category == "Capex"}
    assert capex == pytest.approx({r.name: r["capex_usd"] / rs[0]["capex_usd"] for r in rs[1:]})
    assert all(b.start == 1.0 for b in bars)


def test_comparison_draws_the_baseline_and_the_target_as_labelled_lines(results):
    """The baseline is the line at 1× (its bars would have no length, so it has none) and
    the target a line across the whole chart, each named in the legend and on the chart."""
    _library, rs = results
    chart = comparison_chart(rs, rs[0])
    rules = [m for m in chart.marks() if isinstance(m, Rule)]
    (base,) = [r for r in rules if r.at == 1.0]
    assert rs[0].name in base.label and rs[0].name in base.series
    target = rs[0].scenario.inputs.target.compute_multiplier
    (line,) = [r for r in rules if r.at == target]
    assert not line.within and line.span is None, "across the whole chart"
    assert f"{target:g}×" in line.label
    bars = [b for m in chart.marks() if isinstance(m, Bars) for b in m.bars]
    assert rs[0].name not in {b.series for b in bars}


def test_power_curves_are_log_log_and_pass_through_the_scenarios(results):
    library, rs = results
    chart = power_chart(library, rs[0].scenario, rs[0]["effective_flop_per_s"], rs)
    h100e = chart.panels[0]
    assert h100e.x.log and h100e.y.log
    (h100,) = [m for m in h100e.marks if isinstance(m, Line) and "H100" in m.series.split(" / ")]
    at_100 = min(range(len(h100.x)), key=lambda i: abs(float(h100.x[i]) - 100))
    scale = float(h100.x[at_100]) / 100
    assert h100.y[at_100] / scale == pytest.approx(rs[0]["h100_equivalents"])
    (points,) = [m for m in h100e.marks if isinstance(m, Points)]
    assert [(p.label, p.y) for p in points.points] == [(r.name, r["h100_equivalents"])
                                                       for r in rs]


def test_cost_bars_stack_up_to_capex_and_the_yearly_cost(results):
    _library, rs = results
    capex, yearly = cost_chart(rs).panels
    for panel, output in ((capex, "capex_usd"), (yearly, "annualized_cost_usd")):
        bars = [b for mark in panel.marks if isinstance(mark, Bars) for b in mark.bars]
        for r in rs:
            mine = [b for b in bars if b.category == r.name]
            assert all(a.end == b.start for a, b in itertools.pairwise(mine))
            assert mine[-1].end == pytest.approx(r[output])
            assert mine[-1].label and not any(b.label for b in mine[:-1])


def test_csv_round_trips_the_table(results):
    _library, rs = results
    table = comparison_chart(rs, rs[0]).table
    rows = list(csv.reader(io.StringIO(table.to_csv())))
    assert rows[0][0] == "scenario", "the header comes first"
    assert len(rows) - 1 == len(table)
    assert [float(r[3]) for r in rows[1:]] == list(table.columns["value"])


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                            ("pdf", b"%PDF")])
def test_rendered_files_carry_provenance(results, fmt, magic):
    _library, rs = results
    data = chart_bytes(cost_chart(rs), fmt)
    assert data.startswith(magic)
    if fmt != "pdf":  # PDF metadata streams may be compressed
        assert b"capcalc" in data and b"cortex-full" in data


def test_saved_chart_has_its_title_and_provenance_in_its_metadata(results, tmp_path):
    _library, rs = results
    chart = comparison_chart(rs, rs[0])
    paths = save_chart(chart, tmp_path, formats=("png",))
    assert {p.name for p in paths} == {"scenario-comparison.png", "scenario-comparison.csv",
                                       "datapackage.json"}
    with Image.open(tmp_path / "scenario-comparison.png") as image:
        assert image.info["Title"] == chart.heading
        assert chart.caption in image.info["Description"]
    with pytest.raises(calc.CapcalcError, match="--force"):
        save_chart(chart, tmp_path, formats=("png",))


def test_pictures_are_drawn_when_their_file_is_written(results):
    _library, rs = results
    files = chart_files([cost_chart(rs)], ["png", "svg"])
    png, svg = files["cost-breakdown.png"], files["cost-breakdown.svg"]
    assert callable(png) and callable(svg)
    assert png().startswith(b"\x89PNG") and svg().lstrip().startswith(b"<?xml")
    assert "cost-breakdown.csv" in files
