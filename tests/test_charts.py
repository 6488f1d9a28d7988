"""Charts: what they draw matches their table, files carry provenance, CSV round-trips."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import calc
from calc.analysis.timeline import run_timeline
from calc.presentation import charts
from calc.presentation.charts.peers import operator_colours
from calc.presentation.colours import PALETTE, SCENARIO_STAR, TARGET
from calc.presentation.export import figure_bytes, save_chart
from calc.presentation.tables import scenarios as tables
from calc.presentation.tables.timeline import timeline_table


@pytest.fixture(scope="module")
def results():
    library = calc.load()
    return library, calc.run_many(library, ["cortex-phase1", "cortex-full", "tenfold"])


def _tables(library, results):
    baseline = results[0]
    return {
        "scenario_comparison": tables.comparison_table(results, baseline),
        "power_to_compute": tables.power_curve_table(
            library, baseline.scenario, baseline["effective_flop_per_s"], points=results),
        "cost_breakdown": tables.cost_table(results),
    }


@pytest.mark.parametrize("name", ["scenario_comparison", "power_to_compute", "cost_breakdown"])
def test_chart_has_title_caption_and_labelled_axes(results, name):
    library, rs = results
    table = _tables(library, rs)[name]
    fig = getattr(charts, name)(table)
    assert isinstance(fig, Figure)
    assert fig._suptitle is not None and fig._suptitle.get_text()
    assert f"capcalc {calc.__version__}" in fig._supxlabel.get_text()
    for ax in fig.axes:
        assert ax.get_title() or ax.get_ylabel() or ax.get_xlabel()
        assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def test_comparison_bars_are_the_results(results):
    library, rs = results
    fig = charts.scenario_comparison(_tables(library, rs)["scenario_comparison"])
    multiple_axis = next(ax for ax in fig.axes if ax.get_title().startswith("Compute multiple"))
    widths = [bar.get_width() for bar in multiple_axis.patches]
    assert widths == pytest.approx([r["compute_multiple"] for r in rs])
    assert any(line.get_xdata()[0] == pytest.approx(10.0) for line in multiple_axis.lines)


def test_power_curves_are_log_log_and_pass_through_the_scenarios(results):
    library, rs = results
    table = _tables(library, rs)["power_to_compute"]
    fig = charts.power_to_compute(table)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    h100 = [r for r in table.rows() if r["accelerator"] == "H100"]
    at_100 = min(h100, key=lambda r: abs(r["facility_power_mw"] - 100))
    scale = at_100["facility_power_mw"] / 100
    assert at_100["h100_equivalents"] / scale == pytest.approx(rs[0]["h100_equivalents"])


def test_cost_parts_add_up_to_capex(results):
    library, rs = results
    rows = _tables(library, rs)["cost_breakdown"].rows()
    for r in rs:
        capex = sum(x["usd"] for x in rows if x["scenario"] == r.name and x["kind"] == "capex")
        annual = sum(x["usd"] for x in rows if x["scenario"] == r.name and x["kind"] == "annual")
        assert capex == pytest.approx(r["capex_usd"])
        assert annual == pytest.approx(r["annualized_cost_usd"])


def test_csv_round_trips_the_table(results):
    library, rs = results
    table = _tables(library, rs)["scenario_comparison"]
    text = table.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "scenario", "the header comes first"
    assert len(rows) - 1 == len(table)
    values = [float(r[3]) for r in rows[1:]]
    assert values == list(table.columns["value"])


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                            ("pdf", b"%PDF")])
def test_rendered_files_carry_provenance(results, fmt, magic):
    library, rs = results
    table = _tables(library, rs)["cost_breakdown"]
    data = figure_bytes(charts.cost_breakdown(table), table, fmt)
    assert data.startswith(magic)
    if fmt != "pdf":  # PDF metadata streams may be compressed
        assert b"capcalc" in data and b"cortex-full" in data


def test_save_chart_refuses_to_overwrite(results, tmp_path):
    library, rs = results
    table = _tables(library, rs)["cost_breakdown"]
    save_chart(charts.cost_breakdown, table, tmp_path)
    with pytest.raises(calc.CapcalcError, match="--force"):
        save_chart(charts.cost_breakdown, table, tmp_path)


# ------------------------------------------------------------------ colours


def _mark_colours(ax) -> list[str]:
    """Fill colours of an axis's bars and areas (the marks that carry data), as #rrggbb."""
    colours = [to_hex(patch.get_facecolor()) for patch in ax.patches]
    for collection in ax.collections:
        colours += [to_hex(c) for c in collection.get_facecolor()]
    return colours


def test_no_scenario_bar_takes_the_target_colour_however_many_scenarios(results):
    """Every shipped scenario side by side: one colour each, none the target line's."""
    library = results[0]
    every = calc.run_many(library, library.names)
    assert len(every) > len(PALETTE), "more scenarios than the palette has colours"
    fig = charts.scenario_comparison(tables.comparison_table(every, every[0]))
    multiple_axis = next(ax for ax in fig.axes if ax.get_title().startswith("Compute multiple"))
    assert [to_hex(line.get_color()) for line in multiple_axis.lines] == [TARGET.lower()]
    for ax in fig.axes:
        bars = _mark_colours(ax)
        assert len(bars) == len(every)
        assert len(set(bars)) == len(bars), ax.get_title()
        assert TARGET.lower() not in bars, ax.get_title()


def test_a_far_timeline_draws_each_generation_in_its_own_colour_never_the_target():
    library = calc.load()
    timeline = run_timeline(library, library.scenario("cortex-buildout"), until="2060-12")
    table = timeline_table(timeline)
    generations = table.meta["generations"]
    assert len(generations) > len(PALETTE), "more generations than the palette has colours"
    top = charts.timeline_chart(table).axes[0]
    areas = _mark_colours(top)
    assert len(areas) == len(generations)
    assert len(set(areas)) == len(areas)
    assert TARGET.lower() not in areas and "#000000" not in areas  # the target, the power line


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=40))
def test_operators_get_distinct_colours_never_the_targets_or_the_scenarios(names):
    colours = operator_colours(names)
    assert list(colours) == names
    assert len(set(colours.values())) == len(names)
    assert not {TARGET, SCENARIO_STAR, "#000000"} & set(colours.values())
