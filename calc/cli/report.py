"""``capcalc report``: one self-contained HTML report, its charts and their data beside it."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from calc.analysis.limits import MAX_TIMELINE_SAMPLES, MIN_SAMPLES
from calc.cli.common import emit, library_of, load_scenarios, parse_sets
from calc.cli.peers import peers_of
from calc.core.errors import CapcalcError, clean_text
from calc.data.output_folder import write_files
from calc.data.scenarios import Library
from calc.presentation.export import check_formats
from calc.presentation.report import REPORT_FILE, Progress, build_report, report_files

if TYPE_CHECKING:
    from calc.analysis.discover import Ladder
    from calc.analysis.sweep_result import SweepResult

__all__ = ["cmd_report", "swept"]


def swept(args: argparse.Namespace, library: Library) -> tuple[SweepResult, Ladder] | None:
    """``--sweep FILE``: the sweep (resumed from ``--sweep-out``) and its discovery for its
    own target multiple by ``--by`` (default the file's first ``by:`` month, else its
    horizon) at ``--density``; None without ``--sweep``."""
    if args.sweep is None:
        if args.sweep_out is not None or args.by is not None:
            raise CapcalcError("needs --sweep FILE", key="sweep_out" if args.sweep_out
                               else "by")
        return None
    # deferred: the sweep and PRIM, only for a report asked for a sweep
    from calc.analysis.discover import discover
    from calc.analysis.sweep import sweep
    from calc.cli.sweep import progress_bar

    with progress_bar("sweep") as progress:
        result = sweep(args.sweep, library, out=args.sweep_out, progress=progress)
    by = args.by
    if by is None and result.months:
        own = [c.removeprefix("p_target_by_") for c in result.kept
               if c.startswith("p_target_by_")]
        by = own[0] if own else None
    ladder = discover(result, "compute_multiple", float(result.attrs["target_multiple"]),
                      by=by, density=args.density)
    return result, ladder

#: Processes the report's charts are drawn in (drawing is most of its time).
WORKERS = 2


@contextlib.contextmanager
def _shown_progress() -> Iterator[Progress | None]:
    """Each step of the report on standard error while it runs, when that is a terminal
    (a bar that is gone when the report is written); nothing on a pipe or a file."""
    if not (sys.stderr.isatty() and os.environ.get("TERM") != "dumb"):
        yield None
        return
    # deferred: rich draws only on a terminal
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Report", total=None)

        def told(what: str, done: int, total: int) -> None:
            bar.update(task, description=f"Report: {what}", completed=done, total=total)
            bar.refresh()  # every step drawn, however short

        yield told


def cmd_report(args: argparse.Namespace) -> int:
    """``capcalc report``: report.html with the PNG/SVG/CSV of every chart beside it."""
    formats = check_formats(args.formats)
    if not MIN_SAMPLES <= args.samples <= MAX_TIMELINE_SAMPLES:
        raise CapcalcError(f"must be between {MIN_SAMPLES:,} and {MAX_TIMELINE_SAMPLES:,} "
                           f"(got {args.samples:,}): the report samples a build-out with them, "
                           f"and a sampled timeline takes at most {MAX_TIMELINE_SAMPLES:,}",
                           key="samples")
    sets, phase_sets = parse_sets(args.sets)
    if phase_sets:
        raise CapcalcError("is a phase field; the report runs each scenario's own build-out",
                           key=phase_sets[0][0])
    base = library_of(args)
    sweep = swept(args, base)
    library, names = load_scenarios(base, args.scenarios)
    with _shown_progress() as progress:
        report = build_report(library, names if args.scenarios else (), sets,
                              seed=args.seed, samples=args.samples,
                              peers=peers_of(args, library),
                              peers_source=str(args.peers) if args.peers else None,
                              formats=formats, sweep=sweep, progress=progress,
                              workers=WORKERS)
        written = write_files(args.out, report_files(report), force=args.force)
    emit(f"wrote {len(written)} files to {clean_text(str(args.out))}; open "
         f"{clean_text(str(args.out / REPORT_FILE))}")
    return 0
