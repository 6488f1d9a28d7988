"""The ``capcalc`` command line: run scenarios, list assumptions and the catalog, save charts.

User mistakes print one line on stderr and exit with status 2; nothing is
written unless everything it would write is valid and allowed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from calc import __version__
from calc.analysis.run import Result, run
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.scenarios import Library, load_library, parse_set
from calc.presentation.formatting import format_value

__all__ = ["main"]

EXIT_USER_ERROR = 2

#: Modules that add subcommands: each has ``add_parser(subparsers) -> None`` and sets
#: ``handler`` on its parser (a function of ``(args, library) -> int``).
EXTENSIONS: tuple[str, ...] = ("calc.cli.peers", "calc.cli.timeline", "calc.cli.uncertainty")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"capcalc: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_USER_ERROR)


def _add_scenario_args(parser: argparse.ArgumentParser, *, many: bool = True) -> None:
    parser.add_argument(
        "scenarios", nargs="*" if many else "?", metavar="SCENARIO|FILE",
        help="shipped scenario names or scenario YAML files (default: the baseline)",
    )
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
        help="override an input in every scenario, e.g. site.facility_power_mw='0.5 GW'",
    )


def _add_output_args(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0],
                        help=f"output format (default {formats[0]})")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write charts (PNG, SVG) and the CSV behind each into DIR")
    parser.add_argument("--formats", default="png,svg", metavar="LIST",
                        help="chart formats for --out: any of png,svg,pdf (default png,svg)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files that already exist in --out")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="capcalc", description=(
        "Compute-capacity scenarios for AI training datacenters: facility power → "
        "accelerators, H100-equivalents, FLOP, energy and cost."))
    parser.add_argument("--version", action="version", version=f"capcalc {__version__}")
    parser.add_argument("--assumptions", type=Path, metavar="FILE",
                        help="baseline assumptions file (default: capcalc's assumptions.yaml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("run", help="run scenarios and print or save the results")
    _add_scenario_args(p)
    _add_output_args(p, ("table", "json", "csv"))
    from calc.cli.uncertainty import add_monte_carlo_args

    add_monte_carlo_args(p)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("assumptions", help="list every input with value, unit, range and source")
    _add_scenario_args(p, many=False)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=cmd_assumptions)

    p = sub.add_parser("catalog", help="list the accelerator catalog")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=cmd_catalog)

    p = sub.add_parser("scenarios", help="list the shipped scenarios")
    p.set_defaults(handler=cmd_scenarios)

    p = sub.add_parser("dashboard", help="open the Streamlit dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(handler=cmd_dashboard)

    for module_name in EXTENSIONS:
        module = __import__(module_name, fromlist=["add_parser"])
        module.add_parser(sub)
    return parser


def load_scenarios(library: Library, items: Sequence[str]) -> tuple[Library, list[str]]:
    """Resolve CLI scenario arguments: shipped names, or files holding one or more scenarios."""
    names: list[str] = []
    for item in items:
        if item in library.definitions:
            names.append(item)
            continue
        path = Path(item)
        if path.suffix.lower() in (".yaml", ".yml") or path.exists():
            library, added = library.add_file(path)
            names.extend(added)
            continue
        from calc.data.assumptions import suggest

        raise CapcalcError(
            f"no scenario or file named {item!r}{suggest(item, library.definitions)}"
            f" (scenarios: {', '.join(library.definitions)})"
        )
    return library, names or [library.baseline_name()]


def parse_sets(items: Sequence[str]) -> list[tuple[str, str | None]]:
    """``--set KEY=VALUE`` arguments as (key, raw value) pairs."""
    return [parse_set(item) for item in items]


# ---------------------------------------------------------------- run


def _target_column(baseline: Result) -> dict[str, float]:
    target = float(baseline.scenario["target.compute_multiplier"])  # type: ignore[arg-type]
    o = baseline.outputs
    return {
        "facility_power_mw": o["facility_power_mw_for_target"],
        "h100_equivalents": o["h100_equivalents"] * target,
        "effective_flop_per_s": o["effective_flop_per_s"] * target,
        "training_flop_per_run": o["training_flop_per_run"] * target,
        "annual_training_flop": o["annual_training_flop"] * target,
        "compute_multiple": target,
    }


def results_table(results: Sequence[Result], baseline: Result) -> str:
    """The people's table: outputs down, the baseline, the scenarios and the target across."""
    target = _target_column(baseline)
    multiplier = float(baseline.scenario["target.compute_multiplier"])  # type: ignore[arg-type]
    columns: list[tuple[str, dict[str, Any]]] = []
    if baseline.name not in [r.name for r in results]:
        columns.append((f"{baseline.name} (baseline)", {**baseline.scenario.values,
                                                        **baseline.outputs}))
    for result in results:
        label = f"{result.name} (baseline)" if result.name == baseline.name else result.name
        columns.append((label, {**result.scenario.values, **result.outputs}))
    columns.append((f"{multiplier:g}× target", {**target}))
    rows: list[tuple[str, str]] = [
        ("hardware.accelerator", ""), ("training.precision", ""),
        ("site.pue", "1"), ("training.mfu", "1"),
    ]
    rows += [(name, spec.unit) for name, spec in OUTPUTS.items()
             if name not in ("accelerator_capex_total_usd", "facility_capex_total_usd")]
    header = ["", *[label for label, _ in columns]]
    body = []
    for key, unit in rows:
        title = INPUTS[key].title if key in INPUTS else OUTPUTS[key].title
        label = title  # every cell carries its own unit
        cells = [format_value(values.get(key), unit) if key in values else ""
                 for _, values in columns]
        if key == "compute_multiple":
            cells = [c + "×" if c else c for c in cells]
        body.append([label, *cells])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in
                       enumerate(zip(header, widths, strict=True)))]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                               enumerate(zip(row, widths, strict=True))))
    lines.append("")
    lines.append(f"Money in US dollars of 2025. H100e = dense 8-bit FLOP/s ÷ 1.979e15. "
                 f"Multiples against {baseline.name}.")
    return "\n".join(lines)


