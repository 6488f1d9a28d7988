"""Timeline & target tab: the build-out month by month, the reach date, the levers, and a solver.

The phases come from the current scenario's ``timeline:`` (or, for a scenario
without one, the shipped Cortex build-out) and can be edited in the table.
Everything shown comes from :func:`calc.analysis.timeline.run_timeline`,
:mod:`calc.analysis.levers` and :func:`calc.analysis.timeline.solve_timeline` /
:func:`calc.analysis.run.solve_input`, cached on ``(upload, preset, sets, phases,
horizon)``: a rerun with the same inputs costs a lookup. Charts are Vega-Lite
specs built from the same Tables the matplotlib charts (downloads) draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from calc.analysis.levers import levers_of_timeline
from calc.analysis.run import solve_input
from calc.analysis.timeline import run_timeline, solve_timeline
from calc.core.errors import CapcalcError, NoSolution
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index, month_label
from calc.core.phases import LATEST, PHASE_FIELDS, Phase, phase_key
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.phases import check_phases, parse_phase_key, to_phases, with_phase_value
from calc.data.schema import PhaseSpec
from calc.data.validation import validation_message
from calc.presentation.charts import levers_waterfall, timeline_chart
from calc.presentation.formatting import format_value
from calc.presentation.levers import levers_table
from calc.presentation.tables import Table
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.vega.timeline import levers_spec, multiple_spec, timeline_spec

from dashboard import compute
from dashboard.context import Context, Sets
from dashboard.downloads import download_buttons
from dashboard.page import plain
from dashboard.state import validate_set, value_text

__all__ = ["phases_from_rows", "render"]

Upload = tuple[str, str]
Spec = dict[str, Any]
PhasesKey = tuple[tuple[tuple[str, Any], ...], ...]

_OWN_CHIP = "(scenario's chip)"
_FALLBACK = "cortex-buildout"
#: Session-state keys of this tab: edited phases per preset, and the editor's version.
_PHASES, _VERSION, _ANSWER = "tl:phases", "tl:version", "tl:answer"
_COLUMNS = ("name", "start", "facility_power_mw", "accelerator", "delay_months", "refresh",
            "confidence", "source", "note")


# ---------------------------------------------------------------- phases


def _key_of(phases: tuple[Phase, ...]) -> PhasesKey:
    return tuple(tuple(sorted(p.to_dict().items())) for p in phases)


def _from_key(key: PhasesKey) -> tuple[Phase, ...]:
    return tuple(Phase(**dict(items)) for items in key)


def _default_phases(ctx: Context) -> tuple[tuple[Phase, ...], str]:
    """The scenario's own phases, or the shipped build-out's with a note saying so."""
    if ctx.scenario.timeline is not None:
        return tuple(ctx.scenario.timeline), ""
    if _FALLBACK in ctx.library.definitions:
        fallback = ctx.library.scenario(_FALLBACK).timeline
        if fallback:
            return tuple(fallback), (
                f"{ctx.scenario.name} has no build-out timeline: showing the phases of "
                f"{_FALLBACK} with {ctx.scenario.name}'s other assumptions. Edit them below.")
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
    specs = []
    for i, row in enumerate(rows):
        raw = {k: _clean(row.get(k)) for k in _COLUMNS}
        if all(v in (None, "", False) for v in raw.values()):
            continue  # an empty row the editor added
        if raw["accelerator"] in (None, "", _OWN_CHIP):
            raw["accelerator"] = None
        if isinstance(raw["facility_power_mw"], int):
            raw["facility_power_mw"] = float(raw["facility_power_mw"])
        raw["delay_months"] = int(raw["delay_months"] or 0)
        raw["refresh"] = bool(raw["refresh"])
        raw = {k: v for k, v in raw.items() if v is not None or k == "accelerator"}
        try:
            specs.append(PhaseSpec.model_validate(raw))
        except ValidationError as exc:
            key, message = validation_message(exc, known=_COLUMNS)
            raise CapcalcError(message, file="phase table", key=f"row {i + 1}: {key}") from None
    phases = to_phases(specs, file="phase table")
    check_phases(phases, catalog, file="phase table")
    return phases


def _rows(phases: tuple[Phase, ...]) -> pd.DataFrame:
    return pd.DataFrame([{
        "name": p.name, "start": p.start, "facility_power_mw": p.facility_power_mw,
        "accelerator": p.accelerator or _OWN_CHIP, "delay_months": p.delay_months,
        "refresh": p.refresh, "confidence": p.confidence, "source": p.source, "note": p.note,
    } for p in phases], columns=list(_COLUMNS))


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
def _specs(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str
           ) -> tuple[Spec, Spec, Spec]:
    series, levers, *_ = _computed(upload, preset, sets, phases, until)
    return timeline_spec(series), multiple_spec(series), levers_spec(levers)


@compute.memo(max_entries=128)
def _solve(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, key: str, output: str,
           target: float, by: str | None) -> dict[str, Any]:
    """A solution as plain values, or the one-line reason there is none."""
    library = compute.library_for(upload)
    result, baseline = compute.results(upload, preset, sets)
    try:
        if by:
            solution = solve_timeline(library, result.scenario, key, output, target, by,
                                      phases=_from_key(phases))
        else:
            solution = solve_input(result.scenario, key, output, target,
                                   baseline.outputs["effective_flop_per_s"])
    except NoSolution as exc:
        return {"error": str(exc), "best": exc.best_value, "achieved": exc.best_achieved}
    except CapcalcError as exc:
        return {"error": str(exc)}
    return {"key": solution.key, "value": solution.value, "unit": solution.unit,
            "text": solution.text, "achieved": solution.achieved, "note": solution.note,
            "output": output, "target": target, "by": by}


# ---------------------------------------------------------------- Vega-Lite specs


# ---------------------------------------------------------------- the tab


def _phases_in_use(ctx: Context, default: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """The phases the editor shows: last applied edits for this preset, else the default."""
    saved = st.session_state.get(_PHASES, {}).get(ctx.preset)
    return _from_key(saved) if saved else default


def _editor(ctx: Context, shown: tuple[Phase, ...]) -> tuple[Phase, ...]:
    version = st.session_state.get(_VERSION, 0)
    catalog = ctx.library.baseline.catalog
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
            "delay_months": st.column_config.NumberColumn("Delay (months)", min_value=0,
                                                          max_value=600, step=1),
            "refresh": st.column_config.CheckboxColumn(
                "Refresh", help="Replace the hardware when it retires"),
            "confidence": st.column_config.SelectboxColumn(
                "Confidence", options=["confirmed", "secondary", "unconfirmed", "preliminary"]),
            "source": st.column_config.TextColumn("Source"),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    try:
        return phases_from_rows(edited.to_dict("records"), catalog=catalog)
    except CapcalcError as exc:
        st.error(plain(f"{exc}; showing the phases before this edit"), icon=":material/error:")
        return shown


def _apply(ctx: Context, answer: dict[str, Any], phases: tuple[Phase, ...]) -> None:
    """Button callback: put the solved value into the dashboard's state (or the phase table)."""
    key, value = answer["key"], answer["value"]
    state = st.session_state
    parsed = parse_phase_key(key, phases)
    if parsed is not None:
        index, field = parsed
        new = value if field == "facility_power_mw" else (
            month_label(int(value)) if field == "start" else int(value))
        updated = with_phase_value(phases, index, field, new, file="solve")
        state[_PHASES] = {**state.get(_PHASES, {}), ctx.preset: _key_of(updated)}
        state[_VERSION] = state.get(_VERSION, 0) + 1
        return
    # an input: the same text a --set or a link carries, checked as a link's would be
    sets = dict(ctx.sets)
    text = validate_set(ctx.library, ctx.preset, sets, key, value_text(value), origin="solve")
    state["sets"] = {**sets, key: text}
    state.pop(_ANSWER, None)


