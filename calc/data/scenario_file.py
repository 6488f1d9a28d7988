"""Write a scenario (a preset plus overrides) as a YAML file that ``capcalc run`` reads back.

The dashboard offers the current state as such a file: the preset becomes
``base:`` and every changed input a dotted key, so ``capcalc run file.yaml``
reproduces the same numbers. A preset that is not a shipped scenario (an
uploaded one) is written out in full on top of its nearest shipped ancestor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import yaml

from calc.data.scenarios import Library, to_change

__all__ = ["scenario_document", "scenario_yaml"]

logger = logging.getLogger(__name__)

_HEADER = ("# A capcalc scenario. Reproduce its numbers with: capcalc run {file}\n"
           "# Keys are dotted input keys in the units of `capcalc assumptions`.\n")


def _free_name(library: Library, wanted: str) -> str:
    name, i = wanted, 2
    while name in library.definitions:
        name, i = f"{wanted}-{i}", i + 1
    return name


def scenario_document(library: Library, preset: str, sets: Iterable[tuple[str, Any]] = (),
                      *, name: str | None = None) -> dict[str, Any]:
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

    Returns
    -------
    dict
        ``name``, ``title``, ``description``, ``base`` (when there is a shipped
        ancestor), ``meet_target`` (when still to be solved) and dotted-key values
        in each key's unit.

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
    doc: dict[str, Any] = {
        "name": name or _free_name(library, f"{preset}-custom"),
        "title": scenario.title + (f" (changed: {', '.join(k for k, _ in sets)})"
                                   if sets else ""),
        "description": f"Scenario {preset}" + (
            " with " + ", ".join(f"{k}={v}" for k, v in sets) if sets else "") + ".",
    }
    if shipped:
        doc["base"] = shipped[-1].name
    values: dict[str, Any] = {}
    for definition in own:  # an uploaded chain, written out on top of its shipped base
        for change in definition.changes:
            if change.has_value:
                values[change.key] = change.value
    for key, raw in sets:
        values[key] = to_change(key, raw, "--set").value
    if own and scenario.meet_target is not None:
        doc["meet_target"] = scenario.meet_target
    doc.update(sorted(values.items()))
    return doc


def scenario_yaml(library: Library, preset: str, sets: Iterable[tuple[str, Any]] = (),
                  *, name: str | None = None, file_name: str = "scenario.yaml") -> str:
    """:func:`scenario_document` as YAML text with a header saying how to run it."""
    doc = scenario_document(library, preset, sets, name=name)
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    logger.debug("scenario %s written from %s with %d overrides", doc["name"], preset,
                 len(doc) - 3)
    return _HEADER.format(file=file_name) + body
