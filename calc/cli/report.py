"""``capcalc report``: one self-contained HTML report, its charts and their data beside it."""

from __future__ import annotations

import argparse

from calc.analysis.limits import MAX_TIMELINE_SAMPLES, MIN_SAMPLES
from calc.cli.common import emit, library_of, load_scenarios, parse_sets
from calc.cli.peers import peers_of
from calc.core.errors import CapcalcError, clean_text
from calc.data.output_folder import write_files
from calc.presentation.export import check_formats
from calc.presentation.report import REPORT_FILE, build_report, report_files

__all__ = ["cmd_report"]


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
    library, names = load_scenarios(library_of(args), args.scenarios)
    report = build_report(library, names if args.scenarios else (), sets, seed=args.seed,
                          samples=args.samples, peers=peers_of(args, library),
                          peers_source=str(args.peers) if args.peers else None, formats=formats)
    written = write_files(args.out, report_files(report), force=args.force)
    emit(f"wrote {len(written)} files to {clean_text(str(args.out))}; open "
         f"{clean_text(str(args.out / REPORT_FILE))}")
    return 0
