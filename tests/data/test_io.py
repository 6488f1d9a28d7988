"""File handling: bounded safe YAML, atomic writes, no clobbering, no escaping the folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.core.errors import CapcalcError
from calc.data.io import (
    MAX_YAML_BYTES,
    atomic_write,
    check_writable,
    dump_yaml,
    load_yaml,
    parse_yaml,
    read_limited,
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


# ------------------------------------------------------------------ YAML 1.2 numbers


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 010", "010"),          # YAML 1.1: octal 8
    ("a: 0o17", "0o17"),        # YAML 1.2 octal, 1.1 text: text here, refused where a number goes
    ("a: 0x1F", "0x1F"),
    ("a: 1:30", "1:30"),        # YAML 1.1: base 60, 90
    ("a: 190:20:30", "190:20:30"),
    ("a: yes", "yes"), ("a: No", "No"), ("a: on", "on"), ("a: OFF", "OFF"), ("a: y", "y"),
    ("a: 2024-08-01", "2024-08-01"),  # not a date object
    ("a: 1_000", "1_000"),
    ("a: =", "="),
    ("a: 1e3", 1000.0),         # YAML 1.1 reads text; 1.2 a number, as people mean it
    ("a: -.5", -0.5), ("a: +1", 1), ("a: 0", 0), ("a: 0.5", 0.5), ("a: 12", 12),
    ("a: .inf", float("inf")), ("a: true", True), ("a: FALSE", False),
    ("a: ~", None), ("a: null", None), ("a:", None),
])
def test_plain_scalars_are_typed_as_yaml_1_2_types_them(text, expected):
    value = parse_yaml(text, source="x.yaml")["a"]
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["a: !!int 010", "a: !!int 0x10", "a: !!int 1:30",
                                  "a: !!float 1:30", "a: !!bool yes", "a: !!bool off"])
def test_explicit_tags_cannot_bring_yaml_1_1_back(text):
    with pytest.raises(CapcalcError) as info:
        parse_yaml(text, source="x.yaml")
    assert str(info.value).startswith("x.yaml: line 1") and "\n" not in str(info.value)


#: Text as a scenario title, note or source may hold it, controls and the characters YAML 1.1
#: takes for line breaks (U+0085, U+2028, U+2029, which the reader refuses raw) included.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_SCALARS = st.one_of(_TEXT, st.sampled_from(["1e400", "1e3", "0o17", "010", "yes", "null",
                                              "~", ".inf", "1:30", "-.5", "True", ""]),
                     st.integers(-10**20, 10**20), st.booleans(), st.none(),
                     st.floats(allow_nan=False))


@settings(max_examples=300)
@given(st.dictionaries(_TEXT, st.one_of(_SCALARS, st.lists(_SCALARS, max_size=4)),
                       max_size=6))
def test_capcalcs_yaml_writer_reads_back_as_the_same_values(document):
    """What capcalc writes (a saved scenario, a report's scenario YAML) it reads back
    unchanged: text that looks like a number in either YAML version stays text."""
    assert parse_yaml(dump_yaml(document), source="x.yaml") == document


@pytest.mark.parametrize("odd", ["\x85", "\u2028", "\u2029"])
def test_the_writer_escapes_the_line_breaks_only_yaml_1_1_knows(odd):
    """A note pasted with a line separator is saved as an escape, never raw: the file
    capcalc writes is one it reads back (the reader refuses the character raw)."""
    document = {f"key{odd}": f"1.3{odd}site.pue: 2", "list": [odd]}
    written = dump_yaml(document)
    assert odd not in written
    assert parse_yaml(written, source="x.yaml") == document


def test_the_writer_quotes_text_that_either_yaml_version_would_type():
    import yaml

    for text in ("1e400", "1e3", "010", "0o17", "yes", "1:30", "null", "true", "2024-08-01"):
        written = dump_yaml({"a": text})
        assert parse_yaml(written, source="x.yaml") == {"a": text}
        assert yaml.safe_load(written) == {"a": text}, "YAML 1.1 readers keep it text too"


def test_the_shipped_files_read_the_same_as_yaml_1_1_read_them(repo_root):
    """Nothing capcalc ships relies on a YAML 1.1 conversion (dates were text already)."""
    import yaml

    for name in ("assumptions.yaml", "scenarios.yaml", "peers.yaml"):
        text = (repo_root / name).read_text(encoding="utf-8")
        old = yaml.safe_load(text)
        new = parse_yaml(text, source=name)
        assert yaml.safe_dump(new, sort_keys=True) == yaml.safe_dump(old, sort_keys=True)


# ------------------------------------------------------------------ only regular files


def test_a_fifo_is_refused_at_once_without_a_writer(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CapcalcError, match="is a named pipe"):
        load_yaml(fifo)


def test_a_link_to_a_device_is_refused_unread(tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(CapcalcError, match="is a character device") as info:
        load_yaml(link)
    assert str(info.value).startswith(f"{link}: ")


def test_a_socket_and_a_folder_are_refused(tmp_path):
    import socket

    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(CapcalcError, match="is a socket"):
            load_yaml(path)
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(CapcalcError, match="is a folder"):
        load_yaml(tmp_path / "folder.yaml")


def test_a_file_whose_size_says_0_is_read_only_up_to_the_limit():
    """``/proc`` files report size 0 whatever they hold: the read stops at the limit + 1."""
    assert read_limited(Path("/proc/self/status"), limit=10_000).startswith(b"Name:")
    with pytest.raises(CapcalcError, match="file is over 100 bytes"):
        read_limited(Path("/proc/self/status"), limit=100)


def test_a_missing_or_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(CapcalcError, match="no such file"):
        load_yaml(tmp_path / "absent.yaml")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(CapcalcError, match="cannot read"):
        load_yaml(loop)
