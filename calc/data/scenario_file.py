"""Write a scenario (a preset plus overrides) as a YAML file that ``capcalc run`` reads back.

The dashboard offers the current state as such a file: the preset becomes
``base:``, every changed input a dotted key, edited build-out phases the
``timeline:``, and the title and description are written from the current
inputs, so ``capcalc run file.yaml`` reproduces the same numbers and the file
says what it holds. A preset that is not a shipped scenario (an uploaded one)
is written out in full on top of its nearest shipped ancestor. Settings a
scenario file has no key for (the Monte Carlo's samples and seed, the
horizon) are written in the header, in the command that reproduces them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from calc.core.phases import Phase
from calc.data.changes import to_change
from calc.data.io import dump_yaml
from calc.data.scenarios import Library, Scenario

__all__ = ["scenario_document", "scenario_title", "scenario_yaml"]

logger = logging.getLogger(__name__)

_HEADER = ("# A capcalc scenario. Reproduce its numbers with: capcalc run {file}\n"
           "# Keys are dotted input keys in the units of `capcalc assumptions`.\n")


def _free_name(library: Library, wanted: str) -> str:
    name, i = wanted, 2
    while name in library.definitions:
        name, i = f"{wanted}-{i}", i + 1
    return name


def scenario_title(scenario: Scenario, preset: str) -> str:
    """A title that says what the changed scenario now is, from its current inputs.

    >>> import calc
    >>> library = calc.load()
    >>> scenario_title(library.scenario("tenfold", [("hardware.accelerator", "GB200"),
    ...                                             ("site.facility_power_mw", "250")]), "tenfold")
    '250 MW of GB200, changed from tenfold'
    """
    chip = scenario["hardware.accelerator"]
    count = scenario["site.accelerators"]
    power = scenario["site.facility_power_mw"]
    if count is not None:
        site = f"{float(count):,.0f} {chip}"
    elif power is not None and scenario.meet_target != "site.facility_power_mw":
        site = f"{float(power):g} MW of {chip}"
    else:
        site = str(chip)
    return f"{site}, changed from {preset}"


def scenario_document(library: Library, preset: str, sets: Iterable[tuple[str, Any]] = (),
                      *, name: str | None = None, title: str | None = None,
                      description: str | None = None,
                      phases: Sequence[Phase] | None = None) -> dict[str, Any]:
    """The scenario ``preset`` with ``sets`` applied, as a scenario-file mapping.

    Parameters
    ----------
    library : Library
        Knows ``preset`` (shipped or uploaded).
    preset : str
        The scenario the state starts from.
    sets : iterable of (key, raw value)
        Overrides as ``--set`` takes them (text such as ``"0.5 GW"`` or numbers).
    name : str, optional
        Name of the written scenario (default ``<preset>-custom``, made unique).
    title, description : str, optional
        What the file says it is; by default written from the current inputs
        (:func:`scenario_title`) when anything changed, else the preset's own.
    phases : sequence of Phase, optional
        Build-out phases as edited; written as the file's ``timeline:``.

    Returns
    -------
    dict
        ``name``, ``title``, ``description``, ``base`` (when there is a shipped
        ancestor), ``meet_target`` (when still to be solved), ``timeline`` (when
        edited or the uploaded chain has one) and dotted-key values in each key's unit.

    Examples
    --------
    >>> import calc
    >>> doc = scenario_document(calc.load(), "cortex-full", [("site.pue", "1.3")])
    >>> doc["base"], doc["site.pue"]
    ('cortex-full', 1.3)
    """
    sets = list(sets)
    scenario = library.scenario(preset, sets)  # validates preset and sets
    chain = library.lineage(preset)
    own = [d for d in chain if d.name not in library.shipped]
    shipped = [d for d in chain if d.name in library.shipped]
    changed = bool(sets) or phases is not None
    if title is None:
        title = scenario_title(scenario, preset) if changed else scenario.title
    if description is None:
        description = (f"Scenario {preset} with " + ", ".join(f"{k}={v}" for k, v in sets)
                       + (" and edited build-out phases" if phases is not None else "") + "."
                       if changed else scenario.description or f"Scenario {preset}.")
    doc: dict[str, Any] = {
        "name": name or _free_name(library, f"{preset}-custom"),
        "title": title,
        "description": description,
    }
    if shipped:
        doc["base"] = shipped[-1].name
    values: dict[str, Any] = {}
    timeline: tuple[Phase, ...] | None = None
    for definition in own:  # an uploaded chain, written out on top of its shipped base
        for change in definition.changes:
            if change.has_value:
                values[change.key] = change.value
        if definition.timeline is not None:
            timeline = definition.timeline
    for key, raw in sets:
        values[key] = to_change(key, raw, "--set").value
    if own and scenario.meet_target is not None:
        doc["meet_target"] = scenario.meet_target
    doc.update(sorted(values.items()))
    if phases is not None:
        timeline = tuple(phases)
    if timeline is not None:
        doc["timeline"] = [phase.to_dict() for phase in timeline]
    return doc


def scenario_yaml(library: Library, preset: str, sets: Iterable[tuple[str, Any]] = (),
                  *, name: str | None = None, file_name: str = "scenario.yaml",
                  title: str | None = None, description: str | None = None,
                  phases: Sequence[Phase] | None = None, samples: int | None = None,
                  seed: int | None = None, until: str | None = None,
                  commands: Sequence[str] = ()) -> str:
    """:func:`scenario_document` as YAML text with a header saying how to run it.

    ``samples`` and ``seed`` (the Monte Carlo) and ``until`` (the build-out's horizon)
    have no key in a scenario file; the header gives them in the commands that
    reproduce the numbers: ``commands`` (one line each, as the writer's caller ran
    them) or else commands written from ``samples``, ``seed`` and ``until``.
    """
    doc = scenario_document(library, preset, sets, name=name, title=title,
                            description=description, phases=phases)
    body = dump_yaml(doc)
    header = _HEADER.format(file=file_name)
    if commands:
        header += "".join(f"# The same numbers: {command}\n" for command in commands)
    elif samples is not None:
        header += (f"# Its Monte Carlo: capcalc run {file_name} --samples {samples}"
                   f"{'' if seed is None else f' --seed {seed}'}\n")
    if "timeline" in doc and not commands:
        header += (f"# Its build-out: capcalc timeline {file_name}"
                   f"{'' if until is None else f' --until {until}'}\n")
    logger.debug("scenario %s written from %s with %d overrides", doc["name"], preset,
                 len(doc) - 3)
    return header + body
