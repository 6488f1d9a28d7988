"""The dashboard through Streamlit's AppTest: it runs, shows the CLI's numbers, keeps its state.

The real app script runs headless (no browser); widgets are set by key. The
numbers shown are compared with ``capcalc run --format json``, the answer with
``calc.presentation.answer``, the shareable state is read back from the query
parameters the app wrote (and a second session opened from them must show the
same), and uploads go through the real file-uploader widget.
"""

from __future__ import annotations

import doctest
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.analysis.reach import buildout_reach
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.timeline import run_timeline
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.dashboard import APP, markup, results_view, session, settings, widgets
from calc.dashboard import link as state
from calc.dashboard.compute import scenario as compute
from calc.dashboard.session import STATE_KEY
from calc.dashboard.views import assumptions as assumptions_tab
from calc.dashboard.views import uncertainty as uncertainty_tab
from calc.data.peers import load_peers
from calc.presentation.answer import answer_for, answer_parts, driver_sentence
from calc.presentation.reach import warning_sentence
from calc.presentation.tables import scenarios as tables

REPO = APP.parents[2]
TIMEOUT_S = 90
EXACT = re.compile(r"Exact value: (\S+)")
NOT_A_NUMBER = re.compile(r"\b(nan|inf|-inf)\b", re.IGNORECASE)
VIEW = "w:__view"


def fresh(query: dict[str, str] | None = None) -> AppTest:
    """A new session of the real app, run once (optionally opened from a link)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def widget(at: AppTest, key: str) -> Any:
    """The control of input ``key`` (slider, log-spaced slider, number box or select box)."""
    wkey = widgets.widget_key(key)
    for kind in (at.slider, at.select_slider, at.number_input, at.selectbox):
        found = [w for w in kind if w.key == wkey]
        if found:
            return found[0]
    raise LookupError(f"no widget for {key}")


def card_name(label: str) -> str | None:
    """The output a results card shows, from its label ("Compute multiple (effective
    FLOP/s)" is the compute multiple's: the label says what it measures)."""
    for name in results_view.CARDS:
        title = OUTPUTS[name].title
        if label == title or (name == "compute_multiple" and label.startswith(f"{title} (")):
            return name
    return None


def cards(at: AppTest) -> dict[str, float]:
    """The metric cards' exact values, by output name (from each card's help text)."""
    values = {}
    for metric in at.metric:
        name = card_name(metric.label)
        if name is not None and name not in values:
            found = EXACT.search(metric.help)
            assert found, f"metric {metric.label} carries no exact value: {metric.help!r}"
            values[name] = float(found.group(1))
    assert set(values) == set(results_view.CARDS)
    return values


def unescaped(text: Any) -> str:
    """Markdown the page escaped (:func:`calc.dashboard.markup.plain`) as it reads on screen."""
    return re.sub(r"\\(.)", r"\1", str(text))


def problems(at: AppTest) -> list[str]:
    """The page's warnings, but the one that the build-out runs above Tesla's own pace (a
    finding of the shipped build-out, not a problem with the input)."""
    return [str(w.value) for w in at.warning
            if not str(w.value).startswith("Warning: the modelled build-out runs above")]


def answer(at: AppTest) -> str:
    """The answer's lead in words, first under the title (the rest is behind "more")."""
    shown = [*at.info, *at.success]
    assert shown, "no answer"
    return str(shown[0].value)


def whole_answer(at: AppTest) -> str:
    """The whole answer: the lead in the box, the rest (the first text behind "more", after
    the title)."""
    return f"{answer(at)} {unescaped(at.markdown[1].value)}"


def shown_text(at: AppTest) -> str:
    """Everything the page writes as text: metrics, markdown, captions, alerts."""
    parts: list[str] = []
    for metric in at.metric:
        parts += [metric.value, metric.delta or ""]
    for kind in (at.markdown, at.caption, at.info, at.success, at.warning, at.error,
                 at.subheader):
        parts += [unescaped(element.value) for element in kind]
    return "\n".join(parts)


