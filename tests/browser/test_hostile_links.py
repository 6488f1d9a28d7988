"""Links and uploads built to exhaust the server, in real Chromium: a notice, never an exception.

A short link whose ``timeline=`` unpacks to brackets nested a hundred thousand
deep, a link carrying an uploaded file with a chain of ``base:`` scenarios past
the depth limit or YAML nested past the loader's, and the same files uploaded
through the sidebar: each opens a whole page (its cards, no ``stException``, no
JavaScript error) with a notice saying what was left out. And any byte string
at all, percent-encoded as a link parameter's name or value, opens a page
without an exception (hypothesis, a few examples per run: each opens a browser
session). A hang fails on the harness's timeouts.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, expect

from calc.data.scenarios import MAX_BASE_DEPTH

from dashboard.state import PHASES_PARAM, UPLOAD_NAME_PARAM, UPLOAD_PARAM, pack
from tests.browser.harness import StreamlitPage
from tests.test_link_bounds import chain

#: What a notice about the link must say, by case.
LINKS = {
    "nested-timeline": ({"scenario": "cortex-buildout", PHASES_PARAM: pack("[" * 99_000)},
                        "link: timeline: nests 99,000 levels deep"),
    "deep-chain-upload": ({UPLOAD_PARAM: pack(chain(40)), UPLOAD_NAME_PARAM: "mine.yaml"},
                          f"is more than {MAX_BASE_DEPTH} scenarios deep"),
    "nested-yaml-upload": ({UPLOAD_PARAM: pack("a: " + "[" * 20_000),
                            UPLOAD_NAME_PARAM: "mine.yaml"}, "nesting deeper than 32 levels"),
}


def opened(browser: Browser, url: str) -> StreamlitPage:
    context = browser.new_context()
    return StreamlitPage(context.new_page()).open(url)


def assert_whole(st_page: StreamlitPage) -> None:
    st_page.assert_healthy()
    expect(st_page.page.get_by_test_id("stMetric").first).to_be_visible()


@pytest.mark.parametrize("case", list(LINKS))
def test_a_link_built_to_exhaust_the_server_is_a_notice(browser: Browser, streamlit_server: str,
                                                         case: str) -> None:
    params, says = LINKS[case]
    st_page = opened(browser, f"{streamlit_server}/?{urllib.parse.urlencode(params)}")
    try:
        notice = st_page.page.get_by_test_id("stAlert").filter(has_text=says)
        expect(notice).to_have_count(1)
        assert_whole(st_page)
    finally:
        st_page.page.context.close()


@pytest.mark.parametrize(("text", "says"), [
    (chain(40), f"is more than {MAX_BASE_DEPTH} scenarios deep"),
    ("a: " + "[" * 50_000 + "\n", "nesting deeper than 32 levels"),
], ids=["deep-chain", "nested-yaml"])
def test_an_upload_built_to_exhaust_the_server_is_one_line(st_page: StreamlitPage,
                                                           streamlit_server: str,
                                                           tmp_path: Path, text: str,
                                                           says: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    page = st_page.open(streamlit_server).page
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Scenario file", exact=True).click()
    st_page.upload(path)
    alert = sidebar.get_by_test_id("stAlert")
    expect(alert).to_contain_text(says)
    assert alert.inner_text().startswith("mine.yaml: "), alert.inner_text()
    assert_whole(st_page)


#: Parameter names the page reads, and bytes that are none of them.
NAMES = st.one_of(st.sampled_from([PHASES_PARAM, UPLOAD_PARAM, "scenario", "view", "samples",
                                   "until", "site.pue", "timeline[0].delay_months"]),
                  st.binary(min_size=1, max_size=20))


@pytest.mark.slow
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=NAMES, value=st.binary(max_size=200))
@example(name=PHASES_PARAM, value=b"\xff\xfe\x00[[[[")
@example(name="scenario", value=b"cortex\xe2\x80\x91full\x00\r\n%")
@example(name=b"\xc0\xaf", value=b"\xed\xa0\x80")  # overlong and surrogate UTF-8
def test_any_bytes_as_a_link_parameter_give_a_page_without_an_exception(
        browser: Browser, streamlit_server: str, name: str | bytes, value: bytes) -> None:
    key = name if isinstance(name, str) else urllib.parse.quote_from_bytes(name, safe="")
    url = f"{streamlit_server}/?{key}={urllib.parse.quote_from_bytes(value, safe='')}"
    st_page = opened(browser, url)
    try:
        assert_whole(st_page)
        for alert in st_page.page.get_by_test_id("stAlert").all():  # each notice one line
            text = alert.get_by_test_id("stMarkdownContainer").inner_text().strip()
            assert "\n" not in text, text
    finally:
        st_page.page.context.close()
