"""Uncertainty view: Monte Carlo over every range, P(target), distributions, which input
matters (tornado, Sobol indices) and what knowing each input would do to P(target).

Everything shown comes from :func:`calc.simulate` and :mod:`calc.analysis.sensitivity`
(the tornado, :func:`~calc.analysis.sensitivity.sobol` and
:func:`~calc.analysis.sensitivity.p_target_conditional`) through the caches of
:mod:`calc.dashboard.compute.sampled`, keyed on the state and the samples and seed: a
rerun with the same inputs costs a lookup. The Sobol indices (SALib, a fraction of a
second) are computed only when asked for. The view opens on an output that varies
for the scenario (the baseline's compute multiple is 1 in every sample, being
measured against itself); the sample count, the seed, the output and the
toggles are settings the link carries.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from calc.core.errors import CapcalcError
from calc.core.vocabulary import OUTPUTS, measure_title
from calc.dashboard import commands, page, session
from calc.dashboard.compute import sampled
from calc.dashboard.compute.buildout import fan
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.compute.scenario import TIMELINE_SAMPLES, TIMELINE_SECONDS, used_phases
from calc.dashboard.context import Context
from calc.dashboard.downloads import show_chart
from calc.dashboard.markup import plain, shown_error
from calc.dashboard.results_view import card_label
from calc.dashboard.settings import Settings
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.sensitivity import conditional_p_chart, sobol_chart, tornado_chart
from calc.presentation.charts.uncertainty import exceedance_chart, histogram_chart
from calc.presentation.findings import uncertainty_finding
from calc.presentation.formatting import format_value, percent

__all__ = ["conditional", "default_output", "exceedance", "histogram", "render", "sobol",
           "tornado"]

#: Outputs shown as metric cards: the median, with the 90 % range under it.
CARDS = ("h100_equivalents", "effective_flop_per_s", "compute_multiple", "capex_usd",
         "facility_power_mw_for_target")
#: The confidence the finding gives the facility power for (as the target box's P80).
CONFIDENCE = 0.8
#: The output examined first, if it varies; else the next that does.
PREFERRED = ("compute_multiple", "effective_flop_per_s", "training_flop_per_run",
             "h100_equivalents", "capex_usd")


def default_output(varies: dict[str, bool]) -> str:
    """The output the view opens on: the first of :data:`PREFERRED` that varies.

    >>> default_output({"compute_multiple": False, "effective_flop_per_s": True})
    'effective_flop_per_s'
    """
    return next((name for name in PREFERRED if varies.get(name)), PREFERRED[0])


# ---------------------------------------------------------------- the charts


def histogram(source: Source, samples: int, seed: int, output: str, measure: str) -> Chart:
    """The distribution of ``output`` over the Monte Carlo's samples."""
    return histogram_chart([sampled.simulation(source.key, samples, seed)], output,
                           measure=measure)


def exceedance(source: Source, samples: int, seed: int, output: str, measure: str) -> Chart:
    """The chance that ``output`` exceeds each value."""
    return exceedance_chart([sampled.simulation(source.key, samples, seed)], output,
                            measure=measure)


def tornado(source: Source, output: str) -> Chart:
    """Each input with a range swung from its low to its high."""
    return tornado_chart(sampled.tornado_bars(source.key, output))


def sobol(source: Source, output: str, seed: int) -> Chart:
    """The Sobol indices of ``output``."""
    return sobol_chart(sampled.sobol_indices(source.key, output, seed))


def conditional(source: Source, samples: int, seed: int) -> Chart:
    """P(target) with each input pinned at its low and its high, widest swing first."""
    return conditional_p_chart(sampled.conditional(source.key, samples, seed),
                               measure=measure_title(source.scenario.values))


# ---------------------------------------------------------------- parts of the view


