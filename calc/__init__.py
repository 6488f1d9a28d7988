"""capcalc: compute-capacity scenarios for AI training datacenters.

Load the sourced baseline and scenarios, apply overrides, run the chain from
facility power to accelerators, FLOP, energy and cost, and chart the results::

    import calc
    library = calc.load()
    results = calc.run_many(library, ["cortex-phase1", "cortex-full"])
"""

from __future__ import annotations

__version__ = "0.1.0"

from calc.analysis.run import Result, run, run_many
from calc.core.errors import CapcalcError
from calc.data.scenarios import Library, Scenario, load_library

load = load_library

__all__ = [
    "CapcalcError",
    "Library",
    "Result",
    "Scenario",
    "__version__",
    "load",
    "load_library",
    "run",
    "run_many",
    "simulate",
]


def __getattr__(name: str) -> object:
    """``calc.simulate`` (Monte Carlo), imported on first use: scipy loads only when needed."""
    if name == "simulate":
        from calc.analysis.montecarlo import simulate

        return simulate
    raise AttributeError(f"module 'calc' has no attribute {name!r}")
