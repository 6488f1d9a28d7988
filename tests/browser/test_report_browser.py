"""The report opened in headless Chromium from a file:// URL, and the dashboard's Peers view."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

import calc
from calc.presentation.report import build_report, write_report

SECTIONS = {
    "question": "The question and the answer",
    "scenarios": "Scenarios compared",
    "tenfold": "The tenfold analysis",
    "uncertainty": "Uncertainty and sensitivity",
    "peers": "Cortex among peers",
    "calibration": "Calibration",
    "assumptions": "Assumptions",
    "provenance": "Provenance",
}


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    report = build_report(calc.load(), samples=200)
    folder = tmp_path_factory.mktemp("report")
    write_report(report, folder)
    charts = sum(1 for name in report.files if name.endswith(".png"))
    return folder / "report.html", charts


def test_the_report_renders_offline_with_every_section_and_image(page, report_file):
    path, charts = report_file
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    for section, heading in SECTIONS.items():
        expect(page.locator(f"#{section} h2").first).to_have_text(heading)
    images = page.locator("img.chart")
    expect(images).to_have_count(charts)
    for i in range(charts):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 0, image.get_attribute("id")
        assert image.bounding_box()["width"] > 100
    assert page.locator("table.calibration tbody tr").count() > 10
    assert page.locator("table.assumptions tbody tr").count() >= 20
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert outside == [], outside
    assert errors == []


#: Every element whose box must lie inside the page's width.
_OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('main *, header *, footer *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.right > width + 0.5 || box.left < -0.5)
      out.push(`${el.tagName}.${el.className} ${Math.round(box.left)}–${Math.round(box.right)}`
               + ` ${(el.textContent || '').slice(0, 30)}`);
    if (['TABLE', 'PRE', 'TD', 'TH'].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1)
      out.push(`${el.tagName}.${el.className} scrolls ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return {page: document.documentElement.scrollWidth, width, out: out.slice(0, 10)};
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_no_table_or_label_is_cut_at_laptop_and_phone_width(page, report_file, width, height):
    """At 1280 and at 390 px every table, cell, caption and link lies inside the page and
    nothing scrolls sideways: tables wrap (one card per row on a phone)."""
    path, _ = report_file
    page.set_viewport_size({"width": width, "height": height})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    found = page.evaluate(_OUTSIDE)
    assert found["page"] <= found["width"], found
    assert found["out"] == [], found
    if width < 700:  # a table row is a card whose cells name their column
        cell = page.locator("#question tbody td").first
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert "Scenario" in label


def test_the_peers_view_shows_its_charts_tables_and_offers_the_report(st_page, streamlit_server,
                                                                       tmp_path):
    page = st_page.open(streamlit_server).page
    st_page.view("Peers")
    panel = page.get_by_test_id("stMain")
    chart = panel.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(panel.get_by_text("Calibration: the model against published figures")).to_be_visible()
    expect(panel.get_by_test_id("stDataFrame")).to_have_count(2)
    button = panel.get_by_role("button", name="Download the report (HTML)")
    with page.expect_download(timeout=180_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "capcalc-report.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'id="calibration"' in text
    st_page.assert_healthy()
