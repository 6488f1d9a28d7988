"""The peers dataset: it validates, every figure has a source, disagreements are kept, tables."""

from __future__ import annotations

import copy
import difflib
import json
import math
from typing import Any

import jsonschema
import pytest
import yaml

import calc
from calc.core.constants import H100_FP8_FLOP_PER_S
from calc.core.errors import CapcalcError
from calc.data.peers import (
    PeersFile,
    decimal_year,
    figure_source,
    load_peers,
    parse_peers,
    source_links,
)
from calc.presentation.docs import json_schema
from calc.presentation.tables.peers import (
    among_peers_table,
    largest_site_table,
    peers_table,
    unplotted,
)

from tests.paths import PEERS_FILE

RAW = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))


def _parse(data: dict[str, Any], library: calc.Library):
    return parse_peers(data, source="peers.yaml", catalog=library.baseline.catalog)


# ------------------------------------------------------------------ the shipped file


def test_every_row_and_every_figure_has_a_source_with_a_link(peers):
    assert len(peers.peers) >= 20
    for peer in peers.peers:
        assert source_links(peer.source), f"{peer.id}: no URL in its source"
        figures = [*peer.power_mw, *peer.h100_equivalents, *peer.capex_usd_2025,
                   *(peer.accelerators or ())]
        for figure in figures:
            assert source_links(figure_source(peer, figure)), f"{peer.id}: {figure}"
        assert peer.confidence in ("confirmed", "secondary", "unconfirmed")


def test_the_sites_users_ask_about_are_there(peers):
    sites = " | ".join(f"{p.site} {p.operator} {p.user or ''}" for p in peers.peers)
    for name in ("Cortex, phase 1", "Cortex 2", "Colossus 2", "Stargate Abilene", "Prometheus",
                 "Hyperion", "Fairwater", "Project Rainier", "Llama 3", "Anthropic", "OpenAI"):
        assert name in sites, name
    colossus_1 = {p.date for p in peers.peers if p.site == "xAI Colossus 1"}
    assert len(colossus_1) >= 5  # several dates of Epoch's timeline


def test_where_sources_disagree_every_figure_is_kept(peers):
    cortex = peers.peer("tesla-cortex-phase1-2024")
    values = sorted(f.value for f in cortex.power_mw)
    assert values == [71.3, 100, 130]
    assert len({figure_source(cortex, f) for f in cortex.power_mw}) == 3
    colossus = peers.peer("colossus-1-2025-02")
    assert [f.value for f in colossus.power_mw] == [361, 300, 280]
    stargate = peers.peer("stargate-abilene-full")
    assert stargate.accelerators[0].count_alternatives[0].value == 450000


def test_epoch_h100e_agree_with_the_catalogs_8bit_flops(peers, library):
    """Two files, one definition: Epoch's H100e per chip equals the catalog's FP8 ÷ 1.979e15."""
    catalog = library.baseline.catalog
    checked = 0
    for peer in peers.peers:
        if not (peer.accelerators and peer.h100_equivalents) or peer.confidence != "confirmed":
            continue
        if any(c.chip not in catalog for c in peer.accelerators):
            continue  # a chip with its own stated figures: compared in test_calibration
        expected = sum(c.count * catalog[c.chip].fp8_flop_per_s / H100_FP8_FLOP_PER_S
                       for c in peer.accelerators)
        assert peer.h100_equivalents[0].value == pytest.approx(expected, rel=1e-4), peer.id
        checked += 1
    assert checked >= 5


def test_epochs_facility_factor_is_the_same_at_every_colossus_1_size(peers):
    """Epoch's H100 rows imply one facility factor (~1.81 kW per H100) from 25k to 100k chips."""
    factors = [p.power_mw[0].value * 1e3 / p.accelerators[0].count
               for p in peers.peers
               if p.site == "xAI Colossus 1" and p.accelerators and len(p.accelerators) == 1]
    assert len(factors) == 2
    assert factors == pytest.approx([1.8, 1.81], abs=0.01)


def test_the_yaml_points_editors_at_its_schema_and_the_schema_is_current(repo_root):
    first = (repo_root / "peers.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./peers.schema.json"
    committed = (repo_root / "peers.schema.json").read_text(encoding="utf-8")
    generated = json_schema(PeersFile, "capcalc peers")
    if committed != generated:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), generated.splitlines(True),
                                            "committed", "generated", n=1))
        pytest.fail(f"peers.schema.json is out of date; regenerate it:\n{diff[:3000]}")