def cli_outputs(capcalc_cli: Callable[..., Any], *args: str) -> list[dict[str, Any]]:
    result = capcalc_cli("run", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return [s["outputs"] for s in json.loads(result.stdout)["scenarios"]]


def set_link_args(params: dict[str, str], default: str) -> list[str]:
    """The CLI arguments that reproduce a dashboard link's inputs: scenario and ``--set``s."""
    args = [params.get("scenario", default)]
    for key, value in params.items():
        if key in INPUTS:
            args += ["--set", f"{key}={value}"]
    return args


def go(at: AppTest, view: str) -> AppTest:
    at.button_group(key=VIEW).set_value(view).run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


# ------------------------------------------------------------------ opening


def test_opens_on_the_story_s_100_mw_with_the_answer_first(library: calc.Library) -> None:
    at = fresh()
    opening = compute.default_preset()
    assert at.selectbox(key="w:__preset").value == opening
    result = calc.run(library, opening)
    assert result.outputs["facility_power_mw"] == pytest.approx(100.0), \
        "the dashboard opens on the article's 100 MW"
    assert cards(at) == {name: result.outputs[name] for name in results_view.CARDS}
    reach = buildout_reach(library, result.scenario)
    lead, rest = answer_parts(library, result, calc.run(library, result.baseline), reach)
    assert answer(at) == lead, "the answer, first, in the box"
    assert "10–90 %" in lead and "at central values in" in lead and "own pace: " in lead, \
        "the box gives the date as a range, at central values and at the operator's pace"
    assert rest in [unescaped(m.value) for m in at.markdown], "the rest is behind 'more'"
    assert driver_sentence(reach) in rest and warning_sentence(reach.warning) in rest
    assert at.query_params == {}, "the default view needs no link parameters"
    text = shown_text(at)
    assert not NOT_A_NUMBER.search(text)
    assert "± 0" not in text, "a card equal to the baseline shows no delta"


def test_one_view_is_drawn_at_a_time() -> None:
    at = fresh()
    nav = at.button_group(key=VIEW)
    assert nav.value == "compare"
    assert len(nav.options) == len(settings.VIEWS)
    assert len(at.get("vega_lite_chart")) == 1, "only the Compare chart"
    assert len(at.get("download_button")) == 4  # PNG, SVG, CSV and the scenario file
    go(at, "power")
    assert len(at.get("vega_lite_chart")) == 2, "the power chart's two panels: H100e, FLOP/s"
    assert at.query_params == {"view": "power"}
    go(at, "assumptions")
    assert not at.get("vega_lite_chart")


def test_every_input_of_the_vocabulary_has_a_widget(library: calc.Library) -> None:
    at = fresh({"scenario": "cortex-full"})
    keys = {w.key for w in [*at.slider, *at.select_slider, *at.number_input, *at.selectbox]}
    missing = [k for k in INPUTS if widgets.widget_key(k) not in keys]
    # site.accelerators is drawn when the site is sized by count (see the sizing test)
    assert missing == ["site.accelerators"]
    tdp = widget(at, "hardware.tdp_w")
    assert "Source:" in tdp.help and "as of" in tdp.help
    assert "W" in tdp.label


def test_facility_power_is_log_spaced_with_an_exact_box() -> None:
    at = fresh({"scenario": "cortex-full"})
    power = widget(at, "site.facility_power_mw")
    shown = list(power.options)
    assert power.value == 500.0 and "100 MW" in shown and "500 MW" in shown
    assert shown.index("100 MW") / (len(shown) - 1) > 0.3, "100 MW is not at the far left"
    exact = at.number_input(key=widgets.exact_key("site.facility_power_mw"))
    exact.set_value(333.0).run()
    assert at.query_params["site.facility_power_mw"] == "333"
    assert cards(at)["facility_power_mw"] == 333.0


def test_sliders_step_in_the_vocabularys_decimals() -> None:
    at = fresh({"scenario": "cortex-full"})
    for key in ("site.pue", "training.mfu", "cost.hardware_lifetime_years"):
        spec = INPUTS[key]
        slider = widget(at, key)
        assert slider.step == pytest.approx(10.0 ** -spec.decimals), key


@pytest.mark.slow
def test_every_preset_runs_and_matches_the_cli(library: calc.Library,
                                               capcalc_cli: Callable[..., Any]) -> None:
    expected = cli_outputs(capcalc_cli, *library.names)
    at = fresh()
    for name, outputs in zip(library.names, expected, strict=True):
        at.selectbox(key="w:__preset").set_value(name).run()
        assert not at.exception, f"{name}: {at.exception[0].value}"
        assert not at.error, f"{name}: {at.error[0].value}"
        assert cards(at) == {k: outputs[k] for k in results_view.CARDS}, name
        assert not NOT_A_NUMBER.search(shown_text(at)), name
        assert at.query_params.get("scenario", compute.default_preset()) == name


def test_changed_inputs_match_the_cli_run_from_the_link(
        library: calc.Library, capcalc_cli: Callable[..., Any]) -> None:
    at = fresh({"scenario": "cortex-full"})
    widget(at, "site.facility_power_mw").set_value(250.0).run()
    widget(at, "hardware.accelerator").set_value("GB200").run()
    widget(at, "training.mfu").set_value(0.35).run()
    assert not at.exception
    params = dict(at.query_params)
    assert params == {"scenario": "cortex-full", "site.facility_power_mw": "250",
                      "hardware.accelerator": "GB200", "training.mfu": "0.35"}
    (outputs,) = cli_outputs(capcalc_cli, *set_link_args(params, compute.default_preset()))
    assert cards(at) == {k: outputs[k] for k in results_view.CARDS}
    run = capcalc_cli("run", *set_link_args(params, compute.default_preset()), "--wide")
    result = calc.run(library, "cortex-full", [(k, v) for k, v in params.items()
                                               if k != "scenario"])
    assert answer_for(library, result) in run.stdout, "the CLI's output ends with the answer"
    lead, _rest = answer_parts(library, result, calc.run(library, result.baseline),
                               buildout_reach(library, result.scenario))
    assert answer(at) == lead, "the box says the CLI's answer (its details behind 'more')"


def test_titles_and_changes_are_written_from_the_current_inputs() -> None:
    at = fresh({"scenario": "tenfold"})
    widget(at, "hardware.accelerator").set_value("GB200").run()
    title = unescaped(at.markdown[0].value)
    assert "GB200" in title and "H100" not in title, title
    text = shown_text(at)
    assert "Changed from tenfold" in text and "Accelerator: H100 → GB200" in text
    assert "no overrides" not in text


def test_tenfold_shows_the_solved_power() -> None:
    at = fresh({"scenario": "tenfold"})
    power = widget(at, "site.facility_power_mw").value
    assert cards(at)["compute_multiple"] == pytest.approx(10, rel=1e-9)
    assert cards(at)["facility_power_mw"] == pytest.approx(float(power), rel=1e-9)


# ------------------------------------------------------------------ every widget, both ends


def _numeric(at: AppTest) -> list[Any]:
    return [w for w in [*at.slider, *at.select_slider, *at.number_input]
            if w.key.startswith("w:") and not w.key.startswith("w:__")
            and not w.key.endswith(":exact")]


def _ends(control: Any) -> tuple[Any, Any]:
    spec = INPUTS[control.key.removeprefix("w:")]
    if control in control.root.select_slider:
        options = widgets.number_widget(spec, float(control.value)).options
        return options[0], options[-1]
    if getattr(control, "min", None) is not None:
        return control.min, control.max
    return spec.widget[0], spec.widget[1]


@pytest.mark.slow
@pytest.mark.parametrize("sized_by", ["site.facility_power_mw", "site.accelerators"])
def test_every_numeric_widget_at_its_minimum_and_maximum(sized_by: str) -> None:
    at = fresh({"scenario": "cortex-full"})
    if sized_by == "site.accelerators":
        at.radio(key=session.SIZING_WIDGET).set_value(sized_by).run()
    keys = [w.key for w in _numeric(at)]
    assert widgets.widget_key(sized_by) in keys
    for key in keys:
        for end in (0, 1):
            target = next(w for w in _numeric(at) if w.key == key)
            value = _ends(target)[end]
            target.set_value(value).run()
            assert not at.exception, f"{key}={value}: {at.exception[0].value}"
            text = shown_text(at)
            assert not NOT_A_NUMBER.search(text), f"{key}={value} shows {text!r}"
            shown = cards(at)
            assert all(v == v for v in shown.values()), f"{key}={value}: NaN in {shown}"
        at.button(key="w:__reset").click().run()
        at.selectbox(key="w:__preset").set_value("cortex-full").run()
        if sized_by == "site.accelerators":
            at.radio(key=session.SIZING_WIDGET).set_value(sized_by).run()


def test_a_typed_value_out_of_range_is_refused_at_its_box() -> None:
    at = fresh({"scenario": "cortex-full"})
    before = cards(at)
    for typed in (1e30, 0.0):
        widget(at, "hardware.peak_flop_per_s").set_value(typed).run()
        assert not at.exception
        errors = [unescaped(e.value) for e in at.sidebar.error]
        assert len(errors) == 1, errors
        spec = INPUTS["hardware.peak_flop_per_s"]
        assert "Kept the previous value" in errors[0]
        assert f"{spec.upper:g}" in errors[0], errors[0]
        assert "--" not in errors[0], "no command-line flag in a dashboard message"
        assert cards(at) == before
        assert "hardware.peak_flop_per_s" not in at.query_params


# ------------------------------------------------------------------ catalog, sizing, reset


def test_accelerator_updates_catalog_inputs_unless_set(library: calc.Library) -> None:
    catalog = library.baseline.catalog
    at = fresh({"scenario": "cortex-full"})
    widget(at, "hardware.accelerator").set_value("GB200").run()
    assert widget(at, "hardware.tdp_w").value == catalog["GB200"].tdp_w
    assert widget(at, "hardware.peak_flop_per_s").value == catalog["GB200"].bf16_flop_per_s
    assert "hardware.tdp_w" not in at.query_params
    widget(at, "hardware.tdp_w").set_value(900.0).run()
    widget(at, "hardware.accelerator").set_value("B200").run()
    assert widget(at, "hardware.tdp_w").value == 900.0, "a value the user set stays"
    assert widget(at, "hardware.peak_flop_per_s").value == catalog["B200"].bf16_flop_per_s
    assert widget(at, "cost.accelerator_capex_usd").value == catalog["B200"].capex_usd


def test_sizing_by_count_keeps_the_site_then_follows_the_count(library: calc.Library) -> None:
    at = fresh({"scenario": "cortex-full"})
    before = cards(at)
    at.radio(key=session.SIZING_WIDGET).set_value("site.accelerators").run()
    assert float(widget(at, "site.accelerators").value) == round(before["accelerators"])
    assert cards(at)["facility_power_mw"] == pytest.approx(500, rel=1e-4)
    at.number_input(key=widgets.exact_key("site.accelerators")).set_value(200_000).run()
    assert at.query_params["site.accelerators"] == "200000"
    assert cards(at)["accelerators"] == 200_000
    expected = calc.run(library, "cortex-full", [("site.accelerators", 200_000)]).outputs
    assert cards(at)["facility_power_mw"] == expected["facility_power_mw"]


def test_moving_back_to_the_default_clears_the_link_and_reset_restores(
        library: calc.Library) -> None:
    at = fresh()
    widget(at, "site.pue").set_value(1.5).run()
    assert at.query_params == {"site.pue": "1.5"}
    default = calc.run(library, compute.default_preset()).scenario["site.pue"]
    widget(at, "site.pue").set_value(float(default)).run()
    assert at.query_params == {}
    at.selectbox(key="w:__preset").set_value("cortex-full-gb200").run()
    widget(at, "training.mfu").set_value(0.3).run()
    assert at.query_params == {"scenario": "cortex-full-gb200", "training.mfu": "0.3"}
    at.button(key="w:__reset").click().run()
    assert at.query_params == {}
    assert cards(at) == {k: calc.run(library, compute.default_preset()).outputs[k]
                         for k in results_view.CARDS}


# ------------------------------------------------------------------ shareable link


def test_link_round_trips_inputs_view_and_monte_carlo_settings() -> None:
    at = fresh()
    at.selectbox(key="w:__preset").set_value("cortex-full").run()
    widget(at, "hardware.accelerator").set_value("GB300").run()
    widget(at, "training.precision").set_value("fp8").run()
    widget(at, "site.pue").set_value(1.31).run()
    go(at, "uncertainty")
    at.number_input(key="unc-samples").set_value(3_000).run()
    at.number_input(key="unc-seed").set_value(7).run()
    at.selectbox(key="unc-output").set_value("capex_usd").run()
    params = dict(at.query_params)
    assert params["scenario"] == "cortex-full" and params["site.pue"] == "1.31"
    assert params["view"] == "uncertainty"
    assert (params["samples"], params["seed"], params["output"]) == ("3000", "7", "capex_usd")
    opened = fresh(params)
    assert not opened.warning
    assert cards(opened) == cards(at)
    assert dict(opened.query_params) == params
    for key in ("hardware.accelerator", "training.precision", "site.pue",
                "hardware.peak_flop_per_s"):
        assert widget(opened, key).value == widget(at, key).value, key
    assert opened.number_input(key="unc-samples").value == 3_000
    assert opened.number_input(key="unc-seed").value == 7
    assert opened.selectbox(key="unc-output").value == "capex_usd"
    assert [m.value for m in opened.metric] == [m.value for m in at.metric]
    assert answer(opened) == answer(at)


def test_settings_outlive_their_view() -> None:
    at = go(fresh(), "uncertainty")
    at.number_input(key="unc-seed").set_value(11).run()
    go(at, "compare")
    assert at.query_params["seed"] == "11"
    go(at, "uncertainty")
    assert at.number_input(key="unc-seed").value == 11


def test_phase_edits_travel_in_the_link_and_move_the_answer() -> None:
    at = go(fresh({"scenario": "cortex-buildout"}), "timeline")
    before = whole_answer(at)
    at.selectbox(key="tl:solve-key").set_value("timeline[3].facility_power_mw")
    at.number_input(key="tl:solve-target").set_value(20.0)
    at.text_input(key="tl:solve-by").set_value("2027-12")
    next(b for b in at.button if b.label == "Solve").click()
    at.run()
    assert not at.exception and at.success, [w.value for w in at.warning]
    next(b for b in at.button if b.key == "tl:apply").click()
    at.run()
    params = dict(at.query_params)
    assert "timeline[3].facility_power_mw" in params, params
    assert whole_answer(at) != before, "the answer follows the edited phases"
    reached = next(m.value for m in at.metric if m.label.endswith("at central values"))
    opened = fresh(params)
    assert not problems(opened)
    assert dict(opened.query_params) == params
    assert whole_answer(opened) == whole_answer(at)
    assert next(m.value for m in opened.metric
                if m.label.endswith("at central values")) == reached
    phase = calc.load().scenario("cortex-buildout").timeline[3]
    assert any(f"{phase.name} (timeline[3]): facility power" in unescaped(c.value)
               for c in opened.caption), "the changed list names the phase edit"


def test_a_whole_phase_table_travels_packed(library: calc.Library) -> None:
    default = library.scenario("cortex-buildout").timeline
    assert default is not None
    edited = (*default[:2], default[3])  # a row removed: field edits cannot say it
    params = state.phase_params(default, edited)
    assert list(params) == [state.PHASES_PARAM]
    at = fresh({"scenario": "cortex-buildout", "view": "timeline", **params})
    assert not problems(at), problems(at)
    assert at.session_state[STATE_KEY].phases == edited
    timeline = run_timeline(library, library.scenario("cortex-buildout"),
                            phases=with_slip(edited, default_slip(
                                load_peers(), operator=library.story.operator)))
    reached = next(m.value for m in at.metric if m.label.endswith("at central values"))
    assert reached == (timeline.target_reached or f"not by {timeline.until}")
    assert dict(at.query_params)[state.PHASES_PARAM] == params[state.PHASES_PARAM]


def test_invalid_link_parameters_fall_back_per_key(library: calc.Library) -> None:
    at = fresh({"scenario": "cortex-full", "site.pue": "0.5", "training.mfu": "0.35",
                "site.peu": "1.3", "hardware.accelerator": "H900", "view": "charts",
                "samples": "12", "timeline[9].start": "2030-01"})
    warnings = [unescaped(w.value) for w in at.warning]
    assert len(warnings) == 6, warnings
    assert any("site.pue" in w and "at least 1" in w for w in warnings)
    assert any("site.peu" in w and "did you mean" in w for w in warnings)
    assert any("H900" in w for w in warnings)
    assert any("view" in w and "charts" in w for w in warnings)
    assert any("samples" in w and "1,000" in w for w in warnings)
    assert any("timeline[9]" in w for w in warnings)
    expected = calc.run(library, "cortex-full", [("training.mfu", "0.35")]).outputs
    assert cards(at) == {k: expected[k] for k in results_view.CARDS}
    assert dict(at.query_params) == {"scenario": "cortex-full", "training.mfu": "0.35"}


@pytest.mark.parametrize("query", [
    {"hardware.peak_flop_per_s": "1e-320"},
    {"site.facility_power_mw": "1e-320"},
    {"training.mfu": "1e-320"},
    {"scenario": "cortex-buildout", "timeline[0].delay_months": "nan"},
    {"scenario": "cortex-buildout", "timeline[0].facility_power_mw": "inf"},
    {"upload": "eNrLSM3JybdSKM8vyknhAgAiVwSh"},  # packed, but not a scenario file
    {"upload": "not+packed/at=all"},
    {"timeline": "eNqLjgUAARUAuQ"},  # packed "[]": no phases
])
def test_hostile_links_never_reach_the_exception_page(query: dict[str, str]) -> None:
    at = fresh(query)
    assert not at.exception
    assert at.metric, "the cards are shown"
    for line in [w.value for w in at.warning]:
        assert "Traceback" not in line and "\n" not in line


def test_a_link_with_more_parameters_than_the_page_reads_says_so() -> None:
    query = {f"p{i}": "1" for i in range(state.MAX_PARAMS + 50)}
    at = fresh(query)
    assert any(f"reads at most {state.MAX_PARAMS}" in unescaped(w.value) for w in at.warning)


def test_unknown_scenario_in_link_opens_the_default(library: calc.Library) -> None:
    at = fresh({"scenario": "cortex-ful"})
    assert "did you mean 'cortex-full'" in unescaped(at.warning[0].value)
    assert at.selectbox(key="w:__preset").value == compute.default_preset()


# ------------------------------------------------------------------ upload


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="w:__upload").set_value((name, data, "application/x-yaml")).run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


