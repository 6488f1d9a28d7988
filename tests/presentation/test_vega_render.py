"""The screen's renderer: every chart as plain Vega-Lite dicts the dashboard can draw cheaply.

Read as data, each spec is finite JSON of the schema Streamlit draws, keeps its
rows in named datasets and does not change when only its data does (so the
browser updates a drawn chart in place), shows years on a time axis and the
unit of a quantity in its axis title. What the specs show is compared with the
saved files in :mod:`tests.presentation.test_chart_parity`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

import calc
from calc.presentation.charts.scenarios import comparison_chart, power_chart
from calc.presentation.vega import vega_specs
from calc.presentation.vega.style import SCHEMA

from tests.chart_cases import every_chart

Spec = dict[str, Any]
UNIT = re.compile(r"\(.+\)$")


def _encodings(spec: Spec) -> Iterator[tuple[str, dict[str, Any]]]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for node in walk(spec):
        if isinstance(node.get("encoding"), dict):
            for channel, encoding in node["encoding"].items():
                if isinstance(encoding, dict):
                    yield channel, encoding


@pytest.fixture(scope="module")
def specs() -> dict[str, list[Spec]]:
    return {name: vega_specs(chart) for name, chart in every_chart().items()}


def test_every_spec_is_plain_finite_json_with_named_data(specs: dict[str, list[Spec]]) -> None:
    for name, panels in specs.items():
        assert panels, name
        for spec in panels:
            json.dumps(spec, allow_nan=False)  # raises on NaN or infinity
            assert spec["$schema"] == SCHEMA, name
            assert spec["width"] == "container" and spec["datasets"], name
            assert '"values"' not in json.dumps({k: v for k, v in spec.items()
                                                 if k != "datasets"}), name


def test_quantity_axes_carry_their_unit_and_time_axes_show_years(
        specs: dict[str, list[Spec]]) -> None:
    temporal = 0
    for name, panels in specs.items():
        for spec in panels:
            for channel, encoding in _encodings(spec):
                if channel not in ("x", "y") or not encoding.get("title"):
                    continue
                if encoding.get("type") == "quantitative":
                    year = encoding.get("axis", {}).get("format") == "d"
                    assert year or UNIT.search(encoding["title"]), (name, encoding["title"])
                if encoding.get("type") == "temporal":
                    temporal += 1
                    assert "%Y" in encoding["axis"]["format"], (name, encoding)
    assert temporal >= 3


def _results(library: calc.Library, power: str) -> tuple[list[calc.Result], calc.Result]:
    base = calc.run(library, "cortex-phase1")
    current = calc.run(library, "cortex-full", [("site.facility_power_mw", power)])
    return [base, current, calc.run(library, "tenfold")], base


def test_a_spec_stays_the_same_when_only_its_data_changes() -> None:
    """The browser then updates the drawn chart in place (named datasets) instead of
    building it again on every slider step."""
    library = calc.load()
    before, base = _results(library, "400")
    after, _ = _results(library, "420")
    effective = float(base.outputs["effective_flop_per_s"])
    pairs = [
        (comparison_chart(before, base), comparison_chart(after, base)),
        (power_chart(library, before[1].scenario, effective, before[:2]),
         power_chart(library, after[1].scenario, effective, after[:2])),
    ]
    slow, fast = (calc.run(library, "cortex-full", [("training.mfu", mfu)]) for mfu in
                  ("0.40", "0.41"))
    pairs.append((power_chart(library, slow.scenario, effective, [base, slow]),
                  power_chart(library, fast.scenario, effective, [base, fast])))
    for old_chart, new_chart in pairs:
        olds, news = vega_specs(old_chart), vega_specs(new_chart)
        assert any(old["datasets"] != new["datasets"] for old, new in zip(olds, news,
                                                                          strict=True))
        for old, new in zip(olds, news, strict=True):
            assert {k: v for k, v in old.items() if k != "datasets"} == \
                {k: v for k, v in new.items() if k != "datasets"}


def test_a_chart_with_nothing_to_draw_has_no_spec() -> None:
    from calc.analysis.levers import Levers
    from calc.presentation.charts.timeline import levers_chart

    chart = levers_chart(Levers("s", "b", 10.0, "", None, (), empty="no hardware in use yet"))
    assert chart.empty and not chart.panels and vega_specs(chart) == []


def test_a_title_with_the_users_changes_is_data_so_the_spec_stays_the_same() -> None:
    """The title and the footer carry the user's changes (and numbers that move with them):
    they are read from a dataset, so a slider step that changes them changes data only."""
    from calc.presentation.chart_spec import retitled
    from calc.presentation.vega.render import HEADING, heading_of

    chart = every_chart()["power"]
    before = vega_specs(retitled(chart, ["Facility power: 100 MW → 400 MW"]))
    after = vega_specs(retitled(chart, ["Facility power: 100 MW → 420 MW"]))
    assert heading_of(before[0])[0] != heading_of(after[0])[0]
    assert "420 MW" in heading_of(after[0])[0]
    assert before[0]["datasets"][HEADING] != after[0]["datasets"][HEADING]
    long = vega_specs(retitled(chart, [f"Change number {i}: a → b" for i in range(8)]))[0]
    (row,) = long["datasets"][HEADING]
    assert "\n" in row["text"] and all(len(line) <= 100 for line in row["text"].split("\n"))
    assert long["config"]["style"]["group-title"]["lineBreak"] == "\n", \
        "a title read from data is one string: its lines break at the newlines"
    for old, new in zip(before, after, strict=True):
        assert {k: v for k, v in old.items() if k != "datasets"} == \
            {k: v for k, v in new.items() if k != "datasets"}
