"""What a link or an upload can ask of the dashboard is bounded, and said on the page.

A shared link is decoded on the server that every visitor shares. Everything it
carries is bounded in size and depth before it is parsed: a packed phase table
(``timeline=``) nested deeper than a phase table is, a packed or uploaded scenario
file nested past the YAML limits, a chain of ``base:`` scenarios past its depth
limit and a file of more scenarios than the page reads each become a notice on
the page, never an exception, and the page opens on what is usable. Any text at
all as a link parameter (hypothesis) gives a page without an exception: through
:func:`dashboard.state.parse_link` for many examples, and through the real script
(Streamlit's AppTest) for a few.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from calc.core.vocabulary import INPUTS
from calc.data.scenarios import MAX_BASE_DEPTH

from dashboard import compute, page
from dashboard.markup import plain
from dashboard.state import (
    MAX_LINK_CHARS,
    MAX_PHASES_DEPTH,
    PHASES_PARAM,
    SETTINGS,
    UPLOAD_NAME_PARAM,
    UPLOAD_PARAM,
    pack,
    parse_link,
)

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def chain(depth: int, name: str = "s") -> str:
    """A scenario file whose scenarios form one ``base:`` chain ``depth`` deep."""
    return "scenarios:\n" + "".join(
        f"  {name}{i}: {{base: {'cortex-full' if i == 0 else f'{name}{i - 1}'}}}\n"
        for i in range(depth))


def many(count: int) -> str:
    """A scenario file of ``count`` scenarios, each on cortex-full."""
    return "scenarios:\n" + "".join(f"  s{i}: {{base: cortex-full, site.pue: 1.3}}\n"
                                    for i in range(count))


#: Packed phase tables that nest deeper than a phase table: what a short link can carry.
NESTED_TIMELINES = {
    "brackets": "[" * 99_000,
    "braces": '{"a":' * 20_000,
    "inside-a-record": '[{"name": ' + "[" * 40_000 + "]" * 40_000 + "}]",
    "closed": "[" * 3_000 + "]" * 3_000,
}


def opened(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def assert_page_works(at: AppTest) -> None:
    assert not at.exception, at.exception[0].value if at.exception else ""
    assert at.metric and all(metric.value for metric in at.metric), "the result cards are gone"


def warnings_of(at: AppTest) -> list[str]:
    return [warning.value for warning in at.warning]


@pytest.mark.parametrize("text", list(NESTED_TIMELINES.values()), ids=list(NESTED_TIMELINES))
def test_a_deeply_nested_timeline_link_is_a_notice(text: str) -> None:
    blob = pack(text)
    assert len(blob) < MAX_LINK_CHARS  # a short link
    at = opened({"scenario": "cortex-buildout", PHASES_PARAM: blob})
    assert_page_works(at)
    assert at.selectbox(key="w:__preset").value == "cortex-buildout"
    said = [w for w in warnings_of(at) if plain("link: timeline: nests") in w]
    assert said and plain(f"reads at most {MAX_PHASES_DEPTH}") in said[0], warnings_of(at)
    assert "\n" not in said[0]


def test_a_phase_table_at_its_own_depth_still_travels() -> None:
    """The bound is above what the page writes: a real table with every field opens."""
    records = [{"name": "A", "start": "2025-01", "facility_power_mw": 200.0,
                "delay_months": {"value": 2, "low": 0, "high": 9}, "accelerator": "H100"},
               {"name": "B", "start": "2026-06", "facility_power_mw": 400.0}]
    at = opened({"scenario": "cortex-buildout", PHASES_PARAM: pack(json.dumps(records))})
    assert_page_works(at)
    assert not [w for w in warnings_of(at) if "timeline" in w], warnings_of(at)


@pytest.mark.parametrize(("text", "says"), [
    (chain(40), f"is more than {MAX_BASE_DEPTH} scenarios deep"),
    (chain(800), f"at most {compute.MAX_UPLOAD_SCENARIOS:,} are read"),
    ("a: " + "[" * 20_000, "nesting deeper than 32 levels"),
    (many(compute.MAX_UPLOAD_SCENARIOS + 1), f"at most {compute.MAX_UPLOAD_SCENARIOS:,} are read"),
], ids=["deep-chain", "chain-800", "deep-yaml", "many-scenarios"])
def test_a_link_carrying_a_costly_upload_is_a_notice(text: str, says: str) -> None:
    blob = pack(text)
    assert len(blob) <= MAX_LINK_CHARS
    at = opened({UPLOAD_PARAM: blob, UPLOAD_NAME_PARAM: "mine.yaml"})
    assert_page_works(at)
    assert at.selectbox(key="w:__preset").value == page.default_preset()
    assert any(plain(says) in w for w in warnings_of(at)), warnings_of(at)


@pytest.fixture(scope="module")
def session() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    return at


@pytest.mark.parametrize(("text", "says"), [
    (chain(40), f"is more than {MAX_BASE_DEPTH} scenarios deep"),
    (chain(3_000), f"at most {compute.MAX_UPLOAD_SCENARIOS:,} are read"),
    ("a: " + "[" * 200_000, "nesting deeper than 32 levels"),
    (many(compute.MAX_UPLOAD_SCENARIOS + 1), f"at most {compute.MAX_UPLOAD_SCENARIOS:,} are read"),
], ids=["chain-40", "chain-3000", "deep-yaml", "many-scenarios"])
def test_an_upload_past_a_bound_is_one_line_and_the_page_goes_on(session: AppTest, text: str,
                                                                  says: str) -> None:
    at = session.file_uploader(key="w:__upload").set_value(
        ("mine.yaml", text.encode("utf-8"), "application/x-yaml")).run()
    assert_page_works(at)
    errors = [error.value for error in at.error]
    assert len(errors) == 1 and plain(says) in errors[0], errors
    assert errors[0].startswith(plain("mine.yaml: ")) and "\n" not in errors[0]


def test_an_upload_at_the_bounds_is_read(session: AppTest) -> None:
    depth = MAX_BASE_DEPTH - 2  # on cortex-full, itself on cortex-phase1
    text = many(compute.MAX_UPLOAD_SCENARIOS - depth) + chain(depth, "c").removeprefix(
        "scenarios:\n")
    at = session.file_uploader(key="w:__upload").set_value(
        ("mine.yaml", text.encode("utf-8"), "application/x-yaml")).run()
    assert_page_works(at)
    assert not at.error, [error.value for error in at.error]
    assert at.selectbox(key="w:__preset").value == "s0"


# ------------------------------------------------------------------ any text as a parameter

#: Parameters the page reads, and some it does not.
KEYS = [PHASES_PARAM, UPLOAD_PARAM, UPLOAD_NAME_PARAM, "scenario", *SETTINGS, "site.pue",
        "hardware.accelerator", "timeline[0].facility_power_mw", "timeline[0].delay_months",
        "timeline[99].start", "x", ""]
#: A link's bytes as the page receives them: percent-decoded as UTF-8, invalid bytes replaced.
LINK_TEXT = st.one_of(
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "replace")),
    st.text(max_size=300),
    st.sampled_from([pack("[" * 5_000), pack("a: " + "[" * 5_000), pack(chain(40)),
                     pack(json.dumps([{"name": "A", "start": "2025-01"}] * 101)), "null",
                     "1e400", "{value:0,low:0,high:12}", "\x00", "\u2028", "\ufeff"]),
)
PARAMS = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.sampled_from(list(INPUTS)),
                                   st.text(max_size=40)),
                         st.lists(LINK_TEXT, min_size=1, max_size=2), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARAMS)
@example({PHASES_PARAM: [pack("[" * 99_000)]})
@example({UPLOAD_PARAM: [pack(chain(900))], "scenario": ["s899"]})
@example({"timeline[0].delay_months": ["{value:0,low:0,high:12}"], "scenario": ["cortex-buildout"]})
def test_any_text_as_link_parameters_is_read_without_an_exception(
        params: dict[str, list[str]]) -> None:
    shipped = compute.shipped_library()
    state, library = parse_link(shipped, params, page.default_preset(),
                                check_upload=compute.check_upload,
                                default_phases=compute.default_phases)
    assert state.preset in library.definitions
    for warning in state.warnings:
        assert "\n" not in warning and len(warning) < 1_000, warning


@pytest.mark.slow
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.dictionaries(st.sampled_from(KEYS), LINK_TEXT, min_size=1, max_size=3))
def test_any_text_as_link_parameters_gives_a_page_without_an_exception(
        params: dict[str, str]) -> None:
    at = opened(params)
    assert_page_works(at)
    for warning in warnings_of(at):
        assert "\n" not in warning
