"""Timeline & target view: the build-out month by month, the chance of the target by each
month, the levers, and the target box (the central answer beside the P50/P80/P95 ones).

The phases come from the current scenario's ``timeline:`` (or, for a scenario
without one, the shipped Cortex build-out) and can be edited in the table, a
slip range (delay low/high) and the status of each phase included; the edits
are the page's state (the link and the scenario file carry them, and the
answer above uses them). With "announced phases slip as peers did" on, every
announced phase without a range of its own takes the peers' slip
(:func:`calc.analysis.slip.with_slip` of :func:`~calc.analysis.slip.default_slip`,
as ``capcalc timeline --slip peers``).

Everything shown comes from :func:`calc.analysis.timeline.run_timeline`,
:mod:`calc.analysis.levers`, :func:`calc.analysis.montecarlo.simulate_timeline`
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

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from calc.analysis.confidence import solve_probability
from calc.analysis.levers import levers_of_timeline
from calc.analysis.montecarlo import simulate_timeline
from calc.analysis.run import baseline_measure, solve_input
from calc.analysis.timeline import run_timeline, solve_timeline
from calc.core.errors import CapcalcError, NoSolution
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, PHASE_FIELDS, PHASE_STATUSES, Phase, phase_key
from calc.core.vocabulary import INPUTS, OUTPUTS, measure_title
from calc.data.phases import parse_phase_key, with_phase_value
from calc.presentation.answer import BUILDOUT, buildout_phases
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
from dashboard.state import (
    SET_ORIGIN,
    SETTINGS,
    as_library_sets,
    phases_from_records,
    validate_set,
    value_text,
)

__all__ = ["PROBABILITIES", "Question", "phases_from_rows", "probable_answers", "render"]

Upload = tuple[str, str]
Spec = dict[str, Any]

_OWN_CHIP = "(scenario's chip)"
#: Session-state keys of this view: the editor's version, and the target box's question
#: (what it solves; the default until the user asks another).
_VERSION, _QUESTION = "tl:version", "tl:question"
_COLUMNS = ("name", "start", "facility_power_mw", "accelerator", "delay_months", "delay_low",
            "delay_high", "status", "refresh", "mfu", "precision", "confidence", "source",
            "note")
_OWN_PRECISION = "(scenario's)"
#: The probabilities the target box always answers, beside the central answer.
PROBABILITIES = (0.5, 0.8, 0.95)
#: A question of the target box: input, output, target (None: the scenario's target
#: multiple) and the month it must hold in (None: the scenario at one moment).
Question = tuple[str, str, float | None, str | None]
DEFAULT_QUESTION: Question = ("site.facility_power_mw", "compute_multiple", None, None)


# ---------------------------------------------------------------- phases


def _key_of(phases: tuple[Phase, ...]) -> PhasesKey:
    return phases_key(phases)


def _from_key(key: PhasesKey) -> tuple[Phase, ...]:
    return compute.from_key(key)


def _default_phases(ctx: Context) -> tuple[tuple[Phase, ...], str]:
    """The scenario's own phases, or the shipped build-out's with a note saying so."""
    phases, borrowed = buildout_phases(ctx.library, ctx.scenario)
    if phases and borrowed is None:
        return phases, ""
    if phases:
        return phases, (
            f"{ctx.scenario.name} has no build-out timeline: showing the phases of "
            f"{BUILDOUT} with {ctx.scenario.name}'s other assumptions. Edit them below.")
    power = float(ctx.result.outputs["facility_power_mw"])
    return (Phase("site", "2025-01", power),), (
        f"{ctx.scenario.name} has no build-out timeline: one phase of its site from 2025-01.")


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars from the editor
        value = value.item()
    return value


def phases_from_rows(rows: Sequence[Mapping[Any, Any]], *, catalog: Any) -> tuple[Phase, ...]:
    """Edited table rows → phases, checked as a scenario file's would be.

    Raises
    ------
    CapcalcError
        One line naming the row and the column, and what would be right.
    """
    records: list[dict[str, Any]] = []
    for row in rows:
        raw = {k: _clean(row.get(k)) for k in _COLUMNS}
        if all(v in (None, "", False) for v in raw.values()):
            continue  # an empty row the editor added
        if raw["accelerator"] in (None, "", _OWN_CHIP):
            raw["accelerator"] = None
        if isinstance(raw["facility_power_mw"], int):
            raw["facility_power_mw"] = float(raw["facility_power_mw"])
        delay, low, high = (_whole(raw.pop(k)) for k in ("delay_months", "delay_low",
                                                          "delay_high"))
        if (low is None) != (high is None):
            raise CapcalcError("give both the low and the high of the slip range (whole "
                               "months, low ≤ delay ≤ high), or neither", file="phase table",
                               key=f"row {len(records) + 1}: delay_months")
        raw["delay_months"] = (delay or 0) if low is None else \
            {"value": delay or 0, "low": low, "high": high}
        raw["refresh"] = bool(raw["refresh"])
        raw["status"] = raw["status"] or "announced"
        if raw["precision"] in ("", _OWN_PRECISION):
            raw["precision"] = None
        records.append({k: v for k, v in raw.items() if v is not None or k == "accelerator"})
    return phases_from_records(records, catalog=catalog, file="phase table")


def _whole(value: Any) -> Any:
    """A month count from the editor: whole floats as ints (anything else is checked later)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _editable(phase: Phase) -> tuple[Any, ...]:
    """The fields of a phase the table shows and edits."""
    return tuple(getattr(phase, k) for k in _COLUMNS)


