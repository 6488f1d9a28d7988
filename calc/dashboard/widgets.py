"""The sidebar's input widgets, generated from the vocabulary (:data:`calc.core.vocabulary.INPUTS`).

Each input key gets one control, chosen from its practical range
(``InputSpec.widget``, widened to include the current value):

* a slider, stepping in the key's decimals (``InputSpec.decimals``);
* for a range spanning two decades or more (facility power, accelerator count, the
  target multiple), a slider over log-spaced values — so 100 MW sits mid-track, not at
  the far left — with a box beside it for an exact value;
* for log-scale keys such as FLOP/s, a box in scientific notation;
* a select box for names.

Boxes take any number: a value outside the valid range is refused by the run
that follows, and the box says why and what the valid range is. Labels, units,
bounds and the help text (description, source, as-of date) all come from the
vocabulary and the current scenario's assumptions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from calc.core.vocabulary import CATALOG_FIELDS, GROUPS, INPUTS, SIZING_KEYS, InputSpec
from calc.dashboard import session
from calc.dashboard.link import SET_ORIGIN
from calc.dashboard.markup import plain, valid_range
from calc.data.assumptions import Assumption
from calc.data.units import format_unit
from calc.presentation.formatting import format_value

__all__ = [
    "GROUPS",
    "GROUP_TITLES",
    "NumberWidget",
    "exact_key",
    "group_keys",
    "help_text",
    "input_widget",
    "label",
    "number_widget",
    "option_text",
    "sync",
    "widget_key",
    "widget_value",
]

GROUP_TITLES = {"site": "Site", "hardware": "Hardware", "training": "Training",
                "cost": "Cost", "target": "Target"}
#: A practical range this many times wide or more gets a log-spaced slider.
LOG_SPAN = 100.0
#: The steps of a log-spaced slider within each decade.
_LOG_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)


def widget_key(key: str) -> str:
    """The Streamlit widget key of input ``key``."""
    return f"w:{key}"


def exact_key(key: str) -> str:
    """The widget key of the exact-value box beside a log-spaced slider."""
    return f"w:{key}:exact"


@dataclass(frozen=True)
class NumberWidget:
    """How a numeric input is shown: its kind, range, step, format and log-spaced options.

    ``kind`` is ``slider``, ``log`` (a slider over ``options``, with an exact box) or
    ``number`` (a box in scientific notation).
    """

    kind: str
    lower: float
    upper: float
    step: float
    fmt: str
    integer: bool = False
    options: tuple[float, ...] = ()


def _log_options(lower: float, upper: float, value: float, integer: bool) -> tuple[float, ...]:
    grid = []
    for exponent in range(math.floor(math.log10(lower)), math.ceil(math.log10(upper)) + 1):
        for mantissa in _LOG_STEPS:
            option = float(f"{mantissa * 10.0 ** exponent:.6g}")
            if lower <= option <= upper:
                grid.append(float(round(option)) if integer else option)
    return tuple(sorted({*grid, float(value)}))


def number_widget(spec: InputSpec, value: float) -> NumberWidget:
    """The control for ``spec`` showing ``value``: its practical range, widened to hold ``value``.

    >>> pue = number_widget(INPUTS["site.pue"], 1.2)
    >>> pue.kind, pue.lower, pue.upper, pue.step, pue.fmt
    ('slider', 1.0, 2.0, 0.01, '%.2f')
    >>> w = number_widget(INPUTS["site.facility_power_mw"], 333)
    >>> w.kind, 100.0 in w.options, 333.0 in w.options, w.options[0], w.options[-1]
    ('log', True, True, 10.0, 5000.0)
    >>> number_widget(INPUTS["hardware.peak_flop_per_s"], 9.89e14).kind
    'number'
    """
    lo, hi = spec.widget or (spec.lower or 0.0, spec.upper or 1.0)
    lower, upper = float(min(lo, value)), float(max(hi, value))
    integer = spec.kind == "count"
    if spec.log_scale and lower > 0:
        return NumberWidget("number", lower, upper, 10.0 ** math.floor(math.log10(lower)), "%.3e")
    if lower > 0 and upper / lower >= LOG_SPAN:
        return NumberWidget("log", lower, upper, 0.0, "", integer,
                            _log_options(lower, upper, value, integer))
    span = upper - lower if upper > lower else max(abs(upper), 1.0)
    decimals = spec.decimals if spec.decimals is not None else max(3 - math.floor(
        math.log10(span)), 0)
    coarse = 10.0 ** (math.floor(math.log10(span)) - 2)
    step = max(10.0 ** -decimals, coarse)
    if integer:
        step = float(max(1, round(step)))
        return NumberWidget("slider", float(math.floor(lower)), float(math.ceil(upper)), step,
                            "localized", integer=True)
    fmt = "localized" if decimals == 0 else f"%.{decimals}f"
    return NumberWidget("slider", lower, upper, float(f"{step:.12g}"), fmt)


def option_text(spec: InputSpec, value: float) -> str:
    """A value as a log-spaced slider or a change list shows it, in the key's decimals.

    >>> option_text(INPUTS["site.facility_power_mw"], 1200.0)
    '1.20 GW'
    >>> option_text(INPUTS["target.compute_multiplier"], 10.0)
    '10.0'
    """
    if spec.unit in ("MW", "accelerator"):
        return format_value(value, spec.unit)
    decimals = spec.decimals if spec.decimals is not None else 3
    return f"{value:,.{decimals}f}"


def widget_value(spec: InputSpec, value: Any) -> Any:
    """``value`` as the widget holds it (int for counts, float for numbers, str for names)."""
    if spec.kind == "choice":
        return str(value)
    if spec.kind == "count":
        return round(float(value))
    return float(value)


def help_text(spec: InputSpec, assumption: Assumption) -> str:
    """Tooltip: description, valid range, source, as-of date and the 90 % range when known."""
    lines = [spec.description]
    if spec.kind != "choice" and (spec.lower is not None or spec.upper is not None):
        lines.append(f"Valid: {valid_range(spec)}")
    if spec.key in CATALOG_FIELDS:
        lines.append("Follows the chosen accelerator unless you set it.")
    if assumption.low is not None and assumption.high is not None:
        lines.append(f"90 % range: {format_value(assumption.low, spec.unit)} – "
                     f"{format_value(assumption.high, spec.unit)}")
    if assumption.source == SET_ORIGIN:
        lines.append("Source: your change in the dashboard (the link and the scenario file "
                     "carry it).")
    else:
        sources = " ; ".join(part.strip() for part in assumption.source.split(";"))
        lines.append(f"Source: {sources} (as of {assumption.as_of})")
    if assumption.note:
        lines.append(f"Note: {assumption.note}")
    return "\n\n".join(lines)


def label(spec: InputSpec) -> str:
    """Widget label: title and unit."""
    unit = format_unit(spec.unit)
    return f"{spec.title} ({unit})" if unit else spec.title


def exact_label(spec: InputSpec) -> str:
    """Label of the exact-value box beside a log-spaced slider."""
    unit = format_unit(spec.unit)
    return f"{spec.title}, exact ({unit})" if unit else f"{spec.title}, exact"


def input_widget(spec: InputSpec, assumption: Assumption, options: Sequence[str],
                 on_change: Callable[[str, str], None], format_option: Callable[[str], str] = str,
                 error: str | None = None, *, prefix: str = "", title: str = "") -> None:
    """Draw the control of one input (its value already in session state), and under it
    ``error``, the reason a typed value was refused, with the valid range. A second control
    of the same input (the quick controls of a phone) has a key ``prefix`` and its own
    ``title``."""
    key = prefix + widget_key(spec.key)
    shown = title or label(spec)
    common: dict[str, Any] = {"key": key, "help": help_text(spec, assumption),
                              "on_change": on_change, "args": (spec.key, key)}
    if spec.kind == "choice":
        st.selectbox(shown, list(options), format_func=format_option, **common)
        return
    shape = number_widget(spec, float(session.widget(key)))
    if shape.kind == "number":
        st.number_input(shown, step=shape.step, format=shape.fmt, **common)
    elif shape.kind == "log":
        st.select_slider(shown, options=list(shape.options),
                         format_func=lambda v: option_text(spec, float(v)), **common)
        box = prefix + exact_key(spec.key)
        decimals = spec.decimals if spec.decimals is not None else 3
        st.number_input(exact_label(spec),
                        step=1 if shape.integer else float(10.0 ** -decimals),
                        format="%d" if shape.integer else f"%.{decimals}f", key=box,
                        on_change=on_change, args=(spec.key, box),
                        label_visibility="collapsed",
                        help=f"Type an exact value. Valid: {valid_range(spec)}")
    elif shape.integer:
        st.slider(shown, min_value=int(shape.lower), max_value=int(shape.upper),
                  step=int(shape.step), format=shape.fmt, **common)
    else:
        st.slider(shown, min_value=shape.lower, max_value=shape.upper, step=shape.step,
                  format=shape.fmt, **common)
    if error:
        st.error(plain(error), icon=":material/error:")


def sync(values: dict[str, Any], prefix: str = "") -> None:
    """Put the scenario's values into the widgets' session state before they are drawn (the
    widgets whose keys start with ``prefix``)."""
    for key, value in values.items():
        spec = INPUTS[key]
        if value is None:
            continue
        wanted = widget_value(spec, value)
        keys = [prefix + widget_key(key)]
        if spec.kind != "choice" and number_widget(spec, float(value)).kind == "log":
            keys.append(prefix + exact_key(key))
        for wkey in keys:
            session.show(wkey, wanted)


def group_keys(group: str, sized_by: str) -> list[str]:
    """The input keys drawn in ``group``: the sizing key not in use is left out."""
    return [key for key, spec in INPUTS.items() if spec.group == group
            and not (key in SIZING_KEYS and key != sized_by)]
