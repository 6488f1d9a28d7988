"""All file reading and writing: bounded safe YAML, atomic writes that never clobber.

Nothing else in capcalc opens a file. Reading takes regular files only (a
named pipe, a device or a folder is refused before it is read) and at most the
size limit plus one byte; YAML is parsed with PyYAML's safe loader only, typed
as YAML 1.2 types plain scalars (no octal ``010``, base 60 ``1:30`` or
``yes``/``no`` booleans), with limits on size, nesting and aliases so a hostile
file costs bounded work (the loader and its limits are
:mod:`calc.data.yaml_loader`'s, imported only when a document is read or
written). Writing goes to a temporary file (or, for a run's whole set, a
temporary folder: :mod:`calc.data.output_folder`) beside the target and is
renamed into place, so an interrupted write leaves the old file intact.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calc.core.errors import CapcalcError

__all__ = [
    "MAX_YAML_BYTES",
    "atomic_write",
    "blocked_path",
    "check_writable",
    "dump_yaml",
    "load_yaml",
    "new_file_mode",
    "not_a_file",
    "parse_yaml",
    "read_limited",
    "resolve_inside",
    "write_bytes",
    "write_text",
]

# The size of one YAML document capcalc reads, bytes: its own files are tens of kilobytes.
# Limits on nesting, values and aliases are calc.data.yaml_loader's.
MAX_YAML_BYTES = 1_000_000


def dump_yaml(document: Any, *, width: int = 100) -> str:
    """``document`` as YAML text that :func:`parse_yaml` reads back as the same values.

    Keys keep their order; text that YAML 1.2 or YAML 1.1 would read as a
    number, a boolean or null is quoted, so it stays text for capcalc and for
    other YAML readers alike; text holding a character YAML 1.1 takes for a
    line break (U+0085, U+2028, U+2029) is double-quoted, which writes the
    character as an escape that :func:`parse_yaml` reads without refusing it.

    Examples
    --------
    >>> print(dump_yaml({"note": "1e400", "value": 1e400, "ok": "yes"}), end="")
    note: '1e400'
    value: .inf
    ok: 'yes'
    >>> print(dump_yaml({"note": "a\\u2028b"}), end="")  # a line separator inside
    note: "a\\Lb"
    """
    # deferred: PyYAML only when a document is really written
    from calc.data.yaml_loader import dump_document

    return dump_document(document, width=width)


#: Characters YAML 1.1 (PyYAML) reads as line breaks and YAML 1.2 does not: a file holding
#: one would set keys a YAML 1.2 reader never sees, so it is refused.
_ODD_BREAKS = {"\x85": "next-line (NEL)", "\u2028": "line separator",
               "\u2029": "paragraph separator"}
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def parse_yaml(text: str | bytes, *, source: str) -> Any:
    """Parse YAML text with capcalc's bounded safe loader.

    Parameters
    ----------
    text : str or bytes
        The document; bytes must be UTF-8.
    source : str
        Name used in error messages (a file name, ``"upload"``, ...).

    Raises
    ------
    CapcalcError
        One line naming ``source`` and, where known, the line number.

    Examples
    --------
    >>> parse_yaml("site: {pue: 1.2}", source="example")
    {'site': {'pue': 1.2}}
    """
    if len(text) > MAX_YAML_BYTES:
        raise CapcalcError(
            f"file is {len(text):,} bytes; capcalc reads YAML files of at most "
            f"{MAX_YAML_BYTES:,} bytes",
            file=source,
        )
    if isinstance(text, bytes):
        if text.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise CapcalcError("UTF-16 text; save the file as UTF-8", file=source)
        if b"\x00" in text[:8192]:
            raise CapcalcError("binary data, not a YAML text file", file=source)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CapcalcError(
                f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", file=source
            ) from None
    if "\x00" in text:
        raise CapcalcError("binary data, not a YAML text file", file=source)
    odd_break = _ODD_BREAK.search(text)
    if odd_break is not None:
        at = odd_break.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        name = _ODD_BREAKS[odd_break.group()]
        raise CapcalcError(
            f"line {line}, column {column}: a {name} character "
            f"(U+{ord(odd_break.group()):04X}), which some YAML readers take for a line break "
            "and others do not, so the file means two things; remove it or write a real line "
            "break", file=source)
    # deferred: PyYAML only when a document is really read (the cache answers most commands)
    from calc.data.yaml_loader import load_document

    return load_document(text, source=source)


#: What a path that is not a regular file is, in words.
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def not_a_file(mode: int) -> str | None:
    """What ``mode`` describes when it is not a regular file (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def _too_big(size: int, limit: int, name: str, *, exact: bool = True) -> CapcalcError:
    what = f"file is {size:,} bytes" if exact else f"file is over {limit:,} bytes"
    return CapcalcError(f"{what}; capcalc reads YAML files of at most {limit:,} bytes",
                        file=name)


def read_limited(path: Path, limit: int = MAX_YAML_BYTES) -> bytes:
    """The bytes of the regular file ``path``: at most ``limit``, else a CapcalcError.

    Only regular files are read (a link is followed to what it names): a folder,
    a named pipe, a device or a socket is refused at once, before it is opened
    for reading, and the file is opened without blocking, so a FIFO swapped in
    meanwhile cannot hang the read either. At most ``limit + 1`` bytes are read
    whatever the file's size claims to be (``/proc`` files say 0).
    """
    name = str(path)
    try:
        kind = not_a_file(os.stat(path).st_mode)
        if kind is None:
            flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise CapcalcError("no such file", file=name) from None
    except (OSError, ValueError) as exc:  # no permission, a loop of links, a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CapcalcError(f"cannot read: {reason}", file=name) from None
    if kind is not None:
        raise CapcalcError(f"is {kind}, not a YAML file", file=name)
    chunks: list[bytes] = []
    try:
        info = os.fstat(fd)
        kind = not_a_file(info.st_mode)  # what was opened, should the path have changed
        if kind is not None:
            raise CapcalcError(f"is {kind}, not a YAML file", file=name)
        if info.st_size > limit:
            raise _too_big(info.st_size, limit, name)
        os.set_blocking(fd, True)
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise CapcalcError(f"cannot read: {exc.strerror or exc}", file=name) from None
    finally:
        os.close(fd)
    if total > limit:
        raise _too_big(total, limit, name, exact=False)
    return b"".join(chunks)


def load_yaml(path: Path) -> Any:
    """Read (with :func:`read_limited`) and parse a YAML file with :func:`parse_yaml`'s limits."""
    return parse_yaml(read_limited(path), source=str(path))


def resolve_inside(folder: Path, name: str) -> Path:
    """Return ``folder / name`` resolved, refusing any path that leaves ``folder``.

    Examples
    --------
    >>> resolve_inside(Path("/tmp/out"), "chart.png").name
    'chart.png'
    """
    try:
        root = folder.resolve()
        target = (root / name).resolve()
    except (ValueError, OSError, RuntimeError) as exc:  # a NUL byte, a symlink loop
        raise CapcalcError(f"{name!r} is not a usable file name ({exc})",
                           file=str(folder)) from None
    if target != root and root not in target.parents:
        raise CapcalcError(f"{name!r} would be written outside {root}", file=str(folder))
    return target


def blocked_path(path: Path) -> CapcalcError | None:
    """Why ``path`` cannot be written as a file: a folder is in its place or a file in its way."""
    if path.is_dir():
        return CapcalcError("is a folder; capcalc would write a file here", file=str(path))
    for folder in path.parents:
        if folder.exists():
            return None if folder.is_dir() else CapcalcError(
                "is a file, not a folder; capcalc writes into a folder", file=str(folder))
    return None


def check_writable(paths: list[Path], *, force: bool) -> None:
    """Refuse, before anything is written, when a file exists and ``force`` is off.

    Also refuse when a path cannot be written at all: a folder stands where the
    file would go, or a file where a folder is needed.
    """
    for path in paths:
        problem = blocked_path(path)
        if problem:
            raise problem
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise CapcalcError(
            f"{shown}{more} already exist; pass --force to overwrite",
            file=str(existing[0].parent),
        )


# Read once at import: os.umask can only be read by setting it, which is not thread-safe.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def new_file_mode(path: Path) -> int:
    """The mode a new file would get (0666 less the umask), or the existing file's mode."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "wb") -> Iterator[Any]:
    """Open a temporary file beside ``path``; rename it over ``path`` on success.

    An exception (or a killed process) leaves ``path`` as it was and removes
    the temporary file where it can. A failure of the file system (a file where
    a folder should be, a full disk, no permission) is a :class:`CapcalcError`.
    """
    problem = blocked_path(path)
    if problem:
        raise problem
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    try:
        os.fchmod(fd, new_file_mode(path))
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))