def _rows(phases: tuple[Phase, ...]) -> pd.DataFrame:
    frame = pd.DataFrame([{
        "name": p.name, "start": p.start, "facility_power_mw": p.facility_power_mw,
        "accelerator": p.accelerator or _OWN_CHIP, "delay_months": p.delay_months,
        "delay_low": math.nan if p.delay_low is None else float(p.delay_low),
        "delay_high": math.nan if p.delay_high is None else float(p.delay_high),
        "status": p.status, "refresh": p.refresh,
        "mfu": math.nan if p.mfu is None else p.mfu,
        "precision": p.precision or _OWN_PRECISION, "confidence": p.confidence,
        "source": p.source, "note": p.note,
    } for p in phases], columns=list(_COLUMNS))
    return frame.astype({"delay_low": "float64", "delay_high": "float64", "mfu": "float64"})


# ---------------------------------------------------------------- compute (cached)


@compute.memo(max_entries=64)
def _computed(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str
              ) -> tuple[Table, Table, str, str | None, float]:
    """Timeline table, levers table, summary line, reach month and final multiple."""
    library = compute.library_for(upload)
    result, _ = compute.results(upload, preset, sets)
    timeline = run_timeline(library, result.scenario, until=until, phases=_from_key(phases))
    levers = levers_table(levers_of_timeline(library, timeline))
    return (timeline_table(timeline), levers, timeline.summary(), timeline.target_reached,
            timeline.final_multiple)


@compute.memo(max_entries=64)
def _specs(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
           measure: str) -> tuple[Spec, Spec, Spec]:
    series, levers, *_ = _computed(upload, preset, sets, phases, until)
    return (timeline_spec(series), multiple_spec(series, measure=measure),
            levers_spec(levers, measure=measure))


def _scenario(upload: Upload, preset: str, sets: Sets) -> Any:
    """The scenario as ``capcalc`` reads it from a name and ``--set``s (not yet solved)."""
    return compute.library_for(upload).scenario(preset, as_library_sets(sets),
                                                set_origin=SET_ORIGIN)


@compute.memo(max_entries=32)
def _reach(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
           samples: int, seed: int) -> Table:
    """P(target reached by each month) over ``samples`` joint samples of the build-out, with
    its P50 and P80 months (:func:`calc.presentation.tables.uncertainty.reach_probability_table`).

    Only the small table is kept: the samples themselves are (samples × months) arrays.
    """
    sim = simulate_timeline(compute.library_for(upload), _scenario(upload, preset, sets),
                            samples=samples, seed=seed, until=until, phases=_from_key(phases))
    return reach_probability_table([sim])


@compute.memo(max_entries=64)
def _reach_spec(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
                samples: int, seed: int, measure: str) -> Spec:
    return reach_probability_spec(_reach(upload, preset, sets, phases, until, samples, seed),
                                  measure=measure)


