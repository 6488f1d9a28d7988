"""The analyst's questions in the dashboard (issue 11), through Streamlit's AppTest.

The real app runs headless. Each number the page shows is compared with the
``calc`` function that computes it, for the same inputs, samples and seed:
the target box's central and P50/P80/P95 answers (``solve_probability``), the
chance of the target by each month with and without the peers' slip
(``simulate_timeline``), "what if we knew" (``p_target_conditional``), owning
against leasing (``calc.run``'s outputs), and the measure the multiple is
counted in. Every setting these views add travels in the link, and a link
reopens the same view.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.confidence import solve_probability
from calc.analysis.sensitivity import p_target_conditional
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.timeline import run_timeline
from calc.core.errors import CapcalcError
from calc.core.phases import Phase
from calc.core.vocabulary import CUMULATIVE_AT_ONE_MOMENT, MEASURE_TITLES, OUTPUTS
from calc.dashboard import APP
from calc.dashboard import link as state
from calc.dashboard.link import parse_link, phase_params
from calc.dashboard.session import STATE_KEY
from calc.dashboard.views import phase_table
from calc.data.peers import load_peers
from calc.presentation.charts.scenarios import LEASED, OWNED, breakeven_text
from calc.presentation.formatting import input_title, month_text, percent
from calc.presentation.vega.render import HEADING

TIMEOUT_S = 120
EXACT = re.compile(r"Exact value: (\S+)")
SAMPLES, SEED = 2_000, 5
SLIP_RANGE = "{value: 2, low: 0, high: 12}"


def fresh(query: dict[str, str]) -> AppTest:
    """A new session of the real app opened from a link, run once."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def metric(at: AppTest, label: str) -> Any:
    found = [m for m in at.metric if m.label == label]
    assert found, f"no card {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def exact(at: AppTest, label: str) -> float:
    """The exact value a card carries in its help text."""
    found = EXACT.search(metric(at, label).help)
    assert found, f"card {label!r} carries no exact value"
    return float(found.group(1))


def unescaped(text: Any) -> str:
    return re.sub(r"\\(.)", r"\1", str(text))


def captions(at: AppTest) -> str:
    return "\n".join(unescaped(c.value) for c in at.caption)


def charts(at: AppTest) -> dict[str, tuple[dict[str, Any], list[pd.DataFrame]]]:
    """Every Vega-Lite chart on the page by its title (a chart's first spec reads it from its
    heading dataset): its spec and its datasets."""
    out = {}
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        spec = json.loads(proto.spec)
        title = spec.get("title")
        name = title.get("text") if isinstance(title, dict) else str(title)
        named = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                 for d in proto.datasets}
        if isinstance(name, dict):  # an expression: the title is data
            name = named[HEADING]["text"][0].replace("\n", " ")
        out[str(name)] = (spec, list(named.values()))
    return out


def params(at: AppTest) -> dict[str, str]:
    return dict(at.query_params)


@pytest.fixture(scope="module")
def peers() -> Any:
    return load_peers(catalog=calc.load().baseline.catalog)


# ------------------------------------------------------------------ 1. the target box


def test_the_target_box_shows_the_central_and_the_p_answers(library: calc.Library) -> None:
    sets = [("training.mfu", "0.42")]
    at = fresh({"scenario": "cortex-full", "view": "timeline", "samples": str(SAMPLES),
                "seed": str(SEED), "probability": "90", **dict(sets)})
    scenario = library.scenario("cortex-full", sets)
    target = scenario.inputs.target.compute_multiplier
    for p in (0.5, 0.8, 0.9, 0.95):
        wanted = solve_probability(library, "cortex-full", "site.facility_power_mw",
                                   "compute_multiple", target, p, sets, samples=SAMPLES,
                                   seed=SEED)
        label = "P90 (yours)" if p == 0.9 else f"P{p * 100:g}"
        assert exact(at, label) == wanted.value, label
        assert f"P(compute_multiple ≥ {target:g}) = {percent(wanted.achieved, 1)}" in \
            metric(at, label).help
    assert wanted.central is not None
    assert exact(at, "Central") == pytest.approx(wanted.central.value, rel=1e-12)
    assert exact(at, "P50") < exact(at, "P80") < exact(at, "P90 (yours)") < exact(at, "P95")
    assert "--probability 0.9 --samples 2000 --seed 5 cortex-full" in captions(at)