def _solve_box(ctx: Context, phases: tuple[Phase, ...], until: str) -> None:
    upload, preset, sets = ctx.key
    st.subheader("Solve for a target")
    numeric = [k for k, s in INPUTS.items() if s.kind != "choice"]
    phase_keys = [phase_key(i, f) for i in range(len(phases)) for f in PHASE_FIELDS]
    names = {phase_key(i, f): f"{p.name}: {f.replace('_', ' ')}"
             for i, p in enumerate(phases) for f in PHASE_FIELDS}
    with st.form("tl:solve", border=True):
        left, middle, right, far = st.columns([2, 2, 1, 1])
        key = str(left.selectbox(
            "Input to vary", [*numeric, *phase_keys], index=numeric.index(
                "site.facility_power_mw"),
            format_func=lambda k: f"{INPUTS[k].title} ({k})" if k in INPUTS else
            f"Phase {names.get(k, k)}", key="tl:solve-key"))
        on_timeline = bool(far.toggle("On the timeline", value=False, key="tl:solve-timeline",
                                      help="Solve for the output in one month of the "
                                           "build-out (phase inputs always do)"))
        choices = list(dict.fromkeys([*OUTPUTS, *TIMELINE_OUTPUTS]))
        titles = {**TIMELINE_OUTPUTS, **OUTPUTS}
        output = str(middle.selectbox(
            "Output", choices, index=choices.index("compute_multiple"),
            format_func=lambda o: f"{titles[o].title} ({o})", key="tl:solve-output"))
        target = float(right.number_input(
            "Target", value=ctx.scenario.inputs.target.compute_multiplier,
            format="%g", key="tl:solve-target"))
        by = str(far.text_input("By (YYYY-MM)", value=min(until, "2027-12"),
                                key="tl:solve-by"))
        submitted = st.form_submit_button("Solve", type="primary")
    timeline_mode = on_timeline or key.startswith("timeline")
    outputs = TIMELINE_OUTPUTS if timeline_mode else OUTPUTS
    if submitted:
        if output not in outputs:
            st.session_state[_ANSWER] = {"error": f"{output} is not a "
                                         f"{'timeline' if timeline_mode else 'scenario'} "
                                         "output; pick another"}
        else:
            try:
                month = month_label(month_index(by, key="By")) if timeline_mode else None
            except CapcalcError as exc:
                st.session_state[_ANSWER] = {"error": str(exc)}
            else:
                st.session_state[_ANSWER] = _solve(upload, preset, sets, _key_of(phases), key,
                                                   output, target, month)
    answer = st.session_state.get(_ANSWER)
    if not answer:
        st.caption("Pick an input, an output and a value: capcalc searches the input's valid "
                   "range for it (as `capcalc solve` does).")
        return
    if "error" in answer:
        st.warning(plain(answer["error"]), icon=":material/block:")
        return
    unit = answer["unit"]
    value = (answer["text"] if answer.get("text") and unit == "month"
             else format_value(answer["value"], unit) if unit not in ("1", "", "1/year")
             else f"{answer['value']:.6g}")
    out_unit = (TIMELINE_OUTPUTS if answer["by"] else OUTPUTS)[answer["output"]].unit
    when = f" in {answer['by']}" if answer["by"] else ""
    st.success(f"**{answer['key']} = {value}** — {answer['output']} then reaches "
               f"{format_value(answer['achieved'], out_unit)}{when}", icon=":material/check:")
    if answer.get("note"):
        st.caption(answer["note"])
    st.button("Apply", key="tl:apply", on_click=_apply, args=(ctx, answer, phases),
              help="Set this value in the scenario (inputs) or in the phase table (phases)")


