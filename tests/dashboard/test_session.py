"""The session's state survives its link: any valid state → link → state is equal.

A state is what :class:`calc.dashboard.session.Session` holds that a user chose:
the preset (a shipped scenario or one of an uploaded file), the inputs changed
from it, the edited build-out phases, the views' settings and the uploaded file.
The page writes it into the address bar with :func:`calc.dashboard.link.link_params`
(and :func:`~calc.dashboard.link.phase_params`) and a new session reads it back with
:func:`~calc.dashboard.link.parse_link`; these tests run both on states drawn by
hypothesis and compare the session opened from the link with the one that wrote it,
field by field, and their cache keys.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import calc
from calc.core.errors import CapcalcError
from calc.core.phases import Phase
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.dashboard.compute.scenario import (
    check_upload,
    default_phases,
    default_preset,
    results,
    shipped_library,
)
from calc.dashboard.keys import NO_UPLOAD, StateKey
from calc.dashboard.link import (
    MAX_PINS,
    link_params,
    parse_link,
    phase_params,
    phases_from_records,
    value_text,
)
from calc.dashboard.session import Session
from calc.dashboard.settings import SWEEP_INPUTS, VIEWS, Settings

#: A scenario file a user might upload: two scenarios, one on the other.
UPLOAD = ("mine.yaml", "scenarios:\n"
          "  mine: {base: cortex-full, site.pue: 1.25}\n"
          "  mine-gb200: {base: mine, hardware.accelerator: GB200}\n")
#: Inputs the draws change, each within its widget's practical range.
NUMBERS = ("site.pue", "training.mfu", "training.run_days", "cost.wacc")


def _link(session: Session) -> dict[str, str]:
    """The query parameters the page writes for ``session`` (as :func:`page.mirror_link`)."""
    key = session.key
    phases: dict[str, str] = {}
    if session.phases is not None:
        library = check_upload(*_bytes(session.upload)) if session.upload[1] else \
            shipped_library()
        phases = phase_params(default_phases(library, key.preset, dict(key.sets)) or (),
                              session.phases)
    return link_params(key.preset, key.sets, default_preset(), settings=session.settings,
                       phases=phases, upload=session.upload, pins=session.pins)


def _bytes(upload: tuple[str, str]) -> tuple[str, bytes]:
    return upload[0], upload[1].encode("utf-8")


def _reopened(params: dict[str, str]) -> Session:
    """The session a new visitor gets from the link ``params`` (as :func:`page.read_link`)."""
    link, _library = parse_link(shipped_library(), {k: [v] for k, v in params.items()},
                                default_preset(), check_upload=check_upload,
                                default_phases=default_phases)
    assert link.warnings == [], link.warnings
    return Session.from_link(link)


def _same(a: Session, b: Session) -> None:
    assert (a.preset, a.sets, a.settings, a.phases, a.upload, a.pins) == \
        (b.preset, b.sets, b.settings, b.phases, b.upload, b.pins)
    assert a.key == b.key and hash(a.key) == hash(b.key)


# ------------------------------------------------------------------ strategies


@st.composite
def changed_inputs(draw: Any) -> dict[str, str]:
    """Some inputs set to values within their practical range, as the link writes them."""
    sets = {}
    for key in draw(st.lists(st.sampled_from(NUMBERS), unique=True, max_size=3)):
        spec = INPUTS[key]
        assert spec.widget is not None
        low, high = spec.widget
        number = draw(st.floats(min_value=max(low, 1e-3), max_value=high,
                                allow_nan=False, allow_infinity=False))
        sets[key] = value_text(round(number, spec.decimals or 0))
    if draw(st.booleans()):
        sets["hardware.accelerator"] = draw(st.sampled_from(("H100", "GB200", "B200")))
    return sets


@st.composite
def view_settings(draw: Any) -> Settings:
    """Any settings the views can hold."""
    codecs = Settings.codecs()

    def whole(name: str) -> int:
        return int(draw(st.integers(codecs[name].lower, codecs[name].upper)))

    def number(name: str) -> float:
        return float(draw(st.floats(codecs[name].lower, codecs[name].upper)))

    return Settings(view=draw(st.sampled_from([name for name, _ in VIEWS])),
                    until=whole("until"), samples=whole("samples"), seed=whole("seed"),
                    output=draw(st.sampled_from(("", *OUTPUTS))), sobol=draw(st.booleans()),
                    fan=draw(st.booleans()), slip=draw(st.booleans()),
                    probability=whole("probability"),
                    sweep_x=draw(st.sampled_from(SWEEP_INPUTS)), sweep_x_low=number(
                        "sweep_x_low"), sweep_x_high=number("sweep_x_high"),
                    sweep_y=draw(st.sampled_from(SWEEP_INPUTS)),
                    sweep_y_low=number("sweep_y_low"), sweep_y_high=number("sweep_y_high"),
                    sweep_steps=whole("sweep_steps"),
                    sweep_output=draw(st.sampled_from(tuple(OUTPUTS))),
                    by=draw(st.one_of(st.just(""), st.builds(
                        lambda y, m: f"{y}-{m:02d}", st.integers(int(codecs["by"].lower),
                                                                 int(codecs["by"].upper)),
                        st.integers(1, 12)))))


@st.composite
def edited_phases(draw: Any, default: tuple[Phase, ...]) -> tuple[Phase, ...] | None:
    """None (not edited), a field edit of some rows, or a row removed (packed whole)."""
    kind = draw(st.sampled_from(("none", "fields", "rows")))
    if kind == "none" or not default:
        return None
    if kind == "rows" and len(default) > 1:
        drop = draw(st.integers(0, len(default) - 1))
        return tuple(p for i, p in enumerate(default) if i != drop)
    i = draw(st.integers(0, len(default) - 1))
    power = float(draw(st.integers(1, 2_000)))
    delay = draw(st.integers(0, 24))
    edited = replace(default[i], facility_power_mw=power, delay_months=delay,
                     delay_low=None, delay_high=None)
    return (*default[:i], edited, *default[i + 1:])


@st.composite
def sessions(draw: Any) -> Session:
    """A valid state: its scenario runs, its phases are an edit of the scenario's own."""
    upload = draw(st.sampled_from((NO_UPLOAD, UPLOAD)))
    names = list(shipped_library().names) + (["mine", "mine-gb200"] if upload[1] else [])
    preset = draw(st.sampled_from(names))
    sets = draw(changed_inputs())
    try:
        results(StateKey(upload, preset, tuple(sorted(sets.items()))))
        library = check_upload(*_bytes(upload)) if upload[1] else shipped_library()
        default = default_phases(library, preset, sets) or ()
    except CapcalcError:
        assume(False)
        raise
    phases = draw(edited_phases(default))
    assume(phases != default)
    if phases is not None:  # a table the page accepts: checked as a scenario file's is
        try:
            phases_from_records([p.to_dict() for p in phases],
                                catalog=library.baseline.catalog, file="drawn")
        except CapcalcError:
            assume(False)
    pins = tuple(dict.fromkeys(
        (draw(st.sampled_from(names)), tuple(sorted(draw(changed_inputs()).items())))
        for _ in range(draw(st.integers(0, MAX_PINS)))))
    for pin_preset, pin_sets in pins:
        try:
            results(StateKey(upload, pin_preset, pin_sets))
        except CapcalcError:
            assume(False)
    return Session(preset=preset, sets=sets, settings=draw(view_settings()), phases=phases,
                   upload=upload, pins=pins)


