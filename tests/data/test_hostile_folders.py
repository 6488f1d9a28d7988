"""An output folder a careless colleague or a hostile user prepared cannot be turned against
the user: its lock, its over-long or odd name, and the files of others in it.

``out/.capcalc.lock`` is capcalc's: a symbolic link (to a file outside ``out/``, to
nothing, to a file of the previous set), a hard link, a named pipe, a folder or a
large file in its place is named in one line and exit 2, before any file is opened
for writing: nothing inside or outside ``out/`` changes, and the large file is never
read whole (a real process under a memory limit answers). A folder name longer than
the file system takes is one line too, and the name a run prints is cleaned of
terminal escapes. A user's own folder that merely begins like capcalc's temporary
folders is left alone; capcalc's own leftovers are removed.
"""

from __future__ import annotations

import fcntl
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calc.core.errors import CapcalcError
from calc.data.output_folder import LOCK_NAME, MAX_LOCK_BYTES, write_files

#: A process that has not answered well within this has hung or read a file whole.
TIMEOUT_S = 60
LOCK = f"out/{LOCK_NAME}"


def tree(folder: Path) -> dict[str, bytes]:
    """Every entry under ``folder``, recursively: bytes of files, markers of links and
    folders, the size of a large file (its bytes are not read)."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            out[name] = b"-> " + os.readlink(path).encode()
        elif path.is_dir():
            out[name] = b"<folder>"
        elif not path.is_file():
            out[name] = b"<special>"
        elif path.stat().st_size > 1_000_000:
            out[name] = f"<{path.stat().st_size} bytes>".encode()
        else:
            out[name] = path.read_bytes()
    return out


def one_line_naming_the_lock(stderr: str, *words: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"capcalc: {LOCK}: "), stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _symlink_outside(root: Path) -> None:
    (root / "precious.txt").write_text("precious\n", encoding="utf-8")
    (root / "out" / LOCK_NAME).symlink_to(root / "precious.txt")


def _symlink_to_nothing(root: Path) -> None:
    (root / "out" / LOCK_NAME).symlink_to(root / "created-by-capcalc.txt")


def _relative_symlink_outside(root: Path) -> None:
    (root / "precious.txt").write_text("precious\n", encoding="utf-8")
    (root / "out" / LOCK_NAME).symlink_to(Path("..") / "precious.txt")


def _symlink_to_a_device(root: Path) -> None:
    (root / "out" / LOCK_NAME).symlink_to(os.devnull)


def _hard_link_outside(root: Path) -> None:
    (root / "precious.txt").write_text("12\n", encoding="utf-8")  # small, like a lock
    os.link(root / "precious.txt", root / "out" / LOCK_NAME)


def _fifo(root: Path) -> None:
    os.mkfifo(root / "out" / LOCK_NAME)


def _folder(root: Path) -> None:
    (root / "out" / LOCK_NAME).mkdir()
    (root / "out" / LOCK_NAME / "inside.txt").write_text("mine\n", encoding="utf-8")


def _device(root: Path) -> None:
    try:  # /dev/null's numbers; making a device node needs privileges a test may not have
        os.mknod(root / "out" / LOCK_NAME, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node is not permitted here")


def _oversized(root: Path) -> None:
    with open(root / "out" / LOCK_NAME, "wb") as handle:
        handle.truncate(1 << 30)  # a sparse gigabyte: cheap to make, costly to read


#: A lock that is not capcalc's: how it is made, and what the line says it is.
BAD_LOCKS: dict[str, tuple[Callable[[Path], None], str]] = {
    "symlink-outside": (_symlink_outside, "is a symbolic link"),
    "relative-symlink-outside": (_relative_symlink_outside, "is a symbolic link"),
    "symlink-to-nothing": (_symlink_to_nothing, "is a symbolic link"),
    "symlink-to-a-device": (_symlink_to_a_device, "is a symbolic link"),
    "hard-link": (_hard_link_outside, "is a file with 2 names (a hard link)"),
    "fifo": (_fifo, "is a named pipe (FIFO)"),
    "folder": (_folder, "is a folder"),
    "device": (_device, "is a character device"),
    "oversized": (_oversized, f"is 1,073,741,824 bytes long (capcalc's lock holds a process "
                              f"id, at most {MAX_LOCK_BYTES} bytes)"),
}


@pytest.mark.parametrize("kind", list(BAD_LOCKS))
def test_a_lock_that_is_not_capcalcs_is_named_and_nothing_is_touched(capcalc_cli, tmp_path,
                                                                     kind: str) -> None:
    (tmp_path / "out").mkdir()
    make, says = BAD_LOCKS[kind]
    make(tmp_path)
    before = tree(tmp_path)
    result = capcalc_cli("run", "--out", "out")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    one_line_naming_the_lock(result.stderr, says, "nothing was written")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("kind", list(BAD_LOCKS))
def test_the_library_refuses_the_same_locks(tmp_path, kind: str) -> None:
    """Through the API too (no command line checked the folder first)."""
    (tmp_path / "out").mkdir()
    make, says = BAD_LOCKS[kind]
    make(tmp_path)
    before = tree(tmp_path)
    with pytest.raises(CapcalcError, match=LOCK_NAME) as caught:
        write_files(tmp_path / "out", {"a.csv": b"a"}, force=True)
    assert says in str(caught.value) and str(caught.value).startswith(str(tmp_path / LOCK))
    assert tree(tmp_path) == before


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_lock_linked_to_a_file_of_the_previous_set_leaves_it_whole(capcalc_cli, tmp_path,
                                                                     link: str) -> None:
    """Without --force the refusal comes first: the previous set is not overwritten."""
    first = capcalc_cli("run", "--out", "out")
    assert first.returncode == 0, first.stderr
    if link == "symlink":
        (tmp_path / LOCK).symlink_to("results.json")
    else:
        os.link(tmp_path / "out" / "results.json", tmp_path / LOCK)
    before = tree(tmp_path)
    for force in ([], ["--force"]):
        again = capcalc_cli("run", "--out", "out", *force)
        assert again.returncode == 2, again.stderr
        one_line_naming_the_lock(again.stderr, "not the plain lock file")
        assert tree(tmp_path) == before


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Hold a kernel lock on a file, as another process holding the folder's lock would."""
    handles: list[int] = []

    def hold(path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handles.append(fd)

    yield hold
    for fd in handles:
        os.close(fd)


def _limited_memory() -> None:  # pragma: no cover - runs in the child
    """The child may take half a gigabyte more than it has: a gigabyte read would fail."""
    with open("/proc/self/status", encoding="ascii") as status:
        size = next(int(line.split()[1]) * 1024 for line in status
                    if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + (1 << 31), size + (1 << 31)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_large_lock_held_by_another_process_is_never_read_whole(tmp_path, held) -> None:
    """A real process, under a memory limit: reading the lock whole would fail or hang."""
    (tmp_path / "out").mkdir()
    _oversized(tmp_path)
    held(tmp_path / LOCK)
    before = tree(tmp_path)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-c", "import sys; from calc.cli import main; "
                             "sys.exit(main(sys.argv[1:]))", "run", "--out", "out"],
                            cwd=tmp_path, env=env, text=True, capture_output=True,
                            timeout=TIMEOUT_S, preexec_fn=_limited_memory, check=False)
    assert result.returncode == 2, result.stderr
    one_line_naming_the_lock(result.stderr, "1,073,741,824 bytes")
    assert tree(tmp_path) == before