def test_the_p_answers_follow_the_question_asked(library: calc.Library) -> None:
    at = fresh({"scenario": "cortex-full-gb200", "view": "timeline", "samples": str(SAMPLES),
                "seed": str(SEED)})
    at.selectbox(key="tl:solve-key").set_value("training.mfu")
    next(b for b in at.button if b.label == "Solve").click()
    rerun(at)
    wanted = solve_probability(library, "cortex-full-gb200", "training.mfu", "compute_multiple",
                               10.0, 0.8, samples=SAMPLES, seed=SEED)
    assert exact(at, "P80") == wanted.value
    assert wanted.central is not None and exact(at, "Central") == pytest.approx(
        wanted.central.value, rel=1e-12)
    # a probability the user types becomes a setting of the link, and its Apply button sets it
    at.number_input(key="tl:probability").set_value(70)
    rerun(at)
    assert params(at)["probability"] == "70"
    p70 = solve_probability(library, "cortex-full-gb200", "training.mfu", "compute_multiple",
                            10.0, 0.7, samples=SAMPLES, seed=SEED)
    assert exact(at, "P70 (yours)") == p70.value
    next(b for b in at.button if b.key == "tl:apply-p").click()
    rerun(at)
    assert float(params(at)["training.mfu"]) == pytest.approx(p70.value, rel=1e-12)


def test_an_answer_that_does_not_exist_is_its_one_line() -> None:
    at = fresh({"scenario": "cortex-full", "view": "timeline", "samples": str(SAMPLES),
                "seed": "1"})
    at.selectbox(key="tl:solve-key").set_value("training.mfu")
    next(b for b in at.button if b.label == "Solve").click()
    rerun(at)
    assert metric(at, "P50").value != "—" and metric(at, "Central").value != "—"
    assert metric(at, "P80").value == "—" and metric(at, "P95").value == "—"
    lines = [unescaped(w.value) for w in at.warning
             if not unescaped(w.value).startswith("Warning: the modelled build-out runs above")]
    assert [line[:4] for line in lines] == ["P80:", "P95:"], lines
    assert all("\n" not in line and "the best is" in line for line in lines)


# ------------------------------------------------------------------ 2. the chance by month


def _reach_rows(at: AppTest) -> pd.DataFrame:
    _spec, data = next(v for k, v in charts(at).items() if k.startswith("Chance of"))
    curve = next(d for d in data if "y" in d.columns and "label" not in d.columns)
    return curve


def test_the_chance_by_month_is_the_sampled_build_out(library: calc.Library,
                                                      peers: Any) -> None:
    """By default announced phases slip by their operator's record, as `capcalc timeline`."""
    at = fresh({"scenario": "cortex-buildout", "view": "timeline", "samples": str(SAMPLES),
                "seed": str(SEED)})
    phases = with_slip(library.scenario("cortex-buildout").timeline,
                       default_slip(peers, operator=library.story.operator))
    sim = simulate_timeline(library, "cortex-buildout", samples=SAMPLES, seed=SEED,
                            until="2030-12", phases=phases)
    curve = _reach_rows(at)
    assert list(curve["y"]) == list(sim.reach_distribution().values())
    for share in (50, 80):
        month = sim.reach_month(share / 100)
        assert metric(at, f"{share} % sure by").value == (month_text(month) if month else
                                                           "not by 2030-12")
    assert metric(at, "Chance by 2030-12").value == percent(sim.p_reached_by("2030-12"))
    names = [b.label for b in at.get("download_button")]
    assert {"PNG", "SVG", "CSV"} <= set(names)


