"""A Streamlit server and headless Debian Chromium, shared by the browser tests and the benchmark.

:func:`start_streamlit` serves a script on a free loopback port;
:func:`launch_chromium` starts Debian's ``/usr/bin/chromium`` through Playwright
with the flags this machine needs (``playwright install`` is never run);
:class:`StreamlitPage` wraps a Playwright page with the waits Streamlit needs
(see ``tests/browser/conftest.py`` for what they are and why).
Nothing here imports pytest: ``benchmarks/dashboard_latency.py`` uses it too.
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

__all__ = [
    "CHROMIUM_ARGS",
    "DASHBOARD",
    "DEFAULT_TIMEOUT_MS",
    "IDLE",
    "INSTALL_RUN_COUNTER",
    "REPO_ROOT",
    "RERUN_DONE",
    "RESENT",
    "ServerError",
    "StreamlitPage",
    "chromium_executable",
    "launch_chromium",
    "start_streamlit",
]

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


class ServerError(RuntimeError):
    """The Streamlit server exited or did not answer in time (the message holds its output)."""


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

    Waits until ``/_stcore/health`` answers ``ok``; raises :class:`ServerError` with
    the server's output if it exits or is not up within ``timeout_s``. The server
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
                    raise ServerError(f"streamlit exited ({process.returncode}) before serving "
                                      f"{script}:\n{output()}")
                if time.monotonic() > deadline:
                    raise ServerError(f"streamlit did not answer {url}/_stcore/health within "
                                      f"{timeout_s:.0f} s for {script}:\n{output()}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# ------------------------------------------------------------------ Chromium


def chromium_executable() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return executable if os.access(executable, os.X_OK) else None


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian Chromium with :data:`CHROMIUM_ARGS` (never a downloaded build)."""
    executable = chromium_executable()
    if executable is None:
        raise FileNotFoundError("Chromium not found: apt-get install chromium")
    return playwright.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)


# ------------------------------------------------------------------ Streamlit page helper

#: Counts script runs that have ended: one mutation record whose old value is "running"
#: per run, even when a quick run starts and ends before the observer is called (reading
#: the attribute in the callback would then see "notRunning" only and miss the run).
#: Runs that have started are counted the same way (records whose old value is not
#: "running"), in ``window.__capcalcStarts``. The whole document is observed, not the app
#: element found now: an app element that React mounts afresh (after a reconnection,
#: say) is counted too.
INSTALL_RUN_COUNTER = """() => {
  if (window.__capcalcRuns === undefined) {
    window.__capcalcRuns = 0;
    window.__capcalcStarts = 0;
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.oldValue === 'running') window.__capcalcRuns++;
        else window.__capcalcStarts++;
      }
    }).observe(document.documentElement, {attributes: true, attributeOldValue: true,
                                          subtree: true,
                                          attributeFilter: ['data-test-script-state']});
  }
  return window.__capcalcRuns;
}"""

IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]') === null;
}"""

RERUN_DONE = f"""(before) => window.__capcalcRuns > before && ({IDLE})()"""

#: What the run counters read now, as ``[started, ended]``.
RUN_COUNTS = """() => [window.__capcalcStarts, window.__capcalcRuns]"""

#: True once a run has started or ended since the counters read ``[starts, runs]``.
RUN_STARTED = """([starts, runs]) =>
  window.__capcalcStarts > starts || window.__capcalcRuns > runs"""

#: How long a widget change may go without starting a run before it is taken as dropped
#: (a run starts ~40 ms after a change on an idle machine, within a few seconds on a
#: busy one).
DROPPED_AFTER_MS = 15_000

#: Every change :meth:`StreamlitPage.send` made again, with what the page showed when
#: no run had started (the browser conftest prints them after the tests).
RESENT: list[str] = []

#: What a wait that timed out saw: runs counted, script state, stale and skeleton
#: elements, whether the observed app element is still the page's, and the uploader.
PAGE_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {runs: window.__capcalcRuns,
          state: app && app.getAttribute('data-test-script-state'),
          stale: document.querySelectorAll('[data-stale="true"]').length,
          skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
          uploaded: Array.from(document.querySelectorAll(
            '[data-testid="stFileUploaderFile"], [data-testid="stFileUploaderFileName"]'))
            .map(e => e.textContent).slice(0, 3),
          errors: Array.from(document.querySelectorAll('[data-testid="stAlert"]'))
            .map(e => e.textContent.slice(0, 80)).slice(0, 3),
          connection: (document.querySelector('[data-testid="stStatusWidget"]') || {})
            .textContent || ""};
}"""


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
        self.page.wait_for_function(IDLE)
        self.page.evaluate(INSTALL_RUN_COUNTER)
        return self

    @contextlib.contextmanager
    def rerun(self, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> Iterator[None]:
        """Wait, after the ``with`` body, for the rerun it triggers to finish."""
        before = self.page.evaluate(INSTALL_RUN_COUNTER)
        yield
        self.wait_for_rerun(before, timeout_ms)

    def wait_for_rerun(self, before: int, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Wait until a run after the ``before``-th has ended and the page is idle.

        A wait that times out says what the page showed (:data:`PAGE_STATE`).
        """
        # deferred: the harness imports without playwright (its tests then skip)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function(RERUN_DONE, arg=before, timeout=timeout_ms)
        except PlaywrightTimeoutError as error:
            state = self.page.evaluate(PAGE_STATE)
            raise PlaywrightTimeoutError(
                f"{error.message.splitlines()[0]}; runs before {before}, page {state}") from None

    def send(self, action: Callable[[], object], timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Do ``action`` (a widget change that may safely be made twice) and wait for its run.

        A change the page drops (the widget still drawing when it arrives) starts no run
        within :data:`DROPPED_AFTER_MS`: it is made once more, then the run is waited
        for up to ``timeout_ms``.
        """
        # deferred: the harness imports without playwright (its tests then skip)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        with self.rerun(timeout_ms=timeout_ms):
            counts = self.run_counts()
            action()
            try:
                self.wait_for_start(counts, DROPPED_AFTER_MS)
            except PlaywrightTimeoutError as error:
                RESENT.append(f"{self.page.url}: {error.message}")
                action()

    def run_counts(self) -> list[int]:
        """The runs started and ended so far, for :meth:`wait_for_start`."""
        return list(self.page.evaluate(RUN_COUNTS))

    def wait_for_start(self, counts: list[int], timeout_ms: float = DROPPED_AFTER_MS) -> None:
        """Wait until a run has started since the counters read ``counts``; a wait that
        times out says what the page showed (:data:`PAGE_STATE`)."""
        # deferred: the harness imports without playwright (its tests then skip)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function(RUN_STARTED, arg=counts, timeout=timeout_ms)
        except PlaywrightTimeoutError:
            raise PlaywrightTimeoutError(
                f"no run started within {timeout_ms:.0f} ms of a change; "
                f"page {self.page.evaluate(PAGE_STATE)}") from None

    def upload(self, path: Path, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Upload ``path`` with the sidebar's file uploader and wait for the rerun it starts
        (sent again if the page drops it, see :meth:`send`).

        The "Scenario file" section must be open.
        """
        chooser = self.page.get_by_test_id("stSidebar").locator('input[type="file"]')
        self.page.get_by_test_id("stFileUploader").first.wait_for(state="visible")
        self.send(lambda: chooser.set_input_files(path), timeout_ms)

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
        """Choose ``option`` of the select box ``label``, typed to filter the list (a long
        list renders only the options near the current one)."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        with self.rerun():
            box.click()
            box.fill(option)
            self.page.get_by_role("option", name=option, exact=True).click()

    def view(self, label: str) -> None:
        """Open the view ``label`` of the navigation (a segmented control of radio buttons);
        a view already open is left as it is (clicking it would start no rerun)."""
        radio = self.page.get_by_test_id("stButtonGroup").get_by_role(
            "radio", name=label, exact=True)

        def choose() -> None:  # never clicked twice: a second click would deselect it
            if radio.get_attribute("aria-checked") != "true":
                radio.click()

        if radio.get_attribute("aria-checked") != "true":
            self.send(choose)

    def select_slider_to(self, label: str, shown: str, *, limit: int = 60) -> None:
        """Press arrow keys on the log-spaced slider ``label`` until its thumb reads ``shown``."""
        # deferred: the harness imports without playwright (its tests then skip)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        thumb = self.slider(label)
        for _ in range(limit):
            now = thumb.get_attribute("aria-valuetext") or ""
            if now == shown:
                return
            key = "ArrowRight" if _number(shown) > _number(now) else "ArrowLeft"
            # a slider can drop a key press (no rerun follows): read it again and press again
            with contextlib.suppress(PlaywrightTimeoutError), self.rerun(timeout_ms=10_000):
                thumb.focus()
                thumb.press(key)
        raise AssertionError(f"{label} never showed {shown!r}")

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


def _number(text: str) -> float:
    """A slider's shown value ("250 MW", "1.20 GW", "57.4 k") as a number, for ordering."""
    scale = {"k": 1e3, "M": 1e6, "G": 1e9, "GW": 1e3, "MW": 1.0}
    parts = text.replace(",", "").split()
    value = float(parts[0])
    return value * scale.get(parts[1], 1.0) if len(parts) > 1 else value
