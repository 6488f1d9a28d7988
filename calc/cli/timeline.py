"""``capcalc timeline``: a scenario's build-out month by month, and when the target is reached."""

from __future__ import annotations

import argparse
import json
import sys

from calc.analysis.levers import levers_of_timeline
from calc.analysis.montecarlo import simulate_timeline
from calc.analysis.timeline import Timeline, run_timeline
from calc.cli.common import emit, emit_json, phases_of, single_scenario, styled, write_out
from calc.data.io import FileData
from calc.data.scenarios import Library
from calc.presentation.charts.timeline import levers_waterfall, timeline_chart
from calc.presentation.charts.uncertainty import timeline_fan
from calc.presentation.export import Chart, chart_files
from calc.presentation.levers import levers_table
from calc.presentation.montecarlo import timeline_monte_carlo_json, timeline_monte_carlo_text
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.tables.uncertainty import fan_table
from calc.presentation.timeline import timeline_text

__all__ = ["cmd_timeline", "timeline_files"]


def timeline_files(library: Library, timeline: Timeline, formats: list[str]
                   ) -> dict[str, FileData]:
    """The build-out chart and the levers waterfall with their CSVs, and timeline.json.

    A horizon with no hardware in use has no levers to draw: the levers CSV
    then holds the sentence saying so, and no waterfall is drawn.
    """
    levers = levers_of_timeline(library, timeline)
    charts: list[Chart] = [
        (timeline_chart, timeline_table(timeline)),
        (levers_waterfall if levers.decomposition is not None else None, levers_table(levers)),
    ]
    files = chart_files(charts, formats)
    files["timeline.json"] = (json.dumps(timeline.to_dict(), indent=2) + "\n").encode()
    return files


def cmd_timeline(args: argparse.Namespace) -> int:
    """``capcalc timeline``."""
    library, scenario, phase_sets = single_scenario(args, timeline=True)
    phases = phases_of(library, scenario, phase_sets)
    timeline = run_timeline(library, scenario, until=args.until, phases=phases)
    sampled = simulate_timeline(library, scenario, samples=args.samples, seed=args.seed,
                                until=args.until, phases=phases) \
        if args.samples is not None else None
    if args.out:
        files = timeline_files(library, timeline, args.formats)
        if sampled is not None:
            files.update(chart_files([(timeline_fan, fan_table([sampled]))], args.formats))
        write_out(args.out, files, force=args.force)
    if args.format == "json":
        document = timeline.to_dict()
        if sampled is not None:
            timeline_monte_carlo_json(document, sampled)
        emit_json(document)
    elif args.format == "csv":
        sys.stdout.write(timeline_table(timeline).to_csv())
    else:
        emit(styled(timeline_text, timeline))
        if sampled is not None:
            emit("")
            emit(styled(timeline_monte_carlo_text, sampled))
    return 0
