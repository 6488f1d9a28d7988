"""Output folders as transactions: a run's whole set of files, or the previous set.

Every file of a run is first written into a temporary folder beside its
targets; only when all are written are they renamed into place, with Ctrl-C
and SIGTERM held off for those renames. The folder is locked meanwhile, so a
second run into it stops with one line instead of mixing its files with the
first's.

The lock is an advisory kernel lock (``flock``) on ``.capcalc.lock``, which
also records the holder's process id for the message. The kernel releases it
when its holder ends, however it ends, so a lock file left by a killed run is
simply taken by the next; no run ever has to guess from a process id whether
the holder is still alive. Where ``flock`` does not exist, the lock file is
created exclusively and a file naming a process that no longer runs is taken
over.

The lock file is capcalc's own: it is opened without following a link and
used only when it is a plain file with one name and a few bytes. A symbolic
or hard link, a folder, a pipe, a device or a large file in its place is named
in one line before anything is written, so nothing outside the folder is ever
opened for writing and no file of the user's is truncated or read whole. Only
temporary folders named as capcalc names them are cleaned up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from calc.core.errors import CapcalcError, clean_text
from calc.data.io import blocked_path, new_file_mode, not_a_file, resolve_inside

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "MAX_DESCRIBED_BYTES", "MAX_HEADER_BYTES", "MAX_LOCK_BYTES", "FileData",
           "FolderFile", "check_folder", "folder_lock", "write_files"]

#: The lock a run holds on its output folder while it writes there.
LOCK_NAME = ".capcalc.lock"
#: The most a lock file capcalc made can hold (a process id and a line break); a larger
#: file of that name is not capcalc's, and is neither read nor used.
MAX_LOCK_BYTES = 64
_TMP_PREFIX = ".capcalc-tmp-"
#: A temporary folder capcalc made: its prefix and 16 hexadecimal digits, nothing else.
_TMP_NAME = re.compile(r"^\.capcalc-tmp-[0-9a-f]{16}$", re.ASCII)
#: Open without following a symbolic link (0 where the system has no such flag).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: This user (-1 where the system has no user ids: any owner's folder then matches).
_UID = os.getuid() if hasattr(os, "getuid") else -1
#: Bytes a path inside an output folder adds to the folder's: a temporary folder's name
#: and the longest file name capcalc writes, with room to spare.
_ROOM_INSIDE = 128
#: Reads of a held lock's process id before the message goes without it (the
#: holder writes its id a few microseconds after taking the lock).
_PID_READS = 200

#: The most of a file a :class:`FolderFile` is given: the whole file it replaces, or the
#: first line of each file it describes.
MAX_DESCRIBED_BYTES = 1_000_000
MAX_HEADER_BYTES = 65_536


@dataclass(frozen=True)
class FolderFile:
    """A file of a set that describes the folder's other files of a kind (``datapackage.json``).

    It is built under the folder's lock, when the set is written, by ``build``
    from the file of its name that it replaces (its bytes, or None) and the first
    line of each file ending in ``suffix`` that the folder holds and the set does
    not replace (name → bytes), so it describes what the folder will hold after
    the set, not only the set. Only plain files are read (no link is followed),
    and only so much: :data:`MAX_DESCRIBED_BYTES` of the file replaced (a larger
    one counts as None), :data:`MAX_HEADER_BYTES` of a first line.
    """

    suffix: str
    build: Callable[[bytes | None, Mapping[str, bytes]], bytes]


FileData = bytes | Callable[[], bytes] | FolderFile


def _busy(folder: Path, pid: int, *, kernel_lock: bool = True) -> CapcalcError:
    """The one line for a folder another run is writing into.

    A kernel lock is held only by a live process, so the line says to wait; a
    lock file alone (where there is no ``flock``) may outlive a crashed run, so
    the line also says when it may be removed.
    """
    holder = f" (process {pid})" if pid > 0 else ""
    advice = "wait for it to finish" if kernel_lock else (
        f"wait for it to finish, or remove {LOCK_NAME} if no capcalc is running")
    return CapcalcError(
        f"another capcalc run{holder} is writing into this folder (it holds {LOCK_NAME}); "
        f"{advice}", file=str(folder))


def _not_a_lock(lock: Path, what: str) -> CapcalcError:
    """The one line for a lock file that is not one capcalc made: it is named, never used."""
    return CapcalcError(
        f"is {what}, not the plain lock file capcalc makes; nothing was written: remove it "
        "if no capcalc run is writing into this folder", file=str(lock))


def _check_lock(lock: Path, info: os.stat_result) -> None:
    """Refuse a lock that is a link, a folder, a pipe, a device or larger than a lock.

    Called on the entry itself (``lstat``) before the lock is opened, and on
    what was opened (``fstat``), so neither a link nor a swapped-in file is
    ever written through, truncated or read whole.
    """
    if stat.S_ISLNK(info.st_mode):
        raise _not_a_lock(lock, "a symbolic link")
    kind = not_a_file(info.st_mode)
    if kind is not None:
        raise _not_a_lock(lock, kind)
    if info.st_nlink != 1:
        raise _not_a_lock(lock, f"a file with {info.st_nlink} names (a hard link)")
    if info.st_size > MAX_LOCK_BYTES:
        raise _not_a_lock(lock, f"{info.st_size:,} bytes long (capcalc's lock holds a "
                                f"process id, at most {MAX_LOCK_BYTES} bytes)")


def _open_lock(lock: Path, flags: int) -> int:
    """Open ``lock`` (checked first), never following a link, never blocking on a pipe."""
    with contextlib.suppress(FileNotFoundError):
        _check_lock(lock, os.lstat(lock))
    fd = os.open(lock, flags | _NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        _check_lock(lock, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _holder(lock: Path) -> int:
    """The process id a held ``lock`` records (0 when it cannot be read).

    At most :data:`MAX_LOCK_BYTES` are read, and only from a plain file.
    """
    for _ in range(_PID_READS):
        try:
            fd = _open_lock(lock, os.O_RDONLY)
        except (OSError, CapcalcError):
            return 0
        try:
            text = os.read(fd, MAX_LOCK_BYTES).decode("ascii", "replace")
        except OSError:
            return 0
        finally:
            os.close(fd)
        first = text.split("\n", 1)[0].strip()
        if first.isdigit() and first.isascii():
            return int(first)
        os.sched_yield()
    return 0


def _record_holder(fd: int) -> None:
    """Write this process's id at the start of the locked file, never truncating it.

    A lock left by a killed run holds at most :data:`MAX_LOCK_BYTES`; what is
    left of it after the id is blanked (the first line is the id).
    """
    size = os.fstat(fd).st_size
    text = f"{os.getpid()}\n".encode("ascii")
    os.pwrite(fd, text + b" " * max(0, size - len(text)), 0)


def _flock(folder: Path, lock: Path) -> int:
    """Take ``lock`` with ``flock``; return its open descriptor.

    A lock file can be removed (by the run releasing it) between this run
    opening it and locking it; the lock then guards nothing, so the file is
    opened again until the locked file is the one the name points to.
    """
    assert fcntl is not None
    while True:
        fd = _open_lock(lock, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _busy(folder, _holder(lock)) from None
        try:
            current = os.lstat(lock).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            _record_holder(fd)
            return fd
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _exclusive_file(folder: Path, lock: Path) -> None:  # pragma: no cover - not POSIX
    """Take ``lock`` by creating it exclusively (where there is no ``flock``)."""
    for attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o644)
        except FileExistsError:
            _check_lock(lock, os.lstat(lock))
            pid = _holder(lock)
            if attempt == 0 and (pid <= 0 or not _alive(pid)):
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            raise _busy(folder, pid, kernel_lock=False) from None
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{os.getpid()}\n")
        return


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder``'s lock while the block runs; remove the lock file after.

    The lock is opened without following a link, and refused (named, before
    anything is written) when it is not a plain file of one name and a few
    bytes: a link, a hard link, a folder, a pipe, a device or a large file.

    Raises
    ------
    CapcalcError
        Another run holds the lock (the message names its process), the lock
        is not capcalc's, or it cannot be created.
    """
    lock = folder / LOCK_NAME
    fd = -1
    try:
        if fcntl is not None:
            fd = _flock(folder, lock)
        else:  # pragma: no cover - not POSIX
            _exclusive_file(folder, lock)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link put there after the check
            raise _not_a_lock(lock, "a symbolic link") from None
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(lock)) from None
    try:
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()  # while still held, so no run locks a file that is gone
        if fd >= 0:
            os.close(fd)


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Within the block, SIGTERM unwinds like Ctrl-C, so temporary files are removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT and SIGTERM until the block ends (the renames that commit a set)."""
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "pthread_sigmask")):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _stale_staging(folder: Path) -> list[Path]:
    """Temporary folders a killed run left in ``folder``: capcalc's own names only.

    Only a folder (not a link) named exactly as capcalc names them (its prefix
    and 16 hexadecimal digits) and owned by this user is taken: a user's
    ``.capcalc-tmp-notes/`` is theirs, and is left alone.
    """
    stale = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not _TMP_NAME.match(entry.name):
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode) and _UID in (-1, info.st_uid):
                stale.append(Path(entry.path))
    return stale


def _plan(folder: Path, names: list[str], force: bool) -> list[Path]:
    """The entries ``names`` take in ``folder``, checked before anything is written."""
    root = folder.resolve()
    entries = []
    seen: dict[Path, str] = {}
    for name in names:
        if (not name or "/" in name or name in (".", "..") or name.startswith(_TMP_PREFIX)
                or name.startswith(LOCK_NAME)):
            raise CapcalcError(f"{name!r} is not a plain file name", file=str(folder))
        target = resolve_inside(root, name)
        if target in seen:
            raise CapcalcError(
                f"{seen[target]} and {name} are the same file (a link joins them); capcalc "
                "writes each output once: remove the link", file=str(folder))
        seen[target] = name
        entry = root / name
        if entry.is_dir() and not entry.is_symlink():
            raise CapcalcError("is a folder; capcalc would write a file here", file=str(entry))
        entries.append(entry)
    existing = [e for e in entries if e.exists() or e.is_symlink()]
    if existing and not force:
        listed = ", ".join(str(p) for p in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise CapcalcError(f"{listed}{more} already exist; pass --force to overwrite",
                           file=str(folder))
    return entries


def _plain_bytes(path: Path, limit: int, *, first_line: bool = False) -> bytes | None:
    """Up to ``limit`` bytes of ``path`` (its first line only, if asked); None unless it is
    a plain file (a link, a pipe, a folder are not read) of at most ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_size > limit and not first_line):
            return None
        data = os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.split(b"\n", 1)[0].rstrip(b"\r") if first_line else data


