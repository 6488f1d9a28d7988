"""Calibration: the model on each peer's chips against the published figures, honestly reported."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from calc.analysis.calibration import calibrate, site_model
from calc.data.peers import parse_peers
from calc.presentation.calibration import (
    calibration_json,
    calibration_table,
    calibration_text,
    reason_text,
)

from tests.paths import PEERS_FILE

ROOT = Path(__file__).resolve().parents[2]
ASSUMPTIONS = yaml.safe_load((ROOT / "assumptions.yaml").read_text(encoding="utf-8"))
RAW = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))

#: Confirmed rows of Epoch AI's Frontier Data Centers timeline (epoch-research/ai-chip-counts,
#: xai_datacenter_timelines.csv) with a stated chip mix: the model must reproduce their
#: primary power, H100e and capex within the tolerances of peers.yaml.
EPOCH_ROWS = ("colossus-1-2024-08", "colossus-1-2024-09", "colossus-1-2025-02",
              "colossus-1-2025-07", "colossus-2-2025-10", "colossus-2-2026-05")


@pytest.fixture(scope="module")
def result(library, peers):
    return calibrate(library, peers)


def _by(result: Any, peer: str, quantity: str, primary: bool = True) -> Any:
    return next(c for c in result.comparisons
                if c.peer == peer and c.quantity == quantity and c.primary == primary)


@pytest.mark.parametrize("peer", EPOCH_ROWS)
@pytest.mark.parametrize("quantity", ["power", "h100_equivalents", "capex"])
def test_confirmed_epoch_rows_are_within_tolerance(result, peer, quantity):
    comparison = _by(result, peer, quantity)
    assert comparison.confidence == "confirmed"
    assert comparison.status == "within", (
        f"{peer} {quantity}: model {comparison.model:.4g} vs published "
        f"{comparison.published:.4g} ({comparison.deviation:+.1%}); {reason_text(comparison)}")
    assert abs(comparison.deviation) <= comparison.tolerance


def test_model_power_is_the_hand_calculation_from_the_yaml(result):
    """Colossus 1 at 100k H100, by hand from assumptions.yaml: count × TDP × overheads × PUE."""
    h100 = ASSUMPTIONS["catalog"]["H100"]
    site = ASSUMPTIONS["site"]
    watts = (h100["tdp_w"]["value"] * h100["server_overhead"]["value"]
             * site["it_overhead"]["value"] * site["pue"]["value"])
    comparison = _by(result, "colossus-1-2024-09", "power")
    assert comparison.model == pytest.approx(100_000 * watts / 1e6, rel=1e-12)
    assert comparison.published == 181


def test_no_published_figure_is_dropped(result, peers):
    expected = sum(len(p.power_mw) + len(p.h100_equivalents) + len(p.capex_usd_2025)
                   for p in peers.peers)
    assert len(result.comparisons) == expected
    table = calibration_table(result)
    assert len(table) == expected


def test_every_comparison_outside_or_not_modelled_says_why(result):
    outside = [c for c in result.comparisons if c.status == "outside"]
    assert outside, "some published figures disagree with any single model; they must show"
    for c in outside:
        assert "⇒" in reason_text(c) and c.deviation is not None, c
    for c in result.comparisons:
        if c.status == "n/a":
            assert c.model is None and reason_text(c), c
        if c.status == "within":
            assert reason_text(c) == ""


def test_epochs_formula_rows_are_reported_outside_with_the_implied_pue(result):
    """Epoch's supercomputer formula (TDP × 1.82 × PUE, no network term) gives less power than
    capcalc's chain; the comparison shows it instead of tuning the defaults to match."""
    for peer in ("tesla-cortex-phase1-2024", "meta-llama3-cluster-2024"):
        comparisons = [c for c in result.comparisons if c.peer == peer and c.quantity == "power"
                       and "1.82" in reason_text(c)]
        assert comparisons, peer
        for c in comparisons:
            assert c.status == "outside" and c.deviation > 0
            assert "a PUE of" in reason_text(c) and "capcalc: 1.20" in reason_text(c)


def test_circular_comparisons_are_marked(result):
    assert not _by(result, "colossus-1-2024-09", "capex").independent
    assert "catalog.H100.capex_usd" in _by(result, "colossus-1-2024-09", "capex").circular
    assert _by(result, "colossus-1-2024-09", "power").independent
    assert _by(result, "colossus-1-2024-08", "capex").independent