@pytest.mark.parametrize(("data", "words"), [
    (b"site.pue: 0.5\n", ["bad.yaml", "site.pue", "at least 1"]),
    (b"site:\n  pue: [1\n", ["bad.yaml", "malformed YAML"]),
    (b"site.pue: 1.3\nsite.peu: 1.2\n", ["bad.yaml", "site.peu", "did you mean"]),
    (b"name: cortex-full\nsite.pue: 1.3\n", ["shipped scenario"]),
    (b"\xff\xfe\x00binary", ["bad.yaml", "UTF-8"]),
    (b"base: cortex-buildout\ntimeline:\n  - name: a\n    start: '0000-01'\n"
     b"    facility_power_mw: 100\n", ["bad.yaml", "timeline[0].start"]),
])
def test_invalid_upload_shows_one_error_naming_the_field(library: calc.Library, data: bytes,
                                                         words: list[str]) -> None:
    at = _upload(fresh(), "bad.yaml", data)
    assert len(at.error) == 1
    message = unescaped(at.error[0].value)
    assert "\n" not in message and "Traceback" not in message
    assert "--" not in message, "an upload error names the field, never a CLI flag"
    for word in words:
        assert word in message, message
    assert at.selectbox(key="w:__preset").value == compute.default_preset()


def test_valid_upload_becomes_the_scenario_and_travels_in_the_link(
        library: calc.Library) -> None:
    text = (REPO / "examples" / "cortex-2027.yaml").read_bytes()
    at = _upload(fresh(), "cortex-2027.yaml", text)
    assert not at.error
    mine, names = library.add_text(text, origin="cortex-2027.yaml")
    assert at.selectbox(key="w:__preset").value == names[0]
    expected = calc.run(mine, names[0]).outputs
    assert cards(at) == {k: expected[k] for k in results_view.CARDS}
    params = dict(at.query_params)
    assert params[state.UPLOAD_NAME_PARAM] == "cortex-2027.yaml"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", params[state.UPLOAD_PARAM])
    opened = fresh(params)
    assert not opened.warning, [w.value for w in opened.warning]
    assert opened.selectbox(key="w:__preset").value == names[0]
    assert cards(opened) == cards(at)


