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
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from calc.core.errors import CapcalcError
from calc.data.io import blocked_path, new_file_mode, resolve_inside

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "FileData", "folder_lock", "write_files"]

#: The lock a run holds on its output folder while it writes there.
LOCK_NAME = ".capcalc.lock"
_TMP_PREFIX = ".capcalc-tmp-"
#: Reads of a held lock's process id before the message goes without it (the
#: holder writes its id a few microseconds after taking the lock).
_PID_READS = 200

FileData = bytes | Callable[[], bytes]


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


def _holder(lock: Path) -> int:
    """The process id a held ``lock`` records (0 when it cannot be read)."""
    for _ in range(_PID_READS):
        try:
            text = lock.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return 0
        if text.isdigit():
            return int(text)
        os.sched_yield()
    return 0


def _flock(folder: Path, lock: Path) -> int:
    """Take ``lock`` with ``flock``; return its open descriptor.

    A lock file can be removed (by the run releasing it) between this run
    opening it and locking it; the lock then guards nothing, so the file is
    opened again until the locked file is the one the name points to.
    """
    assert fcntl is not None
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _busy(folder, _holder(lock)) from None
        try:
            current = os.stat(lock).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
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


def _exclusive_file(folder: Path, lock: Path) -> None:
    """Take ``lock`` by creating it exclusively (where there is no ``flock``)."""
    for attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
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

    Raises
    ------
    CapcalcError
        Another run holds the lock (the message names its process), or the
        lock cannot be created.
    """
    lock = folder / LOCK_NAME
    fd = -1
    try:
        if fcntl is not None:
            fd = _flock(folder, lock)
        else:  # pragma: no cover - not POSIX
            _exclusive_file(folder, lock)
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(folder)) from None
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


def _stage(staging: Path, name: str, data: FileData, entry: Path) -> Path:
    """Write one file of the set into ``staging`` (synced to disk); return its path."""
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


def write_files(folder: Path, files: Mapping[str, FileData], *, force: bool) -> list[Path]:
    """Write a whole set of files into ``folder`` as one transaction; return their paths.

    Under ``folder``'s lock (a second run into the same folder stops with one
    line), every file is first written into a temporary folder beside them; only
    when all are written are they renamed into place, with Ctrl-C and SIGTERM
    held off for those renames. An interrupted or failed run (a full disk, a
    kill while the files are written) therefore leaves the previous set as it
    was, and the next run into the folder removes what a killed run left. A
    value may be a callable giving the bytes (a chart is drawn only then).

    Raises
    ------
    CapcalcError
        An empty folder name, a name that is not plain, two names that are one
        file, existing files without ``force``, another run writing into the
        folder, or a file system error.
    """
    if str(folder) == "":
        raise CapcalcError("is empty; name the folder to write into", key="out")
    problem = blocked_path(folder / "x")
    if problem is not None or (folder.exists() and not folder.is_dir()):
        raise problem or CapcalcError("is a file, not a folder; capcalc writes into a folder",
                                      file=str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(folder)) from None
    with _terminate_cleanly(), folder_lock(folder):
        for stale in folder.glob(f"{_TMP_PREFIX}*"):  # left by a killed run; the lock is ours
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
            staged = [(_stage(staging, name, data, entry), entry)
                      for (name, data), entry in zip(files.items(), entries, strict=True)]
            with _signals_held():
                for path, entry in staged:
                    os.replace(path, entry)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return entries
