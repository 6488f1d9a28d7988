"""Assumptions view: every input of the current scenario with value, range, source and date."""

from __future__ import annotations

import re

import streamlit as st

from calc.core.vocabulary import INPUTS
from calc.dashboard import commands
from calc.dashboard.compute.scenario import scenario_of
from calc.dashboard.context import Context
from calc.data.scenarios import Scenario
from calc.presentation.formatting import format_value

__all__ = ["assumptions_markdown", "links", "render"]

_URL = re.compile(r"https?://[^\s;,)]+")


def links(source: str) -> str:
    """Sources as Markdown links (``[host](url)``); plain text stays as it is.

    >>> links("https://epoch.ai/data/data-centers ; assumption")
    '[epoch.ai](https://epoch.ai/data/data-centers) ; assumption'
    """
    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        host = url.split("/")[2].removeprefix("www.")
        return f"[{host}]({url})"

    return _URL.sub(link, source).replace("|", "\\|")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def assumptions_markdown(scenario: Scenario) -> str:
    """A Markdown table of every input: key, title, value, 90 % range, as of, source.

    Notes (how a value was derived) follow the table as a list, so rows stay short.
    """
    lines = ["| key | input | value | 90 % range | as of | source |",
             "|---|---|---:|---|---|---|"]
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
    """The full table of inputs with their provenance."""
    st.markdown(assumptions_markdown(ctx.scenario))
    solved = scenario_of(ctx.key).meet_target
    st.caption("✎: set by the scenario or by you. Money in US dollars of 2025. "
               f"{commands.said(ctx, commands.assumptions_command(ctx))} prints the same "
               "table" + (f", with {solved} as written before it is solved for the target "
                          "(the cards above show it solved)." if solved else "."))