def test_the_month_picker_gives_the_chance_by_that_month(library: calc.Library,
                                                         peers: Any) -> None:
    """P(10× by the chosen month) is the sampled build-out's ``p_reached_by`` at the same
    samples and seed (``capcalc timeline``'s ``p_target_reached_by``); the month travels in
    the link, and the view's finding says the same chance."""
    at = fresh({"scenario": "cortex-buildout", "view": "timeline", "samples": str(SAMPLES),
                "seed": str(SEED)})
    phases = with_slip(library.scenario("cortex-buildout").timeline, default_slip(peers))
    sim = simulate_timeline(library, "cortex-buildout", samples=SAMPLES, seed=SEED,
                            until="2030-12", phases=phases)
    picker = at.selectbox(key="tl:by")
    assert picker.options == list(sim.months)
    for month in ("2026-01", "2030-12", "2027-06"):
        at.selectbox(key="tl:by").set_value(month).run()
        assert not at.exception
        wanted = percent(sim.p_reached_by(month))
        assert metric(at, f"P(10× by {month})").value == wanted
        assert at.query_params["by"] == month
        assert any(f"P(10× by {month}) = {wanted}" in unescaped(m.value) for m in at.markdown)
    reopened = fresh(dict(at.query_params))
    assert reopened.selectbox(key="tl:by").value == "2027-06"


def test_switching_the_slip_off_moves_the_central_run_and_the_chance(library: calc.Library
                                                                    ) -> None:
    at = fresh({"scenario": "cortex-buildout", "view": "timeline", "samples": str(SAMPLES),
                "seed": str(SEED)})
    assert at.toggle(key="tl:slip").value is True, "on by default"
    at.toggle(key="tl:slip").set_value(False)
    rerun(at)
    assert params(at)["slip"] == "0"
    phases = library.scenario("cortex-buildout").timeline
    central = run_timeline(library, library.scenario("cortex-buildout"), until="2030-12",
                           phases=phases)
    assert metric(at, f"{central.target:g}× at central values").value == central.target_reached
    sim = simulate_timeline(library, "cortex-buildout", samples=SAMPLES, seed=SEED,
                            until="2030-12", phases=phases)
    assert list(_reach_rows(at)["y"]) == list(sim.reach_distribution().values())
    assert "Announced phases slip by their operator's record" in captions(at), \
        "in the changed list"
    reopened = fresh(params(at))
    assert params(reopened) == params(at)
    assert reopened.toggle(key="tl:slip").value is False
    assert list(_reach_rows(reopened)["y"]) == list(sim.reach_distribution().values())


def test_a_phase_slip_range_travels_in_the_link(library: calc.Library) -> None:
    query = {"scenario": "cortex-buildout", "view": "timeline", "samples": str(SAMPLES),
             "seed": str(SEED), "timeline[3].delay_months": SLIP_RANGE}
    at = fresh(query)
    assert not [w for w in at.warning
                if not w.value.startswith("Warning: the modelled build-out runs above")]
    default = library.scenario("cortex-buildout").timeline
    phases = (*default[:3], replace(default[3], delay_months=2, delay_low=0, delay_high=12))
    assert at.session_state[STATE_KEY].phases == phases
    assert params(at) == query, "the page writes the slip range back as it read it"
    sim = simulate_timeline(library, "cortex-buildout", samples=SAMPLES, seed=SEED,
                            until="2030-12", phases=phases)
    assert list(_reach_rows(at)["y"]) == list(sim.reach_distribution().values())
    assert f"{default[3].name} (timeline[3]): delay months 0 → 2 (0–12)" in captions(at)
    reopened = fresh(params(at))
    assert reopened.session_state[STATE_KEY].phases == phases
    assert [m.value for m in reopened.metric] == [m.value for m in at.metric]


