"""The page around the views: session state, the sidebar, the link, and the results header.

State lives in ``st.session_state``: a preset name, a dict of changed inputs
(key → text), the edited build-out phases (or None), the views' settings and
an uploaded file. Widget callbacks edit that state; each run computes the
result from it (cached), writes the values into the widgets, draws them, and
mirrors the whole state into the URL's query parameters
(:func:`dashboard.state.link_params`).
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from calc.core.errors import CapcalcError, clean_text
from calc.core.phases import PHASE_SET_FIELDS, Phase
from calc.core.vocabulary import GROUPS, INPUTS, MEASURE_TITLES
from calc.data.scenario_file import scenario_yaml
from calc.data.scenarios import MAX_BASE_DEPTH
from calc.presentation.answer import changes, heading
from calc.presentation.formatting import format_value

from dashboard import compute, results_view, widgets
from dashboard.compute import NO_UPLOAD, Upload
from dashboard.context import Context, Sets
from dashboard.markup import plain, shown_error
from dashboard.state import (
    MAX_LINK_CHARS,
    PHASES_PARAM,
    SETTINGS,
    LinkState,
    as_library_sets,
    default_settings,
    link_params,
    parse_link,
    phase_params,
    safe_file_name,
    upload_fits,
    value_text,
)

__all__ = ["OPENING_SCENARIO", "bound", "build", "default_preset", "opening", "plain",
           "set_phases", "sidebar", "slip_line", "slip_words", "upload_scenarios"]

logger = logging.getLogger(__name__)

_PRESET_WIDGET = "w:__preset"
_UPLOAD_WIDGET = "w:__upload"


# ------------------------------------------------------------------ state


def _state() -> Any:
    return st.session_state


#: The scenario the dashboard opens on: the news story's first phase, 100 MW of H100
#: (the assumptions file's own site), measured against the library's baseline.
OPENING_SCENARIO = "cortex-phase1"


def default_preset() -> str:
    """The scenario the dashboard opens on: :data:`OPENING_SCENARIO`, or the baseline
    when the shipped library has no scenario of that name."""
    library = compute.shipped_library()
    return OPENING_SCENARIO if OPENING_SCENARIO in library.definitions \
        else library.baseline_name()


def _sets() -> Sets:
    return tuple(sorted(_state()["sets"].items()))


def _upload() -> Upload:
    upload: Upload = _state().get("upload", NO_UPLOAD)
    return upload


def opening() -> bool:
    """Whether this run is a session's first (the page is being opened)."""
    return "preset" not in _state()


def _init() -> None:
    """First run of a session: read the state from the link."""
    state = _state()
    if "preset" in state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    try:
        link, _library = parse_link(compute.shipped_library(), params, default_preset(),
                                    check_upload=compute.check_upload,
                                    default_phases=compute.default_phases)
    except Exception as exc:  # a link must never crash the page: open on the defaults
        logger.warning("link cannot be read: %s", exc)
        link = LinkState(preset=default_preset(), warnings=[
            f"link: cannot be read ({type(exc).__name__}); showing {default_preset()}"])
    state["preset"], state["sets"] = link.preset, link.sets
    state["settings"], state["phases"] = link.settings, link.phases
    state["upload"], state["upload_error"] = link.upload, ""
    state["notices"] = link.warnings
    state["input_errors"] = {}


def _results_or_none(upload: Upload, preset: str, sets: Sets) -> Any:
    try:
        return compute.results(upload, preset, sets)
    except CapcalcError:
        return None


def _on_input(key: str, wkey: str) -> None:
    """A widget moved: record its value as text (checked and tidied by the run that follows).

    Callbacks cannot be interrupted by a newer rerun, so they only write down the
    change; :func:`_settle` validates it inside the (interruptible) script run.
    """
    state = _state()
    raw = state[wkey]
    if raw is None:  # a box emptied by the user: keep the value it had
        return
    text = value_text(float(raw) if isinstance(raw, int) else raw)
    if "before" not in state:
        state["before"] = dict(state["sets"])
    state["changed"] = [*state.get("changed", []), key]
    state["sets"] = {**state["sets"], key: text}


def _settle(upload: Upload, preset: str) -> None:
    """Tidy the inputs changed since the last run: drop those equal to what they would be
    anyway (so the link stays short), and undo a change the scenario cannot run with,
    saying at the widget why and what the valid range is."""
    state = _state()
    changed = state.get("changed", [])
    if not changed:
        return
    sets = dict(state["sets"])
    errors = dict(state.get("input_errors", {}))
    for key in dict.fromkeys(changed):
        errors.pop(key, None)
        if key not in sets:
            continue
        others = {k: v for k, v in sets.items() if k != key}
        without = _results_or_none(upload, preset, tuple(sorted(others.items())))
        if without is not None and value_text(without[0].scenario[key]) == sets[key]:
            sets = others
    try:
        compute.results(upload, preset, tuple(sorted(sets.items())))
    except Exception as exc:
        before = state.get("before", {})
        for key in dict.fromkeys(changed):
            if sets.get(key) != before.get(key):
                errors[key] = _refused(key, sets.get(key, ""), exc)
        sets = before
    state["sets"] = sets
    state["input_errors"] = errors
    del state["changed"]
    state.pop("before", None)


