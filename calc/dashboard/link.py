"""The link: a session's shared state as URL query parameters, and read back from them.

What a link carries (:class:`LinkState`) is a preset name, the inputs the user
changed (each as ``(dotted key, value as text)``, the same text ``--set``
takes), the build-out phases if the user edited them, the views' settings
(:class:`calc.dashboard.settings.Settings`: which view, the horizon, the Monte
Carlo's samples and seed, ...) and an uploaded scenario file:

* ``scenario=cortex-full`` and one parameter per changed input (``site.pue=1.3``);
* phase edits as ``timeline[3].facility_power_mw=600`` (as ``--set`` writes them), or,
  when rows were added, removed or renamed, the whole table packed in ``timeline=…``;
* a phase's slip range as ``timeline[3].delay_months={value: 0, low: 0, high: 12}``;
* ``view=timeline``, ``until=2035``, ``samples=20000``, ``seed=7``, ``probability=90``
  (the target box's, in per cent), ``slip=0`` (announced phases keep their dates
  instead of slipping as their operator's record says), ... when not the default;
* an uploaded file packed (zlib, then URL-safe base64) in ``upload=…`` with its name
  in ``upload_name=…``, checked exactly as an upload is when the link is opened.

These functions hold no Streamlit state and can be tested directly.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from calc.core.errors import CapcalcError, clean_text, quoted, suggest
from calc.core.phases import PHASE_SET_FIELDS, Phase, phase_key
from calc.dashboard.keys import NO_UPLOAD, Pin, Sets, Upload
from calc.dashboard.settings import LINK_ORIGIN, Settings
from calc.data.changes import to_change
from calc.data.io import MAX_YAML_BYTES
from calc.data.phases import apply_phase_sets, check_phases, to_phases
from calc.data.scenarios import Library
from calc.data.schema import PhaseSpec
from calc.data.validation import validation_message

__all__ = [
    "LINK_ORIGIN",
    "MAX_LINK_CHARS",
    "MAX_PARAMS",
    "MAX_PHASES_BYTES",
    "MAX_PHASES_DEPTH",
    "MAX_PINS",
    "MAX_UPLOAD_BYTES",
    "PHASES_PARAM",
    "PINS_PARAM",
    "PRESET_PARAM",
    "SET_ORIGIN",
    "UPLOAD_NAME_PARAM",
    "UPLOAD_PARAM",
    "LinkState",
    "as_library_sets",
    "delay_text",
    "link_params",
    "nesting",
    "pack",
    "parse_link",
    "parse_pins",
    "phase_params",
    "phases_from_records",
    "pins_text",
    "safe_file_name",
    "unpack",
    "upload_fits",
    "validate_set",
    "value_text",
]

logger = logging.getLogger(__name__)

#: Where inputs changed in the dashboard say they came from (tooltips, error messages).
SET_ORIGIN = "set in the dashboard"
#: Query parameter holding the preset's name.
PRESET_PARAM = "scenario"
#: Query parameter holding the whole phase table when field edits cannot say it.
PHASES_PARAM = "timeline"
#: Query parameter holding the variants pinned in Compare: each ``preset;key=value;...``,
#: joined by ``|`` (``pin=cortex-full;hardware.accelerator=GB200|tenfold``).
PINS_PARAM = "pin"
#: The most variants a user pins beside the current scenario.
MAX_PINS = 4
#: Query parameters of an uploaded scenario file: its packed text and its name.
UPLOAD_PARAM, UPLOAD_NAME_PARAM = "upload", "upload_name"
#: A packed value longer than this does not travel in a link: many servers and chat
#: programs cut URLs of more than ~8,000 characters.
MAX_LINK_CHARS = 6_000
#: The largest scenario file read, from the uploader or a link (capcalc's YAML limit).
MAX_UPLOAD_BYTES = MAX_YAML_BYTES
#: A link with more parameters than this is not what the page wrote; the rest are ignored.
MAX_PARAMS = 200
#: The most a packed phase table (``timeline=``) unpacks to: 100 phases of a few hundred
#: bytes each fit many times over.
MAX_PHASES_BYTES = 100_000
#: How deep a packed phase table may nest (a list of phase records is two levels), checked
#: before it is parsed: a short link of nested brackets would exhaust the parser's stack.
MAX_PHASES_DEPTH = 4


def value_text(value: Any) -> str:
    """The shortest text that reads back as exactly ``value`` (``"null"`` for None).

    >>> value_text(100.0), value_text(0.35), value_text(9.89e14), value_text("GB200")
    ('100', '0.35', '9.89e+14', 'GB200')
    >>> float(value_text(1 / 3)) == 1 / 3
    True
    """
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    number = float(value)
    if not math.isfinite(number):
        return repr(number)
    short = f"{number:g}"
    return short if float(short) == number else repr(number)


def as_library_sets(sets: Iterable[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """``sets`` as :meth:`calc.Library.scenario` takes them (``"null"`` → None)."""
    return [(key, None if text == "null" else text) for key, text in sets]


def validate_set(library: Library, preset: str, sets: Mapping[str, str], key: str, raw: str,
                 *, origin: str = LINK_ORIGIN) -> str:
    """Check one more input on top of ``sets``; return its canonical text.

    Raises
    ------
    CapcalcError
        One line naming ``origin``, the key and what would be right.
    """
    change = to_change(key, None if raw.strip().lower() in ("null", "none") else raw, origin)
    text = value_text(change.value)
    trial = {**sets, key: text}
    library.scenario(preset, as_library_sets(sorted(trial.items())), set_origin=origin)
    return text


# ---------------------------------------------------------------- packed text


def pack(text: str) -> str:
    """``text`` compressed and written with URL-safe characters only.

    >>> pack("site.pue: 1.3\\n")
    'eNorzixJ1SsoTbVSMNQz5gIAJVUEJA'
    >>> unpack(pack("name: mine\\nsite.pue: 1.3\\n"))
    'name: mine\\nsite.pue: 1.3\\n'
    """
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode(
        "ascii").rstrip("=")


_PACKED = re.compile(r"^[A-Za-z0-9_-]*$")


def unpack(blob: str, *, key: str = UPLOAD_PARAM, limit: int = MAX_UPLOAD_BYTES) -> str:
    """The text :func:`pack` wrote; at most ``limit`` bytes are ever inflated.

    Raises
    ------
    CapcalcError
        Keyed by ``key``, when the text is too long, not packed text, or larger than ``limit``.
    """
    if len(blob) > MAX_LINK_CHARS:
        raise CapcalcError(f"is {len(blob):,} characters long; a link carries at most "
                           f"{MAX_LINK_CHARS:,}", file=LINK_ORIGIN, key=key)
    if not _PACKED.fullmatch(blob):
        raise CapcalcError("is not packed text (letters, digits, - and _ only)",
                           file=LINK_ORIGIN, key=key)
    try:
        data = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, limit + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise CapcalcError("is damaged (not zlib data in URL-safe base64); copy the whole "
                           "link", file=LINK_ORIGIN, key=key) from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise CapcalcError(f"unpacks to more than {limit:,} bytes", file=LINK_ORIGIN, key=key)
    if not inflater.eof:
        raise CapcalcError("is cut short; copy the whole link", file=LINK_ORIGIN, key=key)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CapcalcError("is not UTF-8 text", file=LINK_ORIGIN, key=key) from None


_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,79}\.ya?ml$")


def safe_file_name(name: str) -> str:
    """An uploaded file's name as the page and the link use it (else ``upload.yaml``).

    >>> safe_file_name("cortex-2027.yaml"), safe_file_name("../../etc/passwd")
    ('cortex-2027.yaml', 'upload.yaml')
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base if _FILE_NAME.fullmatch(base) else "upload.yaml"


