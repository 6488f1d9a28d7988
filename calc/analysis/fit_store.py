"""Truncated distributions once solved, kept between runs so a Monte Carlo need not solve again.

Where an input's valid range cuts off part of its distribution,
:func:`calc.analysis.distributions.fit_marginal` solves its parameters again
(a root search with scipy.optimize, whose import costs more than the whole run
of a scenario). The answer depends only on the input's key, family, three
points and bounds, and on the code that solves it, so it is kept in one JSON
file beside the cache of the shipped library (:mod:`calc.data.cache`: the
same folder, the same rules of trust, ``CAPCALC_NO_CACHE=1`` turns it off).
The file's key is the SHA-256 of the solving code (the distributions and the
normal distribution function they are solved through) and of capcalc's,
Python's, numpy's and scipy's versions: another version solves again. scipy's
version is read from its ``version.py`` without importing it, so a run whose
fits are all kept loads no scipy at all. Parameters are stored as JSON numbers,
which give back the very same floats.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from calc.core.version import __version__
from calc.data.cache import cache_dir, cache_enabled, read_entry, write_entry
from calc.data.resources import package_folder

__all__ = ["FORMAT", "STORE_FILE", "recall", "remember", "scipy_version", "store_key"]

#: The file, in capcalc's cache folder.
STORE_FILE = "fitted-distributions.json"
#: Its format, the first field of the file.
FORMAT = "capcalc fitted distributions 1"
#: The modules whose code the answers depend on.
_CODE = ("distributions.py", "normal.py", "roots.py", "fit_store.py")

Params = tuple[float, ...] | None


def scipy_version() -> bytes:
    """The installed scipy's ``version.py`` (its version and git revision), read without
    importing scipy: that import costs more than a whole run whose fits are all kept."""
    spec = importlib.util.find_spec("scipy")
    folders = spec.submodule_search_locations if spec is not None else None
    for folder in folders or ():
        try:
            return (Path(folder) / "version.py").read_bytes()
        except OSError:
            continue
    import scipy  # deferred: a scipy without version.py (never seen) says its version itself

    return f"scipy {scipy.__version__}".encode()


@cache
def store_key() -> str:
    """SHA-256 (hex) of what a solved fit depends on beyond its own inputs."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0capcalc {__version__}\0python {sys.version}\0"
                  f"numpy {np.__version__}\0".encode())
    digest.update(scipy_version())
    for name in _CODE:
        data = package_folder("calc.analysis").joinpath(name).read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _fit(value: Any) -> bool:
    return value is None or (isinstance(value, tuple) and bool(value)
                             and all(isinstance(v, float) for v in value))


def _read() -> dict[str, Params]:
    """The answers in the file, or none if it holds anything but answers."""
    if not cache_enabled():
        return {}
    found = read_entry(cache_dir() / STORE_FILE, FORMAT, store_key(), "fits")
    if not (isinstance(found, dict) and all(_fit(v) for v in found.values())):
        return {}
    return dict(found)


_known: dict[str, Params] = {}
_loaded: list[bool] = []


def _store() -> dict[str, Params]:
    """The answers kept so far (the file read once per process)."""
    if not _loaded:
        _known.update(_read())
        _loaded.append(True)
    return _known


def recall(entry: str) -> tuple[bool, Params]:
    """``(known, params)`` kept for ``entry``: the parameters solved, or None where the solver
    found none (the untruncated fit was kept)."""
    store = _store()
    return entry in store, store.get(entry)


def remember(entry: str, params: Params) -> None:
    """Keep the answer for ``entry`` (parameters, or None: none found)."""
    store = _store()
    store[entry] = params
    if cache_enabled():
        write_entry(cache_dir() / STORE_FILE, FORMAT, store_key(), "fits", store)
