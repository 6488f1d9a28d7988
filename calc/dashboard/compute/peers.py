"""Cached calls into :mod:`calc` for the Peers view: the sites as published and the
calibration of the model against them, as the rows of the view's tables.

Both use capcalc's shipped files and defaults, not a session's inputs: each is computed
once per server.
"""

from __future__ import annotations

from typing import Any

from calc.analysis.calibration import CalibrationResult, calibrate
from calc.dashboard.compute.cache import memo
from calc.dashboard.compute.scenario import peers, shipped_library
from calc.data.peers import source_links
from calc.presentation.calibration import reason_text
from calc.presentation.formatting import format_value
from calc.presentation.tables.peers import peers_table

__all__ = ["calibration", "calibration_rows", "peer_rows", "shown"]


def shown(value: Any, unit: str) -> str:
    """A table cell as the cards write it; "—" where the source gives nothing.

    >>> shown(None, "MW"), shown(150.0, "MW"), shown("liquid", "")
    ('—', '150 MW', 'liquid')
    """
    if value is None or value == "":
        return "—"
    return format_value(float(value), unit) if isinstance(value, int | float) else str(value)


@memo()
def calibration() -> CalibrationResult:
    """The model against the published figures of ``peers.yaml`` (capcalc's defaults)."""
    return calibrate(shipped_library(), peers())


@memo()
def peer_rows() -> list[dict[str, Any]]:
    """The sites as published, one row each, their first source as a link."""
    table = peers_table(peers(), shipped_library())
    rows = []
    for row in table.rows():
        links = source_links(row["source"])
        rows.append({
            "site": row["site"], "operator": row["operator"], "date": row["date"],
            "status": row["status"], "accelerators": shown(row["accelerators"], ""),
            "power": shown(row["power_mw"], "MW"), "basis": shown(row["power_basis"], ""),
            "H100e": shown(row["h100_equivalents"], "H100e"),
            "capex (US$ 2025)": shown(row["capex_usd"], "USD_2025"),
            "confidence": row["confidence"], "source": links[0] if links else "",
            "other figures": shown(row["other_figures"], ""), "note": shown(row["note"], ""),
        })
    return rows


@memo()
def calibration_rows() -> tuple[list[dict[str, Any]], dict[str, list[str]], str]:
    """The calibration as table rows, the figures it cannot reproduce by reason, and its
    summary line."""
    result = calibration()
    rows = []
    missing: dict[str, list[str]] = {}
    for c in result.comparisons:
        if c.status == "n/a":
            missing.setdefault(reason_text(c), []).append(f"{c.peer} {c.quantity}")
            continue
        rows.append({
            "peer": c.peer, "quantity": c.quantity + ("" if c.primary else " (alt)"),
            "basis": shown(c.basis, ""), "published": shown(c.published, c.unit),
            "model": shown(c.model, c.unit),
            "deviation": c.deviation, "tolerance": c.tolerance, "status": c.status,
            "confidence": c.confidence,
            "independent": "yes" if c.independent else "no: " + ", ".join(c.circular),
            "likely reason": reason_text(c), "source": (source_links(c.source) or [""])[0],
        })
    return rows, missing, result.summary()
