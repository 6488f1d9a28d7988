"""The dashboard's Timeline & target tab through Streamlit's AppTest (the real app, headless)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.analysis.timeline import run_timeline
from calc.core.errors import CapcalcError
from calc.presentation.tables.timeline import timeline_table

from dashboard import app
from dashboard.tabs import timeline as tab

APP = Path(app.__file__)
TIMEOUT_S = 120


def _open(scenario: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params["scenario"] = scenario
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def _solve(at: AppTest, key: str, target: float, by: str | None = None) -> None:
    at.selectbox(key="tl:solve-key").set_value(key)
    at.number_input(key="tl:solve-target").set_value(target)
    if by:
        at.text_input(key="tl:solve-by").set_value(by)
    next(b for b in at.button if b.label == "Solve").click()
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""


def test_the_tab_shows_the_reach_date_the_cli_computes():
    at = _open("cortex-buildout")
    library = calc.load()
    timeline = run_timeline(library, library.scenario("cortex-buildout"), until="2030-12")
    assert _metric(at, "10× reached") == timeline.target_reached
    assert _metric(at, "Multiple in 2030-12") == f"{timeline.final_multiple:.3g}×"
    assert any("Low confidence: Cortex 2 first phase" in c.value for c in at.caption)


def test_solving_an_input_and_applying_it_changes_the_scenario():
    at = _open("cortex-phase1")
    _solve(at, "site.facility_power_mw", 10.0)
    assert any("site.facility_power_mw = 1.00 GW" in s.value for s in at.success)
    next(b for b in at.button if b.key == "tl:apply").click()
    at.run()
    assert not at.exception
    assert at.session_state["sets"] == {"site.facility_power_mw": "1000"}
    assert _metric(at, "Compute multiple") == "10.0×"


def test_solving_a_phase_and_applying_it_moves_the_reach_date():
    at = _open("cortex-buildout")
    _solve(at, "timeline[3].facility_power_mw", 10.0, by="2027-12")
    assert any("timeline[3].facility_power_mw = 602 MW" in s.value for s in at.success)
    next(b for b in at.button if b.key == "tl:apply").click()
    at.run()
    assert not at.exception
    assert _metric(at, "10× reached") == "2026-07"  # when the enlarged last phase begins


def test_no_solution_is_one_line_not_a_crash():
    at = _open("cortex-phase1")
    _solve(at, "training.mfu", 10.0)
    (warning,) = [w.value for w in at.warning]
    assert "closest is 2.5" in warning and "\n" not in warning


def test_a_scenario_without_a_timeline_borrows_the_shipped_one():
    at = _open("cortex-full")
    assert any("has no build-out timeline" in i.value for i in at.info)
    assert _metric(at, "10× reached") == "2028-10"


def test_edited_rows_are_checked_like_a_scenario_file():
    catalog = calc.load().baseline.catalog
    rows = [{"name": "a", "start": "2025-01", "facility_power_mw": 100, "accelerator":
             "(scenario's chip)", "delay_months": 0.0, "refresh": False},
            {"name": "b", "start": "2026-01", "facility_power_mw": 300.0, "accelerator":
             "latest", "delay_months": 3.0, "refresh": True, "confidence": None},
            {"name": None, "start": None, "facility_power_mw": None}]  # an empty added row
    first, second = tab.phases_from_rows(rows, catalog=catalog)
    assert first.accelerator is None and second.delay_months == 3 and second.refresh
    with pytest.raises(CapcalcError, match=r"phase table.*cannot fall"):
        tab.phases_from_rows([rows[1], {**rows[0], "name": "c", "start": "2027-01"}],
                             catalog=catalog)
    with pytest.raises(CapcalcError, match="row 1"):
        tab.phases_from_rows([{**rows[0], "start": "Jan 2025"}], catalog=catalog)


def test_the_interactive_specs_carry_the_tables_data():
    library = calc.load()
    table = timeline_table(run_timeline(library, library.scenario("cortex-buildout")))
    spec = tab.timeline_spec(table)
    json.dumps(spec)  # plain data, as st.vega_lite_chart takes it
    area = spec["layer"][0]["layer"][0]["data"]["values"]
    total = sum(r["h100e"] for r in area if r["month"] == "2030-12-01")
    assert total == pytest.approx(table.columns["h100_equivalents"][-1], rel=1e-12)
    power = spec["layer"][1]["data"]["values"]
    assert [r["power"] for r in power] == list(table.columns["facility_power_mw"])
