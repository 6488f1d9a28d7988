"""Assumptions view: every input of the current scenario with value, range, source and date."""

from __future__ import annotations

import streamlit as st

from calc.core.vocabulary import INPUTS
from calc.dashboard import commands, page
from calc.dashboard.compute.scenario import scenario_of
from calc.dashboard.context import Context
from calc.data.scenarios import Scenario
from calc.presentation.formatting import format_value
from calc.presentation.source_names import source_name

__all__ = ["COLUMNS", "assumptions_markdown", "links", "render"]

#: The Assumptions table's columns, in order (also the labels of a row's card on a phone).
COLUMNS = ("key", "input", "value", "90 % range", "as of", "source")


def links(source: str) -> str:
    """Sources named by publisher and title (:func:`calc.presentation.source_names.
    source_name`), each a Markdown link to its page; text that names no page stays as it is.

    >>> links("https://epoch.ai/data/data-centers ; assumption")
    '[Epoch AI: Data centers](https://epoch.ai/data/data-centers); assumption'
    """
    named = []
    for part in (p.strip() for p in source.split(";")):
        if not part:
            continue
        name, url = source_name(part)
        text = _cell(name).replace("[", "(").replace("]", ")")
        named.append(f"[{text}]({url})" if url else text)
    return "; ".join(named)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def assumptions_markdown(scenario: Scenario) -> str:
    """A Markdown table of every input: key, title, value, 90 % range, as of, source.

    Notes (how a value was derived) follow the table as a list, so rows stay short.
    """
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|---:|---|---|---|"]
    notes = []
    for key, a in scenario.assumptions.items():
        spec = INPUTS[key]
        value = format_value(a.value, a.unit) if not isinstance(a.value, float) or \
            a.unit != "1" else f"{a.value:.4g}"
        rng = "" if a.low is None or a.high is None else \
            f"{format_value(a.low, a.unit)} – {format_value(a.high, a.unit)}"
        mark = " ✎" if key in scenario.explicit else ""
        lines.append(f"| `{key}`{mark} | {_cell(spec.title)} | {value} | {rng} | {a.as_of} | "
                     f"{links(a.source)} |")
        if a.note:
            notes.append(f"- `{key}`: {_cell(a.note)}")
    if notes:
        lines += ["", "**Notes**", "", *notes]
    return "\n".join(lines)


def render(ctx: Context) -> None:
    """The full table of inputs with their provenance (one card per input on a phone)."""
    page.card_table(assumptions_markdown(ctx.scenario), COLUMNS, key="assumptions-table")
    solved = scenario_of(ctx.key).meet_target
    st.caption("✎: set by the scenario or by you. Money in US dollars of 2025. "
               f"{commands.said(ctx, commands.assumptions_command(ctx))} prints the same "
               "table" + (f", with {solved} as written before it is solved for the target "
                          "(the cards above show it solved)." if solved else "."))