# ---------------------------------------------------------------- phases


def phases_from_records(records: Sequence[Mapping[str, Any]], *, catalog: Any,
                        file: str) -> tuple[Phase, ...]:
    """Phase records (``name``, ``start``, ``facility_power_mw``, ...) checked as a scenario
    file's ``timeline:`` is; a CapcalcError naming the row and the field otherwise."""
    specs = []
    for i, record in enumerate(records):
        try:
            specs.append(PhaseSpec.model_validate(dict(record)))
        except ValidationError as exc:
            key, message = validation_message(exc, known=PhaseSpec.model_fields)
            raise CapcalcError(message, file=file, key=f"row {i + 1}: {key}") from None
    phases = to_phases(specs, file=file)
    check_phases(phases, catalog, file=file)
    return phases


def delay_text(phase: Phase) -> str:
    """A phase's delay as ``--set timeline[N].delay_months=`` takes it: whole months, or
    the slip's 90 % range as a YAML flow mapping.

    >>> delay_text(Phase("p", "2026-07", 500, delay_months=3))
    '3'
    >>> delay_text(Phase("p", "2026-07", 500, delay_months=2, delay_low=0, delay_high=12))
    '{value: 2, low: 0, high: 12}'
    """
    if phase.delay_low is None or phase.delay_high is None:
        return str(int(phase.delay_months))
    return (f"{{value: {int(phase.delay_months)}, low: {int(phase.delay_low)}, "
            f"high: {int(phase.delay_high)}}}")


