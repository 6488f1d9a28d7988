"""The ``capcalc`` argument parser: every subcommand, its arguments and its handler's name.

A handler is named, not imported (``"calc.cli.run:cmd_run"``): building the
parser loads only :mod:`argparse` and the vocabulary, so ``capcalc --help``
and a usage mistake answer at once, and a command loads only what it uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from calc.analysis.limits import DEFAULT_SAMPLES, DEFAULT_SOBOL_SAMPLES
from calc.cli.args import (
    add_monte_carlo_args,
    add_output_args,
    add_scenario_args,
    add_sweep_args,
    add_wide_arg,
    allow_intermixed,
    chart_formats,
    out_folder,
    probability,
    samples,
    seed,
)
from calc.core.months import DEFAULT_UNTIL
from calc.core.version import __version__
from calc.core.vocabulary import OUTPUTS

__all__ = ["EXIT_USER_ERROR", "build_parser"]

EXIT_USER_ERROR = 2
#: Where ``capcalc report`` writes unless ``--out`` says otherwise.
DEFAULT_REPORT_DIR = "capcalc-report"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"capcalc: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_USER_ERROR)


def _peers_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peers", type=Path, metavar="FILE",
                        help="peers file (default: capcalc's peers.yaml)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand; each sets ``handler`` to ``module:function``."""
    parser = _Parser(prog="capcalc", description=(
        "Compute-capacity scenarios for AI training datacenters: facility power → "
        "accelerators, H100-equivalents, FLOP, energy and cost."))
    parser.add_argument("--version", action="version", version=f"capcalc {__version__}")
    parser.add_argument("--assumptions", type=Path, metavar="FILE",
                        help="baseline assumptions file (default: capcalc's assumptions.yaml)")
    parser.add_argument("--scenarios", type=Path, metavar="FILE", dest="story",
                        help="scenarios file with its story: block, in place of capcalc's "
                        "scenarios.yaml (the story names the scenarios the report compares, "
                        "the build-out that dates the others and the operator in focus)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("run", help="run scenarios and print or save the results")
    add_scenario_args(p)
    add_output_args(p, ("table", "json", "csv"))
    add_monte_carlo_args(p)
    p.set_defaults(handler="calc.cli.run:cmd_run")

    p = sub.add_parser("assumptions", help="list every input with value, unit, range and source")
    add_scenario_args(p, many=False)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler="calc.cli.listings:cmd_assumptions")

    p = sub.add_parser("catalog", help="list the accelerator catalog")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler="calc.cli.listings:cmd_catalog")

    p = sub.add_parser("scenarios", help="list the shipped scenarios")
    p.set_defaults(handler="calc.cli.listings:cmd_scenarios")

    p = sub.add_parser("dashboard", help="open the Streamlit dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost",
                   help="address to serve on (default localhost: this machine only)")
    p.set_defaults(handler="calc.cli.dashboard:cmd_dashboard")

    p = sub.add_parser("peers", help="list the largest AI training sites with sources")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _peers_arg(p)
    p.set_defaults(handler="calc.cli.peers:cmd_peers")

    p = sub.add_parser(
        "calibrate", help="run the model on each peer's chips and compare with published figures",
        description=(
            "Run capcalc's chain on every peer's published chip count with capcalc's defaults "
            "and compare power (on the published basis), H100-equivalents and capex with every "
            "published figure, within the tolerances stated in peers.yaml."))
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override one of capcalc's defaults for every peer, e.g. site.pue=1.3")
    _peers_arg(p)
    p.set_defaults(handler="calc.cli.peers:cmd_calibrate")

    p = sub.add_parser(
        "report", help="write one self-contained HTML report with its charts and data",
        description=(
            "Write report.html (charts embedded; opens without any network request) and the "
            "PNG/SVG/CSV of each chart into --out. Without scenarios, the article's scenarios "
            "are compared."))
    add_scenario_args(p)
    p.add_argument("--out", type=out_folder, default=Path(DEFAULT_REPORT_DIR), metavar="DIR",
                   help=f"folder to write into (default ./{DEFAULT_REPORT_DIR})")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.add_argument("--formats", type=chart_formats, default=["png", "svg"], metavar="LIST",
                   help="chart files beside the report: any of png,svg,pdf (default png,svg)")
    p.add_argument("--seed", type=seed, default=0,
                   help="seed of the Monte Carlo sections (default 0)")
    p.add_argument("--samples", type=samples, default=2_000,
                   help="Monte Carlo samples per scenario and build-out (default 2000; "
                   "100 to 200,000)")
    _peers_arg(p)
    p.add_argument("--sweep", type=Path, metavar="FILE",
                   help="add a section on a sweep file and what must be true for its target: "
                   "the heatmap of the chance of the target with its contour and the box, "
                   "the discovery's sentence with coverage and density, the box's bounds, "
                   "and where the sweep's scenario sits relative to it")
    p.add_argument("--sweep-out", dest="sweep_out", type=out_folder, metavar="DIR",
                   help="the sweep's journal (as capcalc sweep --out DIR): blocks already "
                   "there are read back, the others computed and written")
    p.add_argument("--by", metavar="YYYY-MM",
                   help="the discovery's deadline (a build-out sweep; default the sweep "
                   "file's first by: month, else its horizon)")
    p.add_argument("--density", type=probability, default=0.8, metavar="D",
                   help="share of the box's futures that must meet the target (default 0.8)")
    p.set_defaults(handler="calc.cli.report:cmd_report")

    p = sub.add_parser(
        "timeline", help="run a scenario's build-out month by month; when is the target reached?",
        description="Run a scenario's build-out phases month by month to a horizon: facility "
        "power, accelerators by generation, H100-equivalents, compute multiple, cumulative "
        "FLOP, capex and energy, and the month the target multiple is first reached. "
        "--set also takes phase fields: --set 'timeline[3].facility_power_mw=0.8 GW'.")
    add_scenario_args(p, many=False)
    p.add_argument("--until", default=DEFAULT_UNTIL, metavar="YYYY-MM",
                   help=f"last month of the timeline (default {DEFAULT_UNTIL})")
    add_output_args(p, ("table", "json", "csv"))
    add_monte_carlo_args(p)
    p.add_argument("--by", metavar="YYYY-MM",
                   help="also print P(target by this month) beside the sampled P50 and P80 "
                   "months, over the timeline's samples (--samples, default 2,000; announced "
                   "phases slip unless --slip none); the timeline runs at least to this month")
    p.add_argument("--slip", metavar="RECORD", default=None,
                   help="whose announced-versus-delivered record (peers.yaml schedules) every "
                   "announced phase without a slip range of its own slips by: an operator "
                   "(default: the story's operator in focus, shrunk toward "
                   "the others), 'peers' (every operator pooled) or 'none' (no slip). The "
                   "month at central values takes the median, the sampled date the range")
    p.set_defaults(handler="calc.cli.timeline:cmd_timeline")

    p = sub.add_parser(
        "solve", help="find the input value that makes an output hit a target",
        description="Find the value of one numeric input that makes an output equal a "
        "target, by a bracketed search over the input's valid range. With --by, the output "
        "is the timeline's in that month, and KEY may be a phase field: "
        "timeline[N].facility_power_mw, timeline[N].start or timeline[N].delay_months "
        "(N is the 0-based position or the phase's name). No solution: one line with the "
        "best achievable, exit status 2.")
    allow_intermixed(p)
    p.add_argument("key", metavar="KEY", help="input to vary, e.g. site.facility_power_mw")
    p.add_argument("--target", required=True, metavar="OUTPUT=VALUE",
                   help="output and wanted value, e.g. compute_multiple=10 or "
                   "training_flop_per_run=1e27 (a unit may follow: facility_power_mw=0.5 GW)")
    p.add_argument("--by", metavar="YYYY-MM",
                   help="solve on the scenario's timeline, for the output in this month")
    add_scenario_args(p, many=False)
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_monte_carlo_args(p)
    p.add_argument("--probability", type=probability, metavar="P",
                   help="solve for the value at which P(OUTPUT >= VALUE) = P over the joint "
                   "samples (0.8 or 80%%: '80 %% sure'); --samples defaults to 10,000")
    p.set_defaults(handler="calc.cli.solve:cmd_solve")

    p = sub.add_parser(
        "levers", help="split a compute multiple into its levers; single-lever paths",
        description="The compute multiple of a scenario against its baseline as the product "
        "of five levers (facility power, chip FLOP/s per TDP watt, overheads and PUE, MFU, "
        "availability), a waterfall chart, and what each lever alone would need for the "
        "target. With --at, the levers of a timeline's fleet in that month.")
    add_scenario_args(p, many=False)
    p.add_argument("--at", metavar="YYYY-MM",
                   help="use the scenario's timeline, in this month")
    add_output_args(p, ("table", "json", "csv"))
    p.set_defaults(handler="calc.cli.levers:cmd_levers")

    p = sub.add_parser(
        "sensitivity", help="rank the inputs that move an output: tornado and Sobol indices",
        description=(
            "Tornado: each input with a range from its low to its high, the others central, "
            "ranked by the swing of OUTPUT. Sobol indices (SALib, Saltelli sampling): the "
            "share of OUTPUT's variance each input explains alone (S1) and with interactions "
            "(ST), with 95 % confidence intervals. Inputs the scenario shares with its "
            "baseline move in both."))
    p.add_argument("output", metavar="OUTPUT",
                   help=f"an output: {', '.join(OUTPUTS)}; or p_target_reached: P(target) "
                   "with each input pinned at its low and its high, the others sampled")
    add_scenario_args(p, many=False)
    add_output_args(p, ("table", "json"))
    add_monte_carlo_args(p, samples_help=(
        f"Saltelli base samples of the Sobol indices (default {DEFAULT_SOBOL_SAMPLES:,}); "
        f"joint samples for p_target_reached (default {DEFAULT_SAMPLES:,})"))
    p.set_defaults(handler="calc.cli.sensitivity:cmd_sensitivity")

    p = sub.add_parser(
        "sweep", help="run a sweep file: outputs over a grid or design of inputs, as a table",
        description="Run a sweep file (a base scenario, axes over any inputs or phase fields, "
        "optional Monte Carlo samples per point, the outputs to keep) in blocks of points × "
        "samples. Prints the tidy table: one row per point, the axes, then each output or "
        "reduction, units in brackets. --out DIR saves each block as it finishes (a killed "
        "sweep run again resumes) and the results as Parquet (and Zarr) with "
        "datapackage.json; a sweep of two axes adds its heatmaps with the target's contour "
        "(the compute multiple, P(target), P(target by each month of a build-out)).")
    add_sweep_args(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (the first rows), csv (every row) or json (default table)")
    p.add_argument("--formats", type=chart_formats, default=["png", "svg"], metavar="LIST",
                   help="a sweep of two axes: its heatmaps saved with --out, any of "
                   "png,svg,pdf (default png,svg)")
    p.set_defaults(handler="calc.cli.sweep:cmd_sweep")

    p = sub.add_parser(
        "discover", help="what must be true for a target: PRIM boxes over a sweep's inputs",
        description="Run a sweep file (or resume it from --out) and find, with PRIM, the "
        "ranges of its inputs in which the target is met in at least --density of the "
        "futures, covering as many of the futures that meet it as possible; with --by, for "
        "that deadline and each quarter before it (a build-out sweep keeping reach_month).")
    add_sweep_args(p)
    p.add_argument("--target", required=True, metavar="OUTPUT=VALUE",
                   help="the target, e.g. compute_multiple=10")
    p.add_argument("--by", metavar="YYYY-MM",
                   help="the deadline (a build-out sweep; default its horizon)")
    p.add_argument("--density", type=probability, default=0.8, metavar="D",
                   help="share of a box's futures that must meet the target (default 0.8)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler="calc.cli.sweep:cmd_discover")
    for command in sub.choices.values():
        add_wide_arg(command)
    return parser
