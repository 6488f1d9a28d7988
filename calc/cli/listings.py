"""``capcalc assumptions``, ``catalog`` and ``scenarios``: what the model reads, and from where."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from calc.cli.common import SET_ORIGIN, emit, library_of, load_scenarios, parse_sets, styled
from calc.core.constants import CURRENCY
from calc.core.errors import CapcalcError
from calc.presentation.csvtext import csv_text
from calc.presentation.formatting import format_value, percent
from calc.presentation.text import render_table

__all__ = ["cmd_assumptions", "cmd_catalog", "cmd_scenarios", "rows_out"]


def rows_out(rows: list[dict[str, Any]], fmt: str, table_columns: Sequence[str]) -> None:
    """Print ``rows`` as JSON, CSV or a text table of ``table_columns`` (cells cut at 70)."""
    if fmt == "json":
        print(json.dumps(rows, indent=2))
        return
    if fmt == "csv":
        names = list(rows[0])
        sys.stdout.write(csv_text([names, *([row.get(n) for n in names] for row in rows)]))
        return
    body = [["" if r.get(c) is None else str(r.get(c, "")) for c in table_columns] for r in rows]
    emit(styled(render_table, list(table_columns), body, "l" * len(table_columns),
                max_width=70))


def cmd_assumptions(args: argparse.Namespace) -> int:
    """``capcalc assumptions``: every input of a scenario with its provenance."""
    library, names = load_scenarios(library_of(args), [args.scenarios] if args.scenarios else [])
    sets, phase_sets = parse_sets(args.sets)
    if phase_sets:
        raise CapcalcError("is a phase field; `capcalc timeline` shows build-outs",
                           key=phase_sets[0][0])
    scenario = library.scenario(names[0], sets, set_origin=SET_ORIGIN)
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
    rows_out(rows, args.format, ["key", "value", "unit", "range", "as_of", "source"])
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """``capcalc catalog``: every accelerator with its sourced specification."""
    library = library_of(args)
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
            "capex_usd": format_value(acc.capex_usd, CURRENCY) if table else acc.capex_usd,
            "cloud_usd_per_hour": f"${acc.cloud_usd_per_hour:,.2f}/h" if table
            else acc.cloud_usd_per_hour,
            "mfu_at_scale": ("—" if acc.mfu_at_scale is None else percent(acc.mfu_at_scale))
            if table else acc.mfu_at_scale,
            "confidence": ", ".join(sorted({e.confidence or "?" for e in acc.entries.values()})),
        })
    rows_out(rows, args.format, ["accelerator", "name", "status", "release", "tdp_w",
                                 "bf16_flop_per_s", "fp8_flop_per_s", "server_overhead",
                                 "capex_usd", "cloud_usd_per_hour", "mfu_at_scale",
                                 "confidence"])
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``capcalc scenarios``: the shipped scenarios with their titles."""
    library = library_of(args)
    rows = [{"scenario": name, "base": d.base or "", "title": d.title or ""}
            for name, d in library.definitions.items()]
    rows_out(rows, "table", ["scenario", "base", "title"])
    return 0