def _described(folder: Path, data: FolderFile, entry: Path, replaced: set[str]) -> bytes:
    """Build ``data`` from the file it replaces and the first lines of the files it describes."""
    others: dict[str, bytes] = {}
    with os.scandir(folder) as entries:
        for item in entries:
            if (item.name.lower().endswith(data.suffix) and item.name not in replaced
                    and item.is_file(follow_symlinks=False)):
                header = _plain_bytes(Path(item.path), MAX_HEADER_BYTES, first_line=True)
                if header is not None:
                    others[item.name] = header
    return data.build(_plain_bytes(entry, MAX_DESCRIBED_BYTES), dict(sorted(others.items())))


def _stage(staging: Path, name: str, data: FileData, entry: Path, replaced: set[str]) -> Path:
    """Write one file of the set into ``staging`` (synced to disk); return its path."""
    if isinstance(data, FolderFile):
        payload = _described(entry.parent, data, entry, replaced)
    else:
        payload = data() if callable(data) else data
    path = staging / name
    try:
        with open(path, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, new_file_mode(entry))
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(entry)) from None
    return path


def _limit(folder: Path, name: str, default: int) -> int:
    """The file system's ``pathconf`` limit ``name`` where ``folder`` (or its parent) is."""
    for place in (folder, *folder.parents, Path(".")):
        try:
            if place.is_dir():
                return int(os.pathconf(place, name))
        except (OSError, ValueError, AttributeError):
            continue
    return default


