"""Golden CLI outputs: every command on the shipped scenarios, recorded, then compared.

Each case is a ``capcalc`` command line run in-process; its standard output
(and, for ``--out``, the CSV and JSON files it writes) is stored under
``tests/golden/``. ``tests/cli/test_golden_outputs.py`` runs the same commands and
compares: JSON numbers to one part in 10⁹, text with runs of blanks and rule
lines folded (so a table may be re-laid out but no number may change).

Re-record after an intended change of the model (and say why in the CHANGELOG)::

    .venv/bin/python -m tests.golden_outputs --record [CASE ...]
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "golden"

ARTICLE = ["cortex-phase1", "cortex-full", "cortex-full-gb200", "tenfold"]
SHIPPED = ["cortex-phase1", "cortex-phase1-fp8", "cortex-full", "cortex-full-gb200",
           "cortex-full-gb300", "cortex-2026", "cortex-buildout", "tenfold", "tenfold-gb200",
           "tenfold-rubin", "colossus-1-2024", "colossus-2-2025"]

#: name → argv. ``{out}`` is replaced by a fresh folder whose CSV/JSON files are kept too.
CASES: dict[str, list[str]] = {
    "run-article.txt": ["run", *ARTICLE],
    "run-shipped.json": ["run", *SHIPPED, "--format", "json"],
    "run-shipped.csv": ["run", *SHIPPED, "--format", "csv"],
    "run-set.json": ["run", "cortex-full", "--set", "hardware.accelerator=GB200",
                     "--set", "site.pue=1.3", "--format", "json"],
    "run-samples.json": ["run", "cortex-full", "tenfold", "--samples", "2000", "--seed", "3",
                         "--format", "json"],
    "run-samples.txt": ["run", "cortex-full-gb200", "--samples", "2000", "--seed", "3"],
    "run-out": ["run", *ARTICLE, "--out", "{out}", "--formats", "png"],
    "run-samples-out": ["run", "cortex-full", "--samples", "1000", "--seed", "2",
                        "--out", "{out}", "--formats", "png"],
    "timeline.txt": ["timeline", "cortex-buildout"],
    "timeline.json": ["timeline", "cortex-buildout", "--format", "json"],
    "timeline.csv": ["timeline", "cortex-buildout", "--format", "csv", "--until", "2028-12"],
    "timeline-set.json": ["timeline", "cortex-buildout", "--until", "2027-12", "--set",
                          "timeline[3].accelerator=GB200", "--format", "json"],
    "timeline-samples.json": ["timeline", "cortex-buildout", "--samples", "300", "--seed", "1",
                              "--format", "json"],
    "timeline-out": ["timeline", "cortex-buildout", "--out", "{out}", "--formats", "png"],
    "solve-power.json": ["solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                         "--format", "json"],
    "solve-mfu.txt": ["solve", "training.mfu", "--target", "compute_multiple=10",
                      "cortex-full"],
    "solve-count.json": ["solve", "site.accelerators", "--target",
                         "training_flop_per_run=1e27 FLOP", "--format", "json"],
    "solve-phase.json": ["solve", "timeline[-1].facility_power_mw", "--target",
                         "compute_multiple=10", "--by", "2027-12", "cortex-buildout",
                         "--format", "json"],
    "solve-delay.json": ["solve", "timeline[1].delay_months", "--target", "compute_multiple=3",
                         "--by", "2026-12", "cortex-buildout", "--format", "json"],
    "solve-samples.json": ["solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                           "cortex-full-gb200", "--samples", "500", "--seed", "1",
                           "--format", "json"],
    "levers.json": ["levers", "cortex-full-gb200", "--format", "json"],
    "levers.txt": ["levers", "cortex-full"],
    "levers-at.json": ["levers", "cortex-buildout", "--at", "2028-12", "--format", "json"],
    "sensitivity.json": ["sensitivity", "compute_multiple", "cortex-2026", "--samples", "256",
                         "--format", "json"],
    "calibrate.json": ["calibrate", "--format", "json"],
    "calibrate.txt": ["calibrate"],
    "peers.json": ["peers", "--format", "json"],
    "assumptions.json": ["assumptions", "--format", "json"],
    "catalog.json": ["catalog", "--format", "json"],
    "scenarios.txt": ["scenarios"],
    "report-out": ["report", "--out", "{out}", "--formats", "png", "--samples", "500"],
}


def run_case(argv: list[str]) -> dict[str, str]:
    """Run one case in-process; return ``{"stdout": ..., "<file>": ...}`` (files of ``--out``)."""
    from calc.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        # --wide: one line per row, so the recording does not depend on the screen's width
        args = [*(a.replace("{out}", str(out)) for a in argv), "--wide"]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(args)
        if code != 0:
            raise AssertionError(f"capcalc {' '.join(argv)} exited {code}: {stderr.getvalue()}")
        found = {"stdout": stdout.getvalue()}
        if out.is_dir():
            for path in sorted(out.iterdir()):
                if path.suffix in (".csv", ".json"):
                    found[path.name] = path.read_text(encoding="utf-8")
        return {name: text.replace(str(out), "{out}") for name, text in found.items()}


def _files(name: str) -> dict[str, Path]:
    folder = GOLDEN / name
    if folder.is_dir():
        return {p.name: p for p in sorted(folder.iterdir())}
    return {"stdout": GOLDEN / name}


def record(names: list[str] | None = None) -> None:
    """Write the outputs of every case (or of ``names``) under ``tests/golden/``."""
    GOLDEN.mkdir(exist_ok=True)
    for name, argv in CASES.items():
        if names and name not in names:
            continue
        found = run_case(argv)
        if "{out}" in " ".join(argv):
            folder = GOLDEN / name
            folder.mkdir(exist_ok=True)
            for old in folder.iterdir():
                old.unlink()
            for file, text in found.items():
                (folder / file).write_text(text, encoding="utf-8")
        else:
            (GOLDEN / name).write_text(found["stdout"], encoding="utf-8")
        print(f"recorded {name}", file=sys.stderr)


def expected(name: str) -> dict[str, str]:
    """The recorded outputs of case ``name``."""
    return {key: path.read_text(encoding="utf-8") for key, path in _files(name).items()}


_NUMBER = re.compile(r"-?\d[\d,]*\.?\d*(?:e[+-]?\d+)?")
_RULE = re.compile(r"^[\s\-─━═┄┈|+]*$")


def normal_text(text: str) -> list[str]:
    """Lines with blanks folded and rule lines dropped: layout may change, words and numbers not."""
    lines = []
    for line in text.splitlines():
        if _RULE.match(line):
            continue
        lines.append(" ".join(line.replace("│", " ").split()))
    return lines


def same_json(a: Any, b: Any, path: str = "") -> list[str]:
    """Differences between two JSON values, numbers compared to one part in 10⁹."""
    if isinstance(a, dict) and isinstance(b, dict):
        problems = [f"{path}.{k}: only in one" for k in set(a) ^ set(b)]
        for key in sorted(set(a) & set(b)):
            problems += same_json(a[key], b[key], f"{path}.{key}")
        return problems
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items against {len(b)}"]
        out: list[str] = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += same_json(x, y, f"{path}[{i}]")
        return out
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (a != a and b != b):
            return []
        return [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def same_csv(a: str, b: str) -> list[str]:
    """Differences between two CSV texts, numeric cells compared to one part in 10⁹."""
    import csv

    rows_a, rows_b = list(csv.reader(io.StringIO(a))), list(csv.reader(io.StringIO(b)))
    if len(rows_a) != len(rows_b):
        return [f"{len(rows_a)} rows against {len(rows_b)}"]
    problems = []
    for i, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=True)):
        if len(ra) != len(rb):
            problems.append(f"row {i}: {len(ra)} cells against {len(rb)}")
            continue
        for j, (x, y) in enumerate(zip(ra, rb, strict=True)):
            if x == y:
                continue
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                problems.append(f"row {i} col {j}: {x!r} != {y!r}")
                continue
            if not math.isclose(fx, fy, rel_tol=1e-9, abs_tol=1e-12):
                problems.append(f"row {i} col {j}: {x} != {y}")
    return problems


def compare(name: str, found: dict[str, str]) -> list[str]:
    """Every difference between the recorded and the found outputs of case ``name``."""
    want = expected(name)
    problems = [f"{name}: {k} only in one" for k in set(want) ^ set(found)]
    for key in sorted(set(want) & set(found)):
        a, b = want[key], found[key]
        kind = key if key != "stdout" else name
        if kind.endswith(".json"):
            diff = same_json(json.loads(a), json.loads(b))
        elif kind.endswith(".csv"):
            diff = same_csv(a, b)
        else:
            na, nb = normal_text(a), normal_text(b)
            diff = [] if na == nb else [
                f"line {i}: {x!r} != {y!r}" for i, (x, y) in enumerate(zip(na, nb, strict=False))
                if x != y][:5] or [f"{len(na)} lines against {len(nb)}"]
        problems += [f"{name}/{key}: {d}" for d in diff[:10]]
    return problems


if __name__ == "__main__":
    if sys.argv[1:2] == ["--record"]:
        record(sys.argv[2:] or None)
    else:
        print(__doc__)
