"""``--samples N --seed S`` on run, timeline and solve: sampling, progress and chart files."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

from calc.analysis.montecarlo import Simulation, simulate
from calc.analysis.run import Result
from calc.data.scenarios import Library
from calc.presentation.text import wants_terminal_style

if TYPE_CHECKING:
    from calc.data.output_folder import FileData

__all__ = ["monte_carlo", "monte_carlo_files", "progress"]

#: Outputs whose histograms ``run --samples --out`` saves.
HISTOGRAM_OUTPUTS = ("compute_multiple", "effective_flop_per_s", "capex_usd")
#: Runs with at least this many samples in all show a progress bar (on a terminal).
PROGRESS_FROM = 500_000


@contextlib.contextmanager
def progress(label: str, *, show: bool,
             stream: TextIO | None = None) -> Iterator[Callable[[float], None] | None]:
    """A callback taking the fraction done, drawing a rich progress bar on a terminal.

    Yields None (no bar) when ``show`` is off or ``stream`` (stderr) is not a terminal.
    """
    out = stream or sys.stderr
    if not show or not wants_terminal_style(out):
        yield None
        return
    from rich.console import Console  # deferred: rich is loaded only to draw on a terminal
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  console=Console(file=out), transient=True) as bar:
        task = bar.add_task(label, total=1.0)
        yield lambda fraction: bar.update(task, completed=fraction)


def monte_carlo(library: Library, results: Sequence[Result], *, samples: int,
                seed: int) -> list[Simulation]:
    """Simulate each result's scenario (already resolved with the run's ``--set``)."""
    show = samples * len(results) >= PROGRESS_FROM
    sims = []
    for i, result in enumerate(results):
        with progress(f"sampling {result.name} ({i + 1}/{len(results)})", show=show) as report:
            sims.append(simulate(library, result.scenario, samples=samples, seed=seed,
                                 progress=report))
    return sims


def monte_carlo_files(sims: Sequence[Simulation], formats: list[str]) -> dict[str, FileData]:
    """The histograms and the exceedance curve with their CSVs, and the distribution CSV."""
    # deferred: the chart declarations and the file writer only with --out
    from calc.presentation.charts.uncertainty import exceedance_chart, histogram_chart
    from calc.presentation.export import Saved, chart_files
    from calc.presentation.tables.uncertainty import distribution_table

    saved: list[Saved] = [histogram_chart(sims, output) for output in HISTOGRAM_OUTPUTS]
    saved += [exceedance_chart(sims), distribution_table(sims)]
    return chart_files(saved, formats)
