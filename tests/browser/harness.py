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
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

__all__ = [
    "CHROMIUM_ARGS",
    "DASHBOARD",
    "DEFAULT_TIMEOUT_MS",
    "DROPPED_AFTER_MS",
    "IDLE",
    "REPO_ROOT",
    "RERUN_DONE",
    "ServerError",
    "StreamlitPage",
    "chromium_executable",
    "launch_chromium",
    "run_tap",
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

#: Counts the page's script runs at the websocket, in the page: a ``rerun_script`` request
#: sent (``sent``), a run started (``new_session`` received, ``started``), a run ended
#: (``script_finished``, ``finished``; ``running`` is false once the last run started has
#: ended). Installed before the page's own code (``add_init_script``), it subclasses
#: ``WebSocket`` and listens to Streamlit's stream right after Streamlit's own listener;
#: each count moves in a task posted after the page has handled the message (and after
#: React's render of it, which React posts the same way first), so a count read from the
#: page never runs ahead of what the page shows.
#:
#: Runs are counted from the messages, not from ``data-test-script-state``: on a busy
#: machine a whole run's messages can reach the page together, the page handles them back
#: to back and React draws once, so the attribute goes from ``notRunning`` to
#: ``notRunning`` and never shows the run (CHANGELOG, "Unreleased").
_RUN_TAP = """(() => {
  if (window.__capcalcRuns !== undefined) return;
  const runs = window.__capcalcRuns = {sent: 0, started: 0, finished: 0, running: false};
  // The top-level fields of a protocol buffer message: field number -> varint value or true.
  const fields = (buffer) => {
    const bytes = new Uint8Array(buffer), found = new Map();
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = bytes[i++]; value += (byte & 0x7f) * scale; scale *= 128; }
      while (byte & 0x80 && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) found.set(field, varint());
      else if (wire === 2) { const length = varint(); found.set(field, true); i += length; }
      else if (wire === 1 || wire === 5) { found.set(field, true); i += wire === 1 ? 8 : 4; }
      else break;
    }
    return found;
  };
  const later = (() => {
    const channel = new MessageChannel(), effects = [];
    channel.port1.onmessage = () => effects.shift()();
    return (effect) => { effects.push(effect); channel.port2.postMessage(null); };
  })();
  const received = (event) => {
    if (!(event.data instanceof ArrayBuffer)) return;
    const found = fields(event.data);
    if (found.has(NEW_SESSION)) later(() => { runs.started++; runs.running = true; });
    if (found.has(SCRIPT_FINISHED)) {
      const early = found.get(SCRIPT_FINISHED) === FINISHED_EARLY_FOR_RERUN;
      later(() => { runs.finished++; if (!early) runs.running = false; });
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes('/_stcore/stream')) return;
      let listening = false;
      this.addEventListener = (type, listener, options) => {
        Native.prototype.addEventListener.call(this, type, listener, options);
        if (type === 'message' && !listening) {
          listening = true;
          Native.prototype.addEventListener.call(this, 'message', received);
        }
      };
    }
    send(data) {
      const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset,
        data.byteLength).slice().buffer : data;
      if (bytes instanceof ArrayBuffer && fields(bytes).has(RERUN_SCRIPT)) runs.sent++;
      return super.send(data);
    }
  };
})()"""


@functools.cache
def run_tap() -> str:
    """:data:`_RUN_TAP` with the field numbers of Streamlit's installed protocol."""
    # deferred: Streamlit's protocol modules import streamlit itself (~0.5 s), which the
    # benchmark and the server helpers do not need
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    forward = ForwardMsg.DESCRIPTOR.fields_by_name
    numbers = {
        "RERUN_SCRIPT": BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number,
        "NEW_SESSION": forward["new_session"].number,
        "SCRIPT_FINISHED": forward["script_finished"].number,
        "FINISHED_EARLY_FOR_RERUN": ForwardMsg.FINISHED_EARLY_FOR_RERUN,
    }
    script = _RUN_TAP
    for name, number in numbers.items():
        script = script.replace(name, str(int(number)))
    return script


IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]') === null;
}"""

#: What the run counts read now, as ``[sent, started]``.
RUN_COUNTS = "() => [window.__capcalcRuns.sent, window.__capcalcRuns.started]"

#: True once a run has started since the counts read ``[sent, started]``.
RUN_STARTED = "([sent, started]) => window.__capcalcRuns.started > started"

#: True once a run has started since the counts read ``[sent, started]``, every run has
#: ended and the page is idle.
RERUN_DONE = f"""([sent, started]) => window.__capcalcRuns.started > started
  && !window.__capcalcRuns.running && ({IDLE})()"""

#: How long a widget change may go without starting a run before it is taken as dropped
#: (a run starts ~40 ms after a change on an idle machine, within a few seconds on a
#: busy one); the change is never made again.
DROPPED_AFTER_MS = 30_000

#: What a wait that timed out saw: the run counts, script state, stale and skeleton
#: elements, the uploader, alerts and the connection status.
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
    """A Playwright page showing a Streamlit app, with the waits Streamlit needs.

    Wrap the page before it opens the app: the run counts (:func:`run_tap`) are installed
    for every document the page loads from then on.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.add_init_script(run_tap())

    def open(self, url: str) -> StreamlitPage:
        """Load ``url`` and wait until the first script run has finished and rendered."""
        self.page.goto(url)
        self.wait_until_loaded()
        return self

    def wait_until_loaded(self, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Wait until the page's first script run has ended and the page is idle."""
        self.wait_for_rerun([0, 0], timeout_ms)

    @contextlib.contextmanager
    def rerun(self, timeout_ms: float = DEFAULT_TIMEOUT_MS,
              started_ms: float = DROPPED_AFTER_MS) -> Iterator[None]:
        """Wait, after the ``with`` body (one widget change), for the run it starts to end.

        A change that starts no run within ``started_ms`` fails there and then, saying
        whether the page asked the server for a run (:meth:`wait_for_start`); it is never
        made again. The run then has ``timeout_ms`` to end and be drawn.
        """
        counts = self.run_counts()
        yield
        self.wait_for_start(counts, started_ms)
        self.wait_for_rerun(counts, timeout_ms)

    def run_counts(self) -> list[int]:
        """The run requests sent and the runs started so far, as ``[sent, started]``."""
        return list(self.page.evaluate(RUN_COUNTS))

    def wait_for_start(self, counts: list[int], timeout_ms: float = DROPPED_AFTER_MS) -> None:
        """Wait until a run has started since the counts read ``counts``; a wait that
        times out says whether the page asked for a run, and what it showed."""
        # deferred: the harness imports without playwright (its tests then skip)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function(RUN_STARTED, arg=counts, timeout=timeout_ms)
        except PlaywrightTimeoutError:
            state = self.page.evaluate(PAGE_STATE)
            asked = int(state["runs"]["sent"]) - counts[0]
            raise PlaywrightTimeoutError(
                f"no run started within {timeout_ms:.0f} ms of a change; the page sent "
                f"{asked} run request(s) since; page {state}") from None

    def wait_for_rerun(self, counts: list[int], timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Wait until a run started after the counts read ``counts``, every run has ended,
        and the page is idle. A wait that times out says what the page showed."""
        # deferred: the harness imports without playwright (its tests then skip)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function(RERUN_DONE, arg=counts, timeout=timeout_ms)
        except PlaywrightTimeoutError as error:
            state = self.page.evaluate(PAGE_STATE)
            raise PlaywrightTimeoutError(
                f"{error.message.splitlines()[0]}; counts before {counts}, page {state}"
            ) from None

    def upload(self, path: Path, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Upload ``path`` with the sidebar's file uploader and wait for the run it starts.

        The "Scenario file" section must be open.
        """
        chooser = self.page.get_by_test_id("stSidebar").locator('input[type="file"]')
        self.page.get_by_test_id("stFileUploader").first.wait_for(state="visible")
        with self.rerun(timeout_ms=timeout_ms):
            chooser.set_input_files(path)

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
        """Choose ``option`` of the select box ``label`` and wait for the run it starts."""
        with self.rerun():
            self.choose(label, option)

    def choose(self, label: str, option: str) -> None:
        """Choose ``option`` of the select box ``label``, typed to filter the list (a long
        list renders only the options near the current one); no wait for the run."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        self.page.get_by_role("option", name=option, exact=True).click()

    def view(self, label: str) -> None:
        """Open the view ``label`` of the navigation (a segmented control of radio buttons);
        a view already open is left as it is (clicking it would start no rerun)."""
        radio = self.page.get_by_test_id("stButtonGroup").get_by_role(
            "radio", name=label, exact=True)
        if radio.get_attribute("aria-checked") != "true":
            with self.rerun():
                radio.click()

    def select_slider_to(self, label: str, shown: str, *, limit: int = 60) -> None:
        """Press arrow keys on the log-spaced slider ``label`` until its thumb reads ``shown``,
        one press and its run at a time."""
        thumb = self.slider(label)
        for _ in range(limit):
            now = thumb.get_attribute("aria-valuetext") or ""
            if now == shown:
                return
            key = "ArrowRight" if _number(shown) > _number(now) else "ArrowLeft"
            with self.rerun():
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
