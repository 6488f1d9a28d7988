"""Timeline & target view: the build-out month by month, the chance of the target by each
month, the levers, the phase table (:mod:`calc.dashboard.views.phase_table`) and the target box
(:mod:`calc.dashboard.views.target_box`: the central answer beside the P50/P80/P95 ones).

The phases come from the current scenario's ``timeline:`` (or, for a scenario
without one, the shipped Cortex build-out) and can be edited in the table, a
slip range (delay low/high) and the status of each phase included; the edits
are the page's state (the link and the scenario file carry them, and the
answer above uses them). With "announced phases slip as their operator's record"
on (the default), every announced phase without a range of its own takes the slip
of the operator's record shrunk toward the other operators'
(:func:`calc.analysis.slip.with_slip` of :func:`~calc.analysis.slip.default_slip`,
as ``capcalc timeline`` does by default; ``--slip none`` is the switch off).

Under the cards the date is said as ``capcalc timeline`` says it: the sampled
median with its 10–90 % range and the chance by the horizon, the month at
central values, and the operator's own pace (:func:`calc.dashboard.compute.buildout.reach_of`,
cached on its inputs); the timeline chart draws that pace, and a build-out above it gets a
warning.

Everything shown comes from :func:`calc.analysis.timeline.run_timeline`,
:mod:`calc.analysis.levers`, :func:`calc.analysis.buildout_montecarlo.simulate_timeline`
(the chance by month), :func:`calc.analysis.timeline.solve_timeline` /
:func:`calc.analysis.run.solve_input` (the central answer) and
:func:`calc.analysis.confidence.solve_probability` (the P answers), cached on
their inputs (the state's key, the phases, the horizon and the Monte Carlo's
``samples, seed``: :mod:`calc.dashboard.compute.buildout`): a rerun with the same
inputs costs a lookup. The sample count and the seed are the page's settings, shared
with the Uncertainty view; the probability of the target box is one too. Charts are
the declarations of :mod:`calc.presentation.charts` drawn as Vega-Lite specs; their
downloads are the same declarations drawn as files.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from calc.analysis.buildout_choice import choose_buildout
from calc.analysis.reach import Reach
from calc.core.errors import CapcalcError
from calc.core.phases import Phase
from calc.core.vocabulary import measure_title
from calc.dashboard import commands, page, session
from calc.dashboard.compute.buildout import Chance, built, chance, levers, reach_of
from calc.dashboard.compute.cache import Drawn
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.compute.scenario import (
    TIMELINE_SAMPLES,
    TIMELINE_SECONDS,
    default_phases,
    slip,
    slipped,
)
from calc.dashboard.context import Context, PhaseEdit
from calc.dashboard.downloads import show_chart
from calc.dashboard.keys import PhasesKey, phases_key
from calc.dashboard.markup import plain, shown_error
from calc.dashboard.settings import Settings, default_by
from calc.dashboard.views import phase_table, target_box
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.timeline import levers_chart, timeline_chart
from calc.presentation.findings import buildout_title, buildout_words, timeline_finding
from calc.presentation.formatting import format_value, month_text, percent
from calc.presentation.reach import reach_lines, warning_sentence
from calc.presentation.timeline import timeline_summary

__all__ = ["buildout", "paths", "render"]


# ---------------------------------------------------------------- the charts


def buildout(source: Source, phases: PhasesKey, until: str, title: str = "",
             reference: PhasesKey | None = None) -> Chart:
    """The build-out month by month, with what its operator said and its pace, titled
    ``title`` (whose phases it is on); ``reference``: the phases of the preset as shipped,
    whose H100-equivalents are drawn faint behind (None: nothing changed)."""
    found = built(source.key, phases, until)
    preset = built(source.key.changed(()), reference, until).timeline \
        if reference is not None else None
    drawn = timeline_chart(found.timeline, found.stated,
                           measure=measure_title(source.scenario.values), pace=found.pace,
                           reference=preset)
    return replace(drawn, title=title) if title else drawn


def paths(source: Source, phases: PhasesKey, until: str) -> Chart:
    """The levers that bring the build-out to its target by ``until``."""
    return levers_chart(levers(source.key, phases, until),
                        measure=measure_title(source.scenario.values))


# ---------------------------------------------------------------- the view


def _mc_controls(ctx: Context) -> tuple[int, int]:
    """The Monte Carlo's sample count and seed: the page's settings, shared with the
    Uncertainty view (and carried by the link)."""
    left, right, _ = st.columns([1, 1, 2])
    codecs = Settings.codecs()
    samples_setting, seed_setting = codecs["samples"], codecs["seed"]
    samples = int(left.number_input(
        "Samples", min_value=samples_setting.lower, max_value=samples_setting.upper,
        step=1_000, help="Joint draws of every input with a range (and every slip range). "
        f"The chance by month samples at most {TIMELINE_SAMPLES:,} build-outs, in at "
        f"most {TIMELINE_SECONDS:g} s of computing.",
        **session.bound("samples", "tl:samples")))
    seed = int(right.number_input(
        "Seed", min_value=seed_setting.lower, max_value=seed_setting.upper, step=1,
        help="The same seed gives the same numbers, here and in "
             f"`{commands.shown(commands.timeline_command(ctx, *ctx.settings.monte_carlo))}`.",
        **session.bound("seed", "tl:seed")))
    return samples, seed


def _chance(ctx: Context, used: PhasesKey, until: str) -> Chance:
    """The chance by each month over the page's samples (at most :data:`TIMELINE_SAMPLES`)."""
    return chance(ctx.key, used, until, min(ctx.settings.samples, TIMELINE_SAMPLES),
                  ctx.settings.seed)


