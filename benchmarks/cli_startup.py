"""How long the ``capcalc`` command takes to answer, as whole processes, against importing numpy.

Each command runs as a new process, the way a user or a shell script runs it,
interleaved round by round with ``python -c "import numpy"`` (the floor of any
numpy program on this machine), so a busy moment slows every command of that
round alike. After one warm-up round (which also fills capcalc's cache of the
shipped library, in a temporary ``XDG_CACHE_HOME``), it prints each command's
median wall time, its ratio to the numpy median, the goal and whether it is
met (issues 14 and 22: a build-out's timeline and a Monte Carlo run draw
nothing, so they load no drawing library). ``capcalc run`` without the cache
is shown for information.
The CPU time (user + system) of each process is shown beside it: on a machine
shared with other work, its ratios move less than the wall-clock ones.

numpy's bytecode comes compiled in its wheel, and so does capcalc's when it is
installed from one; an editable install writes it on first use, unless
``PYTHONDONTWRITEBYTECODE`` is set, when every process compiles capcalc's own
modules afresh (some 0.1 s). The table says which case it measured;
``--bytecode`` measures with capcalc's bytecode cached (the warm-up round writes
it) whatever the environment says.

Run: ``.venv/bin/python benchmarks/cli_startup.py [--repeat N] [--check] [--bytecode]``
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One command line: its label, argv, expected exit status, goal (× numpy) and env."""

    label: str
    argv: tuple[str, ...]
    status: int = 0
    goal: float | None = None
    env: tuple[tuple[str, str], ...] = ()


def capcalc_command() -> tuple[str, ...]:
    """The installed ``capcalc`` console script beside this Python, else ``python -m calc``."""
    script = Path(sys.executable).with_name("capcalc")
    return (str(script),) if script.exists() else (sys.executable, "-m", "calc")


def cases() -> list[Case]:
    """The commands of issues 14 and 22, with their goals, and the floor they are measured
    against."""
    capcalc = capcalc_command()
    python = sys.executable
    return [
        Case('python -c "import numpy"', (python, "-c", "import numpy")),
        Case("capcalc --help", (*capcalc, "--help"), goal=1.5),
        Case("capcalc --version", (*capcalc, "--version"), goal=1.5),
        Case("capcalc run cortex-phase1", (*capcalc, "run", "cortex-phase1"), goal=3.0),
        Case("capcalc run --set site.peu=1 (exit 2)", (*capcalc, "run", "--set", "site.peu=1"),
             status=2, goal=2.5),
        Case('python -c "import calc"', (python, "-c", "import calc"), goal=1.5),
        Case("capcalc timeline cortex-buildout", (*capcalc, "timeline", "cortex-buildout"),
             goal=3.0),
        Case("capcalc run tenfold --samples 20000",
             (*capcalc, "run", "tenfold", "--samples", "20000"), goal=4.0),
        Case("capcalc run cortex-phase1, no cache", (*capcalc, "run", "cortex-phase1"),
             env=(("CAPCALC_NO_CACHE", "1"),)),
    ]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(case: Case, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``case`` as a new process; fails on a wrong exit status."""
    cpu = _children_cpu_s()
    start = time.perf_counter()
    done = subprocess.run(case.argv, cwd=cwd, env={**env, **dict(case.env)},
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                          timeout=120)
    seconds = time.perf_counter() - start
    if done.returncode != case.status:
        raise SystemExit(f"{case.label}: exit status {done.returncode}, expected {case.status}:\n"
                         f"{done.stderr.decode(errors='replace')}")
    return seconds, _children_cpu_s() - cpu


Times = dict[str, list[tuple[float, float]]]


def measure(repeat: int, *, bytecode: bool = False) -> Times:
    """(wall, CPU) seconds of every case, ``repeat`` interleaved rounds after a warm-up round;
    with ``bytecode``, ``PYTHONDONTWRITEBYTECODE`` is dropped so the warm-up writes it."""
    work = Path(tempfile.mkdtemp(prefix="capcalc-startup-"))
    env = {**os.environ, "MPLBACKEND": "Agg", "XDG_CACHE_HOME": str(work / "cache")}
    env.pop("CAPCALC_NO_CACHE", None)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    times: Times = {case.label: [] for case in cases()}
    try:
        for round_ in range(repeat + 1):
            for case in cases():
                seconds = timed(case, work, env)
                if round_:  # round 0 warms the OS file cache and capcalc's own cache
                    times[case.label].append(seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


def bytecode_cached() -> bool:
    """Whether capcalc's package has its compiled bytecode beside it (after a measurement)."""
    spec = importlib.util.find_spec("calc")
    if spec is None or spec.origin is None:
        return False
    cached = importlib.util.cache_from_source(spec.origin)
    return Path(cached).is_file()


def report(times: Times) -> tuple[str, bool]:
    """The table of medians and ratios (wall, then CPU), and whether every wall goal is met."""
    wall = {label: statistics.median(w for w, _ in values) for label, values in times.items()}
    cpu = {label: statistics.median(c for _, c in values) for label, values in times.items()}
    floor_label, *_ = wall
    lines = [f"{'command':<40} {'wall':>7} {'× numpy':>8} {'cpu':>7} {'× numpy':>8} "
             f"{'goal':>6}  verdict (wall)"]
    met = True
    for case in cases():
        ratio = wall[case.label] / wall[floor_label]
        cpu_ratio = cpu[case.label] / cpu[floor_label]
        if case.goal is None:
            goal, verdict = "", "(floor)" if case.label == floor_label else "(info)"
        else:
            goal = f"≤ {case.goal:g}×"
            verdict = "meets goal" if ratio <= case.goal else "MISSES GOAL"
            met = met and ratio <= case.goal
        lines.append(f"{case.label:<40} {wall[case.label]:6.3f}s {ratio:7.2f}× "
                     f"{cpu[case.label]:6.3f}s {cpu_ratio:7.2f}× {goal:>6}  {verdict}")
    return "\n".join(lines), met


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table; with ``--check``, exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, metavar="N",
                        help="timed rounds after the warm-up (default 5; the median is shown)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--bytecode", action="store_true",
                        help="measure with capcalc's bytecode cached, as a wheel installs it "
                        "(ignores PYTHONDONTWRITEBYTECODE)")
    args = parser.parse_args(argv)
    times = measure(max(1, args.repeat), bytecode=args.bytecode)
    table, met = report(times)
    compiled = bytecode_cached()
    print(f"{len(next(iter(times.values())))} rounds after a warm-up, each command a new "
          f"process ({' '.join(capcalc_command())}); medians:")
    print(table)
    print("capcalc's bytecode: cached, as an installed wheel has it" if compiled else
          "capcalc's bytecode: compiled afresh by every process (PYTHONDONTWRITEBYTECODE is "
          "set; --bytecode measures with it cached)")
    print("every goal met" if met else "some goals missed")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
