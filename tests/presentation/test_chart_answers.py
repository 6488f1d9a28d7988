"""Charts that show their answer and say what they show.

Power → compute marks where each line meets the target with the power that chip
needs — checked against ``capcalc solve`` for that chip — merges chips whose
curves coincide into one named line and highlights the current chip; every
chart's footer names every scenario it plots and its heading the page's
scenario and changes (on screen, in the file and in the file's metadata); a
sampled chart says the samples and seed its analysis used; a reference (the
preset before the user's changes) is drawn faint.
"""

from __future__ import annotations

import io
import itertools
import json
import re

import numpy as np
import pytest
from PIL import Image

import calc
from calc.presentation.chart_spec import Chart, Line, Points, legend, retitled
from calc.presentation.charts.scenarios import COINCIDENT, chip_groups, power_chart
from calc.presentation.export import chart_bytes
from calc.presentation.figure import draw
from calc.presentation.vega import vega_specs
from calc.presentation.vega.render import heading_of

from tests.chart_cases import every_chart
from tests.cli_runner import run_in_process

NAMES = list(every_chart())


def _effective(library: calc.Library, result: calc.Result) -> float:
    """The unit of ``result``'s multiples: its own baseline's effective FLOP/s."""
    return float(calc.run(library, result.baseline).outputs["effective_flop_per_s"])


@pytest.fixture(scope="module")
def library() -> calc.Library:
    return calc.load()


@pytest.fixture(scope="module", params=[("cortex-phase1", ()),
                                        ("tenfold", (("training.mfu", "0.3"),))])
def power(request, library) -> tuple[calc.Result, Chart, tuple[tuple[str, str], ...]]:
    name, sets = request.param
    result = calc.run(library, name, list(sets))
    return result, power_chart(library, result.scenario, _effective(library, result),
                               [result]), sets


def _crossings(chart: Chart) -> dict[str, tuple[float, float, bool]]:
    """Series → (power, FLOP/s, bold) of each crossing marked on the compute panel."""
    return {p.series: (float(p.x), p.y, group.bold) for group in chart.panels[1].marks
            if isinstance(group, Points) for p in group.points if p.shape == "diamond"}


