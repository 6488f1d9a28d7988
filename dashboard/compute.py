"""Cached calls into :mod:`calc`: libraries, results, tables and chart bytes.

Every function here is keyed on hashable text (the uploaded file, the preset
and the changed inputs), so a rerun with the same inputs costs a cache lookup.
Nothing is computed here that :mod:`calc` does not compute.

Results, tables and specs are immutable values shared by every session, so they
are cached with :func:`memo` (``st.cache_resource``: no copy on each hit, which
``st.cache_data`` would make by unpickling); callers never modify them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st
from matplotlib.figure import Figure

import calc
from calc.analysis.run import Result
from calc.analysis.target import TargetFacts, target_facts
from calc.data.scenarios import Library
from calc.presentation import charts
from calc.presentation.tables import Table
from calc.presentation.tables import scenarios as tables

from dashboard.context import Sets
from dashboard.state import SET_ORIGIN, as_library_sets

__all__ = [
    "CHARTS",
    "Upload",
    "compare_results",
    "library_for",
    "memo",
    "results",
    "table",
    "target",
]

#: An uploaded scenario file as ``(file name, YAML text)``; ``("", "")`` when none.
Upload = tuple[str, str]
NO_UPLOAD: Upload = ("", "")

def memo(max_entries: int) -> Any:
    """Cache a pure function of hashable arguments whose result is never modified."""
    return st.cache_resource(show_spinner=False, max_entries=max_entries)


#: Scenarios the Compare and Cost tabs put beside the current one.
REFERENCES = ("cortex-full", "tenfold")


@st.cache_resource(show_spinner=False)
def shipped_library() -> Library:
    """capcalc's baseline and shipped scenarios (read once per server)."""
    return calc.load()


@st.cache_resource(show_spinner=False, max_entries=16)
def library_for(upload: Upload) -> Library:
    """The shipped library plus the scenarios of ``upload`` (already validated)."""
    library = shipped_library()
    name, text = upload
    if text:
        library, _ = library.add_text(text, origin=name or "upload",
                                      default_name=_stem(name))
    return library


def _stem(file_name: str) -> str:
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem or "uploaded"


def add_upload(name: str, data: bytes) -> tuple[Library, list[str]]:
    """Validate an uploaded scenario file; return the library with it and its names.

    Raises
    ------
    CapcalcError
        One line naming the file, the key and what would be right.
    """
    return shipped_library().add_text(data, origin=name or "upload", default_name=_stem(name))


@memo(max_entries=512)
def results(upload: Upload, preset: str, sets: Sets) -> tuple[Result, Result]:
    """The current scenario's result and its baseline's: ``calc.run`` as the CLI calls it."""
    library = library_for(upload)
    scenario = library.scenario(preset, as_library_sets(sets), set_origin=SET_ORIGIN)
    result = calc.run(library, scenario)
    return result, calc.run(library, result.baseline)


@memo(max_entries=128)
def compare_results(upload: Upload, preset: str, sets: Sets) -> list[Result]:
    """The baseline, the current scenario and the reference scenarios, without repeats.

    The current scenario is named ``<preset> (changed)`` when inputs were changed.
    """
    library = library_for(upload)
    result, baseline = results(upload, preset, sets)
    if sets:
        scenario = replace(result.scenario, name=f"{preset} (changed)")
        result = replace(result, scenario=scenario)
    shown = [baseline]
    if sets or result.name != baseline.name:
        shown.append(result)
    for name in REFERENCES:
        if name in library.definitions and name not in [r.name for r in shown]:
            shown.append(calc.run(library, name))
    return shown


@memo(max_entries=128)
def target(upload: Upload, preset: str, sets: Sets) -> TargetFacts:
    """The distance to the target multiple (:func:`calc.analysis.target.target_facts`)."""
    result, baseline = results(upload, preset, sets)
    return target_facts(library_for(upload), result, baseline)


def _comparison(upload: Upload, preset: str, sets: Sets) -> Table:
    shown = compare_results(upload, preset, sets)
    return tables.comparison_table(shown, shown[0])


def _power(upload: Upload, preset: str, sets: Sets) -> Table:
    result, baseline = results(upload, preset, sets)
    shown = compare_results(upload, preset, sets)
    current_differs = bool(sets) or result.name != baseline.name
    points = shown[:2] if current_differs else shown[:1]  # the baseline and the current one
    return tables.power_curve_table(library_for(upload), result.scenario,
                                    baseline.outputs["effective_flop_per_s"], points=points)


def _cost(upload: Upload, preset: str, sets: Sets) -> Table:
    return tables.cost_table(compare_results(upload, preset, sets))


#: Chart name → (table builder, matplotlib chart function).
CHARTS: dict[str, tuple[Callable[[Upload, str, Sets], Table], Callable[[Table], Figure]]] = {
    "comparison": (_comparison, charts.scenario_comparison),
    "power": (_power, charts.power_to_compute),
    "cost": (_cost, charts.cost_breakdown),
}


@memo(max_entries=256)
def table(chart: str, upload: Upload, preset: str, sets: Sets) -> Table:
    """The :class:`~calc.presentation.tables.Table` behind chart ``chart`` for this state."""
    return CHARTS[chart][0](upload, preset, sets)