def _refused(key: str, text: str, exc: Exception) -> str:
    """Why a typed value was refused, with the valid range, for the line under its box."""
    spec = INPUTS[key]
    reason = exc.message if isinstance(exc, CapcalcError) else \
        f"cannot be computed ({type(exc).__name__})"
    valid = f" Valid: {widgets.valid_range(spec)}." if spec.kind != "choice" and \
        "valid range" not in reason else ""
    return f"{clean_text(text, limit=40)} was not used: {reason}.{valid} Kept the previous value."


def _on_sizing() -> None:
    """Switch between sizing the site by facility power and by accelerator count.

    The site keeps its size: the new sizing input takes the value the other one implied.
    """
    state = _state()
    upload, preset = _upload(), state["preset"]
    now = compute.results(upload, preset, _sets())[0]
    wanted = state[widgets.SIZING_WIDGET]
    value = (float(round(now.outputs["accelerators"])) if wanted == "site.accelerators"
             else now.outputs["facility_power_mw"])
    text = value_text(value)
    sets = {k: v for k, v in state["sets"].items() if k not in widgets.SIZING_KEYS}
    base = _results_or_none(upload, preset, tuple(sorted(sets.items())))
    if base is None or value_text(base[0].scenario[wanted]) != text:
        sets[wanted] = text
    if _results_or_none(upload, preset, tuple(sorted(sets.items()))) is None:
        state["notices"] = [f"cannot size {preset} by {widgets.SIZING_LABELS[wanted]}"]
        return
    state["sets"] = sets


def _forget_changes() -> None:
    state = _state()
    for name in ("changed", "before"):
        state.pop(name, None)
    state["input_errors"] = {}
    state["phases"] = None


def _on_preset() -> None:
    _forget_changes()
    state = _state()
    state["preset"] = state[_PRESET_WIDGET]
    state["sets"] = {}


def _on_reset() -> None:
    _forget_changes()
    state = _state()
    state["preset"] = default_preset()
    state["sets"] = {}
    state["upload"] = NO_UPLOAD
    state["upload_error"] = ""
    state["settings"] = {**default_settings(), "view": state["settings"]["view"]}


def _on_upload() -> None:
    """Validate an uploaded scenario file; on success switch to its first scenario."""
    state = _state()
    file = state.get(_UPLOAD_WIDGET)
    if file is None:
        return
    name = safe_file_name(file.name)  # as a link carries it, so a link reopens the same
    message = upload_scenarios(name, file.getvalue())
    state["upload_error"] = message
    if not message:
        state["upload"] = (name, file.getvalue().decode("utf-8"))
        state["preset"] = compute.add_upload(*state["upload"])[1][0]
        state["sets"] = {}
        _forget_changes()


def upload_scenarios(name: str, data: bytes) -> str:
    """Check an uploaded scenario file; return "" when it is good, else one readable line."""
    try:
        compute.check_upload(name, data)
    except CapcalcError as exc:
        return shown_error(exc)
    return ""


# ------------------------------------------------------------------ settings and phases


def bound(name: str, wkey: str, value: Any = None) -> dict[str, Any]:
    """Keyword arguments that bind a view's widget ``wkey`` to setting ``name``.

    The setting's value (or ``value``, when the view resolves a default such as
    the output examined) is put in the widget before it is drawn; the widget's
    change is written back, so the setting outlives the view and travels in the link.
    """
    state = _state()
    current = state["settings"][name] if value is None else value
    if state.get(wkey) != current:
        state[wkey] = current
    return {"key": wkey, "on_change": _on_setting, "args": (name, wkey)}


def _on_setting(name: str, wkey: str) -> None:
    state = _state()
    value = state[wkey]
    if value is None:
        return
    state["settings"] = {**state["settings"], name: value}


def set_phases(phases: tuple[Phase, ...] | None) -> None:
    """Record the phase table as the user edited it (None: back to the scenario's)."""
    _state()["phases"] = phases


# ------------------------------------------------------------------ sidebar


