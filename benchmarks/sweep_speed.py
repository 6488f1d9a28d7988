"""Sweep speed and scale against the goals of the issue that asked for sweeps (#23).

Prints, for this machine, each as wall time and CPU time:

* a central sweep of the static chain: ns per point (goal ≤ 150), against the
  same formula written in bare numpy;
* a sampled sweep of 10⁸ point-samples: ns per point-sample (goal ≤ 150, 10⁸
  in ≤ 15 s), against bare numpy drawing nothing (it is handed the sweep's
  draws) and taking P(target) and the median with ``numpy.quantile``;
* a sampled build-out sweep: ns per sample-month (goal ≤ 60);
* discovery: a 12-deadline ladder over 10⁵ futures, seconds (goal ≤ 3);
* a local pool of 2 workers and a Dask LocalCluster of 2 on a sweep of ≥ 10 s:
  parallel efficiency (goal ≥ 80 %) and Dask's time against the pool's (≤ 1.1);
* with ``--full``: the peak memory of a sweep of 10⁹ point-samples with
  reductions only (goal ≤ 1 GiB), in a child process (its ``ru_maxrss``).

How it measures, on a machine other jobs share. Wall time counts the time a
run waits for a core while other processes use it; CPU time (user + system,
``getrusage``) counts only the time the run computes, so it is the figure to
compare with a goal on a loaded machine (the load average is printed with it).
Each figure is the best of ``--repeats`` runs, capcalc and bare numpy taken in
turn. A pool's or a cluster's CPU time is its workers' own (read from
``/proc`` through psutil every 50 ms, so up to 50 ms of a worker may be
missed) plus this process's; its parallel efficiency on an otherwise idle
machine is estimated as serial CPU ÷ (2 × (this process's CPU + the busiest
worker's CPU)): the workers run side by side, and this process's own work is
counted as if it never overlapped theirs; a Dask cluster's background (the CPU
it burns per second with nothing to do, measured first) is taken out of the
measured CPU and counted again over the estimated time, since on a loaded
machine it grows with the stretched wall time. Times exclude capcalc's start-up
(the library is loaded and scipy imported first).

Run: ``.venv/bin/python benchmarks/sweep_speed.py [--repeats R] [--scale S] [--full]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

import calc
from calc.analysis.montecarlo import paired_draws
from calc.analysis.run import baseline_measure
from calc.analysis.sweep_plan import plan_sweep
from calc.core.constants import W_PER_MW
from calc.data.sweep_file import read_sweep

SCENARIO = "cortex-phase1"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Timing:
    """Seconds of wall time and of CPU time (this process, and its workers when given)."""

    wall: float
    cpu: float


def interleaved(runs: Mapping[str, Callable[[], Any]], repeats: int
                ) -> tuple[dict[str, Timing], dict[str, Any]]:
    """Best wall and best CPU time of each run, the runs taken in turn; the last results."""
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, Any] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), _cpu()
            results[name] = run()
            cpus[name].append(_cpu() - cpu)
            walls[name].append(time.perf_counter() - wall)
    return {n: Timing(min(walls[n]), min(cpus[n])) for n in runs}, results


def line(label: str, size: str, t: Timing, per: float, unit: str, goal: str,
         numpy: Timing | None = None) -> None:
    ratio = (f"  ×numpy cpu {t.cpu / numpy.cpu:4.2f} wall {t.wall / numpy.wall:4.2f}"
             if numpy else "")
    print(f"{label:<18} {size:>26}  cpu {t.cpu:7.3f} s {t.cpu / per * 1e9:6.0f} {unit}"
          f"  wall {t.wall:7.3f} s {t.wall / per * 1e9:6.0f} {unit}  ({goal}){ratio}")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


# ---------------------------------------------------------------- the static chain


def _values(library: calc.Library) -> tuple[dict[str, Any], float]:
    scenario = library.scenario(SCENARIO)
    return dict(scenario.values), baseline_measure(library, scenario)


def central_numpy(values: Mapping[str, Any], baseline: float, powers: np.ndarray,
                  mfus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The compute multiple and the power for the target over a power × MFU grid."""
    power = np.repeat(powers, len(mfus))
    mfu = np.tile(mfus, len(powers))
    w_each = (values["hardware.tdp_w"] * values["hardware.server_overhead"]
              * values["site.it_overhead"] * values["site.pue"])
    effective = (power * W_PER_MW / w_each * values["hardware.peak_flop_per_s"] * mfu
                 * values["training.availability"] * values["training.share"])
    multiple = effective / baseline
    return multiple, power * values["target.compute_multiplier"] / multiple