def test_the_model_follows_the_defaults_it_is_given(library, peers, result):
    """--set site.pue=1.4 scales every modelled facility power by 1.4 / 1.2, IT power not at all."""
    raised = calibrate(library, peers, [("site.pue", "1.4")])
    for before, after in zip(result.comparisons, raised.comparisons, strict=True):
        if before.quantity != "power" or before.model is None:
            continue
        ratio = 1.0 if before.basis == "it" else 1.4 / 1.2
        assert after.model == pytest.approx(before.model * ratio, rel=1e-12)
    assert raised.sets == (("site.pue", "1.4"),)


def test_a_chip_outside_the_catalog_gives_only_what_its_figures_support(result, peers):
    trainium = peers.chips["Trainium2"]
    h100e = _by(result, "rainier-2025-10", "h100_equivalents")
    assert h100e.model == pytest.approx(500_000 * trainium.fp8_flop_per_s.value / 1.979e15)
    assert h100e.confidence == "secondary"
    power = _by(result, "rainier-epoch-2026", "power")
    assert power.status == "n/a" and "server_overhead" in reason_text(power)


def _single(peer: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    data["peers"] = [peer]
    data["trend"]["anchor"] = peer["id"]
    data["schedules"] = []  # they name the shipped rows, which this file no longer has
    return data


def test_it_power_is_compared_as_facility_power_over_pue(library):
    peer = {"id": "test-site", "site": "Test site", "label": "Test", "operator": "Test",
            "date": "2025", "status": "operational", "source": "https://example.org/x",
            "confidence": "confirmed",
            "accelerators": [{"chip": "H100", "count": 1000}],
            "power_mw": [{"value": 1.0, "basis": "it"}, {"value": 1.0, "basis": "facility"}]}
    peers = parse_peers(_single(peer), source="test.yaml", catalog=library.baseline.catalog)
    site = site_model(library, peers, peers.peers[0])
    result = calibrate(library, peers)
    it, facility = result.comparisons
    assert it.model == pytest.approx(site.facility_power_mw / 1.2)
    assert facility.model == pytest.approx(site.facility_power_mw)
    assert it.model == pytest.approx(site.it_power_mw)


def test_a_floor_is_met_by_anything_above_it(library):
    peer = {"id": "floor", "site": "Floor", "label": "Floor", "operator": "Test", "date": "2025",
            "status": "planned", "source": "https://example.org/x", "confidence": "secondary",
            "accelerators": [{"chip": "H100", "count": 1000}],
            "h100_equivalents": [{"value": 500, "bound": "at_least"},
                                 {"value": 5000, "bound": "at_least"},
                                 {"value": 800, "bound": "at_most"}]}
    peers = parse_peers(_single(peer), source="test.yaml", catalog=library.baseline.catalog)
    statuses = [c.status for c in calibrate(library, peers).comparisons]
    assert statuses == ["within", "outside", "outside"]


def test_the_json_form_round_trips(result):
    import json

    document = json.loads(json.dumps(calibration_json(result)))
    assert document["tolerances"]["power"]["value"] == 0.15
    assert len(document["comparisons"]) == len(result.comparisons)
    assert {c["status"] for c in document["comparisons"]} == {"within", "outside", "n/a"}


@pytest.mark.parametrize("peer", ["colossus-2-2025-10", "stargate-abilene-full"])
def test_blackwell_sites_as_built_are_within_the_power_tolerance(result, peer):
    """GB200's overheads come from NVL72 rack power and Colossus 2; Abilene is a check on them
    that no assumption was derived from."""
    comparison = _by(result, peer, "power")
    assert comparison.status == "within", reason_text(comparison)
    assert abs(comparison.deviation) <= comparison.tolerance


def test_the_sites_that_pin_each_chip_factor_are_named(result, peers):
    pinned = result.pinned
    assert set(pinned["catalog.GB200.server_overhead"]) == {
        peer.id for peer in peers.peers if "catalog.GB200.server_overhead" in peer.informs}
    assert "colossus-2-2025-10" in pinned["catalog.GB200.server_overhead"]
    assert all("stargate" not in peer for ids in pinned.values() for peer in ids)
    text = calibration_text(result)
    line = next(row for row in text.splitlines()
                if row.startswith("- catalog.GB200.server_overhead:"))
    assert all(peer in line for peer in pinned["catalog.GB200.server_overhead"])
    document = calibration_json(result)
    assert document["pinned_by"] == {k: list(v) for k, v in pinned.items()}
    # a pinned factor makes its own site's comparison circular, and says so
    assert "catalog.GB200.server_overhead" in _by(result, "colossus-2-2025-10", "power").circular
