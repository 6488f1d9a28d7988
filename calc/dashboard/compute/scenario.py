"""Cached calls into :mod:`calc` for a session's scenario: its library, its result and its
baseline's, the comparison, the target, the build-out's phases and the operators' record.

Keyed on :class:`~calc.dashboard.keys.StateKey` (the upload, the preset and the changed
inputs), so a rerun with the same inputs costs a cache lookup.
"""

from __future__ import annotations

from dataclasses import replace

import calc
from calc.analysis.buildout_choice import choose_buildout
from calc.analysis.run import Result
from calc.analysis.slip import SlipDistribution, default_slip, with_slip
from calc.analysis.target import TargetFacts, target_facts
from calc.core.errors import CapcalcError, clean_text
from calc.core.phases import Phase
from calc.dashboard.compute.cache import memo
from calc.dashboard.keys import PhasesKey, Pin, StateKey, Upload, phases_key
from calc.dashboard.link import SET_ORIGIN, as_library_sets
from calc.data.peers import PeersFile, load_peers
from calc.data.records import PeerRecords, records_of
from calc.data.scenarios import Library, Scenario
from calc.data.story import story_file
from calc.presentation.answer import site_title

__all__ = [
    "MAX_UPLOAD_SCENARIOS",
    "TIMELINE_SAMPLES",
    "TIMELINE_SECONDS",
    "add_upload",
    "check_upload",
    "compare_results",
    "default_phases",
    "default_preset",
    "library_for",
    "peers",
    "pinned",
    "pinned_named",
    "pinned_results",
    "records",
    "results",
    "scenario_of",
    "shipped_library",
    "slip",
    "slipped",
    "target",
    "used_phases",
]


#: A sampled timeline keeps (samples × months) arrays: the dashboard samples at most this
#: many (the Timeline view's chance by month, the Uncertainty view's fan).
TIMELINE_SAMPLES = 20_000
#: Seconds of computing one sampled timeline may take in a session (predicted from its first
#: samples; capcalc timeline allows more), so no session holds up another's page for long.
TIMELINE_SECONDS = 5.0
#: Scenarios read from one uploaded file (or a link's): checking each runs it, so the work
#: one upload asks of the server (shared by every visitor) stays within a second or so.
MAX_UPLOAD_SCENARIOS = 50


@memo()
def shipped_library() -> Library:
    """capcalc's baseline and the scenarios with their story: capcalc's own, or the file
    ``CAPCALC_SCENARIOS`` names (read once per server)."""
    return calc.load(scenarios=story_file())


def default_preset() -> str:
    """The scenario the dashboard opens on: the story's (``story.opening``), or the baseline
    when the story names none."""
    library = shipped_library()
    return library.story.opening or library.baseline_name()


@memo(max_entries=16)
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
            results(StateKey((name, text), scenario))
        except CapcalcError:
            raise
        except Exception as exc:
            raise CapcalcError(f"cannot be computed ({type(exc).__name__}: "
                               f"{clean_text(str(exc), limit=120)})", file=origin,
                               key=f"scenario {scenario!r}") from None
    return library


def scenario_of(key: StateKey) -> Scenario:
    """The scenario as ``capcalc`` reads it from a name and ``--set``s (not yet solved)."""
    return library_for(key.upload).scenario(key.preset, as_library_sets(key.sets),
                                            set_origin=SET_ORIGIN)


@memo(max_entries=512)
def results(key: StateKey) -> tuple[Result, Result]:
    """The current scenario's result and its baseline's: ``calc.run`` as the CLI calls it."""
    library = library_for(key.upload)
    result = calc.run(library, scenario_of(key))
    return result, calc.run(library, result.baseline)


@memo(max_entries=128)
def compare_results(key: StateKey) -> list[Result]:
    """The baseline, the current scenario and the reference scenarios, without repeats.

    The current scenario is named ``<preset> (changed)`` when inputs were changed.
    """
    library = library_for(key.upload)
    result, baseline = results(key)
    if key.sets:
        scenario = replace(result.scenario, name=f"{key.preset} (changed)")
        result = replace(result, scenario=scenario)
    shown = [baseline]
    if key.sets or result.name != baseline.name:
        shown.append(result)
    for name in library.story.references:
        if name not in [r.name for r in shown]:
            shown.append(calc.run(library, name))
    return shown


