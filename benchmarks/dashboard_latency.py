"""What a dashboard user feels, measured in headless Chromium: step, burst and page-open latency.

Serves ``calc/dashboard/app.py`` with a real Streamlit server and drives it with
Debian's Chromium through Playwright (the flags of ``tests/browser/harness.py``;
``playwright install`` is never run), in a 1400 × 900 window, and prints medians
of three times, each taken in the browser's own clock (``performance.now()``):

* **step**: one arrow-key press on a sidebar slider → the metric card shows the new
  value (goal ≤ 250 ms);
* **burst**: five quick presses → the page has settled: not running, nothing stale or
  still loading, the card and the slider at the fifth step (goal ≤ 1 s);
* **open**: a new browser session opens the page → the metric cards are shown
  (goal ≤ 3 s on a warm server), and, for information, until everything is drawn.

The page is opened on ``?scenario=cortex-full`` (a site sized by facility power, in
every version of the dashboard) and the facility-power slider is pressed.

The first page load warms the server (imports, library, caches) and is not
counted. Run it with nothing else busy on the machine:

    .venv/bin/python benchmarks/dashboard_latency.py [--steps 9] [--bursts 5] [--loads 7]

``--root DIR`` serves another checkout (e.g. an ``git archive`` of an older
commit) with this script, to compare before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the shared browser harness lives with the browser tests

from tests.browser.harness import IDLE, launch_chromium, start_streamlit  # noqa: E402

GOALS_MS = {"step": 250.0, "burst": 1000.0, "open": 3000.0}
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 120_000
#: A settled page stays settled this long before the measurement is taken.
QUIET_MS = 1500

#: In the page: a requestAnimationFrame loop that records, in performance.now() time, when
#: the card's text last changed and since when the page has been idle (not running,
#: nothing stale, no skeleton). ``arg`` is [slider label, card label].
_MONITOR = """([slider, card]) => {
  const idle = IDLE_FUNCTION;
  const labels = '[data-testid="stWidgetLabel"], [data-testid="stMetricLabel"]';
  const byLabel = (testId, label) =>
    [...document.querySelectorAll(`[data-testid="${testId}"]`)]
      .find(e => [...e.querySelectorAll(labels)].some(l => l.innerText.trim() === label));
  window.__cardText = () => {
    const box = byLabel('stMetric', card);
    const value = box && box.querySelector('[data-testid="stMetricValue"]');
    return value ? value.innerText : null;
  };
  window.__thumb = () => {
    const box = byLabel('stSlider', slider);
    return box && box.querySelector('input[type="range"], [role="slider"]');
  };
  const m = window.__mon = {text: window.__cardText(), changedAt: null, idleSince: null,
                            keyAt: null};
  document.addEventListener('keydown', () => {
    if (m.keyAt === null) m.keyAt = performance.now();
  }, true);
  const tick = () => {
    const now = performance.now();
    const text = window.__cardText();
    if (text !== m.text) { m.text = text; m.changedAt = now; m.idleSince = null; }
    if (!idle()) m.idleSince = null;
    else if (m.idleSince === null) m.idleSince = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}""".replace("IDLE_FUNCTION", IDLE)

_RESET = """() => {
  const m = window.__mon;
  m.keyAt = null; m.changedAt = null; m.text = window.__cardText();
}"""

_CARDS_SHOWN = """(count) => {
  const values = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
  if (values.length >= count && values.every(v => v.innerText.trim() !== '')) {
    window.__cardsAt = window.__cardsAt || performance.now();
    return true;
  }
  return false;
}"""


def _settled(page: Any, after: bool = False) -> float:
    """Wait until the page has been idle for QUIET_MS (with ``after``, idle since after the
    first key press, so a rerun not yet begun is waited for); return when it became idle,
    in the page's clock."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        since, now, key = page.evaluate(
            "() => [window.__mon.idleSince, performance.now(), window.__mon.keyAt]")
        fresh = not after or (since is not None and key is not None and since > key)
        if since is not None and fresh and now - since >= QUIET_MS:
            return float(since)
        time.sleep(0.1)
    raise TimeoutError("the page did not settle (or the key press changed nothing)")


def _direction(page: Any, presses: int) -> str:
    """The arrow key that can be pressed ``presses`` times without reaching the slider's end."""
    _low, high, step, value = (float(v) for v in page.evaluate(
        "() => { const t = window.__thumb(); return [t.min ?? t.getAttribute('aria-valuemin'), "
        "t.max ?? t.getAttribute('aria-valuemax'), t.step || 1, t.value ?? "
        "t.getAttribute('aria-valuenow')]; }"))
    return "ArrowRight" if high - value >= presses * step else "ArrowLeft"


