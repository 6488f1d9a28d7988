"""The page around the tabs: session state, the sidebar, the link, and the results header.

State lives in ``st.session_state`` as a preset name and a dict of changed
inputs (key → text). Widget callbacks edit that state; each run computes the
result from it (cached), writes the scenario's values into the widgets, draws
them, and mirrors the state into the URL's query parameters.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from calc.core.errors import CapcalcError
from calc.core.vocabulary import GROUPS, INPUTS
from calc.data.scenario_file import scenario_yaml

from dashboard import compute, results_view, widgets
from dashboard.compute import NO_UPLOAD, Upload
from dashboard.context import Context, Sets
from dashboard.state import as_library_sets, link_params, parse_link, value_text

__all__ = ["build"]

_PRESET_WIDGET = "w:__preset"
_UPLOAD_WIDGET = "w:__upload"
#: Characters Streamlit's Markdown reads as markup (emphasis, links, images, code, math,
#: colour directives, HTML, tables); a backslash makes each one plain text.
_MARKUP = re.compile(r"([!\"#$%&*+:<>@\[\\\]^_`{|}~])")


def plain(text: str) -> str:
    r"""``text`` escaped for Streamlit's Markdown, so it shows exactly as written.

    Error lines quote what a file or a link holds; unescaped, ``**``, ``[a](url)`` or
    ``![img](url)`` in them would be drawn as markup, links or images fetched from afar.

    >>> print(plain("link: site.pue: '![x](http://a/p.png)' is not a number (m**2)"))
    link\: site.pue\: '\!\[x\](http\://a/p.png)' is not a number (m\*\*2)
    """
    return _MARKUP.sub(r"\\\1", text)


# ------------------------------------------------------------------ state


def _state() -> Any:
    return st.session_state


def default_preset() -> str:
    """The scenario the dashboard opens on: the baseline (the article's phase 1)."""
    return compute.shipped_library().baseline_name()


def _sets() -> Sets:
    return tuple(sorted(_state()["sets"].items()))


def _upload() -> Upload:
    upload: Upload = _state().get("upload", NO_UPLOAD)
    return upload


def _init() -> None:
    """First run of a session: read the state from the link."""
    state = _state()
    if "preset" in state:
        return
    library = compute.shipped_library()
    params = {key: st.query_params[key] for key in st.query_params}
    preset, sets, warnings = parse_link(library, params, default_preset())
    state["preset"], state["sets"] = preset, sets
    state["notices"] = warnings
    state["upload"] = NO_UPLOAD
    state["upload_error"] = ""


def _results_or_none(upload: Upload, preset: str, sets: Sets) -> Any:
    try:
        return compute.results(upload, preset, sets)
    except CapcalcError:
        return None


def _on_input(key: str) -> None:
    """A widget moved: record its value as text (checked and tidied by the run that follows).

    Callbacks cannot be interrupted by a newer rerun, so they only write down the
    change; :func:`_settle` validates it inside the (interruptible) script run.
    """
    state = _state()
    raw = state[widgets.widget_key(key)]
    text = value_text(float(raw) if isinstance(raw, int) else raw)
    if "before" not in state:
        state["before"] = dict(state["sets"])
    state["changed"] = [*state.get("changed", []), key]
    state["sets"] = {**state["sets"], key: text}


def _settle(upload: Upload, preset: str) -> None:
    """Tidy the inputs changed since the last run: drop those equal to what they would be
    anyway (so the link stays short), and undo the change if the scenario cannot run."""
    state = _state()
    changed = state.get("changed", [])
    if not changed:
        return
    sets = dict(state["sets"])
    for key in dict.fromkeys(changed):
        if key not in sets:
            continue
        others = {k: v for k, v in sets.items() if k != key}
        without = _results_or_none(upload, preset, tuple(sorted(others.items())))
        if without is not None and value_text(without[0].scenario[key]) == sets[key]:
            sets = others
    try:
        compute.results(upload, preset, tuple(sorted(sets.items())))
    except CapcalcError as exc:
        state["notices"] = [*state.get("notices", []), f"{exc}; kept the previous value"]
        sets = state.get("before", {})
    state["sets"] = sets
    del state["changed"]
    state.pop("before", None)


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
    for name in ("changed", "before"):
        _state().pop(name, None)


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


def _on_upload() -> None:
    """Validate an uploaded scenario file; on success switch to its first scenario."""
    state = _state()
    file = state.get(_UPLOAD_WIDGET)
    if file is None:
        return
    message = upload_scenarios(file.name, file.getvalue())
    state["upload_error"] = message
    if not message:
        state["upload"] = (file.name, file.getvalue().decode("utf-8"))
        state["preset"] = compute.add_upload(*state["upload"])[1][0]
        state["sets"] = {}
        _forget_changes()


def upload_scenarios(name: str, data: bytes) -> str:
    """Check an uploaded scenario file; return "" when it is good, else one readable line."""
    try:
        _library, names = compute.add_upload(name, data)
        for scenario in names:
            compute.results((name, data.decode("utf-8")), scenario, ())
    except CapcalcError as exc:
        return str(exc)
    return ""


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
              help=f"Back to the baseline, {default_preset()}, with nothing changed.")
    widgets.sync(scenario.values)
    sized_by = "site.facility_power_mw" if scenario["site.accelerators"] is None \
        else "site.accelerators"
    if state.get(widgets.SIZING_WIDGET) != sized_by:
        state[widgets.SIZING_WIDGET] = sized_by
    catalog = library.baseline.catalog
    options = {
        "hardware.accelerator": list(catalog),
        "training.precision": list(INPUTS["training.precision"].choices),
        "target.baseline": library.names,
    }
    formats = {
        "hardware.accelerator": lambda k: k if catalog[k].status == "shipping"
        else f"{k} ({catalog[k].status})",
    }
    for group in GROUPS:
        with sb.expander(widgets.GROUP_TITLES[group], expanded=group in ("site", "hardware")):
            if group == "site":
                st.radio("Size the site by", widgets.SIZING_KEYS, key=widgets.SIZING_WIDGET,
                         format_func=widgets.SIZING_LABELS.__getitem__, horizontal=True,
                         on_change=_on_sizing,
                         help="Give the facility power (accelerators follow) or the "
                              "accelerator count (power follows).")
            for key in widgets.group_keys(group, sized_by):
                widgets.input_widget(INPUTS[key], scenario.assumptions[key],
                                     options.get(key, ()), _on_input,
                                     formats.get(key, str))
    with sb.expander("Scenario file", expanded=False):
        st.file_uploader("Upload a scenario YAML", type=["yaml", "yml"], key=_UPLOAD_WIDGET,
                         on_change=_on_upload,
                         help="One scenario (dotted keys, optional `base:`) or several under "
                              "`scenarios:`, as `capcalc run FILE.yaml` reads them.")
        if state.get("upload_error"):
            st.error(plain(state["upload_error"]))
        file_name = f"{ctx.preset}-custom.yaml"
        st.download_button(
            "Download this scenario (YAML)",
            data=lambda: scenario_yaml(library, ctx.preset, as_library_sets(ctx.sets),
                                       file_name=file_name),
            file_name=file_name, mime="application/x-yaml", key="w:__scenario_yaml",
            on_click="ignore", icon=":material/download:",
            help="A scenario file that reproduces these numbers with `capcalc run FILE.yaml`.")
    sb.caption("The address bar holds every changed input: share the link to reopen this view.")


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
    except CapcalcError as exc:
        state["notices"] = [*state.get("notices", []), f"{exc}; showing {default_preset()}"]
        state["preset"], state["sets"] = default_preset(), {}
        result, baseline = compute.results(upload, state["preset"], ())
    return Context(library=library, scenario=result.scenario, result=result, baseline=baseline,
                   sets=_sets(), preset=state["preset"], upload=upload)


def _mirror_link(ctx: Context) -> None:
    wanted = link_params(ctx.preset, ctx.sets, default_preset())
    current = {key: st.query_params[key] for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def build() -> Context:
    """Draw the sidebar and the results header; return the context the tabs render from."""
    _init()
    ctx = _context()
    state = _state()
    for notice in state.get("notices", []):
        st.warning(plain(notice), icon=":material/warning:")
    state["notices"] = []
    _sidebar(ctx)
    _mirror_link(ctx)
    results_view.render(ctx)
    return ctx