def _timeline_section(ctx: Context, samples: int, seed: int) -> None:
    if not st.toggle("Build-out timeline under uncertainty",
                     help="The scenario's phases month by month with every range sampled "
                          f"(at most {TIMELINE_SAMPLES:,} samples, in at most "
                          f"{TIMELINE_SECONDS:g} s of computing).",
                     **session.bound("fan", "unc-timeline")):
        return
    try:
        with st.spinner("Sampling the build-out…"):
            drawn = fan(ctx.key, used_phases(ctx.key, ctx.phases, ctx.settings.slip), ctx.until,
                        commands.timeline_samples(samples), seed)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    columns = drawn.chart.table.columns
    reached = dict(zip(columns["date"], columns["p_reached"], strict=True))
    year_ends = [m for m in reached if m.endswith("-12")] or [next(reversed(reached))]
    default = ctx.library.story.by if ctx.library.story.by in year_ends else year_ends[-1]
    month = st.select_slider("By the end of", options=year_ends, value=default,
                             format_func=lambda m: m[:4], key="unc-by")
    target = ctx.scenario.inputs.target.compute_multiplier
    st.metric(f"P({target:g}× by end of {month[:4]})", percent(reached[month]),
              help="Share of samples whose build-out reaches the target multiple by then.")
    show_chart(drawn, key="dl-unc-fan")


def _what_if(ctx: Context, samples: int, seed: int, measure: str) -> None:
    """What if we knew: P(target) with each input pinned at its low and its high."""
    target = ctx.scenario.inputs.target.compute_multiplier
    st.subheader("What if we knew")
    with st.spinner("Pinning each input…"):
        p = sampled.conditional(ctx.key, samples, seed).p_target
        drawn = chart(conditional, ctx.key, samples, seed)
    table = drawn.chart.table
    if not any(swing > 0 for swing in table.columns["swing"]):
        st.info(f"Knowing no single input would move P(≥ {target:g}×) from {percent(p)} for "
                f"{ctx.scenario.name}: every input's low and high give the same chance.",
                icon=":material/info:")
        return
    show_chart(drawn, key="dl-unc-whatif")
    top = next(row for row in table.rows() if row["swing"] > 0)
    st.caption(
        f"Each bar: P({target:g}× {measure} against {ctx.baseline.name}) if one input were "
        f"known to sit at its low or its high, every other input still sampled ({samples:,} "
        f"joint samples, seed {seed}; unpinned {percent(p)}). Pinning {top['label'].lower()} "
        f"moves it most: {percent(top['p_low'])} at its low, {percent(top['p_high'])} at its high. "
        + commands.said(ctx, commands.sensitivity_command(ctx, "p_target_reached", samples,
                                                          seed)) + " gives the same.")


def _band(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit, digits=3)
    return text + "×" if output == "compute_multiple" else text


def _controls(ctx: Context) -> tuple[int, int]:
    left, middle = st.columns(2)
    codecs = Settings.codecs()
    samples_setting, seed_setting = codecs["samples"], codecs["seed"]
    samples = int(left.number_input(
        "Samples", min_value=samples_setting.lower, max_value=samples_setting.upper,
        step=1_000, help="Joint draws of every input with a range (90 % intervals in "
                         "assumptions.yaml).", **session.bound("samples", "unc-samples")))
    seed = int(middle.number_input(
        "Seed", min_value=seed_setting.lower, max_value=seed_setting.upper, step=1,
        help="The same seed gives the same numbers, here and in "
             f"`{commands.shown(commands.run_command(ctx, *ctx.settings.monte_carlo))}`.",
        **session.bound("seed", "unc-seed")))
    return samples, seed


def render(ctx: Context) -> None:
    """Controls, P(target), metric cards with bands, histogram, exceedance, tornado, Sobol."""
    _view(ctx)