def central(library: calc.Library, repeats: int, scale: float) -> None:
    side = max(10, int(1000 * scale ** 0.5))
    powers = np.linspace(100, 3000, side).round(6)
    mfus = np.linspace(0.2, 0.6, side).round(6)
    spec = {"scenario": SCENARIO,
            "axes": {"site.facility_power_mw": powers.tolist(), "training.mfu": mfus.tolist()},
            "outputs": ["compute_multiple", "facility_power_mw_for_target"]}
    values, baseline = _values(library)
    times, results = interleaved(
        {"sweep": lambda: calc.sweep(spec, library),
         "numpy": lambda: central_numpy(values, baseline, powers, mfus)}, repeats)
    same = all(np.array_equal(results["sweep"][name], mine) for name, mine in
               zip(spec["outputs"], results["numpy"], strict=True))
    line("central sweep", f"{side * side:,} points", times["sweep"], side * side,
         "ns/point", "goal ≤ 150", times["numpy"])
    print(f"{'':<18} (the sweep reads its file, plans, evaluates and assembles the table; "
          f"bare numpy's numbers are {'identical' if same else 'NOT identical'})")


def sampled_spec(points: int, samples: int, seed: int = 1) -> dict[str, Any]:
    return {"scenario": SCENARIO,
            "axes": {"site.facility_power_mw": {"low": 100, "high": 3000},
                     "training.availability": {"low": 0.6, "high": 0.95}},
            "points": points, "samples": samples, "seed": seed,
            "outputs": ["compute_multiple"], "quantiles": [0.5]}


