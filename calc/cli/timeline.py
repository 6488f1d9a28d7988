"""``capcalc timeline``: a scenario's build-out month by month, and when the target is reached."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from calc.analysis.buildout_choice import choose_buildout
from calc.analysis.buildout_montecarlo import TIMELINE_SERIES
from calc.analysis.limits import ANSWER_SAMPLES
from calc.analysis.reach import Reach, reach
from calc.analysis.statements import capex_checks, quarter_checks, stated_checks
from calc.analysis.timeline import Timeline, phase_chips
from calc.cli.common import (
    emit,
    emit_json,
    peers_read,
    phases_of,
    single_scenario,
    styled,
    write_out,
)
from calc.core.months import month_index, month_label
from calc.core.vocabulary import measure_title
from calc.data.records import PeerRecords
from calc.data.scenarios import Library, Scenario
from calc.presentation.jsondoc import json_text
from calc.presentation.reach import chance_by_line
from calc.presentation.statements import statements_json, statements_text
from calc.presentation.timeline import timeline_json, timeline_text

if TYPE_CHECKING:
    from calc.analysis.buildout_montecarlo import TimelineSimulation
    from calc.data.output_folder import FileData
    from calc.data.peers import PeersFile

__all__ = ["cmd_timeline", "timeline_files"]

# The charts (--out) and the sampled build-out's words (--samples) are imported by the
# functions that use them, so a plain `capcalc timeline` loads none of their modules.


def timeline_files(library: Library, timeline: Timeline, formats: list[str],
                   peers: PeersFile | PeerRecords | None = None, answer: Reach | None = None,
                   changes: Sequence[str] = ()) -> dict[str, FileData]:
    """The build-out chart and the levers waterfall with their CSVs, and timeline.json; the
    charts' titles carry ``changes`` (the ``--set``s, as typed).

    A horizon with no hardware in use has no levers to draw: the levers CSV
    then holds the sentence saying so, and no waterfall is drawn. With ``answer``,
    the operator's pace is a series of the chart and its warning is in the JSON.
    """
    # deferred: the levers, the chart declarations and the file writer only with --out
    from calc.analysis.levers import levers_of_timeline
    from calc.presentation.chart_spec import retitled
    from calc.presentation.charts.timeline import levers_chart, timeline_chart
    from calc.presentation.export import chart_files

    levers = levers_of_timeline(library, timeline)
    operator = library.story.operator
    stated = peers.stated(operator) if peers is not None and operator else ()
    measure = measure_title(timeline.scenario.values)
    pace = answer.pace if answer is not None else None
    charts = [timeline_chart(timeline, stated, measure=measure, pace=pace),
              levers_chart(levers, measure=measure)]
    files = chart_files([retitled(chart, changes) for chart in charts], formats)
    files["timeline.json"] = (json_text(timeline_document(timeline, peers, answer,
                                                          operator=operator), indent=2)
                              + "\n").encode()
    return files


def _statements(timeline: Timeline, peers: PeersFile | PeerRecords, operator: str
                ) -> tuple[Any, Any, Any]:
    return (stated_checks(timeline, peers.stated(operator)),
            capex_checks(timeline, peers.capex_of(operator)),
            quarter_checks(timeline, peers.quarterly_capex_of(operator)))


def timeline_document(timeline: Timeline, peers: PeersFile | PeerRecords | None,
                      answer: Reach | None = None, *, operator: str | None = None
                      ) -> dict[str, Any]:
    """The timeline's JSON, with what ``operator`` (the story's operator in focus) has said
    beside it (``statements``), and with ``answer`` the date as a range (``reach``) and the
    pace warning (``pace_warning``)."""
    document = timeline_json(timeline)
    if peers is not None and operator:
        stated, capex, quarters = _statements(timeline, peers, operator)
        document["statements"] = statements_json(stated, capex, operator, quarters)
    if answer is not None:
        document["reach"] = answer.as_dict()
        document["slip"] = None if answer.slip is None else answer.slip.as_dict()
        document["pace_warning"] = None if answer.warning is None else answer.warning.as_dict()
    return document


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
    peers = peers_read(args, library)
    phases = phases_of(library, scenario, phase_sets)
    choice = choose_buildout(library, scenario).on(phases, edited=bool(phase_sets))
    sampling = args.samples is not None
    until = args.until
    if args.by is not None:  # the samples must run to the month asked about
        until = month_label(max(month_index(args.by, key="by"),
                                month_index(args.until, key="until")))
    answer = reach(library, scenario, peers, phases=phases, until=until,
                   samples=args.samples if sampling else ANSWER_SAMPLES, seed=args.seed,
                   slip=args.slip, choice=choice,
                   outputs=TIMELINE_SERIES if sampling else ("compute_multiple",))
    timeline = answer.timeline
    sampled = answer.sampled if sampling else None
    if args.out:
        files = timeline_files(library, timeline, args.formats, peers, answer,
                               args.sets or ())
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
        document = timeline_document(timeline, peers, answer,
                                     operator=library.story.operator)
        if sampled is not None:
            timeline_monte_carlo_json(document, sampled)
        if args.by is not None:
            document["chance_by"] = {
                "month": args.by, "p_reached": answer.sampled.p_reached_by(args.by),
                "samples": answer.sampled.samples, "seed": answer.sampled.seed,
                "slip": answer.slip is not None}
        emit_json(document)
    elif args.format == "csv":
        # deferred: the table and CSV writer (with csv) only for --format csv
        from calc.presentation.tables.timeline import timeline_table

        sys.stdout.write(timeline_table(timeline, answer.pace).to_csv())
    else:
        emit(styled(timeline_text, timeline, answer, phase_chips(library, timeline)))
        operator = library.story.operator
        if operator:
            stated, capex, quarters = _statements(timeline, peers, operator)
            emit("")
            emit(styled(statements_text, stated, capex, operator, quarters))
        if sampled is not None:
            emit("")
            emit(styled(timeline_monte_carlo_text, sampled))
        if args.by is not None:
            emit("")
            emit(chance_by_line(answer, month_label(month_index(args.by, key="by"))))
    return 0
