"""``capcalc peers`` and ``calibrate``: the largest sites as published, the model against them."""

from __future__ import annotations

import argparse
import sys

from calc.analysis.calibration import calibrate
from calc.cli.common import (
    SET_ORIGIN,
    emit,
    emit_json,
    library_of,
    parse_sets,
    peers_file,
    styled,
)
from calc.cli.listings import rows_out
from calc.core.constants import CURRENCY
from calc.core.errors import CapcalcError
from calc.data.peers import PeersFile
from calc.data.scenarios import Library
from calc.presentation.calibration import calibration_json, calibration_table, calibration_text
from calc.presentation.formatting import format_value
from calc.presentation.tables.peers import peers_table

__all__ = ["cmd_calibrate", "cmd_peers", "peers_of"]


def peers_of(args: argparse.Namespace, library: Library) -> PeersFile:
    """The peers file (``--peers`` or capcalc's own), its chips checked against the catalog."""
    return peers_file(args.peers, library)


def cmd_peers(args: argparse.Namespace) -> int:
    """``capcalc peers``: every row with its primary figures and source."""
    library = library_of(args)
    peers = peers_of(args, library)
    table = peers_table(peers, library)
    if args.format == "csv":
        sys.stdout.write(table.to_csv())
        return 0
    if args.format == "json":
        emit_json({"peers": [p.model_dump(exclude_none=True) for p in peers.peers]})
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
            "capex": "" if row["capex_usd"] is None else format_value(row["capex_usd"], CURRENCY),
            "confidence": row["confidence"], "source": row["source"].split(" ; ")[0],
        })
    rows_out(rows, "table", list(rows[0]))
    emit("\nPower is facility power unless marked IT; ? = basis not stated. "
         "`capcalc peers --format json` has every figure with its source.")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``capcalc calibrate``: the model against every published figure of the peers."""
    library = library_of(args)
    peers = peers_of(args, library)
    sets, phase_sets = parse_sets(args.sets)
    if phase_sets:
        raise CapcalcError("is a phase field; calibration uses capcalc's defaults at one moment",
                           key=phase_sets[0][0])
    library.scenario(library.baseline_name(), sets, set_origin=SET_ORIGIN)  # name --set mistakes
    result = calibrate(library, peers, sets)
    if args.format == "json":
        emit_json(calibration_json(result))
    elif args.format == "csv":
        sys.stdout.write(calibration_table(result).to_csv())
    else:
        emit(styled(calibration_text, result))
    return 0