#: Fields of a phase that a link's ``timeline[N].FIELD`` parameters may change: those of
#: ``--set``, the slip range travelling with ``delay_months``.
_LINK_FIELDS = {*PHASE_SET_FIELDS, "delay_low", "delay_high"}


def _field_text(phase: Phase, name: str) -> str:
    return delay_text(phase) if name == "delay_months" else value_text(getattr(phase, name))


def _field_changed(old: Phase, new: Phase, name: str) -> bool:
    if name == "delay_months":
        return (old.delay_months, old.delay_low, old.delay_high) != \
            (new.delay_months, new.delay_low, new.delay_high)
    return bool(getattr(old, name) != getattr(new, name))


def phase_params(default: Sequence[Phase], phases: Sequence[Phase]) -> dict[str, str]:
    """The link parameters that turn ``default`` into ``phases``.

    Field edits of the same rows become ``timeline[N].FIELD`` parameters (as
    ``--set`` takes them; a slip range as ``timeline[N].delay_months={value: 0, low: 0,
    high: 12}``); anything else packs the whole table in ``timeline``.
    """
    if tuple(default) == tuple(phases):
        return {}
    same_rows = len(default) == len(phases) and all(
        {k: v for k, v in a.to_dict().items() if k not in _LINK_FIELDS} ==
        {k: v for k, v in b.to_dict().items() if k not in _LINK_FIELDS}
        for a, b in zip(default, phases, strict=True))
    if same_rows:
        out = {}
        for i, (old, new) in enumerate(zip(default, phases, strict=True)):
            for name in PHASE_SET_FIELDS:
                if _field_changed(old, new, name):
                    out[phase_key(i, name)] = _field_text(new, name)
        return out
    records = [p.to_dict() for p in phases]
    return {PHASES_PARAM: pack(json.dumps(records, separators=(",", ":"), ensure_ascii=False))}


# ---------------------------------------------------------------- the link


@dataclass
class LinkState:
    """What a link asks for, each part checked; ``warnings`` say what was left out and why."""

    preset: str
    sets: dict[str, str] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    phases: tuple[Phase, ...] | None = None
    upload: Upload = NO_UPLOAD
    pins: tuple[Pin, ...] = ()
    warnings: list[str] = field(default_factory=list)


#: Checks an uploaded file (name, bytes) exactly as the uploader does; returns its library.
UploadCheck = Callable[[str, bytes], Library]
#: The phases a scenario's build-out starts from (its own, or those it is measured on).
DefaultPhases = Callable[[Library, str, dict[str, str]], tuple[Phase, ...] | None]


def _problem(exc: Exception) -> str:
    """One line for an error that is not a CapcalcError (a link must never crash the page)."""
    return f"cannot be used ({type(exc).__name__}: {clean_text(str(exc), limit=120)})"


