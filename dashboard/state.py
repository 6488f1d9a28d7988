"""The dashboard's state as text: preset and changed inputs, and their shareable link form.

The state is a preset name plus the inputs the user changed, each as
``(dotted key, value as text)``, the same text ``--set`` takes. That text is
what the URL's query parameters carry (``?scenario=cortex-full&site.pue=1.3``),
what keys the caches, and what a downloaded scenario file is written from.
These functions hold no Streamlit state and can be tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from calc.core.errors import CapcalcError, suggest
from calc.data.scenarios import Library, to_change

from dashboard.context import Sets

__all__ = [
    "LINK_ORIGIN",
    "PRESET_PARAM",
    "SET_ORIGIN",
    "as_library_sets",
    "link_params",
    "parse_link",
    "validate_set",
    "value_text",
]

#: The name errors give to values read from the URL.
LINK_ORIGIN = "link"
#: Where inputs changed in the dashboard say they came from (tooltips, error messages).
SET_ORIGIN = "set in the dashboard"
#: Query parameter holding the preset's name.
PRESET_PARAM = "scenario"


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


def parse_link(library: Library, params: Mapping[str, str], default_preset: str
               ) -> tuple[str, dict[str, str], list[str]]:
    """Read the state from query parameters; invalid ones fall back to their default.

    Parameters
    ----------
    library : Library
        Knows the scenarios a link may name.
    params : mapping of str to str
        The URL's query parameters (``scenario`` and dotted input keys).
    default_preset : str
        The preset used when the link names none or an unknown one.

    Returns
    -------
    preset : str
    sets : dict of str to str
        The valid inputs, as canonical text.
    warnings : list of str
        One line per parameter ignored, saying why.
    """
    warnings: list[str] = []
    preset = params.get(PRESET_PARAM) or default_preset
    if preset not in library.definitions:
        warnings.append(
            f"{LINK_ORIGIN}: {PRESET_PARAM}: unknown scenario {preset!r}"
            f"{suggest(preset, library.definitions)}; showing {default_preset}"
        )
        preset = default_preset
    sets: dict[str, str] = {}
    for key, raw in params.items():
        if key == PRESET_PARAM:
            continue
        try:
            sets[key] = validate_set(library, preset, sets, key, str(raw))
        except CapcalcError as exc:
            warnings.append(f"{exc}; using the default for {key}")
    return preset, sets, warnings


def link_params(preset: str, sets: Sets, default_preset: str) -> dict[str, str]:
    """The query parameters of a state: ``scenario`` unless default, then every changed input.

    >>> link_params("cortex-full", (("site.pue", "1.3"),), "cortex-phase1")
    {'scenario': 'cortex-full', 'site.pue': '1.3'}
    >>> link_params("cortex-phase1", (), "cortex-phase1")
    {}
    """
    params = {} if preset == default_preset else {PRESET_PARAM: preset}
    params.update(sets)
    return params
