"""The dashboard in a real Streamlit server driven by headless Chromium.

A user opens the page, reads the answer first, moves the facility power, sees
the accelerator count follow, downloads a chart, its data and the scenario
file, and sends the page's link to a colleague whose fresh browser shows the
same view — for an uploaded scenario too, and with the phase edits and Monte
Carlo settings. No card is cut short at 1280 px, and at 390 px the page fits
the screen. Expected figures come from ``calc``; the downloads and the answer
are checked against the real ``capcalc`` CLI.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import matplotlib.image
import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

import calc
from calc.analysis.reach import buildout_reach
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.timeline import run_timeline
from calc.core.vocabulary import OUTPUTS
from calc.data.peers import load_peers
from calc.presentation.answer import answer_for, answer_parts
from calc.presentation.formatting import format_value

from tests.browser.conftest import _IDLE, StreamlitPage

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
POWER = "Facility power (MW)"
#: Headline cards (the others are behind "More").
SHOWN = ("facility_power_mw", "accelerators", "capex_usd")
#: Holding an arrow key queues one rerun per step; the page catches up within seconds.
SETTLE_MS = 60_000
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cortex-2027.yaml"


@pytest.fixture(scope="module")
def library() -> calc.Library:
    return calc.load()


def expected_text(library: calc.Library, preset: str, sets: list[tuple[str, Any]]
                  ) -> dict[str, str]:
    """What the metric cards should read for a scenario, from calc.analysis.run."""
    outputs = calc.run(library, preset, sets).outputs
    return {name: format_value(outputs[name], OUTPUTS[name].unit) for name in SHOWN}


def read_cards(st_page: StreamlitPage) -> dict[str, str]:
    titles = {name: OUTPUTS[name].title for name in SHOWN}
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


def link_params(page: Page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query))


def open_in_new_context(browser: Browser, url: str, width: int = 1280,
                        height: int = 900) -> StreamlitPage:
    """``url`` opened in a fresh browser context (another person's browser)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="en-US", timezone_id="UTC")
    context.set_default_timeout(SETTLE_MS)
    return StreamlitPage(context.new_page()).open(url)


@pytest.fixture
def colleague(browser: Browser) -> Iterator[Callable[..., StreamlitPage]]:
    """Fresh browser contexts (another person's browser) opening a link."""
    opened: list[StreamlitPage] = []

    def open_link(url: str, width: int = 1280, height: int = 900) -> StreamlitPage:
        opened.append(open_in_new_context(browser, url, width, height))
        return opened[-1]

    yield open_link
    for st_page in opened:
        st_page.page.context.close()


@pytest.fixture(scope="module")
def kept_open(browser: Browser) -> Iterator[Callable[..., StreamlitPage]]:
    """Pages opened once per link and window size and kept for this module's tests.

    The view-by-view tests move through the views of one page, as a reader does:
    a view costs a rerun, not a fresh page load.
    """
    pages: dict[tuple[str, int, int], StreamlitPage] = {}

    def page_for(url: str, width: int = 1280, height: int = 900) -> StreamlitPage:
        if (url, width, height) not in pages:
            pages[url, width, height] = open_in_new_context(browser, url, width, height)
        return pages[url, width, height]

    yield page_for
    for st_page in pages.values():
        st_page.page.context.close()


def main_alert_text(st_page: StreamlitPage) -> str:
    """The first alert of the main area (the answer), without its icon."""
    alert = st_page.page.get_by_test_id("stMain").get_by_test_id("stAlert").first
    return alert.get_by_test_id("stMarkdownContainer").inner_text()


def test_power_change_download_and_shared_link(
        streamlit_server: str, st_page: StreamlitPage, colleague: Any, tmp_path: Path,
        library: calc.Library, capcalc_cli: Callable[..., Any]) -> None:
    page = st_page.open(f"{streamlit_server}/?scenario=cortex-full").page
    st_page.assert_healthy()
    assert read_cards(st_page) == expected_text(library, "cortex-full", [])

    # A journalist moves the facility power to 250 MW: the accelerator count follows.
    st_page.select_slider_to(POWER, "250 MW")
    wanted = expected_text(library, "cortex-full", [("site.facility_power_mw", 250)])
    expect(st_page.metric("Accelerators").first.get_by_test_id("stMetricValue")).to_have_text(
        wanted["accelerators"], timeout=SETTLE_MS)
    page.wait_for_function(_IDLE, timeout=SETTLE_MS)
    assert read_cards(st_page) == wanted
    st_page.assert_healthy()
    assert link_params(page) == {"scenario": "cortex-full", "site.facility_power_mw": "250"}

    # The comparison chart as PNG, drawn by matplotlib on the click, and its CSV.
    main = page.get_by_test_id("stMain")
    png = download(page, main, "PNG", tmp_path)
    assert png.name == "scenario-comparison.png"
    assert png.read_bytes().startswith(PNG_MAGIC)
    pixels = matplotlib.image.imread(png)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 300
    csv = download(page, main, "CSV", tmp_path).read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(csv))  # pandas' defaults: the header comes first
    assert "cortex-full (changed)" in set(frame["scenario"])

    # The scenario file reproduces the numbers through the CLI.
    page.get_by_test_id("stSidebar").get_by_text("Scenario file", exact=True).click()
    scenario_file = download(page, page.get_by_test_id("stSidebar"), "YAML", tmp_path)
    assert "250 MW of H100" in scenario_file.read_text(encoding="utf-8")
    run = capcalc_cli("run", str(scenario_file), "--format", "json")
    assert run.returncode == 0, run.stderr
    outputs = json.loads(run.stdout)["scenarios"][0]["outputs"]
    assert {k: format_value(outputs[k], OUTPUTS[k].unit) for k in SHOWN} == wanted

    # A colleague opens the link in a fresh browser: same inputs, same numbers.
    other = colleague(page.url)
    other.assert_healthy()
    assert other.slider(POWER).get_attribute("aria-valuetext") == "250 MW"
    assert read_cards(other) == wanted


