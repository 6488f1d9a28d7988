"""Build-out timeline speed: one ten-year monthly timeline, and 100 000 samples of it.

Runs the shipped ``cortex-buildout`` (four phases, refreshes, the
performance-per-watt trend) for 120 months with ``calc.core.fleet.simulate_fleet``:

* one timeline with every series and the split by generation (goal: a few ms);
* the same with 100 000 samples of MFU, availability, PUE, hardware lifetime,
  the performance-per-watt growth and the last phase's delay, for the compute
  multiple and its reach date (goal: well under 2 s).

Prints the median of several runs and its ratio to the goal.

Run: ``.venv/bin/python benchmarks/timeline_speed.py [--samples N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import calc
from calc.core.fleet import simulate_fleet
from calc.core.months import month_index, month_label

SINGLE_GOAL_MS = 5.0
SAMPLES_GOAL_MS = 2000.0


def _median_ms(work: Callable[[], Any], repeat: int) -> float:
    work()  # warm caches (catalog lookups, numpy) before timing
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Time the single timeline and the sampled one; print medians and ratios to the goals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    library = calc.load()
    scenario = library.scenario("cortex-buildout")
    assert scenario.timeline is not None
    phases = scenario.timeline
    catalog = library.baseline.catalog
    baseline = calc.run(library, "cortex-phase1")["effective_flop_per_s"]
    first = min(p.start_month for p in phases)
    until = month_label(first + 119)  # 120 months
    values = dict(scenario.values)

    single = _median_ms(lambda: simulate_fleet(values, phases, catalog, baseline, until=until),
                        args.repeat)
    rng = np.random.default_rng(20260601)
    n = args.samples
    sampled = {
        **values,
        "training.mfu": rng.uniform(0.30, 0.45, n),
        "training.availability": rng.uniform(0.80, 0.95, n),
        "site.pue": rng.uniform(1.1, 1.4, n),
        "cost.hardware_lifetime_years": rng.uniform(3.0, 6.0, n),
        "hardware.perf_per_watt_growth_per_year": rng.uniform(0.26, 0.50, n),
        "timeline[3].delay_months": rng.integers(0, 13, n).astype(float),
    }
    many_result: list[Any] = []

    def many() -> None:
        many_result[:] = [simulate_fleet(sampled, phases, catalog, baseline, until=until,
                                   outputs=["compute_multiple"])]

    samples = _median_ms(many, max(3, args.repeat // 2))
    reach = many_result[0].reach
    reached = reach >= 0
    months = month_index(until) - first + 1
    print(f"timeline: {len(phases)} phases, {months} months ({month_label(first)} to {until})")
    print(f"single timeline, every series: {single:8.2f} ms  "
          f"({single / SINGLE_GOAL_MS:.2f} of the {SINGLE_GOAL_MS:g} ms goal)")
    print(f"{n:,} samples, compute multiple: {samples:8.1f} ms  "
          f"({samples / SAMPLES_GOAL_MS:.2f} of the {SAMPLES_GOAL_MS:g} ms goal; "
          f"{samples / n * 1e3:.2f} µs per sample)")
    if reached.any():
        median = month_label(first + int(np.median(reach[reached])))
        print(f"  10× reached by {until} in {reached.mean():.0%} of samples; "
              f"median reach {median}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
