"""A cache of capcalc's parsed shipped library, keyed by the exact content it was parsed from.

Reading the shipped ``assumptions.yaml`` and ``scenarios.yaml`` (safe YAML,
pydantic validation, unit conversion, every scenario resolved once) is most of
what a ``capcalc run`` costs beyond its imports, and it gives the same
:class:`~calc.data.scenarios.Library` every time for the same files and code.
So the command line keeps that library in one JSON file under
``$XDG_CACHE_HOME/capcalc`` (default ``~/.cache/capcalc``), and beside it, under
the same key, the operators' records every answer reads from ``peers.yaml``
(:class:`~calc.data.records.PeerRecords`: the schedule record and the stated
compute), so a warm ``capcalc run`` validates no file at all.

The cache can never be stale: its key is the SHA-256 of the three shipped
files' bytes, of the source of the code that parses them (``calc.core`` and
``calc.data``), of capcalc's version and of the Python version. A file with
another key, or one that is unreadable, corrupt, writable by other users or
holding anything but a library, is ignored and rewritten. The file is data
only: reading it builds capcalc's own frozen dataclasses and plain containers,
nothing else. Writes go to a temporary file renamed into place, so a reader
sees the old file or the new one, never half of one; a cache that cannot be
written (a read-only home) is skipped silently. User files (``--assumptions``,
scenario files) are never cached: their content is parsed every time.
``CAPCALC_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from calc.core.version import __version__
from calc.data.io import parse_yaml
from calc.data.records import PeerRecords, records_of
from calc.data.resources import ASSUMPTIONS, PEERS, SCENARIOS, package_folder, shipped_bytes
from calc.data.scenarios import Library, load_library

__all__ = [
    "CACHE_FILE",
    "FORMAT",
    "NO_CACHE_ENV",
    "RECORDS_FILE",
    "cache_dir",
    "cache_enabled",
    "cache_key",
    "decode",
    "encode",
    "read_entry",
    "read_library",
    "shipped_data",
    "shipped_library",
    "shipped_records",
    "write_entry",
    "write_library",
]

logger = logging.getLogger(__name__)

#: Set to 1 (or true, yes, on) to neither read nor write the cache.
NO_CACHE_ENV = "CAPCALC_NO_CACHE"
#: The one cache file: a newer key replaces the older entry rather than piling up beside it.
CACHE_FILE = "shipped-library.json"
#: The operators' records of the shipped peers.yaml, under the same key.
RECORDS_FILE = "shipped-records.json"
#: The format, the first field of the file; a file without it is not ours.
FORMAT = "capcalc shipped library 1"
#: The format of a file keeping a shipped file's parsed YAML (plain data, validated on use).
DATA_FORMAT = "capcalc shipped data 1"
#: The shipped files the key covers (peers.yaml too, so one key stands for the shipped data).
_KEYED_FILES = (ASSUMPTIONS, SCENARIOS, PEERS)
#: The packages whose code turns the shipped files into a library.
_CODE_PACKAGES = ("calc.core", "calc.data")
#: A cache file larger than this is not ours (the shipped library takes ~65 kB), bytes.
_MAX_BYTES = 16 * 1024 * 1024

Environ = Mapping[str, str]


def cache_enabled(environ: Environ | None = None) -> bool:
    """False when ``CAPCALC_NO_CACHE`` is set to anything but empty, 0, false, no or off."""
    value = (os.environ if environ is None else environ).get(NO_CACHE_ENV, "")
    return value.strip().lower() in ("", "0", "false", "no", "off")


def cache_dir(environ: Environ | None = None) -> Path:
    """``$XDG_CACHE_HOME/capcalc``, or ``~/.cache/capcalc`` (a relative XDG path is ignored)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "capcalc"


def cache_key() -> str:
    """The cache key: SHA-256 (hex) of everything the parsed library depends on.

    That is the shipped files' bytes, the source of the code that parses them,
    capcalc's version and Python's. Any change to any of them gives another
    key, so a cached library is never used for content it was not parsed from.
    """
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0capcalc {__version__}\0python {sys.version}\0"
                  f"{sys.implementation.cache_tag}\0".encode())
    for name in _KEYED_FILES:
        data = shipped_bytes(name)
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    for package in _CODE_PACKAGES:
        files = sorted(package_folder(package).iterdir(), key=lambda entry: entry.name)
        for item in files:
            if item.is_file() and item.name.endswith((".py", ".txt")):
                data = item.read_bytes()
                digest.update(f"{package}/{item.name}\0{len(data)}\0".encode())
                digest.update(data)
    return digest.hexdigest()


# ------------------------------------------------------------------ the JSON form


