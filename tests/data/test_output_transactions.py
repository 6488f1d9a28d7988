"""Output folders as transactions: one run's whole set, or the previous set untouched.

:func:`calc.data.output_folder.write_files` writes every file of a run into a temporary
folder beside the targets and renames them into place only when all are
written, under a lock file that a second run into the same folder stops at.
These tests hold it to that with real files, real ``capcalc`` processes and
real signals: two runs started together, a run killed with SIGKILL or SIGTERM
while it writes, a disk that fills (a file size limit, ``RLIMIT_FSIZE``), a
write that fails part-way, two output names that a link makes one file, and
an empty ``--out``. Nothing here times anything: a test waits for a file to
appear, never for a number of seconds, and a run it signals or races against
is first frozen (SIGSTOP) at a moment known to precede its commit, so the
outcome never rests on how the scheduler happened to share the cores.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from calc.core.errors import CapcalcError
from calc.data.output_folder import LOCK_NAME, folder_lock, write_files

#: A process that has not ended well within this has hung (no test measures speed).
TIMEOUT_S = 300
ENV = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of ``folder`` by name: a file's bytes (a folder or link as a marker)."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            out[path.name] = b"-> " + os.readlink(path).encode()
        elif path.is_dir():
            out[path.name] = b"<folder>"
        else:
            out[path.name] = path.read_bytes()
    return out


def same_set(folder: Path, expected: dict[str, bytes]) -> bool:
    """``folder`` holds exactly ``expected``'s files, byte for byte (an SVG by name only:
    matplotlib gives its elements fresh ids on each run)."""
    got = snapshot(folder)
    return set(got) == set(expected) and all(
        got[name] == data for name, data in expected.items() if not name.endswith(".svg"))


def hidden(folder: Path) -> list[str]:
    """Entries a run leaves behind only when it could not clean up: lock, temporary files."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def start(*args: str, cwd: Path, **popen: object) -> subprocess.Popen[str]:
    """``python -m calc ARGS`` started (not waited for), output captured as text."""
    return subprocess.Popen([sys.executable, "-m", "calc", *args], cwd=cwd, env=ENV,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            **popen)  # type: ignore[call-overload]


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    return process.returncode, stdout, stderr


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> bool:
    """Poll until ``condition`` holds (True) or ``process`` has ended (False)."""
    while not condition():
        if process.poll() is not None:
            return condition()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.005)
    return True


