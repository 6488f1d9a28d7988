"""No lost or clobbered files: every ``--out`` refuses to overwrite without ``--force``.

Each subcommand that saves files runs as a real ``capcalc`` subprocess. Run
twice into the same folder, the second run refuses in one line and writes
nothing at all, not even the files that were missing; with ``--force`` it
replaces every file, atomically (no temporary file is left behind). A folder
that is a file, or a file that is a folder, is refused in one line too. That a
killed writer leaves the old file intact is tested in tests/data/test_io.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

#: Every subcommand that writes with --out, as a user would call it.
WRITERS = {
    "run": ["run", "cortex-full", "tenfold"],
    "run-monte-carlo": ["run", "cortex-full", "--samples", "200", "--seed", "1"],
    "timeline": ["timeline", "cortex-buildout"],
    "report": ["report", "cortex-full"],
    "sensitivity": ["sensitivity", "compute_multiple", "cortex-full"],
    "levers": ["levers", "tenfold"],
}
TIMEOUT_S = 300


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def assert_refused(result, *words: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("capcalc: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
def test_out_never_overwrites_without_force(capcalc_cli, tmp_path: Path, writer: str) -> None:
    args = WRITERS[writer]
    first = capcalc_cli(*args, "--out", "out", timeout=TIMEOUT_S)
    assert first.returncode == 0, first.stderr
    out = tmp_path / "out"
    written = snapshot(out)
    assert written, "nothing was written"
    assert not [name for name in written if name.endswith(".tmp")]

    # a user's own edit to one file, and another file deleted
    names = sorted(written)
    mine, gone = out / names[0], out / names[-1]
    mine.write_bytes(b"my own notes, not capcalc's\n")
    gone.unlink()
    before = snapshot(out)

    again = capcalc_cli(*args, "--out", "out", timeout=TIMEOUT_S)
    assert_refused(again, "already exist", "--force")
    assert snapshot(out) == before, "a refused run changed or added files"

    forced = capcalc_cli(*args, "--out", "out", "--force", timeout=TIMEOUT_S)
    assert forced.returncode == 0, forced.stderr
    after = snapshot(out)
    assert set(after) == set(written), "--force wrote another set of files"
    assert after[names[0]] != b"my own notes, not capcalc's\n"
    assert names[-1] in after
    assert not [p for p in out.rglob("*") if p.name.startswith(".")], "a temporary file is left"


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["run", "report", "timeline"])
def test_forced_files_are_complete(capcalc_cli, tmp_path: Path, writer: str) -> None:
    """What --force writes reads back: JSON parses, CSV has its header, PNG its signature."""
    result = capcalc_cli(*WRITERS[writer], "--out", "out", "--force", timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stderr
    files = snapshot(tmp_path / "out")
    for name, data in files.items():
        if name.endswith(".json"):
            json.loads(data)
        elif name.endswith(".png"):
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
        elif name.endswith(".csv"):
            assert data.count(b"\n") >= 2, name
        elif name.endswith((".svg", ".html")):
            assert data.rstrip().endswith((b"</svg>", b"</html>")), name


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("where", ["a-file", "a-file/inside"])
def test_out_that_is_a_file_is_refused(capcalc_cli, tmp_path: Path, writer: str,
                                       where: str) -> None:
    (tmp_path / "a-file").write_text("keep me\n", encoding="utf-8")
    result = capcalc_cli(*WRITERS[writer], "--out", where, "--force", timeout=TIMEOUT_S)
    assert_refused(result, "a-file", "is a file, not a folder")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_folder_where_a_file_goes_is_refused_before_writing(capcalc_cli,
                                                              tmp_path: Path) -> None:
    (tmp_path / "out" / "results.json").mkdir(parents=True)
    result = capcalc_cli("run", "cortex-full", "--out", "out", "--force", timeout=TIMEOUT_S)
    assert_refused(result, "results.json", "is a folder")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["results.json"]
