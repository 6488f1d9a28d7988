"""Fixtures that run the dashboard in a real Streamlit server and drive it with headless Chromium.

Every test under ``tests/browser`` gets the ``browser`` marker (``-m "not browser"``
leaves them out). Chromium is Debian's (``apt-get install chromium``; ``.ci/run``
installs it); ``playwright install`` is never run. Without Chromium the tests
skip locally and fail under CI (``CI`` set), so CI never passes by skipping.

Fixtures: ``streamlit_server`` (session; base URL of ``dashboard/app.py``),
``streamlit_launcher`` (the ``start_streamlit(script)`` context manager, for a
server on another script), ``browser`` (session), ``page`` (fresh context per
test, downloads accepted) and ``st_page`` (a ``StreamlitPage`` wrapping ``page``).

Streamlit + Playwright, as found on Streamlit 1.67 / Chromium 156
------------------------------------------------------------------
* Widgets are found by label: ``page.get_by_label("Facility power (MW)", exact=True)``
  is the number_input's ``<input>`` (role spinbutton); ``page.get_by_role("combobox",
  name=..., exact=True)`` a selectbox; ``page.get_by_role("tab", name="Data")`` a tab.
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
* slider: focus it and press ``ArrowRight``/``ArrowLeft`` (one step each),
  ``PageUp``/``PageDown``, ``Home``/``End``; several quick presses give one rerun.
  ``fill()`` refuses it and a value set from JavaScript never reaches Streamlit;
  ``st_page.set_slider("MFU", 0.6)`` presses the arrow keys for an exact value.
* selectbox (a react-aria ComboBox): a mouse click on it does NOT open the list.
  Press ``ArrowDown`` on the combobox (or type to filter), then click
  ``page.get_by_role("option", name="GB200", exact=True)``.
* Waiting for a rerun: ``stApp`` carries ``data-test-script-state`` =
  ``initial`` → ``running`` → ``notRunning``. After an input changes, the state
  stays ``notRunning`` for ~40 ms before it turns ``running``, so "wait until
  notRunning" straight after an action can pass too early; and the
  ``stStatusWidget`` ("Running…") appears only after ~0.5 s, so waiting for it
  to vanish misses fast reruns. ``with st_page.rerun(): <action>`` counts
  transitions to ``running`` with a MutationObserver and waits until a new run
  has finished and no element is ``data-stale="true"``. For assertions, prefer
  ``expect(locator).to_have_text(...)``, which retries until it holds.
* First load: ``st_page.open(url)`` waits for the first run, then for all
  ``stSkeleton`` placeholders to go (charts and dataframes render ~0.4 s after
  the script ends). A Vega-Lite chart has drawn when
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
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DASHBOARD = REPO_ROOT / "dashboard" / "app.py"

SERVER_START_TIMEOUT_S = 60.0
DEFAULT_TIMEOUT_MS = 30_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test collected under tests/browser with ``browser``."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


# ------------------------------------------------------------------ Streamlit server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    # No proxy for loopback, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextlib.contextmanager
def start_streamlit(
    script: Path,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float = SERVER_START_TIMEOUT_S,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free loopback port; yield its base URL.

    Waits until ``/_stcore/health`` answers ``ok``; fails the test with the
    server's output if it exits or is not up within ``timeout_s``. The server
    is terminated (then killed, if it lingers) on exit.
    """
    script = Path(script).resolve()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    full_env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONUNBUFFERED": "1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        **(env or {}),
    }
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:

        def output() -> str:
            log.flush()
            log.seek(0)
            return log.read()

        process = subprocess.Popen(
            command,
            cwd=cwd or REPO_ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout_s
            while not _healthy(url):
                if process.poll() is not None:
                    pytest.fail(
                        f"streamlit exited ({process.returncode}) before serving {script}:\n"
                        f"{output()}",
                        pytrace=False,
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit did not answer {url}/_stcore/health within {timeout_s:.0f} s "
                        f"for {script}:\n{output()}",
                        pytrace=False,
                    )
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def streamlit_launcher() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``start_streamlit`` itself: ``with streamlit_launcher(path) as url: ...``."""
    return start_streamlit


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Base URL of one ``dashboard/app.py`` server shared by the session's browser tests."""
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
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install -e '.[test]')")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        _no_browser("Chromium not found: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
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