def results_json(results: Sequence[Result]) -> dict[str, Any]:
    """The JSON document of ``capcalc run --format json``."""
    return {"capcalc_version": __version__,
            "scenarios": [result.to_dict() for result in results]}


def results_csv(results: Sequence[Result]) -> str:
    """One row per scenario: name, every input, every output; units in the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = list(INPUTS)
    outputs = list(OUTPUTS)

    def head(name: str, unit: str) -> str:
        return f"{name} [{unit}]" if unit else name

    writer.writerow(["scenario", *[head(k, INPUTS[k].unit) for k in keys],
                     *[head(o, OUTPUTS[o].unit) for o in outputs]])
    for r in results:
        values = r.scenario.values
        writer.writerow([r.name, *["" if values[k] is None else values[k] for k in keys],
                         *[repr(r.outputs[o]) for o in outputs]])
    return buffer.getvalue()


def _chart_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    from calc.presentation.export import FORMATS

    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise CapcalcError(f"unknown chart format {bad[0] if bad else text!r}; "
                           f"choose from {', '.join(FORMATS)}", key="--formats")
    return formats


def save_run_outputs(library: Library, results: Sequence[Result], baseline: Result,
                     folder: Path, *, formats: Sequence[str], force: bool) -> list[Path]:
    """Write the three charts with their CSVs, plus results.json and results.csv."""
    from calc.data.io import check_writable, resolve_inside, write_text
    from calc.presentation import charts, tables
    from calc.presentation.export import save_charts

    data = [
        (charts.scenario_comparison, tables.comparison_table(results, baseline)),
        (charts.power_to_compute, tables.power_curve_table(
            library, results[0].scenario, baseline.outputs["effective_flop_per_s"],
            points=results)),
        (charts.cost_breakdown, tables.cost_table(results)),
    ]
    extra = {
        "results.json": json.dumps(results_json(results), indent=2) + "\n",
        "results.csv": results_csv(results),
    }
    extra_paths = {resolve_inside(folder, name): text for name, text in extra.items()}
    planned = [resolve_inside(folder, f"{t.name}.{f}") for _, t in data for f in
               [*formats, "csv"]]
    check_writable([*planned, *extra_paths], force=force)
    written = save_charts([(draw(table), table) for draw, table in data], folder,
                          formats=formats, force=force)
    for path, text in extra_paths.items():
        write_text(path, text)
        written.append(path)
    return written


def cmd_run(args: argparse.Namespace, library: Library) -> int:
    """``capcalc run``."""
    sets = parse_sets(args.sets)
    formats = _chart_formats(args.formats) if args.out else []
    library, names = load_scenarios(library, args.scenarios)
    results = [run(library, library.scenario(name, sets)) for name in names]
    baseline_name = results[0].baseline
    baseline = next((r for r in results if r.name == baseline_name and not sets),
                    None) or run(library, baseline_name)
    from calc.cli import uncertainty as mc

    sims = mc.monte_carlo(library, results, samples=args.samples,
                          seed=args.seed) if args.samples is not None else []
    if args.out:
        if sims:
            from calc.data.io import check_writable

            check_writable(mc.monte_carlo_paths(sims, args.out, formats), force=args.force)
        written = save_run_outputs(library, results, baseline, args.out, formats=formats,
                                   force=args.force)
        if sims:
            written += mc.save_monte_carlo(sims, args.out, formats=formats, force=True)
    if args.format == "json":
        document = results_json(results)
        print(json.dumps(mc.monte_carlo_json(document, sims) if sims else document, indent=2))
    elif args.format == "csv":
        text = results_csv(results)
        sys.stdout.write(mc.monte_carlo_csv(text, sims) if sims else text)
    else:
        print(results_table(results, baseline))
        if sims:
            print()
            print(mc.monte_carlo_table(sims))
    if sims:
        from calc.analysis.montecarlo import precision_warnings

        mc.warn(precision_warnings(sims))
    if args.out:
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- listings


def _rows_out(rows: list[dict[str, Any]], fmt: str, table_columns: Sequence[str]) -> None:
    if fmt == "json":
        print(json.dumps(rows, indent=2))
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    shown = [[str(r.get(c, "") if r.get(c) is not None else "") for c in table_columns]
             for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in shown)) for i, c in enumerate(table_columns)]
    widths = [min(w, 70) for w in widths]
    print("  ".join(c.ljust(w) for c, w in zip(table_columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in shown:
        print("  ".join(cell[:w].ljust(w) for cell, w in zip(row, widths, strict=True)))


def cmd_assumptions(args: argparse.Namespace, library: Library) -> int:
    """``capcalc assumptions``: every input of a scenario with its provenance."""
    library, names = load_scenarios(library, [args.scenarios] if args.scenarios else [])
    scenario = library.scenario(names[0], parse_sets(args.sets))
    rows = []
    for key, a in scenario.assumptions.items():
        unit = a.unit
        rows.append({
            "key": key,
            "value": a.value if args.format != "table" else format_value(a.value, unit)
            if not isinstance(a.value, float) or unit not in ("1",) else f"{a.value:g}",
            "unit": unit,
            "low": a.low, "high": a.high,
            "range": "" if a.low is None and a.high is None else
            f"{'' if a.low is None else format_value(a.low, unit)} – "
            f"{'' if a.high is None else format_value(a.high, unit)}",
            "source": a.source, "as_of": a.as_of, "confidence": a.confidence or "",
        })
    _rows_out(rows, args.format, ["key", "value", "unit", "range", "as_of", "source"])
    return 0


def cmd_catalog(args: argparse.Namespace, library: Library) -> int:
    """``capcalc catalog``: every accelerator with its sourced specification."""
    rows = []
    for key, acc in library.baseline.catalog.items():
        table = args.format == "table"
        rows.append({
            "accelerator": key, "name": acc.name, "vendor": acc.vendor, "status": acc.status,
            "release": acc.release,
            "tdp_w": f"{acc.tdp_w:,.0f} W" if table else acc.tdp_w,
            "bf16_flop_per_s": format_value(acc.bf16_flop_per_s, "FLOP/s") if table
            else acc.bf16_flop_per_s,
            "fp8_flop_per_s": format_value(acc.fp8_flop_per_s, "FLOP/s") if table
            else acc.fp8_flop_per_s,
            "server_overhead": f"{acc.server_overhead:.2f}" if table else acc.server_overhead,
            "capex_usd": format_value(acc.capex_usd, "USD_2025") if table else acc.capex_usd,
            "confidence": ", ".join(sorted({e.confidence or "?" for e in acc.entries.values()})),
        })
    _rows_out(rows, args.format, ["accelerator", "name", "status", "release", "tdp_w",
                                  "bf16_flop_per_s", "fp8_flop_per_s", "server_overhead",
                                  "capex_usd", "confidence"])
    return 0


def cmd_scenarios(args: argparse.Namespace, library: Library) -> int:
    """``capcalc scenarios``: the shipped scenarios with their titles."""
    rows = [{"scenario": name, "base": d.base or "", "title": d.title or ""}
            for name, d in library.definitions.items()]
    _rows_out(rows, "table", ["scenario", "base", "title"])
    return 0


def cmd_dashboard(args: argparse.Namespace, library: Library) -> int:
    """``capcalc dashboard``: serve the Streamlit app on localhost."""
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    if not app.exists():
        raise CapcalcError("the dashboard is not installed beside this package", file=str(app))
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.port", str(args.port), "--server.address", "localhost"]
    # from the repository root, so Streamlit reads .streamlit/config.toml (upload limit, XSRF)
    return subprocess.call(command, env=os.environ.copy(), cwd=app.parent.parent)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``capcalc`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace, Library], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        library = load_library(args.assumptions)
        return handler(args, library)
    except CapcalcError as exc:
        sys.stderr.write(f"capcalc: {exc}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("capcalc: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
