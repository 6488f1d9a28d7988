"""The dashboard in a real Streamlit server driven by headless Chromium.

A user opens the page on the article's defaults, moves the facility power,
sees the accelerator count follow, downloads a chart and the scenario file,
and sends the page's link to a colleague whose fresh browser shows the same
numbers. Expected figures come from ``calc.run``; the downloaded scenario
file is run through the real ``capcalc`` CLI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import matplotlib.image
import pytest
from playwright.sync_api import Page, expect

import calc
from calc.presentation.formatting import format_value

from tests.browser.conftest import _IDLE, StreamlitPage

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
POWER = "Facility power (MW)"
SHOWN = ("facility_power_mw", "accelerators", "h100_equivalents", "capex_usd")
#: Holding an arrow key queues one rerun per step; the page catches up within seconds.
SETTLE_MS = 60_000


@pytest.fixture(scope="module")
def library() -> calc.Library:
    return calc.load()


def expected_text(library: calc.Library, preset: str, sets: list[tuple[str, Any]]
                  ) -> dict[str, str]:
    """What the metric cards should read for a scenario, from calc.analysis.run."""
    outputs = calc.run(library, preset, sets).outputs
    return {name: format_value(outputs[name], calc.core.vocabulary.OUTPUTS[name].unit)
            for name in SHOWN}


def read_cards(st_page: StreamlitPage) -> dict[str, str]:
    titles = {name: calc.core.vocabulary.OUTPUTS[name].title for name in SHOWN}
    return {name: st_page.metric(title).first.get_by_test_id("stMetricValue").inner_text()
            for name, title in titles.items()}


def download(page: Page, scope: Any, label: str, tmp_path: Path) -> Path:
    """Click the download button ``label`` inside ``scope``; return the saved file."""
    button = scope.get_by_test_id("stDownloadButton").filter(has_text=label).first
    with page.expect_download() as info:
        button.get_by_role("button").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_power_change_download_and_shared_link(
        streamlit_server: str, st_page: StreamlitPage, browser: Any, tmp_path: Path,
        library: calc.Library, capcalc_cli: Callable[..., Any]) -> None:
    page = st_page.open(streamlit_server).page
    st_page.assert_healthy()
    defaults = expected_text(library, "cortex-phase1", [])
    assert read_cards(st_page) == defaults
    assert st_page.slider(POWER).input_value() == "100"

    # A journalist moves the facility power to 250 MW: the accelerator count follows.
    st_page.set_slider(POWER, 250)
    wanted = expected_text(library, "cortex-phase1", [("site.facility_power_mw", 250)])
    expect(st_page.metric("Accelerators").first.get_by_test_id("stMetricValue")).to_have_text(
        wanted["accelerators"], timeout=SETTLE_MS)
    page.wait_for_function(_IDLE, timeout=SETTLE_MS)
    assert wanted["accelerators"] != defaults["accelerators"]
    assert read_cards(st_page) == wanted
    st_page.assert_healthy()
    assert dict(parse_qsl(urlsplit(page.url).query)) == {"site.facility_power_mw": "250"}

    # The comparison chart as PNG, drawn by matplotlib on the click, and its CSV.
    compare = page.get_by_test_id("stTabs")
    png = download(page, compare, "PNG", tmp_path)
    data = png.read_bytes()
    assert png.name == "scenario-comparison.png"
    assert data.startswith(PNG_MAGIC)
    pixels = matplotlib.image.imread(png)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 300
    csv = download(page, compare, "CSV", tmp_path).read_text(encoding="utf-8")
    assert "cortex-phase1 (changed)" in csv and csv.startswith("# Scenarios against")

    # The scenario file reproduces the numbers through the CLI.
    page.get_by_test_id("stSidebar").get_by_text("Scenario file", exact=True).click()
    scenario_file = download(page, page.get_by_test_id("stSidebar"), "YAML", tmp_path)
    run = capcalc_cli("run", str(scenario_file), "--format", "json")
    assert run.returncode == 0, run.stderr
    outputs = json.loads(run.stdout)["scenarios"][0]["outputs"]
    assert {k: format_value(outputs[k], calc.core.vocabulary.OUTPUTS[k].unit)
            for k in SHOWN} == wanted

    # A colleague opens the link in a fresh browser: same inputs, same numbers.
    link = page.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        colleague = StreamlitPage(context.new_page()).open(link)
        colleague.assert_healthy()
        assert colleague.slider(POWER).input_value() == "250"
        assert read_cards(colleague) == wanted
    finally:
        context.close()


def test_uploaded_scenario_file(streamlit_server: str, st_page: StreamlitPage,
                                tmp_path: Path, library: calc.Library) -> None:
    page = st_page.open(streamlit_server).page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()
    chooser = sidebar.locator('input[type="file"]')

    bad = tmp_path / "typo.yaml"
    bad.write_text("base: cortex-full\nsite.peu: 1.3\n", encoding="utf-8")
    with st_page.rerun():
        chooser.set_input_files(bad)
    alert = sidebar.get_by_test_id("stAlert")
    expect(alert).to_contain_text("typo.yaml")
    expect(alert).to_contain_text("did you mean 'site.pue'")
    st_page.assert_healthy()

    good = tmp_path / "austin-2.yaml"
    good.write_text("name: austin-2\nbase: cortex-full\nsite.pue: 1.35\n", encoding="utf-8")
    with st_page.rerun():
        chooser.set_input_files(good)
    wanted = expected_text(library.add_text(good.read_text(), origin="austin-2.yaml")[0],
                           "austin-2", [])
    expect(st_page.metric("Capex").first.get_by_test_id("stMetricValue")).to_have_text(
        wanted["capex_usd"], timeout=SETTLE_MS)
    assert read_cards(st_page) == wanted
    st_page.assert_healthy()
