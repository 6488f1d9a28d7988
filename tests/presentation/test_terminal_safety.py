"""Everything capcalc prints or writes is terminal-safe, whatever the files it reads hold.

A scenario file whose title, description, source and notes (its own, an
input's and a phase's) hold ESC and BEL sequences — a window retitle, a screen
clear, blinking — and an assumptions file with the same in sources, notes and
an accelerator's name and vendor, go through every command in every output
format. No raw control character (other than the line breaks of the output
itself) reaches stdout, stderr or a written CSV, JSON or SVG file: text tables
and CSV show them as visible escapes (``\\x1b``), JSON as ``\\u001b``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.paths import ASSUMPTIONS_FILE

#: Escape sequences a hostile file might carry: retitle the window, clear the screen, ring.
EVIL = "\x1b]0;pwned\x07\x1b[2J\x1b[5m\x9b31m"
#: Control characters (C0 but line feed, DEL and C1): none may be printed or written raw.
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

SCENARIO = {
    "name": "evil",
    "base": "cortex-buildout",
    "title": f"Evil title {EVIL}",
    "description": f"description {EVIL}",
    "source": f"source {EVIL}",
    "site.pue": {"value": 1.3, "source": f"pue source {EVIL}", "as_of": "2025",
                 "note": f"pue note {EVIL}"},
    "timeline": [
        {"name": "a", "start": "2024-10", "facility_power_mw": 100,
         "source": f"phase source {EVIL}", "note": f"phase note {EVIL}"},
        {"name": "b", "start": "2026-01", "facility_power_mw": 300, "accelerator": "GB200"},
    ],
}

COMMANDS = {
    "run": ["run", "evil.yaml"],
    "run-samples": ["run", "evil.yaml", "--samples", "200"],
    "timeline": ["timeline", "evil.yaml"],
    "timeline-samples": ["timeline", "evil.yaml", "--samples", "200"],
    "assumptions": ["assumptions", "evil.yaml"],
    "sensitivity": ["sensitivity", "compute_multiple", "evil.yaml"],
    "levers": ["levers", "evil.yaml"],
    "solve": ["solve", "site.facility_power_mw", "--target", "compute_multiple=10", "evil.yaml"],
    "catalog": ["--assumptions", "evil-assumptions.yaml", "catalog"],
    "assumptions-file": ["--assumptions", "evil-assumptions.yaml", "assumptions"],
    "run-on-evil-baseline": ["--assumptions", "evil-assumptions.yaml", "run", "cortex-full"],
}
#: The formats each command prints (table is the default).
FORMATS = {"run": ["table", "json", "csv"], "timeline": ["table", "json", "csv"],
           "assumptions": ["table", "json", "csv"], "catalog": ["table", "json", "csv"],
           "assumptions-file": ["table", "json", "csv"], "run-on-evil-baseline": ["json", "csv"]}

WRITERS = {
    "run": ["run", "evil.yaml", "--samples", "200"],
    "timeline": ["timeline", "evil.yaml", "--samples", "200"],
    "levers": ["levers", "evil.yaml"],
    "sensitivity": ["sensitivity", "compute_multiple", "evil.yaml"],
    "run-on-evil-baseline": ["--assumptions", "evil-assumptions.yaml", "run", "cortex-full"],
}


@pytest.fixture
def evil_files(tmp_path: Path) -> Path:
    """The hostile scenario file and a copy of capcalc's baseline with hostile text."""
    (tmp_path / "evil.yaml").write_text(yaml.safe_dump(SCENARIO, allow_unicode=True),
                                        encoding="utf-8")
    tree = yaml.safe_load(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))
    tree["site"]["pue"]["source"] += EVIL
    tree["site"]["pue"]["note"] = f"note {EVIL}"
    chip = "H100"
    tree["catalog"][chip]["name"] += EVIL
    tree["catalog"][chip]["vendor"] += EVIL
    tree["catalog"][chip]["tdp_w"]["source"] += EVIL
    (tmp_path / "evil-assumptions.yaml").write_text(
        yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return tmp_path


def assert_safe(text: str, where: str) -> None:
    found = RAW.search(text)
    if found is not None:
        around = text[max(0, found.start() - 60):found.end()]
        pytest.fail(f"{where}: raw {found.group()!r} in …{around!r}")


@pytest.mark.parametrize(("command", "fmt"), [(c, f) for c in COMMANDS
                                              for f in FORMATS.get(c, ["table"])])
def test_every_printed_format_is_terminal_safe(capcalc_cli, evil_files, command, fmt):
    args = [*COMMANDS[command], *(["--format", fmt] if fmt != "table" else [])]
    result = capcalc_cli(*args, cwd=evil_files)
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout, f"{command} {fmt} stdout")
    assert_safe(result.stderr, f"{command} {fmt} stderr")
    if fmt == "json":
        json.loads(result.stdout)  # still valid JSON: the escapes are JSON's own
    if command == "timeline" and fmt == "table":
        assert "\\x1b]0;pwned\\x07" in result.stdout, "the title is shown, escaped"


def test_json_keeps_the_text_and_escapes_it(capcalc_cli, evil_files):
    result = capcalc_cli("timeline", "evil.yaml", "--format", "json", cwd=evil_files)
    assert "\\u001b]0;pwned\\u0007" in result.stdout
    assert json.loads(result.stdout)["title"] == SCENARIO["title"]


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_written_file_is_terminal_safe(capcalc_cli, evil_files, writer):
    result = capcalc_cli(*WRITERS[writer], "--out", "out", cwd=evil_files)
    assert result.returncode == 0, result.stderr
    written = [p for p in (evil_files / "out").iterdir() if p.suffix in (".csv", ".json", ".svg")]
    assert written
    for path in written:
        assert_safe(path.read_text(encoding="utf-8"), path.name)


@pytest.mark.slow
def test_the_html_report_is_terminal_safe(capcalc_cli, evil_files):
    result = capcalc_cli("report", "evil.yaml", "--out", "out", "--samples", "200",
                         cwd=evil_files)
    assert result.returncode == 0, result.stderr
    for path in (evil_files / "out").iterdir():
        if path.suffix in (".csv", ".json", ".svg", ".html"):
            assert_safe(path.read_text(encoding="utf-8"), path.name)
