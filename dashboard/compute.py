"""Cached calls into :mod:`calc`: libraries, results, and the charts of the scenario views.

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

import calc
from calc.analysis.limits import ANSWER_SAMPLES
from calc.analysis.reach import Reach
from calc.analysis.run import Result
from calc.analysis.slip import NO_SLIP, SlipDistribution, default_slip, with_slip
from calc.analysis.target import TargetFacts, target_facts
from calc.core.chain import measure_of, target_measure
from calc.core.errors import CapcalcError, clean_text
from calc.core.phases import Phase
from calc.core.vocabulary import measure_title
from calc.data.peers import PeersFile, load_peers
from calc.data.records import PeerRecords, records_of
from calc.data.scenarios import Library, Scenario
from calc.presentation.answer import answer_with, buildout_phases, buildout_reach
from calc.presentation.chart_spec import Chart
from calc.presentation.charts import scenarios as charts
from calc.presentation.results import measure_words

from dashboard.context import Context, PhasesKey, Sets, phases_key
from dashboard.state import SET_ORIGIN, as_library_sets

__all__ = [
    "CHARTS",
    "MAX_UPLOAD_SCENARIOS",
    "TIMELINE_SAMPLES",
    "TIMELINE_SECONDS",
    "Upload",
    "answer",
    "answer_phases",
    "chart",
    "check_upload",
    "compare_results",
    "default_phases",
    "from_key",
    "library_for",
    "memo",
    "peers",
    "reach_of",
    "records",
    "results",
    "scenario_of",
    "slip",
    "slipped",
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
#: A sampled timeline keeps (samples × months) arrays: the dashboard samples at most this
#: many (the Timeline view's chance by month, the Uncertainty view's fan).
TIMELINE_SAMPLES = 20_000
#: Seconds of computing one sampled timeline may take in a session (predicted from its first
#: samples; capcalc timeline allows more), so no session holds up another's page for long.
TIMELINE_SECONDS = 5.0
#: Scenarios read from one uploaded file (or a link's): checking each runs it, so the work
#: one upload asks of the server (shared by every visitor) stays within a second or so.
MAX_UPLOAD_SCENARIOS = 50


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
                                      default_name=_stem(name),
                                      max_scenarios=MAX_UPLOAD_SCENARIOS)
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
    return shipped_library().add_text(data, origin=name or "upload", default_name=_stem(name),
                                      max_scenarios=MAX_UPLOAD_SCENARIOS)


def check_upload(name: str, data: bytes) -> Library:
    """Check a scenario file as the uploader does: its size, its YAML and that every scenario
    in it runs; return the library with it.

    Raises
    ------
    CapcalcError
        One line naming the file, the key and what would be right.
    """
    origin = name or "upload"
    library, names = add_upload(name, data)  # the loader refuses a file over its size limit
    text = data.decode("utf-8")
    for scenario in names:
        try:
            results((name, text), scenario, ())
        except CapcalcError:
            raise
        except Exception as exc:
            raise CapcalcError(f"cannot be computed ({type(exc).__name__}: "
                               f"{clean_text(str(exc), limit=120)})", file=origin,
                               key=f"scenario {scenario!r}") from None
    return library


def scenario_of(upload: Upload, preset: str, sets: Sets) -> Scenario:
    """The scenario as ``capcalc`` reads it from a name and ``--set``s (not yet solved)."""
    return library_for(upload).scenario(preset, as_library_sets(sets), set_origin=SET_ORIGIN)


@memo(max_entries=512)
def results(upload: Upload, preset: str, sets: Sets) -> tuple[Result, Result]:
    """The current scenario's result and its baseline's: ``calc.run`` as the CLI calls it."""
    library = library_for(upload)
    result = calc.run(library, scenario_of(upload, preset, sets))
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


def from_key(key: PhasesKey) -> tuple[Phase, ...]:
    """Phases from their cache key (:func:`dashboard.context.phases_key`)."""
    return tuple(Phase(**dict(items)) for items in key)


def default_phases(library: Library, preset: str, sets: dict[str, str]
                   ) -> tuple[Phase, ...] | None:
    """The phases the build-out starts from: the scenario's own, or those it is measured on."""
    scenario = library.scenario(preset, as_library_sets(sorted(sets.items())),
                                set_origin=SET_ORIGIN)
    return buildout_phases(library, scenario)[0]


