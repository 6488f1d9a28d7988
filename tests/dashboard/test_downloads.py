"""Downloads equal the screen: a chart names what the page shows, and the scenario file the
page offers records the Monte Carlo it used and opens the same page again.

The page runs headless (AppTest). Charts are read as the Vega-Lite specs the
page sent and as the files their download buttons write (the same
declaration, drawn by matplotlib); the scenario file is written by the
download button's own function from the page's state, uploaded into a new
session through the real uploader, and the two pages' numbers are compared.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.dashboard import APP, commands
from calc.dashboard.compute.charts import chart
from calc.dashboard.compute.titles import page_title
from calc.dashboard.context import Context
from calc.dashboard.keys import StateKey
from calc.dashboard.session import STATE_KEY
from calc.dashboard.settings import Settings
from calc.dashboard.views import uncertainty
from calc.presentation.export import chart_bytes
from calc.presentation.vega.render import HEADING

from tests.dashboard.pages import context_of, open_page

REPO = APP.parents[2]
GB200 = {"hardware.accelerator": "GB200", "site.facility_power_mw": "300"}
EXACT = re.compile(r"Exact value: (\S+)")




def _titles(at: AppTest) -> list[tuple[str, str]]:
    """Each chart's title and provenance line: read from its heading dataset (a view's first
    chart shows the line under it, :func:`calc.dashboard.page.show_first`)."""
    out = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        title = spec.get("title")
        if not isinstance(title, dict) or not (title.get("subtitle")
                                               or isinstance(title.get("text"), dict)):
            continue  # a panel's own title: the chart's title and footer are the first's
        if isinstance(title["text"], dict):  # an expression reading the heading dataset
            named = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
                     for d in element.proto.datasets}
            (row,) = named[HEADING]
            out.append((row["text"].replace("\n", " "), row["subtitle"].replace("\n", " ")))
        else:
            subtitle = title["subtitle"]
            out.append((str(title["text"]),
                        " ".join(subtitle) if isinstance(subtitle, list) else str(subtitle)))
    return out


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("view", ["compare", "power", "cost", "timeline", "uncertainty"])
def test_a_changed_scenarios_charts_say_what_they_draw(view: str) -> None:
    at = open_page({**GB200, "view": view, "samples": "2000"})
    titles = _titles(at)
    assert titles
    shown = page_title(context_of(at).key)
    assert "GB200" in shown and "cortex-phase1" in shown
    for text, subtitle in titles:
        assert "(cortex-phase1)" not in text, text
        assert not text.startswith("Build-out of cortex-phase1"), text
        assert "changed from cortex-phase1: " in subtitle, subtitle
        assert "Accelerator: H100 → GB200" in subtitle, subtitle


def test_a_downloaded_chart_carries_the_pages_title_and_changes(library: calc.Library) -> None:
    key = StateKey(preset="cortex-phase1", sets=tuple(sorted(GB200.items())))
    drawn = chart(uncertainty.histogram, key, 2000, 0, "compute_multiple", "effective FLOP/s")
    svg = chart_bytes(drawn.chart, "svg").decode()
    shown = page_title(key)
    assert f"({shown})" in drawn.chart.heading
    assert shown in svg and "Accelerator: H100 → GB200" in svg  # the file's metadata
    unchanged = chart(uncertainty.histogram, StateKey(preset="cortex-phase1"), 2000, 0,
                      "compute_multiple", "effective FLOP/s")
    assert unchanged.chart.heading.endswith("(cortex-phase1)")
    assert "changed from" not in chart_bytes(unchanged.chart, "svg").decode()


MADE = {**GB200, "samples": "5000", "seed": "7", "until": "2032", "slip": "0"}


def _round_trip(at: AppTest) -> tuple[Context, AppTest]:
    ctx = context_of(at)
    text = commands.scenario_file(ctx)
    assert f"--samples {ctx.settings.samples} --seed {ctx.settings.seed}" in text
    back = open_page({"view": ctx.settings.view}, upload=(commands.file_name(ctx), text.encode()))
    return ctx, back


@pytest.mark.parametrize("view", ["timeline", "uncertainty"])
def test_the_scenario_file_records_the_monte_carlo_and_reopens_the_page(view: str) -> None:
    at = open_page({**MADE, "view": view})
    ctx, back = _round_trip(at)
    assert ctx.settings.monte_carlo == (5000, 7)
    mine = back.session_state[STATE_KEY]
    assert (mine.settings.samples, mine.settings.seed, mine.settings.until,
            mine.settings.slip) == (5000, 7, 2032, False)
    # the file the page wrote reopens its state: the preset and the changes, not an upload
    assert (mine.preset, mine.key.upload) == ("cortex-phase1", ("", ""))
    assert {k: float(v) if k != "hardware.accelerator" else v for k, v in mine.sets.items()} \
        == {"hardware.accelerator": "GB200", "site.facility_power_mw": 300.0}
    assert _cards(back) == _cards(at)  # every number, sampled ones included
    exact = [m.help for m in at.metric if "Exact value" in (m.help or "")]
    assert exact and exact == [m.help for m in back.metric if "Exact value" in (m.help or "")]


def test_an_edited_build_out_travels_in_the_file(tmp_path: Any) -> None:
    at = open_page({"scenario": "cortex-buildout", "timeline[3].facility_power_mw": "900",
               "view": "timeline", "samples": "2000"})
    ctx, back = _round_trip(at)
    assert ctx.phases is not None
    mine = back.session_state[STATE_KEY]
    assert mine.preset == "cortex-buildout" and mine.phases is not None
    assert mine.phases[3].facility_power_mw == 900
    assert _cards(back) == _cards(at)


def test_an_uploaded_scenarios_file_reopens_the_same_sampled_numbers() -> None:
    text = (REPO / "examples" / "cortex-2027.yaml").read_bytes()
    at = open_page({"view": "uncertainty", "samples": "5000", "seed": "7"},
              upload=("cortex-2027.yaml", text))
    # the upload keeps the page's settings (its header gives none)
    assert at.session_state[STATE_KEY].settings.monte_carlo == (5000, 7)
    _, back = _round_trip(at)
    assert back.session_state[STATE_KEY].settings.monte_carlo == (5000, 7)
    assert _cards(back) == _cards(at)


def test_settings_in_a_header_out_of_bounds_are_left_as_they_are() -> None:
    header = ("# The same numbers: capcalc run a.yaml --samples 5 --seed 7\n"
              "# The same numbers: capcalc timeline a.yaml --until 2040-06\n"
              "name: a\n# capcalc run a.yaml --samples 3000\n")
    read = commands.settings_in_file(header, Settings())
    assert (read.samples, read.seed, read.until, read.slip) == (Settings().samples, 7,
                                                                Settings().until, True)