def _by(ctx: Context, found: Chance) -> str:
    """The month the chance is asked by: the user's, else :func:`default_by`."""
    months = list(found.by_month)
    return ctx.settings.by if ctx.settings.by in months else default_by(months)


def _reach_section(ctx: Context, used: PhasesKey, until: str, samples: int, seed: int,
                   measure: str) -> None:
    target = ctx.scenario.inputs.target.compute_multiplier
    st.subheader(f"Chance of {target:g}× by each month")
    n = commands.timeline_samples(samples)
    try:
        with st.spinner(f"Sampling {min(samples, TIMELINE_SAMPLES):,} build-outs…"):
            found = _chance(ctx, used, until)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    n = found.samples
    months = list(found.by_month)
    by = _by(ctx, found)
    with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
        picked = str(st.selectbox(
            "By (YYYY-MM)", months, width=150,
            help="The month to ask the chance of the target by; it travels in the link.",
            **session.bound("by", "tl:by", value=by)))
        st.metric(f"P({target:g}× by {picked})", percent(found.p_by(picked)), border=True,
                  width="content",
                  help=f"Share of the {n:,} sampled build-outs (seed {seed}) that reach "
                       f"{target:g}× {ctx.baseline.name} in {measure} in or before {picked}; "
                       f"`capcalc timeline ... --samples {n} --seed {seed}` lists it as "
                       "p_target_reached_by.")
        for label, month in found.marks.items():
            share = int(label[1:])
            st.metric(f"{share} % sure by", month_text(month) if month else f"not by {until}",
                      border=True, width="content",
                      help=f"The first month by which {share} % of the {n:,} sampled "
                           f"build-outs (seed {seed}) reach {target:g}× {ctx.baseline.name} "
                           f"in {measure}." + (f" ({month})" if month else ""))
        st.metric(f"Chance by {until}", percent(found.p_by(until)), border=True,
                  width="content",
                  help=f"Share of the {n:,} samples that reach the target by {until}.")
    show_chart(found.marked(picked, f"P({target:g}× by {picked}) = "
                                    f"{percent(found.p_by(picked))}"), key="dl-tl-reach")
    note = (f"{n:,} samples, seed {seed}"
            + (f" (of the {samples:,} set: a sampled build-out holds samples × months)"
               if n < samples else "")
            + ". Every input with a range is sampled (as in the Uncertainty view), and every "
              "phase with a slip range. ")
    if ctx.settings.slip:
        delays = slip().delays()
        note += (f"By default announced phases without a range of their own slip by "
                 f"{page.slip_words()}, from {delays.n} milestones in peers.yaml "
                 f"({delays.censored} still late; early deliveries count as on time); the "
                 "switch above turns the slip off. ")
    else:
        note += "The slip of announced phases is off (the switch above turns it on). "
    note += commands.said(ctx, commands.timeline_command(ctx, n, seed)) + " gives the same."
    st.caption(note)


