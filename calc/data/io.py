"""All file reading and writing: bounded safe YAML, atomic writes that never clobber.

Nothing else in capcalc opens a file. Reading takes regular files only (a
named pipe, a device or a folder is refused before it is read) and at most the
size limit plus one byte; YAML is parsed with PyYAML's safe loader only, typed
as YAML 1.2 types plain scalars (no octal ``010``, base 60 ``1:30`` or
``yes``/``no`` booleans), with limits on size, nesting and aliases so a hostile
file costs bounded work. Writing goes to a temporary file (or, for a run's
whole set, a temporary folder: :mod:`calc.data.output_folder`) beside the
target and is renamed into place, so an interrupted write leaves the old file
intact.
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

import yaml

from calc.core.errors import CapcalcError

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_NODES",
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

# Limits on what one YAML document may cost. capcalc's own files are tens of kilobytes
# and hold under 2,000 values; PyYAML reads some 20,000-50,000 values a second.
MAX_YAML_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_NODES = 20_000


class _Refused(yaml.YAMLError):
    """A document capcalc refuses to read whole: past a size, depth or alias limit."""


class _BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, deep nesting and alias bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        # Per open node, the height of its tallest finished child; its length is the depth.
        self._open: list[int] = []
        # Finished nodes by id: (values they stand for with aliases expanded, height).
        self._done: dict[int, tuple[int, int]] = {}
        self._values = 0

    def _count(self, mark: Any, values: int, height: int) -> None:
        """Add a finished node (or an alias to one) to the totals; refuse past the limits."""
        self._values += values
        if self._values > MAX_NODES:
            raise _Refused(
                f"line {mark.line + 1}: more than {MAX_NODES:,} values"
                + (" (an alias counts as all it stands for)" if self._aliases else "")
                + "; capcalc files are far smaller"
            )
        if len(self._open) + height > MAX_DEPTH:
            raise _Refused(
                f"line {mark.line + 1}: nesting deeper than {MAX_DEPTH} levels"
                + (" (aliases expanded)" if height > 1 else "")
            )
        if self._open:
            self._open[-1] = max(self._open[-1], height)

    def compose_node(self, parent: Any, index: Any) -> Any:
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    f"line {mark.line + 1}: more than {MAX_ALIASES} aliases (*name); "
                    "capcalc files have no need of them"
                )
            node = super().compose_node(parent, index)
            if id(node) not in self._done:
                raise _Refused(f"line {mark.line + 1}: an alias inside its own anchor")
            self._count(mark, *self._done[id(node)])
            return node
        if len(self._open) >= MAX_DEPTH:
            raise _Refused(f"line {mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        before = self._values
        self._open.append(0)
        node = super().compose_node(parent, index)
        height = 1 + self._open.pop()
        self._count(mark, 1, height)
        self._done[id(node)] = (self._values - before, height)
        return node

    def construct_yaml_int(self, node: Any) -> int:
        """A decimal integer only: ``!!int 010`` or ``!!int 1:30`` would be octal or base 60."""
        text = str(self.construct_scalar(node))
        if not _DECIMAL_INT.match(text):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not a decimal integer; write the number itself "
                "(without a leading zero, base-60 groups or a base prefix)", node.start_mark)
        try:
            return int(text)
        except ValueError:  # Python refuses to read integers of more than 4,300 digits
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of {len(node.value):,} digits is too long to read",
                node.start_mark,
            ) from None

    def construct_yaml_float(self, node: Any) -> float:
        """A YAML 1.2 float only: ``!!float 1:30`` would be base 60."""
        text = str(self.construct_scalar(node))
        if ":" in text or "_" in text:
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not a decimal number; write the number itself",
                node.start_mark)
        return float(super().construct_yaml_float(node))

    def construct_yaml_bool(self, node: Any) -> bool:
        """``true`` or ``false`` only: YAML 1.1's yes, no, on and off are text here."""
        text = str(self.construct_scalar(node))
        if text.lower() not in ("true", "false"):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not true or false", node.start_mark)
        return text.lower() == "true"

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """Dates stay text as written (``as_of: 2024-08-01`` is the text ``'2024-08-01'``)."""
        return self.construct_scalar(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.YAMLError(
                    f"line {key_node.start_mark.line + 1}: a key must be plain text"
                )
            if key in seen:
                raise yaml.YAMLError(
                    f"line {key_node.start_mark.line + 1}: duplicate key {key!r}"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_map(loader: _BoundedSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    return loader.construct_mapping(node, deep=True)


_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:int",
                                   _BoundedSafeLoader.construct_yaml_int)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:float",
                                   _BoundedSafeLoader.construct_yaml_float)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:bool",
                                   _BoundedSafeLoader.construct_yaml_bool)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                   _BoundedSafeLoader.construct_yaml_timestamp)