@compute.memo(max_entries=128)
def _solve(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, key: str, output: str,
           target: float, by: str | None) -> dict[str, Any]:
    """The central answer as plain values, or the one-line reason there is none."""
    library = compute.library_for(upload)
    result, _ = compute.results(upload, preset, sets)
    try:
        if by:
            solution = solve_timeline(library, result.scenario, key, output, target, by,
                                      phases=_from_key(phases))
        else:
            solution = solve_input(result.scenario, key, output, target,
                                   baseline_measure(library, result.scenario))
    except NoSolution as exc:
        return {"error": shown_error(exc), "best": exc.best_value, "achieved": exc.best_achieved}
    except CapcalcError as exc:
        return {"error": shown_error(exc)}
    return {"key": solution.key, "value": solution.value, "unit": solution.unit,
            "text": solution.text, "achieved": solution.achieved, "note": solution.note,
            "output": output, "target": target, "by": by}


@compute.memo(max_entries=256)
def _probable(upload: Upload, preset: str, sets: Sets, key: str, output: str, target: float,
              probability: float, samples: int, seed: int) -> dict[str, Any]:
    """The value of ``key`` at which P(output ≥ target) = ``probability`` over the joint
    samples (:func:`calc.analysis.confidence.solve_probability`), as plain values, or the
    one-line reason there is none."""
    try:
        solution = solve_probability(compute.library_for(upload),
                                     _scenario(upload, preset, sets), key, output, target,
                                     probability, samples=samples, seed=seed)
    except CapcalcError as exc:
        return {"error": shown_error(exc), "probability": probability}
    return {"key": key, "value": solution.value, "unit": solution.unit,
            "probability": solution.probability, "achieved": solution.achieved,
            "achieved_se": solution.achieved_se, "samples": solution.samples,
            "seed": solution.seed, "output": output, "target": target}


def probable_answers(ctx: Context, question: Question, probabilities: tuple[float, ...],
                     samples: int, seed: int) -> list[dict[str, Any]]:
    """The target box's P answers for ``question`` (cached), in the order of
    ``probabilities``; a dict with ``error`` where there is none."""
    key, output, target, _by = question
    goal = ctx.scenario.inputs.target.compute_multiplier if target is None else target
    return [_probable(*ctx.key, key, output, float(goal), p, samples, seed)
            for p in probabilities]


# ---------------------------------------------------------------- the view


def _adopt(phases: tuple[Phase, ...] | None) -> None:
    """Make ``phases`` the page's state and restart the editor from them."""
    page.set_phases(phases)
    st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1