def test_an_upload_too_large_for_a_link_says_so(library: calc.Library) -> None:
    lines = "".join(f"# {i:06d} {'x' * 60}\n" for i in range(300))
    body = ("name: big\nbase: cortex-full\nsite.pue: 1.3\n" + lines).encode()
    filler = "".join(f"# {hash((i, 'capcalc')):x}{i * 7919:x}\n" for i in range(4000)).encode()
    at = _upload(fresh(), "big.yaml", body + filler)
    assert not at.error
    assert state.UPLOAD_PARAM not in at.query_params
    assert any("too large to travel in the link" in unescaped(w.value)
               for w in at.sidebar.warning)


# ------------------------------------------------------------------ views


def test_uncertainty_opens_on_an_output_that_varies(library: calc.Library) -> None:
    opened = go(fresh(), "uncertainty")
    assert opened.selectbox(key="unc-output").value == "compute_multiple", \
        "the story's 100 MW against Tesla's compute at its date varies: the multiple first"
    at = go(fresh({"scenario": library.baseline_name()}), "uncertainty")
    output = at.selectbox(key="unc-output").value
    assert output != "compute_multiple", "the baseline's multiple is 1 in every sample"
    labels = [m.label for m in at.metric]
    assert any(label.endswith(", median") for label in labels)
    assert all(m.delta.startswith("90 %:") for m in at.metric if m.label.endswith(", median"))
    assert not [i for i in at.info if "No input with a range" in i.value], \
        "the tornado has inputs that move the output"
    at.selectbox(key="unc-output").set_value("compute_multiple").run()
    assert at.query_params["output"] == "compute_multiple"