# Plain scalars are typed as YAML 1.2's core schema types them, not as PyYAML's YAML 1.1:
# no octal (010), base 60 (1:30), yes/no/on/off booleans, timestamps or `=`. Text that
# YAML 1.1 would have read as a number stays text, so where a number is expected the
# loaders refuse it naming the key (calc.data.units.parse_quantity says why).
_DECIMAL_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_YAML12 = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),  # kept only to refuse it by name
]
_BoundedSafeLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _YAML12:
    _BoundedSafeLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


#: Characters YAML 1.1 (PyYAML) reads as line breaks and YAML 1.2 does not: a file holding
#: one would set keys a YAML 1.2 reader never sees, so it is refused.
_ODD_BREAKS = {"\x85": "next-line (NEL)", "\u2028": "line separator",
               "\u2029": "paragraph separator"}
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


class _QuotingSafeDumper(yaml.SafeDumper):
    """SafeDumper that quotes text which YAML 1.2 (capcalc) *or* YAML 1.1 would type.

    PyYAML's dumper quotes only what YAML 1.1 reads as a number, so text such as
    ``1e400`` would be written plain and read back by capcalc as a float.
    """


_QuotingSafeDumper.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in _YAML12:
    _QuotingSafeDumper.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _represent_text(dumper: _QuotingSafeDumper, text: str) -> yaml.ScalarNode:
    """Text holding a character YAML 1.1 takes for a line break, double-quoted.

    In double quotes the emitter writes it as an escape (``\\N``, ``\\L``, ``\\P``);
    in any other style it would be written raw, and :func:`parse_yaml` refuses a
    file holding one raw.
    """
    node: yaml.ScalarNode = dumper.represent_str(text)
    if _ODD_BREAK.search(text):
        node.style = '"'
    return node


_QuotingSafeDumper.add_representer(str, _represent_text)


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
    return yaml.dump(document, Dumper=_QuotingSafeDumper, sort_keys=False,
                     allow_unicode=True, width=width)


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
    try:
        loader = _BoundedSafeLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if "\\t" in what or "'\\t'" in str(exc):
            what += " (YAML indents with spaces, not tabs)"
        if "found another document" in what:
            what = ("the file holds more than one YAML document (a line `---` starts another); "
                    "capcalc reads one: put every scenario in one document, under "
                    "`scenarios:` for several")
        if what.startswith("could not determine a constructor for the tag"):
            tag = what.rsplit(" ", 1)[-1]
            what = (f"the tag {tag} is not read; capcalc files hold plain numbers, text, "
                    "lists and mappings" + (" (write merged keys out)" if "merge" in tag else ""))
        raise CapcalcError(f"{where}malformed YAML: {what}", file=source) from None
    except _Refused as exc:
        raise CapcalcError(str(exc), file=source) from None
    except yaml.YAMLError as exc:
        raise CapcalcError(f"malformed YAML: {exc}", file=source) from None
    except RecursionError:
        raise CapcalcError(
            f"nesting deeper than {MAX_DEPTH} levels", file=source
        ) from None


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