def _editor(ctx: Context, shown: tuple[Phase, ...], default: tuple[Phase, ...]
            ) -> tuple[Phase, ...]:
    version = st.session_state.get(_VERSION, 0)
    catalog = ctx.library.baseline.catalog
    months: dict[str, Any] = {"min_value": 0, "max_value": 600, "step": 1, "format": "%d"}
    edited = st.data_editor(
        _rows(shown), key=f"tl:editor:{ctx.preset}:{version}", num_rows="dynamic",
        width="stretch", hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Phase", required=True),
            "start": st.column_config.TextColumn("Start (YYYY-MM)", required=True,
                                                 validate=r"^\d{4}-(0[1-9]|1[0-2])$"),
            "facility_power_mw": st.column_config.NumberColumn(
                "Site total (MW)", min_value=0.001, required=True,
                help="The site's total facility power from the start month"),
            "accelerator": st.column_config.SelectboxColumn(
                "Accelerator", options=[_OWN_CHIP, LATEST, *catalog],
                help="'latest': the then-current generation (catalog, then the trend)"),
            "delay_months": st.column_config.NumberColumn(
                "Delay (months)", help="Months after the start the capacity arrives; with a "
                "slip range, its median (the central run uses it)", **months),
            "delay_low": st.column_config.NumberColumn(
                "Slip low (months)", help="The slip's 5th percentile: with a high, the "
                "Monte Carlo samples the delay (90 % within low–high)", **months),
            "delay_high": st.column_config.NumberColumn(
                "Slip high (months)", help="The slip's 95th percentile (with a low)",
                **months),
            "status": st.column_config.SelectboxColumn(
                "Status", options=list(PHASE_STATUSES), required=True,
                help="announced: a promised date, which may slip (the peers' slip applies "
                     "to it when switched on, unless it has a range of its own); delivered: "
                     "built"),
            "refresh": st.column_config.CheckboxColumn(
                "Refresh", help="Replace the hardware when it retires"),
            "mfu": st.column_config.NumberColumn(
                "MFU", min_value=INPUTS["training.mfu"].lower, max_value=1.0, step=0.01,
                help="This phase's own MFU (its refreshes too); empty for the scenario's "
                     "training.mfu"),
            "precision": st.column_config.SelectboxColumn(
                "Precision", options=[_OWN_PRECISION, *INPUTS["training.precision"].choices],
                help="This phase's training precision (its peak FLOP/s); the scenario's "
                     "by default"),
            "confidence": st.column_config.SelectboxColumn(
                "Confidence", options=["confirmed", "secondary", "unconfirmed", "preliminary"]),
            "source": st.column_config.TextColumn("Source"),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    try:
        phases = phases_from_rows(edited.to_dict("records"), catalog=catalog)
    except CapcalcError as exc:
        st.error(plain(f"{shown_error(exc)}; showing the phases before this edit"),
                 icon=":material/error:")
        return shown
    if [_editable(p) for p in phases] == [_editable(p) for p in shown]:
        return shown  # no edit
    # an edit: it becomes the page's state (link, answer, file); a row keeps the fields
    # the table does not show from the phase of its name
    by_name = {p.name: p for p in shown}
    merged = tuple(replace(by_name[p.name], **{k: getattr(p, k) for k in _COLUMNS})
                   if p.name in by_name else p for p in phases)
    _adopt(None if merged == default else merged)
    st.rerun()


def _apply(ctx: Context, answer: dict[str, Any], phases: tuple[Phase, ...]) -> None:
    """Button callback: put a solved value into the dashboard's state (or the phase table)."""
    key, value = answer["key"], answer["value"]
    state = st.session_state
    parsed = parse_phase_key(key, phases)
    if parsed is not None:
        index, field = parsed
        new = value if field == "facility_power_mw" else (
            month_label(int(value)) if field == "start" else int(value))
        updated = with_phase_value(phases, index, field, new, file="solve")
        _adopt(updated)
        return
    # an input: the same text a --set or a link carries, checked as a link's would be
    sets = dict(ctx.sets)
    text = validate_set(ctx.library, ctx.preset, sets, key, value_text(value), origin="solve")
    state["sets"] = {**sets, key: text}


def _mc_controls(ctx: Context) -> tuple[int, int]:
    """The Monte Carlo's sample count and seed: the page's settings, shared with the
    Uncertainty view (and carried by the link)."""
    left, right, _ = st.columns([1, 1, 2])
    samples_setting, seed_setting = SETTINGS["samples"], SETTINGS["seed"]
    samples = int(left.number_input(
        "Samples", min_value=samples_setting.lower, max_value=samples_setting.upper,
        step=1_000, help="Joint draws of every input with a range (and every slip range). "
        f"The chance by month samples at most {compute.TIMELINE_SAMPLES:,} build-outs.",
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


def _question(ctx: Context) -> Question:
    """The box's question: the user's last, else the power (or the accelerator count, for a
    site sized by count) that reaches the scenario's target multiple."""
    sizing = "site.accelerators" if ctx.scenario["site.accelerators"] is not None \
        else DEFAULT_QUESTION[0]
    question: Question = st.session_state.get(_QUESTION, (sizing, *DEFAULT_QUESTION[1:]))
    return question


def _shown(value: float, unit: str, text: str | None = None) -> str:
    if text and unit == "month":
        return text
    if unit in ("1", "", "1/year"):
        return f"{value:.6g}"
    return format_value(value, unit)


def _solve_box(ctx: Context, phases: tuple[Phase, ...], used: PhasesKey, until: str,
               samples: int, seed: int, measure: str) -> None:
    upload, preset, sets = ctx.key
    st.subheader("Solve for a target")
    numeric = [k for k, s in INPUTS.items() if s.kind != "choice"]
    phase_keys = [phase_key(i, f) for i in range(len(phases)) for f in PHASE_FIELDS]
    names = {phase_key(i, f): f"{p.name}: {f.replace('_', ' ')}"
             for i, p in enumerate(phases) for f in PHASE_FIELDS}
    asked = _question(ctx)
    goal = ctx.scenario.inputs.target.compute_multiplier if asked[2] is None else asked[2]
    choices = list(dict.fromkeys([*OUTPUTS, *TIMELINE_OUTPUTS]))
    titles = {**TIMELINE_OUTPUTS, **OUTPUTS}

    def output_title(name: str) -> str:
        title = f"Compute multiple of {measure}" if name == "compute_multiple" else \
            titles[name].title
        return f"{title} ({name})"

    keys = [*numeric, *phase_keys]
    with st.form("tl:solve", border=True):
        left, middle, right, far = st.columns([2, 2, 1, 1])
        key = str(left.selectbox(
            "Input to vary", keys, index=keys.index(asked[0]) if asked[0] in keys else
            numeric.index("site.facility_power_mw"),
            format_func=lambda k: f"{INPUTS[k].title} ({k})" if k in INPUTS else
            f"Phase {names.get(k, k)}", key="tl:solve-key"))
        on_timeline = bool(far.toggle("On the timeline", value=asked[3] is not None,
                                      key="tl:solve-timeline",
                                      help="Solve for the output in one month of the "
                                           "build-out (phase inputs always do)"))
        output = str(middle.selectbox(
            "Output", choices, index=choices.index(asked[1]), format_func=output_title,
            key="tl:solve-output"))
        target = float(right.number_input("Target", value=float(goal), format="%g",
                                          key="tl:solve-target"))
        by = str(far.text_input("By (YYYY-MM)", value=asked[3] or min(until, "2027-12"),
                                key="tl:solve-by"))
        submitted = st.form_submit_button("Solve", type="primary")
    if submitted:
        error = _ask(ctx, key, output, target, by, on_timeline)
        if error:
            st.warning(plain(error), icon=":material/block:")
        asked = _question(ctx)
    key, output, target_or_none, by_month = asked
    target = ctx.scenario.inputs.target.compute_multiplier if target_or_none is None \
        else target_or_none
    central = _solve(upload, preset, sets, used, key, output, float(target), by_month)
    probability = int(st.number_input(
        "Probability (%)", min_value=SETTINGS["probability"].lower,
        max_value=SETTINGS["probability"].upper, step=1,
        help="Your own chance to be sure of, answered beside P50, P80 and P95 "
             "(`capcalc solve ... --probability`).", **page.bound("probability", "tl:probability")))
    on_timeline = by_month is not None or key.startswith("timeline")
    wanted = tuple(sorted({*PROBABILITIES, probability / 100}))
    answers = [] if on_timeline else probable_answers(ctx, asked, wanted, samples, seed)
    out_unit = (TIMELINE_OUTPUTS if by_month else OUTPUTS)[output].unit
    what = f"multiple of {measure}" if output == "compute_multiple" else output
    when = f" in {by_month}" if by_month else ""
    goal_text = format_value(float(target), out_unit)
    if "error" in central:
        problems = [central["error"]]
        st.caption(f"**{plain(key)}** at which the {plain(what)} reaches {goal_text}{when}:")
    else:
        problems = []
        value = _shown(central["value"], central["unit"], central.get("text"))
        st.success(f"**{key} = {value}** — the {plain(what)} then reaches "
                   f"{format_value(central['achieved'], out_unit)}{when}",
                   icon=":material/check:")
    with st.container(horizontal=True, wrap=True, gap="small", key="tl-answers"):
        if "error" in central:
            st.metric("Central", "—", border=True, width="content",
                      help="Every input at its central value: no answer (see below).")
        else:
            st.metric("Central", _shown(central["value"], central["unit"], central.get("text")),
                      border=True, width="content",
                      help=f"Every input at its central value: {output} then reaches "
                           f"{format_value(central['achieved'], out_unit)}{when}."
                           f"\n\nExact value: {central['value']!r} {central['unit']}")
        for found in answers:
            share = found["probability"]
            label = f"P{share * 100:g}" + (" (yours)" if round(share * 100) == probability
                                           and share not in PROBABILITIES else "")
            if "error" in found:
                st.metric(label, "—", border=True, width="content",
                          help=f"No value reaches {share:.0%} (see below).")
                problems.append(f"P{share * 100:g}: {found['error']}")
                continue
            st.metric(label, _shown(found["value"], found["unit"]), border=True,
                      width="content",
                      help=f"{share:.0%} sure: at this value P({output} ≥ {target:g}) = "
                           f"{found['achieved']:.1%} ± {found['achieved_se']:.1%} over "
                           f"{found['samples']:,} joint samples, seed {found['seed']}."
                           f"\n\nExact value: {found['value']!r} {found['unit']}")
    # each answer that has none: its one line under the box (the P answers' in small print
    # when the central answer has none either: their reason is the same)
    for i, line in enumerate(problems):
        if i and "error" in central:
            st.caption(f"⚠ {plain(line)}")
        else:
            st.warning(plain(line), icon=":material/block:")
    if on_timeline:
        st.caption("P50/P80/P95 answers are for a scenario input at one moment (`capcalc solve "
                   "KEY --probability P`); on the timeline, the chance by each month above "
                   "says how sure a date is.")
    else:
        st.caption(f"P answers: the value at which that share of {samples:,} joint samples "
                   f"(seed {seed}, every input with a range drawn) reaches the target; "
                   f"`capcalc solve {key} --target {output}={target:g} --probability "
                   f"{probability / 100:g} --samples {samples} --seed {seed} {preset}` gives "
                   "the same.")
    if "error" not in central and central.get("note"):
        st.caption(central["note"])
    buttons = st.columns([1, 1, 3])
    if "error" not in central:
        buttons[0].button("Apply central", key="tl:apply", on_click=_apply,
                          args=(ctx, central, phases),
                          help="Set this value in the scenario (inputs) or in the phase table "
                               "(phases)")
    yours = next((a for a in answers if round(a["probability"] * 100) == probability
                  and "error" not in a), None)
    if yours is not None:
        buttons[1].button(f"Apply P{probability}", key="tl:apply-p", on_click=_apply,
                          args=(ctx, yours, phases),
                          help=f"Set the value that reaches the target with {probability} % "
                               "chance")


def _ask(ctx: Context, key: str, output: str, target: float, by: str, on_timeline: bool
         ) -> str:
    """Record the box's new question; return why it cannot be asked ("" when it can)."""
    timeline_mode = on_timeline or key.startswith("timeline")
    outputs = TIMELINE_OUTPUTS if timeline_mode else OUTPUTS
    if output not in outputs:
        return (f"{output} is not a {'timeline' if timeline_mode else 'scenario'} output; "
                "pick another")
    month = None
    if timeline_mode:
        try:
            month = month_label(month_index(by, key="By"))
        except CapcalcError as exc:
            return shown_error(exc)
    follows = output == "compute_multiple" and \
        target == ctx.scenario.inputs.target.compute_multiplier
    st.session_state[_QUESTION] = (key, output, None if follows else target, month)
    return ""


def render(ctx: Context) -> None:
    """Phase table, reach-date cards, timeline and multiple charts, the chance by month,
    levers, the target box."""
    upload, preset, sets = ctx.key
    measure = measure_title(ctx.scenario.values)
    default, note = _default_phases(ctx)
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
        _adopt(None)
        st.rerun()
    with left:
        phases = _editor(ctx, ctx.phases if ctx.phases is not None else default, default)
    used_phases = compute.slipped(phases) if slip else phases
    key = _key_of(used_phases)
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
    _solve_box(ctx, phases, key, until, samples, seed, measure)
    st.caption("Facility power in the phase table is the site's total from each start; a "
               "phase adds the power above the previous one. Hardware retires after "
               f"{ctx.scenario.inputs.cost.hardware_lifetime_years:g} years. The same "
               f"numbers: `capcalc timeline {preset} --until {until}"
               + (" --slip peers`" if slip else "`")
               + (" with the phase edits of the link (`--set timeline[N].FIELD=...`)."
                  if ctx.phases is not None else "."))
