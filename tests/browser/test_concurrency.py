"""Many users at once: one real Streamlit server, a dozen browsers, a burst of page loads.

Twelve Chromium contexts (separate cookies, separate Streamlit sessions) open
the dashboard at the same moment, each from its own shareable link with a
different facility power; each must see its own numbers, as ``calc.run``
computes them, and keep seeing them while the others change their inputs and
upload different files under the same name. Then the server takes a burst of
sixty simultaneous HTTP requests and five browser loads and keeps answering.
Streamlit's own protections are checked on the running server: an upload
without the XSRF token is refused and the upload size limit is in force.
"""

from __future__ import annotations

import ast
import contextlib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

import calc
from calc.core.vocabulary import OUTPUTS
from calc.dashboard.compute import scenario as dashboard_page
from calc.dashboard.results_view import HEADLINE
from calc.presentation.formatting import format_value

from tests.browser.conftest import _IDLE, StreamlitPage

#: The headline cards read (the others are behind "More", drawn only when it is opened).
SHOWN = tuple(name for name in HEADLINE if name != "compute_multiple")
#: One facility power per simultaneous session (MW): all different, all valid.
POWERS = (50, 75, 120, 180, 250, 333, 410, 500, 640, 777, 900, 1234)
#: Twelve sessions rendering at once on two cores take a while; this only bounds a hang.
SETTLE_MS = 180_000
#: A change's run starts within seconds even then (the whole test takes ~30 s).
STARTED_MS = 60_000
CORPUS = Path(__file__).resolve().parent.parent / "bad_inputs"


@pytest.fixture(scope="module")
def library() -> calc.Library:
    return calc.load()


def expected(library: calc.Library, preset: str, sets: list[tuple[str, Any]]) -> dict[str, str]:
    """What the metric cards should read, from calc.run, formatted as the dashboard does."""
    outputs = calc.run(library, preset, sets).outputs
    return {name: format_value(outputs[name], OUTPUTS[name].unit) for name in SHOWN}


def read_cards(st_page: StreamlitPage) -> dict[str, str]:
    return {name: st_page.metric(OUTPUTS[name].title).first.get_by_test_id("stMetricValue")
            .inner_text() for name in SHOWN}


