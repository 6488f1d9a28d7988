"""Fuzzing the dashboard: random widget moves, uploads and resets never break the page.

A hypothesis state machine drives one real dashboard session (Streamlit's
AppTest, the real script) the way a restless user would: any sidebar input to
any value its widget allows (typed boxes to any number at all), any option of
any select box or log-spaced slider, any view, the sizing switch, the build-out
horizon and solver, a mutated scenario upload, an upload past a bound on its work (a deep
chain, many scenarios, deep nesting, an odd line break), a reset. After every step the
page has raised nothing, shows no NaN or infinity in any text or metric, and
hands no NaN or infinity to any chart (spec or dataset).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from calc.core.vocabulary import INPUTS
from calc.dashboard import APP
from calc.dashboard.settings import VIEWS
from calc.dashboard.widgets import number_widget

from tests.dashboard.test_link_bounds import chain, many
from tests.data.test_fuzz_loader import scenario_trees

NOT_A_NUMBER = re.compile(r"(?<![\w.])(nan|-?inf(inity)?)(?![\w])", re.IGNORECASE)
#: A user's own text quoted back in a message, as in ``must be a mapping … (got '-inf MW')``
#: (an apostrophe inside a word, as in "Tesla's", opens no quotation).
QUOTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)")
#: In a chart's JSON, NaN and infinities are bare tokens.
JSON_NOT_A_NUMBER = re.compile(r"(?<![\w\"])(NaN|-?Infinity)(?![\w\"])")
#: Number widgets outside the sidebar that are cheap to move (the Monte Carlo sample count
#: is capped so a step stays within seconds).
OTHER_NUMBERS = {"tl:horizon": None, "unc-samples": 20_000.0, "unc-seed": None}
#: Uploads past a bound on the work one file may ask of the server, or that mean two things.
COSTLY_UPLOADS = [chain(40), chain(800), many(60), "a: " + "[" * 50_000,
                  "site.pue: 1.3\u0085site.facility_power_mw: 900\n",
                  "base: cortex-full\ntraining.mfu: {}\n",
                  "base: cortex-buildout\ntimeline:\n" + "".join(
                      f"  - {{name: p{i}, start: '2026-01', facility_power_mw: {200 + i}}}\n"
                      for i in range(101))]


def shown_text(at: AppTest) -> str:
    """Every text the page shows: metrics (with their help), markdown, captions, alerts."""
    parts: list[str] = []
    for metric in at.metric:
        parts += [str(metric.label), str(metric.value), str(metric.delta or ""),
                  str(metric.help or "")]
    for kind in (at.markdown, at.caption, at.info, at.success, at.warning, at.error,
                 at.subheader, at.header, at.title, at.text):
        parts += [str(element.value) for element in kind]
    return "\n".join(parts)


class DashboardSession(RuleBasedStateMachine):
    """One browser tab's worth of use, step by step."""

    def __init__(self) -> None:
        super().__init__()
        self.at = AppTest.from_file(str(APP), default_timeout=120)
        self.names: set[str] = set()  # the scenario names uploads gave
        self.at.run()

    def _numbers(self) -> dict[str, Any]:
        return {w.key: w for w in [*self.at.slider, *self.at.number_input]
                if w.key and ((w.key.startswith("w:") and not w.key.startswith("w:__"))
                              or w.key in OTHER_NUMBERS)}

    @rule(data=st.data())
    def move_a_number(self, data: st.DataObject) -> None:
        numbers = self._numbers()
        key = data.draw(st.sampled_from(sorted(numbers)), label="widget")
        widget = numbers[key]
        if widget.min is None:  # a typed box: any number a user could type
            value = data.draw(st.one_of(
                st.floats(allow_nan=False, allow_infinity=False),
                st.sampled_from([0.0, -1.0, 1e-320, 1e300, float(widget.value or 1) * 2])),
                label="typed")
        else:
            low = widget.min
            high = min(widget.max, OTHER_NUMBERS.get(key) or widget.max)
            value = data.draw(st.one_of(st.sampled_from([low, high]),
                                        st.floats(min_value=low, max_value=high)),
                              label="value")
        if isinstance(widget.value, int) and not isinstance(widget.value, bool):
            value = round(value)
        widget.set_value(value).run()

    @rule(data=st.data())
    def slide_a_log_slider(self, data: st.DataObject) -> None:
        sliders = {w.key: w for w in self.at.select_slider if w.key and w.key.startswith("w:")}
        if not sliders:
            return
        key = data.draw(st.sampled_from(sorted(sliders)), label="log slider")
        spec = INPUTS[key.removeprefix("w:")]
        options = number_widget(spec, float(sliders[key].value)).options
        sliders[key].set_value(data.draw(st.sampled_from(options), label="option")).run()

    @rule(view=st.sampled_from([name for name, _ in VIEWS if name != "peers"]))
    def open_a_view(self, view: str) -> None:
        self.at.button_group(key="w:__view").set_value(view).run()

    @rule(data=st.data())
    def pick_an_option(self, data: st.DataObject) -> None:
        boxes = {w.key: w for w in self.at.selectbox if w.key and w.options}
        key = data.draw(st.sampled_from(sorted(boxes)), label="select box")
        index = data.draw(st.integers(min_value=0, max_value=len(boxes[key].options) - 1),
                          label="option")
        boxes[key].select_index(index).run()

    @rule(data=st.data())
    def switch_sizing(self, data: st.DataObject) -> None:
        radio = self.at.radio(key="w:__sizing")
        radio.set_value(data.draw(st.sampled_from(list(radio.options)))).run()

    @rule(wanted=st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                           st.sampled_from([0.0, -1.0, 1e-300, 1e300, 10.0])))
    def solve_the_build_out(self, wanted: float) -> None:
        fields = [w for w in self.at.number_input if w.key == "tl:solve-target"]
        buttons = [b for b in self.at.button if b.key == "FormSubmitter:tl:solve-Solve"]
        if fields and buttons:
            fields[0].set_value(wanted)
            buttons[0].click().run()

    @rule(tree=scenario_trees())
    def upload_a_scenario(self, tree: Any) -> None:
        data = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True).encode("utf-8")
        if isinstance(tree, dict):  # names the user gave: the page shows them as written
            inner = tree.get("scenarios")
            named = [*inner] if isinstance(inner, dict) else [tree.get("name")]
            self.names |= {str(n) for n in named if n is not None}
        self.at.file_uploader(key="w:__upload").set_value(
            ("mine.yaml", data, "application/x-yaml")).run()
        for error in self.at.error:
            assert "\n" not in error.value and "Traceback" not in error.value

    @rule(text=st.sampled_from(COSTLY_UPLOADS))
    def upload_a_costly_file(self, text: str) -> None:
        """A file past a bound (chain depth, scenarios, nesting, an odd line break): one line."""
        self.at.file_uploader(key="w:__upload").set_value(
            ("mine.yaml", text.encode("utf-8"), "application/x-yaml")).run()
        errors = [error.value for error in self.at.error if error.value.startswith("mine.yaml")]
        assert len(errors) == 1 and "\n" not in errors[0], [e.value for e in self.at.error]

    @rule()
    def reset(self) -> None:
        self.at.button(key="w:__reset").click().run()

    @invariant()
    def the_page_is_whole_and_finite(self) -> None:
        at = self.at
        assert not at.exception, at.exception[0].value if at.exception else ""
        assert at.metric, "the result cards are gone"
        text = QUOTED.sub("'…'", shown_text(at))  # what the user wrote may well read 'nan'
        for name in sorted(self.names, key=len, reverse=True):  # a scenario named 'nan' too
            text = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", "…", text)
        found = NOT_A_NUMBER.search(text)
        assert not found, f"the page shows {found.group(0)!r}: …{_around(text, found)}"
        for chart in at.get("vega_lite_chart"):
            spec = str(chart.proto.spec)
            bad = JSON_NOT_A_NUMBER.search(spec)
            assert not bad, f"a chart is given {bad.group(0)}: …{_around(spec, bad)}"
            for value in _numbers_in(spec):
                assert math.isfinite(value)
            for dataset in chart.proto.datasets:
                frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
                # a missing value (None → NaN) is allowed; an infinity is not
                values = frame.select_dtypes("number").to_numpy(dtype=float, na_value=0.0)
                assert all(math.isfinite(v) for v in values.flat), \
                    f"a chart's data {dataset.name} holds a non-finite number"


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 200):match.end() + 50]


def _numbers_in(spec: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.\"])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w\"])",
                                         spec)]


DashboardSession.TestCase.settings = settings(
    max_examples=6, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TestDashboardSession = pytest.mark.slow(DashboardSession.TestCase)