def test_slip_edits_of_the_table_are_checked_and_become_link_parameters(
        library: calc.Library) -> None:
    catalog = library.baseline.catalog
    default = library.scenario("cortex-buildout").timeline
    rows = phase_table._rows(default).to_dict("records")
    rows[3] = {**rows[3], "delay_months": 2.0, "delay_low": 0.0, "delay_high": 12.0}
    rows[2] = {**rows[2], "status": "announced"}
    edited = phase_table.phases_from_rows(rows, catalog=catalog)
    assert (edited[3].delay_months, edited[3].delay_low, edited[3].delay_high) == (2, 0, 12)
    assert edited[2].status == "announced"
    link = phase_params(default, edited)
    assert link == {"timeline[2].status": "announced", "timeline[3].delay_months": SLIP_RANGE}
    state_, _ = parse_link(library, {"scenario": ["cortex-buildout"],
                                     **{k: [v] for k, v in link.items()}},
                           library.baseline_name(), check_upload=lambda *a: library,
                           default_phases=lambda lib, name, sets: lib.scenario(name).timeline)
    assert state_.phases == edited and not state_.warnings
    # removing the range again is an edit of the same field
    back = (*edited[:3], replace(edited[3], delay_low=None, delay_high=None))
    assert phase_params(default, back)["timeline[3].delay_months"] == "2"
    with pytest.raises(CapcalcError, match="low and the high"):
        phase_table.phases_from_rows([{**rows[3], "delay_high": None}], catalog=catalog)
    with pytest.raises(CapcalcError, match="must hold the value"):
        phase_table.phases_from_rows([{**rows[0], "delay_months": 5.0, "delay_low": 0.0,
                                        "delay_high": 3.0}], catalog=catalog)
    assert state.delay_text(Phase("p", "2026-07", 500.0)) == "0"


# ------------------------------------------------------------------ 3. what if we knew


def test_what_if_we_knew_is_the_conditional_chance(library: calc.Library) -> None:
    at = fresh({"scenario": "tenfold", "view": "uncertainty", "samples": str(SAMPLES),
                "seed": str(SEED)})
    wanted = p_target_conditional(library, "tenfold", samples=SAMPLES, seed=SEED)
    _spec, data = next(v for k, v in charts(at).items() if "if each input were known" in k)
    bars = next(d for d in data if "category" in d.columns)
    moved = [row for row in wanted.pinned if row.swing > 0]
    assert moved and len(bars) == 2 * len(moved)
    for row in moved:
        mine = bars[bars["category"] == input_title(row.parameter.key, row.parameter.side)]
        ends = mine.set_index("series")["end"].to_dict()
        assert ends == {"input known to be at its low": row.p_low,
                        "input known to be at its high": row.p_high}
    assert (bars["start"] == wanted.p_target).all()
    assert "What if we knew" in [s.value for s in at.subheader]
    assert any(b.key == "dl-unc-whatif-png" for b in at.get("download_button"))


def test_what_if_we_knew_says_so_when_nothing_would_move_the_chance() -> None:
    at = fresh({"view": "uncertainty", "samples": str(SAMPLES)})
    assert any("Knowing no single input would move" in i.value for i in at.info)


# ------------------------------------------------------------------ 4. owning against leasing


def test_owning_against_leasing(library: calc.Library) -> None:
    sets = [("cost.cloud_usd_per_accelerator_hour", "1.5")]
    at = fresh({"scenario": "cortex-full", "view": "cost", **dict(sets)})
    outputs = calc.run(library, "cortex-full", sets).outputs
    for name, label in (("annualized_cost_usd", "Owned, per year"),
                        ("cloud_cost_per_year_usd", "Leased all year"),
                        ("cost_per_run_usd", "Owned, per run"),
                        ("cloud_cost_per_run_usd", "Leased, per run"),
                        ("lease_breakeven_utilisation", "Break-even utilisation")):
        assert exact(at, label) == outputs[name], label
    words = breakeven_text(outputs["lease_breakeven_utilisation"])
    assert any(words[1:] in unescaped(m.value) for m in at.markdown), words
    assert words.startswith("owning is cheaper above ")
    _spec, data = charts(at)["Owning against leasing the same fleet"]
    bars = data[0]
    mine = bars[bars["category"] == "cortex-full (changed)"].set_index("series")["end"]
    assert mine.to_dict() == {OWNED: outputs["annualized_cost_usd"],
                              LEASED: outputs["cloud_cost_per_year_usd"]}
    assert any(b.key == "dl-lease-csv" for b in at.get("download_button"))


# ------------------------------------------------------------------ 5. the measure