def holder_of(lock: Path) -> int | None:
    """The process id ``lock`` records, if it exists and records one yet."""
    try:
        text = lock.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def one_line(stderr: str, *words: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("capcalc: "), stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def scenarios_in(folder: Path) -> list[str]:
    return [s["name"] for s in json.loads((folder / "results.json").read_text())["scenarios"]]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The complete sets ``capcalc run NAME --out`` writes, by scenario (the expected sets)."""
    folder = tmp_path_factory.mktemp("reference")
    sets = {}
    for name in ("cortex-full", "tenfold"):
        code, _, err = finish(start("run", name, "--out", name, cwd=folder))
        assert code == 0, err
        sets[name] = snapshot(folder / name)
    return sets


# ------------------------------------------------------------------ concurrent runs


@pytest.mark.slow
def test_a_second_run_into_a_folder_being_written_stops_at_the_lock(tmp_path, reference):
    """Started while the first holds the lock, the second exits 2 naming the first; one set."""
    out = tmp_path / "out"
    first = start("run", "cortex-full", "--out", "out", "--force", cwd=tmp_path)
    # the lock taken and its holder's process id written (a run stopped in between would
    # hold a lock that does not yet say whose it is)
    assert wait_for(lambda: holder_of(out / LOCK_NAME) == first.pid, first), finish(first)
    first.send_signal(signal.SIGSTOP)  # held inside its transaction, however fast it is
    try:
        second = start("run", "tenfold", "--out", "out", "--force", cwd=tmp_path)
        code2, out2, err2 = finish(second)
    finally:
        first.send_signal(signal.SIGCONT)
    code1, _, err1 = finish(first)
    assert code1 == 0, err1
    assert (code2, out2) == (2, ""), err2
    one_line(err2, "another capcalc run", f"process {first.pid}", LOCK_NAME)
    assert scenarios_in(out) == ["cortex-full"]
    assert same_set(out, reference["cortex-full"])


@pytest.mark.slow
def test_two_runs_started_together_leave_exactly_one_complete_set(tmp_path, reference):
    out = tmp_path / "out"
    runs = {name: start("run", name, "--out", "out", cwd=tmp_path)
            for name in ("cortex-full", "tenfold")}
    answers = {name: finish(process) for name, process in runs.items()}
    winners = [name for name, (code, _, _) in answers.items() if code == 0]
    assert len(winners) == 1, answers
    (loser,) = set(answers) - set(winners)
    code, stdout, stderr = answers[loser]
    assert (code, stdout) == (2, ""), stderr
    line = one_line(stderr)
    assert "another capcalc run" in line or "already exist" in line, line
    assert same_set(out, reference[winners[0]])


# ------------------------------------------------------------------ interrupted runs


@pytest.fixture
def previous(tmp_path: Path, reference: dict[str, dict[str, bytes]]) -> Path:
    """An output folder holding a complete earlier set (cortex-full's)."""
    out = tmp_path / "out"
    out.mkdir()
    for name, data in reference["cortex-full"].items():
        (out / name).write_bytes(data)
    return out


def _staging(out: Path) -> bool:
    return any(p.name.startswith(".capcalc-tmp-") for p in out.iterdir())


def _staged(out: Path) -> int:
    """How many files the runs' temporary folders in ``out`` hold."""
    return sum(1 for p in out.glob(".capcalc-tmp-*/*"))


#: Runs started before one is caught writing (each try is a fresh run).
TRIES = 5


def frozen_while_writing(folder: Path, expected: dict[str, bytes], count: int,
                         *args: str) -> subprocess.Popen[str]:
    """A ``capcalc ARGS`` run stopped (SIGSTOP) while it writes into ``folder``.

    The run is caught only at a moment that is certainly before its commit: its
    temporary folder holds fewer than its ``count`` files and ``folder`` still
    holds ``expected``. A run caught too late (the renames under way, or done)
    is let finish and ``folder`` is put back for a fresh try, so the signal the
    test sends next lands while the run writes, not by luck of the scheduler.
    """
    for _ in range(TRIES):
        process = start(*args, cwd=folder.parent)
        if wait_for(lambda: _staging(folder), process):
            process.send_signal(signal.SIGSTOP)
            visible = {k: v for k, v in snapshot(folder).items() if not k.startswith(".")}
            if _staged(folder) < count and visible == expected:
                return process
            process.send_signal(signal.SIGCONT)
        finish(process)
        for path in folder.iterdir():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        for name, data in expected.items():
            (folder / name).write_bytes(data)
    pytest.fail(f"no run was caught writing in {TRIES} tries")


@pytest.mark.slow
def test_a_run_killed_while_writing_leaves_the_previous_set_and_the_next_run_tidies(
        tmp_path, previous, reference):
    process = frozen_while_writing(previous, reference["cortex-full"],
                                   len(reference["tenfold"]),
                                   "run", "tenfold", "--out", "out", "--force")
    process.kill()
    finish(process)
    assert {k: v for k, v in snapshot(previous).items() if not k.startswith(".")} \
        == reference["cortex-full"], "a killed run changed the previous set"
    # SIGKILL leaves its lock and temporary folder; the next run takes over and removes them
    assert LOCK_NAME in hidden(previous)
    code, _, err = finish(start("run", "tenfold", "--out", "out", "--force", cwd=tmp_path))
    assert code == 0, err
    assert same_set(previous, reference["tenfold"])
    assert hidden(previous) == []


@pytest.mark.slow
def test_sigterm_while_writing_unwinds_leaving_the_previous_set_and_nothing_else(
        tmp_path, previous, reference):
    process = frozen_while_writing(previous, reference["cortex-full"],
                                   len(reference["tenfold"]),
                                   "run", "tenfold", "--out", "out", "--force")
    process.send_signal(signal.SIGTERM)  # pending while stopped, handled on resuming
    process.send_signal(signal.SIGCONT)
    code, _, stderr = finish(process)
    assert code == 130, stderr
    one_line(stderr, "interrupted")
    assert snapshot(previous) == reference["cortex-full"]
    assert hidden(previous) == []


def _small_files(limit: int) -> Callable[[], None]:
    def limit_file_size() -> None:  # runs in the child, before capcalc starts
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_file_size


@pytest.mark.slow
def test_a_full_disk_midway_renames_nothing(tmp_path, previous, reference):
    """Files over 20 kB cannot be written (as on a full disk): the run stops, nothing moves."""
    sizes = sorted(len(data) for data in reference["tenfold"].values())
    assert sizes[0] < 20_000 < sizes[-1], "the limit must fall between the set's files"
    process = start("run", "tenfold", "--out", "out", "--force", cwd=tmp_path,
                    preexec_fn=_small_files(20_000))
    code, stdout, stderr = finish(process)
    assert (code, stdout) == (2, ""), stderr
    one_line(stderr, "cannot write", "File too large")
    assert snapshot(previous) == reference["cortex-full"]
    assert hidden(previous) == []


def test_a_write_that_fails_part_way_renames_nothing(tmp_path):
    out = tmp_path / "out"
    write_files(out, {"a.csv": b"old a", "b.csv": b"old b"}, force=False)
    before = snapshot(out)

    def fails() -> bytes:
        raise CapcalcError("the chart could not be drawn", key="c.png")

    def interrupted() -> bytes:  # Ctrl-C while a chart is drawn
        raise KeyboardInterrupt

    for failure in (fails, interrupted):
        with pytest.raises((CapcalcError, KeyboardInterrupt)):
            write_files(out, {"a.csv": b"new a", "c.png": failure, "b.csv": b"new b"},
                        force=True)
        assert snapshot(out) == before
        assert hidden(out) == []


# ------------------------------------------------------------------ locks


def test_a_live_lock_stops_a_run_and_is_left_to_its_owner(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out):  # held by this test, as a running capcalc holds it
        with pytest.raises(CapcalcError,
                           match=f"another capcalc run \\(process {os.getpid()}\\)"):
            write_files(out, {"a.csv": b"a"}, force=False)
        assert snapshot(out) == {LOCK_NAME: f"{os.getpid()}\n".encode()}
    assert snapshot(out) == {}, "the holder removes its lock"


def test_a_lock_file_nobody_holds_is_taken_even_if_it_names_a_live_process(tmp_path):
    """The kernel lock, not the recorded id, says who writes: an id can be reused."""
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(f"{os.getpid()}\n", encoding="ascii")  # a live id, no lock
    write_files(out, {"a.csv": b"a"}, force=False)
    assert snapshot(out) == {"a.csv": b"a"}


@pytest.mark.parametrize("content", ["{pid}\n", "", "not a number\n"])
def test_a_lock_file_left_by_an_ended_run_is_taken_over_and_removed(tmp_path, content):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(content.format(pid=ended.stdout.strip()), encoding="ascii")
    (out / ".capcalc-tmp-0123456789abcdef").mkdir()  # named as capcalc names its own
    (out / ".capcalc-tmp-0123456789abcdef" / "half.png").write_bytes(b"half")
    write_files(out, {"a.csv": b"a"}, force=False)
    assert snapshot(out) == {"a.csv": b"a"}


# ------------------------------------------------------------------ names


@pytest.mark.slow
def test_two_output_names_that_are_one_file_are_refused(capcalc_cli, tmp_path, reference):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_bytes(reference["cortex-full"]["results.json"])
    (out / "results.csv").symlink_to("results.json")
    before = snapshot(out)
    result = capcalc_cli("run", "tenfold", "--out", "out", "--force")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    one_line(result.stderr, "results.json", "results.csv", "same file")
    assert snapshot(out) == before


def test_a_hard_link_between_two_outputs_is_split_not_mixed(tmp_path):
    """Renaming replaces names, not contents: each name ends with its own bytes."""
    out = tmp_path / "out"
    write_files(out, {"a.csv": b"a", "b.csv": b"b"}, force=False)
    (out / "b.csv").unlink()
    os.link(out / "a.csv", out / "b.csv")
    write_files(out, {"a.csv": b"new a", "b.csv": b"new b"}, force=True)
    assert snapshot(out) == {"a.csv": b"new a", "b.csv": b"new b"}


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", ".capcalc-tmp-x"])
def test_a_name_that_is_not_a_plain_file_name_is_refused(tmp_path, name):
    with pytest.raises(CapcalcError, match="not a plain file name"):
        write_files(tmp_path / "out", {name: b"x"}, force=True)
    assert hidden(tmp_path / "out") == []


def test_an_empty_out_is_refused_and_writes_nothing(capcalc_cli, tmp_path):
    for command in (["run", "cortex-full"], ["report", "cortex-full"],
                    ["timeline", "cortex-buildout"]):
        result = capcalc_cli(*command, "--out", "")
        assert result.returncode == 2, result.stderr
        one_line(result.stderr, "--out", "empty")
        assert list(tmp_path.iterdir()) == []


def test_a_link_loop_named_like_an_output_file_is_one_line(capcalc_cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").symlink_to("results.json")
    result = capcalc_cli("run", "cortex-full", "--out", "out", "--force")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    one_line(result.stderr, "results.json", "not a usable file name")
    assert snapshot(out) == {"results.json": b"-> results.json"}
