"""The dashboard's Timeline & target view through Streamlit's AppTest (the real app, headless)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.analysis.reach import reach
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.timeline import run_timeline
from calc.core.errors import CapcalcError
from calc.dashboard import APP
from calc.dashboard.session import STATE_KEY
from calc.dashboard.views import phase_table
from calc.presentation.charts.timeline import FACILITY_POWER, timeline_chart
from calc.presentation.vega import vega_specs

TIMEOUT_S = 120


def _open(scenario: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params["scenario"] = scenario
    at.query_params["view"] = "timeline"
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


def test_the_tab_shows_the_reach_date_the_cli_computes(peers):
    """As `capcalc timeline cortex-buildout`: announced phases slip by Tesla's record, the
    date is the sampled median with its range, the month at central values beside it, and
    the build-out above Tesla's pace is a warning."""
    at = _open("cortex-buildout")
    library = calc.load()
    answer = reach(library, library.scenario("cortex-buildout"), peers)
    timeline = answer.timeline
    assert _metric(at, "10× at central values") == (timeline.target_reached or "not by 2030-12")
    assert _metric(at, "10× reached (median)") == answer.months[1]
    final = f"{timeline.final_multiple:.3g}×"
    assert _metric(at, "Multiple in 2030-12 (effective FLOP/s)") == final
    assert any("Low confidence: Cortex 2 first phase" in c.value for c in at.caption)
    assert any("the build-out reaches 10× in" in c.value and "at central values" in c.value
               and "At Tesla's own pace" in c.value for c in at.caption)
    assert any(w.value.startswith("Warning: the modelled build-out runs above Tesla's")
               for w in at.warning)


def test_a_phase_s_own_mfu_in_the_link_matches_the_cli(capcalc_cli):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params.update({"scenario": "cortex-buildout", "view": "timeline",
                            "timeline[3].mfu": "0.25", "timeline[3].precision": "fp8"})
    at.run()
    assert not at.exception and not at.error
    doc = json.loads(capcalc_cli("timeline", "cortex-buildout", "--format", "json",
                                 "--set", "timeline[3].mfu=0.25",
                                 "--set", "timeline[3].precision=fp8").stdout)
    assert _metric(at, "Multiple in 2030-12 (effective FLOP/s)") == \
        f"{doc['final_multiple']:.3g}×"
    plain = run_timeline(calc.load(), calc.load().scenario("cortex-buildout"))
    assert f"{doc['final_multiple']:.3g}" != f"{plain.final_multiple:.3g}", \
        "the phase's MFU and precision change the answer"
    assert at.query_params["timeline[3].mfu"] == "0.25"


def test_the_horizon_is_a_setting_of_the_link():
    at = _open("cortex-buildout")
    at.number_input(key="tl:horizon").set_value(2035).run()
    assert at.query_params["until"] == "2035"
    assert any(m.label.startswith("Multiple in 2035-12") for m in at.metric)


def test_the_farthest_horizon_draws_every_chip_generation_in_its_own_colour():
    """To 2060 the build-out installs more chip generations than the palette has colours;
    the chart still draws, each generation in a colour of its own."""
    at = _open("cortex-buildout")
    at.number_input(key="tl:horizon").set_value(2060).run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    scales = [layer["encoding"]["color"]["scale"] for chart in at.get("vega_lite_chart")
              for layer in _layers(json.loads(chart.proto.spec))
              if "scale" in layer.get("encoding", {}).get("color", {})]
    widest = max(scales, key=lambda scale: len(scale["domain"]))
    assert len(widest["domain"]) > 12
    assert len(set(widest["range"])) == len(widest["domain"])


def _layers(spec: dict) -> list[dict]:
    """Every layer of a spec, nested ones included."""
    found = []
    for layer in spec.get("layer", []):
        found += [layer, *_layers(layer)]
    return found


