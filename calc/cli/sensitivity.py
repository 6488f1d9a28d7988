"""``capcalc sensitivity OUTPUT``: which inputs move an output (tornado, Sobol), or P(target)."""

from __future__ import annotations

import argparse

from calc.analysis.limits import DEFAULT_SAMPLES, DEFAULT_SOBOL_SAMPLES
from calc.analysis.sensitivity import P_TARGET, check_output, p_target_conditional, sensitivity
from calc.cli.common import emit, emit_json, single_scenario, styled, write_out
from calc.presentation.charts.sensitivity import conditional_p_chart, sobol_chart, tornado_chart
from calc.presentation.export import chart_files
from calc.presentation.sensitivity import conditional_p_text, sensitivity_text

__all__ = ["cmd_sensitivity"]


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``capcalc sensitivity OUTPUT [SCENARIO|FILE]``."""
    if args.output == P_TARGET:
        return _conditional(args)
    check_output(args.output)
    library, scenario, _ = single_scenario(args)
    result = sensitivity(library, scenario, args.output,
                         samples=DEFAULT_SOBOL_SAMPLES if args.samples is None else args.samples,
                         seed=args.seed)
    if args.out:
        write_out(args.out, chart_files([tornado_chart(result), sobol_chart(result)],
                                        args.formats), force=args.force)
    if args.format == "json":
        emit_json(result.to_dict())
    else:
        emit(styled(sensitivity_text, result))
    return 0


def _conditional(args: argparse.Namespace) -> int:
    """``capcalc sensitivity p_target_reached``: P(target) with each input pinned."""
    library, scenario, _ = single_scenario(args)
    result = p_target_conditional(library, scenario,
                                  samples=DEFAULT_SAMPLES if args.samples is None else args.samples,
                                  seed=args.seed)
    if args.out:
        write_out(args.out, chart_files([conditional_p_chart(result)], args.formats),
                  force=args.force)
    if args.format == "json":
        emit_json(result.to_dict())
    else:
        emit(styled(conditional_p_text, result))
    return 0
