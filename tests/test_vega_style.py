"""The dashboard's Vega-Lite specs keep the chart style rules (calc.presentation.vega.style).

Every spec is built from real tables of the shipped scenarios, build-out, peers
and a Monte Carlo, then read as data: axis titles carry units, time axes show
years, a colour means one thing only, the target has its own colour and is in
the legend, shares run from 0 to 100 %, the 100 and 500 MW marks are labelled,
peers are labelled once each; and a spec does not change when only its data does
(so the browser updates a drawn chart instead of building it again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.levers import levers_of_timeline
from calc.analysis.montecarlo import simulate
from calc.analysis.sensitivity import p_target_conditional, sobol, tornado
from calc.analysis.timeline import run_timeline
from calc.core.phases import Phase
from calc.data.peers import load_peers
from calc.presentation.label_places import place_labels
from calc.presentation.levers import levers_table
from calc.presentation.tables import scenarios as tables
from calc.presentation.tables.peers import among_peers_table, largest_site_table
from calc.presentation.tables.scenarios import lease_table
from calc.presentation.tables.sensitivity import conditional_p_table, sobol_table, tornado_table
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.tables.uncertainty import (
    exceedance_table,
    fan_table,
    histogram_table,
    reach_probability_table,
)
from calc.presentation.vega import peers as vega_peers
from calc.presentation.vega import scenarios as vega_scenarios
from calc.presentation.vega import style
from calc.presentation.vega import timeline as vega_timeline
from calc.presentation.vega import uncertainty as vega_uncertainty

Spec = dict[str, Any]
UNIT = re.compile(r"\(.+\)$")
TARGET_WORDS = ("target", "needs")


def _results(library: calc.Library, sets: list[tuple[str, Any]] | None = None
             ) -> tuple[list[calc.Result], calc.Result]:
    base = calc.run(library, library.baseline_name())
    current = calc.run(library, "cortex-full", sets or [])
    return [base, current, calc.run(library, "tenfold")], base


@pytest.fixture(scope="module")
def specs() -> dict[str, Spec]:
    library = calc.load()
    shown, base = _results(library)
    effective = base.outputs["effective_flop_per_s"]
    buildout = run_timeline(library, library.scenario("cortex-buildout"))
    peers = load_peers(catalog=library.baseline.catalog)
    sim = simulate(library, library.scenario("cortex-full"), samples=2_000, seed=1)
    fan = simulate_timeline(library, library.scenario("cortex-buildout"), samples=500, seed=1)
    scenario = library.scenario("cortex-full")
    capex, yearly = vega_scenarios.cost_specs(tables.cost_table(shown))
    conditional = p_target_conditional(library, "tenfold", samples=2_000, seed=1)
    return {
        "comparison": vega_scenarios.comparison_spec(tables.comparison_table(shown, base)),
        "power": vega_scenarios.power_spec(tables.power_curve_table(
            library, shown[1].scenario, effective, points=shown[:2])),
        "capex": capex,
        "yearly": yearly,
        "timeline": vega_timeline.timeline_spec(timeline_table(buildout)),
        "multiple": vega_timeline.multiple_spec(timeline_table(buildout)),
        "levers": vega_timeline.levers_spec(levers_table(levers_of_timeline(library,
                                                                            buildout))),
        "among": vega_peers.among_spec(among_peers_table(peers, library, shown, base)),
        "largest": vega_peers.largest_site_spec(largest_site_table(peers, library, base)),
        "histogram": vega_uncertainty.histogram_spec(histogram_table([sim], "compute_multiple")),
        "exceedance": vega_uncertainty.exceedance_spec(exceedance_table([sim])),
        "tornado": vega_uncertainty.tornado_spec(tornado_table(
            tornado(library, scenario, "compute_multiple"))),
        "sobol": vega_uncertainty.sobol_spec(sobol_table(
            sobol(library, scenario, "compute_multiple", samples=64, seed=1))),
        "fan": vega_uncertainty.fan_spec(fan_table([fan])),
        "reach": vega_uncertainty.reach_probability_spec(reach_probability_table([fan])),
        "conditional": vega_uncertainty.conditional_p_spec(conditional_p_table(conditional)),
        "lease": vega_scenarios.lease_spec(lease_table(shown)),
    }


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dicts(item)


def _encodings(spec: Spec) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in _dicts(spec):
        if isinstance(node.get("encoding"), dict):
            for channel, encoding in node["encoding"].items():
                if isinstance(encoding, dict):
                    yield channel, encoding


def _marks(spec: Spec) -> Iterator[dict[str, Any]]:
    for node in _dicts(spec):
        mark = node.get("mark")
        if isinstance(mark, dict):
            yield mark


def _colour_entries(spec: Spec) -> list[tuple[str, str]]:
    """(label, colour) of every colour scale of the spec."""
    out = []
    for channel, encoding in _encodings(spec):
        scale = encoding.get("scale")
        if channel in ("color", "fill", "stroke") and isinstance(scale, dict) and \
                "range" in scale and "domain" in scale:
            out += list(zip(scale["domain"], scale["range"], strict=True))
    return out


def _is_target(label: Any) -> bool:
    return any(word in str(label).lower() for word in TARGET_WORDS)


def test_every_spec_is_plain_finite_json(specs: dict[str, Spec]) -> None:
    for name, spec in specs.items():
        json.dumps(spec, allow_nan=False)  # raises on NaN or infinity
        assert spec["$schema"] == style.SCHEMA, name


def test_quantity_axes_carry_their_unit(specs: dict[str, Spec]) -> None:
    for name, spec in specs.items():
        titled = 0
        for channel, encoding in _encodings(spec):
            if channel not in ("x", "y") or encoding.get("type") != "quantitative":
                continue
            title = encoding.get("title")
            if title is None:
                continue
            titled += 1
            axis = encoding.get("axis") or {}
            is_year = axis.get("format") == "d" and str(title).startswith("Year")
            assert is_year or UNIT.search(str(title)), f"{name}: axis {title!r} has no unit"
        assert titled, f"{name}: no titled quantity axis"


def test_card_style_units_on_axes(specs: dict[str, Spec]) -> None:
    titles = {name: [str(e.get("title")) for c, e in _encodings(spec)
                     if c in ("x", "y") and e.get("title")] for name, spec in specs.items()}
    assert any("($ B)" in t for t in titles["capex"]), titles["capex"]
    assert any(t.endswith("(MW)") for t in titles["power"]), titles["power"]
    assert any("EFLOP/s" in t for t in titles["power"]), titles["power"]
    assert any("(MW)" in t or "(GW)" in t for t in titles["timeline"]), titles["timeline"]


def test_time_axes_show_years(specs: dict[str, Spec]) -> None:
    found = 0
    for name, spec in specs.items():
        for _channel, encoding in _encodings(spec):
            if encoding.get("type") == "temporal" and "axis" in encoding:
                found += 1
                assert "%Y" in encoding["axis"]["format"], f"{name}: {encoding}"
    assert found >= 3


def test_a_colour_means_one_thing_and_the_target_has_its_own(specs: dict[str, Spec]) -> None:
    for name, spec in specs.items():
        meaning: dict[str, set[str]] = {}
        for label, colour in _colour_entries(spec):
            meaning.setdefault(colour.upper(), set()).add(str(label))
            if colour.upper() == style.TARGET.upper():
                assert _is_target(label), f"{name}: the target's colour marks {label!r}"
            elif _is_target(label):
                raise AssertionError(f"{name}: the target is drawn in {colour}, not the "
                                     "target's colour")
        twice = {c: labels for c, labels in meaning.items() if len(labels) > 1}
        assert not twice, f"{name}: colours used for several things: {twice}"
        series = {c for c, labels in meaning.items() if not any(map(_is_target, labels))}
        for mark in _marks(spec):
            for key in ("color", "fill", "stroke"):
                colour = mark.get(key)
                if not isinstance(colour, str) or not colour.startswith("#"):
                    continue
                if colour.upper() == style.TARGET.upper():
                    assert mark["type"] in ("text", "rule"), f"{name}: {mark}"
                else:
                    assert colour.upper() not in series or mark["type"] == "text", \
                        f"{name}: fixed colour {colour} is also a data series"


def test_the_target_is_in_the_legend(specs: dict[str, Spec]) -> None:
    for name in ("comparison", "power", "timeline", "multiple", "levers", "among", "largest",
                 "exceedance", "fan"):
        labels = [label for label, colour in _colour_entries(specs[name])
                  if colour.upper() == style.TARGET.upper()]
        assert labels and all(map(_is_target, labels)), name


def test_shares_run_from_0_to_100_percent(specs: dict[str, Spec]) -> None:
    for name, channel in (("sobol", "x"), ("reach", "y"), ("conditional", "x")):
        axes = [e for c, e in _encodings(specs[name]) if c == channel and e.get("title")]
        assert axes and axes[0]["scale"]["domain"] == [0, 1], name
        assert axes[0]["axis"]["format"] == ".0%", name
    values = specs["sobol"]["datasets"]
    for rows in values.values():
        for row in rows:
            assert 0 <= row["lo"] <= row["value"] <= row["hi"] <= 1


def test_the_100_and_500_mw_marks_are_labelled(specs: dict[str, Spec]) -> None:
    labels = {row.get("label") for rows in specs["power"]["datasets"].values() for row in rows}
    assert {"100 MW (phase 1)", "500 MW (full build)"} <= labels


def test_value_labels_on_the_comparison_bars(specs: dict[str, Spec]) -> None:
    rows = next(iter(specs["comparison"]["datasets"].values()))
    assert all(row["label"] for row in rows)
    assert any(row["label"].endswith("MW") or row["label"].endswith("GW") for row in rows)
    assert any(row["label"].startswith("$") for row in rows)


def test_each_peer_site_is_labelled_at_most_once(specs: dict[str, Spec]) -> None:
    texts = [row["label"] for rows in specs["among"]["datasets"].values() for row in rows
             if row.get("place")]
    assert texts and len(texts) == len(set(texts)), texts
    assert texts.count("Colossus 1") <= 1


def test_label_places_never_overlap() -> None:
    points = [(100.0, 5e4, "Cortex phase 1"), (100.0, 5e4, "Cortex again"),
              (105.0, 5.2e4, "Close by"), (110.0, 5.5e4, "Closer still"),
              (1000.0, 1e6, "Far away")]
    places = place_labels(points)
    assert places[0] is not None and places[-1] is not None
    assert places[0] != places[1]


def test_a_spec_stays_the_same_when_only_its_data_changes() -> None:
    """The browser then updates the drawn chart in place (named datasets) instead of
    building it again on every slider step."""
    library = calc.load()
    before, base = _results(library, [("site.facility_power_mw", "400")])
    after, _ = _results(library, [("site.facility_power_mw", "420")])
    effective = base.outputs["effective_flop_per_s"]
    pairs = [
        (vega_scenarios.comparison_spec(tables.comparison_table(before, base)),
         vega_scenarios.comparison_spec(tables.comparison_table(after, base))),
        (vega_scenarios.power_spec(tables.power_curve_table(
            library, before[1].scenario, effective, points=before[:2])),
         vega_scenarios.power_spec(tables.power_curve_table(
             library, after[1].scenario, effective, points=after[:2]))),
    ]
    for old, new in pairs:
        assert old["datasets"] != new["datasets"]
        assert {k: v for k, v in old.items() if k != "datasets"} == \
            {k: v for k, v in new.items() if k != "datasets"}


@given(count=st.integers(0, 300),
       skip=st.lists(st.sampled_from(style.PALETTE), unique=True, max_size=4))
def test_every_series_gets_its_own_colour_however_many_there_are(count: int,
                                                                 skip: list[str]) -> None:
    """A build-out to 2060 or a file of many scenarios has more series than the palette:
    each still gets a colour no other series, the target or a reference mark has."""
    colours = style.series_colours([f"s{i}" for i in range(count)], skip=skip)
    assert len(colours) == count
    assert len({c.upper() for c in colours.values()}) == count
    reserved = {c.upper() for c in (*skip, style.TARGET, style.NEUTRAL, style.GRID)}
    assert not reserved & {c.upper() for c in colours.values()}
    palette = [c for c in style.PALETTE if c not in skip]
    assert list(colours.values())[:len(palette)] == palette[:count]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours.values())


def _rows_of(spec: Spec, field: str) -> list[dict[str, Any]]:
    return [row for rows in spec["datasets"].values() for row in rows if field in row]


def test_the_chance_by_month_marks_its_p50_and_p80_months() -> None:
    library = calc.load()
    sim = simulate_timeline(library, "cortex-buildout", samples=2_000, seed=3,
                            phases=[*library.scenario("cortex-buildout").timeline[:3],
                                    Phase("late", "2027-01", 900, delay_low=0, delay_high=18)])
    table = reach_probability_table([sim])
    spec = vega_uncertainty.reach_probability_spec(table, measure="effective FLOP/s")
    curve = [r for r in _rows_of(spec, "p") if "label" not in r]
    assert [r["p"] for r in curve] == list(sim.reach_distribution().values())
    marks = {r["label"].split(":")[0]: r for r in _rows_of(spec, "label")}
    for name, share in (("P50", 0.5), ("P80", 0.8)):
        month = sim.reach_month(share)
        assert month is not None
        assert marks[name]["date"] == f"{month}-01" and marks[name]["p"] == share
    titles = [e["title"] for c, e in _encodings(spec) if c == "y" and e.get("title")]
    assert titles == [f"Chance of {sim.target:g}× effective FLOP/s by then (%)"]


def test_what_if_we_knew_draws_each_pinned_chance() -> None:
    library = calc.load()
    result = p_target_conditional(library, "tenfold", samples=2_000, seed=1)
    spec = vega_uncertainty.conditional_p_spec(conditional_p_table(result))
    bars = _rows_of(spec, "to")
    moved = [row for row in result.pinned if row.swing > 0]
    assert len(bars) == 2 * len(moved) and moved
    for row in moved:
        ends = {b["end"]: b["to"] for b in bars if b["label"] == row.parameter.label}
        assert ends == {"input known to be at its low": row.p_low,
                        "input known to be at its high": row.p_high}
    assert all(b["from"] == result.p_target for b in bars)
    order = next(e["sort"] for c, e in _encodings(spec) if c == "y")
    assert order == [row.parameter.label for row in moved]  # widest swing first


def test_the_lease_chart_says_the_break_even_in_words() -> None:
    library = calc.load()
    shown, _ = _results(library)
    spec = vega_scenarios.lease_spec(lease_table(shown))
    labels = [r["label"] for r in _rows_of(spec, "label") if "leased" in r["basis"]]
    for result, label in zip(shown, labels, strict=True):
        share = result.outputs["lease_breakeven_utilisation"]
        assert label.endswith(vega_scenarios.breakeven_text(share)), label
    assert vega_scenarios.breakeven_text(0.41) == "owning is cheaper above 41 % utilisation"


@pytest.mark.parametrize("measure", ["effective FLOP/s", "training FLOP per run"])
def test_charts_of_the_multiple_say_what_it_measures(measure: str) -> None:
    library = calc.load()
    buildout = run_timeline(library, library.scenario("cortex-buildout"))
    sim = simulate(library, library.scenario("cortex-full"), samples=500, seed=1)
    shown, base = _results(library)
    specs = [
        vega_timeline.multiple_spec(timeline_table(buildout), measure=measure),
        vega_timeline.levers_spec(levers_table(levers_of_timeline(library, buildout)),
                                  measure=measure),
        vega_uncertainty.histogram_spec(histogram_table([sim], "compute_multiple"),
                                        measure=measure),
        vega_uncertainty.exceedance_spec(exceedance_table([sim]), measure=measure),
    ]
    for spec in specs:
        titles = [str(e.get("title")) for c, e in _encodings(spec) if e.get("title")]
        assert any(f"ultiple of {measure}" in t for t in titles), titles
    comparison = vega_scenarios.comparison_spec(tables.comparison_table(shown, base),
                                                measure=measure)
    assert any(r["title"] == f"Multiple of {measure}" for r in _rows_of(comparison, "title"))
