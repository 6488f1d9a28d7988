"""Sweep speed and scale against the goals of the issue that asked for sweeps.

Prints, for this machine:

* a central sweep of the static chain: ns per point (goal ≤ 150);
* a sampled sweep: ns per point-sample (goal ≤ 150);
* a sampled build-out sweep: ns per sample-month (goal ≤ 60);
* a local pool of 2 workers: parallel efficiency on the same sampled sweep (goal ≥ 80 %
  on a sweep of ≥ 10 s), and a Dask LocalCluster's time against the pool's (goal ≤ 1.1);
* discovery: a 12-deadline ladder over 10⁵ futures, seconds (goal ≤ 3);
* with ``--full``: peak memory of a sweep of 10⁹ point-samples with reductions only
  (goal ≤ 1 GiB), in a child process.

Times exclude capcalc's start-up (the library is loaded first); each is the
best of ``--repeats`` runs. The machine is shared: run it alone for figures to quote.
Run: ``.venv/bin/python benchmarks/sweep_speed.py [--repeats R] [--scale S] [--full]``
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import calc


def best(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The shortest of ``repeats`` runs, seconds, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def grid(n: int) -> list[float]:
    return np.linspace(100, 3000, n).round(6).tolist()


def central(library: calc.Library, repeats: int, scale: float) -> None:
    side = max(10, int(1000 * scale ** 0.5))
    spec = {"scenario": "cortex-phase1",
            "axes": {"site.facility_power_mw": grid(side),
                     "training.mfu": np.linspace(0.2, 0.6, side).round(6).tolist()},
            "outputs": ["compute_multiple", "facility_power_mw_for_target"]}
    seconds, result = best(lambda: calc.sweep(spec, library), repeats)
    print(f"central sweep      {len(result):>12,} points          {seconds:7.2f} s  "
          f"{seconds / len(result) * 1e9:7.0f} ns/point        (goal ≤ 150)")


def sampled_spec(points: int, samples: int) -> dict[str, Any]:
    return {"scenario": "cortex-phase1",
            "axes": {"site.facility_power_mw": {"low": 100, "high": 3000},
                     "training.availability": {"low": 0.6, "high": 0.95}},
            "points": points, "samples": samples, "seed": 1,
            "outputs": ["compute_multiple"], "quantiles": [0.5]}


def sampled(library: calc.Library, repeats: int, scale: float) -> float:
    points, samples = max(10, int(2000 * scale)), 5000
    spec = sampled_spec(points, samples)
    seconds, _ = best(lambda: calc.sweep(spec, library), repeats)
    print(f"sampled sweep      {points * samples:>12,} point-samples  {seconds:7.2f} s  "
          f"{seconds / (points * samples) * 1e9:7.0f} ns/point-sample (goal ≤ 150)")
    return seconds


def buildout(library: calc.Library, repeats: int, scale: float) -> None:
    points, samples = max(4, int(64 * scale)), 1000
    spec = {"scenario": "cortex-buildout",
            "axes": {"timeline[3].facility_power_mw": {"low": 500, "high": 2000},
                     "timeline[3].delay_months": {"low": 0, "high": 18}},
            "points": points, "samples": samples, "seed": 1, "until": "2030-12",
            "outputs": ["reach_month", "p_target_by"]}
    seconds, result = best(lambda: calc.sweep(spec, library), repeats)
    cells = points * samples * len(result.months)
    print(f"build-out sweep    {cells:>12,} sample-months  {seconds:7.2f} s  "
          f"{seconds / cells * 1e9:7.0f} ns/sample-month (goal ≤ 60)")


def parallel(library: calc.Library, scale: float) -> None:
    points = max(40, int(4000 * scale))
    spec = {**sampled_spec(points, 5000), "block_size": max(1, points // 40)}
    serial, _ = best(lambda: calc.sweep(spec, library), 1)
    pool, _ = best(lambda: calc.sweep(spec, library, workers=2), 1)
    print(f"local pool of 2    serial {serial:6.2f} s, pool {pool:6.2f} s: parallel "
          f"efficiency {serial / (2 * pool):.0%} (goal ≥ 80 % on a sweep of ≥ 10 s)")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("Dask LocalCluster   skipped: pip install 'capcalc[dask]'")
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        calc.sweep({**spec, "points": 40, "block_size": 1}, library, client=client)  # warm
        dask, _ = best(lambda: calc.sweep(spec, library, client=client), 1)
    print(f"Dask LocalCluster  {dask:6.2f} s: {dask / pool:.2f} × the pool's time (goal ≤ 1.1)")


def discovery(library: calc.Library, repeats: int, scale: float) -> None:
    points = max(1000, int(100_000 * scale))
    spec = {"scenario": "cortex-buildout",
            "axes": {"timeline[3].facility_power_mw": {"low": 300, "high": 2000},
                     "timeline[3].delay_months": {"low": 0, "high": 18},
                     "training.mfu": {"low": 0.3, "high": 0.5}},
            "points": points, "seed": 1, "until": "2030-12",
            "outputs": ["reach_month"]}
    result = calc.sweep(spec, library)
    seconds, ladder = best(lambda: calc.discover(result, "compute_multiple", 10,
                                                 density=0.8), repeats)
    print(f"discover           {len(ladder.rungs)} deadlines over {points:,} futures "
          f"{seconds:7.2f} s (goal ≤ 3)")


_CHILD = """
import resource, calc
spec = {"scenario": "cortex-phase1",
        "axes": {"site.facility_power_mw": {"low": 100, "high": 3000},
                 "training.availability": {"low": 0.6, "high": 0.95}},
        "points": 100_000, "samples": 10_000, "seed": 1,
        "outputs": ["compute_multiple"], "quantiles": [0.5]}
calc.sweep(spec, calc.load())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory() -> None:
    done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                          check=True)
    peak = int(done.stdout.split()[-1]) * 1024
    print(f"10⁹ point-samples  peak memory {peak / 2**30:.2f} GiB (goal ≤ 1 GiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every sweep's size (0.1 for a quick look)")
    parser.add_argument("--full", action="store_true",
                        help="also the 10⁹ point-sample memory run (minutes)")
    args = parser.parse_args()
    library = calc.load()
    calc.sweep(sampled_spec(10, 100), library)  # load scipy and the chain once
    central(library, args.repeats, args.scale)
    sampled(library, args.repeats, args.scale)
    buildout(library, args.repeats, args.scale)
    discovery(library, args.repeats, args.scale)
    parallel(library, args.scale)
    if args.full:
        memory()
    print(f"(this process's peak memory: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB)")


if __name__ == "__main__":
    main()
