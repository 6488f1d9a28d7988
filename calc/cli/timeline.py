"""``capcalc timeline``: a scenario's build-out month by month, and when the target is reached."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from calc.analysis.statements import capex_checks, stated_checks
from calc.analysis.timeline import Timeline, run_timeline
from calc.cli.common import (
    emit,
    emit_json,
    peers_file,
    phases_of,
    single_scenario,
    styled,
    write_out,
)
from calc.core.phases import Phase
from calc.core.vocabulary import measure_title
from calc.data.output_folder import FileData
from calc.data.peers import PeersFile
from calc.data.scenarios import Library, Scenario
from calc.presentation.jsondoc import json_text
from calc.presentation.statements import statements_json, statements_text
from calc.presentation.tables.timeline import timeline_table
from calc.presentation.timeline import timeline_text

if TYPE_CHECKING:
    from calc.analysis.buildout_montecarlo import TimelineSimulation
    from calc.analysis.slip import SlipDistribution

__all__ = ["cmd_timeline", "timeline_files"]

# The build-out's table, JSON and CSV need only the central run: sampling (--samples), the
# peers' slip (--slip peers) and the charts (--out) are imported by the functions that use
# them, so a plain `capcalc timeline` loads none of their modules.


def timeline_files(library: Library, timeline: Timeline, formats: list[str],
                   peers: PeersFile | None = None) -> dict[str, FileData]:
    """The build-out chart and the levers waterfall with their CSVs, and timeline.json.

    A horizon with no hardware in use has no levers to draw: the levers CSV
    then holds the sentence saying so, and no waterfall is drawn.
    """
    # deferred: the levers, the chart declarations and the file writer only with --out
    from calc.analysis.levers import levers_of_timeline
    from calc.presentation.charts.timeline import levers_chart, timeline_chart
    from calc.presentation.export import chart_files

    levers = levers_of_timeline(library, timeline)
    stated = peers.stated(peers.subject) if peers is not None and peers.subject else ()
    measure = measure_title(timeline.scenario.values)
    files = chart_files([timeline_chart(timeline, stated, measure=measure),
                         levers_chart(levers, measure=measure)], formats)
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


def _slipped(phases: tuple[Phase, ...], peers: PeersFile
             ) -> tuple[tuple[Phase, ...], SlipDistribution]:
    """``phases`` slipping as the peers' announced phases did (``--slip peers``)."""
    from calc.analysis.slip import default_slip, with_slip  # deferred: only with --slip

    slip = default_slip(peers)
    return with_slip(phases, slip), slip


def _sampled(library: Library, scenario: Scenario, phases: tuple[Phase, ...],
             args: argparse.Namespace) -> TimelineSimulation:
    """The build-out sampled ``--samples`` times (``--seed``)."""
    from calc.analysis.buildout_montecarlo import simulate_timeline  # deferred: --samples

    return simulate_timeline(library, scenario, samples=args.samples, seed=args.seed,
                             until=args.until, phases=phases)


def _sampled_files(sampled: TimelineSimulation, scenario: Scenario,
                   formats: list[str]) -> dict[str, FileData]:
    """The fan and the chance by month, with their CSVs (``--samples`` with ``--out``)."""
    # deferred: the chart declarations and the file writer only with --out
    from calc.presentation.charts.uncertainty import fan_chart, reach_probability_chart
    from calc.presentation.export import chart_files

    measure = measure_title(scenario.values)
    return chart_files([fan_chart([sampled], measure=measure),
                        reach_probability_chart([sampled], measure=measure)], formats)


def cmd_timeline(args: argparse.Namespace) -> int:
    """``capcalc timeline``."""
    library, scenario, phase_sets = single_scenario(args, timeline=True)
    peers = peers_file(None, library)
    phases = phases_of(library, scenario, phase_sets)
    slip = None
    if args.slip == "peers":
        phases, slip = _slipped(phases, peers)
    timeline = run_timeline(library, scenario, until=args.until, phases=phases)
    sampled = _sampled(library, scenario, phases, args) if args.samples is not None else None
    if args.out:
        files = timeline_files(library, timeline, args.formats, peers)
        if sampled is not None:
            files.update(_sampled_files(sampled, scenario, args.formats))
        write_out(args.out, files, force=args.force)
    if sampled is not None:
        # deferred: the sampled build-out's words only with --samples
        from calc.presentation.montecarlo import (
            timeline_monte_carlo_json,
            timeline_monte_carlo_text,
        )
    if args.format == "json":
        document = timeline_document(timeline, peers)
        if slip is not None:
            document["slip"] = slip.as_dict()
        if sampled is not None:
            timeline_monte_carlo_json(document, sampled)
        emit_json(document)
    elif args.format == "csv":
        sys.stdout.write(timeline_table(timeline).to_csv())
    else:
        emit(styled(timeline_text, timeline))
        if slip is not None:
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