def test_the_answer_comes_first_and_says_what_capcalc_run_says(
        streamlit_server: str, st_page: StreamlitPage, library: calc.Library,
        capcalc_cli: Callable[..., Any]) -> None:
    query = {"scenario": "cortex-full", "hardware.accelerator": "GB200",
             "site.facility_power_mw": "300"}
    page = st_page.open(f"{streamlit_server}/?{urlencode(query)}").page
    shown = main_alert_text(st_page)
    run = capcalc_cli("run", "cortex-full", "--set", "hardware.accelerator=GB200",
                      "--set", "site.facility_power_mw=300")
    assert run.returncode == 0, run.stderr
    result = calc.run(library, "cortex-full", [("hardware.accelerator", "GB200"),
                                               ("site.facility_power_mw", "300")])
    assert answer_for(library, result) in " ".join(run.stdout.split())
    lead, _rest = answer_parts(library, result, calc.run(library, result.baseline),
                               buildout_reach(library, result.scenario))
    assert " ".join(shown.split()) == lead, "the answer's lead (its details behind More)"
    answer_top = page.get_by_test_id("stMain").get_by_test_id("stAlert").first.bounding_box()
    card_top = page.get_by_test_id("stMetric").first.bounding_box()
    assert answer_top and card_top and answer_top["y"] < card_top["y"]
    st_page.assert_healthy()


_TRUNCATED = """() => [...document.querySelectorAll('[data-testid="stMetric"] *')]
  .filter(e => e.children.length === 0 && e.innerText && e.innerText.trim() !== ''
               && (e.scrollWidth > e.clientWidth + 1
                   || getComputedStyle(e).textOverflow === 'ellipsis'
                      && e.scrollWidth > e.clientWidth))
  .map(e => e.innerText)"""


@pytest.mark.parametrize("view", ["Compare", "Cost", "Timeline & target", "Uncertainty"])
def test_no_card_text_is_cut_short_at_1280_px(streamlit_server: str, kept_open: Any,
                                              view: str) -> None:
    query = {"scenario": "cortex-buildout", "hardware.accelerator": "GB300",
             "training.mfu": "0.31", "site.pue": "1.31"}
    st_page = kept_open(f"{streamlit_server}/?{urlencode(query)}")
    st_page.view(view)
    metrics = st_page.page.get_by_test_id("stMetric")
    assert metrics.count() >= 4
    assert st_page.page.evaluate(_TRUNCATED) == []
    st_page.assert_healthy()


