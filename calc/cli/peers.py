"""``capcalc peers``, ``calibrate`` and ``report``: the peers, the model against them, a report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from calc.analysis.calibration import CalibrationResult, calibrate, calibration_table
from calc.cli.main import _add_scenario_args, _chart_formats, _rows_out, load_scenarios, parse_sets
from calc.core.errors import CapcalcError
from calc.data.peers import PeersFile, load_peers, peers_table
from calc.data.scenarios import Library
from calc.presentation.formatting import format_value

__all__ = ["add_parser"]

DEFAULT_REPORT_DIR = Path("capcalc-report")


def add_parser(sub: Any) -> None:
    """Add the ``peers``, ``calibrate`` and ``report`` subcommands."""
    p = sub.add_parser("peers", help="list the largest AI training sites with sources")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _add_peers_arg(p)
    p.set_defaults(handler=cmd_peers)

    p = sub.add_parser(
        "calibrate", help="run the model on each peer's chips and compare with published figures",
        description=(
            "Run capcalc's chain on every peer's published chip count with capcalc's defaults "
            "and compare power (on the published basis), H100-equivalents and capex with every "
            "published figure, within the tolerances stated in peers.yaml."))
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override one of capcalc's defaults for every peer, e.g. site.pue=1.3")
    _add_peers_arg(p)
    p.set_defaults(handler=cmd_calibrate)

    p = sub.add_parser(
        "report", help="write one self-contained HTML report with its charts and data",
        description=(
            "Write report.html (charts embedded; opens without any network request) and the "
            "PNG/SVG/CSV of each chart into --out. Without scenarios, the article's scenarios "
            "are compared."))
    _add_scenario_args(p)
    p.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR, metavar="DIR",
                   help=f"folder to write into (default ./{DEFAULT_REPORT_DIR})")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.add_argument("--formats", default="png,svg", metavar="LIST",
                   help="chart files beside the report: any of png,svg,pdf (default png,svg)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the Monte Carlo sections (default 0)")
    p.add_argument("--samples", type=int, default=2_000,
                   help="Monte Carlo samples per scenario (default 2000)")
    _add_peers_arg(p)
    p.set_defaults(handler=cmd_report)


def _add_peers_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peers", type=Path, metavar="FILE",
                        help="peers file (default: capcalc's peers.yaml)")


def _peers(args: argparse.Namespace, library: Library) -> PeersFile:
    return load_peers(args.peers, catalog=library.baseline.catalog)


def cmd_peers(args: argparse.Namespace, library: Library) -> int:
    """``capcalc peers``: every row with its primary figures and source."""
    peers = _peers(args, library)
    table = peers_table(peers, library)
    if args.format == "csv":
        sys.stdout.write(table.to_csv())
        return 0
    if args.format == "json":
        print(json.dumps({"peers": [p.model_dump(exclude_none=True) for p in peers.peers]},
                         indent=2))
        return 0
    rows = []
    for row in table.rows():
        rows.append({
            "id": row["id"], "date": row["date"], "status": row["status"],
            "accelerators": row["accelerators"],
            "power": "" if row["power_mw"] is None else format_value(row["power_mw"], "MW")
            + {"it": " IT", "unstated": " ?"}.get(row["power_basis"], ""),
            "H100e": "" if row["h100_equivalents"] is None
            else format_value(row["h100_equivalents"], "H100e"),
            "capex": "" if row["capex_usd"] is None else format_value(row["capex_usd"],
                                                                     "USD_2025"),
            "confidence": row["confidence"], "source": row["source"].split(" ; ")[0],
        })
    _rows_out(rows, "table", list(rows[0]))
    print("\nPower is facility power unless marked IT; ? = basis not stated. "
          "`capcalc peers --format json` has every figure with its source.")
    return 0


def calibration_text(result: CalibrationResult) -> str:
    """The calibration as a text table, the reasons, and what could not be modelled."""
    lines: list[str] = []
    header = ["peer", "quantity", "published", "model", "deviation", "tolerance", "status",
              "confidence", "independent"]
    body: list[list[str]] = []
    reasons: list[str] = []
    not_modelled: dict[str, list[str]] = {}
    for c in result.comparisons:
        quantity = {"power": "power", "h100_equivalents": "H100e", "capex": "capex"}[c.quantity]
        if c.status == "n/a":
            not_modelled.setdefault(c.reason, []).append(f"{c.peer} {quantity}")
            continue
        published = ({"at_least": "≥", "at_most": "≤", "": ""}[c.bound]
                     + format_value(c.published, c.unit)
                     + {"it": " IT", "unstated": " ?"}.get(c.basis, ""))
        status = c.status
        if c.reason:
            reasons.append(c.reason)
            status += f" [{len(reasons)}]"
        body.append([
            c.peer, quantity + ("" if c.primary else " (alt)"), published,
            format_value(c.model, c.unit) if c.model is not None else "",
            f"{c.deviation:+.1%}" if c.deviation is not None else "",
            f"±{c.tolerance:.0%}", status, c.confidence,
            "yes" if c.independent else "no: " + ", ".join(c.circular),
        ])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    lines.append("")
    lines.append(result.summary())
    lines.append(f"Model: capcalc's defaults ({result.defaults}) with each peer's chip count. "
                 "Power is compared on the published basis (IT = facility ÷ PUE); ? = basis "
                 "not stated, compared as facility power. Tolerances and their reasons: "
                 "peers.yaml (calibration.tolerances).")
    if reasons:
        lines.append("")
        lines.append("Likely reasons for the figures outside tolerance:")
        lines += [f"[{i}] {text}" for i, text in enumerate(reasons, 1)]
    if not_modelled:
        lines.append("")
        lines.append("Published figures the model cannot reproduce:")
        lines += [f"- {why}: {', '.join(items)}" for why, items in not_modelled.items()]
    return "\n".join(lines)


def cmd_calibrate(args: argparse.Namespace, library: Library) -> int:
    """``capcalc calibrate``: the model against every published figure of the peers."""
    peers = _peers(args, library)
    result = calibrate(library, peers, parse_sets(args.sets))
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2))
    elif args.format == "csv":
        sys.stdout.write(calibration_table(result).to_csv())
    else:
        print(calibration_text(result))
    return 0


def cmd_report(args: argparse.Namespace, library: Library) -> int:
    """``capcalc report``: one self-contained HTML file with its charts and data beside it."""
    from calc.presentation.report import build_report, write_report

    formats = _chart_formats(args.formats)
    if args.seed < 0:
        raise CapcalcError(f"must be 0 or more (got {args.seed})", key="--seed")
    if not 100 <= args.samples <= 2_000_000:
        raise CapcalcError(f"must be between 100 and 2,000,000 (got {args.samples:,})",
                           key="--samples")
    sets = parse_sets(args.sets)
    library, names = load_scenarios(library, args.scenarios)
    peers = _peers(args, library)
    report = build_report(library, names if args.scenarios else (), sets, seed=args.seed,
                          samples=args.samples, peers=peers, formats=formats)
    written = write_report(report, args.out, force=args.force)
    print(f"wrote {len(written)} files to {args.out}; open {written[0]}")
    return 0

