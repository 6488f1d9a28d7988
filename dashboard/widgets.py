"""The sidebar's input widgets, generated from the vocabulary (:data:`calc.core.vocabulary.INPUTS`).

Each input key gets one widget: a slider over the key's practical range
(``InputSpec.widget``, widened to include the current value), a number box
in scientific notation for log-scale keys such as FLOP/s, or a select box for
names. Labels, units, bounds and the help text (description, source, as-of
date) all come from the vocabulary and the current scenario's assumptions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from calc.core.vocabulary import CATALOG_FIELDS, GROUPS, INPUTS, InputSpec
from calc.data.assumptions import Assumption
from calc.data.units import format_unit
from calc.presentation.formatting import format_value

from dashboard.state import SET_ORIGIN

__all__ = [
    "GROUP_TITLES",
    "SIZING_KEYS",
    "NumberWidget",
    "help_text",
    "number_widget",
    "widget_key",
    "widget_value",
]

GROUP_TITLES = {"site": "Site", "hardware": "Hardware", "training": "Training",
                "cost": "Cost", "target": "Target"}
SIZING_KEYS = ("site.facility_power_mw", "site.accelerators")
SIZING_WIDGET = "w:__sizing"
SIZING_LABELS = {"site.facility_power_mw": "facility power",
                 "site.accelerators": "accelerator count"}


def widget_key(key: str) -> str:
    """The Streamlit widget key of input ``key``."""
    return f"w:{key}"


@dataclass(frozen=True)
class NumberWidget:
    """How a numeric input is shown: a slider or a number box, its range, step and format."""

    kind: str  # "slider" or "number"
    lower: float
    upper: float
    step: float
    fmt: str
    integer: bool = False


def number_widget(spec: InputSpec, value: float) -> NumberWidget:
    """The widget for ``spec`` showing ``value``: its practical range, widened to hold ``value``.

    >>> number_widget(INPUTS["site.pue"], 1.2)
    NumberWidget(kind='slider', lower=1.0, upper=2.0, step=0.001, fmt='%.3f', integer=False)
    >>> number_widget(INPUTS["site.facility_power_mw"], 20000).upper
    20000.0
    >>> number_widget(INPUTS["hardware.peak_flop_per_s"], 9.89e14).kind
    'number'
    """
    lo, hi = spec.widget or (spec.lower or 0.0, spec.upper or 1.0)
    lower, upper = float(min(lo, value)), float(max(hi, value))
    if spec.log_scale and lower > 0:
        return NumberWidget("number", lower, upper, 10.0 ** math.floor(math.log10(lower)), "%.3e")
    span = upper - lower if upper > lower else max(abs(upper), 1.0)
    if spec.kind == "count":
        whole_step = max(1, int(10 ** (math.floor(math.log10(span)) - 3)))
        return NumberWidget("slider", float(math.floor(lower)), float(math.ceil(upper)),
                            float(whole_step), "localized", integer=True)
    exponent = math.floor(math.log10(span)) - 3
    step = 10.0 ** exponent
    fmt = "localized" if exponent >= 0 else f"%.{-exponent}f"
    return NumberWidget("slider", lower, upper, round(step, 12), fmt)


def widget_value(spec: InputSpec, value: Any) -> Any:
    """``value`` as the widget holds it (int for counts, float for numbers, str for names)."""
    if spec.kind == "choice":
        return str(value)
    if spec.kind == "count":
        return round(float(value))
    return float(value)


def help_text(spec: InputSpec, assumption: Assumption) -> str:
    """Tooltip: description, valid range, source, as-of date and the 90 % range when known."""
    unit = format_unit(spec.unit)
    lines = [spec.description]
    if spec.kind != "choice" and (spec.lower is not None or spec.upper is not None):
        low = "" if spec.lower is None else f"{'>' if spec.lower_open else '≥'} {spec.lower:g}"
        high = "" if spec.upper is None else f"{'<' if spec.upper_open else '≤'} {spec.upper:g}"
        lines.append(f"Valid: {' and '.join(p for p in (low, high) if p)} {unit}".rstrip())
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


def input_widget(spec: InputSpec, assumption: Assumption, options: Sequence[str],
                 on_change: Callable[[str], None], format_option: Callable[[str], str] = str
                 ) -> None:
    """Draw the widget of one input; its value must already be in session state."""
    key = widget_key(spec.key)
    common: dict[str, Any] = {"key": key, "help": help_text(spec, assumption),
                              "on_change": on_change, "args": (spec.key,)}
    if spec.kind == "choice":
        st.selectbox(label(spec), list(options), format_func=format_option, **common)
        return
    shape = number_widget(spec, float(st.session_state[key]))
    if shape.kind == "number":
        st.number_input(label(spec), min_value=shape.lower, max_value=shape.upper,
                        step=shape.step, format=shape.fmt, **common)
    elif shape.integer:
        st.slider(label(spec), min_value=int(shape.lower), max_value=int(shape.upper),
                  step=int(shape.step), format=shape.fmt, **common)
    else:
        st.slider(label(spec), min_value=shape.lower, max_value=shape.upper, step=shape.step,
                  format=shape.fmt, **common)


def sync(values: dict[str, Any]) -> None:
    """Put the scenario's values into the widgets' session state before they are drawn."""
    for key, value in values.items():
        spec = INPUTS[key]
        if value is None:
            continue
        wanted = widget_value(spec, value)
        if st.session_state.get(widget_key(key)) != wanted:
            st.session_state[widget_key(key)] = wanted


def group_keys(group: str, sized_by: str) -> list[str]:
    """The input keys drawn in ``group``: the sizing key not in use is left out."""
    return [key for key, spec in INPUTS.items() if spec.group == group
            and not (key in SIZING_KEYS and key != sized_by)]


__all__ += ["GROUPS", "group_keys", "input_widget", "label", "sync"]