@pytest.mark.parametrize("measure", ["training_flop_per_run", "cumulative_training_flop"])
def test_the_multiple_says_what_it_measures_everywhere(library: calc.Library,
                                                      measure: str) -> None:
    """Per run: FLOP per run everywhere. Cumulative FLOP are counted over a build-out's
    months: the timeline says so, and the cards of a site at one moment say effective FLOP/s
    (a constant fleet's FLOP add up as its FLOP/s, so the multiple is the same)."""
    at = fresh({"scenario": "cortex-full"})
    at.selectbox(key="w:target.measure").set_value(measure)
    rerun(at)
    words = MEASURE_TITLES[measure]
    cumulative = measure == "cumulative_training_flop"
    static_words = MEASURE_TITLES["effective_flop_per_s"] if cumulative else words
    assert params(at)["target.measure"] == measure
    outputs = calc.run(library, "cortex-full", [("target.measure", measure)]).outputs
    label = f"{OUTPUTS['compute_multiple'].title} ({static_words})"
    assert exact(at, label) == outputs["compute_multiple"]
    assert f"What the multiple measures: effective_flop_per_s → {measure}" in captions(at)
    assert (CUMULATIVE_AT_ONE_MOMENT in captions(at)) == cumulative
    # the comparison puts the current scenario beside references measured in FLOP/s
    chart_titles = [str(row) for _name, (spec, data) in charts(at).items() for d in data
                    for row in d.get("category", [])]
    if not cumulative:
        assert "Multiple of each scenario's own measure" in chart_titles
        assert any("Compute multiple (each scenario's own measure)" in m.value
                   for m in at.markdown)
        assert f"cortex-full (changed): {words}; cortex-full: effective FLOP/s" in captions(at)
    else:  # at one moment every scenario's multiple is of FLOP/s
        assert "Multiple of each scenario's own measure" not in chart_titles

    at.button_group(key="w:__view").set_value("timeline")
    rerun(at)
    assert any(m.label == f"Multiple in 2030-12 ({words})" for m in at.metric)
    titled = [e.get("title", "") for _n, (spec, _d) in charts(at).items()
              for layer in spec.get("layer", []) for e in layer.get("encoding", {}).values()
              if isinstance(e, dict)]
    assert any(f"Multiple of {words}" in str(t) for t in titled), titled

    at.button_group(key="w:__view").set_value("uncertainty")
    rerun(at)
    assert any(m.label == f"{label}, median" for m in at.metric)
    reopened = fresh(params(at))
    assert exact(reopened, label) == outputs["compute_multiple"]


def test_new_inputs_appear_in_the_changed_list() -> None:
    at = fresh({"scenario": "cortex-full", "training.share": "0.8",
                "cost.cloud_usd_per_accelerator_hour": "2"})
    text = captions(at)
    assert "Training share: " in text and "→ 0.80" in text, text
    assert "Cloud rental price: " in text


# ------------------------------------------------------------------ 6. the link


def test_measure_monte_carlo_settings_and_phase_slip_round_trip() -> None:
    at = fresh({"scenario": "cortex-buildout", "view": "timeline",
                "timeline[3].delay_months": SLIP_RANGE})
    at.selectbox(key="w:target.measure").set_value("training_flop_per_run")
    rerun(at)
    at.number_input(key="tl:samples").set_value(3000)
    rerun(at)
    at.number_input(key="tl:seed").set_value(7)
    rerun(at)
    at.number_input(key="tl:probability").set_value(90)
    rerun(at)
    at.toggle(key="tl:slip").set_value(False)
    rerun(at)
    link = params(at)
    assert link == {"scenario": "cortex-buildout", "view": "timeline",
                    "target.measure": "training_flop_per_run",
                    "timeline[3].delay_months": SLIP_RANGE, "samples": "3000", "seed": "7",
                    "probability": "90", "slip": "0"}
    reopened = fresh(link)
    assert params(reopened) == link
    assert (reopened.number_input(key="tl:samples").value,
            reopened.number_input(key="tl:seed").value,
            reopened.number_input(key="tl:probability").value) == (3000, 7, 90)
    assert [(m.label, m.value, m.help) for m in reopened.metric] == \
        [(m.label, m.value, m.help) for m in at.metric]
    # the Uncertainty view reads the same Monte Carlo settings
    reopened.button_group(key="w:__view").set_value("uncertainty")
    rerun(reopened)
    assert reopened.number_input(key="unc-samples").value == 3000
    assert reopened.number_input(key="unc-seed").value == 7
