"""Scenarios: named overrides of the baseline, merged along their ``base:`` chain.

A scenario file holds one scenario, or several under ``scenarios:``. Each
override is a dotted key (``site.facility_power_mw: 500``) or a nested tree
(``site: {pue: 1.3}``), with a plain number in the key's unit, a number with
a unit (``"0.5 GW"``), a name, ``null``, or a mapping that also sets the range
and provenance. Resolving a scenario applies its chain of overrides onto the
baseline and fills the catalog-derived inputs from the chosen accelerator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calc.core.errors import CapcalcError, listed, quoted, shown, suggest
from calc.core.phases import Phase
from calc.core.vocabulary import (
    CATALOG_FIELDS,
    INPUTS,
    SIZING_KEYS,
    other_sizing,
)
from calc.data.assumptions import (
    Assumption,
    Baseline,
    Correlation,
    Value,
    load_baseline,
    range_problem,
    to_correlations,
)
from calc.data.changes import Change, to_change
from calc.data.inputs import Inputs
from calc.data.io import load_yaml, parse_yaml
from calc.data.phases import check_phases, to_phases
from calc.data.resources import SCENARIOS, shipped_bytes

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["MAX_BASE_DEPTH", "Library", "Scenario", "ScenarioDef", "load_library"]

#: The deepest chain of ``base:`` scenarios resolved (the scenario itself counted). The
#: shipped chains are at most three deep; a deeper one is refused in one line, so
#: resolving every scenario of a file costs at most this many layers each.
MAX_BASE_DEPTH = 32


_META = ("name", "title", "description", "source", "base", "meet_target")


@dataclass(frozen=True)
class ScenarioDef:
    """A scenario as written: its metadata and its own overrides."""

    name: str
    origin: str
    changes: tuple[Change, ...] = ()
    title: str | None = None
    description: str | None = None
    source: str | None = None
    base: str | None = None
    meet_target: str | None = None
    correlations: tuple[Correlation, ...] = ()
    timeline: tuple[Phase, ...] | None = None


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: every input key with its value and provenance.

    ``explicit`` holds the keys that differ from the baseline because an
    override (or ``--set``) set them; ``meet_target`` names an input still
    to be solved so the scenario reaches the target multiple.
    """

    name: str
    title: str
    description: str
    assumptions: Mapping[str, Assumption]
    explicit: frozenset[str] = frozenset()
    meet_target: str | None = None
    origin: str = ""
    lineage: tuple[str, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    timeline: tuple[Phase, ...] | None = None

    def __getitem__(self, key: str) -> Value:
        return self.assumptions[key].value

    @cached_property
    def inputs(self) -> Inputs:
        """Every input, typed: ``scenario.inputs.training.mfu`` is a float."""
        return Inputs.of(self.values)

    @property
    def values(self) -> dict[str, Value]:
        """Every input key with its value, in the key's unit."""
        return {key: a.value for key, a in self.assumptions.items()}

    @property
    def baseline_name(self) -> str:
        """The scenario this one's compute multiple is measured from."""
        return str(self["target.baseline"])

    def with_values(self, values: Mapping[str, Value], *, source: str) -> Scenario:
        """Return a copy with ``values`` set (no re-validation: callers pass valid values)."""
        assumptions = dict(self.assumptions)
        for key, value in values.items():
            assumptions[key] = replace(assumptions[key], value=value, source=source,
                                       low=None, high=None, dist=None)
        return replace(self, assumptions=assumptions,
                       explicit=self.explicit | frozenset(values))


def _sets(changes: Iterable[Change], key: str) -> bool:
    return any(c.key == key and c.has_value for c in changes)


def _spec_changes(spec: BaseModel, origin: str, scenario: str) -> tuple[Change, ...]:
    changes: dict[str, Change] = {}
    where = f"{origin}: scenario {scenario!r}"

    def add(key: str, raw: Any) -> None:
        if key in changes:
            raise CapcalcError("given twice (as a dotted key and in a section)",
                               file=where, key=key)
        changes[key] = to_change(key, raw, where)

    for key, spec_input in INPUTS.items():
        section = getattr(spec, spec_input.group)
        if section is not None and spec_input.name in section.model_fields_set:
            add(key, getattr(section, spec_input.name))
        attr = key.replace(".", "__")
        if attr in spec.model_fields_set:
            add(key, getattr(spec, attr))
    return tuple(changes.values())


def _timeline(spec: BaseModel, origin: str, name: str) -> tuple[Phase, ...] | None:
    raw = spec.timeline  # type: ignore[attr-defined]
    return None if raw is None else to_phases(raw, file=f"{origin}: scenario {name!r}")


def _definition(name: str, raw: Any, origin: str) -> ScenarioDef:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CapcalcError(f"scenario {name!r} must be a mapping of overrides", file=origin)
    # deferred: pydantic only when a file is read (the cached shipped library needs none)
    from pydantic import ValidationError

    from calc.data.schema import ScenarioSpec
    from calc.data.validation import validation_message

    try:
        spec = ScenarioSpec.model_validate({k: v for k, v in raw.items() if k != "name"})
    except ValidationError as exc:
        key, message = validation_message(
            exc, known=[*INPUTS, *_META, "site", "hardware", "training", "cost", "target",
                        "correlations", "timeline"]
        )
        raise CapcalcError(message, file=f"{origin}: scenario {name!r}", key=key) from None
    meet_target = spec.meet_target  # type: ignore[attr-defined]
    if meet_target is not None and meet_target not in INPUTS:
        raise CapcalcError(f"unknown key {meet_target!r}{suggest(meet_target, INPUTS)}",
                           file=f"{origin}: scenario {name!r}", key="meet_target")
    if meet_target is not None and INPUTS[meet_target].kind == "choice":
        raise CapcalcError(f"{meet_target} is a name, not a number; meet_target solves a "
                           "numeric input such as site.facility_power_mw",
                           file=f"{origin}: scenario {name!r}", key="meet_target")
    return ScenarioDef(
        name=name,
        origin=origin,
        changes=_spec_changes(spec, origin, name),
        title=spec.title,  # type: ignore[attr-defined]
        description=spec.description,  # type: ignore[attr-defined]
        source=spec.source,  # type: ignore[attr-defined]
        base=spec.base,  # type: ignore[attr-defined]
        meet_target=meet_target,
        correlations=to_correlations(spec.correlations or (),  # type: ignore[attr-defined]
                                     origin=f"{origin}: scenario {name!r}"),
        timeline=_timeline(spec, origin, name),
    )


def _too_deep(origin: str, first: list[str], current: str, *, more: bool) -> CapcalcError:
    """The one line for a chain of ``base:`` deeper than :data:`MAX_BASE_DEPTH`."""
    shown_chain = " → ".join([*first, "…", current]) + (" → …" if more else "")
    return CapcalcError(
        f"its chain of base scenarios ({shown_chain}) is more than {MAX_BASE_DEPTH} scenarios "
        f"deep; capcalc follows at most {MAX_BASE_DEPTH}: base it on a scenario nearer the root",
        file=f"{origin}: scenario {first[0]!r}", key="base")


def _check_depths(raw: Mapping[Any, Any], origin: str) -> None:
    """Refuse a chain of ``base:`` inside one file deeper than :data:`MAX_BASE_DEPTH`, before
    any of its scenarios is validated, in one pass (each scenario's depth found once).

    Loops and bases outside the file are left to :meth:`Library.lineage`, which names them.
    """
    bases = {name: body["base"] if isinstance(body, dict) and isinstance(body.get("base"), str)
             else None for name, body in raw.items()}  # the validation names a wrong type
    depth: dict[Any, int] = {}
    root: dict[Any, Any] = {}  # where each chain ends: outside the file, or its last scenario
    for start in bases:
        path: list[Any] = []
        current: Any = start
        while current in bases and current not in depth and current not in path:
            path.append(current)
            current = bases[current]
        reached = depth.get(current, 0)  # outside the file, or a loop: counted from here
        end = root.get(current, current if current is not None else path[-1] if path else None)
        for name in reversed(path):
            reached += 1
            depth[name], root[name] = reached, end
            if reached > MAX_BASE_DEPTH:
                raise _too_deep(origin, [str(name), str(bases[name])], str(end),
                                more=end not in bases)


def parse_scenarios(data: Any, *, origin: str, default_name: str,
                    max_scenarios: int | None = None) -> dict[str, ScenarioDef]:
    """Read scenario definitions from a parsed YAML tree (one scenario or ``scenarios:``).

    With ``max_scenarios``, a file of more scenarios is refused before any is read
    (the dashboard bounds the work one upload asks of the server so).
    """
    if data is None:
        raise CapcalcError("empty file; write overrides such as site.facility_power_mw: 500",
                           file=origin)
    if not isinstance(data, dict):
        raise CapcalcError("must be a mapping of keys to values", file=origin)
    # deferred: pydantic only when a file is read (the cached shipped library needs none)
    from pydantic import TypeAdapter, ValidationError

    from calc.data.schema import ScenarioName, ScenariosFile
    from calc.data.validation import validation_message

    if "scenarios" in data:
        try:
            ScenariosFile.model_validate({"scenarios": {n: {} for n in data["scenarios"] or {}}}
                                         if isinstance(data["scenarios"], dict) else data)
        except ValidationError as exc:
            key, message = validation_message(exc, known=["scenarios"])
            raise CapcalcError(message, file=origin, key=key) from None
        extra = [str(key) for key in data if key != "scenarios"]
        if extra:
            raise CapcalcError("unknown key beside `scenarios:`", file=origin, key=extra[0])
        if max_scenarios is not None and len(data["scenarios"]) > max_scenarios:
            raise CapcalcError(
                f"holds {len(data['scenarios']):,} scenarios; at most {max_scenarios:,} are "
                "read from one file here (`capcalc run FILE` reads any number)",
                file=origin, key="scenarios")
        _check_depths(data["scenarios"], origin)
        return {name: _definition(name, raw, origin) for name, raw in data["scenarios"].items()}
    # without `name:`, the file's name made into a scenario name ("my site.yaml" → my-site)
    name = data.get("name", re.sub(r"[^A-Za-z0-9_.+-]+", "-", default_name)
                    .lstrip("-_.+")[:80] or "scenario")
    if not isinstance(name, str) or not name:
        raise CapcalcError("must be a scenario name (text)", file=origin, key="name")
    if "name" in data:  # the same names a `scenarios:` file allows
        try:
            TypeAdapter(ScenarioName).validate_python(name)
        except ValidationError:
            raise CapcalcError(
                f"{name[:80]!r} is not a valid name: use letters, digits and _ . + -, "
                "starting with a letter or digit, at most 80 characters",
                file=origin, key="name") from None
    return {name: _definition(name, data, origin)}


@dataclass(frozen=True)
class Library:
    """The baseline and every scenario known: the shipped ones and those of user files."""

    baseline: Baseline
    definitions: Mapping[str, ScenarioDef] = field(default_factory=dict)
    shipped: frozenset[str] = frozenset()

    @property
    def names(self) -> list[str]:
        """Scenario names in the order they were defined."""
        return list(self.definitions)

    def baseline_name(self) -> str:
        """The default baseline: ``target.baseline`` of the assumptions file."""
        return str(self.baseline.assumptions["target.baseline"].value)

    def add(self, definitions: Mapping[str, ScenarioDef]) -> Library:
        """Return a library that also knows ``definitions`` (names must be new)."""
        for name, definition in definitions.items():
            if name in self.shipped:
                raise CapcalcError(
                    f"{name!r} is a shipped scenario; give yours another name (it may use "
                    f"`base: {name}`)",
                    file=definition.origin, key="name",
                )
        merged = {**self.definitions, **definitions}
        library = replace(self, definitions=merged)
        for name in definitions:
            library.scenario(name)  # fail now, naming the file, not at first use
        return library

    def add_file(self, path: Path) -> tuple[Library, list[str]]:
        """Read a user scenario file; return the new library and the file's scenario names."""
        definitions = parse_scenarios(load_yaml(path), origin=str(path), default_name=path.stem)
        return self.add(definitions), list(definitions)

    def add_text(self, text: str | bytes, *, origin: str, default_name: str = "uploaded",
                 max_scenarios: int | None = None) -> tuple[Library, list[str]]:
        """Read scenarios from YAML text (an upload); return the library and their names.

        ``max_scenarios`` refuses a file of more scenarios before any is read.
        """
        definitions = parse_scenarios(parse_yaml(text, source=origin), origin=origin,
                                      default_name=default_name, max_scenarios=max_scenarios)
        return self.add(definitions), list(definitions)

    def lineage(self, name: str) -> list[ScenarioDef]:
        """The chain of definitions from the root base down to ``name``.

        Linear in the chain's length, which is at most :data:`MAX_BASE_DEPTH`.

        Raises
        ------
        CapcalcError
            An unknown base, a loop of bases, or a chain deeper than the limit.
        """
        chain: list[ScenarioDef] = []
        seen: set[str] = set()
        current: str | None = name
        while current is not None:
            if current not in self.definitions:
                origin = chain[-1].origin if chain else None
                raise CapcalcError(
                    f"unknown scenario {quoted(current)}{suggest(current, self.definitions)}"
                    f" (known: {listed(self.definitions)})",
                    file=origin, key="base" if chain else None,
                )
            definition = self.definitions[current]
            if current in seen:
                names = [d.name for d in chain]  # each one's base is the next
                loop = " → ".join([*names[names.index(current):], current])
                raise CapcalcError(f"base scenarios loop: {loop}", file=definition.origin,
                                   key="base")
            if len(chain) == MAX_BASE_DEPTH:
                raise _too_deep(chain[0].origin, [d.name for d in chain[:2]], current,
                                more=definition.base is not None)
            chain.append(definition)
            seen.add(current)
            current = definition.base
        return list(reversed(chain))

    def scenario(self, name: str, sets: Iterable[tuple[str, Any]] = (), *,
                 set_origin: str = "--set") -> Scenario:
        """Resolve scenario ``name`` with ``sets`` applied last (as ``--set`` does)."""
        chain = self.lineage(name)
        values = dict(self.baseline.assumptions)
        explicit: set[str] = set()
        meet_target: str | None = None
        layers = [d.changes for d in chain]
        extra = tuple(to_change(key, raw, set_origin) for key, raw in sets)
        if extra:
            layers.append(extra)
        for definition in chain:
            if definition.meet_target:
                meet_target = definition.meet_target
            elif meet_target and _sets(definition.changes, meet_target):
                meet_target = None  # a later scenario fixed the value itself
        if meet_target and _sets(extra, meet_target):
            meet_target = None
        for layer in layers:
            self._apply(values, layer, explicit)
        self._fill_catalog(values, explicit, chain[-1].origin)
        baseline_name = values["target.baseline"].value
        # name the file that set it: the last layer that did, else the baseline
        setter = next((c.origin for layer in reversed(layers) for c in layer
                       if c.key == "target.baseline" and c.has_value), self.baseline.source)
        if baseline_name == name and meet_target:
            # measured from itself a scenario is the reference (multiple 1); solving it to a
            # multiple of itself is circular
            raise CapcalcError(
                f"{shown(name)} is the scenario itself, and meet_target solves "
                f"{meet_target} to a multiple of it; measure it against another scenario "
                f"(e.g. {self.baseline_name()})",
                file=setter, key="target.baseline",
            )
        if baseline_name not in self.definitions:
            raise CapcalcError(
                f"unknown scenario {quoted(baseline_name)}"
                f"{suggest(str(baseline_name), self.definitions)}",
                file=setter, key="target.baseline",
            )
        last = chain[-1]
        correlations = {c.pair: c for c in self.baseline.correlations}
        for definition in chain:  # a later declaration of the same pair replaces the earlier
            correlations.update({c.pair: c for c in definition.correlations})
        planned = next((d for d in reversed(chain) if d.timeline is not None), None)
        if planned is not None and planned.timeline is not None:
            check_phases(planned.timeline, self.baseline.catalog,
                         file=f"{planned.origin}: scenario {planned.name!r}")
        return Scenario(
            name=name,
            title=last.title or name,
            description=last.description or "",
            assumptions=values,
            explicit=frozenset(explicit),
            meet_target=meet_target,
            origin=last.origin,
            lineage=tuple(d.name for d in chain),
            correlations=tuple(correlations.values()),
            timeline=None if planned is None else planned.timeline,
        )

    def with_accelerator(self, scenario: Scenario, accelerator: str) -> Scenario:
        """``scenario`` on another catalog accelerator; inputs it set explicitly stay."""
        if accelerator not in self.baseline.catalog:
            raise CapcalcError(
                f"{quoted(accelerator)} is not in the catalog"
                f"{suggest(accelerator, self.baseline.catalog)}",
                key="hardware.accelerator",
            )
        values = dict(scenario.assumptions)
        values["hardware.accelerator"] = replace(values["hardware.accelerator"], value=accelerator)
        self._fill_catalog(values, set(scenario.explicit), scenario.origin)
        return replace(scenario, assumptions=values,
                       explicit=scenario.explicit | {"hardware.accelerator"})

    def _apply(self, values: dict[str, Assumption], changes: Iterable[Change],
               explicit: set[str]) -> None:
        changes = list(changes)
        set_here = {c.key for c in changes if c.has_value and c.value is not None}
        if set(SIZING_KEYS) <= set_here:
            origin = changes[0].origin
            raise CapcalcError(
                "site.facility_power_mw and site.accelerators are both set; size the site by "
                "one of them",
                file=origin, key="site.accelerators",
            )
        for change in changes:
            old = values[change.key]
            if change.key == "hardware.accelerator" and change.value not in self.baseline.catalog:
                raise CapcalcError(
                    f"{quoted(change.value)} is not in the catalog"
                    f"{suggest(str(change.value), self.baseline.catalog)}"
                    f" (catalog: {', '.join(self.baseline.catalog)})",
                    file=change.origin, key=change.key,
                )
            if change.has_value:
                new = replace(old, value=change.value, source=change.source or change.origin,
                              as_of=change.as_of or old.as_of, note=change.note,
                              low=change.low, high=change.high, dist=change.dist,
                              confidence=None)
                explicit.add(change.key)
            else:
                new = replace(
                    old,
                    low=change.low if change.low is not None else old.low,
                    high=change.high if change.high is not None else old.high,
                    dist=change.dist or old.dist,
                    note=change.note or old.note,
                )
            problem = range_problem(new.value, new.low, new.high)
            if problem:
                raise CapcalcError(problem, file=change.origin, key=change.key)
            values[change.key] = new
            if change.key in SIZING_KEYS and change.has_value and change.value is not None:
                other = other_sizing(change.key)
                if values[other].value is not None:
                    values[other] = replace(values[other], value=None, low=None, high=None,
                                            source=change.origin)
        for key in SIZING_KEYS:
            if values[key].value is None and values[other_sizing(key)].value is None:
                raise CapcalcError(
                    "leaves the site unsized: set site.facility_power_mw or site.accelerators",
                    file=changes[0].origin if changes else None, key=key,
                )

    def _fill_catalog(self, values: dict[str, Assumption], explicit: set[str],
                      origin: str) -> None:
        accelerator = self.baseline.catalog[str(values["hardware.accelerator"].value)]
        precision = str(values["training.precision"].value)
        for key, field_name in CATALOG_FIELDS.items():
            if key in explicit and values[key].value is not None:
                continue
            name = field_name.format(precision=precision)
            entry = accelerator.entries[name]
            values[key] = replace(
                values[key], value=accelerator.field(name), source=entry.source,
                as_of=entry.as_of, note=f"catalog: {accelerator.name}, {name}",
                confidence=entry.confidence, low=entry.low, high=entry.high, dist=entry.dist,
            )


def load_library(assumptions: Path | None = None, scenarios: Path | None = None) -> Library:
    """Load the baseline and the shipped scenarios (capcalc's own files by default)."""
    baseline = load_baseline(assumptions)
    if scenarios is None:
        origin, data = SCENARIOS, parse_yaml(shipped_bytes(SCENARIOS), source=SCENARIOS)
    else:
        origin, data = str(scenarios), load_yaml(scenarios)
    definitions = parse_scenarios(data, origin=origin, default_name=Path(origin).stem)
    library = Library(baseline=baseline, definitions=definitions,
                      shipped=frozenset(definitions))
    for name in definitions:
        library.scenario(name)
    return library
