"""What every subcommand does the same way: load scenarios, read ``--set``, print, write files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calc.analysis.timeline import scenario_phases
from calc.core.errors import CapcalcError, clean_text, quoted, suggest
from calc.core.phases import Phase
from calc.data.cache import shipped_data, shipped_library, shipped_records
from calc.data.phases import apply_phase_sets
from calc.data.records import PeerRecords
from calc.data.scenarios import Library, Scenario, load_library
from calc.presentation.jsondoc import json_text
from calc.presentation.text import fit_text, terminal_style, wants_terminal_style

if TYPE_CHECKING:
    from calc.data.output_folder import FileData
    from calc.data.peers import PeersFile

__all__ = [
    "SET_ORIGIN",
    "Sets",
    "emit",
    "emit_json",
    "library_of",
    "load_scenarios",
    "parse_set",
    "parse_sets",
    "peers_file",
    "peers_read",
    "phases_of",
    "single_scenario",
    "warn",
    "write_out",
]

#: Where ``--set`` values come from, as error lines name it.
SET_ORIGIN = "--set"

Sets = list[tuple[str, str | None]]


def library_of(args: argparse.Namespace) -> Library:
    """The baseline (``--assumptions`` or capcalc's own) and the scenarios with their story
    (``--scenarios FILE`` or capcalc's own ``scenarios.yaml``).

    capcalc's own library comes from the cache of :mod:`calc.data.cache` when it
    holds these exact files; a user's file is always parsed.
    """
    assumptions: Path | None = getattr(args, "assumptions", None)
    scenarios: Path | None = getattr(args, "story", None)
    if assumptions is None and scenarios is None:
        return shipped_library()
    return load_library(assumptions, scenarios)


def peers_file(path: Path | None, library: Library) -> PeersFile:
    """The peers file (``--peers FILE``, or capcalc's own), its chips checked against the
    catalog. capcalc's own is validated from its parsed YAML kept in the cache of
    :mod:`calc.data.cache`; a user's file is always read."""
    from calc.data.peers import load_peers, parse_peers  # deferred: pydantic, for peers only
    from calc.data.resources import PEERS

    catalog = library.baseline.catalog
    if path is None:
        return parse_peers(shipped_data(PEERS), source=PEERS, catalog=catalog)
    return load_peers(path, catalog=catalog)


def peers_read(args: argparse.Namespace, library: Library) -> PeersFile | PeerRecords:
    """capcalc's own peers, as far as a build-out's answer and its checks read them.

    On capcalc's own baseline these are the records kept in the cache of
    :mod:`calc.data.cache` (no validation at all when it is warm); the tests
    check the shipped peers' chips against the shipped catalog. A user's
    ``--assumptions`` brings its own catalog, so the peers file is then validated
    and its chips checked against it (:func:`peers_file`).
    """
    if getattr(args, "assumptions", None) is None:
        return shipped_records()
    return peers_file(None, library)


def load_scenarios(library: Library, items: Sequence[str]) -> tuple[Library, list[str]]:
    """Resolve scenario arguments: shipped names, or files holding one or more scenarios."""
    names: list[str] = []
    for item in items:
        if item in library.definitions:
            names.append(item)
            continue
        path = Path(item)
        if path.suffix.lower() in (".yaml", ".yml") or path.exists():
            library, added = library.add_file(path)
            names.extend(added)
            continue
        raise CapcalcError(
            f"no scenario or file named {quoted(item)}{suggest(item, library.definitions)}"
            f" (scenarios: {', '.join(library.definitions)})", key="scenario")
    return library, names or [library.baseline_name()]


def parse_set(text: str) -> tuple[str, str | None]:
    """Split ``--set`` text ``KEY=VALUE`` into key and raw value (``null`` → None).

    Examples
    --------
    >>> parse_set("site.facility_power_mw=0.5 GW")
    ('site.facility_power_mw', '0.5 GW')
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CapcalcError(f"{text!r} is not KEY=VALUE (e.g. site.facility_power_mw=500)",
                           file=SET_ORIGIN)
    value = value.strip()
    return key, None if value.lower() in ("null", "none", "") else value


def parse_sets(items: Sequence[str]) -> tuple[Sets, Sets]:
    """``--set`` arguments as (key, raw value) pairs: inputs, then phase fields (timeline[N])."""
    pairs = [parse_set(item) for item in items]
    phase = [(k, v) for k, v in pairs if k.startswith("timeline")]
    return [(k, v) for k, v in pairs if not k.startswith("timeline")], phase


def single_scenario(args: argparse.Namespace, *, timeline: bool = False
                    ) -> tuple[Library, Scenario, Sets]:
    """The one scenario a command works on, its ``--set`` inputs applied, and its phase sets.

    Without a scenario, a timeline command takes the first shipped scenario
    that has a build-out; others take the baseline.
    """
    library = library_of(args)
    items = [args.scenarios] if args.scenarios else []
    if not items and timeline:
        with_timeline = [n for n, d in library.definitions.items() if d.timeline is not None]
        items = with_timeline[:1]
    library, names = load_scenarios(library, items)
    if len(names) != 1:
        raise CapcalcError(f"the file holds {len(names)} scenarios ({', '.join(names)}); "
                           "give one scenario name", key="scenario")
    sets, phase_sets = parse_sets(args.sets)
    return library, library.scenario(names[0], sets, set_origin=SET_ORIGIN), phase_sets


def phases_of(library: Library, scenario: Scenario, phase_sets: Sets) -> tuple[Phase, ...]:
    """The scenario's build-out with ``--set timeline[…]`` applied (checked against the catalog)."""
    own = scenario_phases(scenario, buildout=library.story.buildout)
    return apply_phase_sets(own, phase_sets, file=SET_ORIGIN,
                            catalog=library.baseline.catalog)


def emit(text: str) -> None:
    """Print ``text`` on stdout, its long lines wrapped to the output's width (``--wide``:
    as they are); its tables are laid out to that width by whoever rendered them."""
    print(fit_text(text))


def styled(render: Any, *args: Any, **kwargs: Any) -> str:
    """``render(*args, **kwargs)`` with tables styled for stdout (rich on a terminal)."""
    with terminal_style(wants_terminal_style(sys.stdout)):
        text: str = render(*args, **kwargs)
    return text


def emit_json(document: Any) -> None:
    """Print ``document`` as indented JSON (control characters in its text escaped)."""
    print(json_text(document, indent=2))


def warn(lines: Sequence[str]) -> None:
    """Print warnings on stderr, one line each."""
    for line in lines:
        print(f"capcalc: warning: {line}", file=sys.stderr)


def write_out(folder: Path, files: Mapping[str, FileData], *, force: bool) -> list[Path]:
    """Write ``files`` into ``folder`` as one set, its CSV files described in
    ``datapackage.json``, and say so on stderr."""
    # deferred: numpy (through the tables) and the output folders, only when --out writes
    from calc.data.output_folder import write_files
    from calc.presentation.datapackage import with_datapackage

    written = write_files(folder, with_datapackage(files), force=force)
    print(f"wrote {len(written)} files to {clean_text(str(folder))}", file=sys.stderr)
    return written