# ------------------------------------------------------------------ Streamlit page helper

_INSTALL_RUN_COUNTER = """() => {
  if (window.__capcalcRuns === undefined) {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__capcalcRuns = 0;
    new MutationObserver(() => {
      if (app.getAttribute('data-test-script-state') === 'running') window.__capcalcRuns++;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  }
  return window.__capcalcRuns;
}"""

_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]') === null;
}"""

_RERUN_DONE = f"""(before) => window.__capcalcRuns > before && ({_IDLE})()"""


class StreamlitPage:
    """A Playwright page showing a Streamlit app, with the waits Streamlit needs."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def open(self, url: str) -> StreamlitPage:
        """Load ``url`` and wait until the first script run has finished and rendered."""
        self.page.goto(url)
        self.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        self.page.wait_for_function(_IDLE)
        self.page.evaluate(_INSTALL_RUN_COUNTER)
        return self

    @contextlib.contextmanager
    def rerun(self, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> Iterator[None]:
        """Wait, after the ``with`` body, for the rerun it triggers to finish."""
        before = self.page.evaluate(_INSTALL_RUN_COUNTER)
        yield
        self.page.wait_for_function(_RERUN_DONE, arg=before, timeout=timeout_ms)

    # widgets, by their label
    def number_input(self, label: str) -> Locator:
        return self.page.get_by_label(label, exact=True)

    def set_number(self, label: str, value: float | str) -> None:
        field = self.number_input(label)
        with self.rerun():
            field.fill(str(value))
            field.press("Enter")

    def widget(self, test_id: str, label: str) -> Locator:
        """The widget container ``test_id`` (e.g. ``stSlider``) whose label reads ``label``."""
        label_locator = self.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
        return self.page.get_by_test_id(test_id).filter(has=label_locator)

    def slider(self, label: str) -> Locator:
        # The range input's accessible name is the label twice ("MFU MFU"): go by container.
        return self.widget("stSlider", label).get_by_role("slider")

    def press_slider(self, label: str, key: str, times: int = 1) -> None:
        """Press ``key`` (ArrowRight, ArrowLeft, Home, End, ...) on a slider ``times`` times."""
        thumb = self.slider(label)
        with self.rerun():
            thumb.focus()
            for _ in range(times):
                thumb.press(key)

    def set_slider(self, label: str, value: float) -> None:
        """Move a slider to ``value`` (on its step grid) with arrow keys, then wait for the rerun.

        Setting the ``<input type="range">`` value from JavaScript does not reach
        Streamlit; key presses do, and quick ones are sent as one change.
        """
        thumb = self.slider(label)
        step = float(thumb.get_attribute("step") or 1)
        steps = round((value - float(thumb.input_value())) / step)
        if steps:
            self.press_slider(label, "ArrowRight" if steps > 0 else "ArrowLeft", abs(steps))

    def select(self, label: str, option: str) -> None:
        box = self.page.get_by_role("combobox", name=label, exact=True)
        with self.rerun():
            box.press("ArrowDown")
            self.page.get_by_role("option", name=option, exact=True).click()

    def metric(self, label: str) -> Locator:
        label_locator = self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
        return self.page.get_by_test_id("stMetric").filter(has=label_locator)

    def metric_value(self, label: str) -> str:
        return self.metric(label).get_by_test_id("stMetricValue").inner_text()

    def assert_healthy(self) -> None:
        """Fail if the script raised (``stException``) or the page threw a JS error."""
        exceptions = self.page.get_by_test_id("stException")
        if exceptions.count():
            raise AssertionError("Streamlit script raised:\n" + exceptions.first.inner_text())
        assert not self.page_errors, f"JavaScript errors on the page: {self.page_errors}"


@pytest.fixture
def st_page(page: Page) -> StreamlitPage:
    """``page`` wrapped in a ``StreamlitPage``; call ``.open(streamlit_server)`` first."""
    return StreamlitPage(page)