_OVERFLOW = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return [document.documentElement.scrollWidth, window.innerWidth,
          main.scrollWidth, main.clientWidth];
}"""


@pytest.mark.parametrize("view", ["Compare", "Power → compute", "Cost", "Timeline & target",
                                  "Peers", "Sweep"])
def test_the_page_fits_a_390_px_phone(streamlit_server: str, kept_open: Any,
                                      view: str) -> None:
    phone = kept_open(f"{streamlit_server}/?scenario=cortex-full", width=390, height=844)
    page = phone.page
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0, "the sidebar is collapsed"
    phone.view(view)
    page.wait_for_function(_IDLE)
    charts = page.get_by_test_id("stVegaLiteChart")
    for i in range(charts.count()):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
    document, window, main, main_client = page.evaluate(_OVERFLOW)
    assert document <= window and main <= main_client, "nothing overflows sideways"
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5
    alert = page.get_by_test_id("stMain").get_by_test_id("stAlert").first.bounding_box()
    card = page.get_by_test_id("stMetric").first.bounding_box()
    assert alert and card and alert["y"] < card["y"], "the answer comes before the cards"
    phone.assert_healthy()


def test_uploaded_scenario_file(streamlit_server: str, st_page: StreamlitPage,
                                tmp_path: Path, library: calc.Library) -> None:
    page = st_page.open(streamlit_server).page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()

    bad = tmp_path / "typo.yaml"
    bad.write_text("base: cortex-full\nsite.peu: 1.3\n", encoding="utf-8")
    st_page.upload(bad)
    alert = sidebar.get_by_test_id("stAlert")
    expect(alert).to_contain_text("typo.yaml")
    expect(alert).to_contain_text("did you mean 'site.pue'")
    assert "--" not in alert.inner_text()
    st_page.assert_healthy()

    good = tmp_path / "austin-2.yaml"
    good.write_text("name: austin-2\nbase: cortex-full\nsite.pue: 1.35\n", encoding="utf-8")
    st_page.upload(good)
    wanted = expected_text(library.add_text(good.read_text(), origin="austin-2.yaml")[0],
                           "austin-2", [])
    expect(st_page.metric("Capex").first.get_by_test_id("stMetricValue")).to_have_text(
        wanted["capex_usd"], timeout=SETTLE_MS)
    assert read_cards(st_page) == wanted
    st_page.assert_healthy()


def test_an_uploaded_scenario_travels_in_the_link(
        streamlit_server: str, st_page: StreamlitPage, colleague: Any,
        library: calc.Library) -> None:
    page = st_page.open(streamlit_server).page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()
    st_page.upload(EXAMPLE)
    mine, names = library.add_text(EXAMPLE.read_bytes(), origin=EXAMPLE.name)
    st_page.select("Scenario", names[1])
    wanted = expected_text(mine, names[1], [])
    expect(st_page.metric("Capex").first.get_by_test_id("stMetricValue")).to_have_text(
        wanted["capex_usd"], timeout=SETTLE_MS)
    st_page.view("Cost")
    params = link_params(page)
    assert params["scenario"] == names[1] and params["upload_name"] == EXAMPLE.name
    assert params["view"] == "cost"
    answer = main_alert_text(st_page)

    other = colleague(page.url)
    other.assert_healthy()
    assert main_alert_text(other) == answer, "the link opens the uploaded scenario, no warning"
    assert read_cards(other) == wanted
    expect(other.page.get_by_role("radio", name="Cost", exact=True)).to_have_attribute(
        "aria-checked", "true")
    assert link_params(other.page) == params


def test_phase_edits_and_monte_carlo_settings_round_trip(
        streamlit_server: str, st_page: StreamlitPage, colleague: Any,
        library: calc.Library, tmp_path: Path) -> None:
    query = {"scenario": "cortex-buildout", "view": "timeline",
             "timeline[3].facility_power_mw": "650"}
    page = st_page.open(f"{streamlit_server}/?{urlencode(query)}").page
    phases = library.scenario("cortex-buildout").timeline
    assert phases is not None
    edited = (*phases[:3], replace(phases[3], facility_power_mw=650.0))
    timeline = run_timeline(library, library.scenario("cortex-buildout"),
                            phases=with_slip(edited, default_slip(
                                load_peers(), operator=library.story.operator)))
    reached = st_page.metric(f"{timeline.target:g}× at central values").get_by_test_id(
        "stMetricValue")
    expect(reached).to_have_text(timeline.target_reached or "not by 2030-12")
    st_page.view("Uncertainty")
    st_page.set_number("Samples", 3000)
    st_page.set_number("Seed", 7)
    params = link_params(page)
    assert params["timeline[3].facility_power_mw"] == "650"
    assert (params["samples"], params["seed"], params["view"]) == ("3000", "7", "uncertainty")
    shown = [m.inner_text() for m in page.get_by_test_id("stMetric").all()]
    # the scenario file records the samples and seed in use, though only the view reran
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()
    text = download(page, sidebar, "YAML", tmp_path).read_text(encoding="utf-8")
    assert "--samples 3000 --seed 7" in text, text[:400]

    other = colleague(page.url)
    other.assert_healthy()
    assert link_params(other.page) == params
    assert other.number_input("Samples").input_value() == "3000"
    assert other.number_input("Seed").input_value() == "7"
    assert [m.inner_text() for m in other.page.get_by_test_id("stMetric").all()] == shown