def test_a_small_held_lock_names_its_holder_from_its_first_bytes(tmp_path, held) -> None:
    """A lock capcalc made, held: the holder's id is read from its first line only."""
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_bytes(b"4242\n" + b" " * (MAX_LOCK_BYTES - 5))
    held(out / LOCK_NAME)
    with pytest.raises(CapcalcError, match=r"another capcalc run \(process 4242\)"):
        write_files(out, {"a.csv": b"a"}, force=True)
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]


def test_a_lock_left_by_a_longer_id_is_reused_without_truncating(tmp_path) -> None:
    """The id is written over the start of a left lock, whose rest is blanked, never cut."""
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_bytes(b"123456789012\n")
    inode = (out / LOCK_NAME).stat().st_ino
    seen: list[bytes] = []

    def peek() -> bytes:
        seen.append((out / LOCK_NAME).read_bytes())
        assert (out / LOCK_NAME).stat().st_ino == inode, "the left lock was replaced"
        return b"a"

    write_files(out, {"a.csv": peek}, force=False)
    assert seen == [f"{os.getpid()}\n".encode().ljust(13, b" ")]
    assert sorted(p.name for p in out.iterdir()) == ["a.csv"]


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("command", [["run"], ["report", "cortex-full"],
                                     ["timeline", "cortex-buildout"]], ids=str)
@pytest.mark.parametrize(("out", "says"), [
    ("x" * 300, "a folder name of 300 bytes"),
    ("deep/" + "é" * 200, "a folder name of 400 bytes"),
    ("/".join(["abcdefgh"] * 460), "a path of 4,139 bytes is too long"),
], ids=["long-name", "long-multibyte-name", "long-path"])
def test_an_over_long_out_is_one_line(capcalc_cli, tmp_path, command: list[str], out: str,
                                      says: str) -> None:
    result = capcalc_cli(*command, "--out", out)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("capcalc: --out: "), result.stderr
    assert says in lines[0] and len(lines[0]) < 300, lines[0]
    assert list(tmp_path.iterdir()) == []


def test_a_nul_in_a_folder_name_is_refused_by_the_library(tmp_path) -> None:
    with pytest.raises(CapcalcError, match="NUL"):
        write_files(tmp_path / "a\x00b", {"a.csv": b"a"}, force=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["run"], ["report", "cortex-full"]])
def test_the_folder_a_run_names_is_cleaned_of_terminal_escapes(capcalc_cli, tmp_path,
                                                               command: list[str]) -> None:
    name = "ab\ncd\x1b[31mred\x07"
    result = capcalc_cli(*command, "--out", name)
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "\x1b" not in said and "\x07" not in said
    assert "ab\\ncd\\x1b[31mred\\x07" in said
    assert (tmp_path / name).is_dir()


# ------------------------------------------------------------------ other people's files


def test_only_capcalcs_own_temporary_folders_are_cleaned(tmp_path) -> None:
    out = tmp_path / "out"
    mine = {".capcalc-tmp-notes": "notes", ".capcalc-tmp-0123456789ABCDEF": "upper case",
            ".capcalc-tmp-0123456789abcdef0": "seventeen digits",
            ".capcalc-tmp-": "just the prefix"}
    for name, text in mine.items():
        (out / name).mkdir(parents=True)
        (out / name / "keep.txt").write_text(text, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_text("linked", encoding="utf-8")
    (out / ".capcalc-tmp-00000000000000aa").symlink_to(tmp_path / "elsewhere")
    left = out / ".capcalc-tmp-0123456789abcdef"  # what a killed run leaves
    left.mkdir()
    (left / "half.png").write_bytes(b"half")
    write_files(out, {"a.csv": b"a"}, force=False)
    assert not left.exists()
    for name, text in mine.items():
        assert (out / name / "keep.txt").read_text(encoding="utf-8") == text
    assert (out / ".capcalc-tmp-00000000000000aa").is_symlink()
    assert (tmp_path / "elsewhere" / "keep.txt").read_text(encoding="utf-8") == "linked"