def test_each_crossing_is_the_power_capcalc_solve_gives_for_that_chip(power, tmp_path) -> None:
    result, chart, sets = power
    crossings = _crossings(chart)
    groups = [line.series for line in chart.panels[1].marks if isinstance(line, Line)]
    assert set(crossings) == set(groups), "every line's crossing is marked"
    target = result.scenario.inputs.target.compute_multiplier
    level = target * _effective(calc.load(), result)
    for series, (power_mw, flops, _bold) in crossings.items():
        for chip in series.split(" / "):
            done = run_in_process("solve", "site.facility_power_mw", result.scenario.name,
                                  "--target", f"compute_multiple={target:g}",
                                  "--set", f"hardware.accelerator={chip}",
                                  *[f"--set={k}={v}" for k, v in sets], "--format", "json",
                                  cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            solved = json.loads(done.stdout)["value"]
            assert power_mw == pytest.approx(solved, rel=COINCIDENT), (series, chip)
        assert flops == pytest.approx(level, rel=1e-6), "the crossing sits on the target"
    notes = " ".join(chart.notes)
    for series in crossings:
        assert series in notes, "every crossing's power is written, labelled or not"


def test_coincident_chips_share_one_named_line_and_others_do_not(power) -> None:
    _result, chart, _sets = power
    groups = chip_groups(chart.table)
    chips = [chip for group in groups for chip in group]
    assert sorted(chips) == sorted(set(chart.table.columns["accelerator"]))
    assert any(len(group) > 1 for group in groups), "H100 and H200 draw one curve"
    rows = chart.table.rows()

    def curve(chip: str) -> np.ndarray:
        return np.array([(r["h100_equivalents"], r["effective_flop_per_s"]) for r in rows
                         if r["accelerator"] == chip])

    for group in groups:
        for chip in group[1:]:
            assert np.allclose(curve(chip), curve(group[0]), rtol=COINCIDENT, atol=0)
    for a, b in itertools.pairwise(groups):
        assert not np.allclose(curve(a[0]), curve(b[0]), rtol=COINCIDENT, atol=0)
    names = {e.name for e in legend(chart)}
    assert {" / ".join(group) for group in groups} <= names


def test_the_current_chip_is_highlighted(power) -> None:
    result, chart, _sets = power
    chip = str(result.scenario["hardware.accelerator"])
    lines = [m for m in chart.panels[1].marks if isinstance(m, Line) and m.opacity == 1]
    (mine,) = [m for m in lines if chip in m.series.split(" / ")]
    assert all(mine.width > other.width for other in lines if other is not mine)
    bold = [series for series, (*_, b) in _crossings(chart).items() if b]
    assert bold == [mine.series]


def test_the_preset_is_drawn_faint_behind_the_changed_curves(library) -> None:
    preset = calc.run(library, "cortex-phase1")
    changed = calc.run(library, "cortex-phase1", [("training.mfu", "0.3"),
                                                  ("hardware.accelerator", "GB200")])
    chart = power_chart(library, changed.scenario, _effective(library, changed), [changed],
                        reference=preset)
    for panel in chart.panels:
        faint = [m for m in panel.marks if isinstance(m, Line) and m.opacity < 1]
        assert len(faint) == 1 and "cortex-phase1" in faint[0].series
        assert "H100" in faint[0].series
    flops = next(m for m in chart.panels[1].marks if isinstance(m, Line) and m.opacity < 1)
    gb200 = [m for m in chart.panels[1].marks if isinstance(m, Line) and m.series == "GB200"]
    assert gb200 and flops.y != gb200[0].y
    unchanged = power_chart(library, preset.scenario, _effective(library, preset), [preset],
                            reference=preset)
    (same,) = [m for m in unchanged.panels[1].marks if isinstance(m, Line) and m.opacity < 1]
    (h100,) = [m for m in unchanged.panels[1].marks if isinstance(m, Line) and m.opacity == 1
               and "H100" in m.series.split(" / ")]
    assert same.y == pytest.approx(h100.y), "the preset's own curve, unchanged"


# ------------------------------------------------------------------ what a chart says it shows


def _named(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


@pytest.mark.parametrize("name", NAMES)
def test_the_footer_names_every_plotted_scenario(name: str) -> None:
    """A scenario named anywhere on a chart (a series, a marker's name, a bar's category,
    a line's label) is named in its footer, the provenance line under it."""
    chart = every_chart()[name]
    library = calc.load()
    drawn = " ".join([e.name for e in legend(chart)]
                     + [p.label for m in chart.marks() if isinstance(m, Points)
                        for p in m.points]
                     + [c for panel in chart.panels for c in panel.y.categories]
                     + [getattr(m, "label", "") for m in chart.marks()])
    for scenario in library.names:
        if _named(drawn, scenario):
            assert _named(chart.caption, scenario), (name, scenario)


@pytest.mark.parametrize(("name", "samples", "seed"), [
    ("histogram", 2_000, 1), ("histogram-two", 2_000, 1), ("exceedance", 2_000, 1),
    ("fan", 500, 1), ("reach", 500, 1), ("sobol", 64, 1), ("conditional", 2_000, 1)])
def test_a_sampled_chart_says_the_samples_and_seed_it_used(name: str, samples: int,
                                                           seed: int) -> None:
    chart = every_chart()[name]
    assert f"{samples:,}" in chart.caption and f"seed {seed}" in chart.caption


def test_the_page_title_and_changes_are_on_screen_in_the_file_and_its_metadata() -> None:
    changes = ["Accelerator: H100 → GB200", "Facility power: 100 MW → 300 MW"]
    chart = retitled(every_chart()["power"], changes, scenario="cortex-phase1")
    heading = chart.heading
    assert "cortex-phase1" in heading and all(c in heading for c in changes)
    title, _footer = heading_of(vega_specs(chart)[0])
    assert title.replace(" ", "") == heading.replace(" ", "")
    assert draw(chart).get_suptitle().replace("\n", " ") == heading
    with Image.open(io.BytesIO(chart_bytes(chart, "png"))) as image:
        assert image.info["Title"] == heading


def test_the_timeline_draws_the_preset_faint_behind_the_changed_build_out() -> None:
    chart = every_chart()["timeline-reference"]
    plain = every_chart()["timeline"]
    build_out, multiple = chart.panels
    (h100e,) = [m for m in build_out.marks if isinstance(m, Line) and m.opacity < 1]
    (times,) = [m for m in multiple.marks if isinstance(m, Line) and m.opacity < 1]
    assert "cortex-buildout" in h100e.series and h100e.series == times.series
    table = plain.table.columns
    assert list(h100e.y) == pytest.approx([float(v) for v in table["h100_equivalents"]])
    (changed,) = [m for m in multiple.marks if isinstance(m, Line) and m.opacity == 1]
    assert changed.y != times.y, "the change moved the multiple; the preset's stays"
    assert "faint: cortex-buildout" in chart.caption
    assert not any(isinstance(m, Line) and m.opacity < 1 for m in plain.marks())


def test_capcalc_runs_charts_carry_its_changes_and_name_every_scenario(tmp_path) -> None:
    """``capcalc run --set … --out``: each saved chart's title carries the changes as typed,
    and power-to-compute's footer names every scenario whose circle it draws."""
    done = run_in_process("run", "cortex-phase1", "tenfold", "--set",
                          "hardware.accelerator=GB200", "--out", tmp_path / "out",
                          "--formats", "png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("power-to-compute", "scenario-comparison", "cost-breakdown"):
        with Image.open(tmp_path / "out" / f"{name}.png") as image:
            assert "changed: hardware.accelerator=GB200" in image.info["Title"], name
    with Image.open(tmp_path / "out" / "power-to-compute.png") as image:
        footer = image.info["Description"]
    assert _named(footer, "cortex-phase1") and _named(footer, "tenfold")


def test_capcalc_timelines_charts_carry_its_changes(tmp_path) -> None:
    done = run_in_process("timeline", "cortex-buildout", "--set", "training.mfu=0.35",
                          "--out", tmp_path / "out", "--formats", "png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pictures = sorted((tmp_path / "out").glob("*.png"))
    assert len(pictures) == 2
    for path in pictures:
        with Image.open(path) as image:
            assert "changed: training.mfu=0.35" in image.info["Title"], path.name
