"""How long ``capcalc report`` takes for the default scenarios: wall clock and CPU.

The goal is a report in at most 6 s of wall clock on an otherwise idle 2-core
machine. Drawing the charts (matplotlib, PNG and SVG) is most of it, so the
command line draws them in two processes; this script runs the report both
ways, in fresh processes, and prints the wall clock, the CPU time of the
process and its children, the ratio of the two ways, and the machine's load
average (on a machine shared with other work the wall clock says more about the
others than about capcalc: compare CPU seconds then).

Run::

    .venv/bin/python benchmarks/report_speed.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CODE = """
import sys
from pathlib import Path
import calc
from calc.data.output_folder import write_files
from calc.presentation.report import build_report, report_files
workers = int(sys.argv[1])
report = build_report(calc.load(), workers=workers)
write_files(Path(sys.argv[2]), report_files(report), force=False)
"""


def _once(workers: int) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of one report in a new process."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", CODE, str(workers), os.path.join(tmp, "out")],
                       check=True, env={**os.environ, "MPLBACKEND": "Agg"})
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores")
    medians = {}
    for workers in (1, 2):
        runs = [_once(workers) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        medians[workers] = wall
        print(f"charts in {workers} process{'es' if workers > 1 else ''}: wall {wall:5.2f} s, "
              f"CPU {cpu:5.2f} s (median of {args.repeat})")
    print(f"wall, one process ÷ two: {medians[1] / medians[2]:.2f}×; "
          f"goal ≤ 6 s: {'met' if medians[2] <= 6 else 'not met'} on this machine now")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