def parse_link(shipped: Library, params: Mapping[str, Sequence[str]], default_preset: str, *,
               check_upload: UploadCheck, default_phases: DefaultPhases
               ) -> tuple[LinkState, Library]:
    """Read the state from query parameters; invalid ones fall back to their default.

    Parameters
    ----------
    shipped : Library
        The baseline and shipped scenarios.
    params : mapping of str to list of str
        The URL's query parameters, each with every value it was given.
    default_preset : str
        The preset used when the link names none or an unknown one.
    check_upload : callable
        Validates an uploaded file as the file uploader does; returns its library.
    default_phases : callable
        The build-out phases of a preset with inputs applied (None when it has none).

    Returns
    -------
    LinkState, Library
        The state (with one warning per parameter left out, saying why) and the
        library it runs in (the shipped one, plus the uploaded file).
    """
    warnings: list[str] = []
    items = list(params.items())
    if len(items) > MAX_PARAMS:
        warnings.append(f"{LINK_ORIGIN}: the link has {len(items):,} parameters; the page "
                        f"reads at most {MAX_PARAMS}, so the last {len(items) - MAX_PARAMS:,} "
                        "were ignored")
        items = items[:MAX_PARAMS]
    values: dict[str, str] = {}
    for key, given in items:
        given = list(given) or [""]
        if len(given) > 1:
            warnings.append(f"{LINK_ORIGIN}: {clean_text(key, limit=60)} is given "
                            f"{len(given)} times; using the last")
        values[key] = given[-1]

    library, upload = shipped, NO_UPLOAD
    if UPLOAD_PARAM in values:
        name = safe_file_name(values.pop(UPLOAD_NAME_PARAM, "upload.yaml"))
        try:
            text = unpack(values.pop(UPLOAD_PARAM))
            library = check_upload(name, text.encode("utf-8"))
            upload = (name, text)
        except CapcalcError as exc:
            warnings.append(f"{exc}; the uploaded scenario is not shown")
        except Exception as exc:  # a link must never crash the page
            logger.warning("link parameter %s: %s", UPLOAD_PARAM, exc)
            warnings.append(f"{LINK_ORIGIN}: {UPLOAD_PARAM}: {_problem(exc)}; the uploaded "
                            "scenario is not shown")
    values.pop(UPLOAD_NAME_PARAM, None)

    state = LinkState(preset=values.pop(PRESET_PARAM, "") or default_preset, upload=upload,
                      warnings=warnings)
    if state.preset not in library.definitions:
        warnings.append(
            f"{LINK_ORIGIN}: {PRESET_PARAM}: unknown scenario {quoted(state.preset)}"
            f"{suggest(state.preset, library.definitions)}; showing {default_preset}")
        state.preset = default_preset

    state.settings = Settings.from_link(values, warnings)
    if PINS_PARAM in values:
        state.pins = parse_pins(library, values.pop(PINS_PARAM), warnings)

    packed = values.pop(PHASES_PARAM, None)
    phase_sets = [(k, v) for k, v in values.items() if k.startswith("timeline")]
    for key, raw in values.items():
        if key.startswith("timeline"):
            continue
        try:
            state.sets[key] = validate_set(library, state.preset, state.sets, key, str(raw))
        except CapcalcError as exc:
            warnings.append(f"{exc}; using the default for {clean_text(key, limit=60)}")
        except Exception as exc:
            logger.warning("link parameter %s: %s", key, exc)
            warnings.append(f"{LINK_ORIGIN}: {clean_text(key, limit=60)}: {_problem(exc)}; "
                            "using the default")
    if packed is not None or phase_sets:
        state.phases = _link_phases(library, state, packed, phase_sets, default_phases)
    return state, library


