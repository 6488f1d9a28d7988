"""A dashboard session's state: one typed object, and every read and write of Streamlit's
session state.

What a user changed lives in one :class:`Session` (the preset, the changed inputs, the
edited phases, the views' settings, the uploaded file and the page's messages), kept
under one entry of ``st.session_state``; the widgets' own values are read and put
here too (:func:`widget`, :func:`show`), so no other module looks state up by a
string. Views read the state (through their :class:`~calc.dashboard.context.Context`)
and return; they change it only through the widgets they draw and the callbacks of
this module attached to them (:func:`bound`, :func:`on_apply`, :func:`on_ask`, ...),
which Streamlit runs before the next run of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from calc.core.errors import CapcalcError, clean_text
from calc.core.months import month_label
from calc.core.phases import Phase
from calc.core.vocabulary import INPUTS, SIZING_KEYS
from calc.dashboard.commands import settings_in_file, state_in_file
from calc.dashboard.compute.scenario import (
    add_upload,
    check_upload,
    default_preset,
    results,
    shipped_library,
)
from calc.dashboard.context import Question
from calc.dashboard.keys import NO_UPLOAD, Pin, StateKey, Upload
from calc.dashboard.link import MAX_PINS, LinkState, safe_file_name, validate_set, value_text
from calc.dashboard.markup import shown_error, valid_range
from calc.dashboard.settings import Settings
from calc.data.phases import parse_phase_key, with_phase_value
from calc.data.scenarios import Library

__all__ = [
    "PRESET_WIDGET",
    "SIZING_LABELS",
    "SIZING_WIDGET",
    "STATE_KEY",
    "UPLOAD_WIDGET",
    "VIEW_WIDGET",
    "Session",
    "bound",
    "current",
    "on_apply",
    "on_ask",
    "on_input",
    "on_phases",
    "on_pin",
    "on_preset",
    "on_reset",
    "on_sizing",
    "on_unpin",
    "on_upload",
    "opening",
    "show",
    "start",
    "take_messages",
    "upload_scenarios",
    "widget",
]

#: The entry of ``st.session_state`` that holds the session's :class:`Session`.
STATE_KEY = "capcalc"
#: Widget keys of the page's own controls (an input's is ``w:<dotted key>``).
PRESET_WIDGET = "w:__preset"
UPLOAD_WIDGET = "w:__upload"
SIZING_WIDGET = "w:__sizing"
VIEW_WIDGET = "w:__view"
#: How the sizing switch names each way of sizing a site.
SIZING_LABELS = {"site.facility_power_mw": "facility power",
                 "site.accelerators": "accelerator count"}

@dataclass
class Session:
    """Everything a user changed in one session, and the page's messages to them.

    Attributes
    ----------
    preset : str
        The scenario picked (a name of the shipped library with the upload).
    sets : dict of str to str
        The inputs changed from the preset, values as the text ``--set`` takes.
    settings : Settings
        The views' settings (view, horizon, samples, seed, ...).
    phases : tuple of Phase or None
        The build-out phases as edited; None when not edited.
    upload : tuple of (str, str)
        The uploaded scenario file as ``(file name, YAML text)``; ``("", "")`` when none.
    upload_error : str
        Why the last uploaded file was refused ("" when it was not).
    notices : list of str
        Lines the next run shows once at the top (a link's parameters left out, ...).
    input_errors : dict of str to str
        Why a typed value was refused, by input key (shown under its widget).
    pending : list of str
        Inputs changed since the last run, checked by :meth:`settle`.
    before : dict of str to str or None
        The changed inputs before the pending changes (restored if they cannot run).
    question : Question or None
        The target box's question (None: the default question).
    question_error : str
        Why the question last asked cannot be asked (shown once).
    editor : int
        The phase table's version: a new one restarts the editor from :attr:`phases`.
    pins : tuple of (str, tuple)
        The variants pinned beside the current scenario in Compare, each ``(preset,
        sets)``, at most :data:`~calc.dashboard.link.MAX_PINS`.
    """

    preset: str
    sets: dict[str, str] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    phases: tuple[Phase, ...] | None = None
    upload: Upload = NO_UPLOAD
    upload_error: str = ""
    notices: list[str] = field(default_factory=list)
    input_errors: dict[str, str] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    before: dict[str, str] | None = None
    question: Question | None = None
    question_error: str = ""
    editor: int = 0
    pins: tuple[Pin, ...] = ()

    @property
    def key(self) -> StateKey:
        """The hashable identity of the scenario shown: every cache's key."""
        return StateKey(self.upload, self.preset, tuple(sorted(self.sets.items())))

    @classmethod
    def from_link(cls, link: LinkState) -> Session:
        """The session a link opens."""
        return cls(preset=link.preset, sets=dict(link.sets), settings=link.settings,
                   phases=link.phases, upload=link.upload, pins=link.pins,
                   notices=list(link.warnings))

    def forget_changes(self) -> None:
        """Drop the pending changes, the refusals and the phase edits."""
        self.pending, self.before, self.input_errors, self.phases = [], None, {}, None

    def settle(self) -> None:
        """Tidy the inputs changed since the last run: drop those equal to what they would
        be anyway (so the link stays short), and undo a change the scenario cannot run with,
        saying at the widget why and what the valid range is."""
        if not self.pending:
            return
        sets = dict(self.sets)
        errors = dict(self.input_errors)
        for key in dict.fromkeys(self.pending):
            errors.pop(key, None)
            if key not in sets:
                continue
            others = {k: v for k, v in sets.items() if k != key}
            without = _results_or_none(self.key.changed(tuple(others.items())))
            if without is not None and value_text(without[0].scenario[key]) == sets[key]:
                sets = others
        try:
            results(self.key.changed(tuple(sets.items())))
        except Exception as exc:
            before = self.before or {}
            for key in dict.fromkeys(self.pending):
                if sets.get(key) != before.get(key):
                    errors[key] = _refused(key, sets.get(key, ""), exc)
            sets = before
        self.sets, self.input_errors, self.pending, self.before = sets, errors, [], None

    def fall_back(self, reason: str) -> None:
        """The state cannot be computed: say why, and show the opening scenario."""
        self.notices = [*self.notices, f"{reason}; showing {default_preset()}"]
        self.preset, self.sets, self.phases = default_preset(), {}, None


# ------------------------------------------------------------------ the session


def opening() -> bool:
    """Whether this run is a session's first (the page is being opened)."""
    return STATE_KEY not in st.session_state


def start(read_link: Callable[[], LinkState]) -> Session:
    """The session, made from the link (``read_link``) on its first run."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = Session.from_link(read_link())
    return current()


def current() -> Session:
    """This session's state."""
    session: Session = st.session_state[STATE_KEY]
    return session


def widget(wkey: str) -> Any:
    """The value widget ``wkey`` holds (None before it is drawn)."""
    return st.session_state.get(wkey)


def show(wkey: str, value: Any) -> None:
    """Put ``value`` in widget ``wkey`` before it is drawn (only when it differs)."""
    if st.session_state.get(wkey) != value:
        st.session_state[wkey] = value


# ------------------------------------------------------------------ inputs


def _results_or_none(key: StateKey) -> Any:
    try:
        return results(key)
    except CapcalcError:
        return None


def _refused(key: str, text: str, exc: Exception) -> str:
    """Why a typed value was refused, with the valid range, for the line under its box."""
    spec = INPUTS[key]
    reason = exc.message if isinstance(exc, CapcalcError) else \
        f"cannot be computed ({type(exc).__name__})"
    valid = f" Valid: {valid_range(spec)}." if spec.kind != "choice" and \
        "valid range" not in reason else ""
    return f"{clean_text(text, limit=40)} was not used: {reason}.{valid} Kept the previous value."


def on_input(key: str, wkey: str) -> None:
    """A widget moved: record its value as text (checked and tidied by the run that follows).

    Callbacks cannot be interrupted by a newer rerun, so they only write down the
    change; :meth:`Session.settle` validates it inside the (interruptible) script run.
    """
    s = current()
    raw = widget(wkey)
    if raw is None:  # a box emptied by the user: keep the value it had
        return
    text = value_text(float(raw) if isinstance(raw, int) else raw)
    if s.before is None:
        s.before = dict(s.sets)
    s.pending = [*s.pending, key]
    s.sets = {**s.sets, key: text}


def on_sizing() -> None:
    """Switch between sizing the site by facility power and by accelerator count.

    The site keeps its size: the new sizing input takes the value the other one implied.
    """
    s = current()
    now = results(s.key)[0]
    wanted = widget(SIZING_WIDGET)
    value = (float(round(now.outputs["accelerators"])) if wanted == "site.accelerators"
             else now.outputs["facility_power_mw"])
    text = value_text(value)
    sets = {k: v for k, v in s.sets.items() if k not in SIZING_KEYS}
    base = _results_or_none(s.key.changed(tuple(sets.items())))
    if base is None or value_text(base[0].scenario[wanted]) != text:
        sets[wanted] = text
    if _results_or_none(s.key.changed(tuple(sets.items()))) is None:
        s.notices = [f"cannot size {s.preset} by {SIZING_LABELS[wanted]}"]
        return
    s.sets = sets


def on_preset() -> None:
    """Another scenario picked: it opens with nothing changed."""
    s = current()
    s.forget_changes()
    s.preset, s.sets = str(widget(PRESET_WIDGET)), {}


def on_reset() -> None:
    """Back to the opening scenario, nothing changed, the view kept."""
    s = current()
    s.forget_changes()
    s.preset, s.sets, s.upload, s.upload_error = default_preset(), {}, NO_UPLOAD, ""
    s.settings = Settings(view=s.settings.view)


def upload_scenarios(name: str, data: bytes) -> str:
    """Check an uploaded scenario file; return "" when it is good, else one readable line."""
    try:
        check_upload(name, data)
    except CapcalcError as exc:
        return shown_error(exc)
    return ""


def on_upload() -> None:
    """Validate an uploaded scenario file; on success switch to its first scenario."""
    s = current()
    file = widget(UPLOAD_WIDGET)
    if file is None:
        return
    name = safe_file_name(file.name)  # as a link carries it, so a link reopens the same
    message = upload_scenarios(name, file.getvalue())
    s.upload_error = message
    if not message:
        text = file.getvalue().decode("utf-8")
        # a file the page wrote gives the samples, seed, horizon and slip it was made with
        s.settings = settings_in_file(text, s.settings)
        s.forget_changes()
        restored = state_in_file(text, shipped_library())
        if restored is not None:  # and reopens the page it was written from
            s.upload, s.preset, s.sets = NO_UPLOAD, restored.preset, restored.sets
            s.phases, s.editor = restored.phases, s.editor + 1
            return
        s.upload = (name, text)
        s.preset = add_upload(name, file.getvalue())[1][0]
        s.sets = {}


# ------------------------------------------------------------------ the views' changes


def bound(name: str, wkey: str, value: Any = None) -> dict[str, Any]:
    """Keyword arguments that bind a view's widget ``wkey`` to setting ``name``.

    The setting's value (or ``value``, when the view resolves a default such as
    the output examined) is put in the widget before it is drawn; the widget's
    change is written back, so the setting outlives the view and travels in the link.
    """
    show(wkey, getattr(current().settings, name) if value is None else value)
    return {"key": wkey, "on_change": _on_setting, "args": (name, wkey)}


def _on_setting(name: str, wkey: str) -> None:
    value = widget(wkey)
    if value is None:
        return
    s = current()
    s.settings = s.settings.with_value(name, value)


def sweep_axis(name: str, wkey: str) -> dict[str, Any]:
    """Keyword arguments of the Sweep view's input select of axis ``name`` (``x``, ``y``):
    bound to setting ``sweep_<name>``; a new input drops the range asked for the last one."""
    return {**bound(f"sweep_{name}", wkey), "on_change": _on_sweep_axis}


def _on_sweep_axis(name: str, wkey: str) -> None:
    _on_setting(name, wkey)
    s = current()
    s.settings = s.settings.with_value(f"{name}_low", 0.0).with_value(f"{name}_high", 0.0)


def on_pin() -> None:
    """Pin the scenario shown (its preset and changed inputs) beside the others in Compare;
    the oldest pin gives way beyond :data:`~calc.dashboard.link.MAX_PINS`."""
    s = current()
    pin = (s.preset, s.key.sets)
    if pin not in s.pins:
        s.pins = (*s.pins, pin)[-MAX_PINS:]


def on_unpin(pin: Pin) -> None:
    """Take ``pin`` out of Compare."""
    s = current()
    s.pins = tuple(p for p in s.pins if p != pin)


def on_phases(phases: tuple[Phase, ...] | None) -> None:
    """Make ``phases`` the build-out (None: the scenario's own) and restart the phase table
    from them."""
    s = current()
    s.phases = phases
    s.editor += 1


def on_apply(answer: Mapping[str, Any], phases: tuple[Phase, ...], library: Library) -> None:
    """Put a solved value (the target box's ``answer``) into the state: an input as the text
    a ``--set`` or a link carries (checked as a link's would be), or a phase's field into
    ``phases``, the build-out shown."""
    key, value = answer["key"], answer["value"]
    parsed = parse_phase_key(key, phases)
    if parsed is not None:
        index, name = parsed
        new = value if name == "facility_power_mw" else (
            month_label(int(value)) if name == "start" else int(value))
        on_phases(with_phase_value(phases, index, name, new, file="solve"))
        return
    s = current()
    text = validate_set(library, s.preset, s.sets, key, value_text(value), origin="solve")
    s.sets = {**s.sets, key: text}


def on_ask(read: Callable[[Callable[[str], Any]], tuple[Question | None, str]]) -> None:
    """The target box's form was sent: ``read`` turns its widgets' values (by widget key)
    into the question, or says why it cannot be asked."""
    s = current()
    question, error = read(widget)
    if question is not None:
        s.question = question
    s.question_error = error


def take_messages() -> tuple[list[str], str]:
    """The notices and the target box's refusal, shown once: taken out of the session."""
    s = current()
    notices, error = s.notices, s.question_error
    s.notices, s.question_error = [], ""
    return notices, error