def _whose(ctx: Context) -> tuple[str, str]:
    """Whose phases the build-out is on, in words and as the chart's title."""
    choice = choose_buildout(ctx.library, ctx.scenario)
    own = choice.phases
    name = choice.lender if choice.borrowed else None
    edited = ctx.phases is not None
    words = buildout_words(ctx.scenario.name, name, edited=edited,
                           changed=[key for key, _ in ctx.sets], own=own is not None)
    return words, buildout_title(ctx.scenario.name, name, edited=edited, own=own is not None)


def _reference(ctx: Context, slip_on: bool) -> PhasesKey | None:
    """The phases of the preset as shipped (slipping as the page's), when the user changed
    something; None when nothing changed or the preset has no phases."""
    if not ctx.sets and ctx.phases is None:
        return None
    try:
        shipped = default_phases(ctx.library, ctx.preset, {})
    except CapcalcError:
        return None
    if not shipped:
        return None
    return phases_key(slipped(shipped) if slip_on else shipped)


def _first(ctx: Context, key: PhasesKey, until: str, words: str, series: Drawn,
           answer: Reach | None) -> None:
    """The view's finding (the date as a range, from the same samples as the answer above
    it; the chance by the chosen month, from the chance curve's), then the build-out's
    chart."""
    target = ctx.scenario.inputs.target.compute_multiplier
    try:
        found: Chance | None = _chance(ctx, key, until)
    except CapcalcError:
        found = None
    months = answer.months if answer is not None else \
        found.months if found is not None else (None, None, None)
    if found is not None:
        by = _by(ctx, found)
        page.finding(timeline_finding(target, ctx.baseline.name, months, until, words,
                                      by, found.p_by(by)))
    else:
        page.finding(timeline_finding(target, ctx.baseline.name, months, until, words))
    page.show_first(series, key="dl-tl-buildout")


def _controls(ctx: Context, default: tuple[Phase, ...]
              ) -> tuple[tuple[Phase, ...], PhaseEdit | None]:
    """The horizon, the slip switch, the undo button and the phase table."""
    left, right = st.columns([4, 1])
    right.number_input("Horizon (December of)", min_value=2025, max_value=2060, step=1,
                       **session.bound("until", "tl:horizon"))
    right.toggle(
        "Announced phases slip",
        help="On by default: every announced phase without a slip range of its own takes the "
             "slip of its operator's announced-versus-delivered record (peers.yaml), shrunk "
             "toward the other operators': the month at central values its median, the "
             "sampled date its 90 % range. As `capcalc timeline` by default; off is "
             "`--slip none`.",
        **session.bound("slip", "tl:slip"))
    if ctx.phases is not None:
        right.button("Undo phase edits", key="tl:undo", icon=":material/undo:",
                     on_click=session.on_phases, args=(None,))
    with left:
        return phase_table.editor(ctx, ctx.phases if ctx.phases is not None else default,
                                  default)


