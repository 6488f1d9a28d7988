"""Compare's pinned variants: a variant pinned stays beside the others while the user tries
more, with the numbers ``calc.run`` gives it; the link carries the pins; a bad pin in a link
is a notice, never a crash."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings
from streamlit.testing.v1 import AppTest

import calc
from calc.dashboard.link import MAX_PINS, PINS_PARAM, parse_pins, pins_text
from calc.dashboard.session import STATE_KEY

from tests.dashboard.pages import open_page

GB200 = ("hardware.accelerator", "GB200")


def _table(at: AppTest) -> str:
    return next(str(m.value) for m in at.markdown if str(m.value).startswith("| |"))


def _header(at: AppTest) -> list[str]:
    """The scenarios the comparison table lists, in order (its header row)."""
    head = _table(at).splitlines()[0]
    return [cell.strip().strip("*") for cell in head.split("|")[2:-1]]


def _column(at: AppTest, name: str) -> str:
    """The comparison table's cells of scenario ``name``."""
    table = _table(at)
    names = _header(at)
    rows = table.splitlines()[2:]
    return " ".join(row.split("|")[2 + names.index(name)] for row in rows)


def test_a_pinned_variant_stays_while_the_user_tries_another(library: calc.Library) -> None:
    at = open_page({"scenario": "cortex-full", "hardware.accelerator": "GB200"})
    before = _header(at)
    at.button(key="compare:pin").click().run()
    assert at.query_params[PINS_PARAM] == "cortex-full;hardware.accelerator=GB200"
    at.slider(key="w:site.pue").set_value(1.4).run()
    assert not at.exception
    shown = _header(at)
    assert len(shown) == len(before) + 1, "the pinned variant joins the comparison"
    pinned_name = shown[-1]
    assert pinned_name == "500 MW of GB200", "named by what the site is, as the page titles it"
    expected = calc.run(library, "cortex-full", [GB200])
    column = _column(at, pinned_name)
    multiple = f"{expected['compute_multiple']:.3g}"
    assert multiple in column, (multiple, column)
    assert at.button(key="compare:pin").disabled is False, "the new variant can be pinned too"
    at.slider(key="w:site.pue").set_value(1.3).run()
    at.button(key="compare:pin").click().run()  # shown as the current one until it changes
    at.slider(key="w:site.pue").set_value(1.25).run()
    assert _header(at)[-2:] == ["500 MW of GB200", "500 MW of GB200 (2)"], \
        "a second site alike gets a name of its own"
    # the link opens the same comparison
    again = open_page(dict(at.query_params))
    assert _header(again) == _header(at)
    # unpinning takes one out, and out of the link
    first = "cortex-full;hardware.accelerator=GB200"
    again.button(key=f"compare:unpin:{first}").click().run()
    assert again.query_params[PINS_PARAM] == "cortex-full;hardware.accelerator=GB200;site.pue=1.3"
    assert _header(again)[-1] == "500 MW of GB200", "the other keeps its place, now alone"


def test_the_pin_button_is_off_where_pinning_adds_nothing() -> None:
    at = open_page({})
    assert at.button(key="compare:pin").disabled is False, "the opening scenario can be pinned"
    at.button(key="compare:pin").click().run()
    assert at.button(key="compare:pin").disabled is True, "already pinned"
    tenfold = open_page({"scenario": "tenfold"})  # a reference scenario: always compared
    assert tenfold.button(key="compare:pin").disabled is True


def test_a_bad_pin_in_a_link_is_a_notice_and_the_rest_stand() -> None:
    raw = "|".join(["cortex-full;hardware.accelerator=GB200", "nowhere",
                    "cortex-full;site.pue=7", "cortex-full;oops", "tenfold;site.pue=1.3",
                    "cortex-phase1;site.pue=1.25", "cortex-phase1;site.pue=1.3"])
    at = open_page({PINS_PARAM: raw})
    pins = at.session_state[STATE_KEY].pins
    assert pins == (("cortex-full", (GB200,)),), "of the first four, the one that reads"
    notices = " ".join(str(w.value) for w in at.warning)
    assert "nowhere" in notices and "site.pue" in notices and "not key=value" in notices
    assert f"at most {MAX_PINS}" in notices


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["cortex-phase1", "cortex-full", "tenfold"]),
                          st.dictionaries(st.sampled_from(["site.pue", "training.mfu"]),
                                          st.sampled_from(["1.1", "1.3", "0.35", "0.4"]))),
                max_size=MAX_PINS))
def test_pins_read_back_as_written(library: calc.Library,
                                   raw: list[tuple[str, dict[str, str]]]) -> None:
    pins = []
    for preset, sets in raw:
        sets = {k: v for k, v in sets.items()
                if (k == "site.pue") == (float(v) > 1)}  # values each input takes
        pin = (preset, tuple(sorted(sets.items())))
        if pin not in pins:
            pins.append(pin)
    notes: list[str] = []
    assert parse_pins(library, pins_text(pins), notes) == tuple(pins)
    assert notes == []
