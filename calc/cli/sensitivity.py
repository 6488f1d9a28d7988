"""``capcalc sensitivity OUTPUT``: which inputs move an output, by tornado and Sobol indices."""

from __future__ import annotations

import argparse

from calc.analysis.sensitivity import check_output, sensitivity
from calc.cli.common import emit, emit_json, single_scenario, styled, write_out
from calc.presentation.charts.uncertainty import sobol_chart, tornado_chart
from calc.presentation.export import chart_files
from calc.presentation.sensitivity import sensitivity_text
from calc.presentation.tables.sensitivity import sobol_table, tornado_table

__all__ = ["cmd_sensitivity"]


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``capcalc sensitivity OUTPUT [SCENARIO|FILE]``."""
    check_output(args.output)
    library, scenario, _ = single_scenario(args)
    result = sensitivity(library, scenario, args.output, samples=args.samples, seed=args.seed)
    if args.out:
        charts = [(tornado_chart, tornado_table(result)), (sobol_chart, sobol_table(result))]
        write_out(args.out, chart_files(charts, args.formats), force=args.force)
    if args.format == "json":
        emit_json(result.to_dict())
    else:
        emit(styled(sensitivity_text, result))
    return 0