def _sidebar(ctx: Context) -> None:
    library, scenario = ctx.library, ctx.result.scenario
    state = _state()
    sb = st.sidebar
    sb.title("capcalc")
    sb.caption("Compute capacity of AI training datacenters")
    if state.get(_PRESET_WIDGET) != ctx.preset:
        state[_PRESET_WIDGET] = ctx.preset
    titles = {name: library.definitions[name].title or name for name in library.names}
    sb.selectbox("Scenario", library.names, key=_PRESET_WIDGET, on_change=_on_preset,
                 format_func=lambda n: f"{n} — {titles[n]}" if titles[n] != n else n,
                 help="Start from a preset of scenarios.yaml (or an uploaded file).")
    sb.button("Reset to defaults", on_click=_on_reset, key="w:__reset",
              icon=":material/restart_alt:",
              help=f"Back to the opening view, {default_preset()}, with nothing changed.")
    widgets.sync(scenario.values)
    sized_by = "site.facility_power_mw" if scenario["site.accelerators"] is None \
        else "site.accelerators"
    if state.get(widgets.SIZING_WIDGET) != sized_by:
        state[widgets.SIZING_WIDGET] = sized_by
    catalog = library.baseline.catalog
    options = {
        "hardware.accelerator": list(catalog),
        "training.precision": list(INPUTS["training.precision"].choices),
        "training.availability_model": list(INPUTS["training.availability_model"].choices),
        "target.baseline": library.names,
        "target.measure": list(INPUTS["target.measure"].choices),
    }
    formats = {
        "hardware.accelerator": lambda k: k if catalog[k].status == "shipping"
        else f"{k} ({catalog[k].status})",
        "target.measure": lambda k: str(MEASURE_TITLES.get(k, k)),
    }
    errors = state.get("input_errors", {})
    for group in GROUPS:
        opened = group in ("site", "hardware") or any(
            INPUTS[key].group == group for key in errors)
        with sb.expander(widgets.GROUP_TITLES[group], expanded=opened):
            if group == "site":
                st.radio("Size the site by", widgets.SIZING_KEYS, key=widgets.SIZING_WIDGET,
                         format_func=widgets.SIZING_LABELS.__getitem__, horizontal=True,
                         on_change=_on_sizing,
                         help="Give the facility power (accelerators follow) or the "
                              "accelerator count (power follows).")
            for key in widgets.group_keys(group, sized_by):
                widgets.input_widget(INPUTS[key], scenario.assumptions[key],
                                     options.get(key, ()), _on_input,
                                     formats.get(key, str), error=errors.get(key))
    with sb.expander("Scenario file", expanded=bool(state.get("upload_error"))):
        st.file_uploader("Upload a scenario YAML", type=["yaml", "yml"], key=_UPLOAD_WIDGET,
                         on_change=_on_upload,
                         help="One scenario (dotted keys, optional `base:`) or several under "
                              "`scenarios:`, as `capcalc run FILE.yaml` reads them. The page "
                              f"reads at most {compute.MAX_UPLOAD_SCENARIOS} scenarios from "
                              f"a file, and chains of `base:` at most {MAX_BASE_DEPTH} deep.")
        if state.get("upload_error"):
            st.error(plain(state["upload_error"]))
        file_name = f"{ctx.preset}-custom.yaml"
        st.download_button(
            "Download this scenario (YAML)",
            data=lambda: _scenario_file(ctx, file_name),
            file_name=file_name, mime="application/x-yaml", key="w:__scenario_yaml",
            on_click="ignore", icon=":material/download:",
            help="A scenario file that reproduces these numbers with `capcalc run FILE.yaml` "
                 "(phase edits included; the Monte Carlo settings in its first lines).")
    if upload_fits(ctx.upload):
        sb.caption("The address bar holds everything you changed, the uploaded file "
                   "included: share the link to reopen this view.")
    else:
        sb.warning(f"The uploaded file is too large to travel in the link (more than "
                   f"{MAX_LINK_CHARS:,} characters packed): the link reopens the shipped "
                   "scenarios only. Share the downloaded scenario file instead.",
                   icon=":material/link_off:")


def _scenario_file(ctx: Context, file_name: str) -> str:
    title, description = _heading(ctx)
    settings = ctx.settings
    used = compute.answer_phases(ctx)
    phases = compute.from_key(used) if used else ctx.phases
    return scenario_yaml(ctx.library, ctx.preset, as_library_sets(ctx.sets),
                         file_name=file_name, title=title, description=description,
                         phases=phases, samples=int(settings["samples"]),
                         seed=int(settings["seed"]), until=ctx.until)


# ------------------------------------------------------------------ build


