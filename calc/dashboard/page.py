"""The page around the views: the sidebar, the link, and the results header.

The session's state (:mod:`calc.dashboard.session`) is read from the link on a
session's first run; widget callbacks edit it; each run computes the result from
it (cached), writes the values into the widgets, draws them, and mirrors the whole
state into the URL's query parameters (:func:`calc.dashboard.link.link_params`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

import streamlit as st

from calc.core.errors import CapcalcError, clean_text
from calc.core.phases import PHASE_SET_FIELDS, Phase
from calc.core.vocabulary import GROUPS, INPUTS, MEASURE_TITLES, SIZING_KEYS
from calc.dashboard import commands, results_view, session, widgets
from calc.dashboard.compute.cache import Drawn
from calc.dashboard.compute.scenario import (
    MAX_UPLOAD_SCENARIOS,
    check_upload,
    default_phases,
    default_preset,
    library_for,
    results,
    shipped_library,
    slip,
)
from calc.dashboard.context import Context
from calc.dashboard.downloads import show_chart
from calc.dashboard.link import (
    MAX_LINK_CHARS,
    PHASES_PARAM,
    LinkState,
    link_params,
    parse_link,
    phase_params,
    upload_fits,
)
from calc.dashboard.markup import plain, shown_error
from calc.data.scenarios import MAX_BASE_DEPTH, Library
from calc.presentation.answer import changes
from calc.presentation.formatting import format_value

__all__ = ["FIRST_CHART_HEIGHT", "QUICK", "QUICK_PREFIX", "STYLE", "build", "card_style",
           "card_table", "changed_list", "compact", "finding", "in_sight", "mirror_link",
           "phase_changes", "read_link", "show_first", "sidebar", "slip_line", "slip_words"]

logger = logging.getLogger(__name__)


def read_link() -> LinkState:
    """The state the URL's query parameters ask for (each bad part a notice, never an
    exception)."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    try:
        link, _library = parse_link(shipped_library(), params, default_preset(),
                                    check_upload=check_upload, default_phases=default_phases)
    except Exception as exc:  # a link must never crash the page: open on the defaults
        logger.warning("link cannot be read: %s", exc)
        link = LinkState(preset=default_preset(), warnings=[
            f"link: cannot be read ({type(exc).__name__}); showing {default_preset()}"])
    return link


# ------------------------------------------------------------------ the page's look

#: The page's own rules: less room above the title, a compact answer and headline cards,
#: so that at 1280×800 the answer, the cards and the view's first chart are in sight.
STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 0.9rem; padding-bottom: 3rem; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.55rem; }
.st-key-title button { min-height: 0; padding-top: 0.15rem; padding-bottom: 0.15rem; }
.st-key-answer [data-testid="stAlertContainer"] { padding: 0.45rem 0.8rem; }
.st-key-answer [data-testid="stAlertContainer"] p { font-size: 0.9rem; line-height: 1.45; }
[data-testid="stMain"] [data-testid="stMetric"] { padding: 0; }
[data-testid="stMain"] [data-testid="stMetric"] > div { padding: 0.4rem 0.7rem; }
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 1.55rem; }
.st-key-finding p { font-weight: 600; font-size: 0.9rem; margin-bottom: 0.4rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] table { display: block;
  overflow-x: auto; max-width: 100%; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] td { overflow-wrap: anywhere; }
@media (min-width: 640px) { .st-key-quick { display: none; } }
@media (min-width: 900px) { .st-key-cards { flex-wrap: nowrap; } }
</style>"""


def compact() -> None:
    """Send the page's own rules (:data:`STYLE`; no room taken on the page)."""
    st.html(STYLE)


#: The plot height (px) of a view's first chart on screen: under the answer and the
#: headline cards, the whole chart (title, plot, legend) fits a 1280×800 screen.
FIRST_CHART_HEIGHT = 140


def in_sight(drawn: Drawn, height: int = FIRST_CHART_HEIGHT) -> Drawn:
    """``drawn`` with its first panel no taller than ``height`` on screen and its provenance
    line taken out of the chart (:func:`show_first` writes it under the chart, where it
    wraps to any width); its files keep both."""
    first, *others = drawn.specs
    title = {**first["title"], "subtitle": ""} if isinstance(first.get("title"), dict) \
        else first.get("title", "")
    spec = {**first, "height": min(int(first.get("height", height)), height), "title": title}
    return replace(drawn, specs=(spec, *others))


def show_first(drawn: Drawn, *, key: str) -> None:
    """A view's first chart (:func:`in_sight`), then its provenance line."""
    show_chart(in_sight(drawn), key=key)
    if drawn.chart.caption:
        st.caption(plain(drawn.chart.caption))


