"""Each phase's own MFU and training precision in a build-out, and the catalog's MFU at scale.

A phase may train at its own MFU or precision (a new phase in fp8 while the
first trained in bf16). Checked by identities: a phase given the scenario's
own MFU changes nothing; a phase's FLOP/s scale with its MFU and its
precision's peak; the fleet's levers still multiply to the multiple; and the
command line and files take the fields with one-line errors.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc.analysis.levers import levers_of_timeline
from calc.analysis.run import model_inputs
from calc.analysis.timeline import run_timeline
from calc.core.fleet import simulate_fleet
from calc.core.phases import Phase
from calc.data.phases import apply_phase_sets, to_phases
from calc.data.schema import PhaseSpec

UNTIL = "2030-12"


def _series(library: calc.Library, phases: list[Phase], baseline: float,
            **values: Any) -> dict[str, Any]:
    scenario = library.scenario("cortex-phase1")
    inputs = {**model_inputs(scenario), **values}
    return simulate_fleet(inputs, phases, library.baseline.catalog, baseline, until=UNTIL).series


def test_a_phase_at_the_scenario_s_own_mfu_and_precision_changes_nothing(
        library: calc.Library) -> None:
    scenario = library.scenario("cortex-buildout")
    plain = run_timeline(library, scenario, until=UNTIL)
    mfu, precision = scenario["training.mfu"], scenario["training.precision"]
    own = tuple(replace(p, mfu=mfu, precision=precision) for p in scenario.timeline)
    same = run_timeline(library, scenario, until=UNTIL, phases=own)
    for name, values in plain.series.items():
        np.testing.assert_allclose(same.series[name], values, rtol=1e-12, err_msg=name)
    assert same.target_reached == plain.target_reached


@settings(max_examples=25, deadline=None)
@given(mfu=st.floats(0.05, 1.0))
def test_a_phase_s_flop_scale_with_its_own_mfu(library: calc.Library, mfu: float) -> None:
    base = 1e19
    plain = _series(library, [Phase("one", "2026-01", 100.0)], base)
    own = _series(library, [Phase("one", "2026-01", 100.0, mfu=mfu)], base)
    scenario_mfu = library.scenario("cortex-phase1")["training.mfu"]
    np.testing.assert_allclose(own["effective_flop_per_s"],
                               plain["effective_flop_per_s"] * mfu / scenario_mfu, rtol=1e-12)
    np.testing.assert_array_equal(own["peak_flop_per_s"], plain["peak_flop_per_s"])
    np.testing.assert_array_equal(own["h100_equivalents"], plain["h100_equivalents"])


def test_two_phases_at_different_mfus_add_up_by_hand(library: calc.Library) -> None:
    base = 1e19
    phases = [Phase("one", "2026-01", 100.0, "H100"),
              Phase("two", "2027-01", 300.0, "H100", mfu=0.3)]
    out = _series(library, phases, base)
    scenario = library.scenario("cortex-phase1")
    per_mw_peak = float(out["peak_flop_per_s"][0]) / 100.0  # one H100 MW's peak FLOP/s
    wall = scenario["training.availability"] * scenario["training.share"]
    both = 12  # 2027-01: the second phase has begun
    by_hand = (100.0 * per_mw_peak * scenario["training.mfu"]
               + 200.0 * per_mw_peak * 0.3) * wall
    assert math.isclose(float(out["effective_flop_per_s"][both]), by_hand, rel_tol=1e-12)


def test_a_phase_in_fp8_doubles_an_h100_s_peak_but_not_its_h100_equivalents(
        library: calc.Library) -> None:
    base = 1e19
    bf16 = _series(library, [Phase("one", "2026-01", 100.0, "H100")], base)
    fp8 = _series(library, [Phase("one", "2026-01", 100.0, "H100", precision="fp8")], base)
    h100 = library.baseline.catalog["H100"]
    ratio = h100.fp8_flop_per_s / h100.bf16_flop_per_s
    np.testing.assert_allclose(fp8["peak_flop_per_s"], bf16["peak_flop_per_s"] * ratio,
                               rtol=1e-12)
    np.testing.assert_allclose(fp8["effective_flop_per_s"],
                               bf16["effective_flop_per_s"] * ratio, rtol=1e-12)
    np.testing.assert_array_equal(fp8["h100_equivalents"], bf16["h100_equivalents"])
    np.testing.assert_array_equal(fp8["accelerators"], bf16["accelerators"])


def test_the_fleet_s_levers_multiply_to_its_multiple_with_phase_mfus(
        library: calc.Library) -> None:
    scenario = library.scenario("cortex-buildout")
    phases = tuple(replace(p, mfu=0.3 + 0.05 * i, precision="fp8" if i == 3 else None)
                   for i, p in enumerate(scenario.timeline))
    timeline = run_timeline(library, scenario, until=UNTIL, phases=phases)
    decomposition = levers_of_timeline(library, timeline).decomposition
    assert decomposition is not None
    assert math.isclose(decomposition.product, decomposition.total, rel_tol=1e-9)
    assert math.isclose(decomposition.total, timeline.final_multiple, rel_tol=1e-9)


def test_phase_fields_read_from_a_file_and_back() -> None:
    spec = PhaseSpec.model_validate({"name": "p", "start": "2026-07", "facility_power_mw": 200,
                                     "mfu": 0.35, "precision": "fp8"})
    (phase,) = to_phases([spec])
    assert (phase.mfu, phase.precision) == (0.35, "fp8")
    again = to_phases([PhaseSpec.model_validate(phase.to_dict())])
    assert again == (phase,)
    assert "mfu" not in Phase("q", "2026-07", 200.0).to_dict(), "defaults stay out of files"


def test_set_changes_and_clears_a_phase_s_mfu(library: calc.Library) -> None:
    phases = library.scenario("cortex-buildout").timeline
    changed = apply_phase_sets(phases, [("timeline[1].mfu", "0.33"),
                                        ("timeline[1].precision", "FP8")])
    assert (changed[1].mfu, changed[1].precision) == (0.33, "fp8")
    cleared = apply_phase_sets(changed, [("timeline[1].mfu", "null")])
    assert cleared[1].mfu is None


@pytest.mark.parametrize(("sets", "words"), [
    ("timeline[0].mfu=1.5", "at most 1"),
    ("timeline[0].mfu=forty", "must be a number"),
    ("timeline[0].mfu=nan", "must be a number"),
    ("timeline[0].precision=fp4", "must be one of bf16, fp8"),
])
def test_a_bad_phase_mfu_or_precision_is_one_line(capcalc_cli: Any, sets: str,
                                                    words: str) -> None:
    result = capcalc_cli("timeline", "cortex-buildout", "--set", sets)
    assert result.returncode == 2
    assert words in result.stderr and sets.split("=")[0] in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_command_line_follows_a_phase_s_mfu(capcalc_cli: Any) -> None:
    def final(*sets: str) -> float:
        args = [a for s in sets for a in ("--set", s)]
        result = capcalc_cli("timeline", "cortex-buildout", "--format", "json", *args)
        assert result.returncode == 0, result.stderr
        return float(json.loads(result.stdout)["final_multiple"])

    # the last phase at a lower MFU never raises the multiple; a higher one never lowers it
    assert final("timeline[-1].mfu=0.2") <= final() <= final("timeline[-1].mfu=0.6")


def test_the_default_mfu_holds_the_mfu_published_at_scale(library: calc.Library) -> None:
    mfu = library.baseline.assumptions["training.mfu"]
    published = {k: a.mfu_at_scale for k, a in library.baseline.catalog.items()
                 if a.mfu_at_scale is not None}
    assert "H100" in published, "Llama 3's 16k-H100 run is the published reference"
    for name, value in published.items():
        assert mfu.low is not None and mfu.high is not None
        assert mfu.low <= value <= mfu.high, name


def test_the_catalog_lists_the_mfu_at_scale(capcalc_cli: Any) -> None:
    result = capcalc_cli("catalog", "--format", "json")
    rows = {r["accelerator"]: r for r in json.loads(result.stdout)}
    assert rows["H100"]["mfu_at_scale"] == pytest.approx(0.41)
    assert rows["Rubin"]["mfu_at_scale"] is None