def render(ctx: Context) -> PhaseEdit | None:
    """The finding and the build-out's chart first; then the horizon, the slip switch and
    the phase table; the reach-date cards, the chance by month with its month picker, the
    levers and the target box; the phase table's edit, when the user made one."""
    measure = measure_title(ctx.scenario.values)
    default, note = phase_table.default_phases(ctx)
    until, slip_on = ctx.until, ctx.settings.slip
    shown = ctx.phases if ctx.phases is not None else default
    key = phases_key(slipped(shown) if slip_on else shown)
    words, title = _whose(ctx)
    try:
        found = built(ctx.key, key, until)
        series = chart(buildout, ctx.key, key, until, title, _reference(ctx, slip_on))
        levers_drawn = chart(paths, ctx.key, key, until)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        _phases, edit = _controls(ctx, default)
        return edit
    answer = reach_of(ctx.key, ctx.phases_key, until, slip_on, ctx.settings.seed)
    _first(ctx, key, until, words, series, answer)
    if ctx.sets or ctx.phases is not None:
        st.caption(f"Grey dashes: {ctx.preset} as shipped, before your changes.")
    if note:
        st.info(note, icon=":material/info:")
    phases, edit = _controls(ctx, default)
    if edit is not None:
        return edit
    timeline, warning = found.timeline, found.warning
    summary, reached, final = timeline_summary(timeline), timeline.target_reached, \
        timeline.final_multiple
    target = ctx.scenario.inputs.target.compute_multiplier
    columns = series.chart.table.columns
    with st.container(horizontal=True, wrap=True, gap="small"):
        if answer is not None:
            low, median, high = answer.months
            st.metric(f"{target:g}× reached (median)", median or f"not by {until}",
                      help=f"Median of {answer.sampled.samples:,} sampled build-outs (seed "
                           f"{answer.sampled.seed}); 10–90 %: {low or 'after ' + until} to "
                           f"{high or 'after ' + until}; P(by {until}) = "
                           f"{percent(answer.p_by_horizon)}.", border=True, width="content")
        st.metric(f"{target:g}× at central values", reached or f"not by {until}",
                  help=f"{summary} Multiples of {measure} against {ctx.baseline.name}.",
                  border=True, width="content")
        st.metric(f"Multiple in {until} ({measure})", f"{final:.3g}×", border=True,
                  width="content", help=f"Multiple of {measure} against {ctx.baseline.name}.")
        h100e = list(columns["h100_equivalents"])
        st.metric(f"H100e in {until}", format_value(float(h100e[-1]), "H100e"), border=True,
                  width="content")
        st.metric(f"Capex to {until}",
                  format_value(float(columns["capex_cumulative_usd"][-1]), "USD_2025"),
                  border=True, width="content")
    if answer is not None:
        st.caption(" ".join(reach_lines(answer)[:2]))
    else:
        st.caption(summary)
    shown_warning = answer.warning if answer is not None and answer.warning is not None \
        else warning
    if shown_warning is not None:
        st.warning(warning_sentence(shown_warning), icon=":material/warning:")
    unsure = [p.name for p in phases if p.confidence in ("unconfirmed", "preliminary")]
    if unsure:
        st.caption(f"Low confidence: {', '.join(unsure)} (see each phase's source and note).")
    samples, seed = _mc_controls(ctx)
    _reach_section(ctx, key, until, samples, seed, measure)
    st.subheader("Paths to the target")
    if levers_drawn.chart.empty:
        st.info(f"In {until}: {levers_drawn.chart.empty}.", icon=":material/info:")
    else:
        show_chart(levers_drawn, key="dl-tl-levers")
    target_box.render(ctx, phases, key, until, samples, seed, measure)
    st.caption("Facility power in the phase table is the site's total from each start; a "
               "phase adds the power above the previous one. Hardware retires after "
               f"{ctx.scenario.inputs.cost.hardware_lifetime_years:g} years. The same "
               f"numbers: {commands.said(ctx, commands.timeline_command(ctx))}.")
    return None
