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
    chips = ["H100", "B200", "GB200"]
    curves = calc.power_curves(library, scenario, baseline.measured(), powers, chips)
    for chip in chips:
        multiples = curves.curve(chip, "compute_multiple")
        print(f"{chip:>6} at {powers[0]:6.0f} MW: {multiples[0]:5.2f}× the baseline")
    chart = power_chart(library, scenario, baseline.measured(),
                        calc.run_many(library, ["cortex-phase1", "cortex-full"]),
                        powers_mw=powers, accelerators=chips)
    paths = save_chart(chart, out, formats=("png", "svg"), force=True)
    print("saved", ", ".join(p.name for p in paths))

if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "examples-out"))
