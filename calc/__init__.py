"""capcalc: compute-capacity scenarios for AI training datacenters.

Load the sourced baseline and scenarios, apply overrides, run the chain from
facility power to accelerators, FLOP, energy and cost, and chart the results::

    import calc
    library = calc.load()
    results = calc.run_many(library, ["cortex-phase1", "cortex-full"])

``import calc`` is cheap: each name below is imported on first use, so a
script (or ``capcalc --help``) pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from calc.core.version import __version__

if TYPE_CHECKING:
    from calc.analysis.discover import discover
    from calc.analysis.montecarlo import simulate
    from calc.analysis.power_curve import power_curves
    from calc.analysis.run import Result, run, run_many
    from calc.analysis.sweep import sweep
    from calc.core.errors import CapcalcError
    from calc.data.scenarios import Library, Scenario, load_library

    load = load_library

__all__ = [
    "CapcalcError",
    "Library",
    "Result",
    "Scenario",
    "__version__",
    "discover",
    "load",
    "load_library",
    "power_curves",
    "run",
    "run_many",
    "simulate",
    "sweep",
]

#: Public name → (module, attribute), imported on first use.
_LAZY: dict[str, tuple[str, str]] = {
    "CapcalcError": ("calc.core.errors", "CapcalcError"),
    "Library": ("calc.data.scenarios", "Library"),
    "Scenario": ("calc.data.scenarios", "Scenario"),
    "load": ("calc.data.scenarios", "load_library"),
    "load_library": ("calc.data.scenarios", "load_library"),
    "Result": ("calc.analysis.run", "Result"),
    "run": ("calc.analysis.run", "run"),
    "run_many": ("calc.analysis.run", "run_many"),
    "simulate": ("calc.analysis.montecarlo", "simulate"),
    "discover": ("calc.analysis.discover", "discover"),
    "sweep": ("calc.analysis.sweep", "sweep"),
    "power_curves": ("calc.analysis.power_curve", "power_curves"),
}


def __getattr__(name: str) -> object:
    """The public API, imported on first use (``calc.run``, ``calc.load``, ...)."""
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'calc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