def test_the_committed_schema_accepts_the_file_and_rejects_a_typo(repo_root):
    schema = json.loads((repo_root / "peers.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(RAW, schema)
    broken = copy.deepcopy(RAW)
    broken["peers"][0]["power_mw"][0]["bassis"] = "facility"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# ------------------------------------------------------------------ bad input


def _with_peer(index: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    data["peers"][index].update(changes)
    return data


@pytest.mark.parametrize(("change", "fragment", "key"), [
    ({"status": "rumoured"}, "operational", "peers[tesla-10k-h100-2023].status"),
    ({"power_mw": [{"value": 14.5, "basis": "grid"}]}, "facility",
     "peers[tesla-10k-h100-2023].power_mw[0].basis"),
    ({"power_mw": [{"value": -3, "basis": "facility"}]}, "greater than 0",
     "peers[tesla-10k-h100-2023].power_mw[0].value"),
    ({"accelerators": [{"chip": "H10O", "count": 10}]}, "did you mean 'H100'",
     "peers[tesla-10k-h100-2023].accelerators[0].chip"),
    ({"sourcce": "x"}, "unknown key", "peers[tesla-10k-h100-2023].sourcce"),
    ({"date": "Aug 2023"}, "is not a date", "peers[tesla-10k-h100-2023].date"),
])
def test_a_mistake_names_the_file_the_row_and_the_key(library, change, fragment, key):
    with pytest.raises(CapcalcError) as info:
        _parse(_with_peer(0, **change), library)
    error = info.value
    assert error.file == "peers.yaml"
    assert error.key == key
    assert fragment in error.message
    assert "\n" not in str(error)


def test_ids_must_be_unique_and_the_trend_anchor_must_exist(library):
    data = _with_peer(1, id=RAW["peers"][0]["id"])
    with pytest.raises(CapcalcError, match="used twice"):
        _parse(data, library)
    data = copy.deepcopy(RAW)
    data["trend"]["anchor"] = "no-such-row"
    with pytest.raises(CapcalcError, match="not a peer id"):
        _parse(data, library)


def test_a_chip_may_not_shadow_the_catalog(library):
    data = copy.deepcopy(RAW)
    data["chips"]["H100"] = data["chips"]["Trainium2"]
    with pytest.raises(CapcalcError, match="already in the accelerator catalog"):
        _parse(data, library)


def test_a_missing_file_and_malformed_yaml_are_one_line(tmp_path):
    with pytest.raises(CapcalcError, match="no such file"):
        load_peers(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("peers: [\n", encoding="utf-8")
    with pytest.raises(CapcalcError, match="malformed YAML") as info:
        load_peers(bad)
    assert info.value.file == str(bad)


# ------------------------------------------------------------------ dates and tables


def test_decimal_year_orders_dates_of_any_precision():
    dates = ["2023-08", "2024", "2024-07", "2024-08-11", "2024-09-02", "2025-02-17", "2026"]
    years = [decimal_year(d) for d in dates]
    assert years == sorted(years)
    assert decimal_year("2024-01-01") == 2024.0
    assert 2024.0 < decimal_year("2024-12-31") < 2025.0


def test_among_peers_draws_or_names_every_row(peers, library):
    results = calc.run_many(library, ["cortex-phase1", "cortex-full"])
    table = among_peers_table(peers, library, results, results[0])
    drawn = [r for r in table.rows() if r["kind"] == "peer"]
    assert len(drawn) + len(unplotted(peers, library)) == len(peers.peers)
    scenarios = [r for r in table.rows() if r["kind"] == "scenario"]
    assert [r["label"] for r in scenarios] == ["cortex-phase1", "cortex-full"]
    assert "target 10× cortex-phase1's H100e" in table.caption
    for row in drawn:
        assert row["power_low_mw"] <= row["power_mw"] <= row["power_high_mw"]
    cortex = next(r for r in drawn if r["label"] == "Cortex phase 1")
    assert cortex["h100e_from"] == "chip count" and cortex["h100_equivalents"] == 50000
    assert table.to_csv().startswith("kind,label,"), "the header comes first"


def test_the_timeline_records_rise_and_the_trend_doubles_on_epochs_clock(peers, library):
    table = largest_site_table(peers, library)
    rows = table.rows()
    records = [r["h100_equivalents"] for r in rows if r["series"] == "peer" and r["record"]]
    assert records == sorted(records) and len(set(records)) == len(records)
    trend = [r for r in rows if r["series"] == "trend"]
    months = peers.trend.record_compute_doubling_months.value
    span = (trend[1]["year"] - trend[0]["year"]) * 12 / months
    assert trend[1]["h100_equivalents"] / trend[0]["h100_equivalents"] == pytest.approx(2 ** span)
    anchor = peers.peer(peers.trend.anchor)
    assert trend[0]["h100_equivalents"] == anchor.h100_equivalents[0].value
    fit = [r for r in rows if r["series"] == "fit"]
    fitted = (fit[1]["year"] - fit[0]["year"]) * 12 / math.log2(
        fit[1]["h100_equivalents"] / fit[0]["h100_equivalents"])
    assert 3 < fitted < 24 and math.isfinite(fitted)
    assert f"doubling every {fitted:.1f} months" in fit[0]["label"]


def test_peers_table_csv_has_one_row_per_peer_with_sources(peers, library):
    table = peers_table(peers, library)
    assert len(table) == len(peers.peers)
    lines = table.to_csv().splitlines()
    assert "power_mw [MW]" in lines[0] and "source" in lines[0]
    assert len(lines) == 1 + len(peers.peers)


def test_charts_draw_log_log_with_the_scenarios(peers, library):
    from calc.presentation.chart_spec import Points
    from calc.presentation.charts.peers import among_chart, largest_site_chart
    from calc.presentation.export import chart_bytes

    results = calc.run_many(library, ["cortex-phase1", "cortex-full-gb200"])
    chart = among_chart(peers, library, results, results[0])
    panel = chart.panels[0]
    assert panel.x.log and panel.y.log
    stars = [p for m in panel.marks if isinstance(m, Points) for p in m.points
             if p.shape == "star"]
    assert [(p.label, p.x) for p in stars] == [
        (r.name, r.outputs["facility_power_mw"]) for r in results]
    assert chart_bytes(chart, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert largest_site_chart(peers, library, results[0]).panels[0].y.log


def test_the_peers_tab_renders_with_the_calibration(library, peers):
    from streamlit.testing.v1 import AppTest

    from calc.analysis.calibration import calibrate
    from calc.dashboard import APP

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["view"] = "peers"
    at.run()
    assert not at.exception
    assert "Calibration: the model against published figures" in [s.value for s in at.subheader]
    assert calibrate(library, peers).summary() in [m.value for m in at.markdown]
