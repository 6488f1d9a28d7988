"""``capcalc timeline``: a scenario's build-out month by month, and when the target is reached."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from calc.analysis.buildout_montecarlo import simulate_timeline
from calc.analysis.levers import levers_of_timeline
from calc.analysis.slip import default_slip, with_slip
from calc.analysis.statements import capex_checks, stated_checks
from calc.analysis.timeline import Timeline, run_timeline
from calc.cli.common import emit, emit_json, phases_of, single_scenario, styled, write_out
from calc.data.output_folder import FileData
from calc.data.peers import PeersFile, load_peers
from calc.data.scenarios import Library
from calc.presentation.charts.timeline import levers_waterfall, timeline_chart
from calc.presentation.charts.uncertainty import reach_probability_chart, timeline_fan
from calc.presentation.export import Chart, chart_files
from calc.presentation.jsondoc import json_text
from calc.presentation.levers import levers_table
from calc.presentation.montecarlo import timeline_monte_carlo_json, timeline_monte_carlo_text
from calc.presentation.statements import statements_json, statements_text
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.tables.uncertainty import fan_table, reach_probability_table
from calc.presentation.timeline import timeline_text

__all__ = ["cmd_timeline", "timeline_files"]


def timeline_files(library: Library, timeline: Timeline, formats: list[str],
                   peers: PeersFile | None = None) -> dict[str, FileData]:
    """The build-out chart and the levers waterfall with their CSVs, and timeline.json.

    A horizon with no hardware in use has no levers to draw: the levers CSV
    then holds the sentence saying so, and no waterfall is drawn.
    """
    levers = levers_of_timeline(library, timeline)
    stated = peers.stated(peers.subject) if peers is not None and peers.subject else ()
    charts: list[Chart] = [
        (timeline_chart, timeline_table(timeline, stated=stated)),
        (levers_waterfall if levers.decomposition is not None else None, levers_table(levers)),
    ]
    files = chart_files(charts, formats)
    files["timeline.json"] = (json_text(timeline_document(timeline, peers), indent=2)
                              + "\n").encode()
    return files


def timeline_document(timeline: Timeline, peers: PeersFile | None) -> dict[str, Any]:
    """The timeline's JSON, with what its operator has said beside it (``statements``)."""
    document = timeline.to_dict()
    if peers is not None and peers.subject:
        document["statements"] = statements_json(
            stated_checks(timeline, peers.stated(peers.subject)),
            capex_checks(timeline, peers.capex_of(peers.subject)), peers.subject)
    return document


def cmd_timeline(args: argparse.Namespace) -> int:
    """``capcalc timeline``."""
    library, scenario, phase_sets = single_scenario(args, timeline=True)
    peers = load_peers(catalog=library.baseline.catalog)
    phases = phases_of(library, scenario, phase_sets)
    if args.slip == "peers":
        phases = with_slip(phases, default_slip(peers))
    timeline = run_timeline(library, scenario, until=args.until, phases=phases)
    sampled = simulate_timeline(library, scenario, samples=args.samples, seed=args.seed,
                                until=args.until, phases=phases) \
        if args.samples is not None else None
    if args.out:
        files = timeline_files(library, timeline, args.formats, peers)
        if sampled is not None:
            files.update(chart_files([(timeline_fan, fan_table([sampled])),
                                      (reach_probability_chart,
                                       reach_probability_table([sampled]))], args.formats))
        write_out(args.out, files, force=args.force)
    if args.format == "json":
        document = timeline_document(timeline, peers)
        if args.slip == "peers":
            document["slip"] = default_slip(peers).as_dict()
        if sampled is not None:
            timeline_monte_carlo_json(document, sampled)
        emit_json(document)
    elif args.format == "csv":
        sys.stdout.write(timeline_table(timeline).to_csv())
    else:
        emit(styled(timeline_text, timeline))
        if args.slip == "peers":
            slip = default_slip(peers)
            emit(f"\n--slip peers: announced phases slip by the record of {slip.n} peer "
                 f"milestones in peers.yaml ({slip.censored} still late): median "
                 f"{slip.delays().value} month{'' if slip.delays().value == 1 else 's'}, "
                 f"90 % within {slip.delays().low}–{slip.delays().high} months (early "
                 "deliveries count as on time). "
                 + ("Sampled with --samples." if sampled is not None else
                    "The central run uses the median; add --samples N for the chance by "
                    "each month."))
        if peers.subject:
            emit("")
            emit(styled(statements_text, stated_checks(timeline, peers.stated(peers.subject)),
                        capex_checks(timeline, peers.capex_of(peers.subject)), peers.subject))
        if sampled is not None:
            emit("")
            emit(styled(timeline_monte_carlo_text, sampled))
    return 0