def nesting(text: str) -> int:
    """How deep the brackets of JSON ``text`` nest (text inside strings ignored), in one pass.

    >>> nesting('[{"name": "a[b]", "start": "2026-01"}]'), nesting("[" * 5)
    (2, 5)
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _phase_records(packed: str) -> list[dict[str, Any]]:
    """The phase records a link's ``timeline=`` packs, bounded in size and depth before parsing.

    Raises
    ------
    CapcalcError
        Keyed ``timeline``: too long, too large unpacked, nested too deep, not a list of phases.
    """
    text = unpack(packed, key=PHASES_PARAM, limit=MAX_PHASES_BYTES)
    depth = nesting(text)
    if depth > MAX_PHASES_DEPTH:
        raise CapcalcError(f"nests {depth:,} levels deep; a phase table is a list of phases "
                           f"(2 levels; the page reads at most {MAX_PHASES_DEPTH})",
                           file=LINK_ORIGIN, key=PHASES_PARAM)
    try:
        records = json.loads(text)
    except ValueError:
        raise CapcalcError("is not a phase table (not JSON); copy the whole link",
                           file=LINK_ORIGIN, key=PHASES_PARAM) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CapcalcError("is not a list of phases", file=LINK_ORIGIN, key=PHASES_PARAM)
    return records


def _link_phases(library: Library, state: LinkState, packed: str | None,
                 phase_sets: list[tuple[str, str]], default_phases: DefaultPhases
                 ) -> tuple[Phase, ...] | None:
    catalog = library.baseline.catalog
    phases: tuple[Phase, ...] | None = None
    if packed is not None:
        try:
            phases = phases_from_records(_phase_records(packed), catalog=catalog,
                                         file=f"{LINK_ORIGIN}: {PHASES_PARAM}")
        except CapcalcError as exc:
            state.warnings.append(f"{exc}; using the scenario's phases")
        except Exception as exc:  # a link must never crash the page
            logger.warning("link parameter %s: %s", PHASES_PARAM, exc)
            state.warnings.append(f"{LINK_ORIGIN}: {PHASES_PARAM}: {_problem(exc)}; using "
                                  "the scenario's phases")
    if phases is None:
        try:
            phases = default_phases(library, state.preset, state.sets)
        except CapcalcError:
            phases = None
    if phases is None:
        if phase_sets:
            state.warnings.append(f"{LINK_ORIGIN}: {phase_sets[0][0]}: the scenario has no "
                                  "build-out phases; ignored")
        return None
    for key, raw in phase_sets:
        try:
            phases = apply_phase_sets(phases, [(key, raw)], file=LINK_ORIGIN, catalog=catalog)
        except CapcalcError as exc:
            state.warnings.append(f"{exc}; using the phase's own value")
        except Exception as exc:
            logger.warning("link parameter %s: %s", key, exc)
            state.warnings.append(f"{LINK_ORIGIN}: {clean_text(key, limit=60)}: "
                                  f"{_problem(exc)}; using the phase's own value")
    return phases


def pins_text(pins: Sequence[Pin]) -> str:
    """The link text of pinned variants (see :data:`PINS_PARAM`).

    >>> pins_text([("cortex-full", (("hardware.accelerator", "GB200"),)), ("tenfold", ())])
    'cortex-full;hardware.accelerator=GB200|tenfold'
    """
    return "|".join(";".join([preset, *(f"{k}={v}" for k, v in sets)]) for preset, sets in pins)


def parse_pins(library: Library, raw: str, warnings: list[str]) -> tuple[Pin, ...]:
    """The pinned variants link text ``raw`` names, each checked as a link's inputs are; a
    variant that cannot be read adds a line to ``warnings`` and is left out, and so are those
    beyond :data:`MAX_PINS`.

    >>> import calc
    >>> notes: list[str] = []
    >>> parse_pins(calc.load(), "cortex-full;site.pue=1.3|nowhere", notes)
    (('cortex-full', (('site.pue', '1.3'),)),)
    >>> print(notes[0])  # doctest: +ELLIPSIS
    link: pin: unknown scenario 'nowhere'...; that variant is not pinned
    """
    pins: list[Pin] = []
    parts = [part for part in raw.split("|") if part.strip()]
    for part in parts[:MAX_PINS]:
        preset, *pairs = part.split(";")
        preset = preset.strip()
        if preset not in library.definitions:
            warnings.append(f"{LINK_ORIGIN}: {PINS_PARAM}: unknown scenario {quoted(preset)}"
                            f"{suggest(preset, library.definitions)}; that variant is not "
                            "pinned")
            continue
        sets: dict[str, str] = {}
        try:
            for pair in pairs:
                key, sep, text = pair.partition("=")
                if not sep:
                    raise CapcalcError(f"{quoted(pair, 40)} is not key=value",
                                       file=LINK_ORIGIN, key=PINS_PARAM)
                sets[key.strip()] = validate_set(library, preset, sets, key.strip(), text)
        except CapcalcError as exc:
            warnings.append(f"{exc}; that variant is not pinned")
            continue
        pin = (preset, tuple(sorted(sets.items())))
        if pin not in pins:
            pins.append(pin)
    if len(parts) > MAX_PINS:
        warnings.append(f"{LINK_ORIGIN}: {PINS_PARAM}: {len(parts)} variants; the page pins "
                        f"at most {MAX_PINS}, so the last {len(parts) - MAX_PINS} were left out")
    return tuple(pins)


def link_params(preset: str, sets: Sets, default_preset: str, *,
                settings: Settings | None = None,
                phases: Mapping[str, str] | None = None,
                upload: Upload = NO_UPLOAD, pins: Sequence[Pin] = ()) -> dict[str, str]:
    """The query parameters of a state: ``scenario`` unless default, every changed input,
    the phase edits, every setting not at its default, the pinned variants, and the
    uploaded file if it fits.

    >>> link_params("cortex-full", (("site.pue", "1.3"),), "cortex-phase1")
    {'scenario': 'cortex-full', 'site.pue': '1.3'}
    >>> link_params("cortex-phase1", (), "cortex-phase1", settings=Settings(view="cost"))
    {'view': 'cost'}
    """
    params = {} if preset == default_preset else {PRESET_PARAM: preset}
    params.update(sets)
    params.update(phases or {})
    params.update(settings.link() if settings is not None else {})
    if pins:
        params[PINS_PARAM] = pins_text(pins)
    name, text = upload
    if text:
        packed = pack(text)
        if len(packed) <= MAX_LINK_CHARS:
            params[UPLOAD_PARAM] = packed
            params[UPLOAD_NAME_PARAM] = safe_file_name(name)
    return params


def upload_fits(upload: Upload) -> bool:
    """Whether an uploaded file travels in the link (see :data:`MAX_LINK_CHARS`)."""
    return not upload[1] or len(pack(upload[1])) <= MAX_LINK_CHARS

