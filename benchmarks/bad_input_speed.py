"""How long capcalc takes to refuse each bad input: the corpus of tests/bad_inputs and worse.

Every file of ``tests/bad_inputs`` (and each broken copy of assumptions.yaml the
corpus describes) is handed to the ``capcalc`` command the way a user would,
plus files built to cost the most within capcalc's limits: a file of tens of
megabytes, a megabyte of comment, just too many values, a billion-laughs alias
bomb. Each is timed twice: in-process (``calc.cli.main``, the work capcalc does)
and as a real ``capcalc`` subprocess (what a user waits, interpreter start
included). Prints the median and the slowest of each; the goal is that the
slowest answer takes at most a second or two.

Run: ``.venv/bin/python benchmarks/bad_input_speed.py [--subprocess N]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from calc.cli import main as capcalc  # noqa: E402
from calc.data.io import MAX_ALIASES, MAX_NODES, MAX_YAML_BYTES  # noqa: E402

from tests.cli.test_bad_inputs import (  # noqa: E402
    CORPUS,
    EDITS,
    FILES,
    HUGE_BYTES,
    broken_baseline,
    command,
)

GOAL_S = 2.0


def worst_cases(folder: Path) -> dict[str, str]:
    """Files built to cost the most just inside (or just past) each limit; name → kind."""
    files = {
        "huge.yaml": b"site.facility_power_mw: 500\n" + b"# padding\n" * (HUGE_BYTES // 10),
        "megabyte-of-comment.yaml": b"site.pue: 0.9\n" + b"#" * (MAX_YAML_BYTES - 100) + b"\n",
        "megabyte-string.yaml": b"description: " + b"x" * (MAX_YAML_BYTES - 100) + b"\n",
        "values-just-past-the-limit.yaml":
            b"description: [" + b", ".join([b"0"] * MAX_NODES) + b"]\n",
        "megabyte-flow-list.yaml": b"a: [" + b"1," * (MAX_YAML_BYTES // 2 - 10) + b"1]\n",
        "aliases-at-the-limit.yaml": (
            b"x: &x [" + b", ".join([b"1"] * 190) + b"]\ny: [" +
            b", ".join([b"*x"] * MAX_ALIASES) + b"]\n"),
        "deepest-allowed.yaml": b"a: " + b"[" * 30 + b"]" * 30 + b"\n",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: "scenario" for name in files}


def in_process(args: list[str], folder: Path) -> tuple[float, int]:
    """Seconds ``capcalc ARGS`` takes inside this process, and its exit status."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            start = time.perf_counter()
            status = capcalc(args)
            return time.perf_counter() - start, status
    finally:
        os.chdir(here)


def as_subprocess(args: list[str], folder: Path) -> float:
    """Wall-clock seconds of ``capcalc ARGS`` as a new process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "calc", *args], cwd=folder, capture_output=True,
                   timeout=120, check=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Time every case; print the median and slowest, in-process and as a subprocess."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subprocess", type=int, default=8, metavar="N",
                        help="also run the N slowest cases as real subprocesses (default 8)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {name: case["as"] for name, case in FILES.items()}
        for path in CORPUS.iterdir():
            (folder / path.name).write_bytes(path.read_bytes())
        for name, edit in EDITS.items():
            (folder / f"{name}.yaml").write_text(
                yaml.safe_dump(broken_baseline(edit), sort_keys=False), encoding="utf-8")
            cases[f"{name}.yaml"] = "assumptions"
        cases.update(worst_cases(folder))
        in_process(command("empty.yaml", "scenario"), folder)  # imports and caches warm
        timings: dict[str, float] = {}
        for name, kind in cases.items():
            seconds, status = in_process(command(name, kind), folder)
            if status != 2:
                print(f"{name}: exit status {status}, not 2", file=sys.stderr)
                return 1
            timings[name] = seconds
        slowest = sorted(timings, key=timings.__getitem__, reverse=True)
        print(f"cases: {len(timings)} ({len(FILES)} corpus files, {len(EDITS)} broken "
              f"baselines, {len(cases) - len(FILES) - len(EDITS)} worst cases)")
        print(f"in-process: median {statistics.median(timings.values()) * 1000:.0f} ms, "
              f"max {timings[slowest[0]] * 1000:.0f} ms ({slowest[0]})")
        for name in slowest[:5]:
            print(f"  {timings[name] * 1000:7.0f} ms  {name}")
        startup = as_subprocess(["--version"], folder)
        walls = {name: as_subprocess(command(name, cases[name]), folder)
                 for name in slowest[:args.subprocess]}
        worst = max(walls, key=walls.__getitem__)
        print(f"subprocess: `capcalc --version` {startup:.2f} s; slowest case {walls[worst]:.2f} s "
              f"({worst}); goal ≤ {GOAL_S:.0f} s")
        print(f"max: {walls[worst]:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
