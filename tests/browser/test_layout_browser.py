"""The answer in sight: what a reader sees without scrolling, and what is never cut.

At 1280×800 every view shows the answer, the headline cards and its first chart
without scrolling (bounding boxes inside the viewport); a slider moved in the
sidebar redraws that chart's data; the labels and tables of every view lie
inside the screen at 1280 and at 390 px, none cut short with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, expect

from calc.dashboard.results_view import HEADLINE
from calc.dashboard.settings import VIEWS
from calc.dashboard.views.assumptions import COLUMNS as ASSUMPTION_COLUMNS
from calc.presentation.colours import GRID

from tests.browser.conftest import _IDLE, StreamlitPage

WIDE = (1280, 800)
PHONE = (390, 844)
#: The marks a Vega view draws (SVG): their shapes are the chart's data on screen.
_MARKS = """(chart) => [...chart.querySelectorAll('.mark-line path, .mark-area path, '
                                          + '.mark-symbol path, .mark-rect path')]
  .map(e => e.getAttribute('d')).join('|')"""
#: Text elements inside ``root`` whose text does not fit (cut, or ended with an ellipsis).
_CUT = """(root) => [...root.querySelectorAll('p, span, label, div')]
  .filter(e => e.children.length === 0 && e.innerText && e.innerText.trim() !== ''
               && e.offsetParent !== null
               && (e.scrollWidth > e.clientWidth + 1
                   && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX)
                   || getComputedStyle(e).textOverflow === 'ellipsis'
                      && e.scrollWidth > e.clientWidth + 1))
  .map(e => e.innerText.slice(0, 60))
  .concat([...root.querySelectorAll('input[role="combobox"], input[type="text"]')]
    .filter(e => e.offsetParent !== null && e.value && e.scrollWidth > e.clientWidth + 1)
    .map(e => 'input: ' + e.value.slice(0, 60)))
  .concat([...root.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')]
    .filter(e => e.textContent.endsWith('…'))
    .map(e => 'chart: ' + e.textContent.slice(0, 60)))
  .concat([...root.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(chart => [...chart.querySelectorAll('.role-legend, .role-title')]
      .some(e => e.getBoundingClientRect().right > chart.getBoundingClientRect().right + 1))
    .map(chart => 'chart runs past its right edge: '
                  + (chart.querySelector('.role-title-text') || {}).textContent))"""


@pytest.fixture(scope="module")
def window(browser: Browser) -> Iterator[Callable[..., StreamlitPage]]:
    """One page per window size, kept for the module (a view costs a rerun, not a load)."""
    pages: dict[tuple[str, int, int], StreamlitPage] = {}

    def open_at(url: str, size: tuple[int, int]) -> StreamlitPage:
        if (url, *size) not in pages:
            context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                          locale="en-US", timezone_id="UTC")
            context.set_default_timeout(60_000)
            pages[url, *size] = StreamlitPage(context.new_page()).open(url)
        return pages[url, *size]

    yield open_at
    for st_page in pages.values():
        st_page.page.context.close()


def inside(box: dict[str, float] | None, width: float, height: float) -> bool:
    """Whether a bounding box lies wholly inside a ``width`` × ``height`` viewport."""
    return box is not None and box["x"] >= -0.5 and box["y"] >= -0.5 and \
        box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5


def first_chart(st_page: StreamlitPage) -> Locator:
    chart = st_page.page.get_by_test_id("stMain").get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("svg, canvas").first).to_be_visible()
    return chart


@pytest.mark.parametrize("view", [label for _, label in VIEWS])
def test_answer_cards_and_first_chart_in_sight_at_1280_by_800(
        streamlit_server: str, window: Any, view: str) -> None:
    st_page = window(f"{streamlit_server}/?scenario=cortex-phase1", WIDE)
    st_page.view(view)
    page = st_page.page
    page.wait_for_function(_IDLE)
    main = page.get_by_test_id("stMain")
    assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
                         ) == 0, "the view opens at the top"
    answer = main.get_by_test_id("stAlert").first
    assert inside(answer.bounding_box(), *WIDE), "the answer"
    cards = page.locator(".st-key-cards").get_by_test_id("stMetric")
    assert cards.count() == len(HEADLINE)
    boxes = [cards.nth(i).bounding_box() for i in range(cards.count())]
    assert all(inside(box, *WIDE) for box in boxes), "every headline card"
    assert len({round(box["y"]) for box in boxes if box}) == 1, "the cards in one row"
    assert "of 10×" in cards.first.get_by_test_id("stMetricValue").inner_text(), \
        "the compute multiple leads, as a share of the target"
    if view == "Assumptions":  # a table, no chart: its first rows are in sight
        table = main.locator("table").first
        box = table.bounding_box()
        assert box is not None and box["y"] + 100 <= WIDE[1]
    else:
        assert inside(first_chart(st_page).bounding_box(), *WIDE), f"{view}'s first chart"
        finding = page.locator(".st-key-finding")
        assert inside(finding.bounding_box(), *WIDE), "the view's finding, before its chart"
    st_page.assert_healthy()


@pytest.mark.parametrize(("view", "slider", "key"), [
    ("Power → compute", "PUE", "ArrowRight"),
    ("Timeline & target", "PUE", "ArrowLeft"),
])
def test_a_slider_move_redraws_the_first_chart(streamlit_server: str, st_page: StreamlitPage,
                                               view: str, slider: str, key: str) -> None:
    st_page.page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
    st_page.open(f"{streamlit_server}/?scenario=cortex-phase1")
    st_page.view(view)
    chart = first_chart(st_page)
    before = chart.evaluate(_MARKS)
    assert before, "the chart draws marks"
    st_page.press_slider(slider, key, times=3)
    chart = first_chart(st_page)
    expect(chart.locator("svg").first).to_be_visible()
    st_page.page.wait_for_function(
        "([chart, before]) => " + _MARKS.replace("(chart) => ", "") + " !== before",
        arg=[chart.element_handle(), before])
    after = chart.evaluate(_MARKS)
    assert after != before, "the chart's lines moved with the slider"
    grey = chart.locator("svg").inner_html()
    assert GRID.lower() in grey.lower(), "the preset drawn faint once something changed"
    st_page.assert_healthy()


#: Views whose charts still cut text on a phone: legend names longer than a 390 px chart is
#: wide, and titles placed past its right edge (Vega-Lite does not wrap them to the width).
def _cases() -> list[Any]:
    cases = []
    for size, name in ((WIDE, "1280"), (PHONE, "390")):
        for _, label in VIEWS:
            cases.append(pytest.param(label, size, id=f"{label}-{name}"))
    return cases


@pytest.mark.parametrize(("view", "size"), _cases())
def test_no_label_or_table_is_cut(streamlit_server: str, window: Any, view: str,
                                  size: tuple[int, int]) -> None:
    # a pinned variant's long name in Compare's legend and table
    st_page = window(f"{streamlit_server}/?scenario=cortex-full&hardware.accelerator=GB200"
                     "&pin=cortex-phase1;site.facility_power_mw=300", size)
    st_page.view(view)
    page = st_page.page
    page.wait_for_function(_IDLE)
    main = page.get_by_test_id("stMain")
    cut = main.evaluate(_CUT)
    sidebar = page.get_by_test_id("stSidebar")
    if size == WIDE:
        cut += sidebar.evaluate(_CUT)
    assert cut == [], f"text cut short in {view} at {size[0]} px"
    width = size[0]
    for test_id in ("stWidgetLabel", "stDataFrame", "stTable", "stMarkdown"):
        found = main.get_by_test_id(test_id)
        for i in range(found.count()):
            box = found.nth(i).bounding_box()
            if box is None or box["width"] == 0:
                continue  # inside a closed expander
            assert box["x"] >= -0.5 and box["x"] + box["width"] <= width + 0.5, \
                f"{test_id} #{i} of {view} runs off a {width} px screen: {box}"
    st_page.assert_healthy()


def test_a_table_is_one_card_per_row_on_a_phone(streamlit_server: str, window: Any) -> None:
    """The Assumptions table on a phone: each input a card (a row drawn as a block, inside
    the screen, no horizontal scrolling), each cell under its column's name."""
    st_page = window(f"{streamlit_server}/?scenario=cortex-phase1", PHONE)
    st_page.view("Assumptions")
    page = st_page.page
    page.wait_for_function(_IDLE)
    table = page.locator(".st-key-assumptions-table table").first
    expect(table).to_be_visible()
    shape = table.evaluate("""(t) => {
      const row = t.querySelector('tbody tr'), cells = [...row.querySelectorAll('td')];
      return {row: getComputedStyle(row).display,
              head: getComputedStyle(t.querySelector('thead')).display,
              labels: cells.map(c => getComputedStyle(c, '::before').content),
              scrolls: t.scrollWidth > t.clientWidth + 1,
              right: Math.max(...cells.map(c => c.getBoundingClientRect().right))};
    }""")
    assert shape["row"] == "block" and shape["head"] == "none", shape
    assert shape["labels"] == [f'"{name}"' for name in ASSUMPTION_COLUMNS], shape["labels"]
    assert not shape["scrolls"] and shape["right"] <= PHONE[0], shape
    wide = window(f"{streamlit_server}/?scenario=cortex-phase1", WIDE)
    wide.view("Assumptions")
    wide.page.wait_for_function(_IDLE)
    row = wide.page.locator(".st-key-assumptions-table tbody tr").first
    assert row.evaluate("(r) => getComputedStyle(r).display") == "table-row", \
        "a laptop keeps the table"