def measure_open(browser: Any, url: str, loads: int, cards: int) -> tuple[list[float], list[float]]:
    """Page opens in fresh sessions: ms to the cards, ms until everything is drawn."""
    to_cards, to_idle = [], []
    for i in range(loads + 1):
        context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
        try:
            page = context.new_page()
            page.goto(url, wait_until="commit")
            page.wait_for_function(_CARDS_SHOWN, arg=cards, polling="raf", timeout=TIMEOUT_MS)
            page.wait_for_function(IDLE, polling="raf", timeout=TIMEOUT_MS)
            idle_at = float(page.evaluate("() => performance.now()"))
            if i:  # the first load warms the server
                to_cards.append(float(page.evaluate("() => window.__cardsAt")))
                to_idle.append(idle_at)
        finally:
            context.close()
    return to_cards, to_idle


def measure_presses(browser: Any, url: str, slider: str, card: str, steps: int, bursts: int,
                    presses: int, cards: int) -> tuple[list[float], list[float]]:
    """One press → card changed (ms), and ``presses`` quick presses → settled (ms)."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(_CARDS_SHOWN, arg=cards, polling="raf", timeout=TIMEOUT_MS)
        page.evaluate(_MONITOR, [slider, card])
        _settled(page)
        if page.evaluate("() => window.__thumb() === undefined || window.__thumb() === null"):
            raise LookupError(f"no slider labelled {slider!r}")
        if page.evaluate("() => window.__cardText()") is None:
            raise LookupError(f"no metric card labelled {card!r}")
        thumb = page.locator('[data-testid="stSlider"]').filter(
            has=page.get_by_test_id("stWidgetLabel").get_by_text(slider, exact=True)
        ).get_by_role("slider")
        thumb.focus()
        step_ms, burst_ms = [], []
        for _ in range(steps):
            thumb.focus()
            before = page.evaluate("() => window.__cardText()")
            key = _direction(page, 1)
            page.evaluate(_RESET)
            thumb.press(key)
            page.wait_for_function("(b) => window.__mon.changedAt !== null && "
                                   "window.__cardText() !== b", arg=before, polling="raf",
                                   timeout=TIMEOUT_MS)
            mon = page.evaluate("() => window.__mon")
            step_ms.append(float(mon["changedAt"]) - float(mon["keyAt"]))
            _settled(page, after=True)
        for _ in range(bursts):
            thumb.focus()
            key = _direction(page, presses)
            page.evaluate(_RESET)
            for _press in range(presses):
                thumb.press(key)
            settled_at = _settled(page, after=True)
            mon = page.evaluate("() => window.__mon")
            if mon["changedAt"] is None:
                raise RuntimeError(f"the presses changed no card: {mon}")
            burst_ms.append(max(settled_at, float(mon["changedAt"])) - float(mon["keyAt"]))
        return step_ms, burst_ms
    finally:
        context.close()


def _line(name: str, values: list[float], goal: float | None) -> str:
    median = statistics.median(values)
    goal_text = f" (goal ≤ {goal:.0f} ms: {'met' if median <= goal else 'NOT met'})" \
        if goal is not None else ""
    return (f"{name}: median {median:.0f} ms{goal_text}; each: "
            + ", ".join(f"{v:.0f}" for v in values))


def main(argv: list[str] | None = None) -> int:
    """Serve the dashboard, measure in Chromium, print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="checkout whose calc/dashboard/app.py is served (default: this one)")
    parser.add_argument("--query", default="scenario=cortex-full",
                        help="link the page is opened with (a scenario sized by power)")
    parser.add_argument("--slider", default="Facility power (MW)",
                        help="label of the sidebar slider pressed")
    parser.add_argument("--card", default="Facility power", help="label of the card watched")
    parser.add_argument("--cards", type=int, default=8, help="metric cards the page opens with")
    parser.add_argument("--steps", type=int, default=9, help="single presses timed")
    parser.add_argument("--bursts", type=int, default=5, help="bursts of quick presses timed")
    parser.add_argument("--presses", type=int, default=5, help="presses per burst")
    parser.add_argument("--loads", type=int, default=7, help="page opens timed (after one warm-up)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright  # deferred: only this script needs it

    root = args.root.resolve()
    env = {"PYTHONPATH": str(root)} if root != REPO_ROOT else {}
    with start_streamlit(root / "calc" / "dashboard" / "app.py", cwd=root, env=env) as base_url, \
            sync_playwright() as playwright:
        url = f"{base_url}/?{args.query}" if args.query else base_url
        browser = launch_chromium(playwright)
        try:
            to_cards, to_idle = measure_open(browser, url, args.loads, args.cards)
            step_ms, burst_ms = measure_presses(browser, url, args.slider, args.card,
                                                args.steps, args.bursts, args.presses,
                                                args.cards)
        finally:
            browser.close()
    print(f"dashboard: {root / 'dashboard' / 'app.py'}; Chromium "
          f"{VIEWPORT['width']}×{VIEWPORT['height']}; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.2f}")
    print(_line(f"step ({args.slider!r} → {args.card!r} card)", step_ms, GOALS_MS["step"]))
    print(_line(f"burst ({args.presses} quick presses → settled)", burst_ms, GOALS_MS["burst"]))
    print(_line("open (new session → cards)", to_cards, GOALS_MS["open"]))
    print(_line("open (new session → everything drawn)", to_idle, None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
