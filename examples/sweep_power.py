"""Sweep facility power from 100 to 1,000 MW on three chips and save the chart with its data.

Run: ``python examples/sweep_power.py [OUT_DIR]`` (default ``examples-out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import calc
from calc.presentation.charts.scenarios import power_chart
from calc.presentation.export import save_chart


def main(out: Path) -> None:
    library = calc.load()
    baseline = calc.run(library, "cortex-phase1")
    scenario = library.scenario("cortex-phase1")
    powers = np.linspace(100, 1000, 10)
    chart = power_chart(
        library, scenario, baseline["effective_flop_per_s"],
        calc.run_many(library, ["cortex-phase1", "cortex-full"]),
        powers_mw=powers, accelerators=["H100", "B200", "GB200"],
    )
    for row in chart.table.rows()[::10]:
        print(f"{row['accelerator']:>6} at {row['facility_power_mw']:6.0f} MW: "
              f"{row['compute_multiple']:5.2f}× the baseline")
    paths = save_chart(chart, out, formats=("png", "svg"), force=True)
    print("saved", ", ".join(p.name for p in paths))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "examples-out"))
