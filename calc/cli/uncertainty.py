"""``capcalc sensitivity``, and ``--samples``/``--seed``: the Monte Carlo of ``capcalc run``.

With ``--samples N``, ``run`` also prints each output's P50 with its P5–P95
range and the chance of reaching the target, adds ``"distribution"`` and
``"p_target_reached"`` to each scenario of its JSON, and saves histogram
and exceedance charts with ``--out``. ``sensitivity OUTPUT`` ranks the
inputs that move an output: a tornado and Sobol indices.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from matplotlib.figure import Figure

from calc.analysis.run import Result
from calc.cli.main import (
    _add_output_args,
    _add_scenario_args,
    _chart_formats,
    load_scenarios,
    parse_sets,
)
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.scenarios import Library
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table

__all__ = [
    "add_monte_carlo_args",
    "add_parser",
    "cmd_sensitivity",
    "monte_carlo",
    "monte_carlo_csv",
    "monte_carlo_json",
    "monte_carlo_table",
    "progress_bar",
    "save_monte_carlo",
]

#: Outputs whose histograms ``run --samples --out`` saves.
HISTOGRAM_OUTPUTS = ("compute_multiple", "effective_flop_per_s", "capex_usd")
#: Runs with at least this many samples in all show a progress bar (on a terminal).
PROGRESS_FROM = 500_000


def _samples(text: str) -> int:
    try:
        return int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of samples") from None


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the seed must be 0 or more (got {value})")
    return value


def add_monte_carlo_args(parser: argparse.ArgumentParser, *, default: int | None = None) -> None:
    """Add ``--samples N`` and ``--seed S`` to a subcommand."""
    what = "Monte Carlo samples over every input's 90 %% range"
    parser.add_argument("--samples", type=_samples, default=default, metavar="N",
                        help=f"{what}" + (f" (default {default:,})" if default else
                                          " (default: none, the central run only)"))
    parser.add_argument("--seed", type=_seed, default=0, metavar="S",
                        help="seed of the random streams; the same seed gives the same numbers "
                             "(default 0)")


# ---------------------------------------------------------------- progress


def progress_bar(label: str, stream: TextIO | None = None) -> Callable[[float], None]:
    """A callback drawing ``label [####    ] 40 %`` on ``stream`` (stderr); a no-op off a TTY."""
    out = stream or sys.stderr
    if not out.isatty():
        return lambda fraction: None

    def draw(fraction: float) -> None:
        filled = round(30 * fraction)
        out.write(f"\r{label} [{'#' * filled}{' ' * (30 - filled)}] {fraction:4.0%}")
        if fraction >= 1:
            out.write("\n")
        out.flush()

    return draw


# ---------------------------------------------------------------- run --samples


def monte_carlo(library: Library, results: Sequence[Result], *, samples: int,
                seed: int) -> list[Any]:
    """Simulate each result's scenario (already resolved with the run's ``--set``)."""
    from calc.analysis.montecarlo import simulate

    show = samples * len(results) >= PROGRESS_FROM
    sims = []
    for i, result in enumerate(results):
        label = f"sampling {result.name} ({i + 1}/{len(results)})"
        progress = progress_bar(label) if show else None
        sims.append(simulate(library, result.scenario, samples=samples, seed=seed,
                             progress=progress))
    return sims


def monte_carlo_json(document: dict[str, Any], sims: Sequence[Any]) -> dict[str, Any]:
    """Add ``distribution``, ``p_target_reached`` and ``monte_carlo`` to each scenario."""
    for entry, sim in zip(document["scenarios"], sims, strict=True):
        entry["distribution"] = sim.distribution()
        entry["p_target_reached"] = sim.p_target_reached()
        entry["monte_carlo"] = {
            "samples": sim.samples, "seed": sim.seed,
            "p_target_reached_se": sim.p_target_se(),
            "shared_with_baseline": sorted(sim.shared),
            "interval": "P5-P95 (90 %)",
        }
    return document


def monte_carlo_csv(text: str, sims: Sequence[Any]) -> str:
    """``run``'s CSV with mean, P5, P50, P95 of every output and P(target) appended."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    header = rows[0]
    for output, spec in OUTPUTS.items():
        unit = f" [{spec.unit}]" if spec.unit else ""
        header += [f"{output} {stat}{unit}" for stat in ("mean", "p5", "p50", "p95")]
    header += ["p_target_reached", "samples", "seed"]
    for row, sim in zip(rows[1:], sims, strict=True):
        for output in OUTPUTS:
            s = sim.summary(output)
            row += [repr(getattr(s, stat)) for stat in ("mean", "p5", "p50", "p95")]
        row += [repr(sim.p_target_reached()), str(sim.samples), str(sim.seed)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _cell(value: float, se: float, output: str) -> str:
    """``value`` with the significant digits its standard error ``se`` supports (at least 1)."""
    from calc.analysis.montecarlo import shown_digits

    text = format_value(value, OUTPUTS[output].unit, digits=max(shown_digits(value, se), 1))
    return text + "×" if output == "compute_multiple" else text


def monte_carlo_table(sims: Sequence[Any]) -> str:
    """Each output's P50 and P5–P95 per scenario, and P(compute multiple ≥ target)."""
    first = sims[0]
    header = ["", *[s.name for s in sims]]
    body = []
    for output, spec in OUTPUTS.items():
        if output in ("accelerator_capex_total_usd", "facility_capex_total_usd"):
            continue
        cells = []
        for sim in sims:
            s = sim.summary(output)
            if s.p5 == s.p95:
                cells.append(_cell(s.p50, 0.0, output) + " (fixed)")
                continue
            cells.append(f"{_cell(s.p50, s.p50_se, output)} "
                         f"({_cell(s.p5, s.p5_se, output)} – {_cell(s.p95, s.p95_se, output)})")
        body.append([spec.title, *cells])
    targets = sorted({f"{sim.target_central:g}" for sim in sims})
    body.append([f"P(multiple ≥ {'/'.join(targets)}× target)",
                 *[_percent(sim.p_target_reached(), sim.p_target_se()) for sim in sims]])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [f"Monte Carlo: {first.samples:,} samples, seed {first.seed}. Each cell: P50 "
             f"(P5 – P95), a 90 % interval; digits shown are those the sample supports.", ""]
    for row in [header, ["-" * w for w in widths], *body]:
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
    lines.append("")
    lines.append(f"Inputs a scenario does not change share the baseline's samples "
                 f"({first.baseline.name}), so its multiple varies only with what differs.")
    return "\n".join(lines)


def _percent(p: float, se: float) -> str:
    if p in (0.0, 1.0):
        return f"{p:.0%}"
    return f"{p:.1%}" if se < 0.0005 else f"{p:.0%}"


def monte_carlo_charts(sims: Sequence[Any]) -> list[tuple[Callable[[Table], Figure], Table]]:
    """The histograms and the exceedance curve ``run --samples --out`` saves."""
    from calc.analysis.montecarlo import distribution_table, exceedance_table, histogram_table
    from calc.presentation.charts.uncertainty import exceedance_chart, histogram

    charts: list[tuple[Callable[[Table], Figure], Table]] = [
        (histogram, histogram_table(sims, output)) for output in HISTOGRAM_OUTPUTS]
    charts.append((exceedance_chart, exceedance_table(sims)))
    charts.append((_no_chart, distribution_table(sims)))
    return charts


def _no_chart(table: Table) -> Figure:  # pragma: no cover - marker, never called
    raise NotImplementedError


def monte_carlo_paths(sims: Sequence[Any], folder: Path, formats: Sequence[str]) -> list[Path]:
    """Every file :func:`save_monte_carlo` would write (checked before anything is written)."""
    from calc.data.io import resolve_inside

    paths = []
    for draw, table in monte_carlo_charts(sims):
        kinds = ["csv"] if draw is _no_chart else [*formats, "csv"]
        paths += [resolve_inside(folder, f"{table.name}.{kind}") for kind in kinds]
    return paths


def save_monte_carlo(sims: Sequence[Any], folder: Path, *, formats: Sequence[str],
                     force: bool) -> list[Path]:
    """Write the Monte Carlo charts with their CSVs, and the distribution table as CSV."""
    from calc.data.io import resolve_inside, write_text
    from calc.presentation.export import save_charts

    charts = monte_carlo_charts(sims)
    drawn = [(draw(table), table) for draw, table in charts if draw is not _no_chart]
    written = save_charts(drawn, folder, formats=formats, force=force)
    for draw, table in charts:
        if draw is _no_chart:
            path = resolve_inside(folder, f"{table.name}.csv")
            write_text(path, table.to_csv())
            written.append(path)
    return written


def warn(lines: Sequence[str]) -> None:
    """Print Monte Carlo precision warnings on stderr."""
    for line in lines:
        print(f"capcalc: warning: {line}", file=sys.stderr)


# ---------------------------------------------------------------- timeline and solve --samples


def timeline_monte_carlo(library: Library, scenario: Any, args: argparse.Namespace,
                         phases: Any = None) -> Any:
    """``capcalc timeline --samples N``: the sampled build-out (or None without --samples)."""
    if getattr(args, "samples", None) is None:
        return None
    from calc.analysis.montecarlo import simulate_timeline

    return simulate_timeline(library, scenario, samples=args.samples, seed=args.seed,
                             until=args.until, phases=phases)


def _year_ends(months: Sequence[str]) -> list[str]:
    ends = [m for m in months if m.endswith("-12")]
    return ends if months[-1] in ends else [*ends, months[-1]]


def timeline_monte_carlo_text(sim: Any) -> str:
    """The fan at each year's end and the chance of reaching the target by then."""
    fan = sim.fan("compute_multiple")
    index = {m: i for i, m in enumerate(sim.months)}
    rows = [["month", "multiple P50 (P5 – P95)", f"P({sim.target:g}× by then)"]]
    for month in _year_ends(sim.months):
        i = index[month]
        rows.append([month, f"{fan['p50'][i]:.3g}× ({fan['p5'][i]:.3g}× – {fan['p95'][i]:.3g}×)",
                     _percent(sim.p_reached_by(month), sim.p_reached_se(month))])
    reach = sim.reach_percentiles()
    when = ", ".join(f"{k.upper()} {v or 'not by ' + sim.until}" for k, v in reach.items())
    return "\n".join([
        f"Monte Carlo: {sim.samples:,} samples, seed {sim.seed}; multiples against "
        f"{sim.baseline.name} with common random numbers.", *_aligned(rows),
        f"  Month the target is first reached: {when}."])


def timeline_monte_carlo_json(document: dict[str, Any], sim: Any) -> dict[str, Any]:
    """Add the fan, the reach-date distribution and P(target by the horizon) to the JSON."""
    fan = sim.fan("compute_multiple")
    document["distribution"] = {
        "samples": sim.samples, "seed": sim.seed, "months": list(sim.months),
        "compute_multiple": {k: [float(x) for x in v] for k, v in fan.items()},
        "p_target_reached_by": sim.reach_distribution(),
        "target_reached_percentiles": sim.reach_percentiles(),
    }
    document["p_target_reached"] = sim.p_reached_by(sim.until)
    return document


def timeline_monte_carlo_charts(sim: Any) -> list[tuple[Figure, Table]]:
    """The fan chart of the compute multiple, with its CSV."""
    from calc.analysis.montecarlo import fan_table
    from calc.presentation.charts.uncertainty import timeline_fan

    table = fan_table([sim])
    return [(timeline_fan(table), table)]


def timeline_monte_carlo_paths(sim: Any, folder: Path, formats: Sequence[str]) -> list[Path]:
    """Files :func:`timeline_monte_carlo_charts` would be saved as."""
    from calc.analysis.montecarlo import fan_table
    from calc.data.io import resolve_inside

    name = fan_table([sim]).name
    return [resolve_inside(folder, f"{name}.{kind}") for kind in [*formats, "csv"]]


def solve_monte_carlo(library: Library, scenario: Any, key: str, output: str, target: float,
                      args: argparse.Namespace) -> Any:
    """``capcalc solve --samples N``: the solved value in every joint sample (static chain)."""
    if getattr(args, "samples", None) is None:
        return None
    if getattr(args, "by", None):
        raise CapcalcError("cannot be combined with --by yet; run `capcalc timeline SCENARIO "
                           "--samples N` for the chance of reaching the target by a month",
                           key="--samples")
    from calc.analysis.montecarlo import solve_samples

    return solve_samples(library, scenario, key, output, target, samples=args.samples,
                         seed=args.seed)


def solve_monte_carlo_text(sim: Any) -> str:
    """One line: the solved value's P50 and P5–P95, and the share of solvable samples."""
    unit = INPUTS[sim.key].unit
    s = sim.summary()
    if s is None:
        return (f"  Monte Carlo ({sim.samples:,} samples, seed {sim.seed}): no sample reaches "
                f"the target within {sim.key}'s valid range")
    return (f"  Monte Carlo ({sim.samples:,} samples, seed {sim.seed}): {sim.key} P50 "
            f"{format_value(s.p50, unit)} (P5 {format_value(s.p5, unit)} – P95 "
            f"{format_value(s.p95, unit)}); solvable in {sim.p_solvable:.1%} of samples")


def solve_monte_carlo_json(document: dict[str, Any], sim: Any) -> dict[str, Any]:
    """Add ``distribution`` (of the solved value) and ``p_solvable`` to ``solve``'s JSON."""
    s = sim.summary()
    document["distribution"] = None if s is None else s.to_dict()
    document["p_solvable"] = sim.p_solvable
    document["monte_carlo"] = {"samples": sim.samples, "seed": sim.seed}
    return document


# ---------------------------------------------------------------- sensitivity


def add_parser(sub: Any) -> None:
    """Add the ``sensitivity`` subcommand."""
    from calc.analysis.sensitivity import DEFAULT_SOBOL_SAMPLES

    p = sub.add_parser(
        "sensitivity", help="rank the inputs that move an output: tornado and Sobol indices",
        description=(
            "Tornado: each input with a range from its low to its high, the others central, "
            "ranked by the swing of OUTPUT. Sobol indices (SALib, Saltelli sampling): the "
            "share of OUTPUT's variance each input explains alone (S1) and with interactions "
            "(ST), with 95 % confidence intervals. Inputs the scenario shares with its "
            "baseline move in both."))
    p.add_argument("output", metavar="OUTPUT", help=f"an output: {', '.join(OUTPUTS)}")
    _add_scenario_args(p, many=False)
    _add_output_args(p, ("table", "json"))
    add_monte_carlo_args(p, default=DEFAULT_SOBOL_SAMPLES)
    p.set_defaults(handler=cmd_sensitivity)


def sensitivity_text(result: Any) -> str:
    """The table form of ``capcalc sensitivity``."""
    unit = OUTPUTS[result.output].unit
    lines = [f"Sensitivity of {result.output} ({OUTPUTS[result.output].title}) in "
             f"{result.scenario.name}, against {result.baseline.name}; central "
             f"{format_value(result.central, unit)}", "",
             "Tornado: each input from its low to its high (90 % interval), the others central"]
    rows = [["input", "low – high", "output at low", "at high", "swing"]]
    idle = [bar.parameter.label for bar in result.tornado if bar.swing == 0]
    for bar in result.tornado:
        if bar.swing == 0:
            continue
        input_unit = INPUTS[bar.parameter.key].unit
        rows.append([bar.parameter.label,
                     f"{format_value(bar.input_low, input_unit)} – "
                     f"{format_value(bar.input_high, input_unit)}",
                     format_value(bar.output_low, unit), format_value(bar.output_high, unit),
                     format_value(bar.swing, unit)])
    lines += _aligned(rows)
    if idle:
        lines.append(f"  No effect on {result.output}: {', '.join(idle)}")
    if result.sobol:
        lines += ["", f"Sobol indices (SALib; Saltelli N = {result.samples:,}, "
                      f"{result.evaluations:,} model runs, seed {result.seed}; ± is a 95 % "
                      "interval; inputs taken as independent)"]
        rows = [["input", "S1 (alone)", "ST (total)"]]
        for index in result.sobol:
            if index.parameter.label in idle or max(abs(index.S1), abs(index.ST)) < 1e-9:
                continue
            rows.append([index.parameter.label, f"{_fixed(index.S1)} ± {_fixed(index.S1_conf)}",
                         f"{_fixed(index.ST)} ± {_fixed(index.ST_conf)}"])
        lines += _aligned(rows)
    if not result.tornado:
        lines += ["", "No input of this scenario has a range: nothing varies."]
    return "\n".join(lines)


def _fixed(x: float) -> str:
    """Two decimals, never ``-0.00``."""
    return f"{round(x, 2) + 0.0:.2f}"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, row in enumerate(rows):
        out.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                    for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if j == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out


def cmd_sensitivity(args: argparse.Namespace, library: Library) -> int:
    """``capcalc sensitivity OUTPUT [SCENARIO|FILE]``."""
    from calc.analysis.sensitivity import check_output, sensitivity, sobol_table, tornado_table
    from calc.presentation.charts.uncertainty import sobol_chart, tornado_chart
    from calc.presentation.export import save_charts

    check_output(args.output)
    formats = _chart_formats(args.formats) if args.out else []
    library, names = load_scenarios(library, [args.scenarios] if args.scenarios else [])
    if len(names) != 1:
        raise CapcalcError(f"the file holds {len(names)} scenarios ({', '.join(names)}); "
                           "give one scenario name", key="SCENARIO")
    scenario = library.scenario(names[0], parse_sets(args.sets))
    result = sensitivity(library, scenario, args.output, samples=args.samples, seed=args.seed)
    if args.out:
        tables = [(tornado_chart, tornado_table(result)), (sobol_chart, sobol_table(result))]
        written = save_charts([(draw(t), t) for draw, t in tables], args.out, formats=formats,
                              force=args.force)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(sensitivity_text(result))
    if args.out:
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0
