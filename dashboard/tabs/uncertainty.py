"""Uncertainty tab: Monte Carlo over every range, P(target), distributions and which input matters.

Everything shown comes from :func:`calc.simulate` and :mod:`calc.analysis.sensitivity`
through caches keyed on ``(upload, preset, sets, samples, seed)``: a rerun
with the same inputs costs a lookup. The Sobol indices (SALib, a fraction of
a second) are computed only when asked for.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from calc.analysis.montecarlo import DEFAULT_SAMPLES, Simulation, simulate, simulate_timeline
from calc.analysis.sensitivity import Sensitivity, sobol, tornado
from calc.core.vocabulary import OUTPUTS
from calc.data.scenarios import Library
from calc.presentation.charts.uncertainty import (
    exceedance_chart,
    histogram,
    sobol_chart,
    timeline_fan,
    tornado_chart,
)
from calc.presentation.formatting import format_value
from calc.presentation.montecarlo import precision_warnings
from calc.presentation.tables import Table
from calc.presentation.tables.sensitivity import sobol_table, tornado_table
from calc.presentation.tables.uncertainty import exceedance_table, fan_table, histogram_table
from calc.presentation.vega.uncertainty import (
    exceedance_spec,
    fan_spec,
    histogram_spec,
    sobol_spec,
    tornado_spec,
)

from dashboard import compute
from dashboard.context import Context, Sets
from dashboard.downloads import download_buttons
from dashboard.state import as_library_sets

__all__ = ["render"]

Upload = tuple[str, str]
Spec = dict[str, Any]

#: Outputs shown as metric cards with their P5–P95 band.
CARDS = ("h100_equivalents", "effective_flop_per_s", "compute_multiple", "capex_usd",
         "facility_power_mw_for_target")
#: Sample counts offered (the CLI and API go to 2,000,000).
MAX_DASHBOARD_SAMPLES = 200_000
#: Saltelli base sample count of the dashboard's Sobol indices.
SOBOL_SAMPLES = 512
#: A sampled timeline keeps (samples × months) arrays: at most this many samples here.
TIMELINE_SAMPLES = 20_000


def _library(upload: Upload) -> Library:
    return compute.library_for(upload)


@st.cache_resource(show_spinner=False, max_entries=8)
def _simulation(upload: Upload, preset: str, sets: Sets, samples: int, seed: int) -> Simulation:
    """The Monte Carlo of the current state (arrays kept once, never copied per rerun)."""
    library = _library(upload)
    return simulate(library, library.scenario(preset, as_library_sets(sets)), samples=samples,
                    seed=seed)


@st.cache_data(show_spinner=False, max_entries=64)
def _tables(upload: Upload, preset: str, sets: Sets, samples: int, seed: int,
            output: str) -> tuple[Table, Table, dict[str, tuple[float, float, float]], float,
                                  float, list[str]]:
    """Histogram and exceedance tables, card bands, P(target) and warnings."""
    sim = _simulation(upload, preset, sets, samples, seed)
    bands = {}
    for name in CARDS:
        s = sim.summary(name)
        bands[name] = (s.p5, s.p50, s.p95)
    return (histogram_table([sim], output), exceedance_table([sim]), bands,
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
def _fan(upload: Upload, preset: str, sets: Sets, samples: int, seed: int) -> Table:
    library = _library(upload)
    sim = simulate_timeline(library, library.scenario(preset, as_library_sets(sets)),
                            samples=samples, seed=seed)
    return fan_table([sim])


# ---------------------------------------------------------------- Vega-Lite specs


def _timeline_section(ctx: Context, samples: int, seed: int) -> None:
    upload, preset, sets = ctx.key
    if not st.toggle("Build-out timeline under uncertainty", key="unc-timeline",
                     help="The scenario's phases month by month with every range sampled "
                          f"(at most {TIMELINE_SAMPLES:,} samples)."):
        return
    with st.spinner("Sampling the build-out…"):
        table = _fan(upload, preset, sets, min(samples, TIMELINE_SAMPLES), seed)
    reached = dict(zip(table.columns["date"], table.columns["p_reached"], strict=True))
    year_ends = [m for m in reached if m.endswith("-12")] or [next(reversed(reached))]
    default = "2027-12" if "2027-12" in year_ends else year_ends[-1]
    month = st.select_slider("By the end of", options=year_ends, value=default,
                             format_func=lambda m: m[:4], key="unc-by")
    target = ctx.scenario.inputs.target.compute_multiplier
    st.metric(f"P({target:g}× by end of {month[:4]})", f"{reached[month]:.0%}",
              help="Share of samples whose build-out reaches the target multiple by then.")
    st.vega_lite_chart(fan_spec(table), width="stretch")
    download_buttons(table, timeline_fan, key="dl-unc-fan", cache_key=(ctx.key, samples, seed))


# ---------------------------------------------------------------- the tab


def _band(value: float, unit: str, output: str) -> str:
    text = format_value(value, unit, digits=3)
    return text + "×" if output == "compute_multiple" else text


def render(ctx: Context) -> None:
    """Controls, P(target), metric cards with bands, histogram, exceedance, tornado, Sobol."""
    upload, preset, sets = ctx.key
    left, middle, right = st.columns([1, 1, 2])
    samples = int(left.number_input(
        "Samples", min_value=1_000, max_value=MAX_DASHBOARD_SAMPLES, value=DEFAULT_SAMPLES,
        step=1_000, key="unc-samples",
        help="Joint draws of every input with a range (90 % intervals in assumptions.yaml)."))
    seed = int(middle.number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1,
                                   key="unc-seed",
                                   help="The same seed gives the same numbers, here and in "
                                        "`capcalc run --samples N --seed S`."))
    output = str(right.selectbox(
        "Output to examine", list(OUTPUTS), index=list(OUTPUTS).index("compute_multiple"),
        format_func=lambda name: OUTPUTS[name].title, key="unc-output"))
    slow = samples > 50_000
    if slow:
        with st.spinner(f"Sampling {samples:,} joint draws…"):
            hist, exceed, bands, p_target, p_se, warnings = _tables(upload, preset, sets,
                                                                    samples, seed, output)
    else:
        hist, exceed, bands, p_target, p_se, warnings = _tables(upload, preset, sets,
                                                                samples, seed, output)
    target = ctx.scenario.inputs.target.compute_multiplier
    columns = st.columns(len(CARDS) + 1)
    columns[0].metric(f"P(≥ {target:g}×)", f"{p_target:.0%}" if p_se >= 0.0005 or
                      p_target in (0, 1) else f"{p_target:.1%}",
                      help=f"Share of the {samples:,} samples in which the compute multiple "
                           f"reaches {target:g}× {ctx.baseline.name} (± {p_se:.1%}).")
    for column, name in zip(columns[1:], CARDS, strict=True):
        p5, p50, p95 = bands[name]
        unit = OUTPUTS[name].unit
        column.metric(OUTPUTS[name].title, _band(p50, unit, name),
                      help=f"Median of the samples; the central run gives "
                           f"{_band(ctx.result.outputs[name], unit, name)}.")
        column.caption(f"90 %: {_band(p5, unit, name)} – {_band(p95, unit, name)}")
    for line in warnings:
        st.caption(f"⚠ {line}")
    st.vega_lite_chart(histogram_spec(hist), width="stretch")
    download_buttons(hist, histogram, key="dl-unc-hist",
                     cache_key=(ctx.key, samples, seed, output))
    st.vega_lite_chart(exceedance_spec(exceed), width="stretch")
    download_buttons(exceed, exceedance_chart, key="dl-unc-exceed",
                     cache_key=(ctx.key, samples, seed))
    st.subheader("Which input matters")
    ranking = _tornado(upload, preset, sets, output)
    table = tornado_table(ranking)
    if not any(bar.swing for bar in ranking.tornado):
        st.info(f"No input with a range moves {OUTPUTS[output].title.lower()} in this "
                "scenario.")
    else:
        st.vega_lite_chart(tornado_spec(table), width="stretch")
        download_buttons(table, tornado_chart, key="dl-unc-tornado",
                         cache_key=(ctx.key, output))
    if st.toggle("Sobol indices (share of variance; SALib)", key="unc-sobol",
                 help=f"Saltelli sampling with N = {SOBOL_SAMPLES}: about a second."):
        with st.spinner("Computing Sobol indices…"):
            result = _sobol(upload, preset, sets, output, seed)
        table = sobol_table(result)
        st.vega_lite_chart(sobol_spec(table), width="stretch")
        download_buttons(table, sobol_chart, key="dl-unc-sobol",
                         cache_key=(ctx.key, output, seed))
    if getattr(ctx.scenario, "timeline", None):
        st.subheader("When")
        _timeline_section(ctx, samples, seed)
    st.caption(
        f"{samples:,} samples, seed {seed}. Every low/high in the assumptions is a 90 % "
        "interval, sampled as a lognormal unless it says otherwise, kept inside its valid "
        f"range. Inputs {ctx.scenario.name} shares with {ctx.baseline.name} use the same "
        "samples, so the multiple varies only with what differs.")
