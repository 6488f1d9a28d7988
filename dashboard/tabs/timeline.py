"""Timeline & target view: the build-out month by month, the chance of the target by each
month, the levers, the phase table (:mod:`dashboard.tabs.phase_table`) and the target box
(:mod:`dashboard.tabs.target_box`: the central answer beside the P50/P80/P95 ones).

The phases come from the current scenario's ``timeline:`` (or, for a scenario
without one, the shipped Cortex build-out) and can be edited in the table, a
slip range (delay low/high) and the status of each phase included; the edits
are the page's state (the link and the scenario file carry them, and the
answer above uses them). With "announced phases slip as peers did" on, every
announced phase without a range of its own takes the peers' slip
(:func:`calc.analysis.slip.with_slip` of :func:`~calc.analysis.slip.default_slip`,
as ``capcalc timeline --slip peers``).

Everything shown comes from :func:`calc.analysis.timeline.run_timeline`,
:mod:`calc.analysis.levers`, :func:`calc.analysis.buildout_montecarlo.simulate_timeline`
(the chance by month), :func:`calc.analysis.timeline.solve_timeline` /
:func:`calc.analysis.run.solve_input` (the central answer) and
:func:`calc.analysis.confidence.solve_probability` (the P answers), cached on
their inputs (``upload, preset, sets, phases, horizon`` and the Monte Carlo's
``samples, seed``): a rerun with the same inputs costs a lookup. The sample
count and the seed are the page's settings, shared with the Uncertainty view;
the probability of the target box is one too. Charts are Vega-Lite specs built
from the same Tables the matplotlib charts (downloads) draw.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.levers import levers_of_timeline
from calc.analysis.timeline import run_timeline
from calc.core.errors import CapcalcError
from calc.core.vocabulary import measure_title
from calc.presentation.charts import levers_waterfall, timeline_chart
from calc.presentation.charts.uncertainty import reach_probability_chart
from calc.presentation.formatting import format_value, month_text
from calc.presentation.levers import levers_table
from calc.presentation.tables import Table
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.tables.uncertainty import reach_probability_table
from calc.presentation.vega.timeline import levers_spec, multiple_spec, timeline_spec
from calc.presentation.vega.uncertainty import reach_probability_spec

from dashboard import compute, page
from dashboard.context import Context, PhasesKey, Sets, phases_key
from dashboard.downloads import download_buttons
from dashboard.markup import plain, shown_error
from dashboard.state import SETTINGS
from dashboard.tabs import phase_table, target_box

__all__ = ["render"]

Upload = tuple[str, str]
Spec = dict[str, Any]


# ---------------------------------------------------------------- compute (cached)


@compute.memo(max_entries=64)
def _computed(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str
              ) -> tuple[Table, Table, str, str | None, float]:
    """Timeline table, levers table, summary line, reach month and final multiple."""
    library = compute.library_for(upload)
    result, _ = compute.results(upload, preset, sets)
    timeline = run_timeline(library, result.scenario, until=until, phases=compute.from_key(phases))
    levers = levers_table(levers_of_timeline(library, timeline))
    return (timeline_table(timeline), levers, timeline.summary(), timeline.target_reached,
            timeline.final_multiple)


@compute.memo(max_entries=64)
def _specs(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
           measure: str) -> tuple[Spec, Spec, Spec]:
    series, levers, *_ = _computed(upload, preset, sets, phases, until)
    return (timeline_spec(series), multiple_spec(series, measure=measure),
            levers_spec(levers, measure=measure))


@compute.memo(max_entries=32)
def _reach(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
           samples: int, seed: int) -> Table:
    """P(target reached by each month) over ``samples`` joint samples of the build-out, with
    its P50 and P80 months (:func:`calc.presentation.tables.uncertainty.reach_probability_table`).

    Only the small table is kept: the samples themselves are (samples × months) arrays.
    """
    sim = simulate_timeline(compute.library_for(upload),
                            compute.scenario_of(upload, preset, sets), samples=samples,
                            seed=seed, until=until, phases=compute.from_key(phases),
                            time_budget=compute.TIMELINE_SECONDS)
    return reach_probability_table([sim])


@compute.memo(max_entries=64)
def _reach_spec(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
                samples: int, seed: int, measure: str) -> Spec:
    return reach_probability_spec(_reach(upload, preset, sets, phases, until, samples, seed),
                                  measure=measure)


# ---------------------------------------------------------------- the view


def _mc_controls(ctx: Context) -> tuple[int, int]:
    """The Monte Carlo's sample count and seed: the page's settings, shared with the
    Uncertainty view (and carried by the link)."""
    left, right, _ = st.columns([1, 1, 2])
    samples_setting, seed_setting = SETTINGS["samples"], SETTINGS["seed"]
    samples = int(left.number_input(
        "Samples", min_value=samples_setting.lower, max_value=samples_setting.upper,
        step=1_000, help="Joint draws of every input with a range (and every slip range). "
        f"The chance by month samples at most {compute.TIMELINE_SAMPLES:,} build-outs, in at "
        f"most {compute.TIMELINE_SECONDS:g} s of computing.",
        **page.bound("samples", "tl:samples")))
    seed = int(right.number_input(
        "Seed", min_value=seed_setting.lower, max_value=seed_setting.upper, step=1,
        help="The same seed gives the same numbers, here and in `capcalc timeline --samples N "
             "--seed S` and `capcalc solve ... --probability P --samples N --seed S`.",
        **page.bound("seed", "tl:seed")))
    return samples, seed


def _reach_section(ctx: Context, used: PhasesKey, until: str, samples: int, seed: int,
                   measure: str) -> None:
    upload, preset, sets = ctx.key
    target = ctx.scenario.inputs.target.compute_multiplier
    st.subheader(f"Chance of {target:g}× by each month")
    n = min(samples, compute.TIMELINE_SAMPLES)
    try:
        with st.spinner(f"Sampling {n:,} build-outs…"):
            table = _reach(upload, preset, sets, used, until, n, seed)
            spec = _reach_spec(upload, preset, sets, used, until, n, seed, measure)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    found: dict[str, dict[str, str | None]] = table.meta["marks"]
    marks = found.get(ctx.scenario.name) or next(iter(found.values()), {})
    with st.container(horizontal=True, wrap=True, gap="small"):
        for label, month in marks.items():
            share = int(label[1:])
            st.metric(f"{share} % sure by", month_text(month) if month else f"not by {until}",
                      border=True, width="content",
                      help=f"The first month by which {share} % of the {n:,} sampled "
                           f"build-outs (seed {seed}) reach {target:g}× {ctx.baseline.name} "
                           f"in {measure}." + (f" ({month})" if month else ""))
        st.metric(f"Chance by {until}", f"{table.columns['p_reached_by'][-1]:.0%}",
                  border=True, width="content",
                  help=f"Share of the {n:,} samples that reach the target by {until}.")
    st.vega_lite_chart(spec, width="stretch")
    download_buttons(table, reach_probability_chart, key="dl-tl-reach",
                     cache_key=(ctx.key, used, until, n, seed))
    note = (f"{n:,} samples, seed {seed}"
            + (f" (of the {samples:,} set: a sampled build-out holds samples × months)"
               if n < samples else "")
            + ". Every input with a range is sampled (as in the Uncertainty view), and every "
              "phase with a slip range. ")
    if ctx.settings.get("slip"):
        delays = compute.slip().delays()
        note += (f"Announced phases without a range of their own slip as the peers' did: "
                 f"{page.slip_words()}, from {delays.n} milestones in peers.yaml "
                 f"({delays.censored} still late; early deliveries count as on time). ")
    note += f"`capcalc timeline {preset} --until {until} --samples {n} --seed {seed}" + \
        (" --slip peers`" if ctx.settings.get("slip") else "`") + " gives the same."
    st.caption(note)


def render(ctx: Context) -> None:
    """Phase table, reach-date cards, timeline and multiple charts, the chance by month,
    levers, the target box."""
    upload, preset, sets = ctx.key
    measure = measure_title(ctx.scenario.values)
    default, note = phase_table.default_phases(ctx)
    if note:
        st.info(note, icon=":material/info:")
    left, right = st.columns([4, 1])
    year = int(right.number_input("Horizon (December of)", min_value=2025, max_value=2060,
                                  step=1, **page.bound("until", "tl:horizon")))
    until = f"{year}-12"
    slip = bool(right.toggle(
        "Announced phases slip as peers did",
        help="Every announced phase without a slip range of its own takes the slip of the "
             "peers' announced-versus-delivered record (peers.yaml): the central run its "
             "median, the chance by month its 90 % range. As `capcalc timeline --slip peers`.",
        **page.bound("slip", "tl:slip")))
    if ctx.phases is not None and right.button("Undo phase edits", key="tl:undo",
                                               icon=":material/undo:"):
        phase_table.adopt(None)
        st.rerun()
    with left:
        phases = phase_table.editor(ctx, ctx.phases if ctx.phases is not None else default, default)
    used_phases = compute.slipped(phases) if slip else phases
    key = phases_key(used_phases)
    try:
        series, levers, summary, reached, final = _computed(upload, preset, sets, key, until)
        specs = _specs(upload, preset, sets, key, until, measure)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    target = float(series.meta["target"])
    with st.container(horizontal=True, wrap=True, gap="small"):
        st.metric(f"{target:g}× reached", reached or f"not by {until}",
                  help=f"{summary} Multiples of {measure} against {ctx.baseline.name}.",
                  border=True, width="content")
        st.metric(f"Multiple in {until} ({measure})", f"{final:.3g}×", border=True,
                  width="content", help=f"Multiple of {measure} against {ctx.baseline.name}.")
        h100e = list(series.columns["h100_equivalents"])
        st.metric(f"H100e in {until}", format_value(float(h100e[-1]), "H100e"), border=True,
                  width="content")
        st.metric(f"Capex to {until}",
                  format_value(float(series.columns["capex_cumulative_usd"][-1]), "USD_2025"),
                  border=True, width="content")
    st.caption(summary)
    st.vega_lite_chart(specs[0], width="stretch")
    st.vega_lite_chart(specs[1], width="stretch")
    download_buttons(series, timeline_chart, key="dl-tl-buildout",
                     cache_key=(ctx.key, key, until))
    low = [p.name for p in phases if p.confidence in ("unconfirmed", "preliminary")]
    if low:
        st.caption(f"Low confidence: {', '.join(low)} (see each phase's source and note).")
    samples, seed = _mc_controls(ctx)
    _reach_section(ctx, key, until, samples, seed, measure)
    st.subheader("Paths to the target")
    if levers.meta.get("empty"):
        st.info(f"In {until}: {levers.meta['empty']}.", icon=":material/info:")
    else:
        st.vega_lite_chart(specs[2], width="stretch")
        st.markdown(f"**{levers.meta.get('paths_title', 'Single-lever paths')}**\n\n"
                    + "\n".join(f"- {path}" for path in levers.meta.get("paths", [])))
        download_buttons(levers, levers_waterfall, key="dl-tl-levers",
                         cache_key=(ctx.key, key, until))
    target_box.render(ctx, phases, key, until, samples, seed, measure)
    st.caption("Facility power in the phase table is the site's total from each start; a "
               "phase adds the power above the previous one. Hardware retires after "
               f"{ctx.scenario.inputs.cost.hardware_lifetime_years:g} years. The same "
               f"numbers: `capcalc timeline {preset} --until {until}"
               + (" --slip peers`" if slip else "`")
               + (" with the phase edits of the link (`--set timeline[N].FIELD=...`)."
                  if ctx.phases is not None else "."))