def test_a_dashboard_error_names_the_widget_not_a_flag() -> None:
    at = go(fresh({"scenario": "cortex-buildout"}), "timeline")
    at.selectbox(key="tl:solve-key").set_value("timeline[3].facility_power_mw")
    at.text_input(key="tl:solve-by").set_value("2000-01")  # before the build-out starts
    next(b for b in at.button if b.label == "Solve").click()
    at.run()
    (warning,) = [unescaped(w) for w in problems(at)]
    # calc keys the error by its own word, "by"; the page names the widget the user touched
    assert warning.startswith("By (YYYY-MM): 2000-01"), warning
    assert "--by" not in warning and "--" not in warning
    assert markup.shown_error(calc.CapcalcError("x", key="until")).startswith("Horizon")


def test_the_chart_csv_loads_with_pandas_defaults(library: calc.Library) -> None:
    shown = [calc.run(library, name) for name in ("cortex-phase1", "cortex-full")]
    table = tables.comparison_table(shown, shown[0])
    frame = pd.read_csv(io.StringIO(table.to_csv()))
    assert len(frame) == len(table)
    assert [c.split(" [")[0] for c in frame.columns] == list(table.columns)


def test_streamlit_settings_match_the_checkouts_config() -> None:
    import tomllib

    from calc.cli.dashboard import STREAMLIT_SETTINGS

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    flat = {f"{section}.{key}": value for section, values in config.items()
            for key, value in values.items()}
    for name, value in STREAMLIT_SETTINGS.items():
        assert name in flat, f"{name} is not in .streamlit/config.toml"
        assert str(flat[name]).lower() == value.lower(), name
    assert set(flat) - set(STREAMLIT_SETTINGS) <= {"server.address"}


