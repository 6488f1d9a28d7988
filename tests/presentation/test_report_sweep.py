"""``capcalc report --sweep FILE``: a section with the heatmap, what must be true and the box.

The report is written by the command line into a real folder and read back:
its sweep section says the sentence ``calc.discover`` finds for the same sweep
(coverage and density), lists the box's bounds with the named scenario's own
value (outside exactly where discovery says), embeds the heatmap written
beside it, and a report not asked for a sweep has no such section.
"""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

import calc
from calc.analysis.discover import Ladder
from calc.analysis.sweep_result import SweepResult
from calc.presentation.discover import discovery_sentence, reference_sentence

from tests.cli_runner import run_in_process
from tests.presentation.test_report import Document, assert_nothing_is_fetched, parse

#: A build-out over its last phase's power and announced delay, small enough to run twice.
SWEEP = {
    "scenario": "cortex-buildout",
    "axes": {"timeline[3].facility_power_mw": {"low": 300, "high": 2000},
             "timeline[3].delay_months": {"low": 0, "high": 18}},
    "points": 48, "samples": 200, "seed": 4, "until": "2029-12", "by": ["2027-12"],
    "outputs": ["reach_month", "p_target_by"],
}
CHART = "sweep-p-target-by-2027-12"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    (folder / "sweep.yaml").write_text(yaml.safe_dump(SWEEP), encoding="utf-8")
    done = run_in_process("report", "cortex-phase1", "--samples", "100", "--sweep",
                          "sweep.yaml", "--sweep-out", "journal", "--out", "out",
                          "--formats", "png", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def found(written: Path, library: calc.Library) -> tuple[SweepResult, Ladder]:
    result = calc.sweep(written / "sweep.yaml", library)
    return result, calc.discover(result, "compute_multiple", 10, by="2027-12", density=0.8)


@pytest.fixture(scope="module")
def page(written: Path) -> tuple[str, Document]:
    text = (written / "out" / "report.html").read_text(encoding="utf-8")
    return text, parse(text)


def _section(text: str) -> str:
    start = text.index('<section id="sweep">')
    return text[start:text.index("</section>", start)]


def _words(html_text: str) -> str:
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", html_text)))


@pytest.mark.slow
def test_the_report_says_what_discovery_finds_for_the_same_sweep(
        page: tuple[str, Document], found: tuple[SweepResult, Ladder]) -> None:
    text, document = page
    assert document.errors == [] and "sweep" in document.ids
    assert_nothing_is_fetched(document)
    assert '<a href="#sweep">' in text
    words = _words(_section(text))
    _result, ladder = found
    assert ladder.main.box is not None
    sentence = discovery_sentence(ladder)
    assert "(density)" in sentence and "(coverage)" in sentence
    assert sentence in words
    assert reference_sentence(ladder) in words


@pytest.mark.slow
def test_the_boxs_bounds_and_where_the_scenario_sits(page: tuple[str, Document],
                                                     found: tuple[SweepResult, Ladder]) -> None:
    text, _document = page
    _result, ladder = found
    section = _section(text)
    table = section[section.index("The box's bounds"):section.index("As the deadline")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [_words(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[0]] = cells
    assert set(rows) == set(ladder.inputs)
    outside = {key for key, *_ in ladder.main.outside}
    for key, cells in rows.items():
        assert cells[-1] == ("outside" if key in outside else "inside"), cells
        assert (cells[2] == "any") == (key not in ladder.main.box.restricted)  # type: ignore[union-attr]


@pytest.mark.slow
def test_the_heatmap_is_embedded_and_written_beside_with_its_cells(
        written: Path, page: tuple[str, Document], found: tuple[SweepResult, Ladder]) -> None:
    _text, document = page
    images = {a["id"]: a["src"] for t, a in document.elements if t == "img"}
    png = (written / "out" / f"{CHART}.png").read_bytes()
    assert base64.b64decode(images[f"chart-{CHART}"].split(",", 1)[1]) == png
    result, _ladder = found
    with (written / "out" / f"{CHART}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counted = sum(int(r["points"]) for r in rows)
    assert counted == len(result)
    chance = result.reached_by("2027-12")
    weighted = sum(float(r["p_target_by_2027-12 [1]"] or 0) * int(r["points"]) for r in rows)
    assert weighted == pytest.approx(float(np.sum(chance)), rel=1e-9)
    # the sweep's journal was kept where --sweep-out said, as capcalc sweep --out keeps it
    assert list((written / "journal").glob("sweep-blocks/block-*.npz"))


def test_without_sweep_there_is_no_section_and_sweep_flags_need_it(tmp_path: Path) -> None:
    done = run_in_process("report", "--by", "2027-12", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "capcalc: --by: needs --sweep FILE"
    assert not (tmp_path / "out").exists()