@contextlib.contextmanager
def sessions(browser: Browser, count: int) -> Iterator[list[StreamlitPage]]:
    """``count`` fresh browser contexts (each its own Streamlit session), closed afterwards."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                    timezone_id="UTC") for _ in range(count)]
    try:
        pages = []
        for context in contexts:
            context.set_default_timeout(SETTLE_MS)
            pages.append(StreamlitPage(context.new_page()))
        yield pages
    finally:
        for context in contexts:
            context.close()


def open_all(pages: list[StreamlitPage], urls: list[str]) -> None:
    """Start every page loading before waiting for any: the sessions run at the same time."""
    for st_page, url in zip(pages, urls, strict=True):
        st_page.page.goto(url, wait_until="commit")
    for st_page in pages:
        st_page.wait_until_loaded(SETTLE_MS)


def link_params(page: Page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query))


def test_a_dozen_sessions_at_once_each_see_their_own_numbers(
        browser: Browser, streamlit_server: str, library: calc.Library) -> None:
    power = [("site.facility_power_mw", p) for p in POWERS]
    wanted = [expected(library, dashboard_page.default_preset(), [sets]) for sets in power]
    assert len({w["accelerators"] for w in wanted}) == len(POWERS), "the cases must differ"
    with sessions(browser, len(POWERS)) as pages:
        open_all(pages, [f"{streamlit_server}/?site.facility_power_mw={p}" for p in POWERS])
        for st_page, want in zip(pages, wanted, strict=True):
            st_page.assert_healthy()
            assert read_cards(st_page) == want

        # Every other user switches to GB200 at once; the rest keep their H100s.
        counts = {}
        for i, st_page in enumerate(pages):
            if i % 2 == 0:
                counts[i] = st_page.run_counts()
                st_page.choose("Accelerator", "GB200")
        for i, before in counts.items():
            # a change no run follows fails within a minute, not after SETTLE_MS
            pages[i].wait_for_start(before, timeout_ms=STARTED_MS)
            pages[i].wait_for_rerun(before, timeout_ms=SETTLE_MS)
        for i, st_page in enumerate(pages):
            sets = [power[i], *([("hardware.accelerator", "GB200")] if i % 2 == 0 else [])]
            wanted_i = expected(library, dashboard_page.default_preset(), sets)
            assert read_cards(st_page) == wanted_i, POWERS[i]
            assert link_params(st_page.page) == {key: str(value) for key, value in sets}
            st_page.assert_healthy()


def test_same_file_name_different_contents_stay_apart(
        browser: Browser, streamlit_server: str, library: calc.Library, tmp_path: Path) -> None:
    """Caches are keyed by what a file holds, not by its name: two users' 'mine.yaml'."""
    contents = {pue: f"name: mine\nbase: cortex-full\nsite.pue: {pue}\n" for pue in (1.1, 1.6)}
    with sessions(browser, len(contents)) as pages:
        open_all(pages, [streamlit_server] * len(pages))
        for i, (st_page, text) in enumerate(zip(pages, contents.values(), strict=True)):
            folder = tmp_path / str(i)
            folder.mkdir()
            (folder / "mine.yaml").write_text(text, encoding="utf-8")
            sidebar = st_page.page.get_by_test_id("stSidebar")
            sidebar.get_by_text("Scenario file", exact=True).click()
            st_page.upload(folder / "mine.yaml", timeout_ms=SETTLE_MS)
        for st_page, text in zip(pages, contents.values(), strict=True):
            mine = library.add_text(text, origin="mine.yaml")[0]
            assert read_cards(st_page) == expected(mine, "mine", [])
            st_page.assert_healthy()


# ------------------------------------------------------------------ a burst of loads


def _get(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=120) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


def test_the_server_survives_a_burst_of_loads(browser: Browser, streamlit_server: str,
                                              library: calc.Library) -> None:
    urls = [f"{streamlit_server}/", f"{streamlit_server}/_stcore/health"] * 30
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        statuses = list(pool.map(_get, urls))
    assert statuses == [200] * len(urls)
    defaults = expected(library, dashboard_page.default_preset(), [])
    with sessions(browser, 5) as pages:
        open_all(pages, [f"{streamlit_server}/"] * 5)
        for st_page in pages:
            st_page.assert_healthy()
            assert read_cards(st_page) == defaults
    assert _get(f"{streamlit_server}/_stcore/health") == 200


# ------------------------------------------------------------------ Streamlit's protections


def test_an_upload_without_the_xsrf_token_is_refused(streamlit_server: str) -> None:
    """A cross-site form post to the upload endpoint gets 403, not a file on the server."""
    request = urllib.request.Request(
        f"{streamlit_server}/_stcore/upload_file/some-session/some-file", method="PUT",
        data=b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.yaml\"\r\n"
             b"\r\nsite.pue: 1.3\r\n--x--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=x"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=30)
    refused.value.close()
    assert refused.value.code == 403


def test_an_upload_over_the_size_limit_is_refused_in_the_browser(
        st_page: StreamlitPage, streamlit_server: str, tmp_path: Path,
        library: calc.Library) -> None:
    page = st_page.open(streamlit_server).page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()
    big = tmp_path / "big.yaml"
    big.write_bytes(b"site.pue: 1.3\n" + b"#" * 2_000_000)
    sidebar.locator('input[type="file"]').set_input_files(big)
    expect(sidebar.get_by_test_id("stFileUploader")).to_contain_text("1.0MB")
    page.wait_for_function(_IDLE)
    st_page.assert_healthy()
    assert read_cards(st_page) == expected(library, dashboard_page.default_preset(), [])


