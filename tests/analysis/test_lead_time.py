"""Chips bought with a procurement lead time: what 'latest' takes, and what a release month
can and cannot change."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calc.analysis.timeline import run_timeline
from calc.core.errors import CapcalcError
from calc.core.fleet import simulate_fleet
from calc.core.fleet_chips import release_key
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, Phase
from calc.data.phases import apply_phase_sets

from tests.buildout_strategies import build_outs


def _chips_installed(library, phases, values, until="2034-12"):  # type: ignore[no-untyped-def]
    out = simulate_fleet(values, phases, library.baseline.catalog, 2e19, until=until)
    return [out.labels[int(i["generation"][0])] for i in out.installs if i["refresh"] == 0]


@settings(max_examples=40, deadline=None)
@given(after=st.integers(0, 14), lead=st.integers(0, 12))
@example(after=6, lead=7)
@example(after=7, lead=7)
def test_a_phase_planned_within_the_lead_time_of_a_release_never_takes_that_chip(
        library, after, lead):
    """Rubin is the catalog's newest and best chip: a phase planned ``after`` months past its
    release takes it (or the trend chip grown from it) exactly when ``after`` ≥ the lead."""
    catalog = library.baseline.catalog
    release = month_index(catalog["Rubin"].release)
    values = {**library.scenario("cortex-phase1").values,
              "hardware.procurement_lead_months": float(lead)}
    start = month_label(release + after)
    (chip,) = _chips_installed(library, [Phase("p", start, 300.0, LATEST)], values)
    if after < lead:
        assert chip != "Rubin" and not chip.startswith("trend")
        assert month_index(catalog[chip].release) <= release + after - lead
    else:
        assert chip == ("Rubin" if after == lead else f"trend {(release + after - lead) // 12}")


def test_a_phase_of_its_own_lead_time_overrides_the_scenario(library):
    """``timeline[N].lead_months`` (as ``--set`` writes it) replaces the scenario's lead."""
    scenario = library.scenario("cortex-phase1")
    release = month_index(library.baseline.catalog["Rubin"].release)
    phases = (Phase("p", month_label(release + 3), 300.0, LATEST),)
    assert _chips_installed(library, phases, scenario.values) != ["Rubin"]
    short = apply_phase_sets(phases, [("timeline[0].lead_months", "3")])
    assert short[0].lead_months == 3
    assert _chips_installed(library, short, scenario.values) == ["Rubin"]
    assert short[0].to_dict()["lead_months"] == 3


@pytest.mark.parametrize("bad", ["-1", "61", "2.5", "soon"])
def test_a_phase_lead_time_out_of_range_is_one_clear_line(bad):
    with pytest.raises(CapcalcError, match=r"timeline\[0\]\.lead_months.*whole number of months"):
        apply_phase_sets((Phase("p", "2027-01", 300.0, LATEST),),
                         [("timeline[0].lead_months", bad)])


def test_no_chip_in_volume_a_lead_time_before_the_start_is_one_clear_line(library):
    values = library.scenario("cortex-phase1").values
    with pytest.raises(CapcalcError, match="procurement lead time"):
        simulate_fleet(values, [Phase("p", "2021-09", 100.0, LATEST)], library.baseline.catalog,
                 2e19, until="2022-12")


@settings(max_examples=60, deadline=None)
@given(build=build_outs(), chip=st.sampled_from(["H100", "H200", "GB200", "GB300", "Rubin"]),
       later=st.integers(1, 48), lead=st.integers(0, 12))
@example(build=([Phase("p0", "2024-10", 87.0, "H100", refresh=True),
                 Phase("p1", "2027-07", 500.0, LATEST, refresh=True)], 5.0),
         chip="Rubin", later=1, lead=7)
def test_a_chip_released_later_never_raises_compute_in_any_month(library, build, chip,
                                                                  later, lead):
    """Moving one chip's release month later can only leave a build-out the same or give it
    a chip of fewer FLOP/s per watt (or less trend growth) in some month: compute never
    rises anywhere (with the default availability model, where availability does not
    depend on the chip count)."""
    phases, life = build
    catalog = library.baseline.catalog
    values = {**library.scenario("cortex-phase1").values, "cost.hardware_lifetime_years": life,
              "hardware.procurement_lead_months": float(lead)}
    moved = {**values, release_key(chip): month_index(catalog[chip].release) + later}

    def compute(v):  # type: ignore[no-untyped-def]
        try:
            out = simulate_fleet(v, phases, catalog, 2e19, until="2036-12", first="2024-01",
                           outputs=["effective_flop_per_s"], by_generation=False)
        except CapcalcError:
            return None  # no chip in volume a lead time before some phase: nothing to compare
        return np.asarray(out.series["effective_flop_per_s"])

    before, after = compute(values), compute(moved)
    if before is None or after is None:
        return
    assert np.all(after <= before + 1e-12 * before.max())


def test_the_cortex_headline_does_not_move_with_a_month_of_the_last_phase(library):
    """The story's build-out: moving Cortex 2's full build a month either way (still
    "mid-2026") leaves the month 10× is first reached at central values where it is."""
    scenario = library.scenario("cortex-buildout")
    reached = set()
    for start in ("2026-06", "2026-07", "2026-08"):
        phases = apply_phase_sets(scenario.timeline, [("timeline[-1].start", start)])
        reached.add(run_timeline(library, scenario, phases=phases).target_reached)
    assert len(reached) == 1 and None not in reached


@settings(max_examples=40, deadline=None)
@given(lead=st.integers(0, 12), life=st.sampled_from([4.0, 4.5, 5.0, 5.5, 6.0]),
       mfu=st.floats(0.3, 0.5), shift=st.sampled_from([-1, 1]))
def test_a_month_of_the_last_phase_moves_the_cortex_date_by_a_month_at_most(
        library, lead, life, mfu, shift):
    """With no chip coming into volume between the orders of "mid-2026" a month apart (Rubin
    is in volume from late 2026), a month's change of Cortex 2's full build moves the month
    10x is first reached at central values by at most that month: no jump of years."""
    scenario = library.scenario("cortex-buildout", [
        ("hardware.procurement_lead_months", str(lead)),
        ("cost.hardware_lifetime_years", str(life)), ("training.mfu", str(mfu))])
    start = month_index(scenario.timeline[-1].start)
    moved = apply_phase_sets(scenario.timeline,
                             [("timeline[-1].start", month_label(start + shift))])
    before = run_timeline(library, scenario, until="2036-12").target_reached
    after = run_timeline(library, scenario, phases=moved, until="2036-12").target_reached
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert abs(month_index(after) - month_index(before)) <= 1