def sampled_numpy(draws: Any, power: np.ndarray, availability: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """P(multiple ≥ target) and the median multiple of each point, over the given draws."""
    inputs = {**draws.fixed, **draws.drawn}
    samples = draws.samples

    def v(key: str) -> Any:
        value = inputs[key]
        return value[None, :] if isinstance(value, np.ndarray) else value

    w_each = v("hardware.tdp_w") * v("hardware.server_overhead") * v("site.it_overhead") \
        * v("site.pue")
    per_w = v("hardware.peak_flop_per_s") * v("training.mfu") * v("training.share")
    base = draws.baseline_effective[None, :]
    target = v("target.compute_multiplier")
    p = np.empty(len(power))
    median = np.empty(len(power))
    step = max(1, (1 << 20) // samples)  # a million point-samples at a time
    for lo in range(0, len(power), step):
        rows = slice(lo, lo + step)
        effective = (power[rows, None] * W_PER_MW / w_each * per_w
                     * availability[rows, None])
        multiple = effective / base
        p[rows] = np.count_nonzero(multiple >= target, axis=1) / samples
        median[rows] = np.quantile(multiple, 0.5, axis=1)
    return p, median


def sampled(library: calc.Library, repeats: int, points: int, samples: int = 5000) -> None:
    spec = sampled_spec(points, samples)
    result = calc.sweep(spec, library)
    # the draws of the sweep's scenario: its axes' inputs set (not drawn), as the sweep has it
    scenario = plan_sweep(library, read_sweep(spec)).groups[0].scenario
    draws = paired_draws(library, scenario, samples=samples, seed=1)
    power = np.asarray(result["site.facility_power_mw"], dtype=float)
    availability = np.asarray(result["training.availability"], dtype=float)
    times, results = interleaved(
        {"sweep": lambda: calc.sweep(spec, library),
         "numpy": lambda: sampled_numpy(draws, power, availability)}, repeats)
    p, median = results["numpy"]
    close = np.allclose(results["sweep"]["p_target_reached"], p, atol=1e-9) and \
        np.allclose(results["sweep"]["compute_multiple_p50"], median, rtol=1e-12)
    cells = points * samples
    line("sampled sweep", f"{cells:,} point-samples", times["sweep"], cells,
         "ns/pt-sample", "goal ≤ 150", times["numpy"])
    print(f"{'':<18} (bare numpy: the same formula on the sweep's draws, numpy.quantile for "
          f"the median; {'the same' if close else 'NOT the same'} P(target) and medians)")


def buildout(library: calc.Library, repeats: int, scale: float) -> None:
    points, samples = max(4, int(64 * scale)), 1000
    spec = {"scenario": "cortex-buildout",
            "axes": {"timeline[3].facility_power_mw": {"low": 500, "high": 2000},
                     "timeline[3].delay_months": {"low": 0, "high": 18}},
            "points": points, "samples": samples, "seed": 1, "until": "2030-12",
            "outputs": ["reach_month", "p_target_by"]}
    times, results = interleaved({"sweep": lambda: calc.sweep(spec, library)}, repeats)
    cells = points * samples * len(results["sweep"].months)
    line("build-out sweep", f"{cells:,} sample-months", times["sweep"], cells,
         "ns/sample-mo", "goal ≤ 60")


def discovery(library: calc.Library, repeats: int, scale: float) -> None:
    points = max(1000, int(100_000 * scale))
    # 30× by each quarter to 2030-12: a target met in some of these futures only, so that
    # every deadline's box is peeled over tens of steps (where nearly every future meets
    # the target, PRIM stops at once and the ladder measures nothing)
    spec = {"scenario": "cortex-buildout", "set": {"target.compute_multiplier": 30},
            "axes": {"timeline[3].facility_power_mw": {"low": 300, "high": 2000},
                     "timeline[3].delay_months": {"low": 0, "high": 18},
                     "training.mfu": {"low": 0.3, "high": 0.5}},
            "points": points, "seed": 1, "until": "2030-12", "outputs": ["reach_month"]}
    result = calc.sweep(spec, library)
    times, ladders = interleaved(
        {"discover": lambda: calc.discover(result, "compute_multiple", 30, density=0.8)},
        repeats)
    t = times["discover"]
    print(f"{'discover':<18} {len(ladders['discover'].rungs):>3} deadlines over "
          f"{points:,} futures  cpu {t.cpu:7.3f} s  wall {t.wall:7.3f} s  (goal ≤ 3 s)")


# ---------------------------------------------------------------- pool and Dask


class Descendants:
    """CPU seconds of this process's descendants (workers), read every ``every`` seconds.

    Each process's CPU time is its latest reading less its reading when
    watching began (0 for a process started since).
    """

    def __init__(self, every: float = 0.05) -> None:
        import psutil  # deferred: only the pool's figures need it (a dependency of distributed)

        self.me = psutil.Process()
        self.gone = psutil.Error
        self.every = every
        self.start: dict[int, float] = {}
        self.latest: dict[int, float] = {}
        self.stop = threading.Event()
        self.own = 0.0  # CPU seconds the watching thread itself took

    def _read(self) -> dict[int, float]:
        out = {}
        for child in self.me.children(recursive=True):
            try:
                times = child.cpu_times()
            except self.gone:  # a worker that has just exited
                continue
            out[child.pid] = times.user + times.system
        return out

    def _loop(self) -> None:
        start = time.thread_time()
        while not self.stop.wait(self.every):
            self.latest.update(self._read())
        self.own = time.thread_time() - start

    @contextmanager
    def watching(self) -> Iterator[None]:
        self.start = self._read()
        self.latest = dict(self.start)
        self.own = 0.0
        self.stop.clear()
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self.stop.set()
            thread.join()
            self.latest.update(self._read())

    def used(self) -> dict[int, float]:
        """CPU seconds each descendant used while watched (those that used any)."""
        out = {pid: cpu - self.start.get(pid, 0.0) for pid, cpu in self.latest.items()}
        return {pid: cpu for pid, cpu in out.items() if cpu > 0.01}


@dataclass(frozen=True)
class Background:
    """CPU seconds per second of wall time that a back-end burns with nothing to do:
    this process's (a Dask scheduler's and nannies' periodic callbacks) and its busiest
    worker's (heartbeats). On a loaded machine a run's wall time stretches, and this
    share of its CPU time with it."""

    mine: float = 0.0
    worker: float = 0.0


def background(watcher: Descendants, seconds: float = 3.0) -> Background:
    wall, cpu = time.perf_counter(), _cpu()
    with watcher.watching():
        time.sleep(seconds)
    wall = time.perf_counter() - wall
    mine = _cpu() - cpu - watcher.own
    return Background(max(0.0, mine / wall),
                      max(watcher.used().values(), default=0.0) / wall)


@dataclass(frozen=True)
class Parallel:
    """A run on workers: its wall and CPU time (workers included), this process's CPU
    (less the watcher's), its busiest worker's, and the back-end's idle background."""

    timing: Timing
    mine: float
    busiest: float
    background: Background

    @property
    def idle(self) -> float:
        """Its wall time on an otherwise idle machine, estimated: this process's and the
        busiest worker's work, as if they never overlapped, plus the background over that
        time (see the module's text)."""
        bg = self.background
        work = (self.mine - bg.mine * self.timing.wall) + \
            (self.busiest - bg.worker * self.timing.wall)
        return work / (1 - bg.mine - bg.worker)


def parallel_run(run: Callable[[], Any], watcher: Descendants,
                 idle: Background = Background()) -> Parallel:
    wall, cpu = time.perf_counter(), _cpu()
    with watcher.watching():
        run()
    mine, wall = _cpu() - cpu - watcher.own, time.perf_counter() - wall
    workers = watcher.used()
    return Parallel(Timing(wall, mine + sum(workers.values())), mine,
                    max(workers.values(), default=0.0), idle)


def _best(runs: list[Parallel]) -> Parallel:
    return min(runs, key=lambda r: r.idle)


def parallel(library: calc.Library, scale: float, repeats: int) -> None:
    points = max(40, int(250_000 * scale))  # about 10 s of CPU time in one process
    spec = sampled_spec(points, 5000, seed=2)
    try:
        watcher = Descendants()
        from distributed import Client, LocalCluster
    except ImportError:
        print("pool and Dask       skipped: pip install 'capcalc[dask]' (psutil, distributed)")
        return
    start = time.perf_counter()
    calc.sweep({**spec, "points": 200}, library, workers=2)  # start the pool's server once
    print(f"{'':<18} (the pool's first start in this process, with its import: "
          f"{time.perf_counter() - start:.2f} s wall; not counted below)")
    serial: list[Timing] = []
    pool: list[Parallel] = []
    dask: list[Parallel] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        calc.sweep({**spec, "points": 200}, library, client=client)  # workers import capcalc
        idle = background(watcher)
        for _ in range(repeats):  # in turn, so that the machine's load falls on each alike
            serial.append(interleaved({"serial": lambda: calc.sweep(spec, library)}, 1)[0]
                          ["serial"])
            pool.append(parallel_run(lambda: calc.sweep(spec, library, workers=2), watcher))
            dask.append(parallel_run(lambda: calc.sweep(spec, library, client=client),
                                     watcher, idle))
    one = Timing(min(t.wall for t in serial), min(t.cpu for t in serial))
    print(f"{'serial':<18} {points * 5000:>16,} point-samples  cpu {one.cpu:7.2f} s  "
          f"wall {one.wall:7.2f} s  (best of {repeats}; {load()})")
    best_pool, best_dask = _best(pool), _best(dask)
    _report("local pool of 2", one, best_pool)
    _report("Dask LocalCluster", one, best_dask)
    print(f"{'':<18} (an idle LocalCluster burns {idle.mine:.3f} CPU s/s in this process "
          f"and {idle.worker:.3f} in its busiest worker: counted over the estimated time)")
    wall = min(r.timing.wall for r in dask) / min(r.timing.wall for r in pool)
    print(f"{'Dask ÷ pool':<18} on an idle machine (estimated) "
          f"{best_dask.idle / best_pool.idle:.2f}; measured wall {wall:.2f}; CPU "
          f"{best_dask.timing.cpu / best_pool.timing.cpu:.2f} (goal ≤ 1.1)")


def _report(label: str, serial: Timing, run: Parallel) -> None:
    print(f"{label:<18} cpu {run.timing.cpu:6.2f} s (this process {run.mine:.2f} s, busiest "
          f"worker {run.busiest:.2f} s)  wall {run.timing.wall:6.2f} s")
    print(f"{'':<18} parallel efficiency: on an idle machine (estimated) "
          f"{serial.cpu / (2 * run.idle):.0%}; measured wall "
          f"{serial.wall / (2 * run.timing.wall):.0%}; CPU overhead "
          f"{run.timing.cpu / serial.cpu - 1:+.0%} (goal ≥ 80 %)")


# ---------------------------------------------------------------- memory


_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
import calc
from benchmarks.sweep_speed import sampled_spec
library = calc.load()
start = time.perf_counter()
before = resource.getrusage(resource.RUSAGE_SELF)
calc.sweep(sampled_spec(100_000, 10_000), library)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
print(after.ru_maxrss, cpu, time.perf_counter() - start)
"""


def memory() -> None:
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", _CHILD.format(root=root)],
                          capture_output=True, text=True, check=True)
    peak, cpu, wall = done.stdout.split()[-3:]
    cells = 100_000 * 10_000
    line("10⁹ point-samples", f"{cells:,} point-samples", Timing(float(wall), float(cpu)),
         cells, "ns/pt-sample", "goal ≤ 150")
    print(f"{'':<18} peak memory {int(peak) * 1024 / 2**30:.2f} GiB (goal ≤ 1 GiB; the "
          f"child's ru_maxrss, capcalc and its imports included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every sweep's size (0.1 for a quick look)")
    parser.add_argument("--full", action="store_true",
                        help="also the 10⁹ point-sample memory run (a minute or more)")
    parser.add_argument("--only", choices=["central", "sampled", "buildout", "discover",
                                           "parallel", "memory"], action="append",
                        help="run only these parts (repeatable)")
    args = parser.parse_args()
    parts = set(args.only or ["central", "sampled", "buildout", "discover", "parallel",
                              *(["memory"] if args.full else [])])
    library = calc.load()
    calc.sweep(sampled_spec(10, 100), library)  # import scipy and warm the chain once
    print(f"capcalc {calc.__version__}; {load()} at the start")
    if "central" in parts:
        central(library, args.repeats, args.scale)
    if "sampled" in parts:
        sampled(library, args.repeats, max(10, int(20_000 * args.scale)))
    if "buildout" in parts:
        buildout(library, args.repeats, args.scale)
    if "discover" in parts:
        discovery(library, args.repeats, args.scale)
    if "parallel" in parts:
        parallel(library, args.scale, max(1, min(args.repeats, 2)))
    if "memory" in parts:
        memory()
    print(f"{load()} at the end; this process's peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


if __name__ == "__main__":
    main()
