"""The build-out Monte Carlo draws every catalog range once per sample, shared by every phase
and refresh on that chip, and 'latest' chooses within each sample."""

from __future__ import annotations

import numpy as np

from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.catalog_draws import catalog_draws
from calc.core.fleet import simulate_fleet
from calc.core.fleet_chips import release_key
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, Phase


def test_one_chip_takes_one_draw_per_sample_in_every_phase(library):
    catalog = library.baseline.catalog
    scenario = library.scenario("cortex-phase1")
    draws = catalog_draws(catalog, scenario.values, 400, seed=3)
    for key in ("catalog.GB200.server_overhead", "catalog.GB200.capex_usd",
                "catalog.Rubin.tdp_w", "catalog.Rubin.fp8_flop_per_s", release_key("Rubin")):
        assert key in draws and draws[key].shape == (400,) and np.ptp(draws[key]) > 0, key
    # the scenario's own chip takes its hardware.* draws (shared with the baseline) instead
    assert not [k for k in draws if k.startswith("catalog.H100.")]
    # BF16 and FP8 peaks of one chip move together (one derives from the other)
    ranks = [np.argsort(np.argsort(draws[f"catalog.Rubin.{p}_flop_per_s"]))
             for p in ("bf16", "fp8")]
    assert np.array_equal(*ranks)
    phases = [Phase("a", "2026-01", 100.0, "GB200", refresh=True),
              Phase("b", "2027-01", 300.0, "GB200")]
    values = {**scenario.values, **draws, "cost.hardware_lifetime_years": 3.0}
    out = simulate_fleet(values, phases, catalog, 2e19, until="2029-06", by_generation=False)
    first = next(i for i in out.installs if i["phase"] == 0 and i["refresh"] == 0)
    second = next(i for i in out.installs if i["phase"] == 1)
    per_mw = first["accelerators"] / 100.0
    np.testing.assert_allclose(second["accelerators"] / 200.0, per_mw, rtol=1e-12)
    np.testing.assert_allclose(second["capex_usd"] / second["accelerators"],
                               first["capex_usd"] / first["accelerators"], rtol=1e-12)
    assert np.ptp(per_mw) > 0  # drawn, not central


def test_latest_chooses_within_each_sample(library):
    """A phase planned a lead time after Rubin's central release month takes Rubin exactly in
    the samples whose drawn release comes by its order month."""
    catalog = library.baseline.catalog
    scenario = library.scenario("cortex-phase1")
    lead = int(scenario.inputs.hardware.procurement_lead_months)
    draws = catalog_draws(catalog, scenario.values, 600, seed=5)
    start = month_index(catalog["Rubin"].release) + lead
    out = simulate_fleet({**scenario.values, **draws},
                         [Phase("p", month_label(start), 300.0, LATEST)],
                         catalog, 2e19, until=month_label(start + 1), by_generation=False)
    (install,) = out.installs
    got_rubin = np.array([out.labels[g] in ("Rubin",) or out.labels[g].startswith("trend")
                          for g in install["generation"]])
    in_volume = draws[release_key("Rubin")] <= start - lead
    assert np.array_equal(got_rubin, in_volume)
    assert 0.2 < got_rubin.mean() < 0.8  # the central month: about half the samples


def test_a_sampled_buildout_draws_the_catalog_and_the_lead_time(library):
    """The sampled 10x date of the Cortex build-out spreads over months: no single month
    holds most of the samples (the chip a phase gets no longer hangs on one month)."""
    sim = simulate_timeline(library, "cortex-buildout", samples=600, seed=2)
    again = simulate_timeline(library, "cortex-buildout", samples=600, seed=2)
    assert np.array_equal(sim.reach, again.reach)
    reached = sim.reach[sim.reach >= 0]
    assert reached.size > 300
    shares = np.bincount(reached) / sim.samples
    assert shares.max() < 0.2
    assert len(np.unique(reached)) > 12
