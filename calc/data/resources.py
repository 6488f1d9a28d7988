"""capcalc's shipped data files, read as package data (:mod:`importlib.resources`' way).

The top-level ``assumptions.yaml``, ``scenarios.yaml``, ``peers.yaml`` and their
JSON Schemas are the files people edit; ``calc/data/shipped/`` links to them,
and a wheel carries their content, so an installed capcalc reads the same data
from anywhere (a test checks the two never differ).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["ASSUMPTIONS", "PEERS", "SCENARIOS", "SHIPPED_FILES", "package_folder", "shipped",
           "shipped_bytes"]

ASSUMPTIONS = "assumptions.yaml"
SCENARIOS = "scenarios.yaml"
PEERS = "peers.yaml"
#: Every shipped file, by the name it has at the top of the repository.
SHIPPED_FILES = (ASSUMPTIONS, SCENARIOS, PEERS, "assumptions.schema.json",
                 "scenarios.schema.json", "peers.schema.json")


def package_folder(package: str) -> Traversable:
    """The folder of the imported package ``package`` (``calc.data``, ...), as
    :func:`importlib.resources.files` gives it.

    An installed or editable capcalc is a folder on disk, read with :mod:`pathlib`
    directly; only a package without one (a zip) goes through
    :mod:`importlib.resources`, whose import (with :mod:`zipfile`) costs more
    than reading the files.
    """
    module = sys.modules.get(package)
    location = getattr(module, "__file__", None)
    if location is not None and Path(location).name == "__init__.py" \
            and Path(location).parent.is_dir():
        return Path(location).parent
    from importlib import resources  # deferred: only a package that is not a folder

    return resources.files(package)


def shipped(name: str) -> Traversable:
    """The shipped file ``name`` (one of :data:`SHIPPED_FILES`) inside the installed package."""
    if name not in SHIPPED_FILES:
        raise KeyError(name)
    return package_folder("calc.data").joinpath("shipped").joinpath(name)


def shipped_bytes(name: str) -> bytes:
    """The content of the shipped file ``name``."""
    return shipped(name).read_bytes()