def test_a_link_cannot_put_markup_or_images_on_anothers_page(
        browser: Browser, streamlit_server: str, library: calc.Library) -> None:
    """A link someone is sent shows its refused parameter as text: no image is fetched."""
    hostile = ("![x](http://127.0.0.1:9/pixel.png) [click](https://example.org/login) "
               "**bold** :red[red] $x^2$ <b>b</b>")
    with sessions(browser, 1) as (st_page,):
        fetched: list[str] = []
        st_page.page.on("request", lambda request: fetched.append(request.url))
        query = urllib.parse.urlencode({"site.pue": hostile})
        open_all([st_page], [f"{streamlit_server}/?{query}"])
        warning = st_page.page.get_by_test_id("stAlert").filter(has_text="link")
        expect(warning).to_contain_text(hostile)
        shown = warning.get_by_test_id("stMarkdownContainer")
        markup = shown.locator("img, strong, b, em, code, .katex, .stMarkdownColoredText")
        assert markup.count() == 0, markup.first.evaluate("e => e.outerHTML")
        # Markdown still underlines a bare URL, but as itself: no link hides behind other text
        for i in range(shown.locator("a").count()):
            link = shown.locator("a").nth(i)
            assert link.inner_text() == link.get_attribute("href")
        assert not [url for url in fetched if url.startswith("http://127.0.0.1:9/")]
        assert read_cards(st_page) == expected(library, dashboard_page.default_preset(), [])
        st_page.assert_healthy()


@pytest.mark.parametrize("name", ["alias-bomb.yaml", "binary.yaml", "base-loop.yaml",
                                  "unit-power-tower.yaml"])
def test_a_bad_file_uploaded_in_the_browser_shows_the_cli_line(
        st_page: StreamlitPage, streamlit_server: str, capcalc_cli: Any, name: str) -> None:
    line = capcalc_cli("run", str(CORPUS / name), cwd=CORPUS).stderr
    page = st_page.open(streamlit_server).page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()
    wanted = line.removeprefix("capcalc: ").removeprefix(f"{CORPUS}/").strip()
    st_page.upload(CORPUS / name, timeout_ms=SETTLE_MS)  # a busy machine parses slowly
    expect(sidebar.get_by_test_id("stAlert")).to_have_text(wanted)
    st_page.assert_healthy()


# ------------------------------------------------------------------ what the caches hold

DASHBOARD_SOURCES = sorted((Path(__file__).resolve().parents[2] / "calc" / "dashboard").rglob(
    "*.py"))
#: What a cached function must not read: one session's state, its link, its widgets.
SESSION_STATE = {"session_state", "query_params", "context", "user"}


def _cached_functions(path: Path) -> list[ast.FunctionDef]:
    def cached(decorator: ast.expr) -> bool:
        text = ast.unparse(decorator)
        return any(word in text for word in ("cache_data", "cache_resource", "memo("))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            and any(cached(d) for d in node.decorator_list)]


def test_dashboard_caches_hold_pure_results_keyed_by_inputs() -> None:
    """Every cached function reads only its arguments: no session state, link or widget."""
    found = 0
    for path in DASHBOARD_SOURCES:
        for function in _cached_functions(path):
            found += 1
            where = f"{path.name}:{function.lineno} {function.name}"
            for node in ast.walk(function):
                if isinstance(node, ast.Attribute) and node.attr in SESSION_STATE:
                    raise AssertionError(f"{where} reads st.{node.attr}")
                if isinstance(node, ast.Global | ast.Nonlocal):
                    raise AssertionError(f"{where} writes outside itself")
            hashed = [a.arg for a in function.args.args if not a.arg.startswith("_")]
            unhashed = [a.arg for a in function.args.args if a.arg.startswith("_")]
            assert hashed or not unhashed, f"{where}: every argument is left out of the key"
    assert found >= 5, "no cached functions found: has the dashboard changed its caching?"
