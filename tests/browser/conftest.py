"""Fixtures that run the dashboard in a real Streamlit server and drive it with headless Chromium.

Every test under ``tests/browser`` gets the ``browser`` marker (``-m "not browser"``
leaves them out). Chromium is Debian's (``apt-get install chromium``; ``.ci/run``
installs it); ``playwright install`` is never run. Without Chromium the tests
skip locally and fail under CI (``CI`` set), so CI never passes by skipping.

Fixtures: ``streamlit_server`` (session; base URL of ``dashboard/app.py``),
``streamlit_launcher`` (the ``start_streamlit(script)`` context manager, for a
server on another script), ``browser`` (session), ``page`` (fresh context per
test, downloads accepted) and ``st_page`` (a ``StreamlitPage`` wrapping ``page``).
The server and the Chromium launch live in ``tests/browser/harness.py``, which
``benchmarks/dashboard_latency.py`` uses as well; one server serves every
browser test of a pytest session.

Streamlit + Playwright, as found on Streamlit 1.67 / Chromium 156
------------------------------------------------------------------
* Widgets are found by label: ``page.get_by_label("Seed", exact=True)``
  is the number_input's ``<input>`` (role spinbutton); ``page.get_by_role("combobox",
  name=..., exact=True)`` a selectbox. The dashboard's views are a segmented control
  (``stButtonGroup``) whose options are ``role="radio"`` buttons named by their label
  (``aria-checked`` on the open one): ``st_page.view("Peers")`` opens one.
  A slider is an ``<input type="range">`` whose accessible name is its label
  twice ("MFU MFU"), so ``name=..., exact=True`` misses it: use
  ``st_page.slider("MFU")`` (the ``stSlider`` whose ``stWidgetLabel`` reads
  "MFU", then its ``slider`` role); read it with ``.input_value()``. Labels are
  rendered as Markdown, so match the rendered text. Stable test ids:
  ``stNumberInput``, ``stNumberInputStepUp``, ``stSlider``,
  ``stSliderThumbValue``, ``stSelectbox``, ``stMetric``/``stMetricLabel``/
  ``stMetricValue``/``stMetricDelta``, ``stVegaLiteChart``, ``stDataFrame``,
  ``stDownloadButton``, ``stTabs``, ``stException``, ``stAlert``.
* A metric by its label: ``st_page.metric_value("Accelerators")`` (filters
  ``stMetric`` on ``stMetricLabel`` text, exact). A metric with ``help=`` still matches.
* number_input: ``fill("250")`` alone does nothing; the value is sent on
  ``press("Enter")`` (or on blur). The +/- buttons rerun on each click.
* select_slider (the log-spaced facility power): also ``stSlider``, but its range
  input's ``value`` is the option's index and ``aria-valuetext`` the shown option
  ("250 MW"); ``st_page.select_slider_to("Facility power (MW)", "250 MW")`` presses
  arrow keys until it reads so.
* slider: focus it and press ``ArrowRight``/``ArrowLeft`` (one step each),
  ``PageUp``/``PageDown``, ``Home``/``End``; several quick presses give one rerun.
  ``fill()`` refuses it and a value set from JavaScript never reaches Streamlit;
  ``st_page.set_slider("MFU", 0.6)`` presses the arrow keys for an exact value.
* selectbox (a react-aria ComboBox): a mouse click on it does NOT open the list.
  Press ``ArrowDown`` on the combobox (or type to filter), then click
  ``page.get_by_role("option", name="GB200", exact=True)``.
* Waiting for a rerun: ``with st_page.rerun(): <action>`` waits until a run has
  started after the action, every run has ended, and the page is idle (no element
  ``data-stale="true"``, no ``stSkeleton``). Runs are counted at the websocket, in the
  page (``harness.run_tap``, installed before the page's own code): a ``rerun_script``
  request sent, a ``new_session`` (a run started), a ``script_finished`` (a run ended).
  ``stApp``'s ``data-test-script-state`` (``initial`` → ``running`` →
  ``notRunning``) cannot count runs: on a busy machine a whole run's messages can reach
  the page together, React draws once, and the attribute never shows ``running``; a
  counter watching it took such runs for changes the page had dropped. The
  ``stStatusWidget`` ("Running…") appears only after ~0.5 s. For assertions, prefer
  ``expect(locator).to_have_text(...)``, which retries until it holds.
* A change that starts no run within 30 s fails there and then, saying whether the page
  sent the server a run request; it is never made again (a test that fails once fails).
* First load: ``st_page.open(url)`` (or ``goto``, then ``st_page.wait_until_loaded()``)
  waits for the first run, then for all ``stSkeleton`` placeholders to go (charts and
  dataframes render ~0.4 s after the script ends). A Vega-Lite chart has drawn when
  ``chart.locator("canvas, svg").first`` is visible.
* Downloads: ``with page.expect_download() as info:
  page.get_by_test_id("stDownloadButton").get_by_role("button").click()``, then
  ``info.value.suggested_filename`` and ``info.value.path()`` (or
  ``.save_as(tmp_path / name)``). A callable ``data=`` runs on the click.
* Uncaught script errors show as ``stException``;
  ``st_page.assert_healthy()`` fails on those and on JavaScript page errors.
* Screenshots: Streamlit scrolls inside its own container, so
  ``page.screenshot(full_page=True)`` shows only the viewport; for a whole-page
  picture first ``page.set_viewport_size({"width": 1280, "height": 3000})``.
* Timing here: server up in ~2 s, Chromium launch ~0.3 s, first page ~2-3 s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.browser.harness import (
    DASHBOARD,
    DEFAULT_TIMEOUT_MS,
    IDLE,
    ServerError,
    StreamlitPage,
    chromium_executable,
    launch_chromium,
)
from tests.browser.harness import start_streamlit as _start_streamlit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).resolve().parent

# The names the test modules import (kept from when they lived here).
_IDLE = IDLE
__all__ = ["_IDLE", "StreamlitPage", "start_streamlit"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test collected under tests/browser with ``browser``."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


# ------------------------------------------------------------------ Streamlit server


@contextlib.contextmanager
def start_streamlit(script: Path, **options: Any) -> Iterator[str]:
    """:func:`tests.browser.harness.start_streamlit`, failing the test when the server does."""
    try:
        with _start_streamlit(script, **options) as url:
            yield url
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def streamlit_launcher() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``start_streamlit`` itself: ``with streamlit_launcher(path) as url: ...``."""
    return start_streamlit


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Base URL of the one ``dashboard/app.py`` server every browser test of the session shares."""
    with start_streamlit(DASHBOARD) as url:
        yield url


# ------------------------------------------------------------------ Chromium


def _no_browser(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so browser tests must run, not skip", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser build)."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install -e '.[test]')")
    # assertions wait longer than Playwright's 5 s: a 2-core machine running the rest of
    # the suite beside the browser can take that long to rerun a page
    expect.set_options(timeout=15_000)
    if chromium_executable() is None:
        _no_browser("Chromium not found: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page per test: own cookies, own Streamlit session."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def st_page(page: Page) -> StreamlitPage:
    """``page`` wrapped in a ``StreamlitPage``; call ``.open(streamlit_server)`` first."""
    return StreamlitPage(page)