def check_folder(folder: Path) -> None:
    """Refuse at once, in one line, a folder that capcalc could not write a set into.

    An empty name, a name holding a NUL, a folder name or a path longer than the
    file system takes (with room for the files capcalc writes inside it), a file
    where the folder or one of its parents should be, and a lock file that is not
    capcalc's (:func:`folder_lock`). Nothing is created or written; the command
    line calls this before it computes anything, so a mistake is named at once.

    Raises
    ------
    CapcalcError
        Keyed ``out`` (the flag) when the name itself is wrong, else naming the path.
    """
    text = str(folder)
    if text == "":
        raise CapcalcError("is empty; name the folder to write into", key="out")
    if "\x00" in text:
        raise CapcalcError(f"'{clean_text(text, limit=60)}' holds a NUL character; no file "
                           "system takes it in a name", key="out")
    encoded = os.fsencode(text)
    name_max = _limit(folder, "PC_NAME_MAX", 255)
    longest = max(encoded.split(b"/"), key=len)
    if len(longest) > name_max:
        raise CapcalcError(
            f"a folder name of {len(longest):,} bytes "
            f"('{clean_text(os.fsdecode(longest), limit=30)}') is "
            f"longer than the file system takes ({name_max:,} bytes); choose a shorter name",
            key="out")
    path_max = _limit(folder, "PC_PATH_MAX", 4096) - 1
    if len(encoded) + _ROOM_INSIDE > path_max:
        raise CapcalcError(
            f"a path of {len(encoded):,} bytes is too long: with the files capcalc writes "
            f"inside it, it would pass the system's limit of {path_max + 1:,} bytes; choose "
            "a shorter path", key="out")
    try:
        problem = blocked_path(folder / "x")
        if problem is None and folder.exists() and not folder.is_dir():
            problem = CapcalcError("is a file, not a folder; capcalc writes into a folder",
                                   file=text)
        if problem is not None:
            raise problem
        lock = folder / LOCK_NAME
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            _check_lock(lock, os.lstat(lock))
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=text) from None


