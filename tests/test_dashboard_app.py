"""The dashboard through Streamlit's AppTest: it runs, shows the CLI's numbers, keeps its state.

The real app script runs headless (no browser); widgets are set by key. The
numbers shown are compared with ``capcalc run --format json`` run as a real
subprocess, the shareable state is read back from the query parameters the app
wrote, and uploads go through the real file-uploader widget.
"""

from __future__ import annotations

import doctest
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.core.vocabulary import INPUTS, OUTPUTS

from dashboard import app, results_view, state, widgets
from dashboard.tabs import assumptions as assumptions_tab

APP = Path(app.__file__)
TIMEOUT_S = 90
EXACT = re.compile(r"Exact value: (\S+)")
NOT_A_NUMBER = re.compile(r"\b(nan|inf|-inf)\b", re.IGNORECASE)

def fresh(query: dict[str, str] | None = None) -> AppTest:
    """A new session of the real app, run once (optionally opened from a link)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def widget(at: AppTest, key: str) -> Any:
    """The widget of input ``key`` (slider, number box or select box)."""
    wkey = widgets.widget_key(key)
    for kind in (at.slider, at.number_input, at.selectbox):
        found = [w for w in kind if w.key == wkey]
        if found:
            return found[0]
    raise LookupError(f"no widget for {key}")


def cards(at: AppTest) -> dict[str, float]:
    """The metric cards' exact values, by output name (from each card's help text)."""
    titles = {OUTPUTS[name].title: name for name in results_view.CARDS}
    values = {}
    for metric in at.metric:
        if metric.label in titles and titles[metric.label] not in values:
            found = EXACT.search(metric.help)
            assert found, f"metric {metric.label} carries no exact value: {metric.help!r}"
            values[titles[metric.label]] = float(found.group(1))
    assert set(values) == set(results_view.CARDS)
    return values


def shown_text(at: AppTest) -> str:
    """Everything the page writes as text: metrics, markdown, captions, alerts."""
    parts: list[str] = []
    for metric in at.metric:
        parts += [metric.value, metric.delta or ""]
    for kind in (at.markdown, at.caption, at.info, at.success, at.warning, at.error,
                 at.subheader):
        parts += [str(element.value) for element in kind]
    return "\n".join(parts)


def cli_outputs(capcalc_cli: Callable[..., Any], *args: str) -> list[dict[str, Any]]:
    result = capcalc_cli("run", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return [s["outputs"] for s in json.loads(result.stdout)["scenarios"]]


def set_link_args(params: dict[str, str]) -> list[str]:
    """The CLI arguments that reproduce a dashboard link: scenario and ``--set``s."""
    args = [params.get("scenario", "cortex-phase1")]
    for key, value in params.items():
        if key != "scenario":
            args += ["--set", f"{key}={value}"]
    return args


# ------------------------------------------------------------------ opening


def test_opens_on_the_article_defaults(library: calc.Library) -> None:
    at = fresh()
    assert at.selectbox(key="w:__preset").value == "cortex-phase1"
    assert widget(at, "site.facility_power_mw").value == 100
    expected = calc.run(library, "cortex-phase1").outputs
    assert cards(at) == {name: expected[name] for name in results_view.CARDS}
    assert [tab.label for tab in at.tabs] == [label for label, _ in app.TABS]
    for tab in at.tabs:
        if tab.label in ("Compare", "Power → compute", "Cost"):
            assert len(tab.get("vega_lite_chart")) == 1, tab.label
            assert len(tab.get("download_button")) == 3, tab.label
    assert at.query_params == {}, "the default view needs no link parameters"
    text = shown_text(at)
    assert "10× needs 1.00 GW of H100" in text
    assert not NOT_A_NUMBER.search(text)


def test_every_input_of_the_vocabulary_has_a_widget() -> None:
    at = fresh()
    keys = {w.key for w in [*at.slider, *at.number_input, *at.selectbox]}
    missing = [k for k in INPUTS if widgets.widget_key(k) not in keys]
    # site.accelerators is drawn when the site is sized by count (see the sizing test)
    assert missing == ["site.accelerators"]
    tdp = widget(at, "hardware.tdp_w")
    assert "Source:" in tdp.help and "as of" in tdp.help
    assert "W" in tdp.label


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
        assert at.query_params.get("scenario", "cortex-phase1") == name


def test_changed_inputs_match_the_cli_run_from_the_link(capcalc_cli: Callable[..., Any]) -> None:
    at = fresh()
    widget(at, "site.facility_power_mw").set_value(250.0).run()
    widget(at, "hardware.accelerator").set_value("GB200").run()
    widget(at, "training.mfu").set_value(0.35).run()
    assert not at.exception
    params = dict(at.query_params)
    assert params == {"site.facility_power_mw": "250", "hardware.accelerator": "GB200",
                      "training.mfu": "0.35"}
    (outputs,) = cli_outputs(capcalc_cli, *set_link_args(params))
    shown = cards(at)
    assert shown == {k: outputs[k] for k in results_view.CARDS}
    assert shown["accelerators"] < 250 / 100 * 57_377.9, "GB200 draws more power per chip"


def test_tenfold_shows_the_solved_power() -> None:
    at = fresh({"scenario": "tenfold"})
    power = widget(at, "site.facility_power_mw").value
    assert power == pytest.approx(1000, rel=1e-6)
    assert cards(at)["compute_multiple"] == pytest.approx(10, rel=1e-9)


# ------------------------------------------------------------------ every widget, both ends


def _numeric(at: AppTest) -> list[Any]:
    return [w for w in [*at.slider, *at.number_input] if w.key.startswith("w:") and
            not w.key.startswith("w:__")]


@pytest.mark.slow
@pytest.mark.parametrize("sized_by", ["site.facility_power_mw", "site.accelerators"])
def test_every_numeric_widget_at_its_minimum_and_maximum(sized_by: str) -> None:
    at = fresh()
    if sized_by == "site.accelerators":
        at.radio(key=widgets.SIZING_WIDGET).set_value(sized_by).run()
    keys = [w.key for w in _numeric(at)]
    assert widgets.widget_key(sized_by) in keys
    for key in keys:
        for end in ("min", "max"):
            target = next(w for w in _numeric(at) if w.key == key)
            value = getattr(target, end)
            target.set_value(value).run()
            assert not at.exception, f"{key}={value}: {at.exception[0].value}"
            text = shown_text(at)
            assert not NOT_A_NUMBER.search(text), f"{key}={value} shows {text!r}"
            shown = cards(at)
            assert all(v == v for v in shown.values()), f"{key}={value}: NaN in {shown}"
        at.button(key="w:__reset").click().run()
        if sized_by == "site.accelerators":
            at.radio(key=widgets.SIZING_WIDGET).set_value(sized_by).run()


# ------------------------------------------------------------------ catalog, sizing, reset


def test_accelerator_updates_catalog_inputs_unless_set(library: calc.Library) -> None:
    catalog = library.baseline.catalog
    at = fresh()
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
    at = fresh()
    before = cards(at)
    at.radio(key=widgets.SIZING_WIDGET).set_value("site.accelerators").run()
    count = widget(at, "site.accelerators")
    assert count.value == round(before["accelerators"])
    assert cards(at)["facility_power_mw"] == pytest.approx(100, rel=1e-4)
    count.set_value(200_000).run()
    assert at.query_params["site.accelerators"] == "200000"
    assert cards(at)["accelerators"] == 200_000
    expected = calc.run(library, "cortex-phase1", [("site.accelerators", 200_000)]).outputs
    assert cards(at)["facility_power_mw"] == expected["facility_power_mw"]


def test_moving_back_to_the_default_clears_the_link_and_reset_restores(
        library: calc.Library) -> None:
    at = fresh()
    widget(at, "site.pue").set_value(1.5).run()
    assert at.query_params == {"site.pue": "1.5"}
    widget(at, "site.pue").set_value(1.2).run()
    assert at.query_params == {}
    at.selectbox(key="w:__preset").set_value("cortex-full-gb200").run()
    widget(at, "training.mfu").set_value(0.3).run()
    assert at.query_params == {"scenario": "cortex-full-gb200", "training.mfu": "0.3"}
    at.button(key="w:__reset").click().run()
    assert at.query_params == {}
    assert cards(at) == {k: calc.run(library, "cortex-phase1").outputs[k]
                         for k in results_view.CARDS}


# ------------------------------------------------------------------ shareable link


def test_link_round_trips_the_state() -> None:
    at = fresh()
    at.selectbox(key="w:__preset").set_value("cortex-full").run()
    widget(at, "hardware.accelerator").set_value("GB300").run()
    widget(at, "training.precision").set_value("fp8").run()
    widget(at, "site.pue").set_value(1.31).run()
    widget(at, "cost.electricity_usd_per_mwh").set_value(80.0).run()
    params = dict(at.query_params)
    assert params["scenario"] == "cortex-full" and params["site.pue"] == "1.31"
    opened = fresh(params)
    assert cards(opened) == cards(at)
    assert dict(opened.query_params) == params
    for key in ("hardware.accelerator", "training.precision", "site.pue",
                "hardware.peak_flop_per_s", "cost.electricity_usd_per_mwh"):
        assert widget(opened, key).value == widget(at, key).value, key
    assert not opened.warning


def test_invalid_link_parameters_fall_back_per_key(library: calc.Library) -> None:
    at = fresh({"scenario": "cortex-full", "site.pue": "0.5", "training.mfu": "0.35",
                "site.peu": "1.3", "hardware.accelerator": "H900"})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 3, warnings
    assert any("site.pue" in w and "at least 1" in w for w in warnings)
    assert any("site.peu" in w and "did you mean 'site.pue'" in w for w in warnings)
    assert any("H900" in w for w in warnings)
    expected = calc.run(library, "cortex-full", [("training.mfu", "0.35")]).outputs
    assert cards(at) == {k: expected[k] for k in results_view.CARDS}
    assert dict(at.query_params) == {"scenario": "cortex-full", "training.mfu": "0.35"}


def test_unknown_scenario_in_link_opens_the_default() -> None:
    at = fresh({"scenario": "cortex-ful"})
    assert "did you mean 'cortex-full'" in at.warning[0].value
    assert at.selectbox(key="w:__preset").value == "cortex-phase1"


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
])
def test_invalid_upload_shows_one_error(data: bytes, words: list[str]) -> None:
    at = _upload(fresh(), "bad.yaml", data)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "\n" not in message and "Traceback" not in message
    for word in words:
        assert word in message, message
    assert at.selectbox(key="w:__preset").value == "cortex-phase1"


def test_valid_upload_becomes_the_scenario(library: calc.Library) -> None:
    text = b"name: my-site\nbase: cortex-full\nsite.pue: 1.35\ntraining.mfu: 0.3\n"
    at = _upload(fresh(), "my-site.yaml", text)
    assert not at.error
    assert at.selectbox(key="w:__preset").value == "my-site"
    mine, _ = library.add_text(text, origin="my-site.yaml")
    expected = calc.run(mine, "my-site").outputs
    assert cards(at) == {k: expected[k] for k in results_view.CARDS}


# ------------------------------------------------------------------ pure helpers


def test_link_text_reads_back_exactly(library: calc.Library) -> None:
    for value in (100.0, 0.35, 1 / 3, 9.89e14, 2.5e6, 123_456_789.0):
        assert float(state.value_text(value)) == value
    preset, sets, warnings = state.parse_link(
        library, {"site.facility_power_mw": "0.5 GW"}, "cortex-phase1")
    assert (preset, sets, warnings) == ("cortex-phase1", {"site.facility_power_mw": "500"}, [])


def test_assumption_sources_become_links(library: calc.Library) -> None:
    markdown = assumptions_tab.assumptions_markdown(library.scenario("cortex-phase1"))
    assert "[theoutpost.ai](https://theoutpost.ai/" in markdown
    assert markdown.count("\n| `") == len(INPUTS)


@pytest.mark.parametrize("module", [state, widgets, results_view, assumptions_tab])
def test_doctests(module: Any) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