def card_style(key: str, columns: Sequence[str]) -> str:
    """The rules that turn the Markdown table inside container ``key`` into one card per row
    on a phone (under 640 px), each cell under its column's name (``columns``, in order).

    >>> print(card_style("t", ["a", 'b "c"']).splitlines()[-3])
    .st-key-t td:nth-child(2)::before { content: "b \\22 c\\22 "; }
    """
    scope = f".st-key-{key}"
    labels = "\n".join(f"{scope} td:nth-child({i})::before {{ content: {_css_text(name)}; }}"
                       for i, name in enumerate(columns, start=1) if name)
    return f"""<style>
@media (max-width: 640px) {{
{scope} table, {scope} tbody, {scope} tr, {scope} td {{ display: block; width: 100%; }}
{scope} thead {{ display: none; }}
{scope} tr {{ border: 1px solid #ddd; border-radius: 0.5rem; margin-bottom: 0.6rem;
  padding: 0.3rem 0.6rem; }}
{scope} td {{ border: none; padding: 0.1rem 0; text-align: left !important; }}
{scope} td::before {{ display: block; font-size: 0.75rem; color: #666; }}
{labels}
}}
</style>"""


def _css_text(text: str) -> str:
    """``text`` as a CSS string: letters, digits and spaces as they are, every other
    character as its escape, so a name (an uploaded scenario's) cannot end the rule or the
    style element it sits in.

    >>> print(_css_text("a</style>"))
    "a\\3c \\2f style\\3e "
    """
    return '"' + "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} "
                         for c in text) + '"'


def card_table(markdown: str, columns: Sequence[str], *, key: str) -> None:
    """A Markdown table (``columns``: its header's names) that a phone shows as one card per
    row (:func:`card_style`); a wider screen as the table."""
    with st.container(key=key):
        st.markdown(markdown)
    st.html(card_style(key, columns))


def finding(text: str) -> None:
    """A view's finding in one sentence (:mod:`calc.presentation.findings`), first in the
    view."""
    with st.container(key="finding"):
        st.markdown(plain(text))


# ------------------------------------------------------------------ sidebar


def _choices(library: Library) -> tuple[dict[str, list[str]], dict[str, Callable[[str], str]]]:
    """The options of the inputs that are choices, and how each option reads."""
    catalog = library.baseline.catalog
    options = {
        "hardware.accelerator": list(catalog),
        "training.precision": list(INPUTS["training.precision"].choices),
        "training.availability_model": list(INPUTS["training.availability_model"].choices),
        "target.baseline": library.names,
        "target.measure": list(INPUTS["target.measure"].choices),
    }
    formats: dict[str, Callable[[str], str]] = {
        "hardware.accelerator": lambda k: k if catalog[k].status == "shipping"
        else f"{k} ({catalog[k].status})",
        "target.measure": lambda k: str(MEASURE_TITLES.get(k, k)),
    }
    return options, formats


#: The quick controls' widget keys start so (the sidebar's controls of the same inputs keep
#: theirs); on a phone they sit above the answer, on a wider screen they are hidden.
QUICK_PREFIX = "q:"
#: The quick controls' inputs and titles: the site's size and its chip.
QUICK = {"site.facility_power_mw": "Facility power", "site.accelerators": "Accelerators",
         "hardware.accelerator": "Chip"}


def quick(ctx: Context) -> None:
    """The main controls (the site's size and its chip) above the answer, shown on a phone
    only (the sidebar starts closed there)."""
    scenario = ctx.scenario
    sized_by = "site.facility_power_mw" if scenario["site.accelerators"] is None \
        else "site.accelerators"
    widgets.sync({key: scenario.values[key] for key in (sized_by, "hardware.accelerator")},
                 QUICK_PREFIX)
    options, formats = _choices(ctx.library)
    errors = session.current().input_errors
    with st.container(key="quick", horizontal=True, wrap=True, gap="small"):
        for key in (sized_by, "hardware.accelerator"):
            with st.container(width=170):
                widgets.input_widget(INPUTS[key], scenario.assumptions[key],
                                     options.get(key, ()), session.on_input,
                                     formats.get(key, str), error=errors.get(key),
                                     prefix=QUICK_PREFIX, title=QUICK[key])


