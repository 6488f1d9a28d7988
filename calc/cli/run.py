"""``capcalc run``: scenarios through the chain, as a table, JSON or CSV, and their charts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from calc.analysis.run import Result, reference_run, run
from calc.cli.common import (
    SET_ORIGIN,
    emit,
    emit_json,
    library_of,
    load_scenarios,
    parse_sets,
    styled,
    warn,
    write_out,
)
from calc.core.errors import CapcalcError
from calc.core.vocabulary import measure_title
from calc.data.scenarios import Library
from calc.presentation.answer import answer_lines
from calc.presentation.comparison import comparison_text
from calc.presentation.jsondoc import json_text
from calc.presentation.results import (
    results_csv,
    results_file,
    results_json,
    results_table,
    utilisation_sentence,
)

if TYPE_CHECKING:
    from calc.analysis.montecarlo import Simulation
    from calc.data.output_folder import FileData

__all__ = ["cmd_run", "run_files"]


def run_files(library: Library, results: list[Result], baseline: Result,
              formats: list[str], changes: Sequence[str] = ()) -> dict[str, FileData]:
    """The four charts with their CSVs, plus results.json and results.csv; the charts'
    titles carry ``changes`` (the ``--set``s, as typed)."""
    # deferred: the chart declarations and the file writer are needed only with --out
    from calc.presentation.chart_spec import retitled
    from calc.presentation.charts.scenarios import (
        comparison_chart,
        cost_chart,
        power_chart,
        utilisation_chart,
    )
    from calc.presentation.export import chart_files

    measure = measure_title(results[0].scenario.values)
    unit = baseline.measured(results[0].measure)
    charts = [
        comparison_chart(results, baseline, measure=measure),
        power_chart(library, results[0].scenario, float(unit), results, measure=measure),
        cost_chart(results),
        utilisation_chart(results),
    ]
    files = chart_files([retitled(chart, changes) for chart in charts], formats)
    files["results.json"] = (json_text(results_json(results), indent=2) + "\n").encode()
    files["results.csv"] = results_file(results)
    return files


def cmd_run(args: argparse.Namespace) -> int:
    """``capcalc run``."""
    sets, phase_sets = parse_sets(args.sets)
    if phase_sets:
        raise CapcalcError("is a phase field; `capcalc timeline` runs build-outs (run reads "
                           "the scenario at full build)", key=phase_sets[0][0])
    library, names = load_scenarios(library_of(args), args.scenarios)
    results = [run(library, library.scenario(name, sets, set_origin=SET_ORIGIN))
               for name in names]
    baseline_name = results[0].baseline
    baseline = next((r for r in results if r.name == baseline_name and not sets),
                    None) or reference_run(library, baseline_name)
    if args.samples is not None:
        return _run_samples(args, library, results, baseline)
    if args.out:
        write_out(args.out, run_files(library, results, baseline, args.formats,
                                      args.sets or ()), force=args.force)
    if args.format == "json":
        emit_json(results_json(results))
    elif args.format == "csv":
        sys.stdout.write(results_csv(results))
    else:
        emit(styled(results_table, results, baseline))
        emit("\n" + utilisation_sentence(results))
        emit("")
        _answers(library, results, baseline)
    return 0


def _answers(library: Library, results: list[Result], baseline: Result) -> None:
    """One scenario's answer in sentences; several as one compact table, each build-out's
    date said once."""
    if len(results) == 1:
        emit(answer_lines(library, results))
    else:
        emit(styled(comparison_text, library, results, baseline))


def _run_samples(args: argparse.Namespace, library: Library, results: list[Result],
                 baseline: Result) -> int:
    """``capcalc run --samples N``: the central results with their distributions."""
    # deferred: sampling (and scipy, once a distribution is fitted) only with --samples
    from calc.cli.montecarlo import monte_carlo, monte_carlo_files
    from calc.presentation.montecarlo import (
        monte_carlo_csv,
        monte_carlo_json,
        monte_carlo_table,
        precision_warnings,
    )

    sims: list[Simulation] = monte_carlo(library, results, samples=args.samples, seed=args.seed)
    if args.out:
        files = run_files(library, results, baseline, args.formats, args.sets or ())
        files.update(monte_carlo_files(sims, args.formats))
        write_out(args.out, files, force=args.force)
    if args.format == "json":
        emit_json(monte_carlo_json(results_json(results), sims))
    elif args.format == "csv":
        sys.stdout.write(monte_carlo_csv(results_csv(results), sims))
    else:
        emit(styled(results_table, results, baseline))
        emit("\n" + utilisation_sentence(results))
        emit("")
        _answers(library, results, baseline)
        emit("")
        emit(styled(monte_carlo_table, sims))
    warn(precision_warnings(sims))
    return 0
