"""Every chart of capcalc, declared from real results of the shipped files (built once per
test process): what the style and parity tests check.

Each chart is built as its users meet it — the dashboard's views and the CLI's
``--out`` files call these same declarations — on the shipped scenarios, the
build-out to 2030 and to 2060 (more generations than the palette has colours),
the peers, Monte Carlo runs of one and of two scenarios, the sensitivities, a
sampled build-out, and sweeps over chips, power × MFU and a build-out's power × slip.
"""

from __future__ import annotations

import functools

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.levers import levers_of_timeline
from calc.analysis.montecarlo import simulate
from calc.analysis.sensitivity import p_target_conditional, sobol, tornado
from calc.analysis.timeline import run_timeline
from calc.data.peers import load_peers
from calc.presentation.chart_spec import Chart
from calc.presentation.charts import peers as peer_charts
from calc.presentation.charts import scenarios, sensitivity, sweep, timeline, uncertainty

__all__ = ["BUILDOUT_SWEEP", "MEASURE", "every_chart"]

#: A build-out swept over its last phase's power and slip, with samples: P(10× by a month).
BUILDOUT_SWEEP = {
    "scenario": "cortex-buildout",
    "axes": {"timeline[3].facility_power_mw": [300, 500, 800, 1200, 2000],
             "timeline[3].delay_months": [0, 3, 6, 9, 12, 18]},
    "samples": 200, "seed": 1, "until": "2029-12", "by": ["2027-12"],
    "outputs": ["reach_month", "p_target_by"],
}

#: What the multiples measure on the charts that say it.
MEASURE = "effective FLOP/s"


@functools.cache
def every_chart() -> dict[str, Chart]:
    """Name → declaration of every kind of chart capcalc draws (some twice, in two forms)."""
    library = calc.load()
    base = calc.run(library, "cortex-phase1")
    shown = [base, calc.run(library, "cortex-full"), calc.run(library, "tenfold")]
    every = calc.run_many(library, library.names)
    buildout = run_timeline(library, library.scenario("cortex-buildout"))
    far = run_timeline(library, library.scenario("cortex-buildout"), until="2060-12")
    slower = run_timeline(library, library.scenario("cortex-buildout",
                                                    [("training.mfu", "0.3")]))
    gb200 = calc.run(library, "cortex-phase1", [("hardware.accelerator", "GB200"),
                                                ("site.facility_power_mw", "300")])
    peers = load_peers(catalog=library.baseline.catalog)
    operator = library.story.operator
    stated = peers.stated(operator) if operator else ()
    sims = [simulate(library, library.scenario(name), samples=2_000, seed=1)
            for name in ("cortex-full", "tenfold")]
    fan = simulate_timeline(library, library.scenario("cortex-buildout"), samples=500, seed=1)
    full = library.scenario("cortex-full")
    effective = float(base.outputs["effective_flop_per_s"])
    chips = calc.sweep({"scenario": "cortex-phase1", "outputs": ["compute_multiple"],
                        "axes": {"site.facility_power_mw": [300, 600, 1000, 2000],
                                 "hardware.accelerator": ["H100", "GB200"]}}, library)
    grid = calc.sweep({"scenario": "cortex-phase1", "samples": 500, "seed": 1,
                       "outputs": ["compute_multiple"],
                       "axes": {"site.facility_power_mw": [100, 200, 400, 800, 1600],
                                "training.mfu": [0.3, 0.35, 0.4, 0.45, 0.5]}}, library)
    slips = calc.sweep(BUILDOUT_SWEEP, library)
    found = calc.discover(slips, "compute_multiple", 10, by="2027-12", ladder=False).main
    box = found.box or found.densest
    assert box is not None
    return {
        "comparison": scenarios.comparison_chart(shown, base, measure=MEASURE),
        "comparison-every": scenarios.comparison_chart(every, every[0]),
        "power": scenarios.power_chart(library, shown[1].scenario, effective, shown[:2],
                                       measure=MEASURE),
        "power-reference": scenarios.power_chart(
            library, gb200.scenario, float(calc.run(library, gb200.baseline)
                                           .outputs["effective_flop_per_s"]),
            [gb200], reference=base),
        "cost": scenarios.cost_chart(shown),
        "lease": scenarios.lease_chart(shown),
        "utilisation": scenarios.utilisation_chart(shown),
        "utilisation-one": scenarios.utilisation_chart(shown[:1]),
        "timeline": timeline.timeline_chart(buildout, stated, measure=MEASURE),
        "timeline-2060": timeline.timeline_chart(far),
        "timeline-reference": timeline.timeline_chart(slower, stated, reference=buildout),
        "levers": timeline.levers_chart(levers_of_timeline(library, buildout), measure=MEASURE),
        "among": peer_charts.among_chart(peers, library, shown, base),
        "largest": peer_charts.largest_site_chart(peers, library, base),
        "histogram": uncertainty.histogram_chart(sims[:1], "compute_multiple", measure=MEASURE),
        "histogram-two": uncertainty.histogram_chart(sims, "effective_flop_per_s"),
        "exceedance": uncertainty.exceedance_chart(sims, measure=MEASURE),
        "fan": uncertainty.fan_chart([fan], measure=MEASURE),
        "reach": uncertainty.reach_probability_chart([fan], measure=MEASURE),
        "tornado": sensitivity.tornado_chart(tornado(library, full, "compute_multiple")),
        "sobol": sensitivity.sobol_chart(sobol(library, full, "compute_multiple", samples=64,
                                               seed=1)),
        "conditional": sensitivity.conditional_p_chart(
            p_target_conditional(library, "tenfold", samples=2_000, seed=1), measure=MEASURE),
        "sweep-chips": sweep.heatmap_chart(chips, "compute_multiple"),
        "sweep-multiple": sweep.heatmap_chart(grid, "compute_multiple"),
        "sweep-chance": sweep.heatmap_chart(grid, "p_target_reached"),
        "sweep-slip": sweep.reach_heatmap_chart(slips, box=dict(box.limits)),
    }
