"""How much power does each accelerator need for ten times Cortex phase 1's compute?

Run: ``python examples/tenfold_by_chip.py [OUT_DIR]``. Prints one line per
catalog accelerator and saves the comparison chart of the 500 MW build on each.
"""

from __future__ import annotations

import sys
from pathlib import Path

import calc
from calc.presentation.charts.scenarios import comparison_chart
from calc.presentation.export import save_chart
from calc.presentation.formatting import format_value


def main(out: Path) -> None:
    library = calc.load()
    baseline = calc.run(library, "cortex-phase1")
    results = []
    for chip in library.baseline.catalog:
        result = calc.run(library, "cortex-full", [("hardware.accelerator", chip)])
        need = format_value(result["facility_power_mw_for_target"], "MW")
        print(f"{chip:>8}: 500 MW gives {result['compute_multiple']:5.2f}×; "
              f"10× needs {need}")
        results.append(result)
    best = max(results, key=lambda r: r["compute_multiple"])
    chosen = [baseline, calc.run(library, "cortex-full"), best]
    save_chart(comparison_chart(chosen, baseline), out, force=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "examples-out"))