def encode(value: Any) -> Any:
    """``value`` (capcalc's frozen dataclasses, mappings, tuples, frozensets, scalars) as JSON data.

    Containers and dataclasses become tagged objects, so :func:`decode` gives
    back an equal value of the same types.

    >>> encode((1.5, frozenset({"a"}), {"k": None}))
    {'tuple': [1.5, {'frozenset': ['a']}, {'dict': {'k': None}}]}
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        return {"class": f"{kind.__module__}:{kind.__qualname__}",
                "fields": {f.name: encode(getattr(value, f.name))
                           for f in dataclasses.fields(value) if f.init}}
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("only mappings with text keys are cached")
        return {"dict": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, tuple):
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, frozenset):
        return {"frozenset": [encode(item) for item in sorted(value, key=repr)]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    raise TypeError(f"a {type(value).__name__} is not cached")


def _dataclass(name: str) -> type:
    """The capcalc dataclass ``module:Name``, from a module already imported, or ValueError."""
    module_name, _, qualname = name.partition(":")
    module = sys.modules.get(module_name)
    if module is None or not (module_name == "calc" or module_name.startswith("calc.")):
        raise ValueError(f"{name} is not one of capcalc's loaded modules")
    found = getattr(module, qualname, None)
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise ValueError(f"{name} is not a capcalc dataclass")
    return found


def decode(node: Any) -> Any:
    """The value :func:`encode` made ``node`` from; ValueError for anything else.

    Only capcalc's own dataclasses (of modules already imported) and plain
    containers are built: a cache file is data, it can run no code.

    >>> decode(encode((1.5, frozenset({"a"}), {"k": None})))
    (1.5, frozenset({'a'}), {'k': None})
    """
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [decode(item) for item in node]
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise ValueError("not a cached value")
    if len(node) == 2:
        kind, fields = _dataclass(str(node.get("class"))), node.get("fields")
        if not isinstance(fields, dict):
            raise ValueError("a cached dataclass without fields")
        return kind(**{str(key): decode(item) for key, item in fields.items()})
    ((tag, content),) = node.items()
    if tag == "dict" and isinstance(content, dict):
        return {key: decode(item) for key, item in content.items()}
    if tag == "tuple" and isinstance(content, list):
        return tuple(decode(item) for item in content)
    if tag == "frozenset" and isinstance(content, list):
        return frozenset(decode(item) for item in content)
    raise ValueError(f"not a cached value: {tag!r}")


# ------------------------------------------------------------------ the file


def _trusted(path: Path) -> bool:
    """The file is ours: owned by this user and writable by no one else (POSIX)."""
    if not hasattr(os, "getuid"):
        return True
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def read_entry(path: Path, form: str, key: str, field: str) -> Any:
    """The value cached in ``path`` (a file of format ``form``) under ``key``, decoded; None
    if the file is absent, foreign (another user's, or writable by others), too large,
    corrupt, of another format or under another key."""
    try:
        if not path.is_file() or not _trusted(path) or path.stat().st_size > _MAX_BYTES:
            return None
        entry = json.loads(path.read_bytes())
        if not (isinstance(entry, dict) and entry.get("format") == form
                and entry.get("key") == key):
            return None
        return decode(entry.get(field))
    except Exception as exc:  # a broken cache is only a slower start, never an error
        logger.debug("ignoring the cache %s: %s", path, exc)
        return None


def read_library(path: Path, key: str) -> Library | None:
    """The library cached in ``path`` under ``key``; None if absent, foreign, corrupt or stale."""
    library = read_entry(path, FORMAT, key, "library")
    return library if isinstance(library, Library) else None


def write_entry(path: Path, form: str, key: str, field: str, value: Any) -> bool:
    """Store ``value`` (:func:`encode`) as ``field`` under ``key`` in ``path``, a file of
    format ``form``, atomically; False if it cannot be written (the cache is then skipped)."""
    temporary: str | None = None
    try:
        data = json.dumps({"format": form, "key": key, field: encode(value)},
                          ensure_ascii=False, allow_nan=True, separators=(",", ":"))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(data)
        os.replace(temporary, path)
        temporary = None
        return True
    except (OSError, TypeError, ValueError) as exc:
        logger.debug("not caching in %s: %s", path, exc)
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def write_library(path: Path, key: str, library: Library) -> bool:
    """Store ``library`` under ``key`` in ``path`` atomically; False if it cannot be written."""
    return write_entry(path, FORMAT, key, "library", library)


def _shipped_peer_records() -> PeerRecords:
    # deferred: the peers file is validated with pydantic, only when the cache cannot answer
    from calc.data.peers import load_peers

    return records_of(load_peers())


def shipped_records(build: Callable[[], PeerRecords] = _shipped_peer_records) -> PeerRecords:
    """The operators' records of capcalc's own ``peers.yaml``, from the cache when it holds
    this content (as :func:`shipped_library`)."""
    if not cache_enabled():
        return build()
    path = cache_dir() / RECORDS_FILE
    key = cache_key()
    records = read_entry(path, FORMAT, key, "records")
    if not isinstance(records, PeerRecords):
        records = build()
        write_entry(path, FORMAT, key, "records", records)
    return records


def shipped_library(build: Callable[[], Library] = load_library) -> Library:
    """capcalc's own baseline and shipped scenarios, from the cache when it holds this content.

    Parameters
    ----------
    build : callable
        Parses the shipped files when the cache has no valid entry (default
        :func:`~calc.data.scenarios.load_library` with no arguments).

    Returns
    -------
    Library
        Equal to what ``build()`` returns: the cache stores exactly that.
    """
    if not cache_enabled():
        return build()
    path = cache_dir() / CACHE_FILE
    key = cache_key()
    library = read_library(path, key)
    if library is None:
        library = build()
        write_library(path, key, library)
    return library


def shipped_data(name: str) -> Any:
    """The parsed YAML of the shipped file ``name`` (``peers.yaml``): plain data, from the
    cache when it holds this content, to be validated by its reader as a parsed file is.

    Safe YAML parsing is most of what reading ``peers.yaml`` costs; its result is plain
    mappings, lists and scalars, which the cache stores exactly.
    """
    def parse() -> Any:
        return parse_yaml(shipped_bytes(name), source=name)

    if not cache_enabled():
        return parse()
    path = cache_dir() / f"shipped-{name.rsplit('.', 1)[0]}.json"
    key = cache_key()
    data = read_entry(path, DATA_FORMAT, key, "data")
    if data is None:
        data = parse()
        write_entry(path, DATA_FORMAT, key, "data", data)
    return data
