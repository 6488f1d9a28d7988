"""The analyst's questions at their sample counts, against one central run of the same question.

* "How much power to be 80 % sure of 10×?": ``solve_probability`` at 20,000 joint
  samples, against the central ``solve_input`` (goal: under 2 s).
* "The odds of 10× by each month, with slip": ``simulate_timeline`` of
  ``cortex-buildout`` over ten years at 10,000 samples, its announced phases
  slipping by their operator's record (the default), against one central ``run_timeline``
  (goal: under 2 s).
* "What if we knew": ``p_target_conditional`` at 10,000 samples, against one
  ``calc.simulate`` of the same samples.

Prints the median of several runs, the ratio to the central run and to the goal.
Run: ``.venv/bin/python benchmarks/analyst_speed.py [--repeat R]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import calc
from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.confidence import solve_probability
from calc.analysis.run import baseline_measure, solve_input
from calc.analysis.sensitivity import p_target_conditional
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.timeline import run_timeline
from calc.core.months import month_index, month_label
from calc.data.peers import load_peers

GOAL_S = 2.0


def _median_s(work: Callable[[], Any], repeat: int) -> float:
    work()  # warm-up: imports, caches, first-touch memory
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Time each question and its central run; print medians and ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    library = calc.load()
    peers = load_peers(catalog=library.baseline.catalog)

    tenfold = calc.run(library, "tenfold").scenario
    unit = baseline_measure(library, tenfold)
    solve_central = _median_s(lambda: solve_input(tenfold, "site.facility_power_mw",
                                                  "compute_multiple", 10.0, unit), args.repeat)
    solve_p = _median_s(lambda: solve_probability(
        library, "tenfold", "site.facility_power_mw", "compute_multiple", 10.0, 0.8,
        samples=20_000, seed=1), args.repeat)

    buildout = library.scenario("cortex-buildout")
    assert buildout.timeline is not None
    phases = with_slip(buildout.timeline, default_slip(peers, operator=library.story.operator))
    until = month_label(min(p.start_month for p in phases) + 119)  # ten years
    assert month_index(until) > 0
    timeline_central = _median_s(lambda: run_timeline(library, buildout, until=until,
                                                      phases=phases), args.repeat)
    timeline_p = _median_s(lambda: simulate_timeline(library, buildout, samples=10_000, seed=1,
                                                     until=until, phases=phases), args.repeat)

    simulate_once = _median_s(lambda: calc.simulate(library, "tenfold", samples=10_000, seed=1),
                              args.repeat)
    conditional = _median_s(lambda: p_target_conditional(library, "tenfold", samples=10_000,
                                                         seed=1), args.repeat)

    print(f"Median of {args.repeat} runs after a warm-up (goal: each question under "
          f"{GOAL_S:.0f} s):")
    for label, seconds, central in (
            ("power for P(10×) = 80 %, 20,000 samples", solve_p, solve_central),
            ("P(10× by month) with slip, 10 years, 10,000 samples", timeline_p,
             timeline_central),
            ("P(10×) with each input pinned, 10,000 samples", conditional, simulate_once)):
        verdict = "meets" if seconds <= GOAL_S else "misses"
        print(f"  {label:<55} {seconds * 1000:7.0f} ms  = {seconds / central:6.0f}× its central "
              f"run ({central * 1000:.1f} ms); {verdict} the goal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