def _pin_key(key: StateKey, pin: Pin) -> StateKey:
    preset, sets = pin
    return StateKey(key.upload, preset, sets)


@memo(max_entries=64)
def pinned(key: StateKey, pin: Pin) -> Result | None:
    """The result of the variant ``pin`` (``(preset, sets)``) in the session of ``key``, a
    changed preset named by what the site is ("500 MW of GB200", short enough for a phone's
    legend); None when it no longer runs (its uploaded scenario replaced)."""
    try:
        result, _ = results(_pin_key(key, pin))
    except Exception:  # an uploaded scenario replaced since it was pinned
        return None
    if not pin[1]:  # the preset as it ships keeps its name
        return result
    name = site_title(result.scenario, result.outputs)
    return replace(result, scenario=replace(result.scenario, name=name))


@memo(max_entries=64)
def pinned_named(key: StateKey, pins: tuple[Pin, ...]) -> tuple[tuple[Pin, Result], ...]:
    """The pinned variants Compare shows, each with its result (:func:`pinned`) under a name
    no other scenario shown has ("500 MW of GB200 (2)" for a second site alike); a pin equal
    to the current state or to a scenario already shown is left out, and so is one that no
    longer runs."""
    names = [r.name for r in compare_results(key)]
    shown: list[tuple[Pin, Result]] = []
    for pin in pins:
        result = pinned(key, pin) if _pin_key(key, pin) != key else None
        if result is None or (not pin[1] and result.name in names):
            continue
        name, count = result.name, 1
        while name in names:
            count += 1
            name = f"{result.name} ({count})"
        names.append(name)
        shown.append((pin, replace(result, scenario=replace(result.scenario, name=name))))
    return tuple(shown)


def pinned_results(key: StateKey, pins: tuple[Pin, ...]) -> list[Result]:
    """:func:`compare_results` and then the pinned variants (:func:`pinned_named`)."""
    return [*compare_results(key), *(result for _, result in pinned_named(key, pins))]


@memo(max_entries=128)
def target(key: StateKey) -> TargetFacts:
    """The distance to the target multiple (:func:`calc.analysis.target.target_facts`)."""
    result, baseline = results(key)
    return target_facts(library_for(key.upload), result, baseline)


def default_phases(library: Library, preset: str, sets: dict[str, str]
                   ) -> tuple[Phase, ...] | None:
    """The phases the build-out starts from: the scenario's own, or those it is measured on."""
    scenario = library.scenario(preset, as_library_sets(sorted(sets.items())),
                                set_origin=SET_ORIGIN)
    return choose_buildout(library, scenario).phases


@memo()
def peers() -> PeersFile:
    """capcalc's ``peers.yaml`` (read once per server)."""
    return load_peers(catalog=shipped_library().baseline.catalog)


@memo()
def records() -> PeerRecords:
    """The schedule record and stated compute of ``peers.yaml`` (read once per server)."""
    return records_of(peers())


@memo()
def slip() -> SlipDistribution:
    """The schedule slip of announced phases: the shipped build-outs' operator's record,
    shrunk toward the others' (:func:`calc.analysis.slip.default_slip`, as
    ``capcalc timeline``'s default)."""
    return default_slip(records(), operator=shipped_library().story.operator)


def slipped(phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """``phases`` with the slip on every announced phase without a range of its own
    (:func:`calc.analysis.slip.with_slip`)."""
    return with_slip(phases, slip())


def used_phases(key: StateKey, phases: tuple[Phase, ...] | None, slip_on: bool) -> PhasesKey:
    """The build-out the answer and the timeline use, as a cache key: the edited ``phases``
    (None: not edited), with the slip when ``slip_on``; ``()`` for the scenario's own
    unslipped."""
    if not slip_on:
        return phases_key(phases)
    shown = phases
    if shown is None:
        try:
            shown = default_phases(library_for(key.upload), key.preset, key.sets_dict)
        except CapcalcError:
            shown = None
    return phases_key(slipped(shown)) if shown else phases_key(phases)