# ------------------------------------------------------------------ pure helpers


def test_link_text_reads_back_exactly(library: calc.Library) -> None:
    for value in (100.0, 0.35, 1 / 3, 9.89e14, 2.5e6, 123_456_789.0):
        assert float(state.value_text(value)) == value
    link, _ = state.parse_link(library, {"site.facility_power_mw": ["0.5 GW"]},
                               compute.default_preset(), check_upload=compute.check_upload,
                               default_phases=compute.default_phases)
    assert link.sets == {"site.facility_power_mw": "500"} and not link.warnings


def test_packed_text_is_bounded() -> None:
    bomb = state.pack("a" * (state.MAX_UPLOAD_BYTES + 10))
    with pytest.raises(calc.CapcalcError, match="more than"):
        state.unpack(bomb)
    with pytest.raises(calc.CapcalcError, match=r"cut short|damaged"):
        state.unpack(state.pack("site.pue: 1.3\n" * 20)[:-6])


def test_assumption_sources_become_links(library: calc.Library) -> None:
    markdown = assumptions_tab.assumptions_markdown(library.scenario("cortex-phase1"))
    assert "](https://" in markdown
    assert markdown.count("\n| `") == len(INPUTS)


@pytest.mark.parametrize("module", [state, widgets, results_view, assumptions_tab, markup,
                                    uncertainty_tab])
def test_doctests(module: Any) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