@st.cache_resource(show_spinner=False)
def peers() -> PeersFile:
    """capcalc's ``peers.yaml`` (read once per server)."""
    return load_peers(catalog=shipped_library().baseline.catalog)


@st.cache_resource(show_spinner=False)
def records() -> PeerRecords:
    """The schedule record and stated compute of ``peers.yaml`` (read once per server)."""
    return records_of(peers())


@st.cache_resource(show_spinner=False)
def slip() -> SlipDistribution:
    """The schedule slip of announced phases: the shipped build-outs' operator's record,
    shrunk toward the others' (:func:`calc.analysis.slip.default_slip`, as
    ``capcalc timeline``'s default)."""
    return default_slip(records())


def slipped(phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """``phases`` with the slip on every announced phase without a range of its own
    (:func:`calc.analysis.slip.with_slip`)."""
    return with_slip(phases, slip())


def answer_phases(ctx: Context) -> PhasesKey:
    """The build-out the timeline uses, as a cache key: the edited phases, with the slip
    when that setting is on; ``()`` for the scenario's own unslipped."""
    if not ctx.settings.get("slip"):
        return ctx.phases_key
    phases = ctx.phases
    if phases is None:
        try:
            phases = default_phases(ctx.library, ctx.preset, dict(ctx.sets))
        except CapcalcError:
            phases = None
    return phases_key(slipped(phases)) if phases else ctx.phases_key


@memo(max_entries=16)
def reach_of(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
             slip_on: bool, seed: int) -> Reach | None:
    """The date of the build-out the scenario is measured on, sampled over
    :data:`~calc.analysis.limits.ANSWER_SAMPLES` build-outs with ``seed``
    (:func:`calc.presentation.answer.buildout_reach`, as ``capcalc run`` and ``timeline``
    give it), on the edited phases when ``phases`` is not empty, announced phases slipping
    when ``slip_on``. Cached on its inputs: a rerun with the same ones costs a lookup."""
    result, _ = results(upload, preset, sets)
    return buildout_reach(library_for(upload), result.scenario,
                          phases=from_key(phases) if phases else None, until=until,
                          records=records(), slip=None if slip_on else NO_SLIP,
                          samples=ANSWER_SAMPLES, seed=seed)


@memo(max_entries=256)
def answer(upload: Upload, preset: str, sets: Sets, phases: PhasesKey, until: str,
           slip_on: bool = True, seed: int = 0) -> str:
    """The finding in words (:func:`calc.presentation.answer.answer_with`), its date from
    :func:`reach_of`."""
    result, baseline = results(upload, preset, sets)
    return answer_with(library_for(upload), result, baseline,
                       reach_of(upload, preset, sets, phases, until, slip_on, seed))


def _comparison(upload: Upload, preset: str, sets: Sets) -> Chart:
    shown = compare_results(upload, preset, sets)
    measure, _each = measure_words(shown)
    return charts.comparison_chart(shown, shown[0], measure=measure)


def _power(upload: Upload, preset: str, sets: Sets) -> Chart:
    result, baseline = results(upload, preset, sets)
    shown = compare_results(upload, preset, sets)
    current_differs = bool(sets) or result.name != baseline.name
    points = shown[:2] if current_differs else shown[:1]  # the baseline and the current one
    unit = measure_of(baseline.outputs, target_measure(result.scenario.values))
    return charts.power_chart(library_for(upload), result.scenario, float(unit), points,
                              measure=measure_title(result.scenario.values))


def _cost(upload: Upload, preset: str, sets: Sets) -> Chart:
    return charts.cost_chart(compare_results(upload, preset, sets))


def _lease(upload: Upload, preset: str, sets: Sets) -> Chart:
    return charts.lease_chart(compare_results(upload, preset, sets))


#: Chart name → its declaration for a state (:mod:`calc.presentation.charts.scenarios`).
CHARTS: dict[str, Callable[[Upload, str, Sets], Chart]] = {
    "comparison": _comparison, "power": _power, "cost": _cost, "lease": _lease,
}


@memo(max_entries=256)
def chart(name: str, upload: Upload, preset: str, sets: Sets) -> Chart:
    """The declaration of chart ``name`` for this state (its table is the CSV behind it)."""
    return CHARTS[name](upload, preset, sets)