# ------------------------------------------------------------------ the round trip


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(sessions())
def test_any_valid_state_survives_its_link(session: Session) -> None:
    params = _link(session)
    reopened = _reopened(params)
    _same(session, reopened)
    assert _link(reopened) == params, "the reopened session writes the same link"


def test_the_opening_state_needs_no_link() -> None:
    session = Session(preset=default_preset())
    assert _link(session) == {}
    _same(session, _reopened({}))


@pytest.mark.parametrize("kind", ["fields", "rows"])
def test_phase_edits_travel_as_fields_or_packed(library: calc.Library, kind: str) -> None:
    default = library.scenario("cortex-buildout").timeline
    assert default is not None and len(default) > 2
    between = (default[0].facility_power_mw + default[2].facility_power_mw) / 2
    phases = (*default[:1], replace(default[1], facility_power_mw=between), *default[2:]) \
        if kind == "fields" else default[1:]
    session = Session(preset="cortex-buildout", phases=phases)
    params = _link(session)
    assert ("timeline" in params) == (kind == "rows"), params
    _same(session, _reopened(params))


def test_equal_states_share_one_cache_key() -> None:
    a = Session(preset="cortex-full", sets={"site.pue": "1.3", "training.mfu": "0.4"})
    b = Session(preset="cortex-full", sets={"training.mfu": "0.4", "site.pue": "1.3"})
    assert a.key == b.key and hash(a.key) == hash(b.key)
    assert {a.key: 1}[b.key] == 1
    assert a.key != replace(b, preset="tenfold").key
