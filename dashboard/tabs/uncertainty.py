"""Uncertainty view: Monte Carlo over every range, P(target), distributions, which input
matters (tornado, Sobol indices) and what knowing each input would do to P(target).

Everything shown comes from :func:`calc.simulate` and :mod:`calc.analysis.sensitivity`
(the tornado, :func:`~calc.analysis.sensitivity.sobol` and
:func:`~calc.analysis.sensitivity.p_target_conditional`) through caches keyed on
``(upload, preset, sets, samples, seed)``: a rerun with the same inputs costs a
lookup. The Sobol indices (SALib, a fraction of a second) are computed only
when asked for. The view opens on an output that
varies for the scenario (the baseline's compute multiple is 1 in every sample,
being measured against itself); the sample count, the seed, the output and the
toggles are settings the link carries.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.montecarlo import Simulation, simulate
from calc.analysis.sensitivity import Sensitivity, p_target_conditional, sobol, tornado
from calc.core.errors import CapcalcError
from calc.core.vocabulary import OUTPUTS, measure_title
from calc.data.scenarios import Library
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.sensitivity import conditional_p_chart, sobol_chart, tornado_chart
from calc.presentation.charts.uncertainty import exceedance_chart, fan_chart, histogram_chart
from calc.presentation.formatting import format_value, percent
from calc.presentation.montecarlo import precision_warnings
from calc.presentation.vega import vega_specs

from dashboard import compute, page
from dashboard.context import Context, PhasesKey, Sets
from dashboard.downloads import show_chart
from dashboard.markup import plain, shown_error
from dashboard.results_view import card_label
from dashboard.state import SETTINGS, as_library_sets

__all__ = ["default_output", "render"]

Upload = tuple[str, str]
Spec = dict[str, Any]

#: Outputs shown as metric cards: the median, with the 90 % range under it.
CARDS = ("h100_equivalents", "effective_flop_per_s", "compute_multiple", "capex_usd",
         "facility_power_mw_for_target")
#: The output examined first, if it varies; else the next that does.
PREFERRED = ("compute_multiple", "effective_flop_per_s", "training_flop_per_run",
             "h100_equivalents", "capex_usd")
#: Saltelli base sample count of the dashboard's Sobol indices.
SOBOL_SAMPLES = 512
#: A sampled timeline keeps (samples × months) arrays: at most this many samples here.
TIMELINE_SAMPLES = compute.TIMELINE_SAMPLES


#: A chart and its Vega-Lite specs, cached together.
Drawn = tuple[Chart, list[Spec]]


def _drawn(chart: Chart) -> Drawn:
    return chart, vega_specs(chart)


def _library(upload: Upload) -> Library:
    return compute.library_for(upload)


@st.cache_resource(show_spinner=False, max_entries=8)
def _simulation(upload: Upload, preset: str, sets: Sets, samples: int, seed: int) -> Simulation:
    """The Monte Carlo of the current state (arrays kept once, never copied per rerun)."""
    library = _library(upload)
    return simulate(library, library.scenario(preset, as_library_sets(sets)), samples=samples,
                    seed=seed)


@st.cache_data(show_spinner=False, max_entries=64)
def _spreads(upload: Upload, preset: str, sets: Sets, samples: int, seed: int
             ) -> dict[str, bool]:
    """Whether each output varies across the samples (P5 below P95)."""
    sim = _simulation(upload, preset, sets, samples, seed)
    out = {}
    for name in OUTPUTS:
        s = sim.summary(name)
        out[name] = bool(s.p95 > s.p5 * (1 + 1e-9)) if s.p5 > 0 else bool(s.p95 != s.p5)
    return out


def default_output(varies: dict[str, bool]) -> str:
    """The output the view opens on: the first of :data:`PREFERRED` that varies.

    >>> default_output({"compute_multiple": False, "effective_flop_per_s": True})
    'effective_flop_per_s'
    """
    return next((name for name in PREFERRED if varies.get(name)), PREFERRED[0])


@st.cache_data(show_spinner=False, max_entries=64)
def _tables(upload: Upload, preset: str, sets: Sets, samples: int, seed: int,
            output: str, measure: str) -> tuple[Drawn, Drawn,
                                                dict[str, tuple[float, float, float]], float,
                                                float, list[str]]:
    """Histogram and exceedance charts, card bands, P(target) and warnings."""
    sim = _simulation(upload, preset, sets, samples, seed)
    bands = {}
    for name in CARDS:
        s = sim.summary(name)
        bands[name] = (s.p5, s.p50, s.p95)
    return (_drawn(histogram_chart([sim], output, measure=measure)),
            _drawn(exceedance_chart([sim], output, measure=measure)), bands,
            sim.p_target_reached(), sim.p_target_se(),
            precision_warnings([sim], [*CARDS, output]))


@st.cache_data(show_spinner=False, max_entries=64)
def _tornado(upload: Upload, preset: str, sets: Sets, output: str) -> Sensitivity:
    library = _library(upload)
    return tornado(library, library.scenario(preset, as_library_sets(sets)), output)


@st.cache_data(show_spinner=False, max_entries=32)
def _sobol(upload: Upload, preset: str, sets: Sets, output: str, seed: int) -> Sensitivity:
    library = _library(upload)
    return sobol(library, library.scenario(preset, as_library_sets(sets)), output,
                 samples=SOBOL_SAMPLES, seed=seed)


@st.cache_data(show_spinner=False, max_entries=16)
def _fan(upload: Upload, preset: str, sets: Sets, samples: int, seed: int,
         phases: PhasesKey = (), until: str | None = None) -> Drawn:
    """The sampled build-out's fan, on the phases the Timeline view uses (its edits and the
    peers' slip; ``()``: the scenario's own) to its horizon."""
    library = _library(upload)
    scenario = library.scenario(preset, as_library_sets(sets))
    sim = simulate_timeline(library, scenario, samples=samples, seed=seed, until=until,
                            phases=compute.from_key(phases) if phases else None,
                            time_budget=compute.TIMELINE_SECONDS)
    return _drawn(fan_chart([sim], measure=measure_title(scenario.values)))


@st.cache_data(show_spinner=False, max_entries=32)
def _conditional(upload: Upload, preset: str, sets: Sets, samples: int, seed: int
                 ) -> tuple[Drawn, float]:
    """P(target) with each input pinned at its low and its high, widest swing first; and
    the unpinned P(target)."""
    library = _library(upload)
    scenario = library.scenario(preset, as_library_sets(sets))
    result = p_target_conditional(library, scenario, samples=samples, seed=seed)
    return (_drawn(conditional_p_chart(result, measure=measure_title(scenario.values))),
            result.p_target)


# ---------------------------------------------------------------- parts of the view


def _timeline_section(ctx: Context, samples: int, seed: int) -> None:
    upload, preset, sets = ctx.key
    if not st.toggle("Build-out timeline under uncertainty",
                     help="The scenario's phases month by month with every range sampled "
                          f"(at most {TIMELINE_SAMPLES:,} samples, in at most "
                          f"{compute.TIMELINE_SECONDS:g} s of computing).",
                     **page.bound("fan", "unc-timeline")):
        return
    try:
        with st.spinner("Sampling the build-out…"):
            chart, specs = _fan(upload, preset, sets, min(samples, TIMELINE_SAMPLES), seed,
                                compute.answer_phases(ctx), ctx.until)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    columns = chart.table.columns
    reached = dict(zip(columns["date"], columns["p_reached"], strict=True))
    year_ends = [m for m in reached if m.endswith("-12")] or [next(reversed(reached))]
    default = "2027-12" if "2027-12" in year_ends else year_ends[-1]
    month = st.select_slider("By the end of", options=year_ends, value=default,
                             format_func=lambda m: m[:4], key="unc-by")
    target = ctx.scenario.inputs.target.compute_multiplier
    st.metric(f"P({target:g}× by end of {month[:4]})", percent(reached[month]),
              help="Share of samples whose build-out reaches the target multiple by then.")
    show_chart(chart, specs, key="dl-unc-fan",
               cache_key=(ctx.key, samples, seed, compute.answer_phases(ctx), ctx.until))


def _what_if(ctx: Context, samples: int, seed: int, measure: str) -> None:
    """What if we knew: P(target) with each input pinned at its low and its high."""
    upload, preset, sets = ctx.key
    target = ctx.scenario.inputs.target.compute_multiplier
    st.subheader("What if we knew")
    with st.spinner("Pinning each input…"):
        (chart, specs), p = _conditional(upload, preset, sets, samples, seed)
    table = chart.table
    if not any(swing > 0 for swing in table.columns["swing"]):
        st.info(f"Knowing no single input would move P(≥ {target:g}×) from {percent(p)} for "
                f"{ctx.scenario.name}: every input's low and high give the same chance.",
                icon=":material/info:")
        return
    show_chart(chart, specs, key="dl-unc-whatif", cache_key=(ctx.key, samples, seed))
    top = next(row for row in table.rows() if row["swing"] > 0)
    st.caption(
        f"Each bar: P({target:g}× {measure} against {ctx.baseline.name}) if one input were "
        f"known to sit at its low or its high, every other input still sampled ({samples:,} "
        f"joint samples, seed {seed}; unpinned {percent(p)}). Pinning {top['label'].lower()} "
        f"moves it most: {percent(top['p_low'])} at its low, {percent(top['p_high'])} at its high. "
        f"`capcalc sensitivity p_target_reached {preset} --samples {samples} --seed {seed}` "
        "gives the same.")


def _band(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit, digits=3)
    return text + "×" if output == "compute_multiple" else text


def _controls(ctx: Context) -> tuple[int, int]:
    left, middle = st.columns(2)
    samples_setting, seed_setting = SETTINGS["samples"], SETTINGS["seed"]
    samples = int(left.number_input(
        "Samples", min_value=samples_setting.lower, max_value=samples_setting.upper,
        step=1_000, help="Joint draws of every input with a range (90 % intervals in "
                         "assumptions.yaml).", **page.bound("samples", "unc-samples")))
    seed = int(middle.number_input(
        "Seed", min_value=seed_setting.lower, max_value=seed_setting.upper, step=1,
        help="The same seed gives the same numbers, here and in "
             "`capcalc run --samples N --seed S`.", **page.bound("seed", "unc-seed")))
    return samples, seed


def render(ctx: Context) -> None:
    """Controls, P(target), metric cards with bands, histogram, exceedance, tornado, Sobol."""
    _view(ctx)


@st.fragment
def _view(ctx: Context) -> None:
    """The view as a fragment: its own controls (samples, seed, output, toggles) rerun only
    this part of the page, since nothing above depends on them; the link still follows."""
    ctx = replace(ctx, settings=dict(st.session_state["settings"]))
    page.mirror_link(ctx)
    upload, preset, sets = ctx.key
    samples, seed = _controls(ctx)
    try:
        with st.spinner(f"Sampling {samples:,} joint draws…", show_time=samples > 50_000):
            varies = _spreads(upload, preset, sets, samples, seed)
    except CapcalcError as exc:
        st.error(plain(shown_error(exc)), icon=":material/error:")
        return
    measure = measure_title(ctx.scenario.values, at_one_moment=True)  # samples of one moment
    chosen = str(ctx.settings.get("output") or "")
    output = chosen or default_output(varies)
    output = str(st.selectbox(
        "Output to examine", list(OUTPUTS), format_func=lambda name: card_label(name, measure),
        **page.bound("output", "unc-output", value=output)))
    if not chosen and output != "compute_multiple" and not varies.get("compute_multiple"):
        st.caption(f"The compute multiple of {ctx.scenario.name} does not vary: it is measured "
                   f"against {ctx.baseline.name} with the same samples"
                   + (" (itself)" if ctx.scenario.name == ctx.baseline.name else "")
                   + f". Showing {OUTPUTS[output].title.lower()}, which does.")
    hist, exceed, bands, p_target, p_se, warnings = _tables(upload, preset, sets, samples,
                                                            seed, output, measure)
    target = ctx.scenario.inputs.target.compute_multiplier
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
    for line in warnings:
        st.caption(f"⚠ {line}")
    show_chart(*hist, key="dl-unc-hist", cache_key=(ctx.key, samples, seed, output, measure))
    show_chart(*exceed, key="dl-unc-exceed",
               cache_key=(ctx.key, samples, seed, output, measure))
    st.subheader("Which input matters")
    ranking = _tornado(upload, preset, sets, output)
    if not any(bar.swing for bar in ranking.tornado):
        st.info(f"No input with a range moves {OUTPUTS[output].title.lower()} in this "
                "scenario.")
    else:
        show_chart(*_drawn(tornado_chart(ranking)), key="dl-unc-tornado",
                   cache_key=(ctx.key, output))
    if st.toggle("Sobol indices (share of variance; SALib)",
                 help=f"Saltelli sampling with N = {SOBOL_SAMPLES}: about a second.",
                 **page.bound("sobol", "unc-sobol")):
        with st.spinner("Computing Sobol indices…"):
            result = _sobol(upload, preset, sets, output, seed)
        show_chart(*_drawn(sobol_chart(result)), key="dl-unc-sobol",
                   cache_key=(ctx.key, output, seed))
    _what_if(ctx, samples, seed, measure)
    if getattr(ctx.scenario, "timeline", None):
        st.subheader("When")
        _timeline_section(ctx, samples, seed)
    st.caption(
        f"{samples:,} samples, seed {seed}. Every low/high in the assumptions is a 90 % "
        "interval, sampled as a lognormal unless it says otherwise, kept inside its valid "
        f"range. Inputs {ctx.scenario.name} shares with {ctx.baseline.name} use the same "
        "samples, so the multiple varies only with what differs.")