def _context() -> Context:
    state = _state()
    upload, preset = _upload(), state["preset"]
    library = compute.library_for(upload)
    if preset not in library.definitions:
        state["preset"], state["sets"] = default_preset(), {}
    _settle(upload, state["preset"])
    try:
        result, baseline = compute.results(upload, state["preset"], _sets())
    except Exception as exc:
        logger.warning("state cannot be computed: %s", exc)
        reason = shown_error(exc) if isinstance(exc, CapcalcError) else \
            f"{type(exc).__name__}: {clean_text(str(exc), limit=120)}"
        state["notices"] = [*state.get("notices", []), f"{reason}; showing {default_preset()}"]
        state["preset"], state["sets"], state["phases"] = default_preset(), {}, None
        result, baseline = compute.results(upload, state["preset"], ())
    return Context(library=library, scenario=result.scenario, result=result, baseline=baseline,
                   sets=_sets(), preset=state["preset"], upload=upload,
                   phases=state.get("phases"), settings=dict(state["settings"]))


def _phase_link(ctx: Context) -> dict[str, str]:
    if ctx.phases is None:
        return {}
    return phase_params(_default_phases(ctx), ctx.phases)


def mirror_link(ctx: Context) -> None:
    """Write the state into the address bar (only when it changed)."""
    wanted = link_params(ctx.preset, ctx.sets, default_preset(), settings=ctx.settings,
                         phases=_phase_link(ctx), upload=ctx.upload)
    current = {key: st.query_params[key] for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _heading(ctx: Context) -> tuple[str, str]:
    definition = ctx.library.definitions.get(ctx.preset)
    return heading(ctx.scenario, ctx.result.outputs, preset=ctx.preset,
                   preset_title=definition.title if definition else None,
                   changed=bool(ctx.sets) or ctx.phases is not None)


def changed_list(ctx: Context) -> list[str]:
    """Every input the user moved, the phase edits and the slip (when switched off), as
    "Title: old → new"."""
    slip_off = not ctx.settings.get("slip")
    if not ctx.sets and ctx.phases is None and not slip_off:
        return []
    before = compute.results(ctx.upload, ctx.preset, ())[0].scenario
    lines = changes(before, ctx.scenario, [key for key, _ in ctx.sets])
    if ctx.phases is not None:
        lines += phase_changes(_default_phases(ctx), ctx.phases)
    if slip_off:
        lines.append(slip_line())
    return lines


def slip_line() -> str:
    """The slip switched off, in words, as the changed list says it."""
    return f"Announced phases slip by their operator's record ({slip_words()}): on → off"


def slip_words() -> str:
    """The slip of announced phases, short: "Tesla's record ..., median 7 months, 90 %
    within 0–16 months"."""
    slip = compute.slip()
    delays = slip.delays()
    return (f"{slip.described}, median {delays.value} month{'' if delays.value == 1 else 's'}, "
            f"90 % within {delays.low}–{delays.high} months")


def _default_phases(ctx: Context) -> tuple[Phase, ...]:
    try:
        return compute.default_phases(ctx.library, ctx.preset, dict(ctx.sets)) or ()
    except CapcalcError:
        return ()


def phase_changes(default: tuple[Phase, ...], edited: tuple[Phase, ...]) -> list[str]:
    """The phase edits in words: "Phase name: field old → new", or that rows changed."""
    params = phase_params(default, edited)
    if PHASES_PARAM in params:
        return [f"Phase table: {len(default)} rows → {len(edited)} rows (rows added, removed "
                "or renamed)"]
    lines = []
    for i, (old, new) in enumerate(zip(default, edited, strict=True)):
        for field in PHASE_SET_FIELDS:
            before, after = _phase_value(old, field), _phase_value(new, field)
            if before != after:
                lines.append(f"{new.name} (timeline[{i}]): {field.replace('_', ' ')} "
                             f"{before} → {after}")
    return lines


def _phase_value(phase: Phase, field: str) -> str:
    value = getattr(phase, field)
    if field == "facility_power_mw":
        return format_value(float(value), "MW")
    if field == "delay_months":
        if phase.delay_low is None or phase.delay_high is None:
            return str(phase.delay_months)
        return f"{phase.delay_months} ({phase.delay_low}–{phase.delay_high})"
    return "the scenario's chip" if value is None else str(value)


def build() -> Context:
    """Draw the results header; return the context the sidebar and the views render from.

    The header (the answer and the cards) is sent first, so the browser shows it
    before it has loaded the code of the sidebar's widgets and the view's charts.
    """
    _init()
    state = _state()
    settings = state.setdefault("settings", default_settings())
    for name, setting in SETTINGS.items():
        settings.setdefault(name, setting.default)
    ctx = _context()
    for notice in state.get("notices", []):
        st.warning(plain(notice), icon=":material/warning:")
    state["notices"] = []
    mirror_link(ctx)
    title, description = _heading(ctx)
    results_view.render(ctx, title, description, changed_list(ctx))
    return ctx


def sidebar(ctx: Context) -> None:
    """Draw the sidebar: the scenario, every input, the scenario file."""
    _sidebar(ctx)