def write_files(folder: Path, files: Mapping[str, FileData], *, force: bool) -> list[Path]:
    """Write a whole set of files into ``folder`` as one transaction; return their paths.

    Under ``folder``'s lock (a second run into the same folder stops with one
    line), every file is first written into a temporary folder beside them; only
    when all are written are they renamed into place, with Ctrl-C and SIGTERM
    held off for those renames. An interrupted or failed run (a full disk, a
    kill while the files are written) therefore leaves the previous set as it
    was, and the next run into the folder removes what a killed run left. A
    value may be a callable giving the bytes (a chart is drawn only then), or a
    :class:`FolderFile` built from what the folder holds (under the lock).

    Raises
    ------
    CapcalcError
        An empty folder name, a name that is not plain, two names that are one
        file, existing files without ``force``, another run writing into the
        folder, or a file system error.
    """
    check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(folder)) from None
    with _terminate_cleanly(), folder_lock(folder):
        for stale in _stale_staging(folder):  # left by a killed run; the lock is ours
            shutil.rmtree(stale, ignore_errors=True)
        entries = _plan(folder, list(files), force)
        # Named before it is made, and made inside the try: a signal that lands as the
        # folder is created (inside mkdtemp, say) could otherwise leave it behind.
        staging = folder / f"{_TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            try:
                staging.mkdir(mode=0o700)
            except OSError as exc:
                raise CapcalcError(f"cannot write: {exc.strerror or exc}",
                                   file=str(folder)) from None
            replaced = set(files)
            staged = [(_stage(staging, name, data, entry, replaced), entry)
                      for (name, data), entry in zip(files.items(), entries, strict=True)]
            with _signals_held():
                for path, entry in staged:
                    os.replace(path, entry)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return entries
