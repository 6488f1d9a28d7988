"""capcalc's shipped data files, read as package data through :mod:`importlib.resources`.

The top-level ``assumptions.yaml``, ``scenarios.yaml``, ``peers.yaml`` and their
JSON Schemas are the files people edit; ``calc/data/shipped/`` links to them,
and a wheel carries their content, so an installed capcalc reads the same data
from anywhere (a test checks the two never differ).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

__all__ = ["ASSUMPTIONS", "PEERS", "SCENARIOS", "SHIPPED_FILES", "shipped", "shipped_bytes"]

ASSUMPTIONS = "assumptions.yaml"
SCENARIOS = "scenarios.yaml"
PEERS = "peers.yaml"
#: Every shipped file, by the name it has at the top of the repository.
SHIPPED_FILES = (ASSUMPTIONS, SCENARIOS, PEERS, "assumptions.schema.json",
                 "scenarios.schema.json", "peers.schema.json")


def shipped(name: str) -> Traversable:
    """The shipped file ``name`` (one of :data:`SHIPPED_FILES`) inside the installed package."""
    if name not in SHIPPED_FILES:
        raise KeyError(name)
    return resources.files("calc.data").joinpath("shipped").joinpath(name)


def shipped_bytes(name: str) -> bytes:
    """The content of the shipped file ``name``."""
    return shipped(name).read_bytes()
