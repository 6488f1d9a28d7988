"""``capcalc levers``: a compute multiple as the product of its levers, and single-lever paths."""

from __future__ import annotations

import argparse
import sys

from calc.analysis.levers import levers_of_result, levers_of_timeline
from calc.analysis.run import run
from calc.analysis.timeline import run_timeline
from calc.cli.common import emit, emit_json, phases_of, single_scenario, styled, write_out
from calc.core.errors import CapcalcError
from calc.presentation.charts.timeline import levers_chart
from calc.presentation.export import chart_files
from calc.presentation.levers import levers_json, levers_table, levers_text

__all__ = ["cmd_levers"]


def cmd_levers(args: argparse.Namespace) -> int:
    """``capcalc levers``."""
    library, scenario, phase_sets = single_scenario(args, timeline=bool(args.at))
    if args.at:
        phases = phases_of(library, scenario, phase_sets)
        try:
            timeline = run_timeline(library, scenario, until=args.at, phases=phases)
        except CapcalcError as exc:  # the timeline runs to --at: its horizon is that month
            raise exc.keyed({"until": "at"}) from None
        levers = levers_of_timeline(library, timeline)
    else:
        if phase_sets:
            raise CapcalcError("timeline keys need --at YYYY-MM", key=phase_sets[0][0])
        levers = levers_of_result(library, run(library, scenario),
                                  run(library, scenario.baseline_name))
    table = levers_table(levers)
    if args.out:
        write_out(args.out, chart_files([levers_chart(levers)], args.formats), force=args.force)
    if args.format == "json":
        emit_json(levers_json(levers, args.at))
    elif args.format == "csv":
        sys.stdout.write(table.to_csv())
    else:
        emit(styled(levers_text, levers))
    return 0