def _sidebar(ctx: Context) -> None:
    library, scenario = ctx.library, ctx.result.scenario
    s = session.current()
    sb = st.sidebar
    sb.title("capcalc")
    sb.caption("Compute capacity of AI training datacenters")
    session.show(session.PRESET_WIDGET, ctx.preset)
    titles = {name: library.definitions[name].title or name for name in library.names}
    sb.selectbox("Scenario", library.names, key=session.PRESET_WIDGET, on_change=session.on_preset,
                 help="Start from a preset of scenarios.yaml (or an uploaded file).")
    if titles[ctx.preset] != ctx.preset:  # the name fits the box; its title goes under it
        sb.caption(plain(titles[ctx.preset]))
    sb.button("Reset to defaults", on_click=session.on_reset, key="w:__reset",
              icon=":material/restart_alt:",
              help=f"Back to the opening view, {default_preset()}, with nothing changed.")
    widgets.sync(scenario.values)
    sized_by = "site.facility_power_mw" if scenario["site.accelerators"] is None \
        else "site.accelerators"
    session.show(session.SIZING_WIDGET, sized_by)
    options, formats = _choices(library)
    errors = s.input_errors
    for group in GROUPS:
        opened = group in ("site", "hardware") or any(
            INPUTS[key].group == group for key in errors)
        with sb.expander(widgets.GROUP_TITLES[group], expanded=opened):
            if group == "site":
                st.radio("Size the site by", SIZING_KEYS, key=session.SIZING_WIDGET,
                         format_func=session.SIZING_LABELS.__getitem__, horizontal=True,
                         on_change=session.on_sizing,
                         help="Give the facility power (accelerators follow) or the "
                              "accelerator count (power follows).")
            for key in widgets.group_keys(group, sized_by):
                widgets.input_widget(INPUTS[key], scenario.assumptions[key],
                                     options.get(key, ()), session.on_input,
                                     formats.get(key, str), error=errors.get(key))
    with sb.expander("Scenario file", expanded=bool(s.upload_error)):
        st.file_uploader("Upload a scenario YAML", type=["yaml", "yml"],
                         key=session.UPLOAD_WIDGET, on_change=session.on_upload,
                         help="One scenario (dotted keys, optional `base:`) or several under "
                              "`scenarios:`, as `capcalc run FILE.yaml` reads them. The page "
                              f"reads at most {MAX_UPLOAD_SCENARIOS} scenarios from "
                              f"a file, and chains of `base:` at most {MAX_BASE_DEPTH} deep.")
        if s.upload_error:
            st.error(plain(s.upload_error))
        st.download_button(
            "Download this scenario (YAML)",
            # the state's settings as they are when clicked (a view's fragment changes the
            # samples and seed without running the sidebar again)
            data=lambda: commands.scenario_file(replace(ctx, settings=s.settings)),
            file_name=commands.file_name(ctx), mime="application/x-yaml", key="w:__scenario_yaml",
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


# ------------------------------------------------------------------ build


def _context(s: session.Session) -> Context:
    """The context of the views: the session's scenario computed (or, when it cannot be,
    the opening scenario with a notice saying why)."""
    library = library_for(s.upload)
    if s.preset not in library.definitions:
        s.preset, s.sets = default_preset(), {}
    s.settle()
    try:
        result, baseline = results(s.key)
    except Exception as exc:
        logger.warning("state cannot be computed: %s", exc)
        s.fall_back(shown_error(exc) if isinstance(exc, CapcalcError) else
                    f"{type(exc).__name__}: {clean_text(str(exc), limit=120)}")
        result, baseline = results(s.key)
    return Context(key=s.key, library=library, scenario=result.scenario, result=result,
                   baseline=baseline, phases=s.phases, settings=s.settings,
                   question=s.question, editor=s.editor, pins=s.pins)


def _phase_link(ctx: Context) -> dict[str, str]:
    if ctx.phases is None:
        return {}
    return phase_params(_default_phases(ctx), ctx.phases)


def mirror_link(ctx: Context) -> None:
    """Write the state into the address bar (only when it changed)."""
    wanted = link_params(ctx.preset, ctx.sets, default_preset(), settings=ctx.settings,
                         phases=_phase_link(ctx), upload=ctx.upload, pins=ctx.pins)
    current = {key: st.query_params[key] for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def changed_list(ctx: Context) -> list[str]:
    """Every input the user moved, the phase edits and the slip (when switched off), as
    "Title: old → new"."""
    slip_off = not ctx.settings.slip
    if not ctx.sets and ctx.phases is None and not slip_off:
        return []
    before = results(ctx.key.changed(()))[0].scenario
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
    distribution = slip()
    delays = distribution.delays()
    months = "month" if delays.value == 1 else "months"
    return (f"{distribution.described}, median {delays.value} {months}, "
            f"90 % within {delays.low}–{delays.high} months")


def _default_phases(ctx: Context) -> tuple[Phase, ...]:
    try:
        return default_phases(ctx.library, ctx.preset, dict(ctx.sets)) or ()
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
    ctx = _context(session.start(read_link))
    notices, question_error = session.take_messages()
    ctx = replace(ctx, question_error=question_error)
    for notice in notices:
        st.warning(plain(notice), icon=":material/warning:")
    mirror_link(ctx)
    quick(ctx)
    title, description = commands.heading_of(ctx)
    results_view.render(ctx, title, description, changed_list(ctx))
    return ctx


def sidebar(ctx: Context) -> None:
    """Draw the sidebar: the scenario, every input, the scenario file."""
    _sidebar(ctx)