def render(ctx: Context) -> None:
    """Phase table, reach-date cards, timeline and multiple charts, levers, solve box."""
    upload, preset, sets = ctx.key
    default, note = _default_phases(ctx)
    if note:
        st.info(note, icon=":material/info:")
    left, right = st.columns([4, 1])
    year = int(right.number_input("Horizon (December of)", min_value=2025, max_value=2060,
                                  value=2030, step=1, key="tl:horizon"))
    until = f"{year}-12"
    with left:
        phases = _editor(ctx, _phases_in_use(ctx, default))
    phases_key = _key_of(phases)
    try:
        series, levers, summary, reached, final = _computed(upload, preset, sets, phases_key,
                                                            until)
        specs = _specs(upload, preset, sets, phases_key, until)
    except CapcalcError as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        return
    target = float(series.meta["target"])
    cards = st.columns(4)
    cards[0].metric(f"{target:g}× reached", reached or f"not by {until}",
                    help=summary)
    cards[1].metric(f"Multiple in {until}", f"{final:.3g}×")
    h100e = list(series.columns["h100_equivalents"])
    cards[2].metric(f"H100e in {until}", format_value(float(h100e[-1]), "H100e"))
    cards[3].metric(f"Capex to {until}",
                    format_value(float(series.columns["capex_cumulative_usd"][-1]), "USD_2025"))
    st.caption(summary)
    st.vega_lite_chart(specs[0], width="stretch")
    st.vega_lite_chart(specs[1], width="stretch")
    download_buttons(series, timeline_chart, key="dl-tl-buildout",
                     cache_key=(ctx.key, phases_key, until))
    low = [p.name for p in phases if p.confidence in ("unconfirmed", "preliminary")]
    if low:
        st.caption(f"Low confidence: {', '.join(low)} (see each phase's source and note).")
    st.subheader("Paths to the target")
    if levers.meta.get("empty"):
        st.info(f"In {until}: {levers.meta['empty']}.", icon=":material/info:")
    else:
        st.vega_lite_chart(specs[2], width="stretch")
        st.markdown(f"**{levers.meta.get('paths_title', 'Single-lever paths')}**\n\n"
                    + "\n".join(f"- {path}" for path in levers.meta.get("paths", [])))
        download_buttons(levers, levers_waterfall, key="dl-tl-levers",
                         cache_key=(ctx.key, phases_key, until))
    _solve_box(ctx, phases, until)
    st.caption("Facility power in the phase table is the site's total from each start; a "
               "phase adds the power above the previous one. Hardware retires after "
               f"{ctx.scenario.inputs.cost.hardware_lifetime_years:g} years. The same "
               f"numbers: `capcalc timeline {preset} --until {until}`.")