def test_solving_an_input_and_applying_it_changes_the_scenario():
    at = _open("cortex-phase1")
    _solve(at, "site.facility_power_mw", 10.0)
    assert any("site.facility_power_mw = " in s.value for s in at.success)
    next(b for b in at.button if b.key == "tl:apply").click()
    at.run()
    assert not at.exception
    power = at.session_state[STATE_KEY].sets["site.facility_power_mw"]
    assert at.query_params["site.facility_power_mw"] == power
    assert _metric(at, "Compute multiple (effective FLOP/s)") == "10× of 10×"


def test_solving_a_phase_and_applying_it_moves_the_reach_date(peers):
    at = _open("cortex-buildout")
    _solve(at, "timeline[3].facility_power_mw", 20.0, by="2027-12")
    (success,) = [s.value for s in at.success]
    assert "timeline[3].facility_power_mw = " in success
    next(b for b in at.button if b.key == "tl:apply").click()
    at.run()
    assert not at.exception
    phases = at.session_state[STATE_KEY].phases
    library = calc.load()
    timeline = run_timeline(library, library.scenario("cortex-buildout"), until="2030-12",
                            phases=with_slip(phases, default_slip(
                                peers, operator=library.story.operator)))
    assert _metric(at, f"{timeline.target:g}× at central values") == timeline.target_reached
    multiple = float(timeline.series["compute_multiple"][timeline.months.index("2027-12")])
    assert multiple == pytest.approx(20.0, rel=1e-3)


def test_no_solution_is_one_line_not_a_crash():
    at = _open("cortex-phase1")
    _solve(at, "training.mfu", 10.0)
    (warning,) = [w.value for w in at.warning if "closest is" in w.value]
    assert "\n" not in warning


def test_a_scenario_without_a_timeline_borrows_the_shipped_one(peers):
    at = _open("cortex-full")
    assert any("has no build-out timeline" in i.value for i in at.info)
    library = calc.load()
    timeline = run_timeline(library, library.scenario("cortex-full"), until="2030-12",
                            phases=with_slip(library.scenario("cortex-buildout").timeline,
                                             default_slip(
                                                 peers, operator=library.story.operator)))
    assert _metric(at, f"{timeline.target:g}× at central values") == timeline.target_reached


def test_edited_rows_are_checked_like_a_scenario_file():
    catalog = calc.load().baseline.catalog
    rows = [{"name": "a", "start": "2025-01", "facility_power_mw": 100, "accelerator":
             "(scenario's chip)", "delay_months": 0.0, "refresh": False},
            {"name": "b", "start": "2026-01", "facility_power_mw": 300.0, "accelerator":
             "latest", "delay_months": 3.0, "refresh": True, "confidence": None},
            {"name": None, "start": None, "facility_power_mw": None}]  # an empty added row
    first, second = phase_table.phases_from_rows(rows, catalog=catalog)
    assert first.accelerator is None and second.delay_months == 3 and second.refresh
    with pytest.raises(CapcalcError, match=r"phase table.*cannot fall"):
        phase_table.phases_from_rows([rows[1], {**rows[0], "name": "c", "start": "2027-01"}],
                             catalog=catalog)
    with pytest.raises(CapcalcError, match="row 1"):
        phase_table.phases_from_rows([{**rows[0], "start": "Jan 2025"}], catalog=catalog)


def test_the_interactive_specs_carry_the_tables_data():
    library = calc.load()
    chart = timeline_chart(run_timeline(library, library.scenario("cortex-buildout")))
    table = chart.table
    spec, _multiple = vega_specs(chart)
    json.dumps(spec)  # plain data, as st.vega_lite_chart takes it
    area = next(rows for rows in spec["datasets"].values() if rows and "hi" in rows[0])
    top = max(r["hi"] for r in area if r["x"] == "2030-12-01")
    assert top == pytest.approx(table.columns["h100_equivalents"][-1], rel=1e-12)
    power = next(rows for rows in spec["datasets"].values()
                 if rows and rows[0].get("series") == FACILITY_POWER)
    assert [r["y"] for r in power] == list(table.columns["facility_power_mw"])