@st.fragment
def _view(ctx: Context) -> None:
    """The view as a fragment: its own controls (samples, seed, output, toggles) rerun only
    this part of the page, since nothing above depends on them; the link still follows.
    The finding and the first chart come first, the controls under them."""
    ctx = replace(ctx, settings=session.current().settings)
    page.mirror_link(ctx)
    samples, seed = ctx.settings.samples, ctx.settings.seed
    try:
        with st.spinner(f"Sampling {samples:,} joint draws…", show_time=samples > 50_000):
            varies = sampled.spreads(ctx.key, samples, seed)
    except CapcalcError as exc:
        _controls(ctx)
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    measure = measure_title(ctx.scenario.values, at_one_moment=True)  # samples of one moment
    chosen = ctx.settings.output
    output = chosen or default_output(varies)
    found = sampled.bands(ctx.key, samples, seed, CARDS, output)
    bands, p_target, p_se = found.bands, found.p_target, found.p_target_se
    target = ctx.scenario.inputs.target.compute_multiplier
    page.finding(uncertainty_finding(
        target, ctx.baseline.name, p_target, samples, seed,
        sampled.power_for(ctx.key, samples, seed, CONFIDENCE),
        str(ctx.scenario["hardware.accelerator"]), CONFIDENCE))
    page.show_first(chart(histogram, ctx.key, samples, seed, output, measure),
               key="dl-unc-hist")
    _controls(ctx)
    output = str(st.selectbox(
        "Output to examine", list(OUTPUTS), format_func=lambda name: card_label(name, measure),
        **session.bound("output", "unc-output", value=output)))
    if not chosen and output != "compute_multiple" and not varies.get("compute_multiple"):
        st.caption(f"The compute multiple of {ctx.scenario.name} does not vary: it is measured "
                   f"against {ctx.baseline.name} with the same samples"
                   + (" (itself)" if ctx.scenario.name == ctx.baseline.name else "")
                   + f". Showing {OUTPUTS[output].title.lower()}, which does.")
    with st.container(horizontal=True, wrap=True, gap="small"):
        st.metric(f"P(≥ {target:g}×)", percent(p_target) if p_se >= 0.0005 or
                  p_target in (0, 1) else percent(p_target, 1), border=True, width="content",
                  help=f"Share of the {samples:,} samples in which the compute multiple "
                       f"of {measure} reaches {target:g}× {ctx.baseline.name} "
                       f"(± {percent(p_se, 1)}).")
        for name in CARDS:
            p5, p50, p95 = bands[name]
            unit = OUTPUTS[name].unit
            st.metric(f"{card_label(name, measure)}, median", _band(p50, unit, name),
                      delta=f"90 %: {_band(p5, unit, name)} – {_band(p95, unit, name)}",
                      delta_color="gray", delta_arrow="off", border=True, width="content",
                      help=f"Median of the samples, and the 90 % range (P5 to P95) under it; "
                           f"the central run gives {_band(ctx.result.outputs[name], unit, name)}.")
    for line in found.warnings:
        st.caption(f"⚠ {line}")
    show_chart(chart(exceedance, ctx.key, samples, seed, output, measure),
               key="dl-unc-exceed")
    st.subheader("Which input matters")
    ranking = sampled.tornado_bars(ctx.key, output)
    if not any(bar.swing for bar in ranking.tornado):
        st.info(f"No input with a range moves {OUTPUTS[output].title.lower()} in this "
                "scenario.")
    else:
        show_chart(chart(tornado, ctx.key, output), key="dl-unc-tornado")
    if st.toggle("Sobol indices (share of variance; SALib)",
                 help=f"Saltelli sampling with N = {sampled.SOBOL_SAMPLES}: about a second.",
                 **session.bound("sobol", "unc-sobol")):
        with st.spinner("Computing Sobol indices…"):
            drawn = chart(sobol, ctx.key, output, seed)
        show_chart(drawn, key="dl-unc-sobol")
    _what_if(ctx, samples, seed, measure)
    if getattr(ctx.scenario, "timeline", None):
        st.subheader("When")
        _timeline_section(ctx, samples, seed)
    st.caption(
        f"{samples:,} samples, seed {seed}. Every low/high in the assumptions is a 90 % "
        "interval, sampled as a lognormal unless it says otherwise, kept inside its valid "
        f"range. Inputs {ctx.scenario.name} shares with {ctx.baseline.name} use the same "
        "samples, so the multiple varies only with what differs.")
