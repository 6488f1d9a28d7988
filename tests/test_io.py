"""File handling: bounded safe YAML, atomic writes, no clobbering, no escaping the folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from calc.core.errors import CapcalcError
from calc.data.io import (
    MAX_YAML_BYTES,
    atomic_write,
    check_writable,
    load_yaml,
    parse_yaml,
    resolve_inside,
    write_text,
)


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("a:\n\t- 1\n", "tabs"),
    ("a: [1, 2\n", "line 2"),
    ("!!python/object/apply:os.system ['echo hacked']\n", "malformed YAML"),
    ("a: &x [1]\n" + "".join(f"b{i}: *x\n" for i in range(200)), "aliases"),
    ("a: " + "[" * 100 + "]" * 100 + "\n", "nesting"),
])
def test_bad_yaml_is_refused_in_one_line(text, fragment):
    with pytest.raises(CapcalcError) as info:
        parse_yaml(text, source="bad.yaml")
    assert fragment in str(info.value)
    assert str(info.value).startswith("bad.yaml: ")
    assert "\n" not in str(info.value)


def test_python_tags_never_construct_objects(tmp_path):
    marker = tmp_path / "marker"
    with pytest.raises(CapcalcError):
        parse_yaml(f"!!python/object/apply:pathlib.Path.touch ['{marker}']", source="x")
    assert not marker.exists()


def test_binary_invalid_utf8_and_oversized_files_are_refused(tmp_path):
    cases = {
        "binary.yaml": b"\x00\x01\x02PNG",
        "latin1.yaml": "site.pue: 1.2 # caf\xe9\n".encode("latin-1"),
        "huge.yaml": b"a: 1\n" + b"#" * (MAX_YAML_BYTES + 1),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(CapcalcError) as info:
            load_yaml(path)
        assert str(path) in str(info.value)


def test_write_text_round_trips_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "sub" / "out.csv"
    write_text(path, "a,b\n1,2\n")
    assert path.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert [p.name for p in path.parent.iterdir()] == ["out.csv"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path, "w") as handle:
        handle.write("new, half written")
        raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_killed_writer_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("old", encoding="utf-8")
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from calc.data.io import atomic_write
        with atomic_write(Path({str(path)!r}), "w") as handle:
            handle.write("x" * 100_000)
            handle.flush()
            Path({str(ready)!r}).touch()
            time.sleep(60)
    """)
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(600):
            if ready.exists():
                break
            process.poll()
            assert process.returncode is None, "writer ended early"
            import time
            time.sleep(0.05)
        os.kill(process.pid, 9)
    finally:
        process.wait(timeout=30)
    assert path.read_text(encoding="utf-8") == "old"


def test_existing_files_need_force(tmp_path):
    existing = tmp_path / "a.png"
    existing.write_bytes(b"old")
    with pytest.raises(CapcalcError, match="--force"):
        check_writable([existing, tmp_path / "b.png"], force=False)
    check_writable([existing], force=True)


@pytest.mark.parametrize("name", ["../escape.png", "/etc/passwd", "a/../../escape.csv"])
def test_paths_cannot_leave_the_chosen_folder(tmp_path, name):
    with pytest.raises(CapcalcError, match="outside"):
        resolve_inside(tmp_path / "out", name)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "link.png").symlink_to(tmp_path / "elsewhere.png")
    with pytest.raises(CapcalcError, match="outside"):
        resolve_inside(folder, "link.png")


def test_resolved_path_stays_inside(tmp_path):
    assert resolve_inside(tmp_path, "x/y.png") == (tmp_path / "x" / "y.png").resolve()
    assert Path(resolve_inside(tmp_path, "a.png")).parent == tmp_path.resolve()
